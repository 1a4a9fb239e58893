// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: the DTLS 1.3 HkdfLabel builder of m2msec.ko
 * (kmod/hkdf13.c), built for userspace from the same source.
 *
 * Three independent checks:
 *  1. label bytes written out by hand from RFC 8446 7.1 / RFC 9147 5.9;
 *  2. HKDF-Expand (RFC 5869 2.3, written here over OpenSSL's HMAC) with our
 *     label as info, against OpenSSL's own TLS 1.3 KDF ("TLS13-KDF",
 *     EXPAND_ONLY) given the prefix "dtls13";
 *  3. the same outputs against values computed beforehand with Python's
 *     hmac/hashlib (selftests/host/codec_crosscheck.py recomputes them).
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>

#include "../../kmod/hkdf13.h"
#include "../ktap.h"
#include "bytes.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- reference HKDF-Expand-Label (test only) */

/* RFC 5869 2.3: T(i) = HMAC(PRK, T(i-1) || info || i). */
static int hkdf_expand(const EVP_MD *md, const u8 *prk, size_t prk_len,
		       const u8 *info, size_t info_len, u8 *out, size_t len)
{
	u8 t[EVP_MAX_MD_SIZE], in[EVP_MAX_MD_SIZE + M2MSEC_HKDF_LABEL_MAX + 1];
	unsigned int tlen = 0, hlen = EVP_MD_get_size(md);
	size_t done = 0;
	u8 i = 1;

	while (done < len) {
		size_t n = 0;

		memcpy(in, t, tlen);
		n += tlen;
		memcpy(in + n, info, info_len);
		n += info_len;
		in[n++] = i++;
		if (!HMAC(md, prk, prk_len, in, n, t, &tlen) || tlen != hlen)
			return 0;
		memcpy(out + done, t, len - done < tlen ? len - done : tlen);
		done += tlen;
	}
	return 1;
}

static int expand_label(const EVP_MD *md, const u8 *secret, size_t slen,
			const char *label, const u8 *ctx, u8 ctx_len, u8 *out,
			u16 len)
{
	u8 info[M2MSEC_HKDF_LABEL_MAX];
	size_t n = m2msec_hkdf_label(info, sizeof(info), len, label, ctx,
				     ctx_len);

	return n && hkdf_expand(md, secret, slen, info, n, out, len);
}

/* OpenSSL's TLS 1.3 KDF with the DTLS prefix: an implementation of
 * HkdfLabel that shares nothing with ours.
 */
static int openssl_label(const char *md, const u8 *secret, size_t slen,
			 const char *label, const u8 *ctx, size_t ctx_len,
			 u8 *out, size_t len)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_TLS1_3_KDF, NULL);
	EVP_KDF_CTX *kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY, ok = 0;
	OSSL_PARAM p[7], *q = p;

	if (!kctx)
		goto out;
	*q++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)md, 0);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)secret, slen);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX,
						 "dtls13", 6);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL,
						 (void *)label, strlen(label));
	/* OpenSSL refuses a NULL pointer even for an empty context. */
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA,
						 ctx ? (void *)ctx : "",
						 ctx_len);
	*q = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(kctx, out, len, p) == 1;
out:
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return ok;
}

/* ---- label bytes */

static int t_label_key(void)
{
	/* uint16 length 00 10, label<7..255>: 09 "dtls13key",
	 * context<0..255>: 00.
	 */
	static const u8 want[] = { 0x00, 0x10, 0x09, 'd', 't', 'l', 's', '1',
				   '3', 'k', 'e', 'y', 0x00 };
	u8 out[M2MSEC_HKDF_LABEL_MAX];
	size_t n = m2msec_hkdf_label(out, sizeof(out), 16, "key", NULL, 0);

	return n == 13 && bytes_eq(out, n, want, sizeof(want));
}

static int t_label_sn_iv(void)
{
	static const u8 sn[] = { 0x00, 0x20, 0x08, 'd', 't', 'l', 's', '1',
				 '3', 's', 'n', 0x00 };
	static const u8 iv[] = { 0x00, 0x0c, 0x08, 'd', 't', 'l', 's', '1',
				 '3', 'i', 'v', 0x00 };
	u8 out[M2MSEC_HKDF_LABEL_MAX];
	size_t n = m2msec_hkdf_label(out, sizeof(out), 32, "sn", NULL, 0);
	int ok = n == 12 && bytes_eq(out, n, sn, sizeof(sn));

	n = m2msec_hkdf_label(out, sizeof(out), 12, "iv", NULL, 0);
	return ok && n == 12 && bytes_eq(out, n, iv, sizeof(iv));
}

static int t_label_traffic_upd(void)
{
	/* 00 30, 0x11 (6 + 11) "dtls13traffic upd", 00: no space after
	 * the prefix, the one inside the label kept.
	 */
	static const u8 want[] = { 0x00, 0x30, 0x11, 'd', 't', 'l', 's', '1',
				   '3', 't', 'r', 'a', 'f', 'f', 'i', 'c',
				   ' ', 'u', 'p', 'd', 0x00 };
	u8 out[M2MSEC_HKDF_LABEL_MAX];
	size_t n = m2msec_hkdf_label(out, sizeof(out), 48, "traffic upd",
				     NULL, 0);

	return n == 21 && bytes_eq(out, n, want, sizeof(want));
}

static int t_label_context(void)
{
	static const u8 ctx[3] = { 0xca, 0xfe, 0x01 };
	static const u8 want[] = { 0x01, 0x00, 0x07, 'd', 't', 'l', 's', '1',
				   '3', 'x', 0x03, 0xca, 0xfe, 0x01 };
	u8 out[M2MSEC_HKDF_LABEL_MAX];
	size_t n = m2msec_hkdf_label(out, sizeof(out), 256, "x", ctx, 3);

	return n == 14 && bytes_eq(out, n, want, sizeof(want));
}

static int t_label_limits(void)
{
	static u8 ctx[255];
	char name[260];
	u8 out[M2MSEC_HKDF_LABEL_MAX + 1];
	size_t n;
	int ok;

	memset(name, 'a', sizeof(name));
	name[249] = 0;	/* 6 + 249 = 255: the longest label */
	n = m2msec_hkdf_label(out, sizeof(out), 0xffff, name, ctx, 255);
	ok = n == M2MSEC_HKDF_LABEL_MAX && out[2] == 255 && out[258] == 255;
	name[249] = 'a';
	name[250] = 0;	/* 256: too long */
	ok &= m2msec_hkdf_label(out, sizeof(out), 16, name, NULL, 0) == 0;
	ok &= m2msec_hkdf_label(out, sizeof(out), 16, "", NULL, 0) == 0;
	return ok;
}

static int t_label_small_buffer(void)
{
	u8 out[13];
	size_t k;
	int ok = m2msec_hkdf_label(out, 13, 16, "key", NULL, 0) == 13;

	for (k = 0; k < 13; k++) {
		memset(out, 0x5c, sizeof(out));
		ok &= m2msec_hkdf_label(out, k, 16, "key", NULL, 0) == 0 &&
		      out[0] == 0x5c && out[k ? k - 1 : 0] == 0x5c;
	}
	return ok;
}

/* ---- full derivations */

static const struct {
	const char *md;
	const char *label;
	u16 len;
	const char *want;	/* Python hmac/hashlib, see file header */
} vectors[] = {
	/* secret = 00 01 .. 1f, SHA-256 suites */
	{ "SHA256", "key", 16, "cc95abc258d309424ddbf7cba68bd77e" },
	{ "SHA256", "iv", 12, "6d3299305dd209fc865cf8f1" },
	{ "SHA256", "sn", 16, "c5b1a0649ea4fdafbe7e256665068222" },
	{ "SHA256", "traffic upd", 32,
	  "ad8aa21a3d874bbebf9fdf442aafe175072af91c39af50b6ac26113e54981ae0" },
	/* secret = 40 41 .. 6f, SHA-384 (TLS_AES_256_GCM_SHA384) */
	{ "SHA384", "key", 32,
	  "82ab3e094cf644999b91beb3b3b5e875cfbc67dafcb29e754c2f980070327e63" },
	{ "SHA384", "iv", 12, "93162dd57f307a0d66dd5a39" },
	{ "SHA384", "sn", 32,
	  "77ea35ff664c484f382966948a7a199aba5589fb7dd735b5aa296178238b61ab" },
	{ "SHA384", "traffic upd", 48,
	  "b9bf1e41ed1626d81917e8017eac2feef9d0cfe6aeabcc809aa0a946091b387b958514b095bbf6caae0d919037435fcb" },
};

static void secret_for(const char *md, u8 *s, size_t *slen)
{
	size_t i, base = md[3] == '2' ? 0x00 : 0x40;

	*slen = md[3] == '2' ? 32 : 48;
	for (i = 0; i < *slen; i++)
		s[i] = (u8)(base + i);
}

static int t_vectors(void)
{
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(vectors); i++) {
		u8 s[48], got[64], want[64];
		size_t slen;
		int wl = unhex(vectors[i].want, want);

		secret_for(vectors[i].md, s, &slen);
		ok &= wl == vectors[i].len &&
		      expand_label(EVP_get_digestbyname(vectors[i].md), s,
				   slen, vectors[i].label, NULL, 0, got,
				   vectors[i].len) &&
		      bytes_eq(got, vectors[i].len, want, wl);
	}
	return ok;
}

static int t_openssl(void)
{
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(vectors); i++) {
		u8 s[48], ours[64], theirs[64];
		size_t slen;

		secret_for(vectors[i].md, s, &slen);
		ok &= expand_label(EVP_get_digestbyname(vectors[i].md), s,
				   slen, vectors[i].label, NULL, 0, ours,
				   vectors[i].len) &&
		      openssl_label(vectors[i].md, s, slen, vectors[i].label,
				    NULL, 0, theirs, vectors[i].len) &&
		      bytes_eq(ours, vectors[i].len, theirs, vectors[i].len);
	}
	return ok;
}

static int t_openssl_context(void)
{
	/* With a 32-byte context (SHA-256 of ""), as "derived" uses. */
	static const char *want_hex =
		"cc85ddfd624e7592c02fbbb2ae6b5ad458b7c4dc03e4450d0471ae716216c2fe";
	u8 s[48], ctx[32], ours[32], theirs[32], want[32];
	unsigned int clen;
	size_t slen;

	secret_for("SHA256", s, &slen);
	EVP_Digest("", 0, ctx, &clen, EVP_sha256(), NULL);
	unhex(want_hex, want);
	return clen == 32 &&
	       expand_label(EVP_sha256(), s, slen, "derived", ctx, 32, ours,
			    32) &&
	       openssl_label("SHA256", s, slen, "derived", ctx, 32, theirs,
			     32) &&
	       bytes_eq(ours, 32, theirs, 32) && bytes_eq(ours, 32, want, 32);
}

static const struct {
	int (*fn)(void);
	const char *name;
} tests[] = {
	{ t_label_key, "HkdfLabel for \"key\", 16 bytes: 00 10 09 \"dtls13key\" 00 (by hand)" },
	{ t_label_sn_iv, "HkdfLabel for \"sn\" and \"iv\" (by hand)" },
	{ t_label_traffic_upd, "HkdfLabel for \"traffic upd\": prefix without trailing space (by hand)" },
	{ t_label_context, "HkdfLabel carries a non-empty context with its length byte (by hand)" },
	{ t_label_limits, "a 249-character label (255 with the prefix) and a 255-byte context fit; 250 characters or an empty label give 0" },
	{ t_label_small_buffer, "every buffer shorter than the label gives 0 and is left untouched" },
	{ t_vectors, "HKDF-Expand-Label key/iv/sn/traffic upd for SHA-256 and SHA-384 equal values computed with Python hmac" },
	{ t_openssl, "the same derivations equal OpenSSL's TLS13-KDF with prefix \"dtls13\"" },
	{ t_openssl_context, "a derivation with a 32-byte context equals OpenSSL's TLS13-KDF and the Python value" },
};

int main(void)
{
	unsigned int i, n = ARRAY_LEN(tests);

	ktap_plan(n);
	for (i = 0; i < n; i++)
		ktap_result(tests[i].fn(), "hkdf13: %s", tests[i].name);
	return ktap_exit();
}
