// SPDX-License-Identifier: GPL-2.0
/*
 * Record protection with the kernel crypto API.
 *
 * One allocation per record holds the request, the scatterlist, the IV and
 * the additional data (none of them may live on a virtually mapped stack).
 * Asynchronous drivers (hardware engines, cryptd) return -EINPROGRESS, or
 * -EBUSY when they backlog the request; crypto_wait_req() sleeps until the
 * completion callback fires, and only then is the request freed.  The
 * completion therefore never races with our return path, the problem
 * kTLS had with its async decryption (CVE-2024-26583).
 */
#include <crypto/aead.h>
#include <crypto/chacha.h>
#include <crypto/internal/cipher.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "dtls.h"

#define M2MSEC_AAD_MAX	64

struct m2msec_aead_buf {
	struct scatterlist sg[2];
	u8 iv[16];
	u8 aad[M2MSEC_AAD_MAX];
	/* struct aead_request and the driver's context follow */
};

/*
 * ccm(aes) takes a 16-byte counter block: flags byte L' = L - 1 where
 * L = 15 - 12 = 3 bytes of length field (RFC 3610, RFC 6655), the 12-byte
 * nonce, then the counter.  The other AEADs take the nonce as is.
 */
static void m2msec_aead_iv(u8 *iv, const struct m2msec_cipher_desc *cd,
			   const u8 nonce[12])
{
	memset(iv, 0, 16);
	if (cd->id == M2MSEC_CIPHER_AES_128_CCM ||
	    cd->id == M2MSEC_CIPHER_AES_128_CCM_8) {
		iv[0] = 2;
		memcpy(iv + 1, nonce, 12);
	} else {
		memcpy(iv, nonce, 12);
	}
}

/*
 * Scratch layout: struct m2msec_aead_buf, then the aead_request with the
 * driver's context.  The request starts CRYPTO_MINALIGN-aligned, as if it
 * came from kmalloc(): drivers rely on that for their context.
 */
static size_t m2msec_aead_req_off(void)
{
	return ALIGN(sizeof(struct m2msec_aead_buf), CRYPTO_MINALIGN);
}

static size_t m2msec_aead_body_size(const struct m2msec_epoch *ep)
{
	return m2msec_aead_req_off() + sizeof(struct aead_request) +
	       crypto_aead_reqsize(ep->aead);
}

/**
 * m2msec_aead_scratch_size() - bytes m2msec_aead_crypt() needs as scratch
 * @ep: epoch
 *
 * Callers that already allocate a buffer for the record can append this
 * much (alignment slack included) and save an allocation; the area itself
 * starts at m2msec_aead_scratch().
 */
size_t m2msec_aead_scratch_size(const struct m2msec_epoch *ep)
{
	return m2msec_scratch_reserve(m2msec_aead_body_size(ep),
				      CRYPTO_MINALIGN);
}

/**
 * m2msec_aead_scratch() - the scratch area at the end of a buffer
 * @buf: buffer of @used + m2msec_aead_scratch_size() bytes
 * @used: bytes of @buf in use before the scratch area
 */
void *m2msec_aead_scratch(u8 *buf, size_t used)
{
	return buf + used + m2msec_scratch_pad((uintptr_t)(buf + used),
					       CRYPTO_MINALIGN);
}

/**
 * m2msec_aead_crypt() - protect or unprotect one record in place
 * @ep: epoch whose AEAD is used
 * @enc: true to encrypt, false to decrypt and verify
 * @nonce: the record's 12-byte nonce
 * @aad: additional data (at most M2MSEC_AAD_MAX bytes)
 * @aad_len: its length
 * @data: plaintext (enc; room for the tag after it) or ciphertext + tag
 * @len: plaintext length (enc) or ciphertext length including the tag
 * @scratch: m2msec_aead_scratch_size() bytes for the request, or NULL to
 *	allocate them here
 *
 * Process context: may sleep while an asynchronous driver works.  Never
 * called with the data on the stack.
 *
 * Return: 0, -EBADMSG on authentication failure, or another negative errno.
 */
int m2msec_aead_crypt(struct m2msec_epoch *ep, bool enc, const u8 *nonce,
		      const u8 *aad, unsigned int aad_len, u8 *data,
		      unsigned int len, void *scratch)
{
	unsigned int tag = ep->cd->tag_len;
	struct m2msec_aead_buf *b;
	struct aead_request *req;
	DECLARE_CRYPTO_WAIT(wait);
	int err;

	if (aad_len > M2MSEC_AAD_MAX || (!enc && len < tag))
		return -EINVAL;
	b = scratch ?: kmalloc(m2msec_aead_body_size(ep), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	req = (struct aead_request *)((u8 *)b + m2msec_aead_req_off());

	memcpy(b->aad, aad, aad_len);
	m2msec_aead_iv(b->iv, ep->cd, nonce);
	sg_init_table(b->sg, 2);
	sg_set_buf(&b->sg[0], b->aad, aad_len);
	sg_set_buf(&b->sg[1], data, enc ? len + tag : len);

	aead_request_set_tfm(req, ep->aead);
	aead_request_set_callback(req, CRYPTO_TFM_REQ_MAY_BACKLOG |
				  CRYPTO_TFM_REQ_MAY_SLEEP,
				  crypto_req_done, &wait);
	aead_request_set_ad(req, aad_len);
	aead_request_set_crypt(req, b->sg, b->sg, len, b->iv);
	err = crypto_wait_req(enc ? crypto_aead_encrypt(req) :
			      crypto_aead_decrypt(req), &wait);
	/*
	 * The request context may hold key schedule material.  Only the body
	 * is cleared: the slack before it belongs to the caller's record.
	 */
	if (scratch)
		memzero_explicit(b, m2msec_aead_body_size(ep));
	else
		kfree_sensitive(b);
	return err;
}

/**
 * m2msec_sn_mask() - DTLS 1.3 record number mask (RFC 9147 4.2.3)
 * @ep: a DTLS 1.3 epoch
 * @sample: the first 16 bytes of the record's ciphertext
 * @mask: output; the first one or two bytes are XORed into the header
 *
 * AES suites: AES-ECB(sn_key, sample).  ChaCha20: the ChaCha20 key stream
 * for key sn_key, counter = sample[0..3] (little endian), nonce =
 * sample[4..15], i.e. ChaCha20 applied to zeros.
 *
 * Return: 0, or -EINVAL when @ep has no record number key.
 */
int m2msec_sn_mask(struct m2msec_epoch *ep, const u8 sample[16], u8 mask[16])
{
	u32 state[16];

	if (ep->sn_aes) {
		crypto_cipher_encrypt_one(ep->sn_aes, mask, sample);
		return 0;
	}
	if (ep->version != M2MSEC_DTLS_1_3)
		return -EINVAL;
	memset(mask, 0, 16);
	chacha_init(state, ep->sn_chacha, sample);
	chacha_crypt(state, mask, mask, 16, 20);
	memzero_explicit(state, sizeof(state));
	return 0;
}
