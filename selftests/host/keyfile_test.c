// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: static association files (user/lib/keyfile.c).
 *
 * Scenario: a DTLS 1.2 file (AES-128-CCM-8, IPv4) and a DTLS 1.3 file
 * (AES-128-GCM, IPv6, CIDs) are parsed, written back and parsed again; then
 * one broken variant per rule shows that the parser names the line and the
 * problem; finally the key payloads are checked with the module's own
 * validator and the ASSOC_NEW attributes are parsed back.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "../../kmod/key_payload.h"
#include "../../user/lib/keyfile.h"
#include "../ktap.h"

#define K16 "000102030405060708090a0b0c0d0e0f"
#define K16B "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"

static const char file12[] =
	"# oneM2M PSK association\n"
	"version 1.2\n"
	"cipher AES-128-CCM-8   # the mandatory suite\n"
	"peer 192.0.2.1:5684\n"
	"local 0.0.0.0:4433\n"
	"\n"
	"tx-epoch 1\n"
	"tx-seq 1\n"
	"tx-key " K16 "\n"
	"tx-iv 01020304\n"
	"rx-epoch 1\n"
	"rx-seq 7\n"
	"rx-key " K16B "\n"
	"rx-iv A1B2C3D4   \n";

static const char file13[] =
	"version 1.3\n"
	"cipher aes-128-gcm\n"
	"peer [2001:db8::1]:5684\n"
	"tx-epoch 3\n"
	"tx-seq 0\n"
	"tx-key " K16 "\n"
	"tx-iv 000102030405060708090a0b\n"
	"tx-sn-key " K16B "\n"
	"rx-epoch 3\n"
	"rx-seq 281474976710655\n"
	"rx-key " K16B "\n"
	"rx-iv 0b0a09080706050403020100\n"
	"rx-sn-key " K16 "\n"
	"tx-cid 6162\n"
	"rx-cid 0102030405060708\n";

static int parse_str(const char *text, struct m2msec_keyfile *kf, char *err,
		     size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	if (!f)
		return -ENOMEM;
	ret = m2msec_keyfile_parse(f, "t.key", kf, err, errlen);
	fclose(f);
	return ret;
}

/* @text with the line starting with @name replaced by @repl ("" drops it). */
static char *variant(const char *text, const char *name, const char *repl)
{
	static char out[4096];
	const char *l, *nl;
	size_t n = 0, len = strlen(name);

	for (l = text; *l; l = nl + 1) {
		nl = strchr(l, '\n');
		if (!strncmp(l, name, len) && l[len] == ' ')
			n += snprintf(out + n, sizeof(out) - n, "%s", repl);
		else
			n += snprintf(out + n, sizeof(out) - n, "%.*s",
				      (int)(nl - l + 1), l);
	}
	return out;
}

static int all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return 0;
	return 1;
}

static void test_valid(void)
{
	struct m2msec_keyfile kf;
	struct sockaddr_in *in;
	struct sockaddr_in6 *in6;
	char err[256];
	int ret, ok;

	ret = parse_str(file12, &kf, err, sizeof(err));
	in = (struct sockaddr_in *)&kf.peer;
	ok = !ret && kf.version == M2MSEC_DTLS_1_2 &&
		kf.cipher == M2MSEC_CIPHER_AES_128_CCM_8 &&
		kf.peer_len == sizeof(*in) && in->sin_family == AF_INET &&
		ntohs(in->sin_port) == 5684 &&
		in->sin_addr.s_addr == htonl(0xc0000201) &&
		kf.local_len == sizeof(*in) &&
		kf.tx.epoch == 1 && kf.tx.seq == 1 && kf.rx.seq == 7 &&
		kf.tx.key_len == 16 && kf.tx.key[15] == 0x0f &&
		kf.rx.key[0] == 0xf0 && kf.tx.iv_len == 4 &&
		kf.rx.iv[0] == 0xa1 && kf.rx.iv[3] == 0xd4 &&
		!kf.tx.sn_key_len && !kf.tx_cid_len && !kf.rx_cid_len;
	if (ret)
		ktap_diag("%s", err);
	ktap_result(ok, "keyfile: a DTLS 1.2 AES-128-CCM-8 file with comments, blank lines, upper-case hex and trailing blanks parses to the expected values");

	ret = parse_str(file13, &kf, err, sizeof(err));
	in6 = (struct sockaddr_in6 *)&kf.peer;
	ok = !ret && kf.version == M2MSEC_DTLS_1_3 &&
		kf.cipher == M2MSEC_CIPHER_AES_128_GCM &&
		kf.peer_len == sizeof(*in6) && in6->sin6_family == AF_INET6 &&
		ntohs(in6->sin6_port) == 5684 && !kf.local_len &&
		kf.tx.epoch == 3 && kf.tx.seq == 0 &&
		kf.rx.seq == M2MSEC_KF_SEQ_MAX && kf.tx.iv_len == 12 &&
		kf.tx.sn_key_len == 16 && kf.rx.sn_key[0] == 0x00 &&
		kf.tx.sn_key[0] == 0xf0 && kf.tx_cid_len == 2 &&
		kf.tx_cid[0] == 'a' && kf.rx_cid_len == 8 &&
		kf.rx_cid[7] == 8;
	if (ret)
		ktap_diag("%s", err);
	ktap_result(ok, "keyfile: a DTLS 1.3 AES-128-GCM file with an IPv6 peer, record number keys and both CIDs parses to the expected values");
}

static void test_roundtrip(const char *text, const char *what)
{
	struct m2msec_keyfile a, b;
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ok;

	ok = !parse_str(text, &a, err, sizeof(err));
	f = open_memstream(&buf, &len);
	ok = ok && f && !m2msec_keyfile_write(f, &a);
	if (f)
		fclose(f);
	ok = ok && !parse_str(buf, &b, err, sizeof(err));
	ok = ok && a.version == b.version && a.cipher == b.cipher &&
		a.peer_len == b.peer_len &&
		!memcmp(&a.peer, &b.peer, a.peer_len) &&
		a.local_len == b.local_len &&
		!memcmp(&a.local, &b.local, a.local_len) &&
		!memcmp(&a.tx, &b.tx, sizeof(a.tx)) &&
		!memcmp(&a.rx, &b.rx, sizeof(a.rx)) &&
		a.tx_cid_len == b.tx_cid_len && a.rx_cid_len == b.rx_cid_len &&
		!memcmp(a.tx_cid, b.tx_cid, a.tx_cid_len) &&
		!memcmp(a.rx_cid, b.rx_cid, a.rx_cid_len);
	if (!ok && buf)
		ktap_diag("written:\n%s", buf);
	free(buf);
	ktap_result(ok, "keyfile: a written %s file parses back to the same association", what);
}

struct bad_case {
	const char *what;
	const char *name;	/* line to replace */
	const char *repl;
	const char *msg;	/* expected in the message */
	int v13;
};

static const struct bad_case bad[] = {
	{ "an unknown name", "local", "lokal 0.0.0.0:1\n", "t.key:5: unknown name 'lokal'", 0 },
	{ "a repeated name", "rx-seq", "rx-seq 1\ntx-seq 2\n", "t.key:13: 'tx-seq' repeated (first set on line 8)", 0 },
	{ "odd hex", "tx-key", "tx-key 0001020\n", "t.key:9: tx-key must be an even number of hex digits", 0 },
	{ "a non-hex digit", "rx-iv", "rx-iv 0102030g\n", "t.key:14: rx-iv must be an even number of hex digits", 0 },
	{ "a 32-byte key for an AES-128 cipher", "tx-key", "tx-key " K16 K16 "\n", "t.key:9: tx-key has 32 bytes; AES-128-CCM-8 needs 16", 0 },
	{ "a 12-byte IV for DTLS 1.2 CCM", "rx-iv", "rx-iv 000102030405060708090a0b\n", "t.key:14: rx-iv has 12 bytes; AES-128-CCM-8 with DTLS 1.2 needs 4", 0 },
	{ "ChaCha20-Poly1305 but 16-byte keys", "cipher", "cipher CHACHA20-POLY1305\n", "tx-key has 16 bytes; CHACHA20-POLY1305 needs 32", 0 },
	{ "a record number key in DTLS 1.2", "rx-iv", "rx-iv 01020304\nrx-sn-key " K16 "\n", "t.key:15: rx-sn-key is for DTLS 1.3 only", 0 },
	{ "a missing record number key in DTLS 1.3", "rx-sn-key", "", "t.key: 'rx-sn-key' is missing (DTLS 1.3 needs it)", 1 },
	{ "a record number key shorter than the AEAD key", "tx-sn-key", "tx-sn-key 0001\n", "t.key:8: tx-sn-key has 2 bytes; AES-128-GCM needs 16", 1 },
	{ "a 4-byte IV in DTLS 1.3", "tx-iv", "tx-iv 00010203\n", "t.key:7: tx-iv has 4 bytes; AES-128-GCM with DTLS 1.3 needs 12", 1 },
	{ "version 1.1", "version", "version 1.1\n", "t.key:2: version must be 1.2 or 1.3", 0 },
	{ "an unknown cipher", "cipher", "cipher AES-128-CBC\n", "t.key:3: unknown cipher 'AES-128-CBC'", 0 },
	{ "a peer without a port", "peer", "peer 192.0.2.1\n", "t.key:4: peer '192.0.2.1' is not ADDR:PORT", 0 },
	{ "a peer with port 0", "peer", "peer 192.0.2.1:0\n", "t.key:4: peer", 0 },
	{ "a peer with port 70000", "peer", "peer 192.0.2.1:70000\n", "t.key:4: peer", 0 },
	{ "a peer given as a host name", "peer", "peer localhost:5684\n", "t.key:4: peer", 0 },
	{ "an IPv6 peer without brackets", "peer", "peer [2001:db8::1:5684\n", "t.key:4: peer", 0 },
	{ "a missing tx-key", "tx-key", "", "t.key: 'tx-key' is missing", 0 },
	{ "a missing peer", "peer", "", "t.key: 'peer' is missing", 0 },
	{ "a sequence number above 2^48-1", "tx-seq", "tx-seq 281474976710656\n", "t.key:8: tx-seq must be a number 0..2^48-1", 0 },
	{ "a negative sequence number", "rx-seq", "rx-seq -1\n", "t.key:12: rx-seq must be a number", 0 },
	{ "epoch 0", "rx-epoch", "rx-epoch 0\n", "t.key:11: rx-epoch must be a number from 1", 0 },
	{ "a DTLS 1.2 epoch above 65535", "tx-epoch", "tx-epoch 65536\n", "t.key:7: tx-epoch 65536 does not fit DTLS 1.2's 16-bit epoch", 0 },
	{ "two values on one line", "tx-seq", "tx-seq 1 2\n", "t.key:8: expected 'name value'", 0 },
	{ "a name without value", "tx-seq", "tx-seq\n", "t.key:8: expected 'name value'", 0 },
	{ "a CID longer than 32 bytes", "tx-cid", "tx-cid " K16 K16 "00\n", "t.key:14: tx-cid must be 1..32 bytes", 1 },
	{ "an IPv4 local address with an IPv6 peer", "tx-epoch", "local 127.0.0.1:1\ntx-epoch 3\n", "t.key:4: local and peer must be of the same address family", 1 },
};

static void test_bad(const struct bad_case *c)
{
	struct m2msec_keyfile kf;
	char err[256];
	int ret;

	ret = parse_str(variant(c->v13 ? file13 : file12, c->name, c->repl),
			&kf, err, sizeof(err));
	if (ret != -EINVAL || !strstr(err, c->msg))
		ktap_diag("got %d '%s', wanted '%s'", ret, err, c->msg);
	ktap_result(ret == -EINVAL && strstr(err, c->msg) &&
		    all_zero(&kf, sizeof(kf)),
		    "keyfile: DTLS %s with %s is rejected with '%s' and the result is wiped",
		    c->v13 ? "1.3" : "1.2", c->what, c->msg);
}

static void test_long_line(void)
{
	struct m2msec_keyfile kf;
	char text[2100], err[256];
	int ret;

	memset(text, 'a', sizeof(text) - 2);
	memcpy(text, "# ", 2);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	ret = parse_str(text, &kf, err, sizeof(err));
	ktap_result(ret == -E2BIG && strstr(err, "t.key:1: line longer than 1023 bytes"),
		    "keyfile: a line longer than 1023 bytes is rejected with its line number");
}

static void test_load_missing(void)
{
	struct m2msec_keyfile kf;
	char err[256];
	int ret;

	ret = m2msec_keyfile_load("/nonexistent/m2msec.key", &kf, err,
				  sizeof(err));
	ktap_result(ret == -ENOENT && strstr(err, "/nonexistent/m2msec.key: No such file"),
		    "keyfile: loading a missing file fails with ENOENT and names the file");
}

static void test_payloads(void)
{
	uint8_t buf[M2MSEC_KF_PAYLOAD_MAX];
	struct m2msec_key_payload h;
	struct m2msec_keyfile kf;
	char err[256];
	size_t len;
	int ok;

	ok = !parse_str(file12, &kf, err, sizeof(err));
	len = m2msec_kf_dir_payload(&kf.rx, buf);
	memcpy(&h, buf, sizeof(h));
	ok = ok && len == sizeof(h) + 16 + 4 &&
		!m2msec_key_payload_check(buf, len) &&
		h.kind == M2MSEC_KEY_RECORD && h.key_len == 16 &&
		h.iv_len == 4 && !h.sn_key_len && !h.id_len &&
		!memcmp(buf + sizeof(h), kf.rx.key, 16) &&
		!memcmp(buf + sizeof(h) + 16, kf.rx.iv, 4);
	ktap_result(ok, "keyfile: the DTLS 1.2 RX key payload is key||salt with a valid header (module validator accepts it)");

	ok = !parse_str(file13, &kf, err, sizeof(err));
	len = m2msec_kf_dir_payload(&kf.tx, buf);
	memcpy(&h, buf, sizeof(h));
	ok = ok && len == sizeof(h) + 16 + 12 + 16 &&
		!m2msec_key_payload_check(buf, len) &&
		h.key_len == 16 && h.iv_len == 12 && h.sn_key_len == 16 &&
		!memcmp(buf + sizeof(h), kf.tx.key, 16) &&
		!memcmp(buf + sizeof(h) + 16, kf.tx.iv, 12) &&
		!memcmp(buf + sizeof(h) + 28, kf.tx.sn_key, 16);
	ktap_result(ok, "keyfile: the DTLS 1.3 TX key payload is key||iv||sn_key with a valid header (module validator accepts it)");
}

static int check_dir_nest(struct nlattr *nest, const struct m2msec_kf_dir *d,
			  uint32_t key)
{
	struct nlattr *tb[M2MSEC_A_DIR_MAX + 1];

	if (!nest || nla_parse_nested(tb, M2MSEC_A_DIR_MAX, nest, NULL) < 0)
		return 0;
	return tb[M2MSEC_A_DIR_EPOCH] && tb[M2MSEC_A_DIR_SEQ] &&
		tb[M2MSEC_A_DIR_KEY] &&
		nla_get_u64(tb[M2MSEC_A_DIR_EPOCH]) == d->epoch &&
		nla_get_u64(tb[M2MSEC_A_DIR_SEQ]) == d->seq &&
		nla_get_u32(tb[M2MSEC_A_DIR_KEY]) == key;
}

static void test_attrs(void)
{
	struct nlattr *tb[M2MSEC_A_MAX + 1];
	struct m2msec_keyfile kf;
	struct nl_msg *msg;
	char err[256];
	int ok;

	ok = !parse_str(file13, &kf, err, sizeof(err));
	msg = nlmsg_alloc();
	ok = ok && msg && !m2msec_assoc_put_attrs(msg, 7, &kf, 1001, 1002);
	ok = ok && nla_parse(tb, M2MSEC_A_MAX, nlmsg_attrdata(nlmsg_hdr(msg), 0),
			     nlmsg_attrlen(nlmsg_hdr(msg), 0), NULL) >= 0;
	ok = ok && tb[M2MSEC_A_SOCK_FD] && nla_get_u32(tb[M2MSEC_A_SOCK_FD]) == 7 &&
		tb[M2MSEC_A_ASSOC_VERSION] &&
		nla_get_u16(tb[M2MSEC_A_ASSOC_VERSION]) == M2MSEC_DTLS_1_3 &&
		tb[M2MSEC_A_ASSOC_CIPHER] &&
		nla_get_u32(tb[M2MSEC_A_ASSOC_CIPHER]) == M2MSEC_CIPHER_AES_128_GCM &&
		tb[M2MSEC_A_ASSOC_PEER] &&
		nla_len(tb[M2MSEC_A_ASSOC_PEER]) == sizeof(struct sockaddr_in6) &&
		!memcmp(nla_data(tb[M2MSEC_A_ASSOC_PEER]), &kf.peer,
			sizeof(struct sockaddr_in6)) &&
		check_dir_nest(tb[M2MSEC_A_ASSOC_TX], &kf.tx, 1001) &&
		check_dir_nest(tb[M2MSEC_A_ASSOC_RX], &kf.rx, 1002) &&
		tb[M2MSEC_A_ASSOC_TX_CID] && nla_len(tb[M2MSEC_A_ASSOC_TX_CID]) == 2 &&
		tb[M2MSEC_A_ASSOC_RX_CID] && nla_len(tb[M2MSEC_A_ASSOC_RX_CID]) == 8 &&
		!memcmp(nla_data(tb[M2MSEC_A_ASSOC_RX_CID]), kf.rx_cid, 8);
	ktap_result(ok, "keyfile: ASSOC_NEW carries SOCK_FD, VERSION (u16), CIPHER, PEER (sockaddr_in6), TX/RX nests (epoch, seq, key serial) and both CIDs");
	nlmsg_free(msg);

	ok = !parse_str(file12, &kf, err, sizeof(err));
	msg = nlmsg_alloc();
	ok = ok && msg && !m2msec_assoc_put_attrs(msg, 3, &kf, 1, 2);
	ok = ok && nla_parse(tb, M2MSEC_A_MAX, nlmsg_attrdata(nlmsg_hdr(msg), 0),
			     nlmsg_attrlen(nlmsg_hdr(msg), 0), NULL) >= 0;
	ok = ok && tb[M2MSEC_A_ASSOC_PEER] &&
		nla_len(tb[M2MSEC_A_ASSOC_PEER]) == sizeof(struct sockaddr_in) &&
		!tb[M2MSEC_A_ASSOC_TX_CID] && !tb[M2MSEC_A_ASSOC_RX_CID];
	ktap_result(ok, "keyfile: without CIDs ASSOC_NEW has no CID attributes and PEER is a sockaddr_in");
	nlmsg_free(msg);
}

static void test_add_keys(void)
{
	struct m2msec_keyfile kf;
	int32_t tx, rx;
	struct stat st;
	char err[256];
	int ret;

	if (!stat("/sys/module/m2msec", &st)) {
		ktap_skip("keyfile: add_key without the module fails with ENODEV (the module is loaded)");
		return;
	}
	parse_str(file12, &kf, err, sizeof(err));
	ret = m2msec_keyfile_add_keys(&kf, -2 /* process keyring */, &tx, &rx);
	ktap_result(ret == -ENODEV,
		    "keyfile: add_key without the module fails with ENODEV (unknown key type)");
	if (ret != -ENODEV)
		ktap_diag("add_key returned %d", ret);
}

int main(void)
{
	size_t i, nbad = sizeof(bad) / sizeof(bad[0]);

	ktap_plan(2 + 2 + nbad + 2 + 2 + 2 + 1);
	test_valid();
	test_roundtrip(file12, "DTLS 1.2");
	test_roundtrip(file13, "DTLS 1.3");
	for (i = 0; i < nbad; i++)
		test_bad(&bad[i]);
	test_long_line();
	test_load_missing();
	test_payloads();
	test_attrs();
	test_add_keys();
	return ktap_exit();
}
