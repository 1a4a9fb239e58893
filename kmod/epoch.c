// SPDX-License-Identifier: GPL-2.0
/*
 * Epochs: the keys of one direction of an association for one epoch.
 *
 * Key material is taken from an "m2msec" key of kind M2MSEC_KEY_RECORD,
 * looked up in the caller's context, checked against the cipher and DTLS
 * version, and loaded into crypto transforms; the epoch keeps only the IV
 * (and for ChaCha20 the record number key), both wiped on free.
 */
#include <crypto/aead.h>
#include <crypto/chacha.h>
#include <crypto/internal/cipher.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "dtls.h"

MODULE_IMPORT_NS(CRYPTO_INTERNAL);

/* Lengths a record key must have for this cipher and DTLS version. */
static int m2msec_epoch_check_key(const struct m2msec_epoch_cfg *cfg,
				  const struct m2msec_key_payload *p,
				  struct netlink_ext_ack *extack)
{
	bool is13 = cfg->version == M2MSEC_DTLS_1_3;
	bool chacha = cfg->cd->id == M2MSEC_CIPHER_CHACHA20_POLY1305;
	unsigned int iv_len = is13 || chacha ? 12 : 4;
	unsigned int sn_len = is13 ? cfg->cd->key_len : 0;

	if (p->key_len != cfg->cd->key_len) {
		NL_SET_ERR_MSG(extack, "key length does not match the cipher");
		return -EINVAL;
	}
	if (p->iv_len != iv_len || p->sn_key_len != sn_len) {
		NL_SET_ERR_MSG(extack,
			       "IV or record number key length does not match the DTLS version and cipher");
		return -EINVAL;
	}
	return 0;
}

static struct crypto_aead *m2msec_epoch_aead(const struct m2msec_epoch_cfg *cfg,
					     struct netlink_ext_ack *extack)
{
	const char *name = cfg->driver ?: cfg->cd->aead;
	struct crypto_aead *tfm;

	tfm = crypto_alloc_aead(name, 0, 0);
	if (IS_ERR(tfm)) {
		NL_SET_ERR_MSG(extack, "AEAD algorithm or driver not available");
		return tfm;
	}
	/* A forced driver must implement the cipher's algorithm. */
	if (strcmp(crypto_tfm_alg_name(crypto_aead_tfm(tfm)), cfg->cd->aead)) {
		crypto_free_aead(tfm);
		NL_SET_ERR_MSG(extack, "driver does not implement the cipher's AEAD");
		return ERR_PTR(-EINVAL);
	}
	return tfm;
}

static int m2msec_epoch_keys(struct m2msec_epoch *ep,
			     const struct m2msec_epoch_cfg *cfg,
			     const struct m2msec_key_payload *p,
			     struct netlink_ext_ack *extack)
{
	const u8 *key = p->data, *iv = key + p->key_len;
	const u8 *sn = iv + p->iv_len;
	int err;

	ep->aead = m2msec_epoch_aead(cfg, extack);
	if (IS_ERR(ep->aead)) {
		err = PTR_ERR(ep->aead);
		ep->aead = NULL;
		return err;
	}
	err = crypto_aead_setkey(ep->aead, key, p->key_len) ?:
	      crypto_aead_setauthsize(ep->aead, cfg->cd->tag_len);
	if (err) {
		NL_SET_ERR_MSG(extack, "the AEAD refused the key");
		return err;
	}
	memcpy(ep->iv, iv, p->iv_len);
	ep->iv_len = p->iv_len;

	if (!p->sn_key_len)
		return 0;
	if (cfg->cd->id == M2MSEC_CIPHER_CHACHA20_POLY1305) {
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(ep->sn_chacha); i++)
			ep->sn_chacha[i] = get_unaligned_le32(sn + 4 * i);
		return 0;
	}
	ep->sn_aes = crypto_alloc_cipher("aes", 0, 0);
	if (IS_ERR(ep->sn_aes)) {
		err = PTR_ERR(ep->sn_aes);
		ep->sn_aes = NULL;
		return err;
	}
	return crypto_cipher_setkey(ep->sn_aes, sn, p->sn_key_len);
}

static void m2msec_epoch_free(struct m2msec_epoch *ep)
{
	if (ep->aead)
		crypto_free_aead(ep->aead);
	if (ep->sn_aes)
		crypto_free_cipher(ep->sn_aes);
	kfree(ep->replay);
	kfree_sensitive(ep);
}

static void m2msec_epoch_free_work(struct work_struct *work)
{
	m2msec_epoch_free(container_of(to_rcu_work(work), struct m2msec_epoch,
				       free_work));
}

/**
 * m2msec_epoch_new() - keys of one direction and epoch
 * @cfg: cipher, version, epoch, first sequence number, key serial, window
 * @extack: where to explain a refusal
 *
 * Runs in process context of the caller (key lookup, allocations).
 *
 * Return: the epoch with one reference, or an ERR_PTR.
 */
struct m2msec_epoch *m2msec_epoch_new(const struct m2msec_epoch_cfg *cfg,
				      struct netlink_ext_ack *extack)
{
	const struct m2msec_key_payload *p;
	struct m2msec_epoch *ep;
	struct key *key;
	int err;

	key = m2msec_key_lookup(cfg->key, M2MSEC_KEY_RECORD, extack);
	if (IS_ERR(key))
		return ERR_CAST(key);
	p = m2msec_key_payload(key);
	err = m2msec_epoch_check_key(cfg, p, extack);
	if (err)
		goto err_key;

	err = -ENOMEM;
	ep = kzalloc(sizeof(*ep), GFP_KERNEL_ACCOUNT);
	if (!ep)
		goto err_key;
	refcount_set(&ep->ref, 1);
	INIT_RCU_WORK(&ep->free_work, m2msec_epoch_free_work);
	ep->epoch = cfg->epoch;
	ep->seq = cfg->seq;
	ep->version = cfg->version;
	ep->cd = cfg->cd;

	err = m2msec_epoch_keys(ep, cfg, p, extack);
	if (err)
		goto err_free;
	m2msec_key_release(key);

	if (cfg->window) {
		ep->replay = kzalloc(m2msec_replay_size(cfg->window),
				     GFP_KERNEL_ACCOUNT);
		if (!ep->replay) {
			m2msec_epoch_free(ep);
			return ERR_PTR(-ENOMEM);
		}
		m2msec_replay_init(ep->replay, cfg->window, cfg->seq);
	}
	return ep;

err_free:
	m2msec_epoch_free(ep);
err_key:
	m2msec_key_release(key);
	return ERR_PTR(err);
}

/**
 * m2msec_epoch_put() - drop a reference
 * @ep: epoch, may be NULL
 *
 * Any context.  The transforms are freed from a work item after an RCU
 * grace period, since RCU readers may still be about to take a reference.
 */
void m2msec_epoch_put(struct m2msec_epoch *ep)
{
	if (ep && refcount_dec_and_test(&ep->ref))
		queue_rcu_work(m2msec_wq, &ep->free_work);
}

/**
 * m2msec_epoch_get_rcu() - take a reference on an RCU-published epoch
 * @p: the pointer (e.g. &assoc->tx)
 *
 * Return: the epoch with a reference, or NULL.
 */
struct m2msec_epoch *m2msec_epoch_get_rcu(struct m2msec_epoch __rcu **p)
{
	struct m2msec_epoch *ep;

	rcu_read_lock();
	ep = rcu_dereference(*p);
	if (ep && !refcount_inc_not_zero(&ep->ref))
		ep = NULL;
	rcu_read_unlock();
	return ep;
}

/**
 * m2msec_epoch_driver() - the crypto driver protecting records of @ep
 * @ep: epoch
 *
 * Return: the driver name, e.g. "gcm-aes-aesni".
 */
const char *m2msec_epoch_driver(const struct m2msec_epoch *ep)
{
	return crypto_tfm_alg_driver_name(crypto_aead_tfm(ep->aead));
}
