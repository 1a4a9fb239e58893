// SPDX-License-Identifier: GPL-2.0
/*
 * Protect: inner primitive -> ESPrim Object (TS-0003 clause 8.4,
 * RFC 7516 section 5.1 with "alg":"dir"):
 *
 *   header  = {"alg":"dir","enc":E,"kid":K,["cty":C,]"ori":O,"rri":R
 *              [,"oro":{...}][,"rro":{...}]}
 *   H       = BASE64URL(header)
 *   IV      = 12 random bytes (get_random_bytes)
 *   CT, TAG = AES-GCM(sessionESPrimKey, IV, AAD = ASCII(H), primitive)
 *   object  = H "." "" "." BASE64URL(IV) "." BASE64URL(CT) "." BASE64URL(TAG)
 *
 * Called with es->lock held; the result (object or status) is returned as
 * an skb for the socket's receive queue.
 */
#include <linux/err.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "m2msec.h"
#include "b64url.h"

static void rand_to_json(const struct m2msec_esprim_rand *r,
			 struct m2msec_rand_json *j)
{
	j->id = r->id;
	j->id_len = r->id_len;
	memcpy(j->value, r->value, sizeof(j->value));
	j->expiry_rel = 0;
	j->expiry = r->expiry_ms / 1000;
	j->keygen = r->keygen_algs;
	j->algs = r->algs;
}

/*
 * Build and encode the protected header; returns a buffer holding the JSON
 * and, at offset M2MSEC_JWE_HDR_MAX, its base64url encoding.
 */
static char *header(struct m2msec_esprim_sess *s, const char *cty,
		    size_t cty_len, int flags, size_t *b64_len)
{
	struct m2msec_jwe_hdr h = {};
	char *hdr;
	long n;

	h.enc = s->alg;
	h.kid = s->kid;
	h.kid_len = s->kid_len;
	h.ori = s->orig.id;
	h.ori_len = s->orig.id_len;
	h.rri = s->recv.id;
	h.rri_len = s->recv.id_len;
	if (cty) {
		h.members |= BIT(M2MSEC_HDR_CTY);
		h.cty = cty;
		h.cty_len = cty_len;
	}
	if (flags & M2MSEC_ESPRIM_F_ORO) {
		h.members |= BIT(M2MSEC_HDR_ORO);
		rand_to_json(&s->orig, &h.oro);
	}
	if (flags & M2MSEC_ESPRIM_F_RRO) {
		h.members |= BIT(M2MSEC_HDR_RRO);
		rand_to_json(&s->recv, &h.rro);
	}

	hdr = kmalloc(M2MSEC_JWE_HDR_MAX +
		      m2msec_b64url_enc_len(M2MSEC_JWE_HDR_MAX), GFP_KERNEL);
	if (!hdr)
		return ERR_PTR(-ENOMEM);
	n = m2msec_jwe_hdr_build(&h, hdr, M2MSEC_JWE_HDR_MAX);
	if (n < 0) {
		kfree(hdr);
		return ERR_PTR(-EMSGSIZE);
	}
	*b64_len = m2msec_b64url_encode(hdr, n, hdr + M2MSEC_JWE_HDR_MAX);
	return hdr;
}

/**
 * m2msec_esprim_protect() - make an ESPrim Object
 * @es: socket state (lock held)
 * @session: session id
 * @cty: "cty" or NULL
 * @cty_len: its length
 * @flags: M2MSEC_ESPRIM_F_*, or -1 for the session's
 * @msg: the inner primitive
 * @len: its length
 * @max_object: largest object allowed (namespace setting)
 *
 * Return: the result skb (the object, or an error status without data),
 * or an ERR_PTR for errors that are the caller's (-EFAULT, -ENOMEM).
 */
struct sk_buff *m2msec_esprim_protect(struct m2msec_esprim_sock *es,
				      u32 session, const char *cty,
				      size_t cty_len, int flags,
				      struct msghdr *msg, size_t len,
				      u32 max_object)
{
	struct m2msec_esprim_sess *s;
	struct crypto_aead *tfm;
	size_t hdr_b64, out_len;
	struct sk_buff *skb;
	char *hdr, *out;
	const char *aad;
	u8 *work;
	u32 status;
	int err;

	s = m2msec_esprim_session_find(es, session);
	if (!s)
		return m2msec_esprim_result(M2MSEC_RSC_NOT_FOUND, session, 0,
					    NULL, 0, NULL, 0, NULL, 0);
	status = m2msec_esprim_session_check(es, s);
	if (status != M2MSEC_RSC_OK)
		return m2msec_esprim_result(status, session, 0, NULL, 0, NULL,
					    0, NULL, 0);
	tfm = m2msec_esprim_session_aead(s, s->alg);
	if (IS_ERR(tfm))
		return m2msec_esprim_result(M2MSEC_RSC_ESPRIM_ENCRYPTION_ERROR,
					    session, 0, NULL, 0, NULL, 0,
					    NULL, 0);
	if (flags < 0)
		flags = s->flags;

	if (!cty && s->hdr_b64 && s->hdr_flags == flags) {
		/* Same session, same members: the same header text. */
		hdr = NULL;
		aad = s->hdr_b64;
		hdr_b64 = s->hdr_b64_len;
	} else {
		hdr = header(s, cty, cty_len, flags, &hdr_b64);
		if (IS_ERR(hdr))
			return PTR_ERR(hdr) == -ENOMEM ? ERR_CAST(hdr) :
			       m2msec_esprim_result(
					M2MSEC_RSC_ESPRIM_ENCRYPTION_ERROR,
					session, 0, NULL, 0, NULL, 0, NULL, 0);
		aad = hdr + M2MSEC_JWE_HDR_MAX;
		if (!cty) {
			char *copy = kmemdup(aad, hdr_b64, GFP_KERNEL);

			if (copy) {
				kfree(s->hdr_b64);
				s->hdr_b64 = copy;
				s->hdr_b64_len = hdr_b64;
				s->hdr_flags = flags;
			}
		}
	}

	out_len = m2msec_jwe_len(hdr_b64, len);
	if (out_len > max_object) {
		m2msec_esprim_count(es->en, M2MSEC_A_ESPRIM_STAT_OVERSIZE);
		skb = m2msec_esprim_result(M2MSEC_RSC_ESPRIM_ENCRYPTION_ERROR,
					   session, 0, NULL, 0, NULL, 0,
					   NULL, 0);
		goto out_hdr;
	}

	work = kmalloc(M2MSEC_JWE_IV_LEN + len + M2MSEC_JWE_TAG_LEN,
		       GFP_KERNEL | __GFP_NOWARN);
	if (!work) {
		skb = ERR_PTR(-ENOMEM);
		goto out_hdr;
	}
	if (!copy_from_iter_full(work + M2MSEC_JWE_IV_LEN, len,
				 &msg->msg_iter)) {
		skb = ERR_PTR(-EFAULT);
		goto out_work;
	}
	skb = m2msec_esprim_result(M2MSEC_RSC_OK, session, out_len, NULL, 0,
				   NULL, 0, NULL, 0);
	if (IS_ERR(skb))
		goto out_work;

	get_random_bytes(work, M2MSEC_JWE_IV_LEN);
	out = skb->data;
	memcpy(out, aad, hdr_b64);
	out += hdr_b64;
	*out++ = '.';
	*out++ = '.';
	out += m2msec_b64url_encode(work, M2MSEC_JWE_IV_LEN, out);
	*out++ = '.';

	err = m2msec_esprim_seal(tfm, work, aad, hdr_b64,
				 work + M2MSEC_JWE_IV_LEN, len);
	if (err) {
		kfree_skb(skb);
		skb = m2msec_esprim_result(M2MSEC_RSC_ESPRIM_ENCRYPTION_ERROR,
					   session, 0, NULL, 0, NULL, 0,
					   NULL, 0);
		goto out_work;
	}
	out += m2msec_b64url_encode(work + M2MSEC_JWE_IV_LEN, len, out);
	*out++ = '.';
	m2msec_b64url_encode(work + M2MSEC_JWE_IV_LEN + len,
			     M2MSEC_JWE_TAG_LEN, out);
	s->n_protected++;

out_work:
	/* Sealed in place: only ciphertext is left, unless sealing failed. */
	if (IS_ERR(skb) || m2msec_esprim_cb(skb)->status != M2MSEC_RSC_OK)
		kfree_sensitive(work);
	else
		kfree(work);
out_hdr:
	kfree(hdr);
	return skb;
}
