// SPDX-License-Identifier: LGPL-2.1
/*
 * Key export: cipher suite table and key derivations, and the association
 * built from a session.  The PRF, HKDF-Expand and the record number mask
 * block come from the table KX_CRYPTO names (kx_crypto.h): this file is
 * compiled once for OpenSSL libcrypto and once for wolfCrypt.
 */
#include <stdio.h>
#include <string.h>

#include "kx.h"
#include "kx_crypto.h"

#ifndef KX_CRYPTO
#error "compile with -DKX_CRYPTO=kx_crypto_ossl or -DKX_CRYPTO=kx_crypto_wolf"
#endif
#define CRYPTO (&KX_CRYPTO)

/* The suites the module's cipher table lists (kmod/cipher.c). */
static const struct {
	uint16_t version, suite;
	enum m2msec_cipher cipher;
	const char *hash;
} suites[] = {
	{ M2MSEC_DTLS_1_2, 0x00a8, M2MSEC_CIPHER_AES_128_GCM, "SHA256" },
	{ M2MSEC_DTLS_1_2, 0xc02b, M2MSEC_CIPHER_AES_128_GCM, "SHA256" },
	{ M2MSEC_DTLS_1_2, 0xc02f, M2MSEC_CIPHER_AES_128_GCM, "SHA256" },
	{ M2MSEC_DTLS_1_2, 0x00a9, M2MSEC_CIPHER_AES_256_GCM, "SHA384" },
	{ M2MSEC_DTLS_1_2, 0xc02c, M2MSEC_CIPHER_AES_256_GCM, "SHA384" },
	{ M2MSEC_DTLS_1_2, 0xc030, M2MSEC_CIPHER_AES_256_GCM, "SHA384" },
	{ M2MSEC_DTLS_1_2, 0xccab, M2MSEC_CIPHER_CHACHA20_POLY1305, "SHA256" },
	{ M2MSEC_DTLS_1_2, 0xcca9, M2MSEC_CIPHER_CHACHA20_POLY1305, "SHA256" },
	{ M2MSEC_DTLS_1_2, 0xcca8, M2MSEC_CIPHER_CHACHA20_POLY1305, "SHA256" },
	{ M2MSEC_DTLS_1_2, 0xc0a4, M2MSEC_CIPHER_AES_128_CCM, "SHA256" },
	{ M2MSEC_DTLS_1_2, 0xc0ac, M2MSEC_CIPHER_AES_128_CCM, "SHA256" },
	{ M2MSEC_DTLS_1_2, 0xc0a8, M2MSEC_CIPHER_AES_128_CCM_8, "SHA256" },
	{ M2MSEC_DTLS_1_2, 0xc0ae, M2MSEC_CIPHER_AES_128_CCM_8, "SHA256" },
	{ M2MSEC_DTLS_1_3, 0x1301, M2MSEC_CIPHER_AES_128_GCM, "SHA256" },
	{ M2MSEC_DTLS_1_3, 0x1302, M2MSEC_CIPHER_AES_256_GCM, "SHA384" },
	{ M2MSEC_DTLS_1_3, 0x1303, M2MSEC_CIPHER_CHACHA20_POLY1305, "SHA256" },
	{ M2MSEC_DTLS_1_3, 0x1304, M2MSEC_CIPHER_AES_128_CCM, "SHA256" },
	{ M2MSEC_DTLS_1_3, 0x1305, M2MSEC_CIPHER_AES_128_CCM_8, "SHA256" },
};

int kx_suite_info(uint16_t version, uint16_t suite, enum m2msec_cipher *c,
		  const char **hash)
{
	size_t i;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].version == version && suites[i].suite == suite) {
			*c = suites[i].cipher;
			*hash = suites[i].hash;
			return 0;
		}
	return -1;
}

int kx_derive12(const struct kx_session *s, enum kx_role role,
		struct m2msec_kf_dir *tx, struct m2msec_kf_dir *rx)
{
	size_t k = m2msec_cipher_key_len(s->cipher);
	size_t iv = m2msec_cipher_iv_len(s->cipher, M2MSEC_DTLS_1_2);
	struct m2msec_kf_dir *cw = role == KX_CLIENT ? tx : rx;
	struct m2msec_kf_dir *sw = role == KX_CLIENT ? rx : tx;
	uint8_t seed[64], block[2 * (32 + 12)];
	int err;

	/* Seed order for key expansion: server_random first (RFC 5246). */
	memcpy(seed, s->server_random, 32);
	memcpy(seed + 32, s->client_random, 32);
	err = CRYPTO->prf(s->prf_hash, s->master, sizeof(s->master),
			  "key expansion", seed, sizeof(seed), block,
			  2 * (k + iv));
	if (!err) {
		memcpy(cw->key, block, k);
		memcpy(sw->key, block + k, k);
		memcpy(cw->iv, block + 2 * k, iv);
		memcpy(sw->iv, block + 2 * k + iv, iv);
		cw->key_len = sw->key_len = k;
		cw->iv_len = sw->iv_len = iv;
		cw->sn_key_len = sw->sn_key_len = 0;
	}
	explicit_bzero(block, sizeof(block));
	return err;
}

/*
 * HKDF-Expand-Label(Secret, Label, "", Length) of RFC 8446 7.1 with the
 * label prefix "dtls13" that RFC 9147 5.9 puts in place of "tls13 ".
 */
static int expand_label(const char *hash, const uint8_t *secret, size_t slen,
			const char *label, uint8_t *out, size_t outlen)
{
	uint8_t info[2 + 1 + 255 + 1];
	size_t ll = strlen("dtls13") + strlen(label), n = 0;

	if (ll > 255)
		return -1;
	info[n++] = outlen >> 8;
	info[n++] = outlen & 0xff;
	info[n++] = ll;
	memcpy(info + n, "dtls13", 6);
	memcpy(info + n + 6, label, strlen(label));
	n += ll;
	info[n++] = 0;	/* empty context */
	return CRYPTO->hkdf_expand(hash, secret, slen, info, n, out, outlen);
}

static int derive_dir13(const struct kx_session *s, const uint8_t *secret,
			struct m2msec_kf_dir *d)
{
	size_t k = m2msec_cipher_key_len(s->cipher);

	d->key_len = d->sn_key_len = k;
	d->iv_len = 12;
	if (expand_label(s->prf_hash, secret, s->secret_len, "key", d->key, k) ||
	    expand_label(s->prf_hash, secret, s->secret_len, "iv", d->iv, 12) ||
	    expand_label(s->prf_hash, secret, s->secret_len, "sn", d->sn_key, k))
		return -1;
	return 0;
}

int kx_dir13(const struct kx_session *s, const uint8_t *secret,
	     struct m2msec_kf_dir *d)
{
	return derive_dir13(s, secret, d);
}

/* RFC 8446 7.2 with the RFC 9147 5.9 prefix: the next traffic secret. */
int kx_next_secret13(const struct kx_session *s, const uint8_t *secret,
		     uint8_t *next)
{
	return expand_label(s->prf_hash, secret, s->secret_len, "traffic upd",
			    next, s->secret_len);
}

int kx_derive13(const struct kx_session *s, enum kx_role role,
		struct m2msec_kf_dir *tx, struct m2msec_kf_dir *rx)
{
	const uint8_t *mine = role == KX_CLIENT ? s->client_secret :
		s->server_secret;
	const uint8_t *theirs = role == KX_CLIENT ? s->server_secret :
		s->client_secret;

	if (derive_dir13(s, mine, tx) || derive_dir13(s, theirs, rx))
		return -1;
	return 0;
}

/*
 * RFC 9147 4.2.3: Mask = AES-ECB(sn_key, ciphertext[0..15]) for the AES
 * suites; for ChaCha20 the first 4 ciphertext bytes are the block counter
 * (little endian) and the next 12 the nonce, and the mask is the key
 * stream.  Only the first two mask bytes are ever needed (16-bit numbers).
 */
int kx_sn_mask(enum m2msec_cipher c, const uint8_t *sn_key, size_t key_len,
	       const uint8_t *ct, size_t ct_len, uint8_t mask[2])
{
	uint8_t out[16];
	int err;

	if (ct_len < 16 || (key_len != 32 &&
	    (key_len != 16 || c == M2MSEC_CIPHER_CHACHA20_POLY1305)))
		return -1;
	err = CRYPTO->sn_block(c, sn_key, key_len, ct, out);
	if (!err) {
		mask[0] = out[0];
		mask[1] = out[1];
	}
	explicit_bzero(out, sizeof(out));
	return err;
}

/*
 * The first sequence numbers of the exported epoch come from what was seen
 * on the wire: the next one after the highest sent (received) record in that
 * epoch, or 0 when that epoch has carried nothing yet.
 */
static void set_seq(struct m2msec_kf_dir *d, const struct kx_seen *seen,
		    uint64_t epoch)
{
	d->epoch = epoch;
	d->seq = seen->records && seen->epoch == epoch ? seen->max_seq + 1 : 0;
}

int kx_build_assoc(const struct kx_session *s, const struct kx_observer *obs,
		   enum kx_role role, struct m2msec_keyfile *kf, char *err,
		   size_t errlen)
{
	uint64_t epoch = s->version == M2MSEC_DTLS_1_3 ? 3 : 1;
	int ret;

	kf->version = s->version;
	kf->cipher = s->cipher;
	kf->suite = s->suite;
	if (s->version == M2MSEC_DTLS_1_3)
		ret = kx_derive13(s, role, &kf->tx, &kf->rx);
	else
		ret = kx_derive12(s, role, &kf->tx, &kf->rx);
	if (ret) {
		snprintf(err, errlen, "key derivation failed");
		return -1;
	}
	if (s->version == M2MSEC_DTLS_1_2 && obs->tx.epoch != 1) {
		snprintf(err, errlen, "no record of ours was seen in epoch 1 (our Finished); cannot tell the sequence numbers");
		return -1;
	}
	set_seq(&kf->tx, &obs->tx, epoch);
	set_seq(&kf->rx, &obs->rx, epoch);
	memcpy(kf->tx_cid, s->tx_cid, s->tx_cid_len);
	kf->tx_cid_len = s->tx_cid_len;
	memcpy(kf->rx_cid, s->rx_cid, s->rx_cid_len);
	kf->rx_cid_len = s->rx_cid_len;
	return 0;
}
