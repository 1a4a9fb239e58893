// SPDX-License-Identifier: GPL-2.0
/*
 * The record-layer building blocks of m2msec.ko (kmod/record*.c,
 * kmod/hkdf13.c) driven line by line from stdin, for the independent
 * cross-check in codec_crosscheck.py.  One command per line, one answer
 * line per command; byte strings are hex ("-" for none), numbers decimal
 * or 0x-hex:
 *
 *   aad12 TYPE EPOCH SEQ CID PLEN         -> AAD
 *   hdr12 TYPE EPOCH SEQ CID FRAGLEN      -> header
 *   nonce12 CIPHER IV EPOCH SEQ           -> NONCE EXPLICIT
 *   parse12 CIDLEN RECORD                 -> RET TYPE VERSION EPOCH SEQ CID LEN HDRLEN | err ERRNO
 *   hdr13 EPOCH SEQ CID CTLEN SHORT       -> header
 *   parse13 CIDLEN RECORD                 -> RET FIRST EBITS SEQLEN HASLEN CID SEQTRUNC SEQOFF HDRLEN LEN | err ERRNO
 *   mask13 CIDLEN RECORD MASK             -> RECORD after mask_tx, then RECORD after parse + mask_rx
 *   seq13 EXPECTED TRUNC BITS             -> SEQ
 *   epoch13 CURRENT BITS                  -> EPOCH | none
 *   nonce13 IV SEQ                        -> NONCE
 *   classify BYTES                        -> CLASS (negative: errno)
 *   inner PLAINTEXT                       -> TYPE CONTENTLEN | err ERRNO
 *   label LEN LABEL CTX                   -> HKDFLABEL (LABEL in hex) | -
 *   hkdf DIGEST SECRET LABEL CTX LEN      -> OKM (LABEL in hex; RFC 5869
 *                                            HKDF-Expand over OpenSSL HMAC)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../../kmod/hkdf13.h"
#include "../../kmod/record12.h"
#include "../../kmod/record13.h"

#define MAXB 70000

static u8 b1[MAXB], b2[MAXB], b3[MAXB];

static unsigned long long num(const char *s)
{
	return s ? strtoull(s, NULL, 0) : 0;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex to bytes; "-" is empty.  Returns the length. */
static size_t unhex(const char *s, u8 *out)
{
	size_t n = 0;

	if (!s || !strcmp(s, "-"))
		return 0;
	for (; s[0] && s[1] && n < MAXB; s += 2) {
		int hi = nibble(s[0]), lo = nibble(s[1]);

		if (hi < 0 || lo < 0)
			break;
		out[n++] = hi << 4 | lo;
	}
	return n;
}

static void hex(const u8 *p, size_t n)
{
	size_t i;

	if (!p || !n) {
		fputs("-", stdout);
		return;
	}
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void do_parse12(char **a)
{
	size_t n = unhex(a[2], b1);
	struct m2msec_rec12 r;
	int ret = m2msec_rec12_parse(b1, n, num(a[1]), &r);

	if (ret < 0) {
		printf("err %d", -ret);
		return;
	}
	printf("%d %u %u %u %llu ", ret, r.type, r.version, r.epoch,
	       (unsigned long long)r.seq);
	hex(r.cid, r.cid_len);
	printf(" %u %u", r.len, r.hdr_len);
}

static void do_parse13(char **a)
{
	size_t n = unhex(a[2], b1);
	struct m2msec_rec13 r;
	int ret = m2msec_rec13_parse(b1, n, num(a[1]), &r);

	if (ret < 0) {
		printf("err %d", -ret);
		return;
	}
	printf("%d %u %u %u %u ", ret, r.first, r.epoch_bits, r.seq_len,
	       r.has_len);
	hex(r.cid, r.cid_len);
	printf(" %u %u %u %u", r.seq_trunc, r.seq_off, r.hdr_len, r.len);
}

static void do_mask13(char **a)
{
	u8 cl = num(a[1]);
	size_t n = unhex(a[2], b1);
	struct m2msec_rec13 r;

	unhex(a[3], b2);
	m2msec_rec13_mask_tx(b1, cl, b2);
	hex(b1, n);
	putchar(' ');
	if (m2msec_rec13_parse(b1, n, cl, &r) < 0) {
		fputs("err", stdout);
		return;
	}
	m2msec_rec13_mask_rx(b1, &r, b2);
	hex(b1, n);
}

static void do_hkdf(char **a)
{
	const EVP_MD *md = EVP_get_digestbyname(a[1]);
	size_t slen = unhex(a[2], b1), llen = unhex(a[3], b2), clen, n;
	u16 len = num(a[5]);
	u8 info[M2MSEC_HKDF_LABEL_MAX], t[EVP_MAX_MD_SIZE], in[600];
	unsigned int tlen = 0, done = 0;
	char label[256];
	u8 i = 1;

	clen = unhex(a[4], b3);
	if (llen > sizeof(label) - 1)
		llen = sizeof(label) - 1;
	memcpy(label, b2, llen);
	label[llen] = 0;
	n = m2msec_hkdf_label(info, sizeof(info), len, label, b3, clen);
	if (!md || !n) {
		fputs("-", stdout);
		return;
	}
	while (done < len) {
		size_t k = 0;

		memcpy(in, t, tlen);
		k += tlen;
		memcpy(in + k, info, n);
		k += n;
		in[k++] = i++;
		HMAC(md, b1, slen, in, k, t, &tlen);
		hex(t, len - done < tlen ? len - done : tlen);
		done += tlen;
	}
}

static void run(char **a, int argc)
{
	const char *c = a[0];
	u8 out[M2MSEC_HKDF_LABEL_MAX + 300], ex[8];
	size_t n;

	if (!strcmp(c, "aad12") && argc == 6) {
		n = unhex(a[4], b1);
		hex(out, m2msec_rec12_aad(out, num(a[1]), num(a[2]), num(a[3]),
					  b1, n, num(a[5])));
	} else if (!strcmp(c, "hdr12") && argc == 6) {
		n = unhex(a[4], b1);
		hex(out, m2msec_rec12_put_hdr(out, num(a[1]), num(a[2]),
					      num(a[3]), b1, n, num(a[5])));
	} else if (!strcmp(c, "nonce12") && argc == 5) {
		unsigned int e;

		unhex(a[2], b1);
		e = m2msec_rec12_nonce(out, num(a[1]), b1, num(a[3]), num(a[4]),
				       ex);
		hex(out, 12);
		putchar(' ');
		hex(ex, e);
	} else if (!strcmp(c, "parse12") && argc == 3) {
		do_parse12(a);
	} else if (!strcmp(c, "hdr13") && argc == 6) {
		n = unhex(a[3], b1);
		hex(out, m2msec_rec13_put_hdr(out, num(a[1]), num(a[2]), b1, n,
					      num(a[4]), num(a[5])));
	} else if (!strcmp(c, "parse13") && argc == 3) {
		do_parse13(a);
	} else if (!strcmp(c, "mask13") && argc == 4) {
		do_mask13(a);
	} else if (!strcmp(c, "seq13") && argc == 4) {
		printf("%llu", (unsigned long long)m2msec_rec13_reconstruct_seq(
				num(a[1]), num(a[2]), num(a[3])));
	} else if (!strcmp(c, "epoch13") && argc == 3) {
		u64 e = m2msec_rec13_reconstruct_epoch(num(a[1]), num(a[2]));

		if (e == M2MSEC_EPOCH_NONE)
			fputs("none", stdout);
		else
			printf("%llu", (unsigned long long)e);
	} else if (!strcmp(c, "nonce13") && argc == 3) {
		unhex(a[1], b1);
		m2msec_rec13_nonce(out, b1, num(a[2]));
		hex(out, 12);
	} else if (!strcmp(c, "classify") && argc == 2) {
		n = unhex(a[1], b1);
		printf("%d", m2msec_record_classify(b1, n));
	} else if (!strcmp(c, "inner") && argc == 2) {
		size_t cl;
		int t;

		n = unhex(a[1], b1);
		t = m2msec_inner_plaintext_type(b1, n, &cl);
		if (t < 0)
			printf("err %d", -t);
		else
			printf("%d %zu", t, cl);
	} else if (!strcmp(c, "label") && argc == 4) {
		char label[300];
		size_t ll = unhex(a[2], b2), cl = unhex(a[3], b1);

		memcpy(label, b2, ll < 299 ? ll : 299);
		label[ll < 299 ? ll : 299] = 0;
		hex(out, m2msec_hkdf_label(out, sizeof(out), num(a[1]), label,
					   b1, cl));
	} else if (!strcmp(c, "hkdf") && argc == 6) {
		do_hkdf(a);
	} else {
		printf("? %s", c);
	}
}

int main(void)
{
	static char line[2 * MAXB + 256];

	while (fgets(line, sizeof(line), stdin)) {
		char *a[8], *save = NULL, *tok;
		int argc = 0;

		for (tok = strtok_r(line, " \n", &save); tok && argc < 8;
		     tok = strtok_r(NULL, " \n", &save))
			a[argc++] = tok;
		if (!argc)
			continue;
		run(a, argc);
		putchar('\n');
	}
	return 0;
}
