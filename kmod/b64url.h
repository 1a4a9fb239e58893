/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Canonical base64url (RFC 4648 section 5, no padding) as JWE compact
 * serialization uses it (RFC 7515 section 2), and canonical padded base64
 * (RFC 4648 section 4) for the rand values inside "oro"/"rro".  Pure C: the
 * same source is built into m2msec.ko, the host tests and the fuzzer.
 */
#ifndef _M2MSEC_B64URL_H
#define _M2MSEC_B64URL_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#include <sys/types.h>
#endif

/**
 * m2msec_b64url_enc_len() - characters needed to encode @n bytes unpadded
 * @n: number of input bytes
 *
 * Return: the encoded length.
 */
static inline size_t m2msec_b64url_enc_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/**
 * m2msec_b64url_dec_len() - bytes an unpadded encoding of @n chars holds
 * @n: number of characters
 *
 * Return: the decoded length, or -1 when no canonical encoding has @n chars.
 */
static inline long m2msec_b64url_dec_len(size_t n)
{
	if (n % 4 == 1)
		return -1;
	return (long)(n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0));
}

size_t m2msec_b64url_encode(const unsigned char *in, size_t len, char *out);
long m2msec_b64url_decode(const char *in, size_t len, unsigned char *out);
int m2msec_b64url_valid(const char *in, size_t len);

size_t m2msec_b64_encode(const unsigned char *in, size_t len, char *out);
long m2msec_b64_decode(const char *in, size_t len, unsigned char *out,
		       size_t max);

#endif /* _M2MSEC_B64URL_H */
