// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the record demultiplexing and header parsers of
 * m2msec.ko (kmod/record.c, record12.c, record13.c) on arbitrary
 * datagrams, with ASan and UBSan.
 *
 * Input: one byte choosing the CID length the "association" expects
 * (byte % 9, so 0..8), then the datagram.  The datagram is walked record by
 * record as the receive path will: classify, parse, then on what parsed
 * the follow-up helpers (unmasking, sample, sequence reconstruction, inner
 * plaintext).  Besides memory errors, every property the callers rely on
 * is asserted: record sizes stay inside the datagram, header pointers and
 * lengths are consistent, a parsed header re-serialises to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../kmod/record12.h"
#include "../kmod/record13.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

static u8 copy[1 << 17];

static void fuzz_rec12(const u8 *p, size_t avail, u8 cid_len, int ret,
		       const struct m2msec_rec12 *r)
{
	u8 hdr[M2MSEC_REC12_HDR_LEN + 255];
	size_t content_len;
	int t;

	CHECK(r->hdr_len == M2MSEC_REC12_HDR_LEN + r->cid_len);
	CHECK((size_t)ret == (size_t)r->hdr_len + r->len);
	CHECK((size_t)ret <= avail && r->len <= M2MSEC_REC12_CIPHERTEXT_MAX);
	if (r->type == M2MSEC_CT_TLS12_CID) {
		CHECK(r->cid == p + 11 && r->cid_len == cid_len && r->epoch);
	} else {
		/* Without CID whatever @cid_len: the association decides. */
		CHECK(!r->cid && !r->cid_len);
	}
	CHECK(r->version == M2MSEC_REC12_VERSION ||
	      (r->type == M2MSEC_CT_HANDSHAKE &&
	       r->version == M2MSEC_REC12_VERSION_DTLS10));

	/* The header re-serialises to the bytes it came from. */
	if (r->version == M2MSEC_REC12_VERSION) {
		CHECK(m2msec_rec12_put_hdr(hdr, r->type, r->epoch, r->seq,
					   r->cid, r->cid_len, r->len) ==
		      r->hdr_len);
		CHECK(!memcmp(hdr, p, r->hdr_len));
	}

	/* Treat the fragment as a decrypted inner plaintext. */
	t = m2msec_inner_plaintext_type(p + r->hdr_len, r->len, &content_len);
	CHECK(t == -EBADMSG || (t > 0 && t < 256 && content_len < r->len &&
				p[r->hdr_len + content_len] == t));
}

static void fuzz_rec13(const u8 *p, size_t avail, u8 cid_len, int ret,
		       struct m2msec_rec13 *r)
{
	u8 hdr[M2MSEC_REC13_HDR_MAX], mask[16];
	const u8 *sample;
	u64 seq;
	size_t i;

	CHECK((size_t)ret == (size_t)r->hdr_len + r->len);
	CHECK((size_t)ret <= avail && r->len <= M2MSEC_REC13_CIPHERTEXT_MAX);
	CHECK(r->cid_len == ((r->first & M2MSEC_REC13_C) ? cid_len : 0));
	CHECK(!r->cid_len || r->cid == p + 1);
	CHECK(r->seq_off == 1 + r->cid_len);
	CHECK(r->seq_off + r->seq_len <= r->hdr_len);
	CHECK(r->has_len || (size_t)ret == avail);
	CHECK(r->epoch_bits == (r->first & 3));

	if (r->has_len) {
		CHECK(m2msec_rec13_put_hdr(hdr, r->epoch_bits, r->seq_trunc,
					   r->cid, r->cid_len, r->len,
					   r->seq_len == 1) == r->hdr_len);
		CHECK(!memcmp(hdr, p, r->hdr_len));
	}

	/* Unmask a writable copy as the receive path does. */
	sample = m2msec_rec13_sample(p, r);
	CHECK(!sample == (r->len < M2MSEC_REC13_SAMPLE_LEN));
	if (!sample || (size_t)ret > sizeof(copy))
		return;
	for (i = 0; i < 16; i++)
		mask[i] = sample[i] ^ 0x5a;
	memcpy(copy, p, ret);
	m2msec_rec13_mask_rx(copy, r, mask);
	m2msec_rec13_mask_tx(copy, r->cid_len, mask);
	CHECK(!memcmp(copy, p, ret));

	seq = m2msec_rec13_reconstruct_seq(m2msec_get_be48(sample),
					   r->seq_trunc, r->seq_len * 8);
	CHECK(seq <= M2MSEC_SEQ_MAX);
	CHECK((seq & ((1u << (r->seq_len * 8)) - 1)) == r->seq_trunc);
	seq = m2msec_rec13_reconstruct_epoch(m2msec_get_be64(sample + 8),
					     r->epoch_bits);
	CHECK(seq == M2MSEC_EPOCH_NONE || (seq & 3) == r->epoch_bits);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const u8 *p;
	size_t avail;
	u8 cid_len;
	int records = 0;

	if (!size)
		return 0;
	cid_len = data[0] % 9;
	p = data + 1;
	avail = size - 1;

	/* RFC 6347 4.1 / RFC 9147 4.3: records back to back; the first
	 * failure drops the rest of the datagram.
	 */
	while (avail && records++ < 1000) {
		struct m2msec_rec12 r12;
		struct m2msec_rec13 r13;
		int cls = m2msec_record_classify(p, avail), ret;
		u8 cl12 = cls == M2MSEC_REC_CID12 ? cid_len : 0;

		CHECK(cls == -EBADMSG || cls == M2MSEC_REC_LEGACY ||
		      cls == M2MSEC_REC_CID12 || cls == M2MSEC_REC_UNIFIED);
		CHECK((cls == M2MSEC_REC_UNIFIED) ==
		      m2msec_rec13_is_unified(p[0]));
		if (cls == M2MSEC_REC_LEGACY || cls == M2MSEC_REC_CID12) {
			ret = m2msec_rec12_parse(p, avail, cl12, &r12);
			CHECK(ret == -EBADMSG || ret == -EMSGSIZE || ret > 0);
			if (ret <= 0)
				break;
			fuzz_rec12(p, avail, cl12, ret, &r12);
		} else if (cls == M2MSEC_REC_UNIFIED) {
			ret = m2msec_rec13_parse(p, avail, cid_len, &r13);
			CHECK(ret == -EBADMSG || ret == -EMSGSIZE || ret > 0);
			if (ret <= 0)
				break;
			fuzz_rec13(p, avail, cid_len, ret, &r13);
		} else {
			CHECK(m2msec_rec12_parse(p, avail, cid_len, &r12) < 0);
			CHECK(m2msec_rec13_parse(p, avail, cid_len, &r13) < 0);
			break;
		}
		p += ret;
		avail -= ret;
	}
	return 0;
}
