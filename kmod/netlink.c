// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "m2msec": module information and per-namespace
 * configuration.  Commands that change state need CAP_NET_ADMIN in the user
 * namespace that owns the caller's network namespace (GENL_UNS_ADMIN_PERM).
 */
#include <crypto/aead.h>
#include <linux/crypto.h>
#include <net/genetlink.h>

#include "handshake.h"

static struct netlink_range_validation m2msec_replay_range = {
	.min = 64, .max = 65536,
};

static struct netlink_range_validation m2msec_esprim_max_range = {
	.min = 256, .max = 1048576,
};

static struct netlink_range_validation m2msec_grace_range = {
	.min = 0, .max = 60000,
};

static struct netlink_range_validation m2msec_hs_timeout_range = {
	.min = 100, .max = 600000,
};

static struct netlink_range_validation m2msec_hs_rate_range = {
	.min = 1, .max = 1000000,
};

static struct netlink_range_validation m2msec_hs_net_range = {
	.min = 1, .max = 65536,
};

static struct netlink_range_validation m2msec_assoc_max_range = {
	.min = 1, .max = 1 << 24,
};

static struct netlink_range_validation m2msec_hs_user_max_range = {
	.min = 1, .max = 65536,
};

static struct netlink_range_validation m2msec_hs_hello_bytes_range = {
	.min = 4096, .max = 4194304,
};

static struct netlink_range_validation_signed m2msec_hs_status_range = {
	.min = -MAX_ERRNO, .max = 0,
};

static const struct nla_policy m2msec_genl_policy[M2MSEC_A_MAX + 1] = {
	[M2MSEC_A_SOCK_FD] = { .type = NLA_U32 },
	[M2MSEC_A_ASSOC_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[M2MSEC_A_ASSOC_VERSION] = { .type = NLA_U16 },
	[M2MSEC_A_ASSOC_CIPHER] = NLA_POLICY_RANGE(NLA_U32, 1,
						   M2MSEC_CIPHER_MAX),
	[M2MSEC_A_ASSOC_PEER] = NLA_POLICY_RANGE(NLA_BINARY,
					sizeof(struct sockaddr_in),
					sizeof(struct sockaddr_in6)),
	[M2MSEC_A_ASSOC_TX] = { .type = NLA_NESTED },
	[M2MSEC_A_ASSOC_RX] = { .type = NLA_NESTED },
	[M2MSEC_A_ASSOC_SUITE] = { .type = NLA_U16 },
	[M2MSEC_A_ASSOC_TX_CID] = NLA_POLICY_RANGE(NLA_BINARY, 1,
						   M2MSEC_CID_MAX),
	[M2MSEC_A_ASSOC_RX_CID] = NLA_POLICY_RANGE(NLA_BINARY, 1,
						   M2MSEC_CID_MAX),
	[M2MSEC_A_ASSOC_REPLAY_WINDOW] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_replay_range),
	[M2MSEC_A_ASSOC_RX_GRACE_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_grace_range),
	[M2MSEC_A_ASSOC_TX_GRACE_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_grace_range),
	[M2MSEC_A_ASSOC_DRIVER] = { .type = NLA_NUL_STRING,
				    .len = CRYPTO_MAX_ALG_NAME - 1 },
	[M2MSEC_A_CFG_REPLAY_WINDOW] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_replay_range),
	[M2MSEC_A_CFG_CTRL_QUEUE_MAX] = NLA_POLICY_RANGE(NLA_U32, 1, 4096),
	[M2MSEC_A_CFG_ESPRIM_MAX_OBJECT] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_esprim_max_range),
	[M2MSEC_A_HS_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[M2MSEC_A_HS_STATUS] =
		NLA_POLICY_FULL_RANGE_SIGNED(NLA_S32, &m2msec_hs_status_range),
	[M2MSEC_A_HS_PEER_ID] = { .type = NLA_NUL_STRING,
				  .len = M2MSEC_PEER_ID_MAX },
	[M2MSEC_A_CFG_HS_SOCK_MAX] = NLA_POLICY_RANGE(NLA_U32, 1, 4096),
	[M2MSEC_A_CFG_HS_NET_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_hs_net_range),
	[M2MSEC_A_CFG_HS_TIMEOUT_MS] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_hs_timeout_range),
	[M2MSEC_A_CFG_HS_RATE] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_hs_rate_range),
	[M2MSEC_A_CFG_HS_BURST] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_hs_rate_range),
	[M2MSEC_A_CFG_HS_QUEUE_MAX] = NLA_POLICY_RANGE(NLA_U32, 1, 1024),
	[M2MSEC_A_HS_FD] = { .type = NLA_U32 },
	[M2MSEC_A_ASSOC_LOCAL] = NLA_POLICY_RANGE(NLA_BINARY,
					sizeof(struct sockaddr_in),
					sizeof(struct sockaddr_in6)),
	[M2MSEC_A_CFG_HS_HELLO_MAX] = NLA_POLICY_RANGE(NLA_U32, 1, 4096),
	[M2MSEC_A_CFG_HS_HELLO_BYTES] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_hs_hello_bytes_range),
	[M2MSEC_A_HS_CTRL] = { .type = NLA_FLAG },
	[M2MSEC_A_ASSOC_CTRL_FD] = { .type = NLA_U32 },
	[M2MSEC_A_ASSOC_SOCK_INO] = { .type = NLA_U64 },
	[M2MSEC_A_CFG_ASSOC_SOCK_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_assoc_max_range),
	[M2MSEC_A_CFG_ASSOC_NET_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_assoc_max_range),
	[M2MSEC_A_CFG_HS_USER_MAX] =
		NLA_POLICY_FULL_RANGE(NLA_U32, &m2msec_hs_user_max_range),
};

/* The u32 settings: attribute and field, for GET_CONFIG and SET_CONFIG. */
static const struct {
	int attr;
	size_t off;
} m2msec_cfg_u32[] = {
	{ M2MSEC_A_CFG_REPLAY_WINDOW,
	  offsetof(struct m2msec_net_cfg, replay_window) },
	{ M2MSEC_A_CFG_CTRL_QUEUE_MAX,
	  offsetof(struct m2msec_net_cfg, ctrl_queue_max) },
	{ M2MSEC_A_CFG_ESPRIM_MAX_OBJECT,
	  offsetof(struct m2msec_net_cfg, esprim_max_object) },
	{ M2MSEC_A_CFG_HS_SOCK_MAX,
	  offsetof(struct m2msec_net_cfg, hs_sock_max) },
	{ M2MSEC_A_CFG_HS_NET_MAX,
	  offsetof(struct m2msec_net_cfg, hs_net_max) },
	{ M2MSEC_A_CFG_HS_TIMEOUT_MS,
	  offsetof(struct m2msec_net_cfg, hs_timeout_ms) },
	{ M2MSEC_A_CFG_HS_RATE, offsetof(struct m2msec_net_cfg, hs_rate) },
	{ M2MSEC_A_CFG_HS_BURST, offsetof(struct m2msec_net_cfg, hs_burst) },
	{ M2MSEC_A_CFG_HS_QUEUE_MAX,
	  offsetof(struct m2msec_net_cfg, hs_queue_max) },
	{ M2MSEC_A_CFG_HS_HELLO_MAX,
	  offsetof(struct m2msec_net_cfg, hs_hello_max) },
	{ M2MSEC_A_CFG_HS_HELLO_BYTES,
	  offsetof(struct m2msec_net_cfg, hs_hello_bytes) },
	{ M2MSEC_A_CFG_ASSOC_SOCK_MAX,
	  offsetof(struct m2msec_net_cfg, assoc_sock_max) },
	{ M2MSEC_A_CFG_ASSOC_NET_MAX,
	  offsetof(struct m2msec_net_cfg, assoc_net_max) },
	{ M2MSEC_A_CFG_HS_USER_MAX,
	  offsetof(struct m2msec_net_cfg, hs_user_max) },
};

static u32 *m2msec_cfg_field(struct m2msec_net_cfg *cfg, unsigned int i)
{
	return (u32 *)((u8 *)cfg + m2msec_cfg_u32[i].off);
}


/**
 * m2msec_reply_new() - a reply message to a doit request
 * @info: the request
 * @hdr: the generic netlink header, for genlmsg_end()
 *
 * Return: the message (NLMSG_GOODSIZE) or NULL.
 */
struct sk_buff *m2msec_reply_new(struct genl_info *info, void **hdr)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &m2msec_genl_family, 0,
				 info->genlhdr->cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * The driver the crypto API picks for @aead right now, so an operator can
 * see whether a hardware engine or an accelerated implementation is used.
 */
static int m2msec_put_driver(struct sk_buff *msg, const char *aead)
{
	struct crypto_aead *tfm;
	int err;

	tfm = crypto_alloc_aead(aead, 0, 0);
	if (IS_ERR(tfm))
		return 0;	/* not available: the attribute stays absent */
	err = nla_put_string(msg, M2MSEC_A_CIPHER_DRIVER,
			     crypto_tfm_alg_driver_name(crypto_aead_tfm(tfm)));
	crypto_free_aead(tfm);
	return err;
}

static int m2msec_put_cipher(struct sk_buff *msg,
			     const struct m2msec_cipher_desc *c)
{
	struct nlattr *nest;
	unsigned int i;

	nest = nla_nest_start(msg, M2MSEC_A_INFO_CIPHER);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, M2MSEC_A_CIPHER_ID, c->id) ||
	    nla_put_string(msg, M2MSEC_A_CIPHER_NAME, c->name) ||
	    nla_put_string(msg, M2MSEC_A_CIPHER_AEAD, c->aead) ||
	    nla_put_u32(msg, M2MSEC_A_CIPHER_KEY_LEN, c->key_len) ||
	    nla_put_u32(msg, M2MSEC_A_CIPHER_TAG_LEN, c->tag_len) ||
	    m2msec_put_driver(msg, c->aead))
		goto cancel;
	for (i = 0; i < ARRAY_SIZE(c->suites12) && c->suites12[i]; i++)
		if (nla_put_u32(msg, M2MSEC_A_CIPHER_SUITE12, c->suites12[i]))
			goto cancel;
	if (c->suite13 && nla_put_u32(msg, M2MSEC_A_CIPHER_SUITE13, c->suite13))
		goto cancel;
	nla_nest_end(msg, nest);
	return 0;

cancel:
	nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}

static int m2msec_put_info(struct sk_buff *msg)
{
	static const u16 versions[] = { M2MSEC_DTLS_1_2, M2MSEC_DTLS_1_3 };
	const struct m2msec_cipher_desc *c;
	struct nlattr *nest;
	unsigned int i;

	if (nla_put_string(msg, M2MSEC_A_INFO_VERSION, M2MSEC_VERSION) ||
	    nla_put_u32(msg, M2MSEC_A_INFO_FAMILY, m2msec_family_nr()))
		return -EMSGSIZE;

	nest = nla_nest_start(msg, M2MSEC_A_INFO_DTLS_VERSIONS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(versions); i++)
		if (nla_put_u16(msg, M2MSEC_A_INFO_DTLS_VERSION, versions[i]))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);

	nest = nla_nest_start(msg, M2MSEC_A_INFO_CIPHERS);
	if (!nest)
		return -EMSGSIZE;
	for (i = M2MSEC_CIPHER_UNSPEC + 1; i <= M2MSEC_CIPHER_MAX; i++) {
		c = m2msec_cipher_get(i);
		if (c && m2msec_put_cipher(msg, c))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int m2msec_cmd_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = m2msec_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	if (m2msec_put_info(msg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int m2msec_cmd_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct m2msec_net *mn = m2msec_net(genl_info_net(info));
	struct m2msec_net_cfg cfg;
	struct sk_buff *msg;
	unsigned int i;
	void *hdr;

	mutex_lock(&mn->cfg_lock);
	cfg = mn->cfg;
	mutex_unlock(&mn->cfg_lock);

	msg = m2msec_reply_new(info, &hdr);
	if (!msg)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(m2msec_cfg_u32); i++) {
		if (nla_put_u32(msg, m2msec_cfg_u32[i].attr,
				*m2msec_cfg_field(&cfg, i))) {
			nlmsg_free(msg);
			return -EMSGSIZE;
		}
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Ranges are in the policy; only what a range cannot say is checked here. */
static int m2msec_cmd_set_config(struct sk_buff *skb, struct genl_info *info)
{
	struct m2msec_net *mn = m2msec_net(genl_info_net(info));
	struct nlattr **a = info->attrs;
	unsigned int i;

	if (a[M2MSEC_A_CFG_REPLAY_WINDOW] &&
	    nla_get_u32(a[M2MSEC_A_CFG_REPLAY_WINDOW]) % 64) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[M2MSEC_A_CFG_REPLAY_WINDOW],
				    "replay window must be a multiple of 64");
		return -ERANGE;
	}

	/* Readers outside the lock (the receive hook) use READ_ONCE(). */
	mutex_lock(&mn->cfg_lock);
	for (i = 0; i < ARRAY_SIZE(m2msec_cfg_u32); i++)
		if (a[m2msec_cfg_u32[i].attr])
			WRITE_ONCE(*m2msec_cfg_field(&mn->cfg, i),
				   nla_get_u32(a[m2msec_cfg_u32[i].attr]));
	mutex_unlock(&mn->cfg_lock);
	return 0;
}

static const struct genl_small_ops m2msec_genl_ops[] = {
	{
		.cmd	= M2MSEC_CMD_GET_INFO,
		.doit	= m2msec_cmd_get_info,
	}, {
		.cmd	= M2MSEC_CMD_GET_CONFIG,
		.doit	= m2msec_cmd_get_config,
	}, {
		.cmd	= M2MSEC_CMD_SET_CONFIG,
		.doit	= m2msec_cmd_set_config,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= M2MSEC_CMD_ASSOC_NEW,
		.doit	= m2msec_nl_assoc_new,
	}, {
		.cmd	= M2MSEC_CMD_ASSOC_SET,
		.doit	= m2msec_nl_assoc_set,
	}, {
		.cmd	= M2MSEC_CMD_ASSOC_DEL,
		.doit	= m2msec_nl_assoc_del,
	}, {
		.cmd	= M2MSEC_CMD_ASSOC_GET,
		.dumpit	= m2msec_nl_assoc_dump,
	}, {
		.cmd	= M2MSEC_CMD_GET_STATS,
		.doit	= m2msec_nl_get_stats,
	}, {
		.cmd	= M2MSEC_CMD_ESPRIM_GET_STATS,
		.doit	= m2msec_esprim_nl_stats,
	}, {
		.cmd	= M2MSEC_CMD_ESPRIM_SESSION_GET,
		.dumpit	= m2msec_esprim_nl_sessions,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= M2MSEC_CMD_HS_ACCEPT,
		.doit	= m2msec_nl_hs_accept,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= M2MSEC_CMD_HS_DONE,
		.doit	= m2msec_nl_hs_done,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= M2MSEC_CMD_HS_CLAIM,
		.doit	= m2msec_nl_hs_claim,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= M2MSEC_CMD_ASSOC_REKEY,
		.doit	= m2msec_nl_assoc_rekey,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= M2MSEC_CMD_HS_GET,
		.dumpit	= m2msec_nl_hs_dump,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group m2msec_mcgrps[] = {
	/*
	 * Events name every association's peer, local address and
	 * authenticated identity, which ASSOC_GET shows only with
	 * CAP_NET_ADMIN: the same rule for listeners.
	 */
	[M2MSEC_MCGRP_IDX] = { .name = M2MSEC_MCGRP_EVENTS,
			       .flags = GENL_MCAST_CAP_NET_ADMIN },
	/* Requests reveal peers: only the daemon may listen. */
	[M2MSEC_MCGRP_HS_IDX] = { .name = M2MSEC_MCGRP_HANDSHAKE,
				  .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family m2msec_genl_family __ro_after_init = {
	.name		= M2MSEC_GENL_NAME,
	.version	= M2MSEC_GENL_VERSION,
	.maxattr	= M2MSEC_A_MAX,
	.policy		= m2msec_genl_policy,
	.netnsok	= true,
	/*
	 * Without the global genl_mutex: ASSOC_NEW and HS_DONE allocate
	 * crypto transforms, which can wait for a module to load, on behalf
	 * of unprivileged callers.  Every command takes the locks of what it
	 * touches (socket, request, namespace settings) itself.
	 */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.small_ops	= m2msec_genl_ops,
	.n_small_ops	= ARRAY_SIZE(m2msec_genl_ops),
	.resv_start_op	= M2MSEC_CMD_MAX + 1,
	.mcgrps		= m2msec_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(m2msec_mcgrps),
};

int m2msec_genl_init(void)
{
	return genl_register_family(&m2msec_genl_family);
}

void m2msec_genl_exit(void)
{
	genl_unregister_family(&m2msec_genl_family);
}
