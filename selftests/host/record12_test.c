// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: DTLS 1.2 record header, AAD and nonces of m2msec.ko
 * (kmod/record12.c, kmod/record.c), built for userspace from the same
 * source.
 *
 * Expected bytes are written out by hand from the RFC text (RFC 6347 4.1,
 * RFC 5246 6.2.3.3, RFC 9146 section 5.3, RFC 5288, RFC 6655, RFC 7905);
 * records are assembled byte by byte here rather than with the code under
 * test, so a shared misreading would have to be made twice.
 */
#include "../../kmod/record12.h"
#include "../ktap.h"
#include "bytes.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static u8 buf[70000];

/* A DTLS 1.2 record laid out field by field; returns its total size. */
static size_t mk12(u8 *p, u8 type, u16 version, u16 epoch, u64 seq,
		   const u8 *cid, u8 cid_len, u16 len)
{
	size_t o = 0, i;

	p[o++] = type;
	p[o++] = version >> 8;
	p[o++] = version & 0xff;
	p[o++] = epoch >> 8;
	p[o++] = epoch & 0xff;
	for (i = 0; i < 6; i++)
		p[o++] = (seq >> (40 - 8 * i)) & 0xff;
	for (i = 0; i < cid_len; i++)
		p[o++] = cid[i];
	p[o++] = len >> 8;
	p[o++] = len & 0xff;
	for (i = 0; i < len; i++)
		p[o++] = (u8)(0xa5 ^ i);
	return o;
}

static const u8 cid4[4] = { 0xc1, 0xd2, 0xe3, 0xf4 };

/* ---- parse */

static int t_parse_fields(void)
{
	struct m2msec_rec12 r;
	size_t n = mk12(buf, 23, 0xfefd, 0x0102, 0x030405060708ULL, NULL, 0,
			40);
	int ret = m2msec_rec12_parse(buf, n, 0, &r);

	return ret == 53 && r.type == 23 && r.version == 0xfefd &&
	       r.epoch == 0x0102 && r.seq == 0x030405060708ULL && !r.cid &&
	       !r.cid_len && r.len == 40 && r.hdr_len == 13;
}

static int t_parse_types(void)
{
	static const u8 types[] = { 20, 21, 22, 23, 24, 26 };
	struct m2msec_rec12 r;
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(types); i++) {
		size_t n = mk12(buf, types[i], 0xfefd, 1, 7, NULL, 0, 3);

		ok &= m2msec_rec12_parse(buf, n, 0, &r) == 16 &&
		      r.type == types[i];
	}
	return ok;
}

static int t_parse_bad_types(void)
{
	struct m2msec_rec12 r;
	unsigned int t;
	int ok = 1;

	for (t = 0; t < 256; t++) {
		size_t n;

		if ((t >= 20 && t <= 24) || t == 26)
			continue;
		n = mk12(buf, t, 0xfefd, 1, 7, NULL, 0, 3);
		/* 25 is tested with CIDs; without a CID it is a bad header. */
		ok &= m2msec_rec12_parse(buf, n, 0, &r) == -EBADMSG;
	}
	return ok;
}

static int t_parse_versions(void)
{
	struct m2msec_rec12 r;
	size_t n;
	int ok;

	/* 0xfeff (DTLS 1.0) only for handshake records. */
	n = mk12(buf, 22, 0xfeff, 0, 0, NULL, 0, 10);
	ok = m2msec_rec12_parse(buf, n, 0, &r) == 23 && r.version == 0xfeff;
	n = mk12(buf, 21, 0xfeff, 0, 0, NULL, 0, 2);
	ok &= m2msec_rec12_parse(buf, n, 0, &r) == -EBADMSG;
	n = mk12(buf, 23, 0xfeff, 1, 0, NULL, 0, 2);
	ok &= m2msec_rec12_parse(buf, n, 0, &r) == -EBADMSG;
	n = mk12(buf, 20, 0xfeff, 0, 0, NULL, 0, 1);
	ok &= m2msec_rec12_parse(buf, n, 0, &r) == -EBADMSG;
	n = mk12(buf, 25, 0xfeff, 1, 0, cid4, 4, 30);
	ok &= m2msec_rec12_parse(buf, n, 4, &r) == -EBADMSG;
	return ok;
}

static int t_parse_other_versions(void)
{
	static const u16 bad[] = { 0x0303, 0x0304, 0xfefc, 0xfefe, 0x0000,
				   0xffff, 0xfdfd, 0x0100 };
	struct m2msec_rec12 r;
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		size_t n = mk12(buf, 22, bad[i], 0, 0, NULL, 0, 4);

		ok &= m2msec_rec12_parse(buf, n, 0, &r) == -EBADMSG;
	}
	return ok;
}

static int t_parse_truncated(void)
{
	struct m2msec_rec12 r;
	size_t n = mk12(buf, 22, 0xfefd, 0, 3, NULL, 0, 100), k;
	int ok = m2msec_rec12_parse(buf, n, 0, &r) == (int)n;

	for (k = 0; k < n; k++)
		ok &= m2msec_rec12_parse(buf, k, 0, &r) == -EMSGSIZE;
	return ok;
}

static int t_parse_truncated_cid(void)
{
	struct m2msec_rec12 r;
	size_t n = mk12(buf, 25, 0xfefd, 1, 3, cid4, 4, 29), k;
	int ok = m2msec_rec12_parse(buf, n, 4, &r) == (int)n;

	for (k = 0; k < n; k++)
		ok &= m2msec_rec12_parse(buf, k, 4, &r) == -EMSGSIZE;
	return ok;
}

static int t_parse_length_limit(void)
{
	struct m2msec_rec12 r;
	size_t n = mk12(buf, 23, 0xfefd, 1, 3, NULL, 0, 16384 + 2048);
	int ok = m2msec_rec12_parse(buf, n, 0, &r) == 13 + 16384 + 2048;

	n = mk12(buf, 23, 0xfefd, 1, 3, NULL, 0, 16384 + 2049);
	ok &= m2msec_rec12_parse(buf, n, 0, &r) == -EBADMSG;
	n = mk12(buf, 23, 0xfefd, 1, 3, NULL, 0, 0xffff);
	ok &= m2msec_rec12_parse(buf, n, 0, &r) == -EBADMSG;
	return ok;
}

static int t_parse_cid(void)
{
	struct m2msec_rec12 r;
	size_t n = mk12(buf, 25, 0xfefd, 2, 0x10000ULL, cid4, 4, 33);
	int ret = m2msec_rec12_parse(buf, n, 4, &r);

	return ret == 50 && r.type == 25 && r.epoch == 2 &&
	       r.seq == 0x10000ULL && r.cid == buf + 11 && r.cid_len == 4 &&
	       !memcmp(r.cid, cid4, 4) && r.len == 33 && r.hdr_len == 17;
}

static int t_parse_cid_unexpected(void)
{
	struct m2msec_rec12 r;
	size_t n = mk12(buf, 25, 0xfefd, 1, 1, cid4, 4, 30);

	return m2msec_rec12_parse(buf, n, 0, &r) == -EBADMSG;
}

static int t_parse_cid_epoch0(void)
{
	struct m2msec_rec12 r;
	size_t n = mk12(buf, 25, 0xfefd, 0, 1, cid4, 4, 30);

	return m2msec_rec12_parse(buf, n, 4, &r) == -EBADMSG;
}

static int t_parse_cid_missing(void)
{
	struct m2msec_rec12 r;
	size_t n = mk12(buf, 23, 0xfefd, 1, 1, NULL, 0, 30);
	int ok = m2msec_rec12_parse(buf, n, 4, &r) == (int)n && !r.cid &&
		 !r.cid_len && r.hdr_len == 13;

	n = mk12(buf, 21, 0xfefd, 1, 1, NULL, 0, 26);
	ok &= m2msec_rec12_parse(buf, n, 4, &r) == (int)n && !r.cid_len;
	return ok;
}

static int t_parse_cid_plaintext(void)
{
	struct m2msec_rec12 r;
	size_t n = mk12(buf, 22, 0xfefd, 0, 1, NULL, 0, 30);
	int ok = m2msec_rec12_parse(buf, n, 4, &r) == 43 && r.hdr_len == 13;

	n = mk12(buf, 21, 0xfefd, 0, 2, NULL, 0, 2);
	ok &= m2msec_rec12_parse(buf, n, 4, &r) == 15 && !r.cid;
	return ok;
}

/* Longer CID than the association uses: its bytes become the length. */
static int t_parse_cid_length_mismatch(void)
{
	static const u8 cid8[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct m2msec_rec12 r;
	size_t n = mk12(buf, 25, 0xfefd, 1, 1, cid8, 8, 30);

	/* With cid_len 4 the "length" is 0x0506: beyond the buffer. */
	return m2msec_rec12_parse(buf, n, 4, &r) == -EMSGSIZE &&
	       m2msec_rec12_parse(buf, n, 8, &r) == (int)n;
}

static int t_parse_several(void)
{
	struct m2msec_rec12 r;
	size_t n = 0, off = 0;
	int got[4], i = 0, ret, ok;

	/* Finished flight of DTLS 1.2: CCS (epoch 0), then epoch 1. */
	n += mk12(buf + n, 20, 0xfefd, 0, 5, NULL, 0, 1);
	n += mk12(buf + n, 22, 0xfefd, 1, 0, NULL, 0, 40);
	n += mk12(buf + n, 23, 0xfefd, 1, 1, NULL, 0, 100);
	while (off < n && i < 4) {
		ret = m2msec_rec12_parse(buf + off, n - off, 0, &r);
		if (ret <= 0)
			return 0;
		got[i++] = r.type;
		off += ret;
	}
	ok = i == 3 && off == n && got[0] == 20 && got[1] == 22 &&
	     got[2] == 23;
	/* One stray byte after the last record: EMSGSIZE. */
	buf[n] = 23;
	ok &= m2msec_rec12_parse(buf + n, 1, 0, &r) == -EMSGSIZE;
	return ok;
}

/* ---- put_hdr */

static int t_put_hdr(void)
{
	/* RFC 6347 4.1 fields in order, hand-assembled:
	 * type 0x17, version fe fd, epoch 00 01, seq 00 00 00 00 01 02,
	 * length 00 30.
	 */
	static const u8 want[] = { 0x17, 0xfe, 0xfd, 0x00, 0x01, 0x00, 0x00,
				   0x00, 0x00, 0x01, 0x02, 0x00, 0x30 };
	u8 h[13 + 255];
	unsigned int n = m2msec_rec12_put_hdr(h, 23, 1, 0x102, NULL, 0, 0x30);

	return n == 13 && bytes_eq(h, n, want, sizeof(want));
}

static int t_put_hdr_cid(void)
{
	/* RFC 9146 4: outer type tls12_cid (0x19), version, epoch 00 02,
	 * seq 00 00 00 00 00 07, cid c1 d2 e3 f4, length 01 00.
	 */
	static const u8 want[] = { 0x19, 0xfe, 0xfd, 0x00, 0x02, 0x00, 0x00,
				   0x00, 0x00, 0x00, 0x07, 0xc1, 0xd2, 0xe3,
				   0xf4, 0x01, 0x00 };
	u8 h[13 + 255];
	unsigned int n = m2msec_rec12_put_hdr(h, 23, 2, 7, cid4, 4, 0x100);

	return n == 17 && bytes_eq(h, n, want, sizeof(want));
}

static int t_put_hdr_seq48(void)
{
	u8 h[13];

	m2msec_rec12_put_hdr(h, 23, 0xffff, 0xabcd000000000001ULL, NULL, 0, 0);
	return h[3] == 0xff && h[4] == 0xff && h[5] == 0 && h[6] == 0 &&
	       h[7] == 0 && h[8] == 0 && h[9] == 0 && h[10] == 1;
}

static int t_put_parse_roundtrip(void)
{
	static u8 cid[255];
	struct m2msec_rec12 r;
	unsigned int cl, h;
	int ok = 1;

	for (cl = 0; cl < 256; cl++) {
		cid[cl ? cl - 1 : 0] = (u8)(cl * 7);
		h = m2msec_rec12_put_hdr(buf, 22, cl ? 9 : 0, 0xfedcba987654ULL,
					 cid, cl, 77);
		memset(buf + h, 0x5a, 77);
		ok &= m2msec_rec12_parse(buf, h + 77, cl, &r) == (int)h + 77 &&
		      r.hdr_len == h && r.len == 77 &&
		      r.seq == 0xfedcba987654ULL && r.cid_len == cl &&
		      (!cl || !memcmp(r.cid, cid, cl)) &&
		      r.type == (cl ? 25 : 22);
	}
	return ok;
}

/* ---- AAD */

static int t_aad(void)
{
	/* RFC 5246 6.2.3.3, seq_num = epoch || sequence_number (RFC 6347
	 * 4.1.2.1):
	 *   seq_num   01 02 | 03 04 05 06 07 08
	 *   type      17                 (application_data)
	 *   version   fe fd
	 *   length    01 23              (plaintext, not ciphertext)
	 */
	static const u8 want[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
				   0x08, 0x17, 0xfe, 0xfd, 0x01, 0x23 };
	u8 aad[M2MSEC_REC12_AAD_MAX];
	unsigned int n = m2msec_rec12_aad(aad, 23, 0x0102, 0x030405060708ULL,
					  NULL, 0, 0x0123);

	return n == 13 && bytes_eq(aad, n, want, sizeof(want));
}

static int t_aad_alert(void)
{
	/* An encrypted alert: epoch 1, seq 0, 2 bytes of plaintext. */
	static const u8 want[] = { 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
				   0x00, 0x15, 0xfe, 0xfd, 0x00, 0x02 };
	u8 aad[M2MSEC_REC12_AAD_MAX];
	unsigned int n = m2msec_rec12_aad(aad, 21, 1, 0, NULL, 0, 2);

	return n == 13 && bytes_eq(aad, n, want, sizeof(want));
}

static int t_aad_cid(void)
{
	/* RFC 9146 5.3:
	 *   seq_num_placeholder          ff ff ff ff ff ff ff ff
	 *   tls12_cid                    19
	 *   cid_length                   03
	 *   tls12_cid                    19
	 *   DTLSCiphertext.version       fe fd
	 *   epoch                        00 01
	 *   sequence_number              00 00 00 00 00 2a
	 *   cid                          c0 ff ee
	 *   length_of_DTLSInnerPlaintext 00 11  (content 16 + real_type 1)
	 */
	static const u8 want[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				   0xff, 0x19, 0x03, 0x19, 0xfe, 0xfd, 0x00,
				   0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,
				   0xc0, 0xff, 0xee, 0x00, 0x11 };
	static const u8 cid[3] = { 0xc0, 0xff, 0xee };
	u8 aad[M2MSEC_REC12_AAD_MAX];
	unsigned int n = m2msec_rec12_aad(aad, 23, 1, 42, cid, 3, 17);

	return n == 26 && bytes_eq(aad, n, want, sizeof(want));
}

static int t_aad_cid_type_ignored(void)
{
	u8 a[M2MSEC_REC12_AAD_MAX], b[M2MSEC_REC12_AAD_MAX];
	unsigned int na = m2msec_rec12_aad(a, 23, 5, 6, cid4, 4, 100);
	unsigned int nb = m2msec_rec12_aad(b, 21, 5, 6, cid4, 4, 100);

	return na == 27 && bytes_eq(a, na, b, nb);
}

static int t_aad_cid_max(void)
{
	static u8 cid[255], aad[M2MSEC_REC12_AAD_MAX + 1];
	unsigned int n, i;

	for (i = 0; i < 255; i++)
		cid[i] = (u8)i;
	aad[M2MSEC_REC12_AAD_MAX] = 0x77;
	n = m2msec_rec12_aad(aad, 23, 0xffff, 0xffffffffffffULL, cid, 255,
			     0x4000);
	return n == 278 && n == M2MSEC_REC12_AAD_MAX && aad[9] == 255 &&
	       !memcmp(aad + 21, cid, 255) && aad[276] == 0x40 &&
	       aad[277] == 0x00 && aad[278] == 0x77;
}

/* ---- nonces */

static int t_nonce_gcm(void)
{
	/* RFC 5288 3: salt(4) || nonce_explicit(8), the explicit part being
	 * epoch 00 01 || seq 00 00 00 00 01 02.
	 */
	static const u8 salt[4] = { 0xa0, 0xa1, 0xa2, 0xa3 };
	static const u8 want[12] = { 0xa0, 0xa1, 0xa2, 0xa3, 0x00, 0x01, 0x00,
				     0x00, 0x00, 0x00, 0x01, 0x02 };
	u8 nonce[12], ex[8];
	unsigned int n = m2msec_rec12_nonce(nonce, M2MSEC_CIPHER_AES_128_GCM,
					    salt, 1, 0x102, ex);

	return n == 8 && bytes_eq(nonce, 12, want, 12) &&
	       bytes_eq(ex, 8, want + 4, 8);
}

static int t_nonce_ccm(void)
{
	/* RFC 6655 3: the same construction for CCM and CCM_8. */
	static const u8 salt[4] = { 0x01, 0x02, 0x03, 0x04 };
	static const u8 want[12] = { 0x01, 0x02, 0x03, 0x04, 0xff, 0xfe, 0xaa,
				     0xbb, 0xcc, 0xdd, 0xee, 0xff };
	static const enum m2msec_cipher cs[] = {
		M2MSEC_CIPHER_AES_128_CCM, M2MSEC_CIPHER_AES_128_CCM_8,
		M2MSEC_CIPHER_AES_256_GCM,
	};
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(cs); i++) {
		u8 nonce[12];

		ok &= m2msec_rec12_nonce(nonce, cs[i], salt, 0xfffe,
					 0xaabbccddeeffULL, NULL) == 8 &&
		      bytes_eq(nonce, 12, want, 12);
	}
	return ok;
}

static int t_nonce_chacha(void)
{
	/* RFC 7905 2: iv XOR (00 00 00 00 || epoch 02 03 || seq 04..09).
	 *   iv       00 11 22 33 44 55 66 77 88 99 aa bb
	 *   padded   00 00 00 00 02 03 04 05 06 07 08 09
	 *   nonce    00 11 22 33 46 56 62 72 8e 9e a2 b2
	 */
	static const u8 iv[12] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
				   0x77, 0x88, 0x99, 0xaa, 0xbb };
	static const u8 want[12] = { 0x00, 0x11, 0x22, 0x33, 0x46, 0x56, 0x62,
				     0x72, 0x8e, 0x9e, 0xa2, 0xb2 };
	u8 nonce[12], ex[8] = { 0 };
	unsigned int n = m2msec_rec12_nonce(nonce,
					    M2MSEC_CIPHER_CHACHA20_POLY1305,
					    iv, 0x0203, 0x040506070809ULL, ex);
	static const u8 zero[8];

	return n == 0 && bytes_eq(nonce, 12, want, 12) &&
	       bytes_eq(ex, 8, zero, 8);
}

static int t_nonce_unknown(void)
{
	static const u8 iv[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	static const u8 zero[12];
	u8 nonce[12];

	memset(nonce, 0xee, sizeof(nonce));
	return m2msec_rec12_nonce(nonce, M2MSEC_CIPHER_UNSPEC, iv, 1, 1,
				  NULL) == 0 &&
	       bytes_eq(nonce, 12, zero, 12) &&
	       m2msec_rec12_nonce(nonce, (enum m2msec_cipher)99, iv, 1, 1,
				  NULL) == 0;
}

static int t_rx_nonce_explicit(void)
{
	/* The receiver uses the nonce_explicit bytes of the record, even
	 * when they differ from epoch || seq (RFC 5288 3).
	 */
	static const u8 salt[4] = { 0xa0, 0xa1, 0xa2, 0xa3 };
	static const u8 frag[10] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
				     0x88, 0x99, 0x00 };
	static const u8 want[12] = { 0xa0, 0xa1, 0xa2, 0xa3, 0x11, 0x22, 0x33,
				     0x44, 0x55, 0x66, 0x77, 0x88 };
	u8 nonce[12];

	return m2msec_rec12_rx_nonce(nonce, M2MSEC_CIPHER_AES_128_CCM_8, salt,
				     1, 2, frag, 10) == 8 &&
	       bytes_eq(nonce, 12, want, 12) &&
	       m2msec_rec12_rx_nonce(nonce, M2MSEC_CIPHER_AES_128_GCM, salt,
				     1, 2, frag, 8) == 8 &&
	       m2msec_rec12_rx_nonce(nonce, M2MSEC_CIPHER_AES_128_GCM, salt,
				     1, 2, frag, 7) == -EBADMSG &&
	       m2msec_rec12_rx_nonce(nonce, M2MSEC_CIPHER_AES_128_GCM, salt,
				     1, 2, frag, 0) == -EBADMSG;
}

static int t_rx_nonce_chacha(void)
{
	static const u8 iv[12] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0xf0, 0x0f };
	u8 tx[12], rx[12];

	m2msec_rec12_nonce(tx, M2MSEC_CIPHER_CHACHA20_POLY1305, iv, 3,
			   123456789, NULL);
	return m2msec_rec12_rx_nonce(rx, M2MSEC_CIPHER_CHACHA20_POLY1305, iv,
				     3, 123456789, NULL, 0) == 0 &&
	       bytes_eq(rx, 12, tx, 12) &&
	       m2msec_rec12_rx_nonce(rx, M2MSEC_CIPHER_UNSPEC, iv, 3, 1,
				     NULL, 0) == -EINVAL;
}

/* ---- per-cipher lengths */

static int t_lengths(void)
{
	static const struct {
		enum m2msec_cipher c;
		unsigned int tag, ex, min;
	} t[] = {
		{ M2MSEC_CIPHER_AES_128_GCM, 16, 8, 24 },
		{ M2MSEC_CIPHER_AES_256_GCM, 16, 8, 24 },
		{ M2MSEC_CIPHER_CHACHA20_POLY1305, 16, 0, 16 },
		{ M2MSEC_CIPHER_AES_128_CCM, 16, 8, 24 },
		{ M2MSEC_CIPHER_AES_128_CCM_8, 8, 8, 16 },
		{ M2MSEC_CIPHER_UNSPEC, 0, 0, 0 },
		{ __M2MSEC_CIPHER_MAX, 0, 0, 0 },
	};
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(t); i++)
		ok &= m2msec_cipher_tag_len(t[i].c) == t[i].tag &&
		      m2msec_rec12_explicit_len(t[i].c) == t[i].ex &&
		      m2msec_rec12_min_ciphertext(t[i].c) == t[i].min;
	return ok;
}

static int t_plaintext_len(void)
{
	return m2msec_rec12_plaintext_len(M2MSEC_CIPHER_AES_128_GCM, 24) == 0 &&
	       m2msec_rec12_plaintext_len(M2MSEC_CIPHER_AES_128_GCM, 124) ==
	       100 &&
	       m2msec_rec12_plaintext_len(M2MSEC_CIPHER_AES_128_GCM, 23) ==
	       -EBADMSG &&
	       m2msec_rec12_plaintext_len(M2MSEC_CIPHER_AES_128_CCM_8, 17) ==
	       1 &&
	       m2msec_rec12_plaintext_len(M2MSEC_CIPHER_CHACHA20_POLY1305,
					  16) == 0 &&
	       m2msec_rec12_plaintext_len(M2MSEC_CIPHER_UNSPEC, 100) ==
	       -EINVAL;
}

static const struct {
	int (*fn)(void);
	const char *name;
} tests[] = {
	{ t_parse_fields, "parse returns hdr_len + len and every header field of a 13-byte record" },
	{ t_parse_types, "content types 20, 21, 22, 23, 24 and 26 are accepted with version 0xfefd" },
	{ t_parse_bad_types, "every other first byte (25 included when no CID is expected) is a header error" },
	{ t_parse_versions, "version 0xfeff is accepted for handshake records only" },
	{ t_parse_other_versions, "TLS and other DTLS versions (0x0303, 0xfefc, ...) are header errors" },
	{ t_parse_truncated, "every truncation of a 113-byte record (0..112 bytes) is EMSGSIZE" },
	{ t_parse_truncated_cid, "every truncation of a CID record, CID and length bytes included, is EMSGSIZE" },
	{ t_parse_length_limit, "a length of 2^14 + 2048 is accepted, 2^14 + 2049 and 65535 are header errors" },
	{ t_parse_cid, "a type-25 record with a 4-byte CID: hdr_len 17, cid points into the buffer" },
	{ t_parse_cid_unexpected, "a type-25 record is a header error when no CID is expected" },
	{ t_parse_cid_epoch0, "a type-25 record in epoch 0 is a header error (RFC 9146: plaintext never uses the CID format)" },
	{ t_parse_cid_missing, "with CIDs expected on the socket, an encrypted record without one still parses (a peer without CID; its association decides)" },
	{ t_parse_cid_plaintext, "with a CID expected, epoch-0 plaintext handshake and alert records still parse" },
	{ t_parse_cid_length_mismatch, "a CID longer than the expected length shifts the length field and fails as EMSGSIZE" },
	{ t_parse_several, "three records in one datagram parse back to back; a stray byte after them is EMSGSIZE" },
	{ t_put_hdr, "put_hdr writes the 13 RFC 6347 header bytes" },
	{ t_put_hdr_cid, "put_hdr with a CID writes type 25 and the CID before the length" },
	{ t_put_hdr_seq48, "put_hdr writes only the low 48 bits of the sequence number" },
	{ t_put_parse_roundtrip, "put_hdr then parse round-trips for every CID length 0..255" },
	{ t_aad, "AAD without CID is epoch || seq48 || type || fefd || plaintext length (13 bytes, by hand)" },
	{ t_aad_alert, "AAD of an encrypted alert in epoch 1, seq 0 (by hand)" },
	{ t_aad_cid, "AAD with a 3-byte CID follows RFC 9146 5.3 byte for byte (26 bytes, by hand)" },
	{ t_aad_cid_type_ignored, "AAD with CID does not depend on the real content type" },
	{ t_aad_cid_max, "AAD with a 255-byte CID is exactly M2MSEC_REC12_AAD_MAX (278) bytes" },
	{ t_nonce_gcm, "GCM nonce is salt || epoch || seq48 and the explicit part is its last 8 bytes" },
	{ t_nonce_ccm, "CCM, CCM_8 and AES-256-GCM use the same salt || explicit construction" },
	{ t_nonce_chacha, "ChaCha20-Poly1305 nonce is iv XOR (0^32 || epoch || seq48), nothing explicit (by hand)" },
	{ t_nonce_unknown, "an unknown cipher gives a zero nonce and no explicit part" },
	{ t_rx_nonce_explicit, "receive nonce for GCM/CCM takes the record's explicit bytes; fewer than 8 is a header error" },
	{ t_rx_nonce_chacha, "receive nonce for ChaCha20-Poly1305 equals the send nonce; unknown cipher is EINVAL" },
	{ t_lengths, "tag, explicit nonce and minimum fragment lengths per cipher (CCM_8: 8-byte tag)" },
	{ t_plaintext_len, "plaintext length is fragment - explicit - tag; shorter fragments are header errors" },
};

int main(void)
{
	unsigned int i, n = ARRAY_LEN(tests);

	ktap_plan(n);
	for (i = 0; i < n; i++)
		ktap_result(tests[i].fn(), "record12: %s", tests[i].name);
	return ktap_exit();
}
