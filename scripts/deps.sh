#!/bin/bash
# Install everything m2msec needs to build, test (QEMU guest) and run the
# interoperability peers on Debian 12. Idempotent: a second run with
# everything present only queries dpkg and takes a few seconds.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$here/lib.sh"

usage() {
    cat <<EOF
Usage: scripts/deps.sh [--no-wolfssl] [--choose-kernels] [--help]

Install (as root, with apt-get) the packages m2msec needs, when missing:
build tools, QEMU + busybox for the test guest, libnl/keyutils, the interop
peers (OpenSSL, GnuTLS, libcoap, jwcrypto, cjose), wireguard-tools (the
DTLS benchmark's reference), clang + libFuzzer, a
Debian 6.12 kernel (image + headers, generic amd64 flavour) for the guest and
6.1 headers for build checks. Then build wolfSSL with DTLS 1.3
(scripts/build-wolfssl.sh).

The kernel choice is written to \$M2MSEC_CACHE/kernel.env
(default /var/cache/m2msec/kernel.env) as:
    KVER=6.12.N+deb12-amd64
    KVER61=6.1.0-N-amd64
An installed kernel that matches is kept; the newest available one is only
picked when none is installed.

Options:
  --no-wolfssl       do not run scripts/build-wolfssl.sh
  --choose-kernels   dry run, any user: only choose the kernels, from what is
                     installed and the current apt lists (no apt-get update,
                     nothing installed, nothing written), and print
                     KVER=... and KVER61=...; exit 1 when there is no choice
  -h, --help         show this help

Environment:
  M2MSEC_KVER=6.12.N+deb12-amd64   pin the 6.12 guest kernel
  M2MSEC_KVER61=6.1.0-N-amd64      pin the 6.1 headers
  M2MSEC_CACHE=DIR                 cache directory (default /var/cache/m2msec)
EOF
}

want_wolfssl=1
choose_only=0
while [[ $# -gt 0 ]]; do
    case $1 in
    --no-wolfssl) want_wolfssl=0 ;;
    --choose-kernels) choose_only=1 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; m2msec_die "unknown argument: $1" ;;
    esac
    shift
done

[[ $choose_only -eq 1 ]] || m2msec_require_root
start=$SECONDS
export DEBIAN_FRONTEND=noninteractive

# Packages needed on the host (bc flex bison libelf-dev libssl-dev also
# build the debug test kernel, scripts/build-debug-kernel.sh). libelf-dev: objtool/resolve_btfids style
# helpers and some Kbuild paths want it when building modules against
# headers. dpkg-dev: apt-get source / dpkg-source for the wolfSSL build.
# dkms: the DKMS test (selftests/host/dkms_test.sh). man-db: the install
# test checks the man pages (man --warnings, lexgrog).
packages=(
    build-essential pkg-config bc flex bison libelf-dev
    qemu-system-x86 busybox-static
    libnl-3-dev libnl-genl-3-dev keyutils libkeyutils-dev
    iproute2 kmod xz-utils cpio zstd dpkg-dev cmake python3
    openssl gnutls-bin libcoap3-bin python3-jwcrypto
    libcjose-dev libjson-c-dev clang libclang-rt-14-dev
    libssl-dev python3-cryptography wireguard-tools dkms man-db
)

apt_updated=0
apt_update_once() {
    if [[ $choose_only -eq 1 ]]; then
        # Dry run: any user, no side effect; the current lists are used.
        [[ $apt_updated -eq 1 ]] ||
            m2msec_log "not running apt-get update (--choose-kernels): using the current apt lists"
        apt_updated=1
        return 0
    fi
    if [[ $apt_updated -eq 0 ]]; then
        m2msec_log "apt-get update"
        apt-get update -qq || m2msec_die "apt-get update failed"
        apt_updated=1
    fi
}

# Print the packages of "$@" that are not fully installed (one dpkg-query).
missing_of() {
    local -A have=()
    local p status
    while IFS=' ' read -r p status; do
        [[ $status == ii* ]] && have[$p]=1
    done < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true)
    for p in "$@"; do
        [[ -n ${have[$p]:-} ]] || printf '%s\n' "$p"
    done
}

# Escape the characters of Debian kernel package names that are special in
# regular expressions.
re_escape() {
    local s=${1//./\\.}
    printf '%s' "${s//+/\\+}"
}

# newest_available VRE TEMPLATE...: newest version V (sort -V) matching the
# regex VRE for which every package TEMPLATE (with "@" standing for V) exists
# in the apt cache. The first template drives the search.
newest_available() {
    local vre=$1
    shift
    local pre suf v t ok
    pre=$(re_escape "${1%@*}")
    suf=$(re_escape "${1#*@}")
    apt-cache search --names-only "^${pre}${vre}${suf}\$" 2>/dev/null |
        awk '{print $1}' | sed -E "s/^${pre}//; s/${suf}\$//" | sort -V -r |
        while read -r v; do
            ok=1
            for t in "${@:2}"; do
                apt-cache show "${t/@/$v}" >/dev/null 2>&1 || { ok=0; break; }
            done
            if [[ $ok -eq 1 ]]; then
                printf '%s\n' "$v"
                break
            fi
        done
}

# newest_installed VRE TEMPLATE...: the same among installed packages.
newest_installed() {
    local vre=$1
    shift
    local pre suf v t ok
    pre=$(re_escape "${1%@*}")
    suf=$(re_escape "${1#*@}")
    # No match is a normal answer on a fresh machine: dpkg-query exits 1
    # then, so its status must not end the script under pipefail; awk does
    # the filtering (grep would exit 1 on no match as well).
    { dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${1%@*}*${1#*@}" 2>/dev/null || true; } |
        awk '$1 == "ii" {print $2}' | sed -E "s/^${pre}//; s/${suf}\$//" |
        awk -v re="^${vre}\$" '$0 ~ re' | sort -V -r |
        while read -r v; do
            ok=1
            for t in "${@:2}"; do
                m2msec_pkg_installed "${t/@/$v}" || { ok=0; break; }
            done
            if [[ $ok -eq 1 ]]; then
                printf '%s\n' "$v"
                break
            fi
        done
}

# choose_kernel LABEL PIN RECORDED VRE TEMPLATE...: set $chosen to the kernel
# version to use. Order: explicit pin; the recorded choice when still
# installed; the newest installed set; the newest available set. Runs in the
# main shell (not in $(...)) so that apt_update_once is remembered.
chosen=
choose_kernel() {
    local label=$1 pin=$2 recorded=$3 vre=$4
    shift 4
    local t ok hint=
    chosen=
    if [[ -n $pin ]]; then
        [[ $pin =~ ^${vre}$ ]] || m2msec_die "$label pin '$pin' is not a generic amd64 Debian kernel version (pattern: $vre)"
        chosen=$pin
        return
    fi
    if [[ -n $recorded && $recorded =~ ^${vre}$ ]]; then
        ok=1
        for t in "$@"; do m2msec_pkg_installed "${t/@/$recorded}" || ok=0; done
        if [[ $ok -eq 1 ]]; then
            chosen=$recorded
            return
        fi
    fi
    chosen=$(newest_installed "$vre" "$@")
    [[ -z $chosen ]] || return 0
    # Nothing installed: pick the newest in the archive, with fresh lists.
    apt_update_once
    chosen=$(newest_available "$vre" "$@")
    [[ $choose_only -eq 0 ]] || hint="; apt lists not updated with --choose-kernels"
    [[ -n $chosen ]] || m2msec_die "no $label kernel found in the apt archive (wanted: ${*//@/VERSION}; VERSION pattern $vre$hint)"
}

# Regexes for the version part of the package names. Only the generic amd64
# flavour: cloud-amd64 has no 9p, which the test guest needs.
vre612='6\.12\.[0-9]+\+deb12-amd64'
vre61='6\.1\.0-[0-9]+-amd64'
# Package templates; "@" is the version. The first template drives the search.
t612=(linux-image-@-unsigned linux-headers-@)
t61=(linux-headers-@)

recorded612=$(m2msec_env_get "$M2MSEC_KERNEL_ENV" KVER)
recorded61=$(m2msec_env_get "$M2MSEC_KERNEL_ENV" KVER61)

choose_kernel "6.12" "${M2MSEC_KVER:-}" "$recorded612" "$vre612" "${t612[@]}"
kver=$chosen
choose_kernel "6.1" "${M2MSEC_KVER61:-}" "$recorded61" "$vre61" "${t61[@]}"
kver61=$chosen

if [[ $choose_only -eq 1 ]]; then
    printf 'KVER=%s\nKVER61=%s\n' "$kver" "$kver61"
    exit 0
fi

packages+=("${t612[@]/@/$kver}" "${t61[@]/@/$kver61}")
# The signed image of the same version ships the same kernel and conflicts
# with the unsigned one: keep it rather than replace it.
if m2msec_pkg_installed "linux-image-$kver"; then
    packages=("${packages[@]/#linux-image-$kver-unsigned/linux-image-$kver}")
fi

mapfile -t missing < <(missing_of "${packages[@]}")
if [[ ${#missing[@]} -gt 0 ]]; then
    m2msec_log "installing: ${missing[*]}"
    apt_update_once
    apt-get install -y -q --no-install-recommends "${missing[@]}" ||
        m2msec_die "apt-get install failed for: ${missing[*]}"
    mapfile -t still < <(missing_of "${packages[@]}")
    [[ ${#still[@]} -eq 0 ]] || m2msec_die "still not installed after apt-get: ${still[*]}"
fi

# The guest boots /boot/vmlinuz-$kver and loads modules from /lib/modules.
[[ -r /boot/vmlinuz-$kver ]] || m2msec_die "/boot/vmlinuz-$kver missing although linux-image-$kver-unsigned is installed"
if [[ ! -s /lib/modules/$kver/modules.dep ]]; then
    m2msec_log "running depmod $kver"
    depmod "$kver"
fi
[[ -d /lib/modules/$kver/build ]] || m2msec_die "/lib/modules/$kver/build missing (linux-headers-$kver)"
[[ -d /lib/modules/$kver61/build ]] || m2msec_die "/lib/modules/$kver61/build missing (linux-headers-$kver61)"

mkdir -p "$M2MSEC_CACHE"
m2msec_env_set "$M2MSEC_KERNEL_ENV" KVER "$kver"
m2msec_env_set "$M2MSEC_KERNEL_ENV" KVER61 "$kver61"

wolf="skipped"
if [[ $want_wolfssl -eq 1 ]]; then
    "$here/build-wolfssl.sh"
    wolf=$(cat "$M2MSEC_CACHE/wolfssl/prefixdir" 2>/dev/null || echo "?")
fi

printf 'deps: ok (%d installed, apt-get update: %s) KVER=%s KVER61=%s wolfssl=%s [%ds]\n' \
    "${#missing[@]}" "$([[ $apt_updated -eq 1 ]] && echo yes || echo no)" \
    "$kver" "$kver61" "$wolf" "$((SECONDS - start))"
