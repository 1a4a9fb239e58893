// SPDX-License-Identifier: GPL-2.0
/*
 * ESPrim state of a network namespace: the list of ESPrim sockets (for
 * session dumps) and the counters.  Every result that is not a success is
 * counted under its oneM2M status code, so an operator sees each rejection.
 */
#include "m2msec.h"

/**
 * m2msec_esprim_net() - ESPrim state of a network namespace
 * @net: the namespace
 *
 * Return: the state, valid as long as @net is.
 */
struct m2msec_esprim_net *m2msec_esprim_net(struct net *net)
{
	return &m2msec_net(net)->esprim;
}

/**
 * m2msec_esprim_net_init() - initialise a namespace's ESPrim state
 * @en: the state, inside struct m2msec_net
 */
void m2msec_esprim_net_init(struct m2msec_esprim_net *en)
{
	unsigned int i;

	mutex_init(&en->lock);
	INIT_LIST_HEAD(&en->socks);
	for (i = 0; i < ARRAY_SIZE(en->stats); i++)
		atomic64_set(&en->stats[i], 0);
}

/**
 * m2msec_esprim_count() - count an event
 * @en: namespace state
 * @stat: the counter
 */
void m2msec_esprim_count(struct m2msec_esprim_net *en,
			 enum m2msec_esprim_stat_attr stat)
{
	atomic64_inc(&en->stats[stat]);
}

/**
 * m2msec_esprim_count_status() - count a result by its status code
 * @en: namespace state
 * @status: enum m2msec_esprim_rsc of the result
 */
void m2msec_esprim_count_status(struct m2msec_esprim_net *en, u32 status)
{
	static const struct {
		u32 status;
		enum m2msec_esprim_stat_attr stat;
	} map[] = {
		{ M2MSEC_RSC_BAD_REQUEST, M2MSEC_A_ESPRIM_STAT_BAD_REQUEST },
		{ M2MSEC_RSC_NOT_FOUND, M2MSEC_A_ESPRIM_STAT_NOT_FOUND },
		{ M2MSEC_RSC_ESPRIM_UNSUPPORTED_OPTION,
		  M2MSEC_A_ESPRIM_STAT_UNSUPPORTED },
		{ M2MSEC_RSC_ESPRIM_UNKNOWN_KEY_ID,
		  M2MSEC_A_ESPRIM_STAT_UNKNOWN_KID },
		{ M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID,
		  M2MSEC_A_ESPRIM_STAT_UNKNOWN_ORI },
		{ M2MSEC_RSC_ESPRIM_UNKNOWN_RECV_RAND_ID,
		  M2MSEC_A_ESPRIM_STAT_UNKNOWN_RRI },
		{ M2MSEC_RSC_ESPRIM_BAD_MAC, M2MSEC_A_ESPRIM_STAT_BAD_MAC },
		{ M2MSEC_RSC_ESPRIM_DECRYPTION_ERROR,
		  M2MSEC_A_ESPRIM_STAT_DECRYPT_ERR },
		{ M2MSEC_RSC_ESPRIM_ENCRYPTION_ERROR,
		  M2MSEC_A_ESPRIM_STAT_ENCRYPT_ERR },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i].status == status) {
			m2msec_esprim_count(en, map[i].stat);
			return;
		}
}
