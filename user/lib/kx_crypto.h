/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * The primitives under the key export's derivations (kx_kdf.c), one table
 * per crypto library: kx_crypto_ossl.c (OpenSSL libcrypto, for
 * dtls-keyexport) and kx_crypto_wolf.c (wolfCrypt, for m2msecd, which thus
 * links one TLS stack only).  kx_kdf.c is compiled once per table, with
 * -DKX_CRYPTO=kx_crypto_ossl or -DKX_CRYPTO=kx_crypto_wolf (user/Makefile).
 *
 * Hash names are "SHA256" and "SHA384"; an unknown one fails.  Each
 * function returns 0 or -1 and leaves no secret behind in memory of its
 * own (the caller wipes what it passed in and got back).
 */
#ifndef M2MSEC_KX_CRYPTO_H
#define M2MSEC_KX_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "keyfile.h"

struct kx_crypto {
	/* TLS 1.2 PRF (RFC 5246 5): P_hash(secret, label || seed). */
	int (*prf)(const char *hash, const uint8_t *secret, size_t secret_len,
		   const char *label, const uint8_t *seed, size_t seed_len,
		   uint8_t *out, size_t out_len);
	/* HKDF-Expand(PRK, info, L) of RFC 5869 2.3. */
	int (*hkdf_expand)(const char *hash, const uint8_t *prk,
			   size_t prk_len, const uint8_t *info,
			   size_t info_len, uint8_t *out, size_t out_len);
	/*
	 * The record number mask block of RFC 9147 4.2.3: AES-ECB(key, in)
	 * with a 16- or 32-byte key, or for ChaCha20 (32-byte key) the key
	 * stream block at counter in[0..3] (little endian) and nonce
	 * in[4..15].
	 */
	int (*sn_block)(enum m2msec_cipher c, const uint8_t *key,
			size_t key_len, const uint8_t in[16], uint8_t out[16]);
};

extern const struct kx_crypto kx_crypto_ossl, kx_crypto_wolf;

#endif /* M2MSEC_KX_CRYPTO_H */
