# SPDX-License-Identifier: GPL-2.0
# Shell helpers of the interop tests against unmodified DTLS peers
# and the handshake daemon (selftests/host/keyexport_interop.sh and
# host/m2msecd_udp_test.sh on the host, selftests/interop_dtls.sh and
# the hs_*.sh handshake tests in the VM).  Source it after setting REPO; call ix_init once.
#
#   ix_init               make $tmp, kill every process started with bg on exit
#   free_port             a UDP port nothing on this machine is bound to
#   wait_bound PORT SECS  wait until something is bound to UDP PORT
#   bg OUT CMD...         start CMD in the background, stdout+stderr to OUT;
#                         its PID lands in $pid (and in $pids for the cleanup)
#   wait_for PID SECS     its exit status, 124 after SECS (then it is killed)
#   wait_text FILE TEXT SECS   wait until FILE contains TEXT
#   show FILE...          FILEs as TAP diagnostics
#   make_pki DIR          fresh ECDSA P-256 PKI in DIR (log: DIR/pki.log)
#   wolf_bg OUT PROG ARGS...   wolfSSL's example PROG (client or server),
#                         run from the wolfSSL source root as it insists

KX=$REPO/user/tools/dtls-keyexport/dtls-keyexport
WOLF=${M2MSEC_CACHE:-/var/cache/m2msec}/wolfssl

# The TLS 1.3 PSK of wolfSSL's examples: 0x01, 0x23, ... repeating, 32 bytes;
# the client sends the identity "Client_identity" followed by the hash name.
WOLF_PSK13=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

pids=()

ix_cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}

ix_init() {
	tmp=$(mktemp -d)
	trap ix_cleanup EXIT
}

wolf_built() { [ -x "$WOLF/bin/client" ] && [ -r "$WOLF/srcdir" ]; }

# A random UDP port in 20000..59999 that no socket of this machine (this
# network namespace) is bound to, read from /proc so that no interpreter
# has to start.
free_port() {
	local p
	while :; do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		port_bound "$p" || break
	done
	echo "$p"
}

# Is a UDP socket of this network namespace bound to port $1?
port_bound() {
	local f files=()
	for f in /proc/net/udp /proc/net/udp6; do [ -r "$f" ] && files+=("$f"); done
	awk -v port=":$(printf '%04X' "$1")" 'substr($2, length($2) - 4) == port { f = 1 }
		END { exit !f }' "${files[@]}"
}

# Wait up to SECS for a UDP socket to be bound to PORT (a peer or the
# exporter listening).
wait_bound() {
	local port=$1 end=$((SECONDS + $2 + 1))
	while ((SECONDS < end)); do
		port_bound "$port" && return 0
		sleep 0.1
	done
	return 1
}

# Start a background process (stdout+stderr to $1); its PID lands in $pid.
bg() {
	local out=$1
	shift
	"$@" <&0 >"$out" 2>&1 &
	pid=$!
	pids+=("$pid")
}

# Wait for PID to exit within SECS; Return: its status, 124 on timeout.
# (Deadlines, not loop counts: in the emulated VM every fork is slow.)
wait_for() {
	local p=$1 end=$((SECONDS + $2 + 1))
	while ((SECONDS < end)); do
		kill -0 "$p" 2>/dev/null || { wait "$p"; return; }
		sleep 0.1
	done
	kill "$p" 2>/dev/null
	return 124
}

# Wait up to SECS for FILE to contain TEXT.
wait_text() {
	local file=$1 text=$2 end=$((SECONDS + $3 + 1))
	while ((SECONDS < end)); do
		grep -qF -- "$text" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

show() { sed 's/^/# /' "$@"; }

# A fresh ECDSA P-256 PKI in DIR: root CA (ca.pem), intermediate CA
# (int.pem), server and client leaf certificates (srv.pem, cli.pem, keys
# srv.key, cli.key, leaf plus intermediate in srv-chain.pem, cli-chain.pem),
# the server's for localhost and 127.0.0.1, the client's CN and DNS name
# m2m-ae-x509, valid for two days (the test certificates some libraries ship expire).
# Private keys are mode 0600: m2msecd refuses secret files others can read.
make_pki() {
	local d=$1
	mkdir -p "$d"
	(
		cd "$d" || exit 1
		umask 077
		ec() { openssl ecparam -name prime256v1 -genkey -noout -out "$1" 2>/dev/null; }
		ec ca.key && ec int.key && ec srv.key && ec cli.key
		printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext
		printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >srv.ext
		printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nsubjectAltName=DNS:m2m-ae-x509\n' >cli.ext
		openssl req -new -x509 -key ca.key -subj /CN=m2msec-test-root -days 2 \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign -out ca.pem || exit 1
		openssl req -new -key int.key -subj /CN=m2msec-test-int -out int.csr &&
		openssl x509 -req -in int.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-days 2 -extfile ca.ext -out int.pem 2>/dev/null || exit 1
		for l in srv cli; do
			cn=localhost
			[ $l = cli ] && cn=m2m-ae-x509
			openssl req -new -key $l.key -subj /CN=$cn -out $l.csr &&
			openssl x509 -req -in $l.csr -CA int.pem -CAkey int.key \
				-CAcreateserial -days 2 -extfile $l.ext -out $l.pem \
				2>/dev/null || exit 1
			cat $l.pem int.pem >$l-chain.pem
		done
		chmod 644 ./*.pem
	) >"$d/pki.log" 2>&1
}

# wolfSSL's examples insist on running from the wolfSSL source root.  The
# example runs under timeout(1) for at most $WOLF_TIMEOUT seconds, with its
# standard output line-buffered so that its lines can be waited for.
wolf_bg() {
	local out=$1 prog=$2
	shift 2
	bg "$out" sh -c 'cd "$1" && shift && exec "$@"' sh "$(cat "$WOLF/srcdir")" \
		timeout "${WOLF_TIMEOUT:-20}" stdbuf -oL "$WOLF/bin/$prog" "$@"
}

