#!/bin/bash
# Build (once) the debug test kernel for the VM tests: Debian's
# linux-source-6.12 of the same version as the pinned runtime kernel, with
# scripts/debug-kernel.config (KASAN, UBSAN, KFENCE, lockdep, kmemleak, ...)
# on top of x86_64_defconfig + kvm_guest.config. Everything the guest needs
# is built in, so the guest loads no module but m2msec.ko.
#
# The result is cached under $M2MSEC_CACHE/kdebug/<version>-<hash>/, where
# the hash covers the Debian source version, the config fragment and the
# build recipe below; a cached build is reused in seconds.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$here/lib.sh"

fragment=$here/debug-kernel.config

usage() {
    cat <<EOF
Usage: scripts/build-debug-kernel.sh [--dir | --kver V | --rebuild | -h]

Build the debug test kernel (if not cached yet) and print where it is.

  (no option)   build if needed; print a summary (cache dir, release, time)
  --dir         print the cache directory of the current recipe and exit;
                exit status 1 when it is not built yet (nothing is built)
  --kver V      the runtime kernel whose Debian version the source must
                match (default: KVER from $M2MSEC_KERNEL_ENV)
  --rebuild     discard the cached build of the current recipe first
  -h, --help    this help

The cache directory holds:
  bzImage       the kernel the VM boots (scripts/vm-run.sh --debug)
  build/        the O= build tree (KDIR for the external module build:
                make vm-build-debug); build/.config, Module.symvers
  modroot/lib/modules/<release>/   modules_install output (modules.builtin,
                modules.dep) so modprobe of built-in dependencies works
  kernel.env    KREL=<release>, BUILD_SECONDS=<time of the build>
Environment: M2MSEC_CACHE (default /var/cache/m2msec), M2MSEC_KBUILD_JOBS
(default: number of CPUs).
EOF
}

mode=build
kver=
while [[ $# -gt 0 ]]; do
    case $1 in
    --dir) mode=dir ;;
    --kver) kver=${2:?--kver needs a value}; shift ;;
    --rebuild) mode=rebuild ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; m2msec_die "unknown argument '$1'" ;;
    esac
    shift
done

[[ -n $kver ]] || kver=$(m2msec_kver)
[[ -r $fragment ]] || m2msec_die "$fragment missing"

# The Debian version of the runtime kernel, e.g. 6.12.118-1~deb12u1; the
# source package of exactly that version is used.
debver=$(dpkg-query -W -f='${Version}' "linux-image-$kver-unsigned" 2>/dev/null ||
    dpkg-query -W -f='${Version}' "linux-image-$kver" 2>/dev/null || true)
[[ -n $debver ]] || m2msec_die "linux-image-$kver(-unsigned) is not installed; run scripts/deps.sh"
upstream=${debver%%-*}
series=${upstream%.*}
srcpkg=linux-source-$series

# The build recipe: part of the cache key, so changing how the kernel is
# built (not only what the fragment says) rebuilds it.
RECIPE='v1
make x86_64_defconfig kvm_guest.config
merge_config.sh -m .config debug-kernel.config; make olddefconfig
make bzImage modules (modules_prepare is part of it)
make modules_install INSTALL_MOD_PATH=modroot'
hash=$({
    printf '%s\n' "$srcpkg=$debver" "$RECIPE"
    cat "$fragment"
} | sha256sum | cut -c1-12)
top=$M2MSEC_CACHE/kdebug
dir=$top/$upstream-$hash

if [[ $mode == dir ]]; then
    printf '%s\n' "$dir"
    [[ -f $dir/ok ]]
    exit
fi

if [[ -f $dir/ok && $mode == build ]]; then
    krel=$(m2msec_env_get "$dir/kernel.env" KREL)
    secs=$(m2msec_env_get "$dir/kernel.env" BUILD_SECONDS)
    m2msec_log "cached: $dir (release $krel, built in ${secs}s; reused)"
    printf '%s\n' "$dir"
    exit 0
fi

m2msec_require_root
mkdir -p "$top"
# One build at a time (make check and a manual run may race).
exec 9>"$top/.lock"
if ! flock -n 9; then
    m2msec_log "another build holds $top/.lock; waiting"
    flock 9
fi
if [[ -f $dir/ok && $mode == build ]]; then
    m2msec_log "cached: $dir (built by the other run)"
    printf '%s\n' "$dir"
    exit 0
fi
[[ $mode != rebuild ]] || rm -rf "$dir"

t0=$(date +%s)
jobs=${M2MSEC_KBUILD_JOBS:-$(nproc)}
for t in gcc make bc flex bison perl; do
    command -v "$t" >/dev/null || m2msec_die "$t not found (scripts/deps.sh installs the kernel build tools)"
done

# -------------------------------------------------------------- the source
dl=$top/dl
mkdir -p "$dl"
deb=$(ls "$dl/${srcpkg}_${debver/\~/%7e}_all.deb" "$dl/${srcpkg}_${debver}_all.deb" 2>/dev/null | head -n 1 || true)
if [[ -z $deb ]]; then
    m2msec_log "downloading $srcpkg=$debver"
    (cd "$dl" && apt-get download -q "$srcpkg=$debver") ||
        m2msec_die "apt-get download $srcpkg=$debver failed (is the apt archive reachable and the package list current? try apt-get update)"
    deb=$(ls "$dl/${srcpkg}"_*_all.deb | head -n 1)
fi
src=$dir/src
if [[ ! -f $src/Makefile ]]; then
    m2msec_log "unpacking $(basename "$deb")"
    rm -rf "$dir"
    mkdir -p "$dir/src"
    x=$(mktemp -d "$top/x.XXXXXX")
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$x" --wildcards '*/linux-source-*.tar.*' ||
        m2msec_die "cannot unpack $deb"
    tarball=$(find "$x" -name "linux-source-$series.tar.*" | head -n 1)
    [[ -n $tarball ]] || m2msec_die "no source tarball in $deb"
    tar -xf "$tarball" -C "$src" --strip-components=1 || m2msec_die "cannot unpack $tarball"
    rm -rf "$x"
fi
have=$(make -s -C "$src" kernelversion)
[[ $have == "$upstream" ]] || m2msec_die "$srcpkg unpacked version $have, want $upstream"

# ------------------------------------------------------------------ config
b=$dir/build
mk() { nice -n 10 make -C "$src" O="$b" -j"$jobs" "$@"; }
mkdir -p "$b"
m2msec_log "configuring (x86_64_defconfig kvm_guest.config + $(basename "$fragment"))"
mk -s x86_64_defconfig kvm_guest.config >/dev/null
(cd "$b" && "$src/scripts/kconfig/merge_config.sh" -m -O "$b" "$b/.config" "$fragment" >"$dir/merge.log" 2>&1) ||
    m2msec_die "merge_config.sh failed (see $dir/merge.log)"
mk -s olddefconfig >/dev/null
# Every setting of the fragment must have survived olddefconfig (a missing
# dependency silently drops an option).
missing=0
while IFS= read -r line; do
    case $line in
    CONFIG_*=*) want=$line ;;
    "# CONFIG_"*" is not set") want=$line ;;
    *) continue ;;
    esac
    sym=${want#\# }
    sym=${sym%%[= ]*}
    got=$(grep -E "^($sym=|# $sym is not set)" "$b/.config" || true)
    if [[ $want == "# "* ]]; then
        [[ -z $got || $got == "$want" ]] && continue
    else
        [[ $got == "$want" ]] && continue
    fi
    m2msec_log "config: wanted '$want', got '${got:-(absent)}'"
    missing=1
done <"$fragment"
[[ $missing -eq 0 ]] || m2msec_die "the fragment did not apply cleanly (dependencies missing?); fix scripts/debug-kernel.config"

# ------------------------------------------------------------------- build
m2msec_log "building in $b with -j$jobs (nice); this takes 10-20 minutes on 2 cores"
mk bzImage modules >"$dir/build.log" 2>&1 || {
    tail -n 40 "$dir/build.log" >&2
    m2msec_die "kernel build failed (full log: $dir/build.log)"
}
krel=$(cat "$b/include/config/kernel.release")
rm -rf "$dir/modroot"
mk -s modules_install INSTALL_MOD_PATH="$dir/modroot" >>"$dir/build.log" 2>&1 ||
    m2msec_die "modules_install failed (see $dir/build.log)"
[[ -s $dir/modroot/lib/modules/$krel/modules.builtin ]] || m2msec_die "modules_install wrote no modules.builtin"
ln -sfn build/arch/x86/boot/bzImage "$dir/bzImage"
t1=$(date +%s)
{
    printf 'KREL=%s\n' "$krel"
    printf 'DEBVER=%s\n' "$debver"
    printf 'BUILD_SECONDS=%s\n' "$((t1 - t0))"
    printf 'BUILD_JOBS=%s\n' "$jobs"
} >"$dir/kernel.env"
touch "$dir/ok"
m2msec_log "built $krel in $((t1 - t0))s (-j$jobs): $dir"
printf '%s\n' "$dir"
