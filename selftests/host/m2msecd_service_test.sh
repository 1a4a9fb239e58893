#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# m2msecd as a systemd service, on the host without the kernel module:
# readiness notifications, journal priorities, and the checks on the
# files it reads.
#
#   this test: notify socket (@abstract) <-- READY=1, RELOADING=1, STOPPING=1
#              |                              m2msecd -f --udp-server 127.0.0.1:P
#              +-- SIGHUP, SIGTERM ---------> (bound: as ready as it gets
#                                              without the module)
#
# The same READY=1 is sent in the kernel mode once the daemon has joined
# the "handshake" multicast group (main.c).  Then: "<N>" priority prefixes
# when standard error is the journal ($JOURNAL_STREAM) or with
# --log-prefix; configuration, PSK and m2msec-nc key files refused when
# group or other may write them, other may read key material, a uid other
# than root or the reader owns them, or they are not regular files; and
# duplicate PSK identities.  Every process is stopped by PID.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
HSD=$REPO/user/m2msecd/m2msecd
NC=$REPO/user/m2msec-nc
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$REPO/selftests/lib.sh"
N_TESTS=19
plan $N_TESTS
if [ ! -x "$HSD" ]; then
	for i in $(seq $N_TESTS); do skip "m2msecd service" "m2msecd not built (needs the wolfSSL build: scripts/build-wolfssl.sh)"; done
	finish
fi

echo 00112233445566778899aabbccddeeff >"$tmp/psk"; chmod 600 "$tmp/psk"
printf '[psk]\nidentity m2m-ae-1\nkey-file %s\n' "$tmp/psk" >"$tmp/conf"

# --- readiness ---------------------------------------------------------------
# A receiver for $NOTIFY_SOCKET: one line per datagram, newlines as '|'.
sock=@m2msec-test-notify-$$
python3 - "$sock" "$tmp/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1][1:])
with open(sys.argv[2], "w", buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", "|") + "\n")
PY
pids+=($!)
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# wait_line PATTERN: the notify log has a line matching PATTERN within 10 s.
wait_line() {
	local i
	for i in $(seq 100); do
		grep -q -- "$1" "$tmp/notify.log" 2>/dev/null && return 0
		sleep 0.1
	done
	sed 's/^/# notify: /' "$tmp/notify.log" 2>/dev/null
	return 1
}

# The receiver creates its log only once its socket is bound.
for i in $(seq 100); do
	[ -e "$tmp/notify.log" ] && break
	sleep 0.1
done
NOTIFY_SOCKET=$sock "$HSD" -f -v --log-prefix -c "$tmp/conf" \
	--udp-server "127.0.0.1:$port" --out "$tmp/key" 2>"$tmp/hsd.err" &
hsd=$!
pids+=($hsd)
check "notify: READY=1 with a STATUS once the daemon takes requests (here: its --udp-server socket is bound)" \
	wait_line '^READY=1|STATUS=waiting for a UDP client, DTLS 1.2 and 1.3|$'
kill -HUP "$hsd"
check "notify: SIGHUP sends RELOADING=1 with MONOTONIC_USEC (systemd.service(5))" \
	wait_line '^RELOADING=1|STATUS=reloading|MONOTONIC_USEC=[0-9]*|$'
check "notify: READY=1 again once the configuration is reloaded" \
	bash -c "[ \$(grep -c '^READY=1' '$tmp/notify.log') -eq 2 ]"
chmod 666 "$tmp/psk"
kill -HUP "$hsd"
check "notify: a refused reload says so in STATUS, and the daemon stays ready" \
	wait_line '^READY=1|STATUS=reload refused, previous configuration kept; waiting'
chmod 600 "$tmp/psk"
kill -TERM "$hsd"
check "notify: SIGTERM sends STOPPING=1" wait_line '^STOPPING=1|'
wait "$hsd" 2>/dev/null
check "notify: messages come in the order READY, RELOADING, READY, RELOADING, READY, STOPPING" \
	bash -c "[ \"\$(cut -d'|' -f1 '$tmp/notify.log' | tr '\n' ' ')\" = 'READY=1 RELOADING=1 READY=1 RELOADING=1 READY=1 STOPPING=1 ' ]"
check "notify: without \$NOTIFY_SOCKET the daemon runs as before (-t)" \
	"$HSD" -t -c "$tmp/conf"

# --- journal priorities ------------------------------------------------------
check "log: --log-prefix gives info lines <6>" \
	grep -q '^<6>info: --udp-server: waiting for a client' "$tmp/hsd.err"
check "log: --log-prefix gives errors <3> (the refused reload)" \
	grep -q '^<3>error: .*refusing PSK key file' "$tmp/hsd.err"
printf 'versions 1.4\n' >"$tmp/bad.conf"
: >"$tmp/stderr"
js=$(stat -c '%d:%i' "$tmp/stderr")
JOURNAL_STREAM=$js "$HSD" -t -c "$tmp/bad.conf" >/dev/null 2>>"$tmp/stderr"
check "log: standard error that is \$JOURNAL_STREAM gets <3> on errors without any flag" \
	grep -q '^<3>error: ' "$tmp/stderr"
JOURNAL_STREAM=$js "$HSD" -t -c "$tmp/bad.conf" >/dev/null 2>"$tmp/stderr2"
check "log: standard error redirected elsewhere (another file than \$JOURNAL_STREAM) keeps the plain format" \
	bash -c "grep -q '^m2msecd: error: ' '$tmp/stderr2' && ! grep -q '^<' '$tmp/stderr2'"

# --- files -------------------------------------------------------------------
# refused DESC PATTERN: m2msecd -t on $tmp/conf fails and says PATTERN.
refused() {
	if "$HSD" -t -c "$tmp/conf" >"$tmp/t.out" 2>&1; then
		echo "# accepted:"; sed 's/^/# /' "$tmp/t.out"; return 1
	fi
	grep -q -- "$1" "$tmp/t.out" || { sed 's/^/# /' "$tmp/t.out"; return 1; }
}
chmod 640 "$tmp/psk"
check "files: a PSK file group may read (a dedicated group) is taken" \
	"$HSD" -t -c "$tmp/conf"
chmod 660 "$tmp/psk"
check "files: a group-writable PSK file is refused, chmod 600 advised" \
	refused 'refusing PSK key file .*lets group or others write it; run: chmod 600'
chmod 604 "$tmp/psk"
check "files: a PSK file other may read is refused" \
	refused 'refusing PSK key file .*lets others read it'
chmod 600 "$tmp/psk"
printf '[psk]\nidentity m2m-ae-1\nkey-file %s\n' "$tmp" >"$tmp/conf"
check "files: a directory as PSK file is refused" refused 'not a regular file'
printf '[psk]\nidentity m2m-ae-1\nkey-file %s\n' "$tmp/psk" >"$tmp/conf"
chmod 620 "$tmp/conf"
check "files: a group-writable configuration file is refused" \
	refused 'configuration file .*lets group or others write it; run: chmod go-w'
chmod 644 "$tmp/conf"
if [ "$(id -u)" = 0 ]; then
	chown 65534 "$tmp/psk"
	check "files: a PSK file of another user than root or the daemon's is refused" \
		refused 'owned by uid 65534'
	chown 0 "$tmp/psk"
else
	skip "files: a PSK file of another user is refused" "needs root (chown)"
fi
printf '[psk]\nidentity a\nkey-file %s\n\n[psk]\nidentity b\nkey-file %s\n\n[psk]\nidentity a\nkey-file %s\n' \
	"$tmp/psk" "$tmp/psk" "$tmp/psk" >"$tmp/conf"
check "files: a duplicate PSK identity is refused with both lines" \
	refused "conf:10: duplicate PSK identity 'a' (first at line 2)"
cat >"$tmp/nc.key" <<KEY
version 1.2
cipher AES-128-CCM-8
peer 127.0.0.1:5684
tx-epoch 1
tx-seq 1
tx-key 000102030405060708090a0b0c0d0e0f
tx-iv 01020304
rx-epoch 1
rx-seq 1
rx-key f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff
rx-iv a1b2c3d4
KEY
chmod 620 "$tmp/nc.key"
check "files: m2msec-nc refuses a group-writable key file (the same check)" \
	bash -c "! '$NC' -k '$tmp/nc.key' </dev/null >'$tmp/nc.out' 2>&1 && grep -q 'group or others write' '$tmp/nc.out'"
finish
