# Debian packages that take the place of Debian's nanomsg packages, built by
# `cpack -G DEB` from the install components of CMakeLists.txt (scripts/package
# configures a build with prefix /usr and the multiarch library directory):
#
#   component  package            replaces (Provides, Conflicts, Replaces)
#   runtime    libnanomsg5-rust   libnanomsg5       (versioned Provides)
#   dev        libnanomsg-rust-dev libnanomsg-dev
#   tools      nanomsg-rust-utils nanomsg-utils
#
# Versions: the upstream API level, "+rust", our release number, e.g.
# 1.1.5+rust1 (scripts/package adds +git<commits>.<hash>). "+rust" sorts
# above Debian's "+dfsg" (1.1.5+dfsg-1.1+b1 < 1.1.5+rust1), so a program that
# needs libnanomsg5 (>= 1.1.5) is satisfied by ours, and below a future
# upstream 1.1.6. NN_DEB_BASE_VERSION is the first release with the current
# ABI (the 23 nn_* functions): the version in shlibs and symbols, what
# programs built against ours will require.
set(NN_DEB_BASE_VERSION "${PROJECT_VERSION}+rust1")
set(NN_DEB_VERSION "${NN_DEB_BASE_VERSION}" CACHE STRING
  "Version of the Debian packages (cpack -G DEB)")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME nanomsg-rust)
set(CPACK_PACKAGE_VERSION "${NN_DEB_VERSION}")
set(CPACK_PACKAGE_CONTACT "libnanomsg-rust maintainers <maintainers@users.noreply.b-seed-7448d997.example>")
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/cpack")
# Install with DESTDIR and the real prefix: nanomsg.pc is written at install
# time from CMAKE_INSTALL_PREFIX, which must be /usr, not the staging dir.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev tools)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_VERSION "${NN_DEB_VERSION}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://nanomsg.org/")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(NN_DEB_RUNTIME libnanomsg5-rust)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${NN_DEB_RUNTIME})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
  "nanomsg 1.x library, implemented in Rust (replaces libnanomsg5)
A drop-in libnanomsg.so.5: programs and bindings built for upstream
nanomsg 1.1.5 (Debian's libnanomsg5) run on it unchanged, and it talks to
upstream nanomsg and nng peers.")
# A versioned Provides: programs depending on libnanomsg5 (>= 1.1.5) accept it.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_PROVIDES "libnanomsg5 (= ${NN_DEB_VERSION})")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONFLICTS libnanomsg5)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_REPLACES libnanomsg5)
# Depends from dpkg-shlibdeps: the library needs libc only (build.rs).
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
# shlibs and symbols, written by cmake/deb-control.cmake from the library
# as staged for the package.
# (cpack adds a postinst and a postrm that run ldconfig.)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
  "${CMAKE_BINARY_DIR}/deb/shlibs;${CMAKE_BINARY_DIR}/deb/symbols")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libnanomsg-rust-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION
  "nanomsg 1.x development files, Rust implementation (replaces libnanomsg-dev)
Headers, libnanomsg.so, the static library, nanomsg.pc, the CMake package
(find_package(nanomsg CONFIG)) and the manual pages of the C API.")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${NN_DEB_RUNTIME} (= ${NN_DEB_VERSION})")
set(CPACK_DEBIAN_DEV_PACKAGE_PROVIDES "libnanomsg-dev (= ${NN_DEB_VERSION})")
set(CPACK_DEBIAN_DEV_PACKAGE_CONFLICTS libnanomsg-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_REPLACES libnanomsg-dev)

set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME nanomsg-rust-utils)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
set(CPACK_DEBIAN_TOOLS_DESCRIPTION
  "nanomsg utilities, Rust implementation (replaces nanomsg-utils)
nanocat, with upstream's options and output formats, and the benchmark
programs inproc_lat, inproc_thr, local_lat, remote_lat, local_thr and
remote_thr.")
# Depends from dpkg-shlibdeps: libc6 and, through the shlibs.local that
# cmake/deb-control.cmake writes, our runtime package (not whichever
# package holds libnanomsg.so.5 on the build machine). The library is found
# in the build tree when no libnanomsg5 is installed.
set(CPACK_DEBIAN_TOOLS_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${LIBDIR_OUT}")
set(CPACK_DEBIAN_TOOLS_PACKAGE_PROVIDES "nanomsg-utils (= ${NN_DEB_VERSION})")
set(CPACK_DEBIAN_TOOLS_PACKAGE_CONFLICTS nanomsg-utils)
set(CPACK_DEBIAN_TOOLS_PACKAGE_REPLACES nanomsg-utils)

# Run after the components are staged, before the packages are made.
set(CPACK_NN_BINARY_DIR "${CMAKE_BINARY_DIR}")
set(CPACK_NN_DEB_BASE_VERSION "${NN_DEB_BASE_VERSION}")
set(CPACK_NN_DEB_RUNTIME "${NN_DEB_RUNTIME}")
set(CPACK_NN_SOVERSION "${NN_SOVERSION}")
set(CPACK_NN_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
set(CPACK_PRE_BUILD_SCRIPTS "${CMAKE_SOURCE_DIR}/cmake/deb-control.cmake")

include(CPack)
