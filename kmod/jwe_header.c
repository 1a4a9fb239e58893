// SPDX-License-Identifier: GPL-2.0
/*
 * The ESPrim JWE protected header (TS-0003 clause 8.4; RFC 7516 section 4).
 *
 * The header is JSON, but ESPrim needs only a fixed shape, so this is not a
 * general JSON parser: it accepts exactly
 *
 *   { "alg":"dir", "enc":"A128GCM"|"A192GCM"|"A256GCM", "kid":STR,
 *     ["cty":STR,] "ori":STR, "rri":STR, ["oro":RAND,] ["rro":RAND] }
 *
 *   RAND = { "esri":STR, "esrv":BASE64(16 bytes),
 *            "esrx":"YYYYMMDDTHHMMSS" | "<ms>" | <ms>,
 *            ["esk":INT | "esks":[INT...],] ["espa":[INT...]] }
 *
 * in any member order, with JSON whitespace between tokens.  Everything
 * else is refused: duplicate members (RFC 7515 section 4 lets a parser
 * refuse them, and a header read differently by two parsers is an attack
 * surface), unknown members, "crit" (no extension is understood), strings
 * with escapes or control characters (no ESPrim value needs them), values
 * above the documented sizes, numbers with signs, fractions, exponents or
 * leading zeros, nesting beyond the rand objects.  The parser never
 * recurses, never allocates, and reads each input byte a bounded number of
 * times.
 *
 * Return conventions: -EINVAL for a malformed header (oneM2M BAD_REQUEST),
 * -EOPNOTSUPP for a well-formed header that asks for something m2msec does
 * not do (ESPRIM_UNSUPPORTED_OPTION): another "alg" or "enc", or "crit".
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#else
#include <errno.h>
#include <string.h>
#endif

#include "b64url.h"
#include "jwe_header.h"

#define INT_DIGITS_MAX	15	/* < 2^53: fits in a u64 with room */
#define ARRAY_MAX	16

struct cur {
	const char *p, *end;
};

static void ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
				 *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int take(struct cur *c, char ch)
{
	ws(c);
	if (c->p >= c->end || *c->p != ch)
		return -EINVAL;
	c->p++;
	return 0;
}

/* Is the next token @ch?  Consumes it when it is. */
static int peek_take(struct cur *c, char ch)
{
	ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return 1;
	}
	return 0;
}

/* A string of printable ASCII without escapes, at most @max characters. */
static int str(struct cur *c, const char **s, size_t *len, size_t max)
{
	const char *start;

	if (take(c, '"'))
		return -EINVAL;
	start = c->p;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = *c->p;

		if (ch < 0x20 || ch > 0x7e || ch == '\\')
			return -EINVAL;
		if ((size_t)(c->p - start) >= max)
			return -EINVAL;
		c->p++;
	}
	if (c->p >= c->end)
		return -EINVAL;
	*s = start;
	*len = c->p - start;
	c->p++;
	return 0;
}

static int num(struct cur *c, __u64 *v)
{
	const char *start;

	ws(c);
	start = c->p;
	*v = 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		if (c->p - start >= INT_DIGITS_MAX)
			return -EINVAL;
		*v = *v * 10 + (*c->p - '0');
		c->p++;
	}
	if (c->p == start)
		return -EINVAL;
	/* No leading zeros: one spelling per number. */
	if (*start == '0' && c->p - start > 1)
		return -EINVAL;
	/* A fraction or exponent would be read as a different number. */
	if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
		return -EINVAL;
	return 0;
}

/* [INT, ...] into a bit mask (ids above 31 are ignored, not refused). */
static int num_array(struct cur *c, __u32 *mask)
{
	unsigned int n = 0;
	__u64 v;

	*mask = 0;
	if (take(c, '['))
		return -EINVAL;
	if (peek_take(c, ']'))
		return 0;
	do {
		if (++n > ARRAY_MAX || num(c, &v))
			return -EINVAL;
		if (v < 32)
			*mask |= 1u << v;
	} while (peek_take(c, ','));
	return take(c, ']');
}

static int name_is(const char *s, size_t len, const char *name)
{
	return len == strlen(name) && !memcmp(s, name, len);
}

/**
 * m2msec_esprim_id_valid() - check an identifier usable in a header
 * @s: characters
 * @len: their number
 * @max: largest length allowed
 *
 * Identifiers (kid, esprimRandID) are put into the header without escaping,
 * so they must be printable ASCII without space, '"' and '\\'.
 *
 * Return: 0 or -EINVAL.
 */
int m2msec_esprim_id_valid(const char *s, size_t len, size_t max)
{
	size_t i;

	if (!len || len > max)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char ch = s[i];

		if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
			return -EINVAL;
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long days_from_civil(long y, unsigned int m, unsigned int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned int *m, unsigned int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, unsigned int n, unsigned int *v)
{
	unsigned int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* "YYYYMMDDTHHMMSS" (UTC) to seconds since the epoch. */
static int abs_time(const char *s, size_t len, __u64 *secs)
{
	static const unsigned char mdays[] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	unsigned int y, mo, d, h, mi, se;

	if (len != 15 || s[8] != 'T')
		return -EINVAL;
	if (digits(s, 4, &y) || digits(s + 4, 2, &mo) || digits(s + 6, 2, &d) ||
	    digits(s + 9, 2, &h) || digits(s + 11, 2, &mi) ||
	    digits(s + 13, 2, &se))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || se > 59)
		return -EINVAL;
	if (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))
		return -EINVAL;
	*secs = (__u64)days_from_civil(y, mo, d) * 86400 + h * 3600 +
		mi * 60 + se;
	return 0;
}

static int expiry(struct cur *c, struct m2msec_rand_json *r)
{
	const char *s;
	size_t len;
	struct cur sub;

	ws(c);
	if (c->p < c->end && *c->p != '"') {
		r->expiry_rel = 1;
		return num(c, &r->expiry);
	}
	if (str(c, &s, &len, 20))
		return -EINVAL;
	if (len == 15 && s[8] == 'T') {
		r->expiry_rel = 0;
		return abs_time(s, len, &r->expiry);
	}
	/* Relative milliseconds written as a string. */
	sub.p = s;
	sub.end = s + len;
	r->expiry_rel = 1;
	if (num(&sub, &r->expiry) || sub.p != sub.end)
		return -EINVAL;
	return 0;
}

enum rand_member { R_ESRI, R_ESRV, R_ESRX, R_ESK, R_ESKS, R_ESPA };

static int rand_obj(struct cur *c, struct m2msec_rand_json *r)
{
	unsigned int seen = 0, m;
	const char *name, *s;
	size_t nlen, len;
	__u64 v;
	long n;

	memset(r, 0, sizeof(*r));
	if (take(c, '{'))
		return -EINVAL;
	do {
		if (str(c, &name, &nlen, 8) || take(c, ':'))
			return -EINVAL;
		if (name_is(name, nlen, "esri"))
			m = R_ESRI;
		else if (name_is(name, nlen, "esrv"))
			m = R_ESRV;
		else if (name_is(name, nlen, "esrx"))
			m = R_ESRX;
		else if (name_is(name, nlen, "esk"))
			m = R_ESK;
		else if (name_is(name, nlen, "esks"))
			m = R_ESKS;
		else if (name_is(name, nlen, "espa"))
			m = R_ESPA;
		else
			return -EINVAL;
		if (seen & (1u << m))
			return -EINVAL;
		seen |= 1u << m;

		switch (m) {
		case R_ESRI:
			if (str(c, &r->id, &r->id_len, M2MSEC_ESPRIM_ID_MAX) ||
			    m2msec_esprim_id_valid(r->id, r->id_len,
						   M2MSEC_ESPRIM_ID_MAX))
				return -EINVAL;
			break;
		case R_ESRV:
			if (str(c, &s, &len, 24))
				return -EINVAL;
			n = m2msec_b64_decode(s, len, r->value, sizeof(r->value));
			if (n != M2MSEC_ESPRIM_RAND_LEN)
				return -EINVAL;
			break;
		case R_ESRX:
			if (expiry(c, r))
				return -EINVAL;
			break;
		case R_ESK:
			if (num(c, &v))
				return -EINVAL;
			r->keygen = v < 32 ? 1u << v : 0;
			break;
		case R_ESKS:
			if (num_array(c, &r->keygen))
				return -EINVAL;
			break;
		case R_ESPA:
			if (num_array(c, &r->algs))
				return -EINVAL;
			break;
		}
	} while (peek_take(c, ','));
	if (take(c, '}'))
		return -EINVAL;

	if (!(seen & (1u << R_ESRI)) || !(seen & (1u << R_ESRV)) ||
	    !(seen & (1u << R_ESRX)))
		return -EINVAL;
	if ((seen & (1u << R_ESK)) && (seen & (1u << R_ESKS)))
		return -EINVAL;
	/* Defaults: the one key generation algorithm, every JWE algorithm. */
	if (!(seen & (1u << R_ESK | 1u << R_ESKS)))
		r->keygen = 1u << M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256;
	if (!(seen & (1u << R_ESPA)))
		r->algs = 1u << M2MSEC_ESPRIM_A128GCM |
			  1u << M2MSEC_ESPRIM_A192GCM |
			  1u << M2MSEC_ESPRIM_A256GCM;
	return 0;
}

static const char *const enc_names[] = { "A128GCM", "A192GCM", "A256GCM" };

/**
 * m2msec_esprim_enc_name() - JWE "enc" value of a protocol-and-algorithm id
 * @alg: enum m2msec_esprim_alg
 *
 * Return: the name, or NULL for an unknown id.
 */
const char *m2msec_esprim_enc_name(int alg)
{
	if (alg < M2MSEC_ESPRIM_A128GCM || alg > M2MSEC_ESPRIM_A256GCM)
		return NULL;
	return enc_names[alg - M2MSEC_ESPRIM_A128GCM];
}

static int member(struct cur *c, struct m2msec_jwe_hdr *h, int *unsupported)
{
	const char *name, *s;
	size_t nlen, len;
	unsigned int m;
	int i;

	if (str(c, &name, &nlen, 8) || take(c, ':'))
		return -EINVAL;
	if (name_is(name, nlen, "alg"))
		m = M2MSEC_HDR_ALG;
	else if (name_is(name, nlen, "enc"))
		m = M2MSEC_HDR_ENC;
	else if (name_is(name, nlen, "kid"))
		m = M2MSEC_HDR_KID;
	else if (name_is(name, nlen, "cty"))
		m = M2MSEC_HDR_CTY;
	else if (name_is(name, nlen, "ori"))
		m = M2MSEC_HDR_ORI;
	else if (name_is(name, nlen, "rri"))
		m = M2MSEC_HDR_RRI;
	else if (name_is(name, nlen, "oro"))
		m = M2MSEC_HDR_ORO;
	else if (name_is(name, nlen, "rro"))
		m = M2MSEC_HDR_RRO;
	else if (name_is(name, nlen, "crit"))
		return -EOPNOTSUPP;	/* we understand no extension */
	else
		return -EINVAL;
	if (h->members & (1u << m))
		return -EINVAL;		/* duplicate */
	h->members |= 1u << m;

	switch (m) {
	case M2MSEC_HDR_ALG:
		if (str(c, &s, &len, 16))
			return -EINVAL;
		if (!name_is(s, len, "dir"))
			*unsupported = 1;
		return 0;
	case M2MSEC_HDR_ENC:
		if (str(c, &s, &len, 16))
			return -EINVAL;
		h->enc = 0;
		for (i = 0; i < 3; i++)
			if (name_is(s, len, enc_names[i]))
				h->enc = M2MSEC_ESPRIM_A128GCM + i;
		if (!h->enc)
			*unsupported = 1;
		return 0;
	case M2MSEC_HDR_KID:
		if (str(c, &h->kid, &h->kid_len, M2MSEC_ESPRIM_KID_MAX))
			return -EINVAL;
		return m2msec_esprim_id_valid(h->kid, h->kid_len,
					      M2MSEC_ESPRIM_KID_MAX);
	case M2MSEC_HDR_CTY:
		if (str(c, &h->cty, &h->cty_len, M2MSEC_ESPRIM_CTY_MAX))
			return -EINVAL;
		return h->cty_len ? 0 : -EINVAL;
	case M2MSEC_HDR_ORI:
		if (str(c, &h->ori, &h->ori_len, M2MSEC_ESPRIM_ID_MAX))
			return -EINVAL;
		return m2msec_esprim_id_valid(h->ori, h->ori_len,
					      M2MSEC_ESPRIM_ID_MAX);
	case M2MSEC_HDR_RRI:
		if (str(c, &h->rri, &h->rri_len, M2MSEC_ESPRIM_ID_MAX))
			return -EINVAL;
		return m2msec_esprim_id_valid(h->rri, h->rri_len,
					      M2MSEC_ESPRIM_ID_MAX);
	case M2MSEC_HDR_ORO:
		return rand_obj(c, &h->oro);
	default:
		return rand_obj(c, &h->rro);
	}
}

/**
 * m2msec_jwe_hdr_parse() - parse an ESPrim protected header
 * @json: the decoded header (not NUL-terminated)
 * @len: its length
 * @h: the result; string members point into @json
 *
 * Return: 0; -EINVAL when the header is malformed, has a duplicate,
 * unknown or oversized member, lacks one of alg/enc/kid/ori/rri, or an
 * "oro"/"rro" whose "esri" differs from "ori"/"rri"; -EOPNOTSUPP when it
 * is well-formed but has "crit", an "alg" other than "dir" or an
 * unsupported "enc".
 */
int m2msec_jwe_hdr_parse(const char *json, size_t len,
			 struct m2msec_jwe_hdr *h)
{
	struct cur c = { json, json + len };
	int unsupported = 0, err;
	const unsigned int required = 1u << M2MSEC_HDR_ALG |
		1u << M2MSEC_HDR_ENC | 1u << M2MSEC_HDR_KID |
		1u << M2MSEC_HDR_ORI | 1u << M2MSEC_HDR_RRI;

	memset(h, 0, sizeof(*h));
	if (take(&c, '{'))
		return -EINVAL;
	do {
		err = member(&c, h, &unsupported);
		if (err)
			return err;
	} while (peek_take(&c, ','));
	if (take(&c, '}'))
		return -EINVAL;
	ws(&c);
	if (c.p != c.end)
		return -EINVAL;
	if ((h->members & required) != required)
		return -EINVAL;
	/* A carried rand object must be the one the header names. */
	if (M2MSEC_HDR_HAS(h, M2MSEC_HDR_ORO) &&
	    (h->oro.id_len != h->ori_len ||
	     memcmp(h->oro.id, h->ori, h->ori_len)))
		return -EINVAL;
	if (M2MSEC_HDR_HAS(h, M2MSEC_HDR_RRO) &&
	    (h->rro.id_len != h->rri_len ||
	     memcmp(h->rro.id, h->rri, h->rri_len)))
		return -EINVAL;
	return unsupported ? -EOPNOTSUPP : 0;
}

/* --- building ------------------------------------------------------- */

struct out {
	char *p;
	size_t n, max;
	int full;
};

static void put(struct out *o, const char *s, size_t len)
{
	if (o->full || len > o->max - o->n) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->n, s, len);
	o->n += len;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_uint(struct out *o, __u64 v)
{
	char buf[24];
	int i = sizeof(buf);

	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	put(o, buf + i, sizeof(buf) - i);
}

static void put_2d(struct out *o, unsigned int v)
{
	char b[2] = { '0' + v / 10 % 10, '0' + v % 10 };

	put(o, b, 2);
}

static void put_mask(struct out *o, __u32 mask)
{
	int i, first = 1;

	puts_(o, "[");
	for (i = 0; i < 32; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (!first)
			puts_(o, ",");
		put_uint(o, i);
		first = 0;
	}
	puts_(o, "]");
}

/* Originator objects carry one "esk", receiver objects an "esks" list. */
static void put_rand(struct out *o, const struct m2msec_rand_json *r,
		     int originator)
{
	char b64[24];
	long y, days = (long)(r->expiry / 86400);
	unsigned int m, d, secs = r->expiry % 86400;

	puts_(o, "{\"esri\":\"");
	put(o, r->id, r->id_len);
	puts_(o, "\",\"esrv\":\"");
	put(o, b64, m2msec_b64_encode(r->value, sizeof(r->value), b64));
	puts_(o, "\",\"esrx\":\"");
	civil_from_days(days, &y, &m, &d);
	put_2d(o, y / 100);
	put_2d(o, y % 100);
	put_2d(o, m);
	put_2d(o, d);
	puts_(o, "T");
	put_2d(o, secs / 3600);
	put_2d(o, secs / 60 % 60);
	put_2d(o, secs % 60);
	if (originator) {
		puts_(o, "\",\"esk\":");
		put_uint(o, M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256);
	} else {
		puts_(o, "\",\"esks\":");
		put_mask(o, r->keygen);
	}
	puts_(o, ",\"espa\":");
	put_mask(o, r->algs);
	puts_(o, "}");
}

/**
 * m2msec_jwe_hdr_build() - write an ESPrim protected header
 * @h: members to write: alg ("dir"), enc, kid, ori, rri always; cty, oro
 *	and rro when their bits are set in @h->members.  Rand expiries must
 *	be absolute (seconds) before year 10000.  Strings must already be
 *	valid (m2msec_esprim_id_valid()).
 * @out: output buffer
 * @max: its size
 *
 * Return: bytes written, or -EMSGSIZE when @max is too small.
 */
long m2msec_jwe_hdr_build(const struct m2msec_jwe_hdr *h, char *out,
			  size_t max)
{
	struct out o = { out, 0, max, 0 };
	const char *enc = m2msec_esprim_enc_name(h->enc);

	if (!enc)
		return -EINVAL;
	puts_(&o, "{\"alg\":\"dir\",\"enc\":\"");
	puts_(&o, enc);
	puts_(&o, "\",\"kid\":\"");
	put(&o, h->kid, h->kid_len);
	if (M2MSEC_HDR_HAS(h, M2MSEC_HDR_CTY)) {
		puts_(&o, "\",\"cty\":\"");
		put(&o, h->cty, h->cty_len);
	}
	puts_(&o, "\",\"ori\":\"");
	put(&o, h->ori, h->ori_len);
	puts_(&o, "\",\"rri\":\"");
	put(&o, h->rri, h->rri_len);
	puts_(&o, "\"");
	if (M2MSEC_HDR_HAS(h, M2MSEC_HDR_ORO)) {
		puts_(&o, ",\"oro\":");
		put_rand(&o, &h->oro, 1);
	}
	if (M2MSEC_HDR_HAS(h, M2MSEC_HDR_RRO)) {
		puts_(&o, ",\"rro\":");
		put_rand(&o, &h->rro, 0);
	}
	puts_(&o, "}");
	return o.full ? -EMSGSIZE : (long)o.n;
}
