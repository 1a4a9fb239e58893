#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install into a DESTDIR, on the host, after a build (make vm-build):
# the module through the kernel's modules_install (KERNEL_SRC as Yocto's
# module class passes it), the programs, man pages, UAPI header and unit
# under PREFIX, and the installed programs run.  Nothing outside DESTDIR
# is touched.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. /var/cache/m2msec/kernel.env 2>/dev/null || true
KDIR=${KDIR:-/usr/src/linux-headers-${KVER:-none}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$REPO/selftests/lib.sh"
plan 7
# result STATUS DESC: one case, passing when STATUS is 0.
result() { if [ "$1" -eq 0 ]; then ok "install: $2"; else not_ok "install: $2"; fi; }

dest=$tmp/root
out=$tmp/log
make -C "$REPO" --no-print-directory install DESTDIR="$dest" PREFIX=/usr \
	KERNEL_SRC="$KDIR" >"$out" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -n 20 "$out" | sed 's/^/# /'
result $rc "make install DESTDIR=... PREFIX=/usr KERNEL_SRC=... succeeds"

krel=$(cat "$KDIR/include/config/kernel.release" 2>/dev/null)
mod=$(ls "$dest/lib/modules/$krel/updates/" 2>/dev/null | grep -E '^m2msec\.ko(\.xz|\.zst|\.gz)?$')
want="lib/modules/$krel/updates/${mod:-m2msec.ko}
usr/bin/m2msecctl
usr/bin/m2msec-nc
usr/sbin/m2msecd
usr/share/man/man1/m2msec-nc.1
usr/share/man/man8/m2msecctl.8
usr/share/man/man8/m2msecd.8
usr/include/linux/m2msec.h
usr/share/doc/m2msec/examples/m2msecd.conf.example
usr/share/doc/m2msec/examples/modules-load.d/m2msec.conf
usr/share/doc/m2msec/COPYING
usr/lib/systemd/system/m2msecd.service"
missing=0
while IFS= read -r f; do
	[ -f "$dest/$f" ] || { echo "# missing: $f"; missing=1; }
done <<<"$want"
grep -q "sign-file\|SSL error" "$out" && { echo "# modules_install tried to sign"; missing=1; }
result $missing "the module (compressed as the kernel says, unsigned), programs, man pages, UAPI header, example and unit are where PREFIX and the kernel's layout put them"

grep -q '^ExecStart=/usr/sbin/m2msecd -f$' "$dest/usr/lib/systemd/system/m2msecd.service"
result $? "the installed unit starts the installed daemon"

# Readiness from the daemon itself, locked memory for its secrets, and
# the module named for systemd-modules-load.
unit=$dest/usr/lib/systemd/system/m2msecd.service
grep -qx 'Type=notify' "$unit" && grep -qx 'NotifyAccess=main' "$unit" &&
	grep -qx 'LimitMEMLOCK=16M' "$unit" &&
	grep -qx 'm2msec' "$dest/usr/share/doc/m2msec/examples/modules-load.d/m2msec.conf"
result $? "the installed unit is Type=notify with NotifyAccess=main and LimitMEMLOCK; the modules-load.d example names m2msec"

# The unit's confinement (Documentation/m2msecd.md), as systemd rates it.
unit=$dest/usr/lib/systemd/system/m2msecd.service
if systemd-analyze security --offline=yes "$unit" >"$tmp/sec" 2>&1; then
	exposure=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' "$tmp/sec")
	echo "# systemd-analyze security: exposure $exposure"
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e < 3.0) }'
	result $? "the installed unit's exposure (systemd-analyze security --offline) is below 3.0"
else
	tail -n 3 "$tmp/sec" | sed 's/^/# /'
	skip "install: the installed unit's exposure is below 3.0" "systemd-analyze security --offline not available"
fi

ok=0
for p in usr/bin/m2msecctl usr/bin/m2msec-nc usr/sbin/m2msecd; do
	v=$("$dest/$p" --version 2>&1) || ok=1
	case $v in "${p##*/} "[0-9]*) ;; *) echo "# $p --version: $v"; ok=1 ;; esac
done
result $ok "the installed programs run (--version)"

# The UAPI header stands alone, as a program that includes it would use it.
printf '#include <linux/m2msec.h>\nint main(void) { return SOL_M2MSEC == 0; }\n' >"$tmp/u.c"
cc -I"$dest/usr/include" -o "$tmp/u" "$tmp/u.c" 2>&1 | sed 's/^/# /'
result "${PIPESTATUS[0]}" "the installed UAPI header compiles on its own"

finish
