# Shared by the test scripts: . "$(dirname "$0")/lib.sh"
# Defines functions and the counters below; changes no shell option.

# ---- Debian packages -------------------------------------------------------
# nn_apt_install WHO PKG...: apt-get update, then install PKG... (as root or
# through sudo), telling which script (WHO) asked.
nn_apt_install() {
    local who="$1" sudo=""
    shift
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "$who: installing $*"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# nn_apt_need WHO PKG...: installs those of PKG... that are not installed.
nn_apt_need() {
    local who="$1" p need=()
    shift
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
    done
    [ "${#need[@]}" -eq 0 ] || nn_apt_install "$who" "${need[@]}"
}

# ---- which libnanomsg a process runs on --------------------------------------
# nn_child PID: the first child of PID (the program timeout(1) runs), or
# nothing when it has none (yet).
nn_child() {
    local c
    c="$(cat "/proc/$1/task/$1/children" 2>/dev/null || true)"
    echo "${c%% *}"
}

# nn_loaded PID: the libnanomsg files PID has mapped (real paths, sorted, one
# per line); nothing before it has loaded one.
nn_loaded() {
    awk '$6 ~ /libnanomsg/ {print $6}' "/proc/$1/maps" 2>/dev/null | sort -u |
        while read -r f; do realpath "$f"; done | sort -u
}

# nn_wait_loaded PID [SECONDS]: waits (default 2 s) until the first child of
# PID has loaded a libnanomsg, then prints nn_loaded of it. Sets NN_CHILD to
# the child's pid (empty if none came). Fails when nothing was loaded.
nn_wait_loaded() {
    local i libs=""
    NN_CHILD=""
    for ((i = 0; i < ${2:-2} * 50; i++)); do
        NN_CHILD="$(nn_child "$1")"
        [ -n "$NN_CHILD" ] && libs="$(nn_loaded "$NN_CHILD")"
        [ -n "$libs" ] && { echo "$libs"; return 0; }
        sleep 0.02
    done
    return 1
}

# ---- results -----------------------------------------------------------------
nn_passed=0
nn_failed=0
nn_skipped=0
nn_failures=()
nn_pass() { nn_passed=$((nn_passed + 1)); echo "PASS $*"; }
nn_fail() { nn_failed=$((nn_failed + 1)); nn_failures+=("$*"); echo "FAIL $*"; }
nn_skip() { nn_skipped=$((nn_skipped + 1)); echo "SKIP $*"; }

# nn_summary WHO [NOTE]: "WHO: P passed, F failed[, S skipped][ (NOTE)]" and
# every failure again; returns 1 when a check failed.
nn_summary() {
    local line="$1: $nn_passed passed, $nn_failed failed" f
    [ "$nn_skipped" -eq 0 ] || line="$line, $nn_skipped skipped"
    echo "$line${2:+ ($2)}"
    for f in "${nn_failures[@]}"; do echo "  FAILED: $f"; done
    [ "$nn_failed" -eq 0 ]
}
