// SPDX-License-Identifier: GPL-2.0
/*
 * DTLS 1.3 records, RFC 9147 section 4, Figure 3:
 *
 *    0 1 2 3 4 5 6 7
 *   +-+-+-+-+-+-+-+-+
 *   |0|0|1|C|S|L|E E|   C: CID present, S: 16-bit sequence number,
 *   +-+-+-+-+-+-+-+-+   L: length present, EE: low bits of the epoch
 *   | Connection ID |   cid_len bytes as negotiated, if C
 *   +-+-+-+-+-+-+-+-+
 *   |  8 or 16 bit  |   masked with the record number mask (4.2.3)
 *   |Sequence Number|
 *   +-+-+-+-+-+-+-+-+
 *   | 16 bit Length |   if L; otherwise the record fills the datagram
 *   +-+-+-+-+-+-+-+-+
 *   | encrypted_record ...
 */
#include "record13.h"

bool m2msec_rec13_is_unified(u8 first)
{
	return (first & M2MSEC_REC13_FIXED_MASK) == M2MSEC_REC13_FIXED;
}

int m2msec_rec13_parse(const u8 *buf, size_t avail, u8 cid_len,
		       struct m2msec_rec13 *r)
{
	unsigned int hdr_len, seq_off, seq_len;
	size_t len;
	u8 first;

	if (!avail)
		return -EMSGSIZE;
	first = buf[0];
	if (!m2msec_rec13_is_unified(first))
		return -EBADMSG;
	if ((first & M2MSEC_REC13_C) && !cid_len)
		return -EBADMSG;

	seq_off = 1 + ((first & M2MSEC_REC13_C) ? cid_len : 0);
	seq_len = (first & M2MSEC_REC13_S) ? 2 : 1;
	hdr_len = seq_off + seq_len + ((first & M2MSEC_REC13_L) ? 2 : 0);
	if (avail < hdr_len)
		return -EMSGSIZE;

	if (first & M2MSEC_REC13_L) {
		len = m2msec_get_be16(buf + seq_off + seq_len);
		if (len > M2MSEC_REC13_CIPHERTEXT_MAX)
			return -EBADMSG;
		if (avail - hdr_len < len)
			return -EMSGSIZE;
	} else {
		len = avail - hdr_len;
		if (len > M2MSEC_REC13_CIPHERTEXT_MAX)
			return -EBADMSG;
	}

	r->first = first;
	r->epoch_bits = first & M2MSEC_REC13_EPOCH_MASK;
	r->seq_len = seq_len;
	r->has_len = first & M2MSEC_REC13_L;
	r->cid = (first & M2MSEC_REC13_C) ? buf + 1 : NULL;
	r->cid_len = (first & M2MSEC_REC13_C) ? cid_len : 0;
	r->seq_trunc = seq_len == 2 ? m2msec_get_be16(buf + seq_off) :
				      buf[seq_off];
	r->seq_off = seq_off;
	r->hdr_len = hdr_len;
	r->len = len;
	return hdr_len + len;
}

unsigned int m2msec_rec13_hdr_len(u8 cid_len, bool short_seq)
{
	return 1 + cid_len + (short_seq ? 1 : 2) + 2;
}

unsigned int m2msec_rec13_put_hdr(u8 *buf, u64 epoch, u64 seq, const u8 *cid,
				  u8 cid_len, u16 ct_len, bool short_seq)
{
	unsigned int off = 1;

	buf[0] = M2MSEC_REC13_FIXED | M2MSEC_REC13_L |
		 (epoch & M2MSEC_REC13_EPOCH_MASK);
	if (cid_len) {
		buf[0] |= M2MSEC_REC13_C;
		memcpy(buf + off, cid, cid_len);
		off += cid_len;
	}
	if (short_seq) {
		buf[off++] = (u8)seq;
	} else {
		buf[0] |= M2MSEC_REC13_S;
		m2msec_put_be16(buf + off, (u16)seq);
		off += 2;
	}
	m2msec_put_be16(buf + off, ct_len);
	return off + 2;
}

/*
 * RFC 9147 4.2.3: "The encrypted sequence number is computed by XORing the
 * leading bytes of the mask with the on-the-wire representation of the
 * sequence number.  Decryption is accomplished by the same process."
 */
static void rec13_xor_seq(u8 *seq, unsigned int seq_len, const u8 *mask)
{
	seq[0] ^= mask[0];
	if (seq_len == 2)
		seq[1] ^= mask[1];
}

void m2msec_rec13_mask_rx(u8 *rec, struct m2msec_rec13 *r,
			  const u8 mask[16])
{
	u8 *seq = rec + r->seq_off;

	rec13_xor_seq(seq, r->seq_len, mask);
	r->seq_trunc = r->seq_len == 2 ? m2msec_get_be16(seq) : seq[0];
}

void m2msec_rec13_mask_tx(u8 *hdr, u8 cid_len, const u8 mask[16])
{
	unsigned int off = 1 + ((hdr[0] & M2MSEC_REC13_C) ? cid_len : 0);

	rec13_xor_seq(hdr + off, (hdr[0] & M2MSEC_REC13_S) ? 2 : 1, mask);
}

const u8 *m2msec_rec13_sample(const u8 *rec, const struct m2msec_rec13 *r)
{
	if (r->len < M2MSEC_REC13_SAMPLE_LEN)
		return NULL;
	return rec + r->hdr_len;
}

/*
 * RFC 9000 A.3 (DecodePacketNumber) with the limit 2^48 - 1 instead of
 * 2^62 and unsigned arithmetic: "x <= expected - hwin" is written as
 * "x + hwin <= expected" so that nothing wraps below 0.
 */
u64 m2msec_rec13_reconstruct_seq(u64 expected, u16 trunc, unsigned int bits)
{
	u64 win, hwin, mask, cand;

	if (!bits || bits > 16)
		bits = 16;
	win = (u64)1 << bits;
	hwin = win / 2;
	mask = win - 1;
	if (expected > M2MSEC_SEQ_MAX + 1)
		expected = M2MSEC_SEQ_MAX + 1;

	cand = (expected & ~mask) | (trunc & mask);
	if (cand + hwin <= expected && cand + win <= M2MSEC_SEQ_MAX)
		return cand + win;
	if ((cand > expected + hwin || cand > M2MSEC_SEQ_MAX) && cand >= win)
		return cand - win;
	return cand;
}

u64 m2msec_rec13_reconstruct_epoch(u64 cur_epoch, u8 bits)
{
	/* Distance, modulo 4, from the current epoch up to the bits. */
	unsigned int d = (bits - (unsigned int)cur_epoch) & 3;
	u64 e;

	switch (d) {
	case 0:
		e = cur_epoch;
		break;
	case 1:
		if (cur_epoch >= M2MSEC_EPOCH_NONE - 1)
			return M2MSEC_EPOCH_NONE;
		e = cur_epoch + 1;
		break;
	case 3:
		if (cur_epoch < 1)
			return M2MSEC_EPOCH_NONE;
		e = cur_epoch - 1;
		break;
	default:
		if (cur_epoch < 2)
			return M2MSEC_EPOCH_NONE;
		e = cur_epoch - 2;
		break;
	}
	return e ? e : M2MSEC_EPOCH_NONE;
}

void m2msec_rec13_nonce(u8 nonce[12], const u8 iv[12], u64 seq)
{
	unsigned int i;

	memset(nonce, 0, 4);
	m2msec_put_be64(nonce + 4, seq);
	for (i = 0; i < M2MSEC_NONCE_LEN; i++)
		nonce[i] ^= iv[i];
}

size_t m2msec_rec13_min_pad(enum m2msec_cipher c, size_t inner_len)
{
	unsigned int tag = m2msec_cipher_tag_len(c);

	if (!tag || inner_len + tag >= M2MSEC_REC13_SAMPLE_LEN)
		return 0;
	return M2MSEC_REC13_SAMPLE_LEN - tag - inner_len;
}
