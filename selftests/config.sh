#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Per-namespace settings over generic netlink: read by anyone, changed only
# with CAP_NET_ADMIN in the user namespace owning the network namespace,
# validated, and independent between namespaces.
#
#   init netns (root)        netns "cfgtest"        userns+netns of "nobody"
#   config set ... ok        starts from defaults   nobody is admin there only
set -u
. "$(dirname "$0")/lib.sh"

plan 13

as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
cfg() { "$CTL" -j config show | json_get "d['$1']"; }

check "config: a fresh namespace has the documented defaults (replay-window 1024, ctrl-queue-max 64, esprim-max-object 65536)" \
	test "$(cfg replay-window) $(cfg ctrl-queue-max) $(cfg esprim-max-object)" = "1024 64 65536"

check "config: root sets replay-window 2048 and reads it back" \
	bash -c '"$1" config set replay-window 2048 && [ "$("$1" config show | awk "/^replay-window/ {print \$2}")" = 2048 ]' _ "$CTL"

range_refused() {
	local out
	out=$("$CTL" config set ctrl-queue-max 5000 2>&1) && return 1
	grep -q "Numerical result out of range" <<<"$out" && [ "$(cfg ctrl-queue-max)" = 64 ]
}
check "config: ctrl-queue-max 5000 is refused with ERANGE and nothing changes" range_refused

multiple_refused() {
	local out
	out=$("$CTL" config set replay-window 100 2>&1) && return 1
	grep -q "kernel: replay window must be a multiple of 64" <<<"$out" &&
		[ "$(cfg replay-window)" = 2048 ]
}
check "config: replay-window 100 is refused with the kernel's reason" multiple_refused

atomic_set() {
	"$CTL" config set esprim-max-object 4096 replay-window 100 2>/dev/null && return 1
	[ "$(cfg esprim-max-object)" = 65536 ]
}
check "config: a set with one invalid value changes nothing" atomic_set

unpriv_refused() {
	local out
	out=$(as_nobody "$CTL" config set replay-window 4096 2>&1) && return 1
	grep -q "permission denied" <<<"$out" && [ "$(cfg replay-window)" = 2048 ]
}
check "config: an unprivileged user is refused config set (EPERM) and nothing changes" unpriv_refused

check "config: an unprivileged user may read the settings" \
	as_nobody "$CTL" config show

userns_admin() {
	local v
	v=$(as_nobody unshare --user --map-root-user --net \
		sh -c '"$1" config set replay-window 4096 && "$1" -j config show' _ "$CTL" |
		json_get "d['replay-window']") || return 1
	[ "$v" = 4096 ] && [ "$(cfg replay-window)" = 2048 ]
}
if as_nobody unshare --user --map-root-user --net true 2>/dev/null; then
	check "config: a user with CAP_NET_ADMIN only in its own user+network namespace may set that namespace, not the initial one" userns_admin
else
	skip "config: a user with CAP_NET_ADMIN only in its own user+network namespace may set that namespace" "unprivileged user namespaces are disabled"
fi

netns_defaults() {
	ip netns add cfgtest || return 1
	[ "$(ip netns exec cfgtest "$CTL" -j config show | json_get "d['replay-window']")" = 1024 ]
	local rc=$?
	ip netns del cfgtest
	return $rc
}
check "config: a new network namespace starts from the defaults, not from the initial namespace's settings" netns_defaults

# Settings from a file, as etc/m2msec-config.service applies them at boot.
cfgdir=$(mktemp -d)
load_file() {
	printf '# m2msec settings\n\nreplay-window 512\nctrl-queue-max 32\n' >"$cfgdir/ok.conf"
	"$CTL" config load "$cfgdir/ok.conf" &&
		[ "$(cfg replay-window) $(cfg ctrl-queue-max)" = "512 32" ] &&
		"$CTL" config show >"$cfgdir/shown.conf" &&
		"$CTL" config set replay-window 1024 ctrl-queue-max 64 &&
		"$CTL" config load "$cfgdir/shown.conf" &&
		[ "$(cfg replay-window) $(cfg ctrl-queue-max)" = "512 32" ]
}
check "config: load FILE applies its NAME VALUE lines (comments, blank lines skipped); what config show prints loads back" load_file

load_bad_line() {
	local out
	printf 'replay-window 2048\nctrl-queue-max 16 # no\n' >"$cfgdir/bad.conf"
	out=$("$CTL" config load "$cfgdir/bad.conf" 2>&1) && return 1
	grep -q "bad.conf:2: not a setting" <<<"$out" &&
		[ "$(cfg replay-window) $(cfg ctrl-queue-max)" = "512 32" ] || return 1
	printf 'replay-window 2048\nreplay-windw 64\n' >"$cfgdir/bad.conf"
	out=$("$CTL" config load "$cfgdir/bad.conf" 2>&1) && return 1
	grep -q "bad.conf:2: not a setting" <<<"$out" &&
		[ "$(cfg replay-window)" = 512 ] || return 1
	printf 'replay-window 2048\nctrl-queue-max 5000\n' >"$cfgdir/bad.conf"
	"$CTL" config load "$cfgdir/bad.conf" 2>/dev/null && return 1
	[ "$(cfg replay-window) $(cfg ctrl-queue-max)" = "512 32" ]
}
check "config: load refuses a file with a bad line (naming file and line) or an out-of-range value, and changes nothing" load_bad_line

load_unsafe() {
	printf 'replay-window 2048\n' >"$cfgdir/open.conf"
	chmod 0666 "$cfgdir/open.conf"
	"$CTL" config load "$cfgdir/open.conf" 2>"$cfgdir/err" && return 1
	grep -q "others write it" "$cfgdir/err" && [ "$(cfg replay-window)" = 512 ]
}
check "config: load refuses a file others may write" load_unsafe

load_example() {
	sed -n 's/^#\([a-z-]* [0-9]*\)$/\1/p' "$REPO/etc/m2msec.conf.example" >"$cfgdir/example.conf"
	[ "$(wc -l <"$cfgdir/example.conf")" -ge 14 ] &&
		"$CTL" config load "$cfgdir/example.conf" &&
		"$CTL" config show | sort >"$cfgdir/now" &&
		sort "$cfgdir/example.conf" | diff - "$cfgdir/now" >&2
}
check "config: etc/m2msec.conf.example uncommented loads, and its values are the defaults config show reports" load_example
rm -rf "$cfgdir"

"$CTL" config set replay-window 1024 ctrl-queue-max 64 >/dev/null
finish
