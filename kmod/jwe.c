// SPDX-License-Identifier: GPL-2.0
/*
 * Splitting a JWE compact serialization (RFC 7516 section 7.1):
 *
 *   BASE64URL(UTF8(JWE Protected Header)) '.'
 *   BASE64URL(JWE Encrypted Key)          '.'   empty: "alg":"dir"
 *   BASE64URL(JWE Initialization Vector)  '.'   12 bytes: 16 characters
 *   BASE64URL(JWE Ciphertext)             '.'
 *   BASE64URL(JWE Authentication Tag)           16 bytes: 22 characters
 *
 * Every part is checked to be canonical base64url here, before anything is
 * decoded or looked up, so later stages see only well-formed input.  The
 * caller bounds the total length (the namespace's esprim_max_object).
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <string.h>
#endif

#include "b64url.h"
#include "jwe.h"

/**
 * m2msec_jwe_split() - split and check a compact JWE
 * @obj: the object (not NUL-terminated)
 * @len: its length
 * @jwe: the parts, pointing into @obj
 *
 * Return: 0; -EINVAL when the object is not five canonical base64url parts
 * with an empty encrypted key, a 12-byte IV, a 16-byte tag and a non-empty
 * header; -EMSGSIZE when the protected header exceeds M2MSEC_JWE_HDR_MAX
 * bytes.
 */
int m2msec_jwe_split(const char *obj, size_t len, struct m2msec_jwe *jwe)
{
	const char *p = obj, *end = obj + len, *dot;
	int i;

	for (i = 0; i < M2MSEC_JWE_NPARTS; i++) {
		dot = memchr(p, '.', end - p);
		if (i < M2MSEC_JWE_NPARTS - 1) {
			if (!dot)
				return -EINVAL;
		} else if (dot) {
			return -EINVAL;	/* a sixth part */
		} else {
			dot = end;
		}
		jwe->part[i] = p;
		jwe->len[i] = dot - p;
		if (m2msec_b64url_valid(p, dot - p))
			return -EINVAL;
		p = dot + 1;
	}

	if (!jwe->len[M2MSEC_JWE_HDR])
		return -EINVAL;
	if (m2msec_b64url_dec_len(jwe->len[M2MSEC_JWE_HDR]) >
	    M2MSEC_JWE_HDR_MAX)
		return -EMSGSIZE;
	if (jwe->len[M2MSEC_JWE_EK])
		return -EINVAL;
	if (jwe->len[M2MSEC_JWE_IV] != m2msec_b64url_enc_len(M2MSEC_JWE_IV_LEN))
		return -EINVAL;
	if (jwe->len[M2MSEC_JWE_TAG] !=
	    m2msec_b64url_enc_len(M2MSEC_JWE_TAG_LEN))
		return -EINVAL;
	return 0;
}
