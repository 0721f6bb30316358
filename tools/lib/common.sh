# shellcheck shell=bash
# tools/lib/common.sh — helpers shared by tools/db, tools/run and tools/test.
#
# Source it from a script in tools/:
#   . "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib/common.sh"
#
# Provides:
#   gg_root                 absolute path of the repository root
#   gg_prog                 "tools/<script name>", used as message prefix
#   GG_PACKAGES             the Debian packages the project needs (build, run, test)
#   gg_say MSG...           progress message on stderr ("tools/x: MSG")
#   gg_warn MSG...          warning on stderr ("tools/x: warning: MSG")
#   gg_die MSG...           error on stderr ("tools/x: MSG"), exit 1
#   gg_need_packages PKG... make sure Debian packages are installed (installs
#                           them when root, otherwise says how and exits 1)

# Guard against double sourcing.
if [[ -n "${_GG_COMMON_SOURCED:-}" ]]; then
    return 0
fi
_GG_COMMON_SOURCED=1

# shellcheck disable=SC2034  # used by the scripts that source this file
gg_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
gg_prog="tools/${0##*/}"

# The project's Debian packages: compiler and build tools, sanitizer runtime,
# MariaDB server/client/headers, libraries, and what the tests and benchmarks use.
# shellcheck disable=SC2034  # used by the scripts that source this file
GG_PACKAGES=(
    build-essential cmake pkg-config clang libclang-rt-14-dev
    mariadb-server mariadb-client libmariadb-dev
    libevent-dev libpcre2-dev libcurl4-openssl-dev libjansson-dev libinih-dev
    python3 curl wrk tzdata kannel
)

gg_say() {
    printf '%s: %s\n' "$gg_prog" "$*" >&2
}

gg_warn() {
    printf '%s: warning: %s\n' "$gg_prog" "$*" >&2
}

gg_die() {
    printf '%s: %s\n' "$gg_prog" "$*" >&2
    exit 1
}

# Set once `apt-get update` has run in this process.
_gg_apt_updated=

# gg_pkg_installed PKG: true when the Debian package PKG is installed.
gg_pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

gg_need_packages() {
    local pkg
    local -a missing=()

    if ! command -v dpkg-query >/dev/null 2>&1; then
        gg_warn "dpkg-query not found (not a Debian system?); cannot check for packages: $*"
        return 0
    fi
    for pkg in "$@"; do
        gg_pkg_installed "$pkg" || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0

    if ((EUID != 0)); then
        printf '%s: missing Debian packages; run as root:\n  sudo apt-get install -y %s\n' \
            "$gg_prog" "${missing[*]}" >&2
        exit 1
    fi

    gg_say "installing Debian packages: ${missing[*]}"
    if [[ -z "$_gg_apt_updated" ]]; then
        apt-get update -qq || gg_die "apt-get update failed; check the network and /etc/apt/sources.list, then retry"
        _gg_apt_updated=1
    fi
    # Installing mariadb-server would start Debian's system MariaDB; gamigate never
    # uses it, so forbid service starts during the install (unless the machine already
    # has its own policy).
    local policy=/usr/sbin/policy-rc.d made_policy=
    if [[ ! -e "$policy" ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
    fi
    local rc=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" || rc=$?
    [[ -n "$made_policy" ]] && rm -f "$policy"
    ((rc == 0)) ||
        gg_die "apt-get install failed for: ${missing[*]}; try by hand: apt-get install -y ${missing[*]}"

    for pkg in "${missing[@]}"; do
        gg_pkg_installed "$pkg" || gg_die "package $pkg is still not installed; try by hand: apt-get install -y $pkg"
    done
}
