// SPDX-License-Identifier: GPL-2.0
/*
 * AES-GCM for ESPrim objects through the kernel crypto API ("gcm(aes)", so
 * any accelerated or hardware implementation registered for it is used):
 * 96-bit IV, 128-bit tag, the AAD is the ASCII of the encoded protected
 * header (RFC 7516 section 5.1 step 14, RFC 7518 section 5.3).
 * Asynchronous implementations are waited for: the callers may sleep.
 */
#include <crypto/aead.h>
#include <linux/err.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "m2msec.h"

/**
 * m2msec_esprim_aead_new() - AES-GCM keyed for one "enc"
 * @skey: the 32-byte session key; its first 16/24/32 bytes are used
 * @alg: enum m2msec_esprim_alg
 *
 * Return: the transform or an ERR_PTR.
 */
struct crypto_aead *m2msec_esprim_aead_new(const u8 *skey, int alg)
{
	struct crypto_aead *tfm;
	unsigned int keylen;
	int err;

	switch (alg) {
	case M2MSEC_ESPRIM_A128GCM:
		keylen = 16;
		break;
	case M2MSEC_ESPRIM_A192GCM:
		keylen = 24;
		break;
	case M2MSEC_ESPRIM_A256GCM:
		keylen = 32;
		break;
	default:
		return ERR_PTR(-EOPNOTSUPP);
	}
	tfm = crypto_alloc_aead("gcm(aes)", 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	err = crypto_aead_setauthsize(tfm, M2MSEC_JWE_TAG_LEN);
	if (!err)
		err = crypto_aead_setkey(tfm, skey, keylen);
	if (err) {
		crypto_free_aead(tfm);
		return ERR_PTR(err);
	}
	return tfm;
}

/* @buf holds the text and room for (or the) tag behind it; kmalloc'ed. */
static int m2msec_esprim_crypt(struct crypto_aead *tfm, u8 *iv, const u8 *aad,
			       unsigned int aad_len, u8 *buf,
			       unsigned int len, bool enc)
{
	struct aead_request *req;
	struct scatterlist sg[2];
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	/*
	 * The crypto API's own allocator: kmalloc() memory is aligned to
	 * CRYPTO_MINALIGN (= ARCH_KMALLOC_MINALIGN) and the request context
	 * is declared CRYPTO_MINALIGN-aligned behind the request;
	 * aead_request_free() wipes exactly that allocation.
	 */
	req = aead_request_alloc(tfm, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	sg_init_table(sg, 2);
	sg_set_buf(&sg[0], aad, aad_len);
	sg_set_buf(&sg[1], buf, len + (enc ? M2MSEC_JWE_TAG_LEN : 0));
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP, crypto_req_done,
				  &wait);
	aead_request_set_ad(req, aad_len);
	aead_request_set_crypt(req, sg, sg, len, iv);
	err = crypto_wait_req(enc ? crypto_aead_encrypt(req) :
			      crypto_aead_decrypt(req), &wait);
	aead_request_free(req);
	return err;
}

/**
 * m2msec_esprim_seal() - encrypt in place and append the tag
 * @tfm: from m2msec_esprim_aead_new()
 * @iv: 12 bytes (kmalloc'ed memory)
 * @aad: the encoded protected header (kmalloc'ed memory)
 * @aad_len: its length
 * @buf: @pt_len bytes of plaintext followed by room for the tag
 *	(kmalloc'ed memory)
 * @pt_len: plaintext length
 *
 * Return: 0 or a negative errno.
 */
int m2msec_esprim_seal(struct crypto_aead *tfm, u8 *iv, const u8 *aad,
		       unsigned int aad_len, u8 *buf, unsigned int pt_len)
{
	return m2msec_esprim_crypt(tfm, iv, aad, aad_len, buf, pt_len, true);
}

/**
 * m2msec_esprim_open() - check the tag and decrypt in place
 * @tfm: from m2msec_esprim_aead_new()
 * @iv: 12 bytes (kmalloc'ed memory)
 * @aad: the encoded protected header (kmalloc'ed memory)
 * @aad_len: its length
 * @buf: ciphertext followed by the tag (kmalloc'ed memory)
 * @ct_len: ciphertext length plus the tag length
 *
 * Return: 0, -EBADMSG when the tag does not verify, another negative errno
 * when the cipher failed.
 */
int m2msec_esprim_open(struct crypto_aead *tfm, u8 *iv, const u8 *aad,
		       unsigned int aad_len, u8 *buf, unsigned int ct_len)
{
	return m2msec_esprim_crypt(tfm, iv, aad, aad_len, buf, ct_len, false);
}
