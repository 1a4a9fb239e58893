// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecctl monitor: print the module's notifications as they happen —
 * handshake requests (group "handshake", needs CAP_NET_ADMIN), AEAD usage
 * limits approaching or reached, associations up, key updates,
 * associations down and failed handshakes (group "events").
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <linux/m2msec.h>

#include "lib/m2msec.h"
#include "ctl_dtls.h"
#include "ctl_monitor.h"
#include "ctl_util.h"

struct monitor {
	int json;
	long seen;
};

static const char *role_name(uint8_t role)
{
	return role == M2MSEC_HS_CLIENT ? "client" :
	       role == M2MSEC_HS_SERVER ? "server" :
	       role == M2MSEC_HS_LISTENER ? "listener" : "unknown";
}

static const char *limit_name(uint32_t kind)
{
	return kind == M2MSEC_LIMIT_CONFIDENTIALITY ? "confidentiality" :
	       kind == M2MSEC_LIMIT_INTEGRITY ? "integrity" : "unknown";
}

static void add_u64(struct json_object *o, const char *k, struct nlattr *a)
{
	if (a)
		json_object_object_add(o, k,
			json_object_new_int64((int64_t)nla_get_u64(a)));
}

static void add_u32(struct json_object *o, const char *k, struct nlattr *a)
{
	if (a)
		json_object_object_add(o, k,
			json_object_new_int64(nla_get_u32(a)));
}

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static const char *assoc_event_name(uint32_t kind)
{
	switch (kind) {
	case M2MSEC_EVENT_UP:
		return "assoc-up";
	case M2MSEC_EVENT_KEY_UPDATE:
		return "key-update";
	case M2MSEC_EVENT_DOWN:
		return "assoc-down";
	case M2MSEC_EVENT_HS_FAILED:
		return "handshake-failed";
	case M2MSEC_EVENT_PEER_MOVED:
		return "peer-moved";
	}
	return "unknown";
}

static const char *reason_name(uint32_t reason)
{
	return reason == M2MSEC_EVENT_REASON_DELETED ? "deleted" :
	       reason == M2MSEC_EVENT_REASON_SOCKET_CLOSED ? "socket-closed" :
	       reason == M2MSEC_EVENT_REASON_INTEGRITY_LIMIT ? "integrity-limit" :
	       "unknown";
}

/* M2MSEC_CMD_ASSOC_EVENT: association life and failed handshakes. */
static void assoc_event_json(struct json_object *o, struct nlattr **tb)
{
	uint32_t kind = tb[M2MSEC_A_EVENT_KIND] ?
			nla_get_u32(tb[M2MSEC_A_EVENT_KIND]) : 0;

	add_str(o, "event", assoc_event_name(kind));
	add_u32(o, "assoc", tb[M2MSEC_A_ASSOC_ID]);
	add_u32(o, "id", tb[M2MSEC_A_HS_ID]);
	if (tb[M2MSEC_A_HS_ROLE])
		add_str(o, "role", role_name(nla_get_u8(tb[M2MSEC_A_HS_ROLE])));
	if (tb[M2MSEC_A_ASSOC_VERSION])
		add_str(o, "version", m2msec_dtls_version_name(
			nla_get_u16(tb[M2MSEC_A_ASSOC_VERSION])));
	if (tb[M2MSEC_A_ASSOC_CIPHER])
		add_str(o, "cipher", ctl_cipher_name(
			nla_get_u32(tb[M2MSEC_A_ASSOC_CIPHER])));
	if (tb[M2MSEC_A_HS_PEER_ID])
		add_str(o, "peer_id", nla_get_string(tb[M2MSEC_A_HS_PEER_ID]));
	if (tb[M2MSEC_A_EVENT_DIR])
		add_str(o, "dir", nla_get_u8(tb[M2MSEC_A_EVENT_DIR]) ==
			M2MSEC_EVENT_DIR_RX ? "rx" : "tx");
	add_u64(o, "epoch", tb[M2MSEC_A_EVENT_EPOCH]);
	if (tb[M2MSEC_A_EVENT_REASON])
		add_str(o, "reason",
			reason_name(nla_get_u32(tb[M2MSEC_A_EVENT_REASON])));
	if (tb[M2MSEC_A_HS_STATUS]) {
		int st = (int)nla_get_u32(tb[M2MSEC_A_HS_STATUS]);

		json_object_object_add(o, "status", json_object_new_int(st));
		add_str(o, "error", strerror(-st));
	}
}

static struct json_object *event_json(int cmd, struct nlattr **tb)
{
	struct json_object *o = json_object_new_object();

	if (cmd == M2MSEC_CMD_HS_REQUEST) {
		json_object_object_add(o, "event",
				       json_object_new_string("handshake-request"));
		if (tb[M2MSEC_A_HS_ID])
			json_object_object_add(o, "id", json_object_new_int64(
				nla_get_u32(tb[M2MSEC_A_HS_ID])));
		if (tb[M2MSEC_A_HS_ROLE])
			json_object_object_add(o, "role", json_object_new_string(
				role_name(nla_get_u8(tb[M2MSEC_A_HS_ROLE]))));
		if (tb[M2MSEC_A_HS_SERVER_NAME])
			json_object_object_add(o, "server_name",
				json_object_new_string(
					nla_get_string(tb[M2MSEC_A_HS_SERVER_NAME])));
	} else if (cmd == M2MSEC_CMD_ASSOC_EVENT) {
		assoc_event_json(o, tb);
	} else {
		json_object_object_add(o, "event",
				       json_object_new_string("usage-limit"));
		if (tb[M2MSEC_A_ASSOC_ID])
			json_object_object_add(o, "assoc", json_object_new_int64(
				nla_get_u32(tb[M2MSEC_A_ASSOC_ID])));
		if (tb[M2MSEC_A_EVENT_LIMIT])
			json_object_object_add(o, "limit", json_object_new_string(
				limit_name(nla_get_u32(tb[M2MSEC_A_EVENT_LIMIT]))));
		add_u64(o, "epoch", tb[M2MSEC_A_EVENT_EPOCH]);
		add_u64(o, "count", tb[M2MSEC_A_EVENT_COUNT]);
		add_u64(o, "max", tb[M2MSEC_A_EVENT_MAX]);
	}
	if (tb[M2MSEC_A_ASSOC_PEER])
		json_object_object_add(o, "peer",
				       ctl_addr_json(tb[M2MSEC_A_ASSOC_PEER]));
	if (tb[M2MSEC_A_ASSOC_LOCAL])
		json_object_object_add(o, "local",
				       ctl_addr_json(tb[M2MSEC_A_ASSOC_LOCAL]));
	if (tb[M2MSEC_A_EVENT_OLD_PEER])
		json_object_object_add(o, "old_peer",
				       ctl_addr_json(tb[M2MSEC_A_EVENT_OLD_PEER]));
	return o;
}

static void print_event(struct json_object *o, int json)
{
	int n = 0;

	if (json) {
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	} else {
		json_object_object_foreach(o, k, v) {
			if (n++)
				printf(" %s %s", k, json_object_get_string(v));
			else
				printf("%s", json_object_get_string(v));
		}
		putchar('\n');
	}
	fflush(stdout);
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[M2MSEC_A_MAX + 1];
	struct monitor *m = arg;
	struct json_object *o;

	if (gh->cmd != M2MSEC_CMD_HS_REQUEST &&
	    gh->cmd != M2MSEC_CMD_LIMIT_EVENT &&
	    gh->cmd != M2MSEC_CMD_ASSOC_EVENT)
		return NL_SKIP;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, M2MSEC_A_MAX, NULL) < 0)
		return NL_SKIP;
	o = event_json(gh->cmd, tb);
	print_event(o, m->json);
	json_object_put(o);
	m->seen++;
	return NL_OK;
}

static int join(struct m2msec_genl *g, const char *group, int required)
{
	int id = genl_ctrl_resolve_grp(g->sock, M2MSEC_GENL_NAME, group);
	int err;

	if (id < 0) {
		fprintf(stderr, "monitor: the module has no \"%s\" group\n", group);
		return -ENOENT;
	}
	err = nl_socket_add_membership(g->sock, id);
	if (err < 0) {
		fprintf(stderr, "monitor: cannot join \"%s\"%s: %s\n", group,
			required ? "" : " (needs CAP_NET_ADMIN), skipped",
			nl_geterror(err));
		return required ? -EPERM : 0;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * ctl_monitor() - m2msecctl monitor [--count N] [--timeout SECONDS]
 * @g: open generic netlink handle (used for the subscription)
 * @json: one JSON object per line
 * @argc: arguments after "monitor"
 * @argv: they
 *
 * Return: exit status (0 when the count or the timeout is reached).
 */
int ctl_monitor(struct m2msec_genl *g, int json, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct monitor m = { .json = json };
	long count = 0;
	double timeout = 0, end;
	struct pollfd pfd;
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+n:t:", lopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 't':
			timeout = strtod(optarg, NULL);
			break;
		default:
			fprintf(stderr, "monitor: usage: m2msecctl [-j] monitor [--count N] [--timeout SECONDS]\n");
			return 2;
		}
	}
	err = join(g, M2MSEC_MCGRP_EVENTS, 1) ?:
	      join(g, M2MSEC_MCGRP_HANDSHAKE, 0);
	if (err)
		return 1;
	nl_socket_disable_seq_check(g->sock);
	nl_socket_modify_cb(g->sock, NL_CB_VALID, NL_CB_CUSTOM, on_event, &m);
	pfd.fd = nl_socket_get_fd(g->sock);
	pfd.events = POLLIN;
	end = now() + timeout;
	while (!count || m.seen < count) {
		int ms = -1;

		if (timeout > 0) {
			double left = end - now();

			if (left <= 0)
				break;
			ms = (int)(left * 1000) + 1;
		}
		c = poll(&pfd, 1, ms);
		if (c < 0 && errno != EINTR)
			return ctl_report(-errno, "monitor");
		if (c > 0 && nl_recvmsgs_default(g->sock) < 0)
			return ctl_report(-EIO, "monitor");
	}
	return 0;
}
