/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DTLS 1.3 unified header (RFC 9147 section 4), record number encryption
 * (4.2.3), sequence number and epoch reconstruction (4.2.2) and the
 * per-record nonce (RFC 8446 5.3).  No kernel dependencies (see pure.h).
 *
 * Receive path, in order:
 *
 *   m2msec_rec13_parse()            header fields, record boundaries
 *   m2msec_rec13_sample()           NULL: drop (fewer than 16 bytes)
 *   crypto layer: mask = AES-ECB(sn_key, sample) or ChaCha20 block
 *   m2msec_rec13_mask_rx()          unmask the sequence bytes in place
 *   m2msec_rec13_reconstruct_epoch() + keys for that epoch
 *   m2msec_rec13_reconstruct_seq()  full sequence number
 *   m2msec_replay_check()
 *   m2msec_rec13_nonce()            AAD = the first hdr_len bytes, now
 *                                   unmasked (m2msec_rec13_aad_len())
 *   AEAD decrypt, m2msec_inner_plaintext_type(), m2msec_replay_update()
 *
 * Send path: m2msec_rec13_put_hdr() (clear sequence number), AAD = that
 * header, encrypt, mask from the ciphertext, m2msec_rec13_mask_tx().
 */
#ifndef _M2MSEC_RECORD13_H
#define _M2MSEC_RECORD13_H

#include "record.h"

/* First byte of the unified header: 0 0 1 C S L E E. */
enum {
	M2MSEC_REC13_FIXED_MASK = 0xe0,
	M2MSEC_REC13_FIXED = 0x20,
	M2MSEC_REC13_C = 0x10,		/* Connection ID present */
	M2MSEC_REC13_S = 0x08,		/* 16-bit sequence number */
	M2MSEC_REC13_L = 0x04,		/* length present */
	M2MSEC_REC13_EPOCH_MASK = 0x03,	/* low two bits of the epoch */
};

enum {
	/* Longest header: first byte, CID, 16-bit seq, length. */
	M2MSEC_REC13_HDR_MAX = 1 + 255 + 2 + 2,
	/* RFC 9147 4.2.3: the mask input is Ciphertext[0..15]. */
	M2MSEC_REC13_SAMPLE_LEN = 16,
	M2MSEC_REC13_MASK_LEN = 16,
};

/* Largest sequence number a record may carry (RFC 9147 4: 2^48-1). */
#define M2MSEC_SEQ_MAX		((((u64)1) << 48) - 1)
/* m2msec_rec13_reconstruct_epoch(): no plausible epoch. */
#define M2MSEC_EPOCH_NONE	(~(u64)0)

/**
 * struct m2msec_rec13 - a parsed DTLS 1.3 unified header
 * @first: the first byte, 0b001CSLEE.
 * @epoch_bits: EE, the low two bits of the epoch.
 * @seq_len: 1 or 2 (S bit) bytes of sequence number.
 * @has_len: L bit.
 * @cid: the CID inside the caller's buffer, or NULL.
 * @cid_len: its length, 0 without CID.
 * @seq_trunc: the 8 or 16 sequence bits as they are in the buffer: still
 *	masked after m2msec_rec13_parse(), clear after m2msec_rec13_mask_rx().
 * @seq_off: offset of the sequence number bytes in the record.
 * @hdr_len: header length; also the AAD length.
 * @len: bytes of encrypted_record after the header (the length field, or
 *	the rest of the buffer when L is clear).
 */
struct m2msec_rec13 {
	u8 first;
	u8 epoch_bits;
	u8 seq_len;
	bool has_len;
	const u8 *cid;
	u8 cid_len;
	u16 seq_trunc;
	u16 seq_off;
	u16 hdr_len;
	u16 len;
};

/**
 * m2msec_rec13_is_unified() - does a record start with a unified header
 * @first: first byte of the record
 *
 * Return: true when the top three bits are 001 (RFC 9147 4.1).
 */
bool m2msec_rec13_is_unified(u8 first);

/**
 * m2msec_rec13_parse() - parse one DTLS 1.3 unified header
 * @buf: the record
 * @avail: bytes available at @buf (the rest of the datagram)
 * @cid_len: length of the CIDs this endpoint receives, 0 if none was
 *	negotiated.  A set C bit requires a non-zero @cid_len and takes
 *	@cid_len bytes (RFC 9147 4: "length as negotiated").  A clear C bit
 *	parses whatever @cid_len is (one socket serves peers with and
 *	without CIDs); that a negotiated CID "MUST be contained in all
 *	datagrams" (RFC 9147 4) is the caller's check once it found the
 *	association.
 * @r: filled in on success
 *
 * Nothing is unmasked here; @r->seq_trunc is the masked value.  When L is
 * clear the record takes the rest of @avail (RFC 9147 4: it must be the
 * last record of the datagram), so pass exactly what is left of the
 * datagram.  The length (either way) must not exceed 2^14 + 256 (RFC 8446
 * 5.2).  Whether the record is long enough for the mask sample is left to
 * m2msec_rec13_sample().
 *
 * Return: the size of the whole record, hdr_len + len; -EMSGSIZE when
 * @avail is empty or shorter than the header or than the length field
 * announces; -EBADMSG when the first byte is not a unified header, the C
 * bit is set without a @cid_len, or the length is too large.  The first byte
 * is checked before anything is found truncated, so every strict prefix
 * (but the empty one) of a valid record with L set is -EMSGSIZE.
 */
int m2msec_rec13_parse(const u8 *buf, size_t avail, u8 cid_len,
		       struct m2msec_rec13 *r);

/**
 * m2msec_rec13_put_hdr() - write a unified header
 * @buf: room for m2msec_rec13_hdr_len(@cid_len, @short_seq) bytes
 * @epoch: epoch (low two bits written)
 * @seq: sequence number (low 16 bits, or 8 with @short_seq, written in
 *	clear)
 * @cid: the peer's CID, @cid_len bytes
 * @cid_len: 0 for no CID (C bit clear)
 * @ct_len: bytes of encrypted_record that follow (ciphertext and tag)
 * @short_seq: use an 8-bit sequence number (S clear)
 *
 * The L bit is always set, so records can be packed into one datagram.
 * The header is the AAD as it stands; apply m2msec_rec13_mask_tx() only
 * after encryption.
 *
 * Return: the header length.
 */
unsigned int m2msec_rec13_put_hdr(u8 *buf, u64 epoch, u64 seq, const u8 *cid,
				  u8 cid_len, u16 ct_len, bool short_seq);

/**
 * m2msec_rec13_hdr_len() - length of a header m2msec_rec13_put_hdr() writes
 * @cid_len: CID length (0: none)
 * @short_seq: 8-bit sequence number
 *
 * Return: 1 + @cid_len + (1 or 2) + 2.
 */
unsigned int m2msec_rec13_hdr_len(u8 cid_len, bool short_seq);

/**
 * m2msec_rec13_mask_rx() - remove record number encryption (receive)
 * @rec: the record in a writable buffer, as parsed into @r
 * @r: the parsed header; @r->seq_trunc is updated to the clear value
 * @mask: the 16-byte mask the crypto layer computed from
 *	m2msec_rec13_sample() (RFC 9147 4.2.3: AES-ECB(sn_key, sample), or
 *	the ChaCha20 block with counter = sample[0..3] read little-endian and
 *	nonce = sample[4..15])
 *
 * XORs the first @r->seq_len bytes of @mask into the sequence number bytes
 * of @rec.  Afterwards @rec[0..@r->hdr_len) is the AAD.
 */
void m2msec_rec13_mask_rx(u8 *rec, struct m2msec_rec13 *r,
			  const u8 mask[16]);

/**
 * m2msec_rec13_mask_tx() - apply record number encryption (send)
 * @hdr: a header written by m2msec_rec13_put_hdr(), after encryption
 * @cid_len: the @cid_len given to m2msec_rec13_put_hdr()
 * @mask: the 16-byte mask computed from the first 16 ciphertext bytes
 *
 * The C and S bits of @hdr[0] say where the sequence bytes are and how
 * many there are.
 */
void m2msec_rec13_mask_tx(u8 *hdr, u8 cid_len, const u8 mask[16]);

/**
 * m2msec_rec13_sample() - ciphertext sample for the record number mask
 * @rec: the record
 * @r: its parsed header
 *
 * Return: the first 16 bytes of encrypted_record, or NULL when the record
 * has fewer; RFC 9147 4.2.3 says to reject such records "as if they had
 * failed deprotection".
 */
const u8 *m2msec_rec13_sample(const u8 *rec, const struct m2msec_rec13 *r);

/**
 * m2msec_rec13_aad_len() - length of the AEAD additional data
 * @r: the parsed header
 *
 * RFC 9147 4: "The entire header value shown in Figure 4 (but prior to
 * record number encryption; see Section 4.2.3) is used as the additional
 * data value for the AEAD function."  So the AAD is the first @r->hdr_len
 * bytes of the record with the sequence number in clear: after
 * m2msec_rec13_mask_rx() on receive, before m2msec_rec13_mask_tx() on
 * send.  It includes the CID and, when present, the length field; with L
 * clear it has no length.
 *
 * Return: @r->hdr_len.
 */
static inline unsigned int m2msec_rec13_aad_len(const struct m2msec_rec13 *r)
{
	return r->hdr_len;
}

/**
 * m2msec_rec13_reconstruct_seq() - full sequence number from its low bits
 * @expected: one plus the highest sequence number successfully deprotected
 *	in the record's epoch (0 before any)
 * @trunc: the clear low bits from the header
 * @bits: 8 or 16 (other values are treated as 16)
 *
 * RFC 9147 4.2.2: the value "numerically closest to one plus the sequence
 * number of the highest successfully deprotected record", computed as in
 * RFC 9000 A.3: candidates are @expected's neighbourhood with the low @bits
 * replaced; a candidate more than half a window below @expected moves up a
 * window, one more than half a window above moves down.  Exactly half a
 * window below counts as above (the window is (expected - 2^(bits-1),
 * expected + 2^(bits-1)]).
 *
 * Edges: the result never wraps below 0 (near 0 the candidate stays above
 * even if farther away) and never exceeds 2^48 - 1 (M2MSEC_SEQ_MAX; an
 * @expected beyond that is treated as 2^48, and a candidate above the
 * limit moves down a window).
 *
 * Return: the full sequence number.
 */
u64 m2msec_rec13_reconstruct_seq(u64 expected, u16 trunc, unsigned int bits);

/**
 * m2msec_rec13_reconstruct_epoch() - full epoch from its low two bits
 * @cur_epoch: the current receive epoch
 * @bits: the EE bits of the header
 *
 * The candidates are @cur_epoch - 2 .. @cur_epoch + 1, one per value of the
 * two bits: the epoch with matching bits closest to @cur_epoch, never beyond
 * @cur_epoch + 1.  RFC 9147 4.2.2 lets an implementation choose ("MAY use a
 * mechanism of their choice") and recommends the most recent past epoch
 * with matching bits; the two agree except that bits matching @cur_epoch + 1
 * give @cur_epoch + 1 here (a key update's next epoch, whose keys may
 * already be installed) and @cur_epoch - 3 there (keys an endpoint that
 * keeps one previous epoch no longer has).
 *
 * Return: the epoch, or M2MSEC_EPOCH_NONE when the candidate would be below
 * 1 (epoch 0 never uses the unified header: RFC 9147 4, DTLSPlaintext) or
 * would overflow.  The caller still has to find keys for the epoch
 * returned; usually only @cur_epoch and, during a grace period, @cur_epoch - 1
 * have them.
 */
u64 m2msec_rec13_reconstruct_epoch(u64 cur_epoch, u8 bits);

/**
 * m2msec_rec13_nonce() - per-record AEAD nonce
 * @nonce: the 12-byte nonce
 * @iv: the 12-byte write/read IV of the epoch
 * @seq: the full 64-bit record sequence number
 *
 * RFC 8446 5.3 (used by RFC 9147 4: "the 64-bit sequence_number is used as
 * the sequence number for the AEAD computation; unlike DTLS 1.2, the epoch
 * is not included"): @iv XOR the big-endian @seq left-padded with zeros.
 */
void m2msec_rec13_nonce(u8 nonce[12], const u8 iv[12], u64 seq);

/**
 * m2msec_rec13_min_pad() - padding needed for a maskable record
 * @c: the record cipher
 * @inner_len: DTLSInnerPlaintext length before padding (content + 1)
 *
 * RFC 9147 4.2.3: senders "MUST pad short plaintexts out" so that the
 * ciphertext has the 16 bytes the mask sample needs; only matters for
 * AES-128-CCM_8 (8-byte tag) with fewer than 8 inner bytes.
 *
 * Return: the number of zero bytes to append, 0 when none are needed (or
 * @c is unknown).
 */
size_t m2msec_rec13_min_pad(enum m2msec_cipher c, size_t inner_len);

#endif /* _M2MSEC_RECORD13_H */
