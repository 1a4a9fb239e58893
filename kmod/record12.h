/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DTLS 1.2 record header, AEAD additional data and nonces: RFC 6347 4.1,
 * RFC 9146 (Connection ID), RFC 5288 (GCM), RFC 6655 (CCM, CCM_8),
 * RFC 7905 (ChaCha20-Poly1305).  No kernel dependencies (see pure.h).
 */
#ifndef _M2MSEC_RECORD12_H
#define _M2MSEC_RECORD12_H

#include "record.h"

enum {
	/* type(1) version(2) epoch(2) sequence_number(6) length(2) */
	M2MSEC_REC12_HDR_LEN = 13,
	/* seq_num(8) type(1) version(2) length(2), RFC 5246 6.2.3.3 */
	M2MSEC_REC12_AAD_LEN = 13,
	/* The CID AAD of RFC 9146 section 5 without the CID itself. */
	M2MSEC_REC12_CID_AAD_FIXED = 23,
	/* Room for any CID AAD (cid_length is one byte on the wire). */
	M2MSEC_REC12_AAD_MAX = M2MSEC_REC12_CID_AAD_FIXED + 255,
	/* GCM/CCM nonce_explicit carried in front of the ciphertext. */
	M2MSEC_REC12_EXPLICIT_LEN = 8,
	/* GCM/CCM salt (implicit part of the nonce) from the key block. */
	M2MSEC_REC12_SALT_LEN = 4,
};

/* The only record version DTLS 1.2 records carry after the handshake. */
#define M2MSEC_REC12_VERSION		0xfefd
/* DTLS 1.0: still allowed in (initial) ClientHello records. */
#define M2MSEC_REC12_VERSION_DTLS10	0xfeff

/**
 * struct m2msec_rec12 - a parsed DTLS 1.2 record header
 * @type: content type as on the wire (M2MSEC_CT_TLS12_CID for CID records:
 *	the real type is inside the DTLSInnerPlaintext).
 * @version: record version.
 * @epoch: epoch.
 * @seq: 48-bit sequence number.
 * @cid: the Connection ID inside the caller's buffer (CID records), or
 *	NULL.
 * @cid_len: its length, 0 without CID.
 * @len: the length field: bytes of fragment after the header.
 * @hdr_len: 13, or 13 + @cid_len for CID records.
 */
struct m2msec_rec12 {
	u8 type;
	u16 version;
	u16 epoch;
	u64 seq;
	const u8 *cid;
	u8 cid_len;
	u16 len;
	u16 hdr_len;
};

/**
 * m2msec_rec12_parse() - parse one DTLS 1.2 style record header
 * @buf: the record
 * @avail: bytes available at @buf (the rest of the datagram)
 * @cid_len: length of the CID this endpoint receives (RFC 9146: the CID it
 *	chose); 0 when none was negotiated.  Use 0 for DTLS 1.3 associations,
 *	whose CIDs are in the unified header.
 * @r: filled in on success; pointers point into @buf
 *
 * Accepted content types: 20, 21, 22, 23, 24, 26 and, only when @cid_len
 * is non-zero, 25.  Header rules (violations give -EBADMSG):
 *
 *  - version 0xfefd; a handshake record (22) may also carry 0xfeff, which
 *    DTLS 1.2 clients may use for the ClientHello (RFC 6347 4.1, TLS 1.2
 *    E.1) and DTLS 1.3 allows for the initial ClientHello (RFC 9147 4);
 *  - a CID record (25) needs a non-zero @cid_len and a non-zero epoch
 *    (RFC 9146 3: plaintext payloads never use the CID format);
 *  - records of other types parse whatever @cid_len is: one socket serves
 *    peers with and without CIDs.  RFC 9146 3 makes an encrypted record
 *    without the CID its association expects invalid; the caller checks
 *    that once it found the association (rx.c);
 *  - the length field is at most 2^14 + 2048 (RFC 5246 6.2.3).
 *
 * Semantic checks that depend on the cipher (a fragment must hold at least
 * m2msec_rec12_min_ciphertext() bytes) are the caller's.
 *
 * Return: the size of the whole record (@r->hdr_len + @r->len) so that the
 * next record of the datagram starts there; -EMSGSIZE when @avail is
 * shorter than the header or than the record the header announces;
 * -EBADMSG for a malformed header.  Order of the checks: fewer than 13
 * bytes is -EMSGSIZE whatever they hold; then the fields of the first 11
 * bytes; then the CID and length field must be present; then the length
 * field's value; then the fragment must be present.  So every strict
 * prefix of a valid record is -EMSGSIZE.
 */
int m2msec_rec12_parse(const u8 *buf, size_t avail, u8 cid_len,
		       struct m2msec_rec12 *r);

/**
 * m2msec_rec12_put_hdr() - write a DTLS 1.2 record header
 * @buf: room for M2MSEC_REC12_HDR_LEN + @cid_len bytes
 * @type: content type of a record without CID; ignored when @cid_len is
 *	non-zero (the header then says tls12_cid and the real type goes into
 *	the DTLSInnerPlaintext, see m2msec_inner_plaintext_put())
 * @epoch: epoch
 * @seq: sequence number (low 48 bits written)
 * @cid: the peer's CID, @cid_len bytes
 * @cid_len: 0 for the RFC 6347 format (also for a zero-length CID, RFC
 *	9146 3)
 * @frag_len: bytes of fragment that follow the header (for AEADs: explicit
 *	nonce + ciphertext + tag)
 *
 * Version is always 0xfefd.
 *
 * Return: the header length, 13 + @cid_len.
 */
unsigned int m2msec_rec12_put_hdr(u8 *buf, u8 type, u16 epoch, u64 seq,
				  const u8 *cid, u8 cid_len, u16 frag_len);

/**
 * m2msec_rec12_aad() - AEAD additional data of a DTLS 1.2 record
 * @aad: room for M2MSEC_REC12_AAD_MAX bytes (13 + 10 + @cid_len suffice)
 * @type: real content type (ignored when @cid_len is non-zero)
 * @epoch: epoch
 * @seq: sequence number (48 bits)
 * @cid: the CID of the record, @cid_len bytes
 * @cid_len: 0 for records without CID
 * @plaintext_len: without CID, the length of the plaintext (record length
 *	minus explicit nonce and tag); with CID, the length of the whole
 *	DTLSInnerPlaintext (content + 1 + padding)
 *
 * Without CID (RFC 5246 6.2.3.3 with RFC 6347 4.1.2.1's seq_num =
 * epoch || sequence_number), 13 bytes::
 *
 *   epoch(2) seq(6) type(1) 0xfe 0xfd length(2)
 *
 * With CID (RFC 9146 section 5.3), 23 + @cid_len bytes::
 *
 *   ff ff ff ff ff ff ff ff  25  cid_length(1)  25  0xfe 0xfd
 *   epoch(2) seq(6) cid(cid_length) length_of_DTLSInnerPlaintext(2)
 *
 * Return: the AAD length.
 */
unsigned int m2msec_rec12_aad(u8 *aad, u8 type, u16 epoch, u64 seq,
			      const u8 *cid, u8 cid_len, u16 plaintext_len);

/**
 * m2msec_rec12_nonce() - per-record AEAD nonce for sending
 * @nonce: the 12-byte nonce
 * @c: the record cipher; must be valid (m2msec_cipher_tag_len() != 0),
 *	otherwise @nonce is zeroed and 0 returned
 * @iv: write IV from the key block: the 4-byte salt for GCM/CCM/CCM_8,
 *	12 bytes for ChaCha20-Poly1305
 * @epoch: epoch
 * @seq: sequence number (48 bits)
 * @explicit_out: if not NULL, receives the explicit nonce (8 bytes for
 *	GCM/CCM) to put in front of the ciphertext
 *
 * GCM/CCM (RFC 5288 3, RFC 6655 3): nonce = salt(4) || nonce_explicit(8),
 * with nonce_explicit = epoch || seq, which is unique per key.
 * ChaCha20-Poly1305 (RFC 7905 2): nonce = iv XOR (0^32 || epoch || seq),
 * "in DTLS, the 64-bit seq_num is the 16-bit epoch concatenated with the
 * 48-bit seq_num"; nothing explicit.
 *
 * Return: length of the explicit nonce on the wire, 8 or 0.
 */
unsigned int m2msec_rec12_nonce(u8 nonce[12], enum m2msec_cipher c,
				const u8 *iv, u16 epoch, u64 seq,
				u8 *explicit_out);

/**
 * m2msec_rec12_rx_nonce() - per-record AEAD nonce for receiving
 * @nonce: the 12-byte nonce
 * @c: the record cipher
 * @iv: read IV (salt for GCM/CCM, 12 bytes for ChaCha20-Poly1305)
 * @epoch: epoch from the header
 * @seq: sequence number from the header
 * @fragment: the record's fragment (after the header)
 * @frag_len: its length
 *
 * GCM/CCM take the explicit nonce from the first 8 bytes of the fragment,
 * whatever the sender put there (RFC 5288 3 leaves its choice to the
 * sender); ChaCha20-Poly1305 computes it from @epoch and @seq.
 *
 * Return: the number of explicit nonce bytes at the start of @fragment (8
 * or 0); -EBADMSG if @frag_len is shorter than that; -EINVAL for an
 * unknown cipher.
 */
int m2msec_rec12_rx_nonce(u8 nonce[12], enum m2msec_cipher c, const u8 *iv,
			  u16 epoch, u64 seq, const u8 *fragment,
			  u16 frag_len);

/**
 * m2msec_rec12_explicit_len() - explicit nonce bytes in each record
 * @c: the record cipher
 *
 * Return: 8 for AES-GCM and AES-CCM(_8), 0 for ChaCha20-Poly1305 and for
 * unknown values.
 */
unsigned int m2msec_rec12_explicit_len(enum m2msec_cipher c);

/**
 * m2msec_rec12_min_ciphertext() - smallest valid fragment of a record
 * @c: the record cipher
 *
 * Explicit nonce plus tag: an empty plaintext.  A CID record needs one
 * byte more (the real content type of the DTLSInnerPlaintext), which
 * m2msec_inner_plaintext_type() catches after decryption.
 *
 * Return: the minimum fragment length, or 0 for an unknown cipher.
 */
unsigned int m2msec_rec12_min_ciphertext(enum m2msec_cipher c);

/**
 * m2msec_rec12_plaintext_len() - plaintext length of a received record
 * @c: the record cipher
 * @frag_len: the record's length field
 *
 * The length the non-CID AAD needs before decryption (RFC 5246 6.2.3.3):
 * fragment minus explicit nonce minus tag.  For CID records it is the
 * length_of_DTLSInnerPlaintext.
 *
 * Return: the length, or -EBADMSG when @frag_len is below
 * m2msec_rec12_min_ciphertext(), -EINVAL for an unknown cipher.
 */
int m2msec_rec12_plaintext_len(enum m2msec_cipher c, u16 frag_len);

#endif /* _M2MSEC_RECORD12_H */
