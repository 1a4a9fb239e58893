// SPDX-License-Identifier: LGPL-2.1
/*
 * Key export primitives over wolfCrypt (kx_crypto.h), so that m2msecd,
 * whose TLS stack is wolfSSL, links no second one: wc_PRF_TLS for the
 * TLS 1.2 PRF, HKDF-Expand over wc_Hmac*, and AES (one direct block) and
 * ChaCha20 for the record number mask.  Consumers of the wolfSSL build are
 * compiled with its defines (/var/cache/m2msec/wolfssl/cflags).
 */
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/settings.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/chacha.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/kdf.h>

#include "kx_crypto.h"

#if !defined(WOLFSSL_HAVE_PRF) || !defined(WOLFSSL_AES_DIRECT) || \
	!defined(HAVE_CHACHA) || !defined(WOLFSSL_SHA384) || defined(NO_HMAC)
#error "the wolfSSL build lacks the TLS PRF, direct AES, ChaCha20, SHA-384 or HMAC"
#endif

/* A hash name as the PRF's MAC type and as the HMAC type. */
static int hash_types(const char *hash, int *mac, int *type)
{
	if (!strcmp(hash, "SHA256")) {
		*mac = sha256_mac;
		*type = WC_SHA256;
	} else if (!strcmp(hash, "SHA384")) {
		*mac = sha384_mac;
		*type = WC_SHA384;
	} else {
		return -1;
	}
	return 0;
}

/* wc_PRF wipes its blocks and HMAC state itself. */
static int prf(const char *hash, const uint8_t *secret, size_t secret_len,
	       const char *label, const uint8_t *seed, size_t seed_len,
	       uint8_t *out, size_t out_len)
{
	int mac, type;

	if (hash_types(hash, &mac, &type))
		return -1;
	return wc_PRF_TLS(out, out_len, secret, secret_len,
			  (const byte *)label, strlen(label), seed, seed_len,
			  1, mac, NULL, INVALID_DEVID) ? -1 : 0;
}

/*
 * RFC 5869 2.3: T(i) = HMAC(PRK, T(i-1) || info || i), here rather than
 * wc_HKDF_Expand, which leaves its last block on the stack.  wc_HmacFinal
 * leaves the HMAC keyed for the next block; wc_HmacFree wipes it.
 */
static int hkdf_expand(const char *hash, const uint8_t *prk, size_t prk_len,
		       const uint8_t *info, size_t info_len, uint8_t *out,
		       size_t out_len)
{
	uint8_t t[WC_MAX_DIGEST_SIZE], i = 0;
	size_t hlen, done = 0, n;
	int mac, type, ret;
	Hmac h;

	if (hash_types(hash, &mac, &type))
		return -1;
	ret = wc_HmacSizeByType(type);
	if (ret <= 0 || out_len > 255 * (size_t)ret)
		return -1;
	hlen = ret;
	if (wc_HmacInit(&h, NULL, INVALID_DEVID))
		return -1;
	ret = wc_HmacSetKey(&h, type, prk, prk_len);
	while (!ret && done < out_len) {
		i++;
		ret = (i > 1 && wc_HmacUpdate(&h, t, hlen)) ||
			wc_HmacUpdate(&h, info, info_len) ||
			wc_HmacUpdate(&h, &i, 1) || wc_HmacFinal(&h, t);
		n = out_len - done < hlen ? out_len - done : hlen;
		if (!ret)
			memcpy(out + done, t, n);
		done += n;
	}
	wc_HmacFree(&h);
	explicit_bzero(t, sizeof(t));
	return ret ? -1 : 0;
}

static int sn_block(enum m2msec_cipher c, const uint8_t *key, size_t key_len,
		    const uint8_t in[16], uint8_t out[16])
{
	static const uint8_t zero[16];
	ChaCha cc;
	Aes aes;
	int ret;

	if (c == M2MSEC_CIPHER_CHACHA20_POLY1305) {
		uint32_t counter = in[0] | in[1] << 8 | in[2] << 16 |
			(uint32_t)in[3] << 24;

		ret = wc_Chacha_SetKey(&cc, key, key_len) ||
			wc_Chacha_SetIV(&cc, in + 4, counter) ||
			wc_Chacha_Process(&cc, out, zero, 16);
		explicit_bzero(&cc, sizeof(cc));
		return ret ? -1 : 0;
	}
	if (wc_AesInit(&aes, NULL, INVALID_DEVID))
		return -1;
	ret = wc_AesSetKey(&aes, key, key_len, NULL, AES_ENCRYPTION) ||
		wc_AesEncryptDirect(&aes, out, in);
	wc_AesFree(&aes);
	explicit_bzero(&aes, sizeof(aes));
	return ret ? -1 : 0;
}

const struct kx_crypto kx_crypto_wolf = {
	.prf = prf,
	.hkdf_expand = hkdf_expand,
	.sn_block = sn_block,
};
