/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the DTLS 1.2 and DTLS 1.3 record layers share: content types, size
 * limits, the first-byte demultiplexing of RFC 9147 section 4.1, the inner
 * plaintext (content || real type || zero padding) of RFC 9146 section 4
 * and RFC 9147 section 4, and per-cipher tag lengths.  No kernel
 * dependencies (see pure.h).
 */
#ifndef _M2MSEC_RECORD_H
#define _M2MSEC_RECORD_H

#include "pure.h"

#ifdef __KERNEL__
#include <uapi/linux/m2msec.h>
#else
#include <linux/m2msec.h>
#endif

/* ContentType values (IANA "TLS ContentType" registry). */
enum {
	M2MSEC_CT_CHANGE_CIPHER_SPEC = 20,
	M2MSEC_CT_ALERT = 21,
	M2MSEC_CT_HANDSHAKE = 22,
	M2MSEC_CT_APPLICATION_DATA = 23,
	M2MSEC_CT_HEARTBEAT = 24,	/* RFC 6520, DTLS 1.2 only */
	M2MSEC_CT_TLS12_CID = 25,	/* RFC 9146 */
	M2MSEC_CT_ACK = 26,		/* RFC 9147 section 7 */
};

/* Size limits of records, in bytes. */
enum {
	/* RFC 6347 4.1, RFC 9146 5: plaintext and DTLSInnerPlaintext. */
	M2MSEC_REC_PLAINTEXT_MAX = 1 << 14,
	/* RFC 5246 6.2.3: TLSCiphertext.length <= 2^14 + 2048. */
	M2MSEC_REC12_CIPHERTEXT_MAX = (1 << 14) + 2048,
	/* RFC 8446 5.2 via RFC 9147 4: encrypted_record <= 2^14 + 256. */
	M2MSEC_REC13_CIPHERTEXT_MAX = (1 << 14) + 256,
	/* AEAD nonces of every supported cipher. */
	M2MSEC_NONCE_LEN = 12,
	/* Longest AEAD tag of the supported ciphers. */
	M2MSEC_TAG_MAX = 16,
};

/**
 * enum m2msec_rec_class - what the first byte of a record announces
 * @M2MSEC_REC_LEGACY: a record with the 13-byte DTLS 1.2 style header
 *	(content type 20..24 or 26): DTLS 1.2 records without CID, DTLS 1.3
 *	DTLSPlaintext (epoch 0: handshake, alert, ack).  Parse it with
 *	m2msec_rec12_parse() and a cid_len of 0 for DTLS 1.3 associations.
 * @M2MSEC_REC_CID12: a DTLS 1.2 record with a Connection ID (type 25);
 *	parse it with m2msec_rec12_parse() and the CID length in use.
 * @M2MSEC_REC_UNIFIED: a DTLS 1.3 DTLSCiphertext (unified header, first
 *	three bits 001); parse it with m2msec_rec13_parse().
 */
enum m2msec_rec_class {
	M2MSEC_REC_LEGACY = 1,
	M2MSEC_REC_CID12,
	M2MSEC_REC_UNIFIED,
};

/**
 * m2msec_record_classify() - demultiplex a record by its first byte
 * @buf: the record (the start of a datagram, or of the next record in it)
 * @avail: bytes available at @buf
 *
 * This is the decision of RFC 9147 section 4.1 (Figure 5), extended with the
 * DTLS 1.2 content types since one socket may serve both versions.  Only
 * the first byte is examined; the header proper is checked by the parse
 * function the class names.
 *
 * Return: an enum m2msec_rec_class value, or -EBADMSG for an empty buffer
 * or a first byte that starts no DTLS record (RFC 9147 4.1: such records
 * are rejected as if they had failed deprotection).
 */
int m2msec_record_classify(const u8 *buf, size_t avail);

/**
 * m2msec_inner_plaintext_type() - find the real content type
 * @pt: decrypted DTLSInnerPlaintext (RFC 9146 4, RFC 9147 4)
 * @len: its length
 * @content_len: set to the length of the content before the type byte
 *
 * The structure is content || real_type || zeros: the type is the last
 * non-zero byte.  The scan is not constant time; it runs on authenticated
 * data only, and the padding length is visible to the peer that chose it
 * (RFC 8446 5.4 discusses the timing aspect).
 *
 * Return: the content type (1..255) or -EBADMSG when every byte is zero
 * (or @len is 0): RFC 8446 5.4 makes that an unexpected_message error,
 * for DTLS an invalid record to drop.
 */
int m2msec_inner_plaintext_type(const u8 *pt, size_t len, size_t *content_len);

/**
 * m2msec_inner_plaintext_put() - append type and padding to a content
 * @tail: the byte right after the content; room for 1 + @pad bytes
 * @type: the real content type, non-zero
 * @pad: number of zero bytes of padding
 *
 * Return: bytes written, 1 + @pad.
 */
size_t m2msec_inner_plaintext_put(u8 *tail, u8 type, size_t pad);

/**
 * m2msec_cipher_tag_len() - authentication tag length of a record cipher
 * @c: the cipher
 *
 * Return: 16, or 8 for AES-128-CCM_8 (RFC 6655), or 0 for a value that is
 * not a supported cipher (so a non-zero result also validates @c).
 */
unsigned int m2msec_cipher_tag_len(enum m2msec_cipher c);

#endif /* _M2MSEC_RECORD_H */
