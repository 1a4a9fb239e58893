// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: DTLS 1.3 unified header, record number masking, sequence
 * number and epoch reconstruction, nonce (kmod/record13.c) and the record
 * pieces shared with DTLS 1.2 (kmod/record.c: demultiplexing, inner
 * plaintext), built for userspace from the same source.
 *
 * Expected header bytes are assembled by hand from RFC 9147 Figure 3
 * (0 0 1 C S L E E); sequence number reconstruction is compared with a
 * brute-force "closest candidate" search over a million inputs.
 */
#include <stdint.h>

#include "../../kmod/record13.h"
#include "../ktap.h"
#include "bytes.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static u8 buf[70000];

static u64 rng_state = 0x2545f4914f6cdd1dULL;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x9e3779b97f4a7c15ULL;
}

/* A unified header laid out by hand, then len filler bytes. */
static size_t mk13(u8 *p, u8 first, const u8 *cid, u8 cid_len, u16 seq,
		   u16 len_field, size_t body)
{
	size_t o = 0, i;

	p[o++] = first;
	for (i = 0; i < cid_len; i++)
		p[o++] = cid[i];
	if (first & 0x08)
		p[o++] = seq >> 8;
	p[o++] = seq & 0xff;
	if (first & 0x04) {
		p[o++] = len_field >> 8;
		p[o++] = len_field & 0xff;
	}
	for (i = 0; i < body; i++)
		p[o++] = (u8)(i * 13 + 1);
	return o;
}

static const u8 cid4[4] = { 0xc1, 0xd2, 0xe3, 0xf4 };

/* ---- demultiplexing (record.c) */

static int t_classify(void)
{
	unsigned int b;
	int ok = 1;

	for (b = 0; b < 256; b++) {
		u8 x = b;
		int want, got = m2msec_record_classify(&x, 1);

		if ((b >= 20 && b <= 24) || b == 26)
			want = M2MSEC_REC_LEGACY;
		else if (b == 25)
			want = M2MSEC_REC_CID12;
		else if (b >= 32 && b <= 63)
			want = M2MSEC_REC_UNIFIED;
		else
			want = -EBADMSG;
		if (got != want) {
			ktap_diag("first byte %u: got %d want %d", b, got,
				  want);
			ok = 0;
		}
	}
	return ok && m2msec_record_classify(buf, 0) == -EBADMSG;
}

static int t_is_unified(void)
{
	unsigned int b;
	int ok = 1;

	for (b = 0; b < 256; b++)
		ok &= m2msec_rec13_is_unified(b) == (b >= 32 && b <= 63);
	return ok;
}

/* ---- parse */

static int t_parse_minimal(void)
{
	/* RFC 9147 Figure 4, minimal: 0 0 1 0 0 0 E E, 8-bit seq, no
	 * length: 0x21 (epoch bits 01), seq 0x7f, then 20 bytes.
	 */
	struct m2msec_rec13 r;
	size_t n = mk13(buf, 0x21, NULL, 0, 0x7f, 0, 20);
	int ret = m2msec_rec13_parse(buf, n, 0, &r);

	return ret == 22 && r.first == 0x21 && r.epoch_bits == 1 &&
	       r.seq_len == 1 && !r.has_len && !r.cid && !r.cid_len &&
	       r.seq_trunc == 0x7f && r.seq_off == 1 && r.hdr_len == 2 &&
	       r.len == 20 && m2msec_rec13_aad_len(&r) == 2;
}

static int t_parse_full(void)
{
	/* Full: 0 0 1 1 1 1 E E = 0x3e (epoch bits 10), CID c1 d2 e3 f4,
	 * seq 0xbeef, length 0x0011, 17 bytes of encrypted_record.
	 */
	struct m2msec_rec13 r;
	size_t n = mk13(buf, 0x3e, cid4, 4, 0xbeef, 17, 17);
	int ret = m2msec_rec13_parse(buf, n + 5, 4, &r);

	return ret == 26 && r.epoch_bits == 2 && r.seq_len == 2 &&
	       r.has_len && r.cid == buf + 1 && r.cid_len == 4 &&
	       r.seq_trunc == 0xbeef && r.seq_off == 5 && r.hdr_len == 9 &&
	       r.len == 17;
}

static int t_parse_no_len_rest(void)
{
	/* L clear: the record is the rest of what the caller passes. */
	struct m2msec_rec13 r;
	size_t n = mk13(buf, 0x3b, cid4, 4, 0x0102, 0, 1000);
	int ret = m2msec_rec13_parse(buf, n, 4, &r);

	return ret == (int)n && r.hdr_len == 7 && r.len == 1000 &&
	       !r.has_len && r.seq_trunc == 0x0102 && r.epoch_bits == 3;
}

static int t_parse_c_mismatch(void)
{
	struct m2msec_rec13 r;
	size_t n = mk13(buf, 0x3c, cid4, 4, 1, 20, 20);
	int ok = m2msec_rec13_parse(buf, n, 0, &r) == -EBADMSG;

	n = mk13(buf, 0x2c, NULL, 0, 1, 20, 20);
	ok &= m2msec_rec13_parse(buf, n, 4, &r) == (int)n && !r.cid_len;
	ok &= m2msec_rec13_parse(buf, n, 0, &r) == (int)n;
	return ok;
}

static int t_parse_not_unified(void)
{
	static const u8 firsts[] = { 0x00, 0x16, 0x17, 0x19, 0x1f, 0x40, 0x5f,
				     0x80, 0xff };
	struct m2msec_rec13 r;
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(firsts); i++) {
		memset(buf, 0, 64);
		buf[0] = firsts[i];
		ok &= m2msec_rec13_parse(buf, 64, 0, &r) == -EBADMSG;
	}
	return ok;
}

static int t_parse_truncated(void)
{
	struct m2msec_rec13 r;
	size_t n = mk13(buf, 0x3d, cid4, 4, 0x1234, 40, 40), k;
	int ok = m2msec_rec13_parse(buf, n, 4, &r) == (int)n;

	for (k = 0; k < n; k++)
		ok &= m2msec_rec13_parse(buf, k, 4, &r) == -EMSGSIZE;
	return ok;
}

static int t_parse_truncated_hdr_no_len(void)
{
	/* Without L, any length is a record; below the header is not. */
	struct m2msec_rec13 r;
	size_t n = mk13(buf, 0x39, cid4, 4, 0x1234, 0, 0), k;
	int ok = m2msec_rec13_parse(buf, n, 4, &r) == 7 && r.len == 0;

	for (k = 0; k < n; k++)
		ok &= m2msec_rec13_parse(buf, k, 4, &r) == -EMSGSIZE;
	return ok;
}

static int t_parse_length_limit(void)
{
	struct m2msec_rec13 r;
	const size_t max = 16384 + 256;
	size_t n = mk13(buf, 0x2c, NULL, 0, 1, max, max);
	int ok = m2msec_rec13_parse(buf, n, 0, &r) == (int)n;

	n = mk13(buf, 0x2c, NULL, 0, 1, max + 1, max + 1);
	ok &= m2msec_rec13_parse(buf, n, 0, &r) == -EBADMSG;
	n = mk13(buf, 0x28, NULL, 0, 1, 0, max);
	ok &= m2msec_rec13_parse(buf, n, 0, &r) == (int)n;
	n = mk13(buf, 0x28, NULL, 0, 1, 0, max + 1);
	ok &= m2msec_rec13_parse(buf, n, 0, &r) == -EBADMSG;
	return ok;
}

static int t_parse_several(void)
{
	struct m2msec_rec13 r;
	size_t n = 0, off = 0;
	int hdr[4], len[4], i = 0, ret;

	/* 16-bit seq with length, 8-bit seq with length, then one without
	 * length that takes the rest (RFC 9147 4: only the last may).
	 */
	n += mk13(buf + n, 0x2c, NULL, 0, 0x0100, 20, 20);
	n += mk13(buf + n, 0x25, NULL, 0, 0x01, 17, 17);
	n += mk13(buf + n, 0x2b, NULL, 0, 0x0102, 0, 30);
	while (off < n && i < 4) {
		ret = m2msec_rec13_parse(buf + off, n - off, 0, &r);
		if (ret <= 0)
			return 0;
		hdr[i] = r.hdr_len;
		len[i++] = r.len;
		off += ret;
	}
	return i == 3 && off == n && hdr[0] == 5 && len[0] == 20 &&
	       hdr[1] == 4 && len[1] == 17 && hdr[2] == 3 && len[2] == 30;
}

static int t_parse_legacy_and_unified(void)
{
	/* An epoch-0 DTLSPlaintext ack (legacy header) followed by a
	 * DTLSCiphertext, as a DTLS 1.3 datagram may carry both.
	 */
	struct m2msec_rec13 r;
	size_t n = 0;

	buf[n++] = 26;	/* ack */
	buf[n++] = 0xfe;
	buf[n++] = 0xfd;
	memset(buf + n, 0, 8);	/* epoch 0, sequence 0 */
	n += 8;
	buf[n++] = 0;
	buf[n++] = 2;
	buf[n++] = 0;
	buf[n++] = 0;
	n += mk13(buf + n, 0x2f, NULL, 0, 0x0007, 24, 24);
	return m2msec_record_classify(buf, n) == M2MSEC_REC_LEGACY &&
	       m2msec_record_classify(buf + 15, n - 15) ==
	       M2MSEC_REC_UNIFIED &&
	       m2msec_rec13_parse(buf + 15, n - 15, 0, &r) == 29 &&
	       r.epoch_bits == 3;
}

/* ---- put_hdr and masking */

static int t_put_hdr(void)
{
	/* epoch 5 -> EE 01; C S L set: 0 0 1 1 1 1 0 1 = 0x3d;
	 * CID aa bb; seq 0x1234; length 0x0020.
	 */
	static const u8 cid[2] = { 0xaa, 0xbb };
	static const u8 want[] = { 0x3d, 0xaa, 0xbb, 0x12, 0x34, 0x00, 0x20 };
	u8 h[M2MSEC_REC13_HDR_MAX];
	unsigned int n = m2msec_rec13_put_hdr(h, 5, 0x1234, cid, 2, 0x20,
					      false);

	return n == 7 && n == m2msec_rec13_hdr_len(2, false) &&
	       bytes_eq(h, n, want, sizeof(want));
}

static int t_put_hdr_short(void)
{
	/* S clear: 0 0 1 1 0 1 0 1 = 0x35, only the low seq byte. */
	static const u8 cid[2] = { 0xaa, 0xbb };
	static const u8 want[] = { 0x35, 0xaa, 0xbb, 0x34, 0x00, 0x20 };
	u8 h[M2MSEC_REC13_HDR_MAX];
	unsigned int n = m2msec_rec13_put_hdr(h, 5, 0x1234, cid, 2, 0x20,
					      true);

	return n == 6 && n == m2msec_rec13_hdr_len(2, true) &&
	       bytes_eq(h, n, want, sizeof(want));
}

static int t_put_hdr_nocid(void)
{
	/* epoch 3 -> EE 11, C clear: 0 0 1 0 1 1 1 1 = 0x2f; seq 0x123456
	 * keeps its low 16 bits 34 56; length 01 00.
	 */
	static const u8 want[] = { 0x2f, 0x34, 0x56, 0x01, 0x00 };
	u8 h[M2MSEC_REC13_HDR_MAX];
	unsigned int n = m2msec_rec13_put_hdr(h, 3, 0x123456, NULL, 0, 0x100,
					      false);

	return n == 5 && bytes_eq(h, n, want, sizeof(want));
}

static int t_mask_tx(void)
{
	/* RFC 9147 4.2.3: XOR the leading mask bytes into the sequence
	 * number: 01 02 ^ 5a c3 = 5b c1; nothing else changes.
	 */
	static const u8 mask[16] = { 0x5a, 0xc3, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				     0xff, 0xff };
	static const u8 want[] = { 0x2f, 0x5b, 0xc1, 0x01, 0x00 };
	static const u8 want_short[] = { 0x36, 0xaa, 0xbb, 0x5b, 0x00, 0x11 };
	static const u8 cid[2] = { 0xaa, 0xbb };
	u8 h[M2MSEC_REC13_HDR_MAX];
	unsigned int n = m2msec_rec13_put_hdr(h, 3, 0x0102, NULL, 0, 0x100,
					      false);
	int ok;

	m2msec_rec13_mask_tx(h, 0, mask);
	ok = bytes_eq(h, n, want, sizeof(want));
	n = m2msec_rec13_put_hdr(h, 2, 0x0101, cid, 2, 0x11, true);
	m2msec_rec13_mask_tx(h, 2, mask);
	return ok && bytes_eq(h, n, want_short, sizeof(want_short));
}

/*
 * Send, then receive: the header after unmasking equals the header as
 * built, which is the AAD on both sides (RFC 9147 4).
 */
static int t_mask_roundtrip(void)
{
	static const u8 cls[] = { 0, 1, 4, 20, 255 };
	static u8 cid[255];
	unsigned int i, k;
	int ok = 1;

	for (i = 0; i < sizeof(cid); i++)
		cid[i] = (u8)rnd();
	for (k = 0; k < 2000 && ok; k++) {
		u8 cl = cls[k % ARRAY_LEN(cls)], mask[16], clear[300];
		bool short_seq = k & 1;
		u64 seq = rnd(), epoch = rnd();
		struct m2msec_rec13 r;
		unsigned int n, j, changed = 0;

		for (j = 0; j < 16; j++)
			mask[j] = (u8)rnd();
		n = m2msec_rec13_put_hdr(buf, epoch, seq, cid, cl, 16, short_seq);
		memset(buf + n, 0x33, 16);
		memcpy(clear, buf, n);
		m2msec_rec13_mask_tx(buf, cl, mask);
		for (j = 0; j < n; j++)
			changed += buf[j] != clear[j];
		ok &= changed <= (short_seq ? 1u : 2u);
		ok &= m2msec_rec13_parse(buf, n + 16, cl, &r) == (int)n + 16;
		m2msec_rec13_mask_rx(buf, &r, mask);
		ok &= r.seq_trunc == (short_seq ? (seq & 0xff) : (seq & 0xffff));
		ok &= bytes_eq(buf, m2msec_rec13_aad_len(&r), clear, n);
		ok &= r.epoch_bits == (epoch & 3);
	}
	return ok;
}

static int t_sample(void)
{
	struct m2msec_rec13 r;
	size_t n = mk13(buf, 0x2c, NULL, 0, 1, 15, 15);
	int ok;

	ok = m2msec_rec13_parse(buf, n, 0, &r) > 0 &&
	     !m2msec_rec13_sample(buf, &r);
	n = mk13(buf, 0x2c, NULL, 0, 1, 16, 16);
	ok &= m2msec_rec13_parse(buf, n, 0, &r) > 0 &&
	      m2msec_rec13_sample(buf, &r) == buf + 5;
	n = mk13(buf, 0x20, NULL, 0, 1, 0, 16);
	ok &= m2msec_rec13_parse(buf, n, 0, &r) > 0 &&
	      m2msec_rec13_sample(buf, &r) == buf + 2;
	return ok;
}

static int t_min_pad(void)
{
	return m2msec_rec13_min_pad(M2MSEC_CIPHER_AES_128_CCM_8, 1) == 7 &&
	       m2msec_rec13_min_pad(M2MSEC_CIPHER_AES_128_CCM_8, 7) == 1 &&
	       m2msec_rec13_min_pad(M2MSEC_CIPHER_AES_128_CCM_8, 8) == 0 &&
	       m2msec_rec13_min_pad(M2MSEC_CIPHER_AES_128_CCM_8, 1000) == 0 &&
	       m2msec_rec13_min_pad(M2MSEC_CIPHER_AES_128_GCM, 1) == 0 &&
	       m2msec_rec13_min_pad(M2MSEC_CIPHER_AES_128_GCM, 0) == 0 &&
	       m2msec_rec13_min_pad(M2MSEC_CIPHER_CHACHA20_POLY1305, 1) == 0 &&
	       m2msec_rec13_min_pad(M2MSEC_CIPHER_UNSPEC, 1) == 0;
}

/* ---- reconstruction */

static int t_seq_table(void)
{
	const u64 max = (1ULL << 48) - 1;
	static const struct {
		u64 expected;
		u16 trunc;
		unsigned int bits;
		u64 want;
	} t[] = {
		{ 0, 0x00, 8, 0 },
		{ 0, 0xff, 8, 0xff },		/* no wrap below 0 */
		{ 0, 0x80, 8, 0x80 },
		{ 1, 0x81, 8, 0x81 },		/* exactly half above: stays */
		{ 0x100, 0xff, 8, 0xff },	/* just below the 8-bit wrap */
		{ 0xff, 0x00, 8, 0x100 },	/* just above it */
		{ 0x17f, 0x00, 8, 0x100 },
		{ 0x180, 0x00, 8, 0x200 },	/* tie: the higher one */
		{ 0x1ff, 0x00, 8, 0x200 },
		{ 0x200, 0x7f, 8, 0x27f },
		{ 0x200, 0x81, 8, 0x181 },
		{ 0, 0xffff, 16, 0xffff },
		{ 0xfff0, 0x0005, 16, 0x10005 },	/* 16-bit wrap */
		{ 0x10005, 0xfff0, 16, 0xfff0 },
		{ 0x7fff, 0x0000, 16, 0 },
		{ 0x8000, 0x0000, 16, 0x10000 },	/* tie */
		{ 0x123456789aULL, 0x789a, 16, 0x123456789aULL },
		{ 0x123456789aULL, 0x7899, 16, 0x1234567899ULL },
		{ max, 0x00, 8, max - 0xff },
		{ max, 0xff, 8, max },
		{ max + 1, 0x05, 8, max - 0xfa },	/* never above 2^48-1 */
		{ max + 1, 0xffff, 16, max },
		{ max - 15, 0x0010, 16, 0xffffffff0010ULL },	/* not 2^48 + 0x10 */
		{ 1ULL << 63, 0x10, 8, max - 0xef },
		{ ~0ULL, 0x00, 8, max - 0xff },
	};
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(t); i++) {
		u64 got = m2msec_rec13_reconstruct_seq(t[i].expected,
						       t[i].trunc, t[i].bits);

		if (got != t[i].want) {
			ktap_diag("case %u: expected %#llx trunc %#x/%u: got %#llx want %#llx",
				  i, (unsigned long long)t[i].expected,
				  t[i].trunc, t[i].bits,
				  (unsigned long long)got,
				  (unsigned long long)t[i].want);
			ok = 0;
		}
	}
	return ok;
}

/*
 * Brute force: among all values <= 2^48 - 1 with the given low bits, the
 * one closest to min(expected, 2^48); on a tie the higher one (RFC 9000
 * A.3 keeps the candidate at exactly half a window above).
 */
static u64 seq_reference(u64 expected, u16 trunc, unsigned int bits)
{
	const __int128 max = ((__int128)1 << 48) - 1;
	__int128 e = expected > (u64)max + 1 ? max + 1 : (__int128)expected;
	__int128 win = (__int128)1 << bits, base, best = -1, c;
	int k;

	trunc &= win - 1;
	base = e - (e % win) + trunc;
	for (k = -2; k <= 2; k++) {
		__int128 d, bd;

		c = base + k * win;
		if (c < 0 || c > max)
			continue;
		d = c > e ? c - e : e - c;
		bd = best > e ? best - e : e - best;
		if (best < 0 || d < bd || (d == bd && c > best))
			best = c;
	}
	return (u64)best;
}

static int t_seq_random(void)
{
	static const u64 near[] = { 0, 0x80, 0x100, 0x8000, 0x10000, 1ULL << 32,
				    (1ULL << 48) - 0x10000, 1ULL << 48 };
	unsigned long i;

	for (i = 0; i < 1000000; i++) {
		unsigned int bits = i & 1 ? 16 : 8;
		u64 e = near[i % ARRAY_LEN(near)] + (rnd() % 0x30000) - 0x18000;
		u16 trunc = (u16)rnd();
		u64 got, want;

		if (i % 7 == 0)
			e = rnd() >> (rnd() % 64);
		got = m2msec_rec13_reconstruct_seq(e, trunc, bits);
		want = seq_reference(e, trunc, bits);
		if (got != want) {
			ktap_diag("expected %#llx trunc %#x/%u: got %#llx want %#llx",
				  (unsigned long long)e, trunc, bits,
				  (unsigned long long)got,
				  (unsigned long long)want);
			return 0;
		}
	}
	return 1;
}

static int t_seq_bits_clamped(void)
{
	return m2msec_rec13_reconstruct_seq(0x10000, 0x0001, 0) == 0x10001 &&
	       m2msec_rec13_reconstruct_seq(0x10000, 0x0001, 48) == 0x10001 &&
	       m2msec_rec13_reconstruct_seq(0x100, 0x1ff, 8) == 0xff;
}

static int t_epoch_table(void)
{
	const u64 none = M2MSEC_EPOCH_NONE;
	static const struct {
		u64 cur;
		u8 bits;
		u64 want;
	} t[] = {
		{ 5, 1, 5 }, { 5, 2, 6 }, { 5, 0, 4 }, { 5, 3, 3 },
		{ 4, 0, 4 }, { 4, 1, 5 }, { 4, 2, 2 }, { 4, 3, 3 },
		{ 3, 0, 4 }, { 3, 1, 1 }, { 3, 2, 2 }, { 3, 3, 3 },
		{ 2, 0, ~0ULL }, { 2, 1, 1 }, { 2, 2, 2 }, { 2, 3, 3 },
		{ 1, 0, ~0ULL }, { 1, 1, 1 }, { 1, 2, 2 }, { 1, 3, ~0ULL },
		{ 0, 0, ~0ULL }, { 0, 1, 1 }, { 0, 2, ~0ULL }, { 0, 3, ~0ULL },
		{ 0x10001, 0, 0x10000 }, { 0x10001, 2, 0x10002 },
		{ ~0ULL - 1, 3, ~0ULL }, { ~0ULL - 1, 2, ~0ULL - 1 },
		{ ~0ULL - 1, 1, ~0ULL - 2 },
	};
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(t); i++) {
		u64 got = m2msec_rec13_reconstruct_epoch(t[i].cur, t[i].bits);

		if (got != t[i].want) {
			ktap_diag("current %llu bits %u: got %llu want %llu",
				  (unsigned long long)t[i].cur, t[i].bits,
				  (unsigned long long)got,
				  (unsigned long long)t[i].want);
			ok = 0;
		}
	}
	return ok && none == ~0ULL;
}

static int t_epoch_property(void)
{
	long long cur, e;
	u8 b;

	for (cur = 0; cur < 5000; cur++) {
		for (b = 0; b < 4; b++) {
			u64 got = m2msec_rec13_reconstruct_epoch(cur, b);

			/* The one candidate in cur-2..cur+1 with these bits. */
			for (e = cur - 2; (e & 3) != b; e++)
				;
			if (e < 1 ? got != M2MSEC_EPOCH_NONE : got != (u64)e)
				return 0;
		}
	}
	return 1;
}

/* ---- nonce */

static int t_nonce(void)
{
	/* RFC 8446 5.3: iv XOR (00 00 00 00 || 64-bit seq):
	 *   iv       00 01 02 03 04 05 06 07 08 09 0a 0b
	 *   padded   00 00 00 00 01 02 03 04 05 06 07 08
	 *   nonce    00 01 02 03 05 07 05 03 0d 0f 0d 03
	 */
	static const u8 iv[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	static const u8 want[12] = { 0x00, 0x01, 0x02, 0x03, 0x05, 0x07, 0x05,
				     0x03, 0x0d, 0x0f, 0x0d, 0x03 };
	u8 nonce[12];

	m2msec_rec13_nonce(nonce, iv, 0x0102030405060708ULL);
	return bytes_eq(nonce, 12, want, 12);
}

static int t_nonce_64bit(void)
{
	/* The whole 64-bit number, no epoch (unlike DTLS 1.2). */
	static const u8 iv[12] = { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
				   0xaa, 0xaa, 0xaa, 0xaa, 0xaa };
	static const u8 want[12] = { 0xaa, 0xaa, 0xaa, 0xaa, 0x55, 0x55, 0x55,
				     0x55, 0x55, 0x55, 0x55, 0x55 };
	u8 nonce[12];

	m2msec_rec13_nonce(nonce, iv, ~0ULL);
	return bytes_eq(nonce, 12, want, 12);
}

/* ---- inner plaintext (record.c) */

static int t_inner_type(void)
{
	static const u8 pt[] = { 'h', 'e', 'l', 'l', 'o', 23, 0, 0, 0 };
	size_t cl = 99;

	return m2msec_inner_plaintext_type(pt, sizeof(pt), &cl) == 23 &&
	       cl == 5;
}

static int t_inner_no_pad(void)
{
	static const u8 pt[] = { 1, 2, 3, 21 };
	static const u8 only[] = { 22 };
	size_t cl = 99, cl2 = 99;

	return m2msec_inner_plaintext_type(pt, sizeof(pt), &cl) == 21 &&
	       cl == 3 &&
	       m2msec_inner_plaintext_type(only, 1, &cl2) == 22 && cl2 == 0;
}

static int t_inner_zero_content(void)
{
	/* Zeros inside the content are content: the type byte stops the
	 * scan.
	 */
	static const u8 pt[] = { 'a', 0, 0, 22, 0, 0 };
	size_t cl = 99;

	return m2msec_inner_plaintext_type(pt, sizeof(pt), &cl) == 22 &&
	       cl == 3;
}

static int t_inner_all_zero(void)
{
	static const u8 pt[300];
	size_t cl = 99;

	return m2msec_inner_plaintext_type(pt, sizeof(pt), &cl) == -EBADMSG &&
	       m2msec_inner_plaintext_type(pt, 0, &cl) == -EBADMSG &&
	       cl == 99;
}

static int t_inner_put(void)
{
	static const u8 want[] = { 'x', 'y', 23, 0, 0, 0, 0 };
	u8 pt[16];
	size_t n, cl = 0;

	memset(pt, 0xee, sizeof(pt));
	pt[0] = 'x';
	pt[1] = 'y';
	n = m2msec_inner_plaintext_put(pt + 2, 23, 4);
	return n == 5 && bytes_eq(pt, 7, want, sizeof(want)) && pt[7] == 0xee &&
	       m2msec_inner_plaintext_type(pt, 7, &cl) == 23 && cl == 2 &&
	       m2msec_inner_plaintext_put(pt, 26, 0) == 1 && pt[0] == 26;
}

static const struct {
	int (*fn)(void);
	const char *name;
} tests[] = {
	{ t_classify, "classify: 20-24 and 26 are legacy, 25 is DTLS 1.2 CID, 32-63 unified, every other byte and an empty buffer EBADMSG" },
	{ t_is_unified, "exactly the first bytes 0b001xxxxx (32..63) are unified headers" },
	{ t_parse_minimal, "the minimal header (8-bit seq, no CID, no length) is 2 bytes and the record takes the rest" },
	{ t_parse_full, "the full header: CID, 16-bit seq and length are found at the right offsets" },
	{ t_parse_no_len_rest, "L clear: the record consumes the rest of the datagram" },
	{ t_parse_c_mismatch, "C set without an expected CID is a header error; C clear parses whether or not CIDs are expected" },
	{ t_parse_not_unified, "first bytes outside 0b001xxxxx are header errors" },
	{ t_parse_truncated, "every truncation of a record with L set (0..n-1 bytes) is EMSGSIZE" },
	{ t_parse_truncated_hdr_no_len, "without L, every truncation inside the header is EMSGSIZE and an empty body parses" },
	{ t_parse_length_limit, "length 2^14 + 256 is accepted, 2^14 + 257 is a header error, with and without L" },
	{ t_parse_several, "two records with length and a last one without parse back to back from one datagram" },
	{ t_parse_legacy_and_unified, "a plaintext ack and a unified record in one datagram are told apart by classify" },
	{ t_put_hdr, "put_hdr writes 0x3d, CID, 16-bit seq, length (by hand)" },
	{ t_put_hdr_short, "put_hdr with short_seq writes S clear and one seq byte (by hand)" },
	{ t_put_hdr_nocid, "put_hdr without CID keeps the low 16 bits of the sequence number (by hand)" },
	{ t_mask_tx, "mask_tx XORs the first 1 or 2 mask bytes into the sequence number only (by hand)" },
	{ t_mask_roundtrip, "mask_tx then parse + mask_rx restores the clear header (the AAD) for 2000 random headers" },
	{ t_sample, "sample is NULL below 16 ciphertext bytes and the first ciphertext byte otherwise" },
	{ t_min_pad, "min_pad pads CCM_8 inner plaintexts to a 16-byte ciphertext, nothing for 16-byte tags" },
	{ t_seq_table, "sequence reconstruction around 8- and 16-bit wraps, at 0 and at 2^48 - 1 (table)" },
	{ t_seq_random, "sequence reconstruction matches a brute-force closest-candidate search on a million inputs" },
	{ t_seq_bits_clamped, "sequence reconstruction treats bit counts other than 1..16 as 16 and ignores truncated bits above the count" },
	{ t_epoch_table, "epoch reconstruction picks current-2..current+1 by the low bits, never epoch 0 or below (table)" },
	{ t_epoch_property, "epoch reconstruction: matching low bits, within current-2..current+1, for 20000 inputs" },
	{ t_nonce, "nonce is iv XOR the left-padded 64-bit sequence number (by hand)" },
	{ t_nonce_64bit, "nonce uses all 64 bits of the sequence number and no epoch" },
	{ t_inner_type, "inner plaintext: the last non-zero byte is the type, content length before it" },
	{ t_inner_no_pad, "inner plaintext without padding, and with an empty content" },
	{ t_inner_zero_content, "inner plaintext: zeros inside the content do not end the scan early" },
	{ t_inner_all_zero, "inner plaintext of only zeros, or empty, is EBADMSG" },
	{ t_inner_put, "inner_plaintext_put writes type and zero padding and nothing more" },
};

int main(void)
{
	unsigned int i, n = ARRAY_LEN(tests);

	ktap_plan(n);
	for (i = 0; i < n; i++)
		ktap_result(tests[i].fn(), "record13: %s", tests[i].name);
	return ktap_exit();
}
