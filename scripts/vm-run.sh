#!/bin/bash
# Run one command inside a QEMU guest that boots the pinned Debian kernel (or
# the debug test kernel of scripts/build-debug-kernel.sh) with the host root
# shared read-only (9p) under a throw-away tmpfs overlay.
# The host kernel cannot load modules, so every kernel test runs this way.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$here/lib.sh"

# Exit codes of the runner itself (anything else is the command's status).
RC_LEAK=121     # kmemleak reports an unreferenced object allocated by m2msec
RC_MODLOAD=122  # --module could not be loaded
RC_RUNNER=123   # the runner failed (usage, missing kernel/qemu, ...)
RC_TIMEOUT=124  # hard timeout, qemu killed
RC_WARN=125     # kernel log shows a warning/oops/lockdep/... report
RC_NOSTATUS=126 # the guest never reported the command's exit status

die() { printf '%s: error: %s\n' "$M2MSEC_PROG" "$*" >&2; exit "$RC_RUNNER"; }

usage() {
    cat <<EOF
Usage: scripts/vm-run.sh [options] -- CMD [ARGS...]

Boot /boot/vmlinuz-\$KVER (or the debug test kernel) in QEMU with the host
root shared read-only (9p) under a tmpfs overlay, optionally insmod a module,
run CMD with /bin/sh in the current directory (if it is inside the repository,
else the repository root) and power off. CMD's stdout+stderr are streamed to
stdout; kernel messages go to the console log only.

Options:
  --kver V          stock guest kernel (default: KVER from
                    $M2MSEC_KERNEL_ENV, or \$M2MSEC_KVER)
  --debug           boot the debug test kernel (KASAN, UBSAN, KFENCE,
                    lockdep, kmemleak, ...) built and cached by
                    scripts/build-debug-kernel.sh; the module must be built
                    for it (make vm-build-debug: .vm/debug/m2msec.ko)
  --kernel-dir DIR  boot the debug kernel in DIR (a cache directory printed
                    by scripts/build-debug-kernel.sh); implies --debug
  --stock           boot the stock Debian kernel (the default)
  --timeout SEC     hard timeout for the whole run (default 600)
  --log FILE        console log (default: <repo>/.vm/console.log)
  --module PATH.ko  load this module before CMD (its 'depends' are modprobed);
                    the guest gets M2MSEC_KO=PATH.ko for tests that reload it
  --modparam 'k=v ...'  module parameters for --module
  --mem MB          guest memory (default 1024; 2048 for the debug kernel)
  --smp N           guest CPUs (default 2)
  --env NAME=VALUE  export NAME in the guest (repeatable); M2MSEC_* and CI
                    are passed through automatically
  --append ARGS     extra kernel command line arguments (stock kernels always
                    get slub_debug=FZPU: redzones, poisoning, consistency
                    checks, alloc/free tracking)
  --quiet           no timing line on stderr
  -h, --help        show this help

Guest environment: M2MSEC_IN_VM=1, fresh tmpfs on /tmp and /run (host paths
there that the run needs, such as the repository, stay visible), lo up, the
rest of the file system writable but discarded at power-off.

Exit status: CMD's status when the kernel log is clean, otherwise
  $RC_LEAK  (debug kernel) kmemleak reports an unreferenced object with m2msec
       in its allocation backtrace; the reports are printed and the whole
       kmemleak output is kept next to the console log (<log>.kmemleak)
  $RC_MODLOAD  the module (or its dependencies) failed to load
  $RC_RUNNER  the runner itself failed (usage, missing kernel, qemu error)
  $RC_TIMEOUT  timeout (qemu killed)
  $RC_WARN  the kernel log has WARNING/BUG/Oops/lockdep/hung-task/KASAN/
       UBSAN/KFENCE/RCU/list/ODEBUG/slub/... lines (takes precedence over $RC_LEAK)
  $RC_NOSTATUS  the guest never reported CMD's exit status (crash, init failure)

Environment:
  M2MSEC_VM_KERNEL=stock|debug  which kernel to boot when no option says
                        (default stock)
  M2MSEC_ACCEL=tcg|kvm  force the accelerator. By default KVM is used only
                        after a probe boot succeeded with it (cached per
                        kernel in \$M2MSEC_CACHE/vm/accel), else TCG.
  M2MSEC_TCG_THREAD=single|multi  TCG threading (default single: with
                        multi-threaded TCG the guest kernel's live text
                        patching occasionally oopses with int3 at boot;
                        use multi only for parallel benchmarks)
  M2MSEC_VM_ALLOW=REGEX extra kernel log lines to tolerate
  M2MSEC_CACHE=DIR      cache directory (default /var/cache/m2msec)
EOF
}

# ---------------------------------------------------------------- arguments
kver=
kind=${M2MSEC_VM_KERNEL:-stock}
kdir=
timeout_s=600
log=
module=
modparams=
mem=
smp=2
append=
quiet=0
guest_env=()
orig_args=("$@")
while [[ $# -gt 0 ]]; do
    case $1 in
    --kver) kver=${2:?--kver needs a value}; kind=stock; shift ;;
    --debug) kind=debug ;;
    --stock) kind=stock ;;
    --kernel-dir) kdir=${2:?--kernel-dir needs a value}; kind=debug; shift ;;
    --timeout) timeout_s=${2:?--timeout needs a value}; shift ;;
    --log) log=${2:?--log needs a value}; shift ;;
    --module) module=${2:?--module needs a value}; shift ;;
    --modparam) modparams=${2?--modparam needs a value}; shift ;;
    --mem) mem=${2:?--mem needs a value}; shift ;;
    --smp) smp=${2:?--smp needs a value}; shift ;;
    --env) guest_env+=("${2:?--env needs NAME=VALUE}"); shift ;;
    --append) append=${2?--append needs a value}; shift ;;
    --quiet) quiet=1 ;;
    -h | --help) usage; exit 0 ;;
    --) shift; break ;;
    *) usage >&2; die "unknown argument '$1' (the command goes after --)" ;;
    esac
    shift
done
[[ $# -gt 0 ]] || { usage >&2; die "no command given (use: scripts/vm-run.sh [options] -- CMD [ARGS...])"; }
[[ $timeout_s =~ ^[0-9]+$ && $timeout_s -gt 0 ]] || die "--timeout must be a positive number of seconds"
[[ -n $mem ]] || { if [[ $kind == debug ]]; then mem=2048; else mem=1024; fi; }
[[ $mem =~ ^[0-9]+$ && $mem -ge 256 ]] || die "--mem must be a number of MB >= 256"
[[ $smp =~ ^[0-9]+$ && $smp -ge 1 ]] || die "--smp must be a positive number"

# kargs: the options that select this kernel (for the KVM probe boot).
case $kind in
stock)
    [[ -n $kver ]] || kver=${M2MSEC_KVER:-$(m2msec_env_get "$M2MSEC_KERNEL_ENV" KVER)}
    [[ -n $kver ]] || die "no guest kernel: pass --kver or run scripts/deps.sh (writes $M2MSEC_KERNEL_ENV)"
    kernel=/boot/vmlinuz-$kver
    moddir=/lib/modules/$kver
    # the guest's /lib/modules/$kver is the host's own
    guest_moddir=
    kargs=(--kver "$kver")
    [[ -r $kernel ]] || die "$kernel not found (install linux-image-$kver-unsigned: scripts/deps.sh)"
    ;;
debug)
    if [[ -z $kdir ]]; then
        kdir=$("$here/build-debug-kernel.sh" --dir) ||
            die "the debug kernel is not built yet (run scripts/build-debug-kernel.sh as root; it is cached in ${kdir:-$M2MSEC_CACHE/kdebug})"
    fi
    kdir=$(cd "$kdir" 2>/dev/null && pwd -P) || die "--kernel-dir: no such directory"
    [[ -f $kdir/ok && -r $kdir/kernel.env ]] || die "$kdir is not a finished debug kernel build (scripts/build-debug-kernel.sh)"
    kver=$(m2msec_env_get "$kdir/kernel.env" KREL)
    kernel=$kdir/bzImage
    moddir=$kdir/modroot/lib/modules/$kver
    guest_moddir=$moddir
    kargs=(--kernel-dir "$kdir")
    [[ -r $kernel ]] || die "$kernel not found (rebuild: scripts/build-debug-kernel.sh --rebuild)"
    ;;
*) die "M2MSEC_VM_KERNEL must be stock or debug (got '$kind')" ;;
esac
[[ -e $moddir/modules.dep ]] || die "$moddir/modules.dep missing (run: depmod $kver)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (scripts/deps.sh installs qemu-system-x86)"
if [[ ! -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
    die "/bin/busybox missing or not static (install busybox-static)"
fi

repo=$(m2msec_repo_root)
cwd=$(pwd -P)
case $cwd/ in "$repo"/*) ;; *) cwd=$repo ;; esac
if [[ -n $module ]]; then
    [[ -f $module ]] || die "module '$module' not found"
    module=$(cd "$(dirname "$module")" && pwd -P)/$(basename "$module")
fi
[[ -n $log ]] || log=$repo/.vm/console.log
mkdir -p "$(dirname "$log")" || die "cannot create the directory of $log"
log=$(cd "$(dirname "$log")" && pwd -P)/$(basename "$log")
# qemu's option syntax would split a path at a comma.
[[ $log != *,* ]] || die "the log path '$log' must not contain a comma"
: >"$log" || die "cannot write $log"

vmcache=$M2MSEC_CACHE/vm
mkdir -p "$vmcache" || die "cannot create $vmcache"

# ------------------------------------------------------------- guest scripts
# Stage 1: /init in the initramfs (busybox sh). Mounts the shared host root,
# builds the overlay, runs stage 2 chrooted, reports and powers off. Messages
# go to the console (ttyS0 -> console log); results go to the job directory,
# a second, writable 9p export that only the runner and this init see.
read -r -d '' INIT_SH <<'EOF' || true
#!/bin/busybox sh
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

fail() {
    echo "m2msec-init: $*"
    if mountpoint -q /job; then echo "$*" >>/job/error; fi
    sync
    poweroff -f
    sleep 10
}

for m in $(cat /etc/m2msec-modules 2>/dev/null); do
    insmod "/lib/modules/$m.ko" || fail "insmod $m failed"
done
msize=512000
mkdir -p /job /lower /rw /newroot /hold
mount -t 9p -o trans=virtio,version=9p2000.L,msize=$msize m2msecjob /job ||
    fail "cannot mount the job directory (9p tag m2msecjob)"
. /job/job.env || fail "cannot read /job/job.env"
# A debug kernel that tainted itself while booting (a report from its own
# boot, before any m2msec code) has switched lock debugging off for the
# whole run: stop here, the runner boots once more.
if [ "$M2MSEC_BOOT_TAINT_CHECK" = 1 ]; then
    taint=$(cat /proc/sys/kernel/tainted)
    if [ "$taint" != 0 ]; then
        echo "$taint" >/job/boot-tainted
        fail "the kernel tainted itself while booting (taint $taint): lock debugging is off"
    fi
fi
mount -t 9p -o "trans=virtio,version=9p2000.L,msize=$msize,ro,$M2MSEC_9P_CACHE" hostroot /lower ||
    fail "cannot mount the host root (9p tag hostroot)"
mount -t tmpfs -o mode=0755 tmpfs /rw || fail "cannot mount the overlay tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
    fail "cannot mount the overlay"

# Host paths under /tmp and /run that the run needs (repository, module,
# cache) would vanish under the fresh tmpfs mounts: hold them aside and put
# them back on top.
n=0
: >/hold/list
for p in $M2MSEC_KEEP; do
    case $p in /tmp/* | /run/*) ;; *) continue ;; esac
    [ -d "/newroot$p" ] || continue
    mkdir -p "/hold/$n"
    mount --bind "/newroot$p" "/hold/$n" && echo "$n $p" >>/hold/list
    n=$((n + 1))
done

r=/newroot
# A kernel that is not installed on the host (the debug kernel): its
# modules_install tree becomes /lib/modules/<release> for modprobe/modinfo.
if [ -n "$M2MSEC_GUEST_MODDIR" ]; then
    rel=$(uname -r)
    mkdir -p "$r/lib/modules/$rel" &&
        mount --bind "$r$M2MSEC_GUEST_MODDIR" "$r/lib/modules/$rel" ||
        fail "cannot bind $M2MSEC_GUEST_MODDIR on /lib/modules/$rel"
fi
mount -t proc proc $r/proc || fail "mount proc"
mount -t sysfs sysfs $r/sys || fail "mount sysfs"
mount -t devtmpfs devtmpfs $r/dev || fail "mount devtmpfs"
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts $r/dev/pts || fail "mount devpts"
mount -t tmpfs -o mode=1777 tmpfs $r/dev/shm || fail "mount /dev/shm"
mount -t tmpfs -o mode=1777 tmpfs $r/tmp || fail "mount /tmp"
mount -t tmpfs -o mode=0755 tmpfs $r/run || fail "mount /run"
mount -t debugfs debugfs $r/sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs $r/sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 $r/sys/fs/cgroup 2>/dev/null
while read -r n p; do
    mkdir -p "$r$p" && mount --move "/hold/$n" "$r$p" || fail "cannot keep $p visible"
done </hold/list

# /dev/fd and the std streams are normally links made by udev.
ln -sfn /proc/self/fd $r/dev/fd
ln -sfn /proc/self/fd/0 $r/dev/stdin
ln -sfn /proc/self/fd/1 $r/dev/stdout
ln -sfn /proc/self/fd/2 $r/dev/stderr

mkdir -p $r/run/m2msec/job $r/run/m2msec/bin
cp /etc/m2msec-stage2.sh /etc/m2msec-finish.sh /job/job.env /job/cmd.sh $r/run/m2msec/ ||
    fail "cannot copy the job"
cp /bin/busybox $r/run/m2msec/bin/busybox || fail "cannot copy busybox"
cut -d' ' -f1 /proc/uptime >/job/boot-uptime
mount --move /job $r/run/m2msec/job || fail "cannot move the job directory"

# Make the overlay the root of the mount namespace (what switch_root does)
# rather than chroot into it: a chrooted process may not create user
# namespaces, and the kernel's module loader (request_module(), e.g. for
# crypto algorithms) resolves /sbin/modprobe from the namespace root.
cd $r || fail "cannot enter the new root"
mount --move . / || fail "cannot move the new root"
exec chroot . /run/m2msec/bin/busybox sh /run/m2msec/m2msec-finish.sh
EOF

# Stage 1b: in the new root; runs stage 2 with the host's /bin/sh, reports
# and powers off.
read -r -d '' FINISH_SH <<'EOF' || true
bb=/run/m2msec/bin/busybox
job=/run/m2msec/job
env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root TERM=dumb LANG=C.UTF-8 M2MSEC_IN_VM=1 \
    /bin/sh /run/m2msec/m2msec-stage2.sh >>$job/out 2>&1 </dev/null
rc=$?
[ -f /run/m2msec/failed ] && $bb cp /run/m2msec/failed $job/failed
# kmemleak (debug kernel): an object is reported once it stayed unreferenced
# across scans and is older than a few seconds, so scan twice.
kml=/sys/kernel/debug/kmemleak
if [ -w $kml ]; then
    echo "m2msec-vm: kmemleak scan" >/dev/console
    echo scan >$kml 2>/dev/null
    $bb sleep 6
    echo scan >$kml 2>/dev/null
    $bb cat $kml >$job/kmemleak 2>/dev/null
fi
$bb dmesg >$job/dmesg 2>/dev/null
echo "$rc" >$job/status.tmp && $bb mv $job/status.tmp $job/status
$bb sync
$bb poweroff -f
$bb sleep 10
EOF

# Stage 2: runs in the overlay with the host's /bin/sh, so modprobe
# and friends see the real /lib/modules.
read -r -d '' STAGE2_SH <<'EOF' || true
. /run/m2msec/job.env
ip link set lo up || echo "m2msec-vm: warning: cannot bring lo up" >&2
# The CPU's crypto modules, which udev loads from the CPU's modalias on a
# real gateway (and the crypto API does not load by itself: gcm(aes) would
# stay on aes-generic): AES-NI, CLMUL GHASH, the x86 ChaCha20/Poly1305.
# Built in on the debug kernel; a CPU without the feature refuses them.
modprobe -q -a aesni_intel ghash_clmulni_intel chacha_x86_64 \
    poly1305_x86_64 2>/dev/null || true
if [ -n "$M2MSEC_MODULE" ]; then
    deps=$(modinfo -F depends "$M2MSEC_MODULE" 2>/dev/null | tr ',' ' ')
    soft=$(modinfo -F softdep "$M2MSEC_MODULE" 2>/dev/null |
        sed -n 's/.*pre: *//p' | sed 's/post:.*//')
    # shellcheck disable=SC2086
    if [ -n "$deps" ] && ! modprobe -a $deps; then
        echo "m2msec-vm: modprobe of the dependencies of $M2MSEC_MODULE ($deps) failed" >&2
        echo modprobe >/run/m2msec/failed
        exit 1
    fi
    # shellcheck disable=SC2086
    [ -z "$soft" ] || modprobe -a $soft 2>/dev/null || true
    # shellcheck disable=SC2086
    if ! insmod "$M2MSEC_MODULE" $M2MSEC_MODPARAMS; then
        echo "m2msec-vm: insmod $M2MSEC_MODULE $M2MSEC_MODPARAMS failed" >&2
        echo insmod >/run/m2msec/failed
        exit 1
    fi
fi
cd "$M2MSEC_CWD" || { echo cwd >/run/m2msec/failed; exit 1; }
exec /bin/sh /run/m2msec/cmd.sh
EOF

# ---------------------------------------------------------------- initramfs
# Modules needed before the host root is reachable. busybox insmod cannot
# read compressed modules, so they are stored decompressed.
base_modules=(netfs 9pnet 9pnet_virtio 9p overlay)
declare -A modpath=() moddeps=() builtin=()
while IFS= read -r line; do
    f=${line%%:*}
    name=${f##*/}
    name=${name%%.ko*}
    name=${name//-/_}
    modpath[$name]=$f
    moddeps[$name]=${line#*:}
done <"$moddir/modules.dep"
while IFS= read -r f; do
    name=${f##*/}
    name=${name%%.ko*}
    builtin[${name//-/_}]=1
done < <(cat "$moddir/modules.builtin" 2>/dev/null || true)

ordered=()
declare -A seen=()
add_module() { # depth-first, dependencies first
    local name=${1//-/_} d dn
    [[ -z ${seen[$name]:-} ]] || return 0
    seen[$name]=1
    if [[ -n ${builtin[$name]:-} ]]; then return 0; fi
    [[ -n ${modpath[$name]:-} ]] || die "module $name is neither built into $kver nor in $moddir/modules.dep"
    for d in ${moddeps[$name]}; do
        dn=${d##*/}
        add_module "${dn%%.ko*}"
    done
    ordered+=("$name")
}
for m in "${base_modules[@]}"; do add_module "$m"; done

initrd=$vmcache/initramfs-$kver.cpio
key=$({
    printf '%s\n' "initramfs-v2 $kver" "$INIT_SH" "$FINISH_SH" "$STAGE2_SH"
    stat -c '%n %s %Y' /bin/busybox "$moddir/modules.dep"
    for m in "${ordered[@]}"; do stat -c '%n %s %Y' "$moddir/${modpath[$m]}"; done
} | sha256sum | cut -d' ' -f1)
if [[ ! -s $initrd || "$(cat "$initrd.key" 2>/dev/null)" != "$key" ]]; then
    command -v cpio >/dev/null || die "cpio not found (scripts/deps.sh installs it)"
    stage=$(mktemp -d "$vmcache/initramfs.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$stage'" EXIT
    mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,lib/modules,proc,sys,dev,job,lower,rw,newroot,hold}
    cp /bin/busybox "$stage/bin/busybox"
    for m in "${ordered[@]}"; do
        src=$moddir/${modpath[$m]}
        case $src in
        *.ko.xz) xz -dc "$src" ;;
        *.ko.zst) zstd -qdc "$src" ;;
        *.ko.gz) gzip -dc "$src" ;;
        *.ko) cat "$src" ;;
        *) die "unknown module file type: $src" ;;
        esac >"$stage/lib/modules/$m.ko" || die "cannot decompress $src"
        echo "$m" >>"$stage/etc/m2msec-modules"
    done
    printf '%s\n' "$INIT_SH" >"$stage/init"
    printf '%s\n' "$STAGE2_SH" >"$stage/etc/m2msec-stage2.sh"
    printf '%s\n' "$FINISH_SH" >"$stage/etc/m2msec-finish.sh"
    chmod 0755 "$stage/init"
    # The kernel's built-in initramfs normally provides /dev/console; add it
    # anyway so early init output never depends on that.
    mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true
    (cd "$stage" && find . -print0 | LC_ALL=C sort -z |
        cpio --null -o -H newc --quiet -R 0:0) >"$initrd.tmp.$$" || die "cpio failed"
    mv -f "$initrd.tmp.$$" "$initrd"
    printf '%s\n' "$key" >"$initrd.key"
    rm -rf "$stage"
    trap - EXIT
fi

# -------------------------------------------------------------- accelerator
accel=${M2MSEC_ACCEL:-}
if [[ -z $accel ]]; then
    accel=tcg
    if [[ -r /dev/kvm && -w /dev/kvm ]]; then
        cached=
        if [[ -r $vmcache/accel ]]; then
            cached=$(awk -v k="$kver" '$1 == k { v = $2 } END { print v }' "$vmcache/accel")
        fi
        if [[ -z $cached ]]; then
            # /dev/kvm can exist and answer ioctls while a real guest dies
            # with "KVM internal error" (paravirtual nested mode): boot once.
            [[ $quiet -eq 1 ]] || m2msec_log "probing KVM with a test boot (result cached in $vmcache/accel)"
            if M2MSEC_ACCEL=kvm "$0" --quiet "${kargs[@]}" --timeout 20 \
                --log "$vmcache/kvm-probe-$kver.log" -- true >/dev/null 2>&1; then
                cached=kvm=ok
            else
                cached=kvm=no
            fi
            printf '%s %s\n' "$kver" "$cached" >>"$vmcache/accel"
        fi
        [[ $cached != kvm=ok ]] || accel=kvm
    fi
fi
case $accel in
tcg) accel_args=(-accel "tcg,thread=${M2MSEC_TCG_THREAD:-single}" -cpu max) ;;
kvm) accel_args=(-accel kvm -cpu host) ;;
*) die "M2MSEC_ACCEL must be tcg or kvm (got '$accel')" ;;
esac

# --------------------------------------------------------------------- job
squote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

job=$(mktemp -d "${TMPDIR:-/tmp}/m2msec-vm.XXXXXX")
[[ $job != *[,[:space:]]* ]] || die "temporary directory '$job' contains a comma or whitespace"
qpid=
tailpid=
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    if [[ -n $qpid ]]; then
        kill -TERM -- "-$qpid" 2>/dev/null || kill -TERM "$qpid" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$qpid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL -- "-$qpid" 2>/dev/null || true
        wait "$qpid" 2>/dev/null || true
    fi
    if [[ -n $tailpid ]]; then
        kill "$tailpid" 2>/dev/null || true
        wait "$tailpid" 2>/dev/null || true
    fi
    rm -rf "$job"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

keep=("$repo" "$cwd" "$M2MSEC_CACHE")
[[ -z $kdir ]] || keep+=("$kdir")
[[ -z $module ]] || keep+=("$(dirname "$module")")
for p in "${keep[@]}"; do
    [[ $p != *[[:space:]]* ]] || die "path '$p' contains whitespace, which the guest setup does not support"
done
{
    printf 'M2MSEC_CWD=%s\n' "$(squote "$cwd")"
    printf 'M2MSEC_MODULE=%s\n' "$(squote "$module")"
    printf 'M2MSEC_MODPARAMS=%s\n' "$(squote "$modparams")"
    printf 'M2MSEC_KEEP=%s\n' "$(squote "${keep[*]}")"
    printf 'M2MSEC_GUEST_MODDIR=%s\n' "$(squote "$guest_moddir")"
    printf 'M2MSEC_BOOT_TAINT_CHECK=%s\n' "$([[ $kind == debug ]] && echo 1 || echo 0)"
    # Let the guest cache the shared root's data and metadata: much faster
    # exec and reads. The price: files the host changes while a run is in
    # progress may look stale in that run (each run boots afresh).
    printf 'M2MSEC_9P_CACHE=%s\n' "cache=loose"
} >"$job/job.env"
{
    for name in $(compgen -e); do
        case $name in M2MSEC_* | CI) printf 'export %s=%s\n' "$name" "$(squote "${!name}")" ;; esac
    done
    # Tests that reload the module (selftests/lib.sh: M2MSEC_KO) must load
    # the one built for this kernel.
    [[ -z $module ]] || printf 'export M2MSEC_KO=%s\n' "$(squote "$module")"
    for kv in "${guest_env[@]}"; do
        name=${kv%%=*}
        [[ $kv == *=* && $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "--env wants NAME=VALUE, got '$kv'"
        printf 'export %s=%s\n' "$name" "$(squote "${kv#*=}")"
    done
    printf 'export M2MSEC_CACHE=%s\n' "$(squote "$M2MSEC_CACHE")"
    printf 'export M2MSEC_IN_VM=1\n'
    printf 'exec'
    for a in "$@"; do printf ' %s' "$(squote "$a")"; done
    printf '\n'
} >"$job/cmd.sh"
: >"$job/out"

cmdline="console=ttyS0 loglevel=5 printk.time=1 panic=-1 softlockup_panic=0"
cmdline+=" sysctl.kernel.panic_on_warn=0"
if [[ $kind == debug ]]; then
    # Everything runs several times slower: a task legitimately waits longer.
    cmdline+=" sysctl.kernel.hung_task_timeout_secs=120"
    # With KASAN+lockdep under emulation, the ACPI interpreter runs the PCI
    # routing method (_PRT) into its 30 s loop timeout, twice: a minute of
    # boot. virtio uses MSI-X; legacy interrupt routing is not needed.
    cmdline+=" acpi=noirq"
    if grep -q '^CONFIG_DEBUG_KMEMLEAK_DEFAULT_OFF=y' "$kdir/build/.config" 2>/dev/null; then
        cmdline+=" kmemleak=on"
    fi
else
    cmdline+=" sysctl.kernel.hung_task_timeout_secs=30 slub_debug=FZPU"
fi
[[ -z $append ]] || cmdline+=" $append"

qemu=(
    qemu-system-x86_64 -nodefaults -no-user-config -nographic -no-reboot
    "${accel_args[@]}" -smp "$smp" -m "$mem"
    -kernel "$kernel" -initrd "$initrd" -append "$cmdline"
    -chardev "file,id=con,path=$log" -serial chardev:con
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
    -virtfs "local,path=$job,mount_tag=m2msecjob,security_model=none"
)

# ---------------------------------------------------------------------- run
t0=$(date +%s.%N)
# coreutils timeout puts qemu in its own process group, which cleanup kills.
timeout --signal=TERM --kill-after=5 "$timeout_s" "${qemu[@]}" \
    </dev/null >"$job/qemu.out" 2>&1 &
qpid=$!
tail -n +1 -s 0.1 -f --pid="$qpid" "$job/out" &
tailpid=$!
qrc=0
wait "$qpid" || qrc=$?
qpid=
wait "$tailpid" || true
tailpid=
t1=$(date +%s.%N)

# ------------------------------------------------------------------- verdict
if [[ -s $job/dmesg ]]; then
    {
        printf '\n===== guest dmesg at power-off =====\n'
        cat "$job/dmesg"
    } >>"$log"
fi

# Kernel reports that fail a run.
bad='WARNING:|BUG:|Oops|general protection|possible recursive locking|possible circular locking'
bad+='|inconsistent lock state|suspicious RCU usage|INFO: lockdep|refcount_t:|hung_task'
bad+='|blocked for more than|Kernel panic|UBSAN:|KASAN:|KFENCE:'
# debug kernel (and slub_debug): lists, debug objects, slab consistency
bad+='|list_add corruption|list_del corruption|ODEBUG:|DEBUG_LOCKS_WARN_ON'
bad+='|BUG kmalloc|Redzone overwritten|Object corrupt|Poison overwritten|Object padding overwritten'
# (kmemleak's own lines are not reports: its output is judged below.)
# Lines that match but are not reports: the command line itself (it names
# hung_task_timeout_secs) and the expected taint notices for an unsigned
# out-of-tree module.
allow='^(\[ *[0-9.]+\] )?(Kernel )?[Cc]ommand line: |module verification failed: signature and/or required key missing'
allow+='|loading out-of-tree module taints kernel'
[[ -z ${M2MSEC_VM_ALLOW:-} ]] || allow+="|$M2MSEC_VM_ALLOW"
# Reports printed before the kernel started /init come from the kernel's
# own boot (no m2msec code has run yet; seen: an early timer interrupt
# under KASAN on a loaded host).  They are shown, not counted.
t_init=$(tr -d '\r' <"$log" | sed -nE 's/^\[ *([0-9]+\.[0-9]+)\] Run \/init as init process.*/\1/p' | head -n 1)
# classify_reports KIND: the report lines of the log, KIND "boot" those
# before /init started, "run" the others (all when /init never started).
classify_reports() {
    tr -d '\r' <"$log" | grep -aE "$bad" | grep -avE "$allow" |
        awk -v kind="$1" -v ti="${t_init:-}" '{
            ts = -1
            if (match($0, /^\[ *[0-9]+\.[0-9]+\]/)) {
                t = substr($0, RSTART + 1, RLENGTH - 2); gsub(/ /, "", t); ts = t + 0
            }
            boot = (ti != "" && ts >= 0 && ts < ti + 0)
            if ((kind == "boot") == boot) print
        }' | sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//' | awk '!seen[$0]++' || true
}
# Strip timestamps so a report seen on the console and in dmesg counts once.
# The serial console writes CRLF line ends.
mapfile -t offending < <(classify_reports run)
mapfile -t boot_reports < <(classify_reports boot)
if [[ ${#boot_reports[@]} -gt 0 ]]; then
    printf '%s: note: the guest kernel reported %d problem line(s) during its own boot, before /init (not counted):\n' \
        "$M2MSEC_PROG" "${#boot_reports[@]}" >&2
    for l in "${boot_reports[@]:0:5}"; do printf '    %s\n' "$l" >&2; done
fi

status=
[[ -s $job/status ]] && status=$(tr -dc '0-9' <"$job/status")
boot=$(cat "$job/boot-uptime" 2>/dev/null || echo "?")
if [[ $quiet -eq 0 ]]; then
    printf '%s: %s (%s): boot %ss (guest uptime at command start), total %ss, status %s\n' \
        "$M2MSEC_PROG" "$kver" "$accel" "$boot" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')" "${status:-none}" >&2
fi

report_offending() {
    local l
    printf '%s: the kernel log has %d warning/error line(s) (full log: %s):\n' \
        "$M2MSEC_PROG" "${#offending[@]}" "$log" >&2
    for l in "${offending[@]:0:30}"; do printf '    %s\n' "$l" >&2; done
    # The first lines of the first few reports (a KASAN/KFENCE/lockdep
    # report's stacks follow its title line).
    for l in "${offending[@]:0:3}"; do
        printf '%s: the report at "%s":\n' "$M2MSEC_PROG" "$l" >&2
        tr -d '\r' <"$log" | sed -E 's/^\[ *[0-9]+\.[0-9]+\] ?//' |
            awk -v t="$l" 'n == 0 && $0 == t { n = 1 } n > 0 && n <= 24 { print "    " $0; n++ }' >&2
    done
}

if [[ $qrc -eq 124 || $qrc -eq 137 ]] && [[ -z $status ]]; then
    printf '%s: timeout after %ss: qemu killed (console log: %s)\n' "$M2MSEC_PROG" "$timeout_s" "$log" >&2
    [[ ${#offending[@]} -eq 0 ]] || report_offending
    exit "$RC_TIMEOUT"
fi
if [[ -z $status && $qrc -ne 0 && ! -s $log ]]; then
    printf '%s: qemu failed before the guest printed anything (exit %s):\n' "$M2MSEC_PROG" "$qrc" >&2
    sed 's/^/    qemu: /' "$job/qemu.out" >&2
    exit "$RC_RUNNER"
fi
if [[ -z $status ]] && [[ -z ${M2MSEC_VM_RETRIED:-} ]] &&
    tr -d '\r' <"$log" | grep -q "IO-APIC + timer doesn't work"; then
    # The emulated timer missed the kernel's boot-time check on a busy
    # host: the guest never ran anything.  Boot once more.
    printf '%s: the guest kernel panicked in its boot-time timer check (busy host); booting again\n' \
        "$M2MSEC_PROG" >&2
    cleanup
    trap - EXIT
    M2MSEC_VM_RETRIED=1 exec "$0" "${orig_args[@]}"
fi
if [[ -z $status ]] && [[ -z ${M2MSEC_VM_RETRIED:-} ]] && [[ -f $job/boot-tainted ]]; then
    # A report from the kernel's own boot (seen under emulation on a busy
    # host: an early interrupt during CPU identification) turned lock
    # debugging off before anything ran.  Boot once more.
    printf '%s: the guest kernel tainted itself while booting (taint %s); booting again\n' \
        "$M2MSEC_PROG" "$(cat "$job/boot-tainted")" >&2
    [[ ${#offending[@]} -eq 0 ]] || report_offending
    cleanup
    trap - EXIT
    M2MSEC_VM_RETRIED=1 exec "$0" "${orig_args[@]}"
fi
if [[ -z $status ]]; then
    printf '%s: the guest did not report an exit status (qemu exit %s)\n' "$M2MSEC_PROG" "$qrc" >&2
    [[ ! -s $job/error ]] || sed 's/^/    guest init: /' "$job/error" >&2
    [[ ! -s $job/qemu.out ]] || sed 's/^/    qemu: /' "$job/qemu.out" >&2
    [[ ${#offending[@]} -eq 0 ]] || report_offending
    printf '%s: last console lines (%s):\n' "$M2MSEC_PROG" "$log" >&2
    tail -n 15 "$log" | sed 's/^/    /' >&2
    exit "$RC_NOSTATUS"
fi
if [[ -s $job/failed ]]; then
    printf '%s: loading %s failed (%s); see the output above and %s\n' \
        "$M2MSEC_PROG" "$module" "$(cat "$job/failed")" "$log" >&2
    [[ ${#offending[@]} -eq 0 ]] || report_offending
    exit "$RC_MODLOAD"
fi
# kmemleak: unreferenced objects allocated by the module. Its frames show as
# "func+0x../0x.. [m2msec]"; after the module was unloaded they are bare
# addresses in the module area (on the debug kernel everything else is built
# in, so any module-area address is the module's).
leaks=0
if [[ -f $job/kmemleak ]]; then
    cp "$job/kmemleak" "$log.kmemleak"
    awk -v out="$job/leaks" '
        function flush() { if (blk != "" && blk ~ /\[m2msec\]|0xffffffff[c-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]/) { printf "%s", blk > out; n++ } blk = "" }
        /^unreferenced object/ { flush() }
        { if ($0 ~ /^unreferenced object/ || blk != "") blk = blk $0 "\n" }
        END { flush(); print n + 0 }' "$job/kmemleak" >"$job/nleaks"
    leaks=$(cat "$job/nleaks")
    total=$(grep -c '^unreferenced object' "$job/kmemleak" || true)
    if [[ $quiet -eq 0 ]]; then
        printf '%s: kmemleak: %s unreferenced object(s), %s from m2msec (%s)\n' \
            "$M2MSEC_PROG" "$total" "$leaks" "$log.kmemleak" >&2
    fi
fi
report_leaks() {
    printf '%s: kmemleak: %s unreferenced object(s) allocated by m2msec:\n' "$M2MSEC_PROG" "$leaks" >&2
    head -n 200 "$job/leaks" | sed 's/^/    /' >&2
}

if [[ ${#offending[@]} -gt 0 ]]; then
    report_offending
    [[ $leaks -eq 0 ]] || report_leaks
    printf '%s: (the command itself exited %s)\n' "$M2MSEC_PROG" "$status" >&2
    exit "$RC_WARN"
fi
if [[ $leaks -gt 0 ]]; then
    report_leaks
    printf '%s: (the command itself exited %s)\n' "$M2MSEC_PROG" "$status" >&2
    exit "$RC_LEAK"
fi
exit "$status"
