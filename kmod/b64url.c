// SPDX-License-Identifier: GPL-2.0
/*
 * Canonical base64url and base64 (RFC 4648 sections 4 and 5).
 *
 * "Canonical" (RFC 4648 section 3.5) means exactly one encoding is accepted
 * for each byte string:
 *  - only the 64 characters of the alphabet (no whitespace, no line breaks,
 *    no characters of the other alphabet);
 *  - base64url: no padding, and a length that is not 1 mod 4;
 *    base64: padding to a multiple of 4 with one or two '=' at the end only;
 *  - the bits of the last character that encode no input bit are zero.
 * An ESPrim object is authenticated over the text of its protected header,
 * so a decoder that accepted two spellings of one header would let a
 * transit hop change the object without breaking the tag; and a lax
 * decoder is a parser differential with the peer.  Written without kernel
 * dependencies: the host tests and the fuzzer build this file.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif

#include "b64url.h"

static const char b64url_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char b64_alpha[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of @c in the alphabet (c62/c63 are its last two characters). */
static inline int b64_val(unsigned char c, char c62, char c63)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (unsigned char)c62)
		return 62;
	if (c == (unsigned char)c63)
		return 63;
	return -1;
}

static size_t encode(const unsigned char *in, size_t len, char *out,
		     const char *alpha, int pad)
{
	size_t i, o = 0;
	unsigned int v;

	for (i = 0; i + 3 <= len; i += 3) {
		v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		out[o++] = alpha[v & 63];
	}
	if (len - i == 1) {
		v = in[i] << 16;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (len - i == 2) {
		v = in[i] << 16 | in[i + 1] << 8;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		if (pad)
			out[o++] = '=';
	}
	return o;
}

/*
 * Decode @len characters without padding; @out may be NULL to validate
 * only.  Return: decoded length or -EINVAL.
 */
static long decode(const char *in, size_t len, unsigned char *out,
		   char c62, char c63)
{
	size_t i, o = 0, full = len / 4 * 4;
	int a, b, c, d;

	if (len % 4 == 1)
		return -EINVAL;
	for (i = 0; i < full; i += 4) {
		a = b64_val(in[i], c62, c63);
		b = b64_val(in[i + 1], c62, c63);
		c = b64_val(in[i + 2], c62, c63);
		d = b64_val(in[i + 3], c62, c63);
		if ((a | b | c | d) < 0)
			return -EINVAL;
		if (out) {
			out[o] = a << 2 | b >> 4;
			out[o + 1] = (b << 4 | c >> 2) & 0xff;
			out[o + 2] = (c << 6 | d) & 0xff;
		}
		o += 3;
	}
	if (len % 4 >= 2) {
		a = b64_val(in[i], c62, c63);
		b = b64_val(in[i + 1], c62, c63);
		if ((a | b) < 0)
			return -EINVAL;
		if (len % 4 == 2) {
			/* One byte: the low 4 bits of b carry nothing. */
			if (b & 0x0f)
				return -EINVAL;
			if (out)
				out[o] = a << 2 | b >> 4;
			o += 1;
		} else {
			c = b64_val(in[i + 2], c62, c63);
			/* Two bytes: the low 2 bits of c carry nothing. */
			if (c < 0 || (c & 0x03))
				return -EINVAL;
			if (out) {
				out[o] = a << 2 | b >> 4;
				out[o + 1] = (b << 4 | c >> 2) & 0xff;
			}
			o += 2;
		}
	}
	return (long)o;
}

/**
 * m2msec_b64url_encode() - base64url-encode without padding
 * @in: bytes to encode
 * @len: their number
 * @out: room for m2msec_b64url_enc_len(@len) characters (not terminated)
 *
 * Return: the number of characters written.
 */
size_t m2msec_b64url_encode(const unsigned char *in, size_t len, char *out)
{
	return encode(in, len, out, b64url_alpha, 0);
}

/**
 * m2msec_b64url_decode() - decode canonical unpadded base64url
 * @in: characters
 * @len: their number
 * @out: room for m2msec_b64url_dec_len(@len) bytes
 *
 * Return: the number of bytes written, or -EINVAL when @in is not the
 * canonical encoding of any byte string.
 */
long m2msec_b64url_decode(const char *in, size_t len, unsigned char *out)
{
	return decode(in, len, out, '-', '_');
}

/**
 * m2msec_b64url_valid() - check canonical unpadded base64url
 * @in: characters
 * @len: their number
 *
 * Return: 0 when @in is canonical, -EINVAL otherwise.
 */
int m2msec_b64url_valid(const char *in, size_t len)
{
	return decode(in, len, NULL, '-', '_') < 0 ? -EINVAL : 0;
}

/**
 * m2msec_b64_encode() - base64-encode with padding (RFC 4648 section 4)
 * @in: bytes to encode
 * @len: their number
 * @out: room for (@len + 2) / 3 * 4 characters (not terminated)
 *
 * Return: the number of characters written.
 */
size_t m2msec_b64_encode(const unsigned char *in, size_t len, char *out)
{
	return encode(in, len, out, b64_alpha, 1);
}

/**
 * m2msec_b64_decode() - decode canonical padded base64
 * @in: characters
 * @len: their number, a multiple of 4
 * @out: output buffer
 * @max: its size
 *
 * Return: the number of bytes written, -EINVAL for a non-canonical
 * encoding, -EMSGSIZE when the result would exceed @max.
 */
long m2msec_b64_decode(const char *in, size_t len, unsigned char *out,
		       size_t max)
{
	size_t pad = 0;
	long n;

	if (len % 4)
		return -EINVAL;
	if (len && in[len - 1] == '=')
		pad = (len >= 2 && in[len - 2] == '=') ? 2 : 1;
	n = decode(in, len - pad, NULL, '+', '/');
	if (n < 0)
		return n;
	if ((size_t)n > max)
		return -EMSGSIZE;
	return decode(in, len - pad, out, '+', '/');
}
