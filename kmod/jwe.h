/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JWE compact serialization (RFC 7516 section 7.1) as ESPrim uses it:
 * five base64url parts, "alg":"dir" (empty encrypted key), AES-GCM
 * (96-bit IV, 128-bit tag, RFC 7518 section 5.3).  Pure C, also built for
 * userspace.
 */
#ifndef _M2MSEC_JWE_H
#define _M2MSEC_JWE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#endif

enum m2msec_jwe_part {
	M2MSEC_JWE_HDR,		/* BASE64URL(UTF8(JWE Protected Header)) */
	M2MSEC_JWE_EK,		/* encrypted key: empty for "dir" */
	M2MSEC_JWE_IV,		/* initialization vector */
	M2MSEC_JWE_CT,		/* ciphertext */
	M2MSEC_JWE_TAG,		/* authentication tag */
	M2MSEC_JWE_NPARTS,
};

enum {
	M2MSEC_JWE_IV_LEN = 12,
	M2MSEC_JWE_TAG_LEN = 16,
	/* Largest decoded protected header accepted and produced. */
	M2MSEC_JWE_HDR_MAX = 2048,
};

/**
 * struct m2msec_jwe - the five parts of a compact JWE, not yet decoded
 * @part: first character of each part (inside the caller's buffer)
 * @len: length of each part in characters
 */
struct m2msec_jwe {
	const char *part[M2MSEC_JWE_NPARTS];
	size_t len[M2MSEC_JWE_NPARTS];
};

int m2msec_jwe_split(const char *obj, size_t len, struct m2msec_jwe *jwe);

/**
 * m2msec_jwe_len() - length of a compact JWE for "dir" and AES-GCM
 * @hdr_b64: characters of the encoded protected header
 * @pt_len: bytes of plaintext
 *
 * Return: characters of the whole object.
 */
static inline size_t m2msec_jwe_len(size_t hdr_b64, size_t pt_len)
{
	return hdr_b64 + 4 + 16 /* IV */ + 22 /* tag */ +
	       (pt_len / 3 * 4 + (pt_len % 3 ? pt_len % 3 + 1 : 0));
}

#endif /* _M2MSEC_JWE_H */
