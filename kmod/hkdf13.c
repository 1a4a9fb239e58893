// SPDX-License-Identifier: GPL-2.0
/*
 * DTLS 1.3 HkdfLabel (RFC 8446 7.1, RFC 9147 5.9).  The kernel's
 * HKDF-Expand-Label is HMAC-based HKDF-Expand (RFC 5869 2.3) with this
 * structure as info; for a traffic secret (RFC 8446 7.3, RFC 9147 4.2.3):
 *
 *   key    = HKDF-Expand-Label(secret, "key", "", key_length)
 *   iv     = HKDF-Expand-Label(secret, "iv", "", 12)
 *   sn_key = HKDF-Expand-Label(secret, "sn", "", key_length)
 *   next   = HKDF-Expand-Label(secret, "traffic upd", "", Hash.length)
 */
#include "hkdf13.h"

size_t m2msec_hkdf_label(u8 *out, size_t out_max, u16 length,
			 const char *label, const u8 *ctx, u8 ctx_len)
{
	size_t name_len = strnlen(label, M2MSEC_HKDF_LABEL_NAME_MAX + 1);
	size_t total, off = 0;

	if (!name_len || name_len > M2MSEC_HKDF_LABEL_NAME_MAX)
		return 0;
	total = 2 + 1 + M2MSEC_HKDF_LABEL_PREFIX_LEN + name_len + 1 + ctx_len;
	if (out_max < total)
		return 0;

	m2msec_put_be16(out, length);
	off += 2;
	out[off++] = (u8)(M2MSEC_HKDF_LABEL_PREFIX_LEN + name_len);
	memcpy(out + off, M2MSEC_HKDF_LABEL_PREFIX,
	       M2MSEC_HKDF_LABEL_PREFIX_LEN);
	off += M2MSEC_HKDF_LABEL_PREFIX_LEN;
	memcpy(out + off, label, name_len);
	off += name_len;
	out[off++] = ctx_len;
	if (ctx_len)
		memcpy(out + off, ctx, ctx_len);
	return off + ctx_len;
}
