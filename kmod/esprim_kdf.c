// SPDX-License-Identifier: GPL-2.0
/*
 * sessionESPrimKey derivation (TS-0003 clause 8.4, key generation
 * algorithm id 1):
 *
 *   sessionESPrimKey = HMAC-SHA256(pairwiseESPrimKey,
 *                                  receiverESPrimRandObject ||
 *                                  originatorESPrimRandObject ||
 *                                  label)
 *
 * m2msec's reading, which both ends must share (Documentation/esprim.md):
 * each rand object enters as the 16 raw bytes of its esprimRandValue
 * (not its JSON, id or expiry), receiver first, then the 56 ASCII bytes of
 * the label "oneM2M HMAC-SHA256 sessionESPrimKey derivation algorithm"
 * without a terminator: 88 bytes in all.  The HMAC key is the whole
 * pairwise key.  AES-GCM uses the first 16, 24 or 32 bytes of the 32-byte
 * output for A128GCM, A192GCM and A256GCM.
 */
#include <crypto/hash.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/string.h>

#include "m2msec.h"

static const char m2msec_esprim_label[] =
	"oneM2M HMAC-SHA256 sessionESPrimKey derivation algorithm";

/**
 * m2msec_esprim_derive() - derive a session key from a pairwise key
 * @key: a checked pairwise key (reference held by the caller)
 * @recv_value: esprimRandValue of the receiver object (16 bytes)
 * @orig_value: esprimRandValue of the originator object (16 bytes)
 * @skey: the 32-byte session key
 * @peer: M2MSEC_KEY_MAX_ID_LEN bytes: the identity bound to the key
 * @peer_len: its length
 *
 * Return: 0 or a negative errno (the key ended, crypto API failure).
 */
int m2msec_esprim_derive(struct key *key, const u8 *recv_value,
			 const u8 *orig_value, u8 *skey, char *peer,
			 u16 *peer_len)
{
	u8 msg[2 * M2MSEC_ESPRIM_RAND_LEN + sizeof(m2msec_esprim_label) - 1];
	const struct m2msec_key_payload *p;
	struct crypto_shash *tfm;
	int err;

	memcpy(msg, recv_value, M2MSEC_ESPRIM_RAND_LEN);
	memcpy(msg + M2MSEC_ESPRIM_RAND_LEN, orig_value,
	       M2MSEC_ESPRIM_RAND_LEN);
	memcpy(msg + 2 * M2MSEC_ESPRIM_RAND_LEN, m2msec_esprim_label,
	       sizeof(m2msec_esprim_label) - 1);

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);

	down_read(&key->sem);
	err = m2msec_esprim_key_check(key);
	if (err)
		goto out_unlock;
	p = key->payload.data[0];
	err = crypto_shash_setkey(tfm, p->data, p->key_len);
	if (err)
		goto out_unlock;
	memcpy(peer, p->data + p->key_len, p->id_len);
	*peer_len = p->id_len;
	err = crypto_shash_tfm_digest(tfm, msg, sizeof(msg), skey);
out_unlock:
	up_read(&key->sem);
	/* The HMAC state holds the pairwise key; freeing the tfm wipes it. */
	crypto_free_shash(tfm);
	return err;
}
