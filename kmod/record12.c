// SPDX-License-Identifier: GPL-2.0
/*
 * DTLS 1.2 records.
 *
 * RFC 6347 4.1 (DTLSPlaintext / DTLSCiphertext):
 *
 *   byte   0      1..2      3..4    5..10             11..12
 *        +------+---------+-------+-----------------+--------+
 *        | type | version | epoch | sequence_number | length |
 *        +------+---------+-------+-----------------+--------+
 *        | fragment[length]: for AEADs nonce_explicit (8 or 0 bytes),
 *        | ciphertext, tag
 *
 * RFC 9146 3 (type tls12_cid = 25): the CID sits between the sequence
 * number and the length, so the header is 13 + cid_length bytes and cannot
 * be parsed without knowing the CID length the receiver chose:
 *
 *   | 25 | 0xfefd | epoch | sequence_number | cid[cid_length] | length |
 */
#include "record12.h"

/* A content type this header format can carry, besides tls12_cid. */
static bool rec12_type_known(u8 type)
{
	return type >= M2MSEC_CT_CHANGE_CIPHER_SPEC &&
	       type <= M2MSEC_CT_ACK && type != M2MSEC_CT_TLS12_CID;
}

int m2msec_rec12_parse(const u8 *buf, size_t avail, u8 cid_len,
		       struct m2msec_rec12 *r)
{
	unsigned int hdr_len = M2MSEC_REC12_HDR_LEN;
	u8 type;
	u16 version, epoch, len;

	if (avail < M2MSEC_REC12_HDR_LEN)
		return -EMSGSIZE;

	type = buf[0];
	version = m2msec_get_be16(buf + 1);
	epoch = m2msec_get_be16(buf + 3);

	if (type == M2MSEC_CT_TLS12_CID) {
		/* RFC 9146 3: only with a negotiated, non-empty CID, and
		 * "plaintext payloads never use the new record format".
		 */
		if (!cid_len || !epoch)
			return -EBADMSG;
		hdr_len += cid_len;
	} else if (!rec12_type_known(type)) {
		return -EBADMSG;
	}

	if (version != M2MSEC_REC12_VERSION &&
	    !(type == M2MSEC_CT_HANDSHAKE &&
	      version == M2MSEC_REC12_VERSION_DTLS10))
		return -EBADMSG;

	if (avail < hdr_len)
		return -EMSGSIZE;
	len = m2msec_get_be16(buf + hdr_len - 2);
	if (len > M2MSEC_REC12_CIPHERTEXT_MAX)
		return -EBADMSG;
	if (avail - hdr_len < len)
		return -EMSGSIZE;

	r->type = type;
	r->version = version;
	r->epoch = epoch;
	r->seq = m2msec_get_be48(buf + 5);
	if (type == M2MSEC_CT_TLS12_CID) {
		r->cid = buf + 11;
		r->cid_len = cid_len;
	} else {
		r->cid = NULL;
		r->cid_len = 0;
	}
	r->len = len;
	r->hdr_len = hdr_len;
	return hdr_len + len;
}

unsigned int m2msec_rec12_put_hdr(u8 *buf, u8 type, u16 epoch, u64 seq,
				  const u8 *cid, u8 cid_len, u16 frag_len)
{
	buf[0] = cid_len ? M2MSEC_CT_TLS12_CID : type;
	m2msec_put_be16(buf + 1, M2MSEC_REC12_VERSION);
	m2msec_put_be16(buf + 3, epoch);
	m2msec_put_be48(buf + 5, seq);
	if (cid_len)
		memcpy(buf + 11, cid, cid_len);
	m2msec_put_be16(buf + 11 + cid_len, frag_len);
	return M2MSEC_REC12_HDR_LEN + cid_len;
}

/*
 * RFC 5246 6.2.3.3 (AEAD) with RFC 6347 4.1.2.1 (seq_num = epoch || seq):
 *
 *   additional_data = seq_num + TLSCompressed.type +
 *                     TLSCompressed.version + TLSCompressed.length;
 *
 * RFC 9146 5.3 (records with content type tls12_cid):
 *
 *   additional_data = seq_num_placeholder + tls12_cid + cid_length +
 *                     tls12_cid + DTLSCiphertext.version + epoch +
 *                     sequence_number + cid +
 *                     length_of_DTLSInnerPlaintext;
 *
 * seq_num_placeholder is 8 bytes of 0xff: a non-CID AAD never starts with
 * it followed by 25, so the two inputs cannot collide.
 */
unsigned int m2msec_rec12_aad(u8 *aad, u8 type, u16 epoch, u64 seq,
			      const u8 *cid, u8 cid_len, u16 plaintext_len)
{
	if (!cid_len) {
		m2msec_put_be16(aad, epoch);
		m2msec_put_be48(aad + 2, seq);
		aad[8] = type;
		m2msec_put_be16(aad + 9, M2MSEC_REC12_VERSION);
		m2msec_put_be16(aad + 11, plaintext_len);
		return M2MSEC_REC12_AAD_LEN;
	}

	memset(aad, 0xff, 8);
	aad[8] = M2MSEC_CT_TLS12_CID;
	aad[9] = cid_len;
	aad[10] = M2MSEC_CT_TLS12_CID;
	m2msec_put_be16(aad + 11, M2MSEC_REC12_VERSION);
	m2msec_put_be16(aad + 13, epoch);
	m2msec_put_be48(aad + 15, seq);
	memcpy(aad + 21, cid, cid_len);
	m2msec_put_be16(aad + 21 + cid_len, plaintext_len);
	return M2MSEC_REC12_CID_AAD_FIXED + cid_len;
}

unsigned int m2msec_rec12_explicit_len(enum m2msec_cipher c)
{
	switch (c) {
	case M2MSEC_CIPHER_AES_128_GCM:
	case M2MSEC_CIPHER_AES_256_GCM:
	case M2MSEC_CIPHER_AES_128_CCM:
	case M2MSEC_CIPHER_AES_128_CCM_8:
		return M2MSEC_REC12_EXPLICIT_LEN;
	default:
		return 0;
	}
}

unsigned int m2msec_rec12_min_ciphertext(enum m2msec_cipher c)
{
	unsigned int tag = m2msec_cipher_tag_len(c);

	return tag ? m2msec_rec12_explicit_len(c) + tag : 0;
}

int m2msec_rec12_plaintext_len(enum m2msec_cipher c, u16 frag_len)
{
	unsigned int min = m2msec_rec12_min_ciphertext(c);

	if (!min)
		return -EINVAL;
	if (frag_len < min)
		return -EBADMSG;
	return frag_len - min;
}

/* The 64-bit DTLS 1.2 record number: epoch || 48-bit sequence number. */
static void rec12_seq_num(u8 out[8], u16 epoch, u64 seq)
{
	m2msec_put_be16(out, epoch);
	m2msec_put_be48(out + 2, seq);
}

unsigned int m2msec_rec12_nonce(u8 nonce[12], enum m2msec_cipher c,
				const u8 *iv, u16 epoch, u64 seq,
				u8 *explicit_out)
{
	unsigned int i, n = m2msec_rec12_explicit_len(c);

	if (n) {
		/* RFC 5288 3 / RFC 6655 3: salt || nonce_explicit. */
		memcpy(nonce, iv, M2MSEC_REC12_SALT_LEN);
		rec12_seq_num(nonce + M2MSEC_REC12_SALT_LEN, epoch, seq);
		if (explicit_out)
			memcpy(explicit_out, nonce + M2MSEC_REC12_SALT_LEN, n);
		return n;
	}

	memset(nonce, 0, M2MSEC_NONCE_LEN);
	if (c != M2MSEC_CIPHER_CHACHA20_POLY1305)
		return 0;
	/* RFC 7905 2: iv XOR (0^32 || seq_num), nothing on the wire. */
	rec12_seq_num(nonce + 4, epoch, seq);
	for (i = 0; i < M2MSEC_NONCE_LEN; i++)
		nonce[i] ^= iv[i];
	return 0;
}

int m2msec_rec12_rx_nonce(u8 nonce[12], enum m2msec_cipher c, const u8 *iv,
			  u16 epoch, u64 seq, const u8 *fragment,
			  u16 frag_len)
{
	unsigned int n = m2msec_rec12_explicit_len(c);

	if (!m2msec_cipher_tag_len(c))
		return -EINVAL;
	if (!n)
		return m2msec_rec12_nonce(nonce, c, iv, epoch, seq, NULL);
	if (frag_len < n)
		return -EBADMSG;
	memcpy(nonce, iv, M2MSEC_REC12_SALT_LEN);
	memcpy(nonce + M2MSEC_REC12_SALT_LEN, fragment, n);
	return n;
}
