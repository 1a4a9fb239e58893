// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecctl assoc show / stats: DTLS associations and record-layer
 * counters over generic netlink.  Key material is never part of a dump.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <json-c/json.h>
#include <netlink/attr.h>
#include <netlink/netlink.h>

#include "ctl_util.h"
#include "ctl_dtls.h"
#include "lib/m2msec.h"

static const char *const stat_names[M2MSEC_A_STAT_MAX + 1] = {
	[M2MSEC_A_STAT_RX_RECORDS] = "rx_records",
	[M2MSEC_A_STAT_RX_BYTES] = "rx_bytes",
	[M2MSEC_A_STAT_TX_RECORDS] = "tx_records",
	[M2MSEC_A_STAT_TX_BYTES] = "tx_bytes",
	[M2MSEC_A_STAT_AUTH_FAIL] = "auth_fail",
	[M2MSEC_A_STAT_REPLAY] = "replay",
	[M2MSEC_A_STAT_HDR_ERR] = "hdr_err",
	[M2MSEC_A_STAT_NO_ASSOC] = "no_assoc",
	[M2MSEC_A_STAT_CTRL_QUEUED] = "ctrl_queued",
	[M2MSEC_A_STAT_CTRL_DROP] = "ctrl_drop",
	[M2MSEC_A_STAT_LIMIT] = "limit",
	[M2MSEC_A_STAT_OLD_EPOCH] = "old_epoch",
	[M2MSEC_A_STAT_TX_ERR] = "tx_err",
	[M2MSEC_A_STAT_RX_QUEUE_DROP] = "rx_queue_drop",
	/* Namespace only: the handshake upcall. */
	[M2MSEC_A_STAT_HS_CREATED] = "hs_created",
	[M2MSEC_A_STAT_HS_ACCEPTED] = "hs_accepted",
	[M2MSEC_A_STAT_HS_COMPLETED] = "hs_completed",
	[M2MSEC_A_STAT_HS_FAILED] = "hs_failed",
	[M2MSEC_A_STAT_HS_TIMEOUT] = "hs_timeout",
	[M2MSEC_A_STAT_HS_RATELIMITED] = "hs_ratelimited",
	[M2MSEC_A_STAT_HS_DROPPED] = "hs_dropped",
	[M2MSEC_A_STAT_HS_PENDING] = "hs_pending",
	[M2MSEC_A_STAT_HS_HELLO_QUEUED] = "hs_hello_queued",
	[M2MSEC_A_STAT_HS_HELLO_DROPPED] = "hs_hello_dropped",
	[M2MSEC_A_STAT_HS_HELLO_PENDING] = "hs_hello_pending",
	[M2MSEC_A_STAT_HS_CLAIMED] = "hs_claimed",
	/* Namespace only: peers of CID associations that moved. */
	[M2MSEC_A_STAT_PEER_MOVED] = "peer_moved",
	[M2MSEC_A_STAT_PEER_MOVE_REFUSED] = "peer_move_refused",
	[M2MSEC_A_STAT_INTEGRITY_CLOSED] = "integrity_closed",
	[M2MSEC_A_STAT_KEY_UPDATE_LIMITED] = "key_update_limited",
};

static const char *const cipher_names[M2MSEC_CIPHER_MAX + 1] = {
	[M2MSEC_CIPHER_AES_128_GCM] = "AES-128-GCM",
	[M2MSEC_CIPHER_AES_256_GCM] = "AES-256-GCM",
	[M2MSEC_CIPHER_CHACHA20_POLY1305] = "CHACHA20-POLY1305",
	[M2MSEC_CIPHER_AES_128_CCM] = "AES-128-CCM",
	[M2MSEC_CIPHER_AES_128_CCM_8] = "AES-128-CCM-8",
};

/* IANA names of the suites the module's ciphers serve. */
static const struct {
	uint16_t id;
	const char *name;
} suite_names[] = {
	{ 0x00a8, "TLS_PSK_WITH_AES_128_GCM_SHA256" },
	{ 0x00a9, "TLS_PSK_WITH_AES_256_GCM_SHA384" },
	{ 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
	{ 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
	{ 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
	{ 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
	{ 0xc0a4, "TLS_PSK_WITH_AES_128_CCM" },
	{ 0xc0a8, "TLS_PSK_WITH_AES_128_CCM_8" },
	{ 0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM" },
	{ 0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8" },
	{ 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256" },
	{ 0x1301, "TLS_AES_128_GCM_SHA256" },
	{ 0x1302, "TLS_AES_256_GCM_SHA384" },
	{ 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
	{ 0x1304, "TLS_AES_128_CCM_SHA256" },
	{ 0x1305, "TLS_AES_128_CCM_8_SHA256" },
};

static struct json_object *suite_json(struct nlattr *attr)
{
	uint16_t id = nla_get_u16(attr);
	char buf[16];
	size_t i;

	for (i = 0; i < sizeof(suite_names) / sizeof(suite_names[0]); i++)
		if (suite_names[i].id == id)
			return json_object_new_string(suite_names[i].name);
	snprintf(buf, sizeof(buf), "0x%04x", id);
	return json_object_new_string(buf);
}

/**
 * ctl_cipher_name() - printable name of an enum m2msec_cipher value
 * @cipher: the value
 *
 * Return: a static string, "unknown" for values this tool does not know.
 */
const char *ctl_cipher_name(uint32_t cipher)
{
	return cipher <= M2MSEC_CIPHER_MAX && cipher_names[cipher] ?
	       cipher_names[cipher] : "unknown";
}

static struct json_object *stats_json(struct nlattr *nest)
{
	struct json_object *o = json_object_new_object();
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) <= M2MSEC_A_STAT_MAX && stat_names[nla_type(a)])
			json_object_object_add(o, stat_names[nla_type(a)],
				json_object_new_int64((int64_t)nla_get_u64(a)));
	return o;
}

static struct json_object *hex_json(struct nlattr *attr)
{
	const unsigned char *p = nla_data(attr);
	char buf[2 * M2MSEC_CID_MAX + 1];
	int i, n = nla_len(attr) > M2MSEC_CID_MAX ? M2MSEC_CID_MAX :
						     nla_len(attr);

	for (i = 0; i < n; i++)
		snprintf(buf + 2 * i, 3, "%02x", p[i]);
	buf[2 * n] = 0;
	return json_object_new_string(buf);
}

static struct json_object *dir_json(struct nlattr *nest)
{
	struct nlattr *tb[M2MSEC_A_DIR_MAX + 1];
	struct json_object *o = json_object_new_object();

	if (nla_parse_nested(tb, M2MSEC_A_DIR_MAX, nest, NULL) < 0)
		return o;
	if (tb[M2MSEC_A_DIR_EPOCH])
		json_object_object_add(o, "epoch", json_object_new_int64(
			(int64_t)nla_get_u64(tb[M2MSEC_A_DIR_EPOCH])));
	if (tb[M2MSEC_A_DIR_SEQ])
		json_object_object_add(o, "seq", json_object_new_int64(
			(int64_t)nla_get_u64(tb[M2MSEC_A_DIR_SEQ])));
	return o;
}

static void add_if(struct json_object *o, const char *k, struct nlattr *a,
		   struct json_object *(*conv)(struct nlattr *))
{
	if (a)
		json_object_object_add(o, k, conv(a));
}

static int assoc_cb(struct nlattr **tb, void *arg)
{
	struct json_object *list = arg, *o = json_object_new_object();
	uint32_t cipher;

	if (!tb[M2MSEC_A_ASSOC_ID] || !tb[M2MSEC_A_ASSOC_VERSION] ||
	    !tb[M2MSEC_A_ASSOC_CIPHER]) {
		json_object_put(o);
		return -EBADMSG;
	}
	cipher = nla_get_u32(tb[M2MSEC_A_ASSOC_CIPHER]);
	json_object_object_add(o, "id", json_object_new_int64(
		nla_get_u32(tb[M2MSEC_A_ASSOC_ID])));
	json_object_object_add(o, "version", json_object_new_string(
		m2msec_dtls_version_name(nla_get_u16(tb[M2MSEC_A_ASSOC_VERSION]))));
	json_object_object_add(o, "cipher",
			       json_object_new_string(ctl_cipher_name(cipher)));
	add_if(o, "suite", tb[M2MSEC_A_ASSOC_SUITE], suite_json);
	add_if(o, "peer", tb[M2MSEC_A_ASSOC_PEER], ctl_addr_json);
	add_if(o, "local", tb[M2MSEC_A_ASSOC_LOCAL], ctl_addr_json);
	if (tb[M2MSEC_A_HS_PEER_ID])
		json_object_object_add(o, "peer_id", json_object_new_string(
			nla_get_string(tb[M2MSEC_A_HS_PEER_ID])));
	if (tb[M2MSEC_A_ASSOC_DRIVER])
		json_object_object_add(o, "driver", json_object_new_string(
			nla_get_string(tb[M2MSEC_A_ASSOC_DRIVER])));
	if (tb[M2MSEC_A_ASSOC_SOCK_INO])
		json_object_object_add(o, "socket", json_object_new_int64(
			(int64_t)nla_get_u64(tb[M2MSEC_A_ASSOC_SOCK_INO])));
	if (tb[M2MSEC_A_ASSOC_AGE_MS])
		json_object_object_add(o, "age_ms", json_object_new_int64(
			(int64_t)nla_get_u64(tb[M2MSEC_A_ASSOC_AGE_MS])));
	if (tb[M2MSEC_A_ASSOC_REPLAY_WINDOW])
		json_object_object_add(o, "replay_window", json_object_new_int64(
			nla_get_u32(tb[M2MSEC_A_ASSOC_REPLAY_WINDOW])));
	add_if(o, "tx_cid", tb[M2MSEC_A_ASSOC_TX_CID], hex_json);
	add_if(o, "rx_cid", tb[M2MSEC_A_ASSOC_RX_CID], hex_json);
	add_if(o, "tx", tb[M2MSEC_A_ASSOC_TX], dir_json);
	add_if(o, "rx", tb[M2MSEC_A_ASSOC_RX], dir_json);
	add_if(o, "stats", tb[M2MSEC_A_ASSOC_STATS], stats_json);
	json_object_array_add(list, o);
	return 0;
}

static const char *js(struct json_object *o, const char *path)
{
	struct json_object *v;

	return json_object_object_get_ex(o, path, &v) ?
		json_object_get_string(v) : "-";
}

static void print_stats_line(struct json_object *stats, const char *indent)
{
	int n = 0;

	printf("%s", indent);
	json_object_object_foreach(stats, k, v)
		printf("%s%s %s", n++ ? " " : "", k, json_object_get_string(v));
	putchar('\n');
}

static void print_assoc(struct json_object *o)
{
	struct json_object *tx, *rx, *stats;

	printf("assoc %s %s %s peer %s local %s age %sms\n", js(o, "id"),
	       js(o, "version"), js(o, "cipher"), js(o, "peer"),
	       js(o, "local"), js(o, "age_ms"));
	if (json_object_object_get_ex(o, "suite", NULL))
		printf("  suite %s\n", js(o, "suite"));
	if (json_object_object_get_ex(o, "peer_id", NULL))
		printf("  peer-id %s\n", js(o, "peer_id"));
	printf("  socket %s driver %s replay-window %s", js(o, "socket"),
	       js(o, "driver"), js(o, "replay_window"));
	if (json_object_object_get_ex(o, "tx_cid", NULL))
		printf(" tx-cid %s", js(o, "tx_cid"));
	if (json_object_object_get_ex(o, "rx_cid", NULL))
		printf(" rx-cid %s", js(o, "rx_cid"));
	putchar('\n');
	if (json_object_object_get_ex(o, "tx", &tx) &&
	    json_object_object_get_ex(o, "rx", &rx))
		printf("  tx epoch %s next-seq %s  rx epoch %s window-top %s\n",
		       js(tx, "epoch"), js(tx, "seq"), js(rx, "epoch"),
		       js(rx, "seq"));
	if (json_object_object_get_ex(o, "stats", &stats))
		print_stats_line(stats, "  ");
}

/*
 * m2msecctl assoc rekey|del ID [--socket INO]: the association is named by
 * its id in the namespace (CAP_NET_ADMIN); an id several sockets use needs
 * the socket's inode ("socket" in assoc show).
 */
static int assoc_by_id(struct m2msec_genl *g, int cmd, const char *what,
		       int argc, char **argv)
{
	unsigned long long ino = 0;
	unsigned long id;
	struct nl_msg *msg;
	char *end;
	int err;

	if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "--socket"))) {
		fprintf(stderr, "assoc %s: usage: m2msecctl assoc %s ID [--socket INODE]\n",
			what, what);
		return 2;
	}
	errno = 0;
	id = strtoul(argv[1], &end, 0);
	if (errno || *end || !id || id > UINT32_MAX) {
		fprintf(stderr, "assoc %s: '%s' is not an association id\n",
			what, argv[1]);
		return 2;
	}
	if (argc == 4) {
		ino = strtoull(argv[3], &end, 0);
		if (*end || !ino) {
			fprintf(stderr, "assoc %s: '%s' is not a socket inode number\n",
				what, argv[3]);
			return 2;
		}
	}
	msg = m2msec_genl_msg(g, cmd);
	if (!msg || nla_put_u32(msg, M2MSEC_A_ASSOC_ID, id) ||
	    (ino && nla_put_u64(msg, M2MSEC_A_ASSOC_SOCK_INO, ino))) {
		nlmsg_free(msg);
		return ctl_report(-ENOMEM, what);
	}
	err = m2msec_genl_call(g, msg, NULL, NULL);
	if (err == -EOPNOTSUPP && cmd == M2MSEC_CMD_ASSOC_REKEY)
		fprintf(stderr, "assoc rekey: %s: DTLS 1.2 has no key update; delete the association for a new handshake\n",
			strerror(-err));
	else if (err == -ENOTCONN)
		fprintf(stderr, "assoc rekey: %s: no handshake daemon holds this association's control channel (static keying, or m2msecd restarted)\n",
			strerror(-err));
	else if (err == -ENOTUNIQ)
		fprintf(stderr, "assoc %s: %s: several sockets have association %lu; add --socket INODE\n",
			what, strerror(-err), id);
	else
		return ctl_report(err, cmd == M2MSEC_CMD_ASSOC_REKEY ?
				  "assoc rekey" : "assoc del");
	return 1;
}

/**
 * ctl_assoc() - m2msecctl assoc show|rekey|del
 * @g: open generic netlink handle
 * @json: print JSON
 * @argc: arguments after "assoc"
 * @argv: they
 *
 * Return: exit status.
 */
int ctl_assoc(struct m2msec_genl *g, int json, int argc, char **argv)
{
	struct json_object *list;
	struct nl_msg *msg;
	size_t i;
	int err;

	if (argc > 0 && !strcmp(argv[0], "rekey"))
		return assoc_by_id(g, M2MSEC_CMD_ASSOC_REKEY, "rekey", argc,
				   argv);
	if (argc > 0 && !strcmp(argv[0], "del"))
		return assoc_by_id(g, M2MSEC_CMD_ASSOC_DEL, "del", argc, argv);
	if (argc > 0 && strcmp(argv[0], "show")) {
		fprintf(stderr, "assoc: unknown subcommand '%s' (see m2msecctl --help)\n",
			argv[0]);
		return 2;
	}
	msg = m2msec_genl_msg_flags(g, M2MSEC_CMD_ASSOC_GET, NLM_F_DUMP);
	if (!msg)
		return ctl_report(-ENOMEM, "assoc show");
	list = json_object_new_array();
	err = m2msec_genl_call(g, msg, assoc_cb, list);
	if (!err) {
		if (json)
			ctl_print_json(list);
		else
			for (i = 0; i < json_object_array_length(list); i++)
				print_assoc(json_object_array_get_idx(list, i));
	}
	json_object_put(list);
	return ctl_report(err, "assoc show");
}

static int stats_cb(struct nlattr **tb, void *arg)
{
	struct json_object **out = arg;

	if (!tb[M2MSEC_A_STATS])
		return -EBADMSG;
	*out = stats_json(tb[M2MSEC_A_STATS]);
	return 0;
}

/**
 * ctl_stats() - m2msecctl stats: record-layer counters of the namespace
 * @g: open generic netlink handle
 * @json: print JSON
 * @argc: unused
 * @argv: unused
 *
 * Return: exit status.
 */
int ctl_stats(struct m2msec_genl *g, int json, int argc, char **argv)
{
	struct json_object *stats = NULL;
	int err;

	(void)argc;
	(void)argv;
	err = m2msec_genl_call(g, m2msec_genl_msg(g, M2MSEC_CMD_GET_STATS),
			       stats_cb, &stats);
	if (!err) {
		if (json) {
			ctl_print_json(stats);
		} else {
			json_object_object_foreach(stats, k, v)
				printf("%s %s\n", k, json_object_get_string(v));
		}
	}
	json_object_put(stats);
	return ctl_report(err, "stats");
}
