// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecctl esprim ...: pairwise keys (keyring), sessions and counters
 * (generic netlink).  Key material is never printed: the kernel does not
 * hand it out, and "key list" reads only what /proc/keys shows.  It is
 * never taken from the command line either (every local user can read
 * /proc/PID/cmdline): "key add" reads it from a file or standard input.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/keyctl.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "ctl_util.h"
#include "ctl_esprim.h"
#include "lib/esprim.h"
#include "lib/secfile.h"

static int fail(const char *what, int err)
{
	if (err == EPERM || err == -EPERM)
		fprintf(stderr, "%s: permission denied: this command needs CAP_NET_ADMIN in the network namespace\n",
			what);
	else
		fprintf(stderr, "%s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

/* --- keys ----------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read all of @fd into @buf (at most @size bytes); -1 if there is more. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	while (got < size) {
		n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			return got;
		got += n;
	}
	errno = EFBIG;
	return -1;
}

/* 32..128 hex digits and at most one newline after them. */
static int key_parse(const char *buf, size_t n, unsigned char *key,
		     size_t *len)
{
	size_t i;

	if (n && buf[n - 1] == '\n')
		n--;
	if (n % 2 || n / 2 < 16 || n / 2 > 64)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval(buf[2 * i]), lo = hexval(buf[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		key[i] = hi << 4 | lo;
	}
	*len = n / 2;
	return 0;
}

/*
 * The key from @src: a file ("-": standard input) holding it in hex.  A
 * file must be a regular file of root or of the caller that group and
 * other cannot write, checked on the opened descriptor
 * (m2msec_file_open()).  Return: 0, or 1 after a message.
 */
static int key_read(const char *src, unsigned char *key, size_t *len)
{
	int fd = STDIN_FILENO, ret = 1;
	char buf[2 * 64 + 2], why[512];
	ssize_t n;

	if (strcmp(src, "-")) {
		errno = 0;
		fd = m2msec_file_open(src, 0, why, sizeof(why));
		if (fd < 0) {
			fprintf(stderr, "esprim key add: %s%s\n", why,
				errno == ENOENT ? " (the key is read from a file or from standard input, \"-\", never taken from the command line)" : "");
			return 1;
		}
	}
	n = read_all(fd, buf, sizeof(buf));
	if (n < 0)
		fprintf(stderr, "esprim key add: %s: %s\n", src,
			errno == EFBIG ? "more than a key" : strerror(errno));
	else if (key_parse(buf, n, key, len))
		fprintf(stderr, "esprim key add: %s: expected 32 to 128 hex digits (16 to 64 bytes) and nothing else\n",
			src);
	else
		ret = 0;
	explicit_bzero(buf, sizeof(buf));
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}

static int key_add(int argc, char **argv)
{
	unsigned char key[64];
	int32_t ring = ESPRIM_KEYRING_USER, serial;
	long timeout = 0;
	size_t n = 0;
	int a;

	if (argc < 3)
		goto usage;
	for (a = 3; a + 1 < argc; a += 2) {
		if (!strcmp(argv[a], "--keyring")) {
			if (!strcmp(argv[a + 1], "user"))
				ring = ESPRIM_KEYRING_USER;
			else if (!strcmp(argv[a + 1], "session"))
				ring = ESPRIM_KEYRING_SESSION;
			else if (!strcmp(argv[a + 1], "process"))
				ring = ESPRIM_KEYRING_PROCESS;
			else
				goto usage;
		} else if (!strcmp(argv[a], "--timeout")) {
			timeout = strtol(argv[a + 1], NULL, 10);
			if (timeout <= 0)
				goto usage;
		} else {
			goto usage;
		}
	}
	if (a != argc)
		goto usage;
	if (key_read(argv[1], key, &n)) {
		explicit_bzero(key, sizeof(key));
		return 1;
	}
	serial = esprim_key_add(argv[0], key, n, argv[2], ring);
	explicit_bzero(key, sizeof(key));
	if (serial < 0)
		return fail("esprim key add", errno);
	if (timeout && syscall(SYS_keyctl, KEYCTL_SET_TIMEOUT, serial, timeout))
		return fail("esprim key add: timeout", errno);
	printf("%d\n", serial);
	return 0;
usage:
	explicit_bzero(key, sizeof(key));
	fprintf(stderr, "esprim key add: expected KID KEYFILE|- IDENTITY [--keyring user|session|process] [--timeout SECONDS]\n");
	return 2;
}

static int key_del(int argc, char **argv)
{
	char *end;
	long serial;

	if (argc != 1)
		goto usage;
	serial = strtol(argv[0], &end, 0);
	if (*end || serial <= 0)
		goto usage;
	if (syscall(SYS_keyctl, KEYCTL_INVALIDATE, serial))
		return fail("esprim key del", errno);
	return 0;
usage:
	fprintf(stderr, "esprim key del: expected a key SERIAL\n");
	return 2;
}

/* /proc/keys: "serial flags usage expiry perm uid gid type desc: extra" */
static int key_list(int json)
{
	struct json_object *arr = json_object_new_array();
	char line[1024], expiry[32], type[64], desc[512];
	unsigned int kind, klen, ivlen, snlen, idlen;
	unsigned long serial;
	FILE *f = fopen("/proc/keys", "r");
	size_t i;

	if (!f)
		return fail("esprim key list: /proc/keys", errno);
	while (fgets(line, sizeof(line), f)) {
		struct json_object *o;

		if (sscanf(line, "%lx %*s %*s %31s %*s %*s %*s %63s %511[^\n]",
			   &serial, expiry, type, desc) != 4 ||
		    strcmp(type, M2MSEC_KEY_TYPE))
			continue;
		/* desc is "KID: kind K key N iv N sn N id N" */
		{
			char *colon = strstr(desc, ": kind ");

			if (!colon || sscanf(colon, ": kind %u key %u iv %u sn %u id %u",
					     &kind, &klen, &ivlen, &snlen, &idlen) != 5 ||
			    kind != M2MSEC_KEY_ESPRIM_PAIRWISE)
				continue;
			*colon = 0;
		}
		o = json_object_new_object();
		json_object_object_add(o, "serial", json_object_new_int64(serial));
		json_object_object_add(o, "kid", json_object_new_string(desc));
		json_object_object_add(o, "key_len", json_object_new_int(klen));
		json_object_object_add(o, "identity_len", json_object_new_int(idlen));
		json_object_object_add(o, "expiry", json_object_new_string(expiry));
		json_object_array_add(arr, o);
	}
	fclose(f);
	if (json) {
		ctl_print_json(arr);
	} else {
		for (i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *o = json_object_array_get_idx(arr, i), *v;

			json_object_object_get_ex(o, "serial", &v);
			printf("%-10s", json_object_get_string(v));
			json_object_object_get_ex(o, "kid", &v);
			printf(" kid %s", json_object_get_string(v));
			json_object_object_get_ex(o, "key_len", &v);
			printf(" key %s bytes", json_object_get_string(v));
			json_object_object_get_ex(o, "expiry", &v);
			printf(" expiry %s\n", json_object_get_string(v));
		}
	}
	json_object_put(arr);
	return 0;
}

/* --- counters --------------------------------------------------------- */

static const char *const stat_names[] = {
	[M2MSEC_A_ESPRIM_STAT_PROTECT_OK] = "protect_ok",
	[M2MSEC_A_ESPRIM_STAT_UNPROTECT_OK] = "unprotect_ok",
	[M2MSEC_A_ESPRIM_STAT_BAD_REQUEST] = "bad_request",
	[M2MSEC_A_ESPRIM_STAT_OVERSIZE] = "oversize",
	[M2MSEC_A_ESPRIM_STAT_UNSUPPORTED] = "unsupported_option",
	[M2MSEC_A_ESPRIM_STAT_UNKNOWN_KID] = "unknown_key_id",
	[M2MSEC_A_ESPRIM_STAT_UNKNOWN_ORI] = "unknown_orig_rand_id",
	[M2MSEC_A_ESPRIM_STAT_UNKNOWN_RRI] = "unknown_recv_rand_id",
	[M2MSEC_A_ESPRIM_STAT_BAD_MAC] = "bad_mac",
	[M2MSEC_A_ESPRIM_STAT_NOT_FOUND] = "no_session",
	[M2MSEC_A_ESPRIM_STAT_DECRYPT_ERR] = "decryption_error",
	[M2MSEC_A_ESPRIM_STAT_ENCRYPT_ERR] = "encryption_error",
	[M2MSEC_A_ESPRIM_STAT_SESSIONS_ADDED] = "sessions_added",
	[M2MSEC_A_ESPRIM_STAT_SESSIONS_LEARNED] = "sessions_learned",
	[M2MSEC_A_ESPRIM_STAT_SESSIONS_KEY_ENDED] = "sessions_key_ended",
	[M2MSEC_A_ESPRIM_STAT_SESSIONS_EXPIRED] = "sessions_expired",
	[M2MSEC_A_ESPRIM_STAT_RANDS_LEARNED] = "rands_learned",
	[M2MSEC_A_ESPRIM_STAT_REFUSED] = "setsockopt_refused",
};

static int stats_cb(struct nlattr **tb, void *arg)
{
	struct json_object *o = arg;
	struct nlattr *a;
	int rem;

	if (!tb[M2MSEC_A_ESPRIM_STATS])
		return -EBADMSG;
	nla_for_each_nested(a, tb[M2MSEC_A_ESPRIM_STATS], rem) {
		int t = nla_type(a);

		if (t > 0 && t <= M2MSEC_A_ESPRIM_STAT_MAX && stat_names[t])
			json_object_object_add(o, stat_names[t],
				json_object_new_int64(nla_get_u64(a)));
	}
	return 0;
}

static int stats(struct m2msec_genl *g, int json)
{
	struct json_object *o = json_object_new_object();
	int err;

	err = m2msec_genl_call(g, m2msec_genl_msg(g, M2MSEC_CMD_ESPRIM_GET_STATS),
			       stats_cb, o);
	if (!err) {
		if (json) {
			ctl_print_json(o);
		} else {
			json_object_object_foreach(o, k, v)
				printf("%-22s %s\n", k, json_object_get_string(v));
		}
	}
	json_object_put(o);
	return err ? fail("esprim stats", err) : 0;
}

/* --- sessions --------------------------------------------------------- */

struct dump {
	struct json_object *arr;
	int err, done;
};

static const char *alg_name(uint32_t alg)
{
	switch (alg) {
	case M2MSEC_ESPRIM_A128GCM: return "A128GCM";
	case M2MSEC_ESPRIM_A192GCM: return "A192GCM";
	case M2MSEC_ESPRIM_A256GCM: return "A256GCM";
	default: return "?";
	}
}

static void add_str(struct json_object *o, const char *k, struct nlattr *a)
{
	if (a)
		json_object_object_add(o, k, json_object_new_string_len(
				nla_data(a), nla_len(a)));
}

static int session_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[M2MSEC_A_MAX + 1], *s[M2MSEC_A_ESPRIM_SESS_MAX + 1];
	struct dump *d = arg;
	struct json_object *o;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, M2MSEC_A_MAX, NULL) < 0 ||
	    !tb[M2MSEC_A_ESPRIM_SESSION] ||
	    nla_parse_nested(s, M2MSEC_A_ESPRIM_SESS_MAX,
			     tb[M2MSEC_A_ESPRIM_SESSION], NULL) < 0) {
		d->err = -EBADMSG;
		return NL_STOP;
	}
	o = json_object_new_object();
	if (s[M2MSEC_A_ESPRIM_SESS_SOCK_INO])
		json_object_object_add(o, "socket", json_object_new_int64(
			nla_get_u64(s[M2MSEC_A_ESPRIM_SESS_SOCK_INO])));
	if (s[M2MSEC_A_ESPRIM_SESS_ID])
		json_object_object_add(o, "id", json_object_new_int64(
			nla_get_u32(s[M2MSEC_A_ESPRIM_SESS_ID])));
	add_str(o, "kid", s[M2MSEC_A_ESPRIM_SESS_KID]);
	if (s[M2MSEC_A_ESPRIM_SESS_KEY])
		json_object_object_add(o, "key", json_object_new_int64(
			nla_get_u32(s[M2MSEC_A_ESPRIM_SESS_KEY])));
	add_str(o, "identity", s[M2MSEC_A_ESPRIM_SESS_PEER_ID]);
	if (s[M2MSEC_A_ESPRIM_SESS_ALG])
		json_object_object_add(o, "enc", json_object_new_string(alg_name(
			nla_get_u32(s[M2MSEC_A_ESPRIM_SESS_ALG]))));
	add_str(o, "rri", s[M2MSEC_A_ESPRIM_SESS_RRI]);
	add_str(o, "ori", s[M2MSEC_A_ESPRIM_SESS_ORI]);
	if (s[M2MSEC_A_ESPRIM_SESS_EXPIRY_MS])
		json_object_object_add(o, "expiry_ms", json_object_new_int64(
			nla_get_u64(s[M2MSEC_A_ESPRIM_SESS_EXPIRY_MS])));
	json_object_object_add(o, "learned", json_object_new_boolean(
		!!s[M2MSEC_A_ESPRIM_SESS_LEARNED]));
	if (s[M2MSEC_A_ESPRIM_SESS_PROTECTED])
		json_object_object_add(o, "protected", json_object_new_int64(
			nla_get_u64(s[M2MSEC_A_ESPRIM_SESS_PROTECTED])));
	if (s[M2MSEC_A_ESPRIM_SESS_UNPROTECTED])
		json_object_object_add(o, "unprotected", json_object_new_int64(
			nla_get_u64(s[M2MSEC_A_ESPRIM_SESS_UNPROTECTED])));
	json_object_array_add(d->arr, o);
	return NL_OK;
}

static int dump_finish(struct nl_msg *msg, void *arg)
{
	struct dump *d = arg;

	(void)msg;
	d->done = 1;
	return NL_STOP;
}

static int dump_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct dump *d = arg;

	(void)nla;
	d->err = e->error;
	d->done = 1;
	return NL_STOP;
}

static int session_list(struct m2msec_genl *g, int json)
{
	struct dump d = { .arr = json_object_new_array() };
	struct nl_msg *msg = m2msec_genl_msg(g, M2MSEC_CMD_ESPRIM_SESSION_GET);
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	size_t i;

	if (!msg || !cb) {
		nlmsg_free(msg);
		nl_cb_put(cb);
		return fail("esprim session list", ENOMEM);
	}
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_DUMP;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, session_cb, &d);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, dump_finish, &d);
	nl_cb_err(cb, NL_CB_CUSTOM, dump_error, &d);
	if (nl_send_auto(g->sock, msg) < 0)
		d.err = -EIO;
	nlmsg_free(msg);
	while (!d.done && !d.err)
		if (nl_recvmsgs(g->sock, cb) < 0 && !d.err)
			d.err = -EIO;
	nl_cb_put(cb);
	if (d.err) {
		json_object_put(d.arr);
		return fail("esprim session list", d.err);
	}
	if (json) {
		ctl_print_json(d.arr);
	} else {
		for (i = 0; i < json_object_array_length(d.arr); i++) {
			struct json_object *o = json_object_array_get_idx(d.arr, i);
			struct json_object *v;
			static const char *const keys[] = {
				"socket", "id", "kid", "identity", "enc", "rri",
				"ori", "expiry_ms", "learned", "protected",
				"unprotected",
			};
			size_t k;

			for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				if (json_object_object_get_ex(o, keys[k], &v))
					printf("%s%s %s", k ? " " : "", keys[k],
					       json_object_get_string(v));
			putchar('\n');
		}
	}
	json_object_put(d.arr);
	return 0;
}

int ctl_esprim(int json, int argc, char **argv)
{
	struct m2msec_genl g;
	int ret, i;

	/* "-j" is also accepted after the subcommand. */
	for (i = 0; i < argc; i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = 1;
			memmove(&argv[i], &argv[i + 1], (argc - i - 1) * sizeof(*argv));
			argc--;
			i--;
		}
	if (argc >= 2 && !strcmp(argv[0], "key")) {
		if (!strcmp(argv[1], "add"))
			return key_add(argc - 2, argv + 2);
		if (!strcmp(argv[1], "del"))
			return key_del(argc - 2, argv + 2);
		if (!strcmp(argv[1], "list") && argc == 2)
			return key_list(json);
	} else if ((argc == 2 && !strcmp(argv[0], "session") &&
		    !strcmp(argv[1], "list")) ||
		   (argc == 1 && !strcmp(argv[0], "stats"))) {
		if (m2msec_genl_open(&g))
			return 1;
		ret = argc == 1 ? stats(&g, json) : session_list(&g, json);
		m2msec_genl_close(&g);
		return ret;
	}
	fprintf(stderr, "esprim: unknown or incomplete subcommand (see m2msecctl --help)\n");
	return 2;
}
