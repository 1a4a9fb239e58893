#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# GET_INFO over generic netlink and `m2msecctl info`: the family number
# agrees with the module parameter, forced family numbers are honoured and a
# taken slot makes loading fail cleanly, and the crypto driver reported for
# each cipher is the one the crypto API really uses.
set -u
. "$(dirname "$0")/lib.sh"

plan 10

info_json=$("$CTL" -j info)
check "info: m2msecctl info -j reports the family number published in sysfs" \
	test "$(json_get 'd["family"]' <<<"$info_json")" = "$(sysfs_family)"
check "info: DTLS 1.2 and DTLS 1.3 are listed" \
	test "$(json_get '",".join(d["dtls_versions"])' <<<"$info_json")" = "DTLS 1.2,DTLS 1.3"
check "info: five record ciphers are listed, each with a resolved crypto driver" \
	test "$(json_get 'len([c for c in d["ciphers"] if c["driver"]])' <<<"$info_json")" = 5
check "info: AES-128-CCM-8 is ccm(aes) with an 8-byte tag and suites 0xc0a8, 0xc0ae (1.2), 0x1305 (1.3)" \
	test "$(json_get '[(c["aead"], c["tag_len"], c["dtls12_suites"], c["dtls13_suite"]) for c in d["ciphers"] if c["name"] == "AES-128-CCM-8"][0]' <<<"$info_json")" = "('ccm(aes)', 8, [49320, 49326], 4869)"

# The driver GET_INFO names must be a registered implementation of that
# algorithm in /proc/crypto (so the report is the crypto API's, not ours).
driver_in_proc_crypto() {
	local alg=$1 drv=$2
	awk -v alg="$alg" -v drv="$drv" '
		/^name/ { n = $3 } /^driver/ { if (n == alg && $3 == drv) f = 1 }
		END { exit !f }' /proc/crypto
}
gcm_drv=$(json_get '[c["driver"] for c in d["ciphers"] if c["name"] == "AES-128-GCM"][0]' <<<"$info_json")
diag "gcm(aes) resolves to $gcm_drv"
check "info: the gcm(aes) driver reported ($gcm_drv) is registered for gcm(aes) in /proc/crypto" \
	driver_in_proc_crypto 'gcm(aes)' "$gcm_drv"

text=$("$CTL" info)
check "info: human output names the version, family and each cipher with its driver" \
	bash -c 'grep -q "^m2msec [0-9]" <<<"$1" && grep -q "^socket family: $2\$" <<<"$1" &&
		 [ "$(grep -c " driver " <<<"$1")" = 5 ] && grep -q "AES-128-CCM-8 .*ccm(aes) .*tag 8 " <<<"$1"' _ "$text" "$(sysfs_family)"

# Forced family numbers.  22 (AF_SNA) has no in-tree user.
forced_family() {
	mod_reload family=22 || return 1
	[ "$(sysfs_family)" = 22 ] || return 1
	[ "$("$CTL" -j info | json_get 'd["family"]')" = 22 ] || return 1
	"$(dirname "$0")/socket_create" --churn 1
}
check "family: loading with family=22 publishes 22 in sysfs and GET_INFO, and sockets work" forced_family

taken_family() {
	local out
	mod_unload || return 1
	dmesg -C
	if insmod "$M2MSEC_KO" family=2 2>/dev/null; then
		echo "insmod with family=2 (AF_INET) succeeded"
		return 1
	fi
	mod_loaded && { echo "module left loaded"; return 1; }
	out=$(dmesg)
	grep -q "m2msec: socket family 2 is already registered" <<<"$out" || { echo "$out"; return 1; }
}
check "family: loading with a taken slot (family=2, AF_INET) fails with a clear message" taken_family

out_of_range() {
	! insmod "$M2MSEC_KO" family=4096 2>/dev/null && ! mod_loaded &&
		dmesg | grep -q "family=4096 is out of range"
}
check "family: loading with family=4096 fails and says the range" out_of_range

check "family: the default load picks a slot again after failed loads" mod_load

genl_unpriv_info() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CTL" info >/dev/null
}
check "info: an unprivileged user may read GET_INFO" genl_unpriv_info

finish
