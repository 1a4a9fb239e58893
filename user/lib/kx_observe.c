// SPDX-License-Identifier: LGPL-2.1
/*
 * Key export: watch the datagrams the TLS library sends and receives
 * and remember the epoch and highest sequence number of each direction, so
 * the exported sequence numbers come from the wire and not from guesses.
 *
 * DTLS 1.2 (RFC 6347 4.1, RFC 9146 4 with a CID):
 *
 *   type(1) version(2) epoch(2) sequence_number(6) [cid] length(2) fragment
 *
 * DTLS 1.3 protected records use the unified header (RFC 9147 4):
 *
 *   0 1 2 3 4 5 6 7
 *   +-+-+-+-+-+-+-+-+
 *   |0|0|1|C|S|L|E E|   C: CID present, S: 16-bit sequence number,
 *   +-+-+-+-+-+-+-+-+   L: length present, EE: low two bits of the epoch
 *   | CID (if any)  |
 *   | seq (8 or 16) |   encrypted with the record number key
 *   | length (if L) |
 *   | ciphertext    |
 *
 * Unprotected DTLS 1.3 records (epoch 0) keep the 13-byte DTLS 1.2 header.
 */
#include <inttypes.h>
#include <stdio.h>

#include "kx.h"

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static void note(struct kx_observer *obs, int tx, uint64_t epoch,
		 uint64_t seq, unsigned int type, size_t len)
{
	struct kx_seen *s = tx ? &obs->tx : &obs->rx;

	if (obs->verbose)
		fprintf(stderr, "kx: %s epoch %" PRIu64 " seq %" PRIu64 " content type %u, %zu bytes\n",
			tx ? "sent" : "received", epoch, seq, type, len);
	if (epoch > s->epoch || !s->records) {
		s->epoch = epoch;
		s->max_seq = seq;
		s->records = 1;
	} else if (epoch == s->epoch) {
		if (seq > s->max_seq)
			s->max_seq = seq;
		s->records++;
	}
}

/* Full sequence number from its low @bits, nearest to the next expected. */
static uint64_t expand_seq(const struct kx_seen *s, uint64_t epoch,
			   uint64_t low, int bits)
{
	uint64_t next = s->records && s->epoch == epoch ? s->max_seq + 1 : 0;
	uint64_t win = 1ULL << bits, cand;

	cand = (next & ~(win - 1)) | low;
	if (cand > next + win / 2 && cand >= win)
		cand -= win;
	else if (cand + win / 2 < next)
		cand += win;
	return cand;
}

/* One unified-header record at @d; Return: its size, or 0 to stop. */
static size_t observe13(struct kx_observer *obs, int tx, const uint8_t *d,
			size_t len)
{
	size_t cid_len = tx ? obs->tx_cid_len : obs->rx_cid_len;
	const uint8_t *sn_key = tx ? obs->tx_sn_key : obs->rx_sn_key;
	size_t off = 1, seq_off, seq_bytes, rec_len;
	uint8_t mask[2];
	uint64_t low;

	if (d[0] & 0x10)
		off += cid_len;
	seq_off = off;
	seq_bytes = d[0] & 0x08 ? 2 : 1;
	off += seq_bytes;
	if (d[0] & 0x04) {
		if (off + 2 > len)
			return 0;
		rec_len = get_be(d + off, 2);
		off += 2;
		if (off + rec_len > len)
			return 0;
	} else {
		rec_len = len - off;
	}
	/* Only the application epoch (3, EE = 3) matters for the export. */
	if ((d[0] & 0x03) == 3 && obs->sn_key_len &&
	    !kx_sn_mask(obs->cipher, sn_key, obs->sn_key_len, d + off,
			rec_len, mask)) {
		low = d[seq_off] ^ mask[0];
		if (seq_bytes == 2)
			low = low << 8 | (d[seq_off + 1] ^ mask[1]);
		note(obs, tx, 3, expand_seq(tx ? &obs->tx : &obs->rx, 3, low,
					    8 * seq_bytes), 0 /* hidden */, rec_len);
	} else if (obs->verbose) {
		fprintf(stderr, "kx: %s protected record, epoch bits %u, %zu bytes\n",
			tx ? "sent" : "received", d[0] & 3, rec_len);
	}
	return off + rec_len;
}

void kx_observe(struct kx_observer *obs, int tx, const uint8_t *d,
		size_t len)
{
	size_t cid_len = tx ? obs->tx_cid_len : obs->rx_cid_len;
	size_t hdr, n;

	while (len) {
		if (obs->version == M2MSEC_DTLS_1_3 && (d[0] & 0xe0) == 0x20) {
			n = observe13(obs, tx, d, len);
			if (!n)
				return;
			d += n;
			len -= n;
			continue;
		}
		/* DTLS 1.2 style header; content type 25 carries a CID. */
		hdr = 13 + (d[0] == 25 ? cid_len : 0);
		if (len < hdr)
			return;
		n = get_be(d + hdr - 2, 2);
		if (hdr + n > len)
			return;
		note(obs, tx, get_be(d + 3, 2), get_be(d + 5, 6), d[0], n);
		d += hdr + n;
		len -= hdr + n;
	}
}
