/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HkdfLabel structure of DTLS 1.3 (RFC 8446 7.1 with the RFC 9147 5.9
 * prefix), the info input of HKDF-Expand-Label.  The HMAC-based
 * HKDF-Expand itself lives with the kernel's crypto glue; this part has no
 * kernel dependencies (see pure.h).
 */
#ifndef _M2MSEC_HKDF13_H
#define _M2MSEC_HKDF13_H

#include "pure.h"

/*
 * RFC 9147 5.9: "For DTLS 1.3, that label SHALL be 'dtls13'. ... Note that
 * there is no trailing space" (TLS 1.3 uses "tls13 ").
 */
#define M2MSEC_HKDF_LABEL_PREFIX	"dtls13"

enum {
	M2MSEC_HKDF_LABEL_PREFIX_LEN = 6,
	/* opaque label<7..255> = prefix + Label */
	M2MSEC_HKDF_LABEL_NAME_MAX = 255 - M2MSEC_HKDF_LABEL_PREFIX_LEN,
	/* length(2) + label<7..255> + context<0..255> */
	M2MSEC_HKDF_LABEL_MAX = 2 + 1 + 255 + 1 + 255,
};

/**
 * m2msec_hkdf_label() - build a DTLS 1.3 HkdfLabel
 * @out: output buffer
 * @out_max: its size
 * @length: the Length of the output keying material
 * @label: the Label without prefix, a NUL-terminated string such as "key",
 *	"iv", "sn" (RFC 9147 4.2.3) or "traffic upd" (RFC 8446 7.2);
 *	1..M2MSEC_HKDF_LABEL_NAME_MAX characters
 * @ctx: the Context, @ctx_len bytes (may be NULL when @ctx_len is 0)
 * @ctx_len: 0..255
 *
 * RFC 8446 7.1::
 *
 *   struct {
 *       uint16 length = Length;
 *       opaque label<7..255> = "dtls13" + Label;
 *       opaque context<0..255> = Context;
 *   } HkdfLabel;
 *
 * serialised as length(2, big-endian), one length byte, "dtls13" and the
 * label, one length byte, the context.
 *
 * Return: the number of bytes written (2 + 1 + 6 + strlen(@label) + 1 +
 * @ctx_len), or 0 when @label is empty or too long, or @out_max is too
 * small (nothing is written then).
 */
size_t m2msec_hkdf_label(u8 *out, size_t out_max, u16 length,
			 const char *label, const u8 *ctx, u8 ctx_len);

#endif /* _M2MSEC_HKDF13_H */
