// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target over the ESPrim parsers of m2msec.ko, built from the
 * module's own sources (kmod/b64url.c, kmod/jwe.c, kmod/jwe_header.c):
 *
 *  - the JWE compact splitter on the whole input;
 *  - the protected header parser on the decoded header of a split object,
 *    and on the raw input;
 *  - properties: every accepted base64url string re-encodes to itself
 *    (canonical), and a parsed header built again parses to the same
 *    members (builder and parser agree).
 *
 * Build and run: see fuzz/README.md.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../kmod/b64url.h"
#include "../kmod/jwe.h"
#include "../kmod/jwe_header.h"

static unsigned char dec[1 << 16];
static char enc[1 << 17];

static void check_b64(const char *s, size_t len)
{
	long n = m2msec_b64url_decode(s, len, dec);

	if (n < 0)
		return;
	if (m2msec_b64url_encode(dec, n, enc) != len || memcmp(enc, s, len))
		abort();	/* two spellings of one byte string */
}

static int same_str(const char *a, size_t al, const char *b, size_t bl)
{
	return al == bl && (!al || !memcmp(a, b, al));
}

static int same_rand(const struct m2msec_rand_json *a,
		     const struct m2msec_rand_json *b)
{
	return same_str(a->id, a->id_len, b->id, b->id_len) &&
	       !memcmp(a->value, b->value, sizeof(a->value)) &&
	       a->algs == b->algs;
}

static void check_header(const char *s, size_t len)
{
	struct m2msec_jwe_hdr h, h2;
	static char out[M2MSEC_JWE_HDR_MAX * 2];
	long n;

	if (m2msec_jwe_hdr_parse(s, len, &h))
		return;
	if (h.members & (1u << M2MSEC_HDR_ORO) && h.oro.expiry_rel)
		return;	/* the builder writes absolute expiries only */
	if (h.members & (1u << M2MSEC_HDR_RRO) && h.rro.expiry_rel)
		return;
	if ((h.members & (1u << M2MSEC_HDR_ORO) &&
	     h.oro.expiry >= 253402300800ull) ||
	    (h.members & (1u << M2MSEC_HDR_RRO) &&
	     h.rro.expiry >= 253402300800ull))
		return;	/* beyond year 9999 */
	n = m2msec_jwe_hdr_build(&h, out, sizeof(out));
	if (n < 0)
		abort();
	if (m2msec_jwe_hdr_parse(out, n, &h2))
		abort();
	if (h.members != h2.members || h.enc != h2.enc ||
	    !same_str(h.kid, h.kid_len, h2.kid, h2.kid_len) ||
	    !same_str(h.ori, h.ori_len, h2.ori, h2.ori_len) ||
	    !same_str(h.rri, h.rri_len, h2.rri, h2.rri_len) ||
	    !same_str(h.cty, h.cty_len, h2.cty, h2.cty_len))
		abort();
	if (h.members & (1u << M2MSEC_HDR_ORO) &&
	    (!same_rand(&h.oro, &h2.oro) || h.oro.expiry != h2.oro.expiry))
		abort();
	if (h.members & (1u << M2MSEC_HDR_RRO) &&
	    (!same_rand(&h.rro, &h2.rro) || h.rro.expiry != h2.rro.expiry ||
	     h.rro.keygen != h2.rro.keygen))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct m2msec_jwe jwe;
	long n;
	int i;

	if (size > sizeof(dec))
		return 0;
	check_header(s, size);
	check_b64(s, size);
	if (m2msec_jwe_split(s, size, &jwe))
		return 0;
	for (i = 0; i < M2MSEC_JWE_NPARTS; i++)
		check_b64(jwe.part[i], jwe.len[i]);
	n = m2msec_b64url_decode(jwe.part[M2MSEC_JWE_HDR],
				 jwe.len[M2MSEC_JWE_HDR], dec);
	if (n < 0 || n > M2MSEC_JWE_HDR_MAX)
		abort();	/* split promised a canonical, bounded header */
	check_header((const char *)dec, n);
	return 0;
}
