// SPDX-License-Identifier: GPL-2.0
/*
 * Record layer pieces shared by DTLS 1.2 and DTLS 1.3.
 */
#include "record.h"

/*
 * RFC 9147 section 4.1, Figure 5, for a socket that may carry both
 * versions:
 *
 *   first byte   20 21 22 23 24 26   25          32..63 (0b001xxxxx)
 *                13-byte header      DTLS 1.2    DTLS 1.3 unified header
 *                                    with CID
 *   anything else: reject
 *
 * 20, 23 and 24 exist in DTLS 1.2 only; 21, 22 and 26 are also DTLS 1.3
 * DTLSPlaintext.  Which ones an association accepts is its business.
 */
int m2msec_record_classify(const u8 *buf, size_t avail)
{
	if (!avail)
		return -EBADMSG;
	switch (buf[0]) {
	case M2MSEC_CT_CHANGE_CIPHER_SPEC:
	case M2MSEC_CT_ALERT:
	case M2MSEC_CT_HANDSHAKE:
	case M2MSEC_CT_APPLICATION_DATA:
	case M2MSEC_CT_HEARTBEAT:
	case M2MSEC_CT_ACK:
		return M2MSEC_REC_LEGACY;
	case M2MSEC_CT_TLS12_CID:
		return M2MSEC_REC_CID12;
	}
	if ((buf[0] & 0xe0) == 0x20)
		return M2MSEC_REC_UNIFIED;
	return -EBADMSG;
}

/*
 *   struct {
 *       opaque content[length];
 *       ContentType real_type;        (type in DTLS 1.3)
 *       uint8 zeros[length_of_padding];
 *   } DTLSInnerPlaintext;
 */
int m2msec_inner_plaintext_type(const u8 *pt, size_t len, size_t *content_len)
{
	while (len && !pt[len - 1])
		len--;
	if (!len)
		return -EBADMSG;
	*content_len = len - 1;
	return pt[len - 1];
}

size_t m2msec_inner_plaintext_put(u8 *tail, u8 type, size_t pad)
{
	tail[0] = type;
	memset(tail + 1, 0, pad);
	return 1 + pad;
}

unsigned int m2msec_cipher_tag_len(enum m2msec_cipher c)
{
	switch (c) {
	case M2MSEC_CIPHER_AES_128_GCM:
	case M2MSEC_CIPHER_AES_256_GCM:
	case M2MSEC_CIPHER_CHACHA20_POLY1305:
	case M2MSEC_CIPHER_AES_128_CCM:
		return 16;
	case M2MSEC_CIPHER_AES_128_CCM_8:
		return 8;
	default:
		return 0;
	}
}
