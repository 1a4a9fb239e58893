// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecctl: configure and observe m2msec over generic netlink.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <netlink/attr.h>

#include "ctl_util.h"
#include "ctl_dtls.h"
#include "ctl_monitor.h"
#include "ctl_esprim.h"
#include "../kmod/version.h"
#include "lib/genl.h"
#include "lib/m2msec.h"
#include "lib/secfile.h"


struct opts {
	int json;
};

static void usage(FILE *f)
{
	fputs("Usage: m2msecctl [-j] [-h] [-V] COMMAND [ARGS]\n"
	      "\n"
	      "Configure and observe the m2msec kernel module (DTLS record layer and\n"
	      "oneM2M ESPrim offload) over its generic netlink family \"m2msec\".\n"
	      "\n"
	      "Commands:\n"
	      "  info                  module version, socket family number, DTLS\n"
	      "                        versions, record ciphers and the crypto driver\n"
	      "                        the kernel resolves for each\n"
	      "  config show           settings of this network namespace\n"
	      "  config set NAME VALUE [NAME VALUE]...\n"
	      "                        change settings (needs CAP_NET_ADMIN):\n"
	      "                          replay-window    64..65536, multiple of 64\n"
	      "                          ctrl-queue-max   1..4096\n"
	      "                          esprim-max-object 256..1048576\n"
	      "                          hs-sock-max      1..4096 unfinished handshakes per socket\n"
	      "                          hs-net-max       1..65536 unfinished handshakes\n"
	      "                          hs-timeout-ms    100..600000\n"
	      "                          hs-rate, hs-burst 1..1000000 new server handshakes\n"
	      "                                           per second and source, bucket depth\n"
	      "                          hs-queue-max     1..1024 datagrams per handshake\n"
	      "                          hs-hello-max     1..4096 first flights per listener\n"
	      "                          hs-hello-bytes   4096..4194304 memory per hello queue\n"
	      "                          hs-user-max      1..65536 unfinished connect()s per\n"
	      "                                           user without CAP_NET_ADMIN\n"
	      "                          assoc-sock-max   1..16777216 associations per socket\n"
	      "                          assoc-net-max    1..16777216 associations in the\n"
	      "                                           namespace\n"
	      "  config load FILE      the same from FILE: NAME VALUE lines as config\n"
	      "                        show prints them, '#' comment lines; all in one\n"
	      "                        request (e.g. at boot: m2msec-config.service)\n"
	      "  assoc show            DTLS associations of this network namespace:\n"
	      "                        version, cipher, peer, driver, epochs,\n"
	      "                        counters (needs CAP_NET_ADMIN)\n"
	      "  assoc rekey ID [--socket INODE]\n"
	      "                        DTLS 1.3: ask m2msecd to update the sending\n"
	      "                        keys (KeyUpdate); DTLS 1.2: EOPNOTSUPP\n"
	      "  assoc del ID [--socket INODE]\n"
	      "                        send close_notify and delete the association\n"
	      "                        (both need CAP_NET_ADMIN; --socket when several\n"
	      "                        sockets use ID, see \"socket\" in assoc show)\n"
	      "  stats                 record-layer counters of this namespace\n"
	      "  monitor [--count N] [--timeout SECONDS]\n"
	      "                        print handshake requests (needs CAP_NET_ADMIN)\n"
	      "                        and AEAD usage-limit notifications as they\n"
	      "                        happen; -j: one JSON object per line\n"
	      CTL_ESPRIM_USAGE
	      "\n"
	      "Options:\n"
	      "  -j, --json     print JSON instead of text\n"
	      "  -h, --help     print this help\n"
	      "  -V, --version  print the version\n"
	      "\n"
	      "Exit status: 0 on success, 1 on an error reported by the kernel,\n"
	      "2 on a usage error.  See m2msecctl(8).\n", f);
}

/* --- info ----------------------------------------------------------- */

static struct json_object *cipher_to_json(struct nlattr *nest)
{
	struct nlattr *tb[M2MSEC_A_CIPHER_MAX + 1];
	struct json_object *o, *s12;
	struct nlattr *a;
	int rem;

	if (nla_parse_nested(tb, M2MSEC_A_CIPHER_MAX, nest, NULL) < 0)
		return NULL;
	o = json_object_new_object();
	s12 = json_object_new_array();
	if (tb[M2MSEC_A_CIPHER_ID])
		json_object_object_add(o, "id", json_object_new_int(
				nla_get_u32(tb[M2MSEC_A_CIPHER_ID])));
	if (tb[M2MSEC_A_CIPHER_NAME])
		json_object_object_add(o, "name", json_object_new_string(
				nla_get_string(tb[M2MSEC_A_CIPHER_NAME])));
	if (tb[M2MSEC_A_CIPHER_AEAD])
		json_object_object_add(o, "aead", json_object_new_string(
				nla_get_string(tb[M2MSEC_A_CIPHER_AEAD])));
	json_object_object_add(o, "driver", tb[M2MSEC_A_CIPHER_DRIVER] ?
		json_object_new_string(nla_get_string(tb[M2MSEC_A_CIPHER_DRIVER])) :
		NULL);
	if (tb[M2MSEC_A_CIPHER_KEY_LEN])
		json_object_object_add(o, "key_len", json_object_new_int(
				nla_get_u32(tb[M2MSEC_A_CIPHER_KEY_LEN])));
	if (tb[M2MSEC_A_CIPHER_TAG_LEN])
		json_object_object_add(o, "tag_len", json_object_new_int(
				nla_get_u32(tb[M2MSEC_A_CIPHER_TAG_LEN])));
	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) == M2MSEC_A_CIPHER_SUITE12)
			json_object_array_add(s12, json_object_new_int(
					nla_get_u32(a)));
	json_object_object_add(o, "dtls12_suites", s12);
	json_object_object_add(o, "dtls13_suite", tb[M2MSEC_A_CIPHER_SUITE13] ?
		json_object_new_int(nla_get_u32(tb[M2MSEC_A_CIPHER_SUITE13])) :
		NULL);
	return o;
}

static int info_cb(struct nlattr **tb, void *arg)
{
	struct json_object *info = arg, *versions, *ciphers, *c;
	struct nlattr *a;
	int rem;

	if (!tb[M2MSEC_A_INFO_VERSION] || !tb[M2MSEC_A_INFO_FAMILY])
		return -EBADMSG;
	json_object_object_add(info, "version", json_object_new_string(
			nla_get_string(tb[M2MSEC_A_INFO_VERSION])));
	json_object_object_add(info, "family", json_object_new_int(
			nla_get_u32(tb[M2MSEC_A_INFO_FAMILY])));

	versions = json_object_new_array();
	json_object_object_add(info, "dtls_versions", versions);
	if (tb[M2MSEC_A_INFO_DTLS_VERSIONS])
		nla_for_each_nested(a, tb[M2MSEC_A_INFO_DTLS_VERSIONS], rem)
			json_object_array_add(versions, json_object_new_string(
				m2msec_dtls_version_name(nla_get_u16(a))));

	ciphers = json_object_new_array();
	json_object_object_add(info, "ciphers", ciphers);
	if (tb[M2MSEC_A_INFO_CIPHERS])
		nla_for_each_nested(a, tb[M2MSEC_A_INFO_CIPHERS], rem) {
			c = cipher_to_json(a);
			if (!c)
				return -EBADMSG;
			json_object_array_add(ciphers, c);
		}
	return 0;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

static void print_suites(struct json_object *c)
{
	struct json_object *s12, *s13;
	size_t i;

	json_object_object_get_ex(c, "dtls12_suites", &s12);
	printf("    suites DTLS 1.2:");
	for (i = 0; s12 && i < json_object_array_length(s12); i++)
		printf(" 0x%04x", json_object_get_int(
			       json_object_array_get_idx(s12, i)));
	if (json_object_object_get_ex(c, "dtls13_suite", &s13) && s13)
		printf("  DTLS 1.3: 0x%04x", json_object_get_int(s13));
	putchar('\n');
}

static void print_info_text(struct json_object *info)
{
	struct json_object *v, *ciphers, *c;
	size_t i;

	printf("m2msec %s\n", jstr(info, "version"));
	printf("socket family: %s\n", jstr(info, "family"));
	printf("DTLS versions:");
	json_object_object_get_ex(info, "dtls_versions", &v);
	for (i = 0; i < json_object_array_length(v); i++)
		printf("%s %s", i ? "," : "",
		       json_object_get_string(json_object_array_get_idx(v, i)));
	printf("\nrecord ciphers:\n");
	json_object_object_get_ex(info, "ciphers", &ciphers);
	for (i = 0; i < json_object_array_length(ciphers); i++) {
		const char *drv;

		c = json_object_array_get_idx(ciphers, i);
		drv = jstr(c, "driver");
		printf("  %-18s %-27s tag %-2s driver %s\n", jstr(c, "name"),
		       jstr(c, "aead"), jstr(c, "tag_len"),
		       drv ? drv : "(unavailable)");
		print_suites(c);
	}
}

static int cmd_info(struct m2msec_genl *g, const struct opts *o)
{
	struct json_object *info = json_object_new_object();
	int err;

	err = m2msec_genl_call(g, m2msec_genl_msg(g, M2MSEC_CMD_GET_INFO),
			       info_cb, info);
	if (!err) {
		if (o->json)
			ctl_print_json(info);
		else
			print_info_text(info);
	}
	json_object_put(info);
	return ctl_report(err, "info");
}

/* --- config --------------------------------------------------------- */

static const struct {
	const char *name;
	int attr;
} cfg_names[] = {
	{ "replay-window", M2MSEC_A_CFG_REPLAY_WINDOW },
	{ "ctrl-queue-max", M2MSEC_A_CFG_CTRL_QUEUE_MAX },
	{ "esprim-max-object", M2MSEC_A_CFG_ESPRIM_MAX_OBJECT },
	{ "hs-sock-max", M2MSEC_A_CFG_HS_SOCK_MAX },
	{ "hs-net-max", M2MSEC_A_CFG_HS_NET_MAX },
	{ "hs-timeout-ms", M2MSEC_A_CFG_HS_TIMEOUT_MS },
	{ "hs-rate", M2MSEC_A_CFG_HS_RATE },
	{ "hs-burst", M2MSEC_A_CFG_HS_BURST },
	{ "hs-queue-max", M2MSEC_A_CFG_HS_QUEUE_MAX },
	{ "hs-hello-max", M2MSEC_A_CFG_HS_HELLO_MAX },
	{ "hs-hello-bytes", M2MSEC_A_CFG_HS_HELLO_BYTES },
	{ "hs-user-max", M2MSEC_A_CFG_HS_USER_MAX },
	{ "assoc-sock-max", M2MSEC_A_CFG_ASSOC_SOCK_MAX },
	{ "assoc-net-max", M2MSEC_A_CFG_ASSOC_NET_MAX },
};

#define N_CFG (sizeof(cfg_names) / sizeof(cfg_names[0]))

static int config_cb(struct nlattr **tb, void *arg)
{
	struct json_object *cfg = arg;
	size_t i;

	for (i = 0; i < N_CFG; i++)
		if (tb[cfg_names[i].attr])
			json_object_object_add(cfg, cfg_names[i].name,
				json_object_new_int64(
					nla_get_u32(tb[cfg_names[i].attr])));
	return 0;
}

static int config_show(struct m2msec_genl *g, const struct opts *o)
{
	struct json_object *cfg = json_object_new_object();
	int err;

	err = m2msec_genl_call(g, m2msec_genl_msg(g, M2MSEC_CMD_GET_CONFIG),
			       config_cb, cfg);
	if (!err) {
		if (o->json) {
			ctl_print_json(cfg);
		} else {
			json_object_object_foreach(cfg, k, v)
				printf("%s %s\n", k, json_object_get_string(v));
		}
	}
	json_object_put(cfg);
	return ctl_report(err, "config show");
}

static int cfg_attr(const char *name)
{
	size_t i;

	for (i = 0; i < N_CFG; i++)
		if (!strcmp(cfg_names[i].name, name))
			return cfg_names[i].attr;
	return -1;
}

static int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || end == s || *end || x > UINT32_MAX || s[0] == '-')
		return -1;
	*v = (uint32_t)x;
	return 0;
}

/* Add "NAME VALUE" to a SET_CONFIG request; -1 when it is not a setting. */
static int config_put(struct nl_msg *msg, const char *name, const char *value)
{
	int attr = cfg_attr(name);
	uint32_t v;

	if (attr < 0 || parse_u32(value, &v))
		return -1;
	return nla_put_u32(msg, attr, v) ? -1 : 0;
}

static int config_set(struct m2msec_genl *g, int argc, char **argv)
{
	struct nl_msg *msg;
	int i;

	if (argc < 2 || argc % 2) {
		fprintf(stderr, "config set: expected NAME VALUE pairs\n");
		return 2;
	}
	msg = m2msec_genl_msg(g, M2MSEC_CMD_SET_CONFIG);
	if (!msg)
		return ctl_report(-ENOMEM, "config set");
	for (i = 0; i < argc; i += 2) {
		if (config_put(msg, argv[i], argv[i + 1])) {
			fprintf(stderr, "config set: bad setting '%s %s' (see m2msecctl --help)\n",
				argv[i], argv[i + 1]);
			nlmsg_free(msg);
			return 2;
		}
	}
	return ctl_report(m2msec_genl_call(g, msg, NULL, NULL), "config set");
}

/*
 * One "NAME VALUE" line of a settings file into @msg.  Blank lines and
 * lines starting with '#' are skipped.  Return: 0, or -1 (bad line).
 */
static int config_line(struct nl_msg *msg, char *line)
{
	char *name, *value, *junk, *save;

	name = strtok_r(line, " \t\r\n", &save);
	if (!name || name[0] == '#')
		return 0;
	value = strtok_r(NULL, " \t\r\n", &save);
	junk = strtok_r(NULL, " \t\r\n", &save);
	if (!value || junk)
		return -1;
	return config_put(msg, name, value);
}

/*
 * config load FILE: the namespace's settings from a file, e.g. at boot
 * (etc/m2msec-config.service).  The file is checked like m2msecd's (owned
 * by root or the caller, nobody else may write it); every line must be a
 * setting, and all of them go in one request, which the kernel applies
 * only when every value is valid.
 */
static int config_load(struct m2msec_genl *g, int argc, char **argv)
{
	char why[256], line[256];
	struct nl_msg *msg;
	unsigned int n = 0;
	FILE *f;

	if (argc != 1) {
		fprintf(stderr, "config load: expected one FILE\n");
		return 2;
	}
	f = m2msec_file_fopen(argv[0], 0, why, sizeof(why));
	if (!f) {
		fprintf(stderr, "config load: %s\n", why);
		return 2;
	}
	msg = m2msec_genl_msg(g, M2MSEC_CMD_SET_CONFIG);
	if (!msg) {
		fclose(f);
		return ctl_report(-ENOMEM, "config load");
	}
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "config load: %s:%u: line too long\n",
				argv[0], n);
			goto bad;
		}
		if (config_line(msg, line)) {
			fprintf(stderr, "config load: %s:%u: not a setting: expected NAME VALUE (see m2msecctl --help)\n",
				argv[0], n);
			goto bad;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "config load: %s: read error\n", argv[0]);
		goto bad;
	}
	fclose(f);
	return ctl_report(m2msec_genl_call(g, msg, NULL, NULL), "config load");
bad:
	fclose(f);
	nlmsg_free(msg);
	return 2;
}

static int cmd_config(struct m2msec_genl *g, const struct opts *o, int argc,
		      char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "show"))
		return config_show(g, o);
	if (!strcmp(argv[0], "set"))
		return config_set(g, argc - 1, argv + 1);
	if (!strcmp(argv[0], "load"))
		return config_load(g, argc - 1, argv + 1);
	fprintf(stderr, "config: unknown subcommand '%s'\n", argv[0]);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { 0 };
	struct m2msec_genl g;
	const char *cmd;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+jhV", lopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("m2msecctl %s\n", M2MSEC_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	if (!strcmp(cmd, "esprim"))
		return ctl_esprim(o.json, argc - optind, argv + optind);
	if (strcmp(cmd, "info") && strcmp(cmd, "config") &&
	    strcmp(cmd, "assoc") && strcmp(cmd, "stats") &&
	    strcmp(cmd, "monitor")) {
		fprintf(stderr, "unknown command '%s' (see m2msecctl --help)\n",
			cmd);
		return 2;
	}
	if (m2msec_genl_open(&g))
		return 1;
	if (!strcmp(cmd, "info"))
		ret = cmd_info(&g, &o);
	else if (!strcmp(cmd, "assoc"))
		ret = ctl_assoc(&g, o.json, argc - optind, argv + optind);
	else if (!strcmp(cmd, "stats"))
		ret = ctl_stats(&g, o.json, argc - optind, argv + optind);
	else if (!strcmp(cmd, "monitor"))
		ret = ctl_monitor(&g, o.json, argc - optind + 1,
				  argv + optind - 1);
	else
		ret = cmd_config(&g, &o, argc - optind, argv + optind);
	m2msec_genl_close(&g);
	return ret;
}
