#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel choice of scripts/deps.sh (its --choose-kernels dry run), on
# the host, as any user, without network: fake dpkg-query, apt-cache and
# apt-get first on PATH play the package database and the apt archive.
#
# The fakes answer like the real tools for the calls deps.sh makes:
#   dpkg-query -W -f=FORMAT PATTERN...  one line per known package matching
#       the glob, ${db:Status-Abbrev} is three characters ("ii ", "rc ");
#       a pattern matching nothing prints "dpkg-query: no packages found
#       matching PATTERN" on stderr, nothing on stdout, and exits 1
#   apt-cache search --names-only REGEX  "NAME - DESCRIPTION", exit 0 also
#       without a match
#   apt-cache show PKG...  a stanza per package; none known: "E: No packages
#       found", exit 100
# apt-get, apt and dpkg only record that they were called (in a log kept
# across all runs) and fail.
#
# Package states: $state/installed has "ABBREV NAME" lines (ABBREV as in
# dpkg's Status-Abbrev without its last, error, column: ii, rc), and
# $state/archive one package name per line.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
DEPS=$HERE/../../scripts/deps.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/bin
calls=$tmp/calls
forbidden=$tmp/forbidden
mkdir -p "$bin"
: >"$calls"
: >"$forbidden"

cat >"$bin/dpkg-query" <<'FAKE'
#!/bin/bash
fmt='${binary:Package}\t${Version}\n'
pats=()
while [ $# -gt 0 ]; do
	case $1 in
	-W | --show) ;;
	-f=* | --showformat=*) fmt=${1#*=} ;;
	-f | --showformat) fmt=$2; shift ;;
	-*) echo "fake dpkg-query: unsupported option $1" >&2; exit 2 ;;
	*) pats+=("$1") ;;
	esac
	shift
done
rc=0
lines=0
for pat in "${pats[@]}"; do
	found=0
	while read -r abbrev name; do
		# shellcheck disable=SC2053 # the pattern is a glob
		[[ $name == $pat ]] || continue
		found=1
		line=${fmt//'${db:Status-Abbrev}'/"$abbrev "}
		line=${line//'${Package}'/$name}
		line=${line//'${binary:Package}'/$name:amd64}
		line=${line//'${Version}'/1.0}
		printf '%b' "$line"
		lines=$((lines + 1))
	done < <(sort -k2 "$FAKE_STATE/installed")
	if [ $found -eq 0 ]; then
		echo "dpkg-query: no packages found matching $pat" >&2
		rc=1
	fi
done
echo "dpkg-query rc=$rc lines=$lines ${pats[*]}" >>"$FAKE_CALLS"
exit $rc
FAKE

cat >"$bin/apt-cache" <<'FAKE'
#!/bin/bash
cmd=${1:-}
shift
case $cmd in
search)
	[ "${1:-}" = --names-only ] || [ "${1:-}" = -n ] || { echo "fake apt-cache: search without --names-only" >&2; exit 2; }
	echo "apt-cache search $2" >>"$FAKE_CALLS"
	{ grep -Ei -- "$2" "$FAKE_STATE/archive" || true; } | sort | sed 's/$/ - fake package/'
	;;
show)
	echo "apt-cache show $*" >>"$FAKE_CALLS"
	found=0
	for p; do
		if grep -qxF -- "$p" "$FAKE_STATE/archive"; then
			printf 'Package: %s\nVersion: 1.0\nArchitecture: amd64\nDescription: fake package\n\n' "$p"
			found=1
		else
			echo "N: Unable to locate package $p" >&2
		fi
	done
	[ $found -eq 1 ] || { echo "E: No packages found" >&2; exit 100; }
	;;
*) echo "fake apt-cache: unsupported command $cmd" >&2; exit 2 ;;
esac
FAKE

for t in apt-get apt dpkg; do
	cat >"$bin/$t" <<FAKE
#!/bin/bash
echo "$t \$*" >>"\$FAKE_FORBIDDEN"
echo "fake $t: must not be called by deps.sh --choose-kernels" >&2
exit 100
FAKE
done
chmod +x "$bin"/*

# state NAME: create $tmp/NAME with the installed list on stdin; the archive
# is the one of case (a) unless $tmp/NAME/archive is written afterwards.
state() {
	mkdir -p "$tmp/$1"
	cat >"$tmp/$1/installed"
	cp "$tmp/archive" "$tmp/$1/archive"
}

# The archive of a Debian 12 mirror with bookworm-backports, reduced to the
# kernel packages deps.sh could confuse: complete generic amd64 sets 6.12.9
# and 6.12.10 (sort -V, not sort), 6.12.12 without headers, cloud and rt
# flavours newer than the generic ones, a backport, a debug image, metas.
cat >"$tmp/archive" <<'EOF'
linux-image-amd64
linux-headers-amd64
linux-image-6.12.9+deb12-amd64-unsigned
linux-headers-6.12.9+deb12-amd64
linux-image-6.12.10+deb12-amd64-unsigned
linux-image-6.12.10+deb12-amd64
linux-headers-6.12.10+deb12-amd64
linux-headers-6.12.10+deb12-common
linux-image-6.12.12+deb12-amd64-unsigned
linux-image-6.12.11+deb12-cloud-amd64-unsigned
linux-headers-6.12.11+deb12-cloud-amd64
linux-image-6.12.11+deb12-rt-amd64-unsigned
linux-headers-6.12.11+deb12-rt-amd64
linux-image-6.12.13+deb12-amd64-dbg
linux-image-6.12.14+bpo-amd64-unsigned
linux-headers-6.12.14+bpo-amd64
linux-headers-6.1.0-9-amd64
linux-headers-6.1.0-28-amd64
linux-headers-6.1.0-28-common
linux-headers-6.1.0-30-cloud-amd64
linux-headers-6.1.0-30-rt-amd64
linux-headers-6.1.0-30-common
linux-image-6.1.0-30-amd64-unsigned
bash
EOF

# (a) nothing installed: dpkg-query finds no kernel package at all.
state fresh <<'EOF'
ii bash
ii dpkg
EOF
# (b) nothing installed, nothing usable in the archive.
state empty </dev/null
cat >"$tmp/empty/archive" <<'EOF'
linux-image-amd64
linux-image-6.12.12+deb12-amd64-unsigned
linux-image-6.12.11+deb12-cloud-amd64-unsigned
linux-headers-6.12.11+deb12-cloud-amd64
linux-headers-6.1.0-30-cloud-amd64
EOF
# (b) a 6.12 set in the archive but no 6.1 headers.
state no61 </dev/null
grep -v '^linux-headers-6\.1\.0-' "$tmp/archive" >"$tmp/no61/archive"
# (c) an older complete set installed; removed (rc) and incomplete newer
# ones and other flavours next to it.
state older <<'EOF'
ii bash
ii linux-image-6.12.9+deb12-amd64-unsigned
ii linux-headers-6.12.9+deb12-amd64
rc linux-image-6.12.10+deb12-amd64-unsigned
rc linux-headers-6.12.10+deb12-amd64
ii linux-image-6.12.12+deb12-amd64-unsigned
ii linux-image-6.12.11+deb12-cloud-amd64-unsigned
ii linux-headers-6.12.11+deb12-cloud-amd64
ii linux-headers-6.1.0-9-amd64
rc linux-headers-6.1.0-28-amd64
un linux-image-6.12.13+deb12-amd64-unsigned
un linux-headers-6.12.13+deb12-amd64
ii linux-headers-6.1.0-30-cloud-amd64
EOF
# (d) two complete sets installed.
state two <<'EOF'
ii linux-image-6.12.9+deb12-amd64-unsigned
ii linux-headers-6.12.9+deb12-amd64
ii linux-image-6.12.10+deb12-amd64-unsigned
ii linux-headers-6.12.10+deb12-amd64
ii linux-image-6.12.8+deb12-amd64-unsigned
rc linux-headers-6.12.8+deb12-amd64
ii linux-headers-6.1.0-9-amd64
ii linux-headers-6.1.0-28-amd64
rc linux-headers-6.1.0-8-amd64
EOF

# Cache directories: none recorded; a recorded choice still installed
# (older than the newest installed); one no longer (fully) installed.
mkdir -p "$tmp/cache-none" "$tmp/cache-kept" "$tmp/cache-gone"
printf 'KVER=6.12.9+deb12-amd64\nKVER61=6.1.0-9-amd64\n' >"$tmp/cache-kept/kernel.env"
printf 'KVER=6.12.8+deb12-amd64\nKVER61=6.1.0-8-amd64\n' >"$tmp/cache-gone/kernel.env"
cache_before=$(cd "$tmp" && find cache-* -printf '%p %s %T@ %m\n' | sort && cat cache-*/kernel.env)

echo "TAP version 13"
n=0
failed=0
report() {
	local ok=$1 desc=$2
	n=$((n + 1))
	if [ "$ok" -eq 1 ]; then
		echo "ok $n deps.sh --choose-kernels: $desc"
	else
		echo "not ok $n deps.sh --choose-kernels: $desc"
		failed=1
	fi
}

# comment TEXT: TEXT as TAP diagnostic lines.
comment() { printf '%s\n' "$1" | sed 's/^/#   /'; }

# choose STATE CACHE [VAR=VALUE...]: run the dry run; sets $out, $err, $rc
# and leaves the fakes' calls of this run in $tmp/calls.
choose() {
	local st=$1 cache=$2
	shift 2
	: >"$calls"
	out=$(env -u M2MSEC_KVER -u M2MSEC_KVER61 -u M2MSEC_PROG \
		PATH="$bin:$PATH" FAKE_STATE="$tmp/$st" FAKE_CALLS="$calls" FAKE_FORBIDDEN="$forbidden" \
		M2MSEC_CACHE="$tmp/$cache" "$@" \
		bash "$DEPS" --choose-kernels 2>"$tmp/err" </dev/null)
	rc=$?
	err=$(cat "$tmp/err")
}

# expect_choice DESC KVER KVER61 STATE CACHE [VAR=VALUE...]
expect_choice() {
	local desc=$1 want="KVER=$2"$'\n'"KVER61=$3"
	shift 3
	choose "$@"
	if [ "$rc" -eq 0 ] && [ "$out" = "$want" ]; then
		report 1 "$desc"
	else
		report 0 "$desc"
		echo "# status $rc (wanted 0), stdout:"
		comment "$out"
		echo "# wanted:"
		comment "$want"
		echo "# stderr:"
		comment "$err"
	fi
}

# expect_error DESC TEXT STATE CACHE [VAR=VALUE...]: status 1, no KVER on
# stdout, TEXT in the "deps.sh: error: " line.
expect_error() {
	local desc=$1 text=$2
	shift 2
	choose "$@"
	if [ "$rc" -eq 1 ] && [ -z "$out" ] &&
		grep -F -- "deps.sh: error: " <<<"$err" | grep -qF -- "$text"; then
		report 1 "$desc"
	else
		report 0 "$desc"
		echo "# status $rc (wanted 1 with '$text'), stdout:"
		comment "$out"
		echo "# stderr:"
		comment "$err"
	fi
}

# called REGEX: true when a fake call of the last run matches.
called() { grep -qE -- "$1" "$calls"; }

# (a)
expect_choice "nothing installed: the newest complete generic amd64 sets of the archive" \
	6.12.10+deb12-amd64 6.1.0-28-amd64 fresh cache-none
# The original bug: dpkg-query exits 1 without output when no package
# matches, which ended the script silently under pipefail. This run must
# have seen exactly that and still gone on to the archive.
ok=0
if called '^dpkg-query rc=1 lines=0 linux-image-\*-unsigned$' &&
	called '^dpkg-query rc=1 lines=0 linux-headers-\*$' &&
	called '^apt-cache search \^linux-image-' && called '^apt-cache search \^linux-headers-6'; then
	ok=1
fi
report $ok "nothing installed: dpkg-query exits 1 with no output, the archive is searched"
[ $ok -eq 1 ] || sed 's/^/#   /' "$calls"
ok=1
grep -q "not running apt-get update" <<<"$err" || ok=0
report $ok "nothing installed: says that apt-get update is not run"

# (b)
expect_error "nothing installed or usable in the archive: error names the 6.12 packages" \
	"no 6.12 kernel found in the apt archive (wanted: linux-image-VERSION-unsigned linux-headers-VERSION;" \
	empty cache-none
expect_error "6.12 in the archive, no 6.1 headers: error names the 6.1 headers" \
	"no 6.1 kernel found in the apt archive (wanted: linux-headers-VERSION;" \
	no61 cache-none

# (c)
expect_choice "an older complete set installed is kept over newer ones in the archive" \
	6.12.9+deb12-amd64 6.1.0-9-amd64 older cache-none
ok=1
! called '^apt-cache' || ok=0
report $ok "an installed set: the archive is not consulted"

# (d)
expect_choice "a recorded choice still installed is kept over a newer installed set" \
	6.12.9+deb12-amd64 6.1.0-9-amd64 two cache-kept
expect_choice "a recorded choice no longer installed: the newest installed set" \
	6.12.10+deb12-amd64 6.1.0-28-amd64 two cache-gone
expect_choice "a recorded choice not installed anywhere and nothing installed: the archive" \
	6.12.10+deb12-amd64 6.1.0-28-amd64 fresh cache-gone

# (e)
expect_choice "pins M2MSEC_KVER and M2MSEC_KVER61 win over the recorded and installed sets" \
	6.12.7+deb12-amd64 6.1.0-7-amd64 two cache-kept \
	M2MSEC_KVER=6.12.7+deb12-amd64 M2MSEC_KVER61=6.1.0-7-amd64
expect_choice "a 6.1 pin alone leaves the 6.12 choice to the installed sets" \
	6.12.10+deb12-amd64 6.1.0-9-amd64 two cache-none M2MSEC_KVER61=6.1.0-9-amd64
expect_error "a cloud flavour pin is refused" \
	"6.12 pin '6.12.10+deb12-cloud-amd64' is not a generic amd64 Debian kernel version" \
	two cache-none M2MSEC_KVER=6.12.10+deb12-cloud-amd64
expect_error "a 6.1 pin without the flavour is refused" \
	"6.1 pin '6.1.0-28' is not a generic amd64 Debian kernel version" \
	two cache-none M2MSEC_KVER61=6.1.0-28
expect_error "a 6.12 version as 6.1 pin is refused" \
	"6.1 pin '6.12.10+deb12-amd64' is not a generic amd64 Debian kernel version" \
	two cache-none M2MSEC_KVER61=6.12.10+deb12-amd64

# Every run above: no side effects.
ok=1
cache_after=$(cd "$tmp" && find cache-* -printf '%p %s %T@ %m\n' | sort && cat cache-*/kernel.env)
[ "$cache_after" = "$cache_before" ] || ok=0
report $ok "the cache directories are never written"
[ $ok -eq 1 ] || diff <(echo "$cache_before") <(echo "$cache_after") | sed 's/^/#   /'

ok=1
[ ! -s "$forbidden" ] || ok=0
report $ok "neither apt-get, apt nor dpkg is ever called"
[ $ok -eq 1 ] || sed 's/^/#   /' "$forbidden"

echo "1..$n"
exit $failed
