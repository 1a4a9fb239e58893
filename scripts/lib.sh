# shellcheck shell=bash
# Shared helpers for the scripts in this directory. Source it; do not run it.
#
# Everything cached by the scripts lives under $M2MSEC_CACHE
# (default /var/cache/m2msec), never inside the git tree, so a fresh clone
# (for example CI's) reuses the kernel choice and the wolfSSL build.

M2MSEC_PROG=${M2MSEC_PROG:-$(basename "$0")}
M2MSEC_CACHE=${M2MSEC_CACHE:-/var/cache/m2msec}
M2MSEC_KERNEL_ENV="$M2MSEC_CACHE/kernel.env"

m2msec_log() { printf '%s: %s\n' "$M2MSEC_PROG" "$*" >&2; }
m2msec_die() { printf '%s: error: %s\n' "$M2MSEC_PROG" "$*" >&2; exit 1; }

# Repository root: the parent of this directory (works without git, e.g. for
# an exported tree).
m2msec_repo_root() {
    (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
}

# m2msec_env_get FILE KEY: print the value of KEY=VALUE in FILE (last wins).
# The file is parsed, not sourced, so a stray line can never run code.
m2msec_env_get() {
    local file=$1 key=$2
    [[ -r $file ]] || return 0
    sed -n "s/^${key}=//p" "$file" | tail -n 1
}

# m2msec_env_set FILE KEY VALUE: set KEY=VALUE in FILE, keeping other lines.
# The file is only rewritten when the value changes, so its mtime (which make
# may depend on) stays stable on no-op runs.
m2msec_env_set() {
    local file=$1 key=$2 value=$3 tmp
    [[ $value != *[[:space:]\"\']* ]] || m2msec_die "refusing to record $key='$value' (whitespace or quotes)"
    if [[ -r $file ]] && [[ "$(m2msec_env_get "$file" "$key")" == "$value" ]] &&
        [[ $(grep -c "^${key}=" "$file") -eq 1 ]]; then
        return 0
    fi
    mkdir -p "$(dirname "$file")"
    tmp=$(mktemp "$file.XXXXXX")
    if [[ -r $file ]]; then
        grep -v "^${key}=" "$file" >"$tmp" || true
    fi
    printf '%s=%s\n' "$key" "$value" >>"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$file"
}

# m2msec_kver: the 6.12 kernel chosen by deps.sh (or $M2MSEC_KVER).
m2msec_kver() {
    local v=${M2MSEC_KVER:-}
    [[ -n $v ]] || v=$(m2msec_env_get "$M2MSEC_KERNEL_ENV" KVER)
    [[ -n $v ]] || m2msec_die "no kernel recorded in $M2MSEC_KERNEL_ENV; run scripts/deps.sh (as root) or pass --kver"
    printf '%s\n' "$v"
}

m2msec_require_root() {
    [[ $(id -u) -eq 0 ]] || m2msec_die "must run as root (it installs packages / writes $M2MSEC_CACHE)"
}

# m2msec_pkg_installed PKG: true when dpkg has PKG fully installed.
m2msec_pkg_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == "ii "* ]]
}
