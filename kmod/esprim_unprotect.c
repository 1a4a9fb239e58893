// SPDX-License-Identifier: GPL-2.0
/*
 * Unprotect: ESPrim Object -> verified inner primitive (TS-0003 clause
 * 8.4, RFC 7516 section 5.2).  Checks, in order, each with its oneM2M
 * status code:
 *
 *   size <= esprim_max_object, five canonical parts     else 4000
 *   header parses (strict, see jwe_header.c)            else 4000
 *   "alg" "dir", "enc" A1xxGCM, no "crit"                else 4111
 *   an existing session named by (kid, ori, rri), or:
 *   "kid" names a registered key that has not ended     else 4112
 *   "rri" names a receiver object that has not expired  else 4114
 *   "ori" names an originator object, registered or
 *     carried in "oro", not expired, expiring no later
 *     than the receiver object                          else 4113
 *   both objects allow "enc" and HMAC-SHA256            else 4111
 *   the tag verifies                                    else 4115
 *
 * A session is found by (kid, ori, rri) or set up on the first object that
 * names a new combination, and reported with the result so the response
 * can be protected with it.  Called with es->lock held.
 *
 * Nothing the object says changes the socket's state before its tag
 * verifies: a new session (and the originator object learned from "oro")
 * is prepared privately, used to verify, and published only afterwards;
 * a forged object leaves no session, rand object or cached transform
 * behind.  Only what has already ended by itself (expired entries, ended
 * keys) may be dropped on the way.
 */
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "m2msec.h"
#include "b64url.h"

#define ESPRIM_ALL_ALGS	(BIT(M2MSEC_ESPRIM_A128GCM) | \
			 BIT(M2MSEC_ESPRIM_A192GCM) | \
			 BIT(M2MSEC_ESPRIM_A256GCM))

struct unprotect {
	struct m2msec_esprim_sock *es;
	struct m2msec_jwe_hdr h;
	/* An existing session named by the object ... */
	struct m2msec_esprim_sess *s;
	/* ... or one prepared for it, published only once the tag verified */
	struct m2msec_esprim_sess *new_s;
	/* ... with the originator object its "oro" carried, if learned. */
	struct m2msec_esprim_rand_ent *oro;
};

/* The originator object carried in "oro", checked, into @r. */
static u32 oro_rand(const struct m2msec_rand_json *j,
		    const struct m2msec_esprim_rand *recv,
		    struct m2msec_esprim_rand *r)
{
	u64 now = m2msec_esprim_now_ms();

	memset(r, 0, sizeof(*r));
	r->role = M2MSEC_ESPRIM_ORIGINATOR;
	r->id_len = j->id_len;		/* <= M2MSEC_ESPRIM_ID_MAX: parser */
	memcpy(r->id, j->id, j->id_len);
	memcpy(r->value, j->value, sizeof(r->value));
	r->keygen_algs = j->keygen;
	r->algs = j->algs & ESPRIM_ALL_ALGS;
	if (j->expiry_rel)
		r->expiry_ms = j->expiry > U64_MAX - now ? U64_MAX :
			       now + j->expiry;
	else
		r->expiry_ms = j->expiry > U64_MAX / 1000 ? U64_MAX :
			       j->expiry * 1000;
	if (!(r->keygen_algs & BIT(M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256)))
		return M2MSEC_RSC_ESPRIM_UNSUPPORTED_OPTION;
	if (!r->algs)
		return M2MSEC_RSC_ESPRIM_UNSUPPORTED_OPTION;
	if (r->expiry_ms > recv->expiry_ms ||
	    m2msec_esprim_rand_check(r))
		return M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID;
	return M2MSEC_RSC_OK;
}

/*
 * Find the session the header names (u->s), or prepare one (u->new_s, and
 * u->oro when the originator object comes from "oro").  Changes nothing in
 * the tables except dropping what has already ended (expired sessions,
 * ended keys): the object is not authenticated yet.
 */
static u32 resolve(struct unprotect *u)
{
	const struct m2msec_jwe_hdr *h = &u->h;
	struct m2msec_esprim_rand recv, orig;
	struct m2msec_esprim_rand_ent *e;
	struct m2msec_esprim_sock *es = u->es;
	struct m2msec_esprim_key *k;
	u64 now = m2msec_esprim_now_ms();
	bool learn = false;
	u32 status;

	/*
	 * An existing session first: the originator of a request finds the
	 * session it protected the request with when the response arrives,
	 * without registering its key for kid lookup.
	 */
	u->s = m2msec_esprim_session_match(es, h->kid, h->kid_len, h->ori,
					   h->ori_len, h->rri, h->rri_len);
	if (u->s) {
		status = m2msec_esprim_session_check(es, u->s);
		if (status != M2MSEC_RSC_OK) {
			u->s = NULL;
			return status;
		}
		if ((M2MSEC_HDR_HAS(h, M2MSEC_HDR_ORO) &&
		     memcmp(h->oro.value, u->s->orig.value,
			    sizeof(u->s->orig.value))))
			return M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID;
		if ((M2MSEC_HDR_HAS(h, M2MSEC_HDR_RRO) &&
		     memcmp(h->rro.value, u->s->recv.value,
			    sizeof(u->s->recv.value))))
			return M2MSEC_RSC_ESPRIM_UNKNOWN_RECV_RAND_ID;
		if (!(u->s->recv.algs & u->s->orig.algs & BIT(h->enc)))
			return M2MSEC_RSC_ESPRIM_UNSUPPORTED_OPTION;
		return M2MSEC_RSC_OK;
	}

	k = m2msec_esprim_key_find(es, h->kid, h->kid_len);
	if (!k)
		return M2MSEC_RSC_ESPRIM_UNKNOWN_KEY_ID;
	if (m2msec_esprim_key_check(k->key)) {
		/* Revoked, invalidated or expired: forget it for good. */
		m2msec_esprim_key_drop(es, k);
		return M2MSEC_RSC_ESPRIM_UNKNOWN_KEY_ID;
	}

	/* Copies: nothing here prunes, but nothing later may see entries. */
	e = m2msec_esprim_rand_find(es, M2MSEC_ESPRIM_RECEIVER, h->rri,
				    h->rri_len);
	if (!e || e->r.expiry_ms <= now)
		return M2MSEC_RSC_ESPRIM_UNKNOWN_RECV_RAND_ID;
	recv = e->r;
	if (M2MSEC_HDR_HAS(h, M2MSEC_HDR_RRO) &&
	    memcmp(h->rro.value, recv.value, sizeof(recv.value)))
		return M2MSEC_RSC_ESPRIM_UNKNOWN_RECV_RAND_ID;

	e = m2msec_esprim_rand_find(es, M2MSEC_ESPRIM_ORIGINATOR, h->ori,
				    h->ori_len);
	if (e && e->r.expiry_ms > now) {
		if (M2MSEC_HDR_HAS(h, M2MSEC_HDR_ORO) &&
		    memcmp(h->oro.value, e->r.value, sizeof(e->r.value)))
			return M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID;
		orig = e->r;
	} else if (M2MSEC_HDR_HAS(h, M2MSEC_HDR_ORO)) {
		status = oro_rand(&h->oro, &recv, &orig);
		if (status != M2MSEC_RSC_OK)
			return status;
		learn = true;
	} else {
		return M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID;
	}
	if (orig.expiry_ms > recv.expiry_ms)
		return M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID;
	if (!(recv.algs & orig.algs & BIT(h->enc)) ||
	    !(recv.keygen_algs & orig.keygen_algs &
	      BIT(M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256)))
		return M2MSEC_RSC_ESPRIM_UNSUPPORTED_OPTION;

	u->new_s = m2msec_esprim_session_prepare(k->key, k->serial, &recv,
						 &orig, h->enc);
	if (IS_ERR(u->new_s)) {
		int err = PTR_ERR(u->new_s);

		u->new_s = NULL;
		if (err == -EKEYREVOKED || err == -EKEYEXPIRED ||
		    err == -ENOKEY)
			return M2MSEC_RSC_ESPRIM_UNKNOWN_KEY_ID;
		return M2MSEC_RSC_ESPRIM_DECRYPTION_ERROR;
	}
	if (learn) {
		u->oro = m2msec_esprim_rand_ent_new(&orig, true);
		if (!u->oro)
			return M2MSEC_RSC_ESPRIM_DECRYPTION_ERROR;
	}
	return M2MSEC_RSC_OK;
}

/*
 * The tag verified: publish the prepared session and the learned object.
 * Room for both is made first (this may prune and evict), then both are
 * inserted, which cannot fail.
 */
static u32 commit(struct unprotect *u)
{
	struct m2msec_esprim_sock *es = u->es;

	if (m2msec_esprim_session_room(es, true))
		return M2MSEC_RSC_ESPRIM_DECRYPTION_ERROR;
	if (u->oro) {
		/*
		 * Replaces an expired object of that id; -EEXIST cannot
		 * happen (an unexpired one would have been used instead,
		 * and the lock is held), -ENOSPC when the table is full of
		 * registered objects.
		 */
		if (m2msec_esprim_rand_publish(es, u->oro))
			return M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID;
		u->oro = NULL;
		m2msec_esprim_count(es->en,
				    M2MSEC_A_ESPRIM_STAT_RANDS_LEARNED);
	}
	m2msec_esprim_session_publish(es, u->new_s, 0);
	u->s = u->new_s;
	u->new_s = NULL;
	return M2MSEC_RSC_OK;
}

static struct sk_buff *status_only(struct unprotect *u, u32 status)
{
	const struct m2msec_jwe_hdr *h = &u->h;

	return m2msec_esprim_result(status, u->s ? u->s->id : 0, 0, h->kid,
				    h->kid_len, NULL, 0, NULL, 0);
}

/**
 * m2msec_esprim_unprotect() - verify and decrypt an ESPrim Object
 * @es: socket state (lock held)
 * @msg: the object
 * @len: its length
 * @max_object: largest object accepted (namespace setting)
 *
 * Return: the result skb (the inner primitive with kid, cty and the
 * identity bound to the key, or an error status), or an ERR_PTR for errors
 * that are the caller's (-EFAULT, -ENOMEM).
 */
struct sk_buff *m2msec_esprim_unprotect(struct m2msec_esprim_sock *es,
					struct msghdr *msg, size_t len,
					u32 max_object)
{
	struct unprotect u = { .es = es };
	struct crypto_aead *tfm, *new_tfm = NULL;
	struct m2msec_esprim_sess *s;
	struct m2msec_jwe jwe;
	struct sk_buff *skb;
	size_t ct_len;
	char *obj, *hdr;
	u8 *work;
	long n;
	u32 status;
	int err;

	if (len > max_object) {
		m2msec_esprim_count(es->en, M2MSEC_A_ESPRIM_STAT_OVERSIZE);
		return status_only(&u, M2MSEC_RSC_BAD_REQUEST);
	}
	obj = kmalloc(len + M2MSEC_JWE_HDR_MAX, GFP_KERNEL | __GFP_NOWARN);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	hdr = obj + len;
	if (!copy_from_iter_full(obj, len, &msg->msg_iter)) {
		skb = ERR_PTR(-EFAULT);
		goto out_obj;
	}

	err = m2msec_jwe_split(obj, len, &jwe);
	if (err) {
		skb = status_only(&u, M2MSEC_RSC_BAD_REQUEST);
		goto out_obj;
	}
	/* Canonical and at most M2MSEC_JWE_HDR_MAX bytes: checked above. */
	n = m2msec_b64url_decode(jwe.part[M2MSEC_JWE_HDR],
				 jwe.len[M2MSEC_JWE_HDR], hdr);
	err = m2msec_jwe_hdr_parse(hdr, n, &u.h);
	if (err) {
		memset(&u.h, 0, sizeof(u.h));
		skb = status_only(&u, err == -EOPNOTSUPP ?
				  M2MSEC_RSC_ESPRIM_UNSUPPORTED_OPTION :
				  M2MSEC_RSC_BAD_REQUEST);
		goto out_obj;
	}

	status = resolve(&u);
	if (status != M2MSEC_RSC_OK) {
		skb = status_only(&u, status);
		goto out_obj;
	}
	/*
	 * A transform the session does not have yet is kept only if the tag
	 * verifies; a prepared session is thrown away whole if it does not.
	 */
	s = u.s ?: u.new_s;
	tfm = s->aead[u.h.enc - M2MSEC_ESPRIM_A128GCM];
	if (!tfm) {
		tfm = m2msec_esprim_aead_new(s->skey, u.h.enc);
		if (IS_ERR(tfm)) {
			skb = status_only(&u,
					  M2MSEC_RSC_ESPRIM_DECRYPTION_ERROR);
			goto out_obj;
		}
		new_tfm = tfm;
	}

	ct_len = m2msec_b64url_dec_len(jwe.len[M2MSEC_JWE_CT]);
	work = kmalloc(M2MSEC_JWE_IV_LEN + ct_len + M2MSEC_JWE_TAG_LEN,
		       GFP_KERNEL | __GFP_NOWARN);
	if (!work) {
		skb = ERR_PTR(-ENOMEM);
		goto out_obj;
	}
	m2msec_b64url_decode(jwe.part[M2MSEC_JWE_IV], jwe.len[M2MSEC_JWE_IV],
			     work);
	m2msec_b64url_decode(jwe.part[M2MSEC_JWE_CT], jwe.len[M2MSEC_JWE_CT],
			     work + M2MSEC_JWE_IV_LEN);
	m2msec_b64url_decode(jwe.part[M2MSEC_JWE_TAG],
			     jwe.len[M2MSEC_JWE_TAG],
			     work + M2MSEC_JWE_IV_LEN + ct_len);

	/* AAD: the encoded header exactly as received (RFC 7516 5.2 14). */
	err = m2msec_esprim_open(tfm, work, obj, jwe.len[M2MSEC_JWE_HDR],
				 work + M2MSEC_JWE_IV_LEN,
				 ct_len + M2MSEC_JWE_TAG_LEN);
	if (err) {
		skb = status_only(&u, err == -EBADMSG ?
				  M2MSEC_RSC_ESPRIM_BAD_MAC :
				  M2MSEC_RSC_ESPRIM_DECRYPTION_ERROR);
		goto out_work;
	}

	/* Authenticated: now the session, its transform, the oro may stay. */
	if (new_tfm) {
		s->aead[u.h.enc - M2MSEC_ESPRIM_A128GCM] = new_tfm;
		new_tfm = NULL;
	}
	if (u.new_s) {
		status = commit(&u);
		if (status != M2MSEC_RSC_OK) {
			skb = status_only(&u, status);
			goto out_work;
		}
	}

	skb = m2msec_esprim_result(M2MSEC_RSC_OK, u.s->id, ct_len, u.h.kid,
				   u.h.kid_len, u.h.cty, u.h.cty_len,
				   u.s->peer, u.s->peer_len);
	if (!IS_ERR(skb)) {
		memcpy(skb->data, work + M2MSEC_JWE_IV_LEN, ct_len);
		u.s->n_unprotected++;
	}

out_work:
	kfree_sensitive(work);
out_obj:
	if (new_tfm)
		crypto_free_aead(new_tfm);	/* frees the keyed context wiped */
	m2msec_esprim_session_discard(u.new_s);
	kfree(u.oro);
	kfree(obj);
	return skb;
}
