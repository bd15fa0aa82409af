# Run by cpack -G DEB (CPACK_PRE_BUILD_SCRIPTS, cmake/package.cmake) once
# the components are staged in ${CPACK_TEMPORARY_DIRECTORY}/<component>, and
# before the packages are made from them:
# - manual pages: section 1 goes to the tools package whichever install rule
#   put it in another component (rules without a COMPONENT go to dev), and
#   every page is compressed (gzip -9n, as Debian installs them);
# - the runtime package's shlibs and symbols files, from the library as it
#   is packaged (cpack reads them from CPACK_NN_BINARY_DIR/deb);
# - debian/shlibs.local in the tools' staging directory, where cpack runs
#   dpkg-shlibdeps (in a debian/ it deletes afterwards), so that the tools
#   depend on our runtime package instead of on whichever package provides
#   libnanomsg.so.5 on the build machine.
set(_top "${CPACK_TEMPORARY_DIRECTORY}")
set(_prefix "${CPACK_PACKAGING_INSTALL_PREFIX}")
set(_out "${CPACK_NN_BINARY_DIR}/deb")
file(MAKE_DIRECTORY "${_out}")

# ---- manual pages ----------------------------------------------------------
file(GLOB _man1 LIST_DIRECTORIES false "${_top}/*${_prefix}/share/man/man1/*")
foreach(_page IN LISTS _man1)
  file(RELATIVE_PATH _rel "${_top}" "${_page}")
  string(REGEX REPLACE "/.*" "" _comp "${_rel}")
  if(NOT _comp STREQUAL "tools")
    get_filename_component(_name "${_page}" NAME)
    set(_dir "${_top}/tools${_prefix}/share/man/man1")
    file(MAKE_DIRECTORY "${_dir}")
    file(RENAME "${_page}" "${_dir}/${_name}")
    message(STATUS "deb: man page ${_name} moved from ${_comp} to tools")
  endif()
endforeach()
# Directories the moves emptied would ship as empty directories.
foreach(_comp IN LISTS CPACK_COMPONENTS_ALL)
  set(_d "${_top}/${_comp}${_prefix}/share/man/man1")
  if(IS_DIRECTORY "${_d}")
    file(GLOB _left "${_d}/*")
    if(NOT _left)
      file(REMOVE_RECURSE "${_d}")
      file(GLOB _left "${_top}/${_comp}${_prefix}/share/man/*")
      if(NOT _left)
        file(REMOVE_RECURSE "${_top}/${_comp}${_prefix}/share/man")
      endif()
    endif()
  endif()
endforeach()
file(GLOB_RECURSE _pages LIST_DIRECTORIES false "${_top}/*${_prefix}/share/man/man*/*")
list(FILTER _pages EXCLUDE REGEX "\\.gz$")
if(_pages)
  find_program(_gzip gzip REQUIRED)
  foreach(_page IN LISTS _pages)
    if(NOT IS_SYMLINK "${_page}")
      execute_process(COMMAND "${_gzip}" -9nf "${_page}" COMMAND_ERROR_IS_FATAL ANY)
    endif()
  endforeach()
  # A link to a page now compressed: NAME.gz -> TARGET.gz.
  foreach(_page IN LISTS _pages)
    if(IS_SYMLINK "${_page}")
      file(READ_SYMLINK "${_page}" _target)
      get_filename_component(_dir "${_page}" DIRECTORY)
      if(NOT _target MATCHES "\\.gz$" AND EXISTS "${_dir}/${_target}.gz")
        file(REMOVE "${_page}")
        file(CREATE_LINK "${_target}.gz" "${_page}.gz" SYMBOLIC)
      endif()
    endif()
  endforeach()
endif()

# ---- shlibs, symbols, shlibs.local -------------------------------------------
set(_lib "${_top}/runtime${_prefix}/${CPACK_NN_LIBDIR}/libnanomsg.so.${CPACK_NN_SOVERSION}")
if(NOT EXISTS "${_lib}")
  message(FATAL_ERROR "deb: ${_lib} is not staged")
endif()
get_filename_component(_lib "${_lib}" REALPATH)
set(_shlibs "libnanomsg ${CPACK_NN_SOVERSION} ${CPACK_NN_DEB_RUNTIME} (>= ${CPACK_NN_DEB_BASE_VERSION})\n")
file(WRITE "${_out}/shlibs" "${_shlibs}")
file(WRITE "${_top}/tools/debian/shlibs.local" "${_shlibs}")

# Every dynamic symbol the library defines, at the first version with this
# ABI: "libnanomsg.so.5 libnanomsg5-rust #MINVER#" then " nn_bind@Base V".
find_program(_gensymbols dpkg-gensymbols REQUIRED)
file(REMOVE "${_out}/symbols")
execute_process(
  COMMAND "${_gensymbols}" -q "-p${CPACK_NN_DEB_RUNTIME}" "-v${CPACK_NN_DEB_BASE_VERSION}"
          "-P${_top}/runtime" "-e${_lib}" "-O${_out}/symbols"
  WORKING_DIRECTORY "${_top}"
  COMMAND_ERROR_IS_FATAL ANY)
file(STRINGS "${_out}/symbols" _syms REGEX "^ ")
list(LENGTH _syms _n)
if(_n EQUAL 0)
  message(FATAL_ERROR "deb: dpkg-gensymbols listed no symbols of ${_lib}")
endif()
message(STATUS "deb: shlibs and symbols (${_n} symbols) for ${CPACK_NN_DEB_RUNTIME}")
