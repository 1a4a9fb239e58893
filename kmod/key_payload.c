// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of "m2msec" key payloads.
 *
 * The payload is a fixed header followed by exactly the bytes the header
 * announces:
 *
 *   +---------+------+----------+---------+--------+------------+--------+
 *   | version | kind | reserved | key_len | iv_len | sn_key_len | id_len |
 *   +---------+------+----------+---------+--------+------------+--------+
 *   | key[key_len] iv[iv_len] sn_key[sn_key_len] id[id_len]              |
 *   +---------------------------------------------------------------------+
 *
 * Every length is checked against the kind, so a key that passes here can be
 * handed to the crypto API without further length checks.  Written without
 * kernel dependencies: the host tests and the fuzzer build this very file.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <uapi/linux/m2msec.h>
#else
#include <errno.h>
#include <string.h>
#include <linux/m2msec.h>
#endif

#include "key_payload.h"

static int check_record(const struct m2msec_key_payload *h)
{
	if (h->key_len != 16 && h->key_len != 32)
		return -EINVAL;
	if (h->iv_len != 4 && h->iv_len != 12)
		return -EINVAL;
	/* DTLS 1.3 record number keys have the AEAD key's length. */
	if (h->sn_key_len && h->sn_key_len != h->key_len)
		return -EINVAL;
	/* DTLS 1.3 always uses a 12-byte IV; a 4-byte salt is 1.2 only. */
	if (h->sn_key_len && h->iv_len != 12)
		return -EINVAL;
	return h->id_len ? -EINVAL : 0;
}

static int check_traffic_secret(const struct m2msec_key_payload *h)
{
	if (h->key_len != 32 && h->key_len != 48)
		return -EINVAL;
	if (h->iv_len || h->sn_key_len || h->id_len)
		return -EINVAL;
	return 0;
}

static int check_esprim_pairwise(const struct m2msec_key_payload *h,
				 const unsigned char *id)
{
	unsigned int i;

	if (h->key_len < 16 || h->key_len > 64)
		return -EINVAL;
	if (h->iv_len || h->sn_key_len)
		return -EINVAL;
	if (!h->id_len || h->id_len > M2MSEC_KEY_MAX_ID_LEN)
		return -EINVAL;
	/* oneM2M identifiers are printable ASCII without spaces. */
	for (i = 0; i < h->id_len; i++)
		if (id[i] <= 0x20 || id[i] >= 0x7f)
			return -EINVAL;
	return 0;
}

int m2msec_key_payload_check(const void *data, size_t len)
{
	struct m2msec_key_payload h;
	size_t body;

	if (!data || len < sizeof(h))
		return -EINVAL;
	memcpy(&h, data, sizeof(h));
	if (h.version != M2MSEC_KEY_PAYLOAD_V1 || h.reserved)
		return -EINVAL;

	/* Four u16 lengths cannot overflow size_t. */
	body = (size_t)h.key_len + h.iv_len + h.sn_key_len + h.id_len;
	if (len - sizeof(h) != body)
		return -EINVAL;

	switch (h.kind) {
	case M2MSEC_KEY_RECORD:
		return check_record(&h);
	case M2MSEC_KEY_TRAFFIC_SECRET:
		return check_traffic_secret(&h);
	case M2MSEC_KEY_ESPRIM_PAIRWISE:
		return check_esprim_pairwise(&h, (const unsigned char *)data +
					     sizeof(h) + h.key_len);
	default:
		return -EINVAL;
	}
}
