// SPDX-License-Identifier: LGPL-2.1
/*
 * Key export primitives over OpenSSL libcrypto (kx_crypto.h): EVP_KDF
 * "TLS1-PRF" and "HKDF", EVP ciphers for the record number mask.  OpenSSL
 * cleanses its KDF and cipher contexts when they are freed.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "kx_crypto.h"

static int prf(const char *hash, const uint8_t *secret, size_t secret_len,
	       const char *label, const uint8_t *seed, size_t seed_len,
	       uint8_t *out, size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM p[5];
	int ok;

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)hash, 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
						 (void *)secret, secret_len);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
						 (void *)label, strlen(label));
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED,
						 (void *)seed, seed_len);
	p[4] = OSSL_PARAM_construct_end();
	ok = ctx && EVP_KDF_derive(ctx, out, out_len, p) > 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

static int hkdf_expand(const char *hash, const uint8_t *prk, size_t prk_len,
		       const uint8_t *info, size_t info_len, uint8_t *out,
		       size_t out_len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY, ok;
	OSSL_PARAM p[5];

	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)hash, 0);
	p[1] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)prk, prk_len);
	p[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						 (void *)info, info_len);
	p[4] = OSSL_PARAM_construct_end();
	ok = ctx && EVP_KDF_derive(ctx, out, out_len, p) > 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return ok ? 0 : -1;
}

static int sn_block(enum m2msec_cipher c, const uint8_t *key, size_t key_len,
		    const uint8_t in[16], uint8_t out[16])
{
	static const uint8_t zero[16];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n, ok;

	if (!ctx)
		return -1;
	/* EVP_chacha20's IV is the counter (little endian) and the nonce. */
	if (c == M2MSEC_CIPHER_CHACHA20_POLY1305)
		ok = EVP_EncryptInit_ex(ctx, EVP_chacha20(), NULL, key, in) &&
			EVP_EncryptUpdate(ctx, out, &n, zero, 16);
	else
		ok = EVP_EncryptInit_ex(ctx, key_len == 32 ? EVP_aes_256_ecb() :
					EVP_aes_128_ecb(), NULL, key, NULL) &&
			EVP_CIPHER_CTX_set_padding(ctx, 0) &&
			EVP_EncryptUpdate(ctx, out, &n, in, 16);
	EVP_CIPHER_CTX_free(ctx);
	return ok && n == 16 ? 0 : -1;
}

const struct kx_crypto kx_crypto_ossl = {
	.prf = prf,
	.hkdf_expand = hkdf_expand,
	.sn_block = sn_block,
};
