#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install into a DESTDIR, on the host, after a build (make vm-build):
# the module through the kernel's modules_install (KERNEL_SRC as Yocto's
# module class passes it), the programs, man pages, UAPI header and unit
# under PREFIX, and the installed programs run; libm2msec as a shared
# library (SONAME, export list, symlinks, headers, pkg-config) with a
# program built against the installed tree.  Nothing outside DESTDIR is
# touched.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
. /var/cache/m2msec/kernel.env 2>/dev/null || true
KDIR=${KDIR:-/usr/src/linux-headers-${KVER:-none}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$REPO/selftests/lib.sh"
plan 14
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
usr/share/man/man3/libm2msec.3
usr/share/man/man5/m2msecd.conf.5
usr/share/man/man7/m2msec.7
usr/include/linux/m2msec.h
usr/share/doc/m2msec/examples/m2msecd.conf.example
usr/share/doc/m2msec/examples/modules-load.d/m2msec.conf
usr/share/doc/m2msec/COPYING
usr/lib/systemd/system/m2msecd.service
usr/lib/systemd/system/m2msec-config.service
usr/lib/sysusers.d/m2msecd.conf
usr/share/doc/m2msec/examples/m2msec.conf.example
usr/lib/libm2msec.a
usr/include/m2msec/m2msec.h
usr/include/m2msec/genl.h
usr/include/m2msec/keyfile.h
usr/include/m2msec/esprim.h
usr/lib/pkgconfig/m2msec.pc"
missing=0
while IFS= read -r f; do
	[ -f "$dest/$f" ] || { echo "# missing: $f"; missing=1; }
done <<<"$want"
grep -q "sign-file\|SSL error" "$out" && { echo "# modules_install tried to sign"; missing=1; }
result $missing "the module (compressed as the kernel says, unsigned), programs, man pages, UAPI header, example and unit are where PREFIX and the kernel's layout put them"

grep -q '^ExecStart=/usr/sbin/m2msecd -f$' "$dest/usr/lib/systemd/system/m2msecd.service" &&
	grep -qx 'User=m2msecd' "$dest/usr/lib/systemd/system/m2msecd.service" &&
	grep -q '^u m2msecd ' "$dest/usr/lib/sysusers.d/m2msecd.conf" &&
	grep -qx 'ExecStart=/usr/bin/m2msecctl config load /etc/m2msec/m2msec.conf' \
		"$dest/usr/lib/systemd/system/m2msec-config.service"
result $? "the installed unit starts the installed daemon as the user sysusers.d creates; m2msec-config.service loads the settings with the installed m2msecctl"

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

# libm2msec: the real name carries the version of kmod/version.h, the
# SONAME its first number; the development link points at the SONAME.
ver=$(sed -n 's/^#define M2MSEC_VERSION "\(.*\)"$/\1/p' "$REPO/kmod/version.h")
soname=libm2msec.so.${ver%%.*}
lib=$dest/usr/lib
real=$lib/libm2msec.so.$ver
bad=0
if [ ! -f "$real" ] || [ -L "$real" ]; then echo "# no regular file libm2msec.so.$ver"; bad=1; fi
[ "$(readlink "$lib/$soname" 2>/dev/null)" = "libm2msec.so.$ver" ] ||
	{ echo "# $soname -> '$(readlink "$lib/$soname" 2>/dev/null)'"; bad=1; }
[ "$(readlink "$lib/libm2msec.so" 2>/dev/null)" = "$soname" ] ||
	{ echo "# libm2msec.so -> '$(readlink "$lib/libm2msec.so" 2>/dev/null)'"; bad=1; }
result $bad "libm2msec.so.$ver is installed with the links $soname and libm2msec.so"

got=$(readelf -d "$real" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
[ "$got" = "$soname" ]
result $? "the shared library's SONAME is $soname (got '$got')"

# Exported: exactly the names of the version script, each in its node, and
# those are exactly the functions the installed headers declare.
nm -D --defined-only "$real" | awk '$2 == "T" { print $3 }' | sort >"$tmp/exported"
sed -e 's|/\*.*\*/||' "$REPO/user/lib/libm2msec.map" |
	awk '/global:/ { g = 1; next } /local:/ { g = 0 } g && /;/ { gsub(/[ \t;]/, ""); if ($0 != "") print }' |
	sort >"$tmp/mapped"
bad=0
sed 's/@@.*//' "$tmp/exported" | diff "$tmp/mapped" - | sed 's/^/# map vs exported: /' | grep . && bad=1
grep -v '@@M2MSEC_0$' "$tmp/exported" | sed 's/^/# not in M2MSEC_0: /' | grep . && bad=1
nm -D --defined-only "$real" | awk '$2 != "T" && $2 != "A" { print "# exported too: " $0; f = 1 } END { exit f }' || bad=1
[ -s "$tmp/mapped" ] || bad=1
printf '#include <m2msec/m2msec.h>\n#include <m2msec/genl.h>\n#include <m2msec/keyfile.h>\n#include <m2msec/esprim.h>\n' >"$tmp/all.c"
# shellcheck disable=SC2046 # the flags are words
if cc -I"$dest/usr/include" $(pkg-config --cflags libnl-genl-3.0 json-c) \
	-aux-info "$tmp/all.aux" -fsyntax-only "$tmp/all.c" 2>"$tmp/aux.err"; then
	grep -F "/* $dest/usr/include/m2msec/" "$tmp/all.aux" |
		sed -E 's|^/\*.*\*/ ||; s/^.*[ *]([A-Za-z_][A-Za-z0-9_]*) *\(.*$/\1/' |
		sort -u | diff "$tmp/mapped" - | sed 's/^/# map vs headers: /' | grep . && bad=1
else
	sed 's/^/# /' "$tmp/aux.err"; bad=1
fi
result $bad "libm2msec.so exports only the functions its installed headers declare, in version node M2MSEC_0"

# Each public header stands alone, in C and in C++.
bad=0
for h in m2msec genl keyfile esprim; do
	printf '#include <m2msec/%s.h>\n' "$h" >"$tmp/h.c"
	cp "$tmp/h.c" "$tmp/h.cc"
	# shellcheck disable=SC2046 # the flags are words
	cc -Wall -Wextra -Werror -I"$dest/usr/include" $(pkg-config --cflags libnl-genl-3.0 json-c) \
		-fsyntax-only "$tmp/h.c" 2>&1 | sed "s/^/# $h.h: /" | grep . && bad=1
	if command -v c++ >/dev/null; then
		# shellcheck disable=SC2046
		c++ -Wall -Wextra -Werror -I"$dest/usr/include" $(pkg-config --cflags libnl-genl-3.0 json-c) \
			-fsyntax-only "$tmp/h.cc" 2>&1 | sed "s/^/# $h.h (C++): /" | grep . && bad=1
	fi
done
result $bad "each installed libm2msec header compiles on its own (C, and C++ where there is a compiler)"

# A program built from the staged tree through pkg-config, as against a
# sysroot.  Only m2msec is staged: its dependencies (libnl, json-c) are the
# host's, whose -I flags the sysroot prefix would send into the stage, so
# they are added as the host has them.
pcdirs=$dest/usr/lib/pkgconfig:$(pkg-config --variable pc_path pkg-config)
pc() { PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$pcdirs pkg-config "$@"; }
cat >"$tmp/app.c" <<'EOF_APP'
#include <stdio.h>
#include <string.h>
#include <m2msec/m2msec.h>
#include <m2msec/genl.h>
#include <m2msec/keyfile.h>
#include <m2msec/esprim.h>

int main(void)
{
	struct json_object *n = esprim_notify_wrap("a.b.c.d.e", 9);
	const char *obj;
	size_t len;
	int ok;

	ok = n && !esprim_notify_unwrap(n, &obj, &len) && len == 9 &&
	     !strcmp(esprim_rsc_name(M2MSEC_RSC_ESPRIM_BAD_MAC), "ESPRIM_BAD_MAC") &&
	     !strcmp(m2msec_cipher_name(m2msec_cipher_by_name("aes-128-gcm")), "AES-128-GCM") &&
	     !strcmp(m2msec_dtls_version_name(M2MSEC_DTLS_1_3), "DTLS 1.3");
	json_object_put(n);
	printf("%s %s\n", m2msec_version(), ok ? "ok" : "wrong");
	return !ok;
}
EOF_APP
bad=0
pcv=$(pc --modversion m2msec 2>&1)
[ "$pcv" = "$ver" ] || { echo "# pkg-config --modversion m2msec: '$pcv'"; bad=1; }
grep -qx 'prefix=/usr' "$dest/usr/lib/pkgconfig/m2msec.pc" || { echo "# m2msec.pc: prefix is not /usr"; bad=1; }
flags=$(pc --cflags --libs m2msec 2>&1) || { echo "# pkg-config: $flags"; bad=1; }
echo "# pkg-config --cflags --libs m2msec: $flags"
# shellcheck disable=SC2046,SC2086 # the flags are words
cc -Wall -Wextra -Werror -o "$tmp/app" "$tmp/app.c" $flags \
	$(pkg-config --cflags-only-I libnl-genl-3.0 json-c) 2>&1 | sed 's/^/# /'
[ "${PIPESTATUS[0]}" -eq 0 ] || bad=1
if [ $bad -eq 0 ]; then
	readelf -d "$tmp/app" | grep -q "(NEEDED).*\[$soname\]" ||
		{ echo "# the program does not need $soname"; bad=1; }
	LD_LIBRARY_PATH=$lib ldd "$tmp/app" | grep -q "$soname => $lib/$soname" ||
		{ echo "# the program does not load the staged $soname"; bad=1; }
	out=$(LD_LIBRARY_PATH=$lib "$tmp/app" 2>&1)
	[ "$out" = "$ver ok" ] || { echo "# the program printed: $out"; bad=1; }
fi
result $bad "a program built with pkg-config --cflags --libs m2msec from the staged tree links against $soname and runs"

# The installed man pages render without a warning and have a NAME line
# whatis can index.
man_dir=$dest/usr/share/man
pages="man1/m2msec-nc.1 man3/libm2msec.3 man5/m2msecd.conf.5 man7/m2msec.7 man8/m2msecctl.8 man8/m2msecd.8"
if command -v man >/dev/null && command -v lexgrog >/dev/null; then
	bad=0
	for pg in $pages; do
		w=$(MANWIDTH=80 man --warnings -l "$man_dir/$pg" 2>&1 >/dev/null)
		[ -z "$w" ] || { printf '%s\n' "$w" | sed "s|^|# $pg: |"; bad=1; }
		lexgrog "$man_dir/$pg" >/dev/null 2>&1 || { echo "# $pg: lexgrog finds no NAME"; bad=1; }
	done
	result $bad "the installed man pages render without warnings (man --warnings) and have a NAME lexgrog reads"
else
	skip "install: the installed man pages render without warnings" "man or lexgrog not installed"
fi

# m2msec(7) names only constants the installed UAPI header defines.
bad=0
for t in $(grep -o 'M2MSEC_[A-Z0-9_]*[A-Z0-9]\|SOL_M2MSEC' "$man_dir/man7/m2msec.7" | sort -u); do
	grep -qw "$t" "$dest/usr/include/linux/m2msec.h" || { echo "# m2msec(7) names $t, not in <linux/m2msec.h>"; bad=1; }
done
result $bad "every M2MSEC_ name in m2msec(7) is defined in the installed <linux/m2msec.h>"

finish
