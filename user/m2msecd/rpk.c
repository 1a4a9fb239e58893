// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: raw public keys (RFC 7250).
 *
 *   [certificate]              our key, sent as a raw public key
 *   rpk /etc/m2msec/own.spki   (SubjectPublicKeyInfo, PEM or DER)
 *   key /etc/m2msec/own.key
 *
 *   [peer]                     a peer's key we trust
 *   address 192.0.2.7          (or server-name NAME; or neither: any peer)
 *   rpk /etc/m2msec/peer.spki
 *
 * A raw public key has no chain and no name: the only trust there is, is
 * that the key is the one configured for that peer.  wolfSSL accepts a
 * raw public key only when one was negotiated (client_certificate_type /
 * server_certificate_type extensions) and then performs no verification
 * of its own, so the verify callback below compares the key byte for
 * byte with the rpk of every [peer] section that applies to the
 * handshake.  No match: the handshake fails (EKEYREJECTED).  The peer's
 * identity is "rpk:sha256:" and the SHA-256 of its SubjectPublicKeyInfo.
 *
 * Needs a wolfSSL built with HAVE_RPK (scripts/build-wolfssl.sh); without
 * it an rpk setting is refused when the configuration is read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "m2msecd.h"
#include <wolfssl/wolfcrypt/coding.h>
#include <wolfssl/wolfcrypt/hash.h>

#define RPK_FILE_MAX	8192
static const char pem_begin[] = "-----BEGIN PUBLIC KEY-----";
static const char pem_end[] = "-----END PUBLIC KEY-----";

/* The DER inside a PEM "PUBLIC KEY" block: @buf is replaced by it. */
static int pem_decode(uint8_t *buf, size_t *len)
{
	char *b = strstr((char *)buf, pem_begin), *e;
	uint8_t der[RPK_FILE_MAX];
	word32 out = sizeof(der);
	size_t i, n = 0;

	e = b ? strstr(b, pem_end) : NULL;
	if (!e)
		return -1;
	b += sizeof(pem_begin) - 1;
	for (i = 0; b + i < e; i++)	/* base64 without the line breaks */
		if (b[i] != '\n' && b[i] != '\r' && b[i] != ' ')
			b[n++] = b[i];
	if (Base64_Decode((const byte *)b, n, der, &out))
		return -1;
	memcpy(buf, der, out);
	*len = out;
	return 0;
}

int hsd_rpk_load(const char *path, uint8_t **der, size_t *len)
{
	uint8_t *buf = calloc(1, RPK_FILE_MAX + 1);
	FILE *f = fopen(path, "re");
	size_t n = 0;

	if (!f || !buf) {
		hsd_log(LOG_ERR, "cannot read the raw public key %s: %s", path,
			strerror(errno));
		goto err;
	}
	n = fread(buf, 1, RPK_FILE_MAX + 1, f);
	if (n > RPK_FILE_MAX || (strstr((char *)buf, pem_begin) &&
				 pem_decode(buf, &n))) {
		hsd_log(LOG_ERR, "%s is not a public key (PEM \"PUBLIC KEY\" or DER SubjectPublicKeyInfo, as from openssl pkey -pubout)",
			path);
		goto err;
	}
	/* SubjectPublicKeyInfo ::= SEQUENCE { ... }; wolfSSL parses ours,
	 * a peer's is only ever compared. */
	if (n < 8 || buf[0] != 0x30) {
		hsd_log(LOG_ERR, "%s is not a DER SubjectPublicKeyInfo", path);
		goto err;
	}
	fclose(f);
	*der = buf;
	*len = n;
	return 0;
err:
	if (f)
		fclose(f);
	free(buf);
	return -1;
}

#ifdef HAVE_RPK

int hsd_rpk_supported(void)
{
	return 1;
}

static void fingerprint(const uint8_t *der, size_t len, char *out,
			size_t outlen)
{
	byte h[32];
	size_t i, n;

	if (wc_Sha256Hash(der, len, h)) {
		snprintf(out, outlen, "rpk:unknown");
		return;
	}
	n = snprintf(out, outlen, "rpk:sha256:");
	for (i = 0; i < sizeof(h) && n + 2 < outlen; i++, n += 2)
		snprintf(out + n, outlen - n, "%02x", h[i]);
}

static int peer_applies(const struct hsd_peer *k, const struct hs_tls *t)
{
	if (k->addr_len)
		return hsd_same_ip(&k->addr, &t->params->peer);
	if (k->server_name)
		return *t->server_name && !strcmp(k->server_name,
						  t->server_name);
	return 1;
}

/* Was a raw public key negotiated for the peer's certificate message? */
static int peer_sends_rpk(WOLFSSL *ssl, enum kx_role role)
{
	int tp = WOLFSSL_CERT_TYPE_UNKNOWN;

	if (role == KX_CLIENT)
		wolfSSL_get_negotiated_server_cert_type(ssl, &tp);
	else
		wolfSSL_get_negotiated_client_cert_type(ssl, &tp);
	return tp == WOLFSSL_CERT_TYPE_RPK;
}

static int verify(int ok, WOLFSSL_X509_STORE_CTX *st)
{
	struct hs_tls *t = st->userCtx;
	const WOLFSSL_BUFFER_INFO *c;
	const struct hsd_peer *k;

	if (!t || !t->ssl || !t->params || !peer_sends_rpk(t->ssl, t->role))
		return ok;	/* X.509: wolfSSL's verdict */
	if (st->error_depth != 0 || !st->certs || st->totalCerts < 1)
		return 0;
	c = &st->certs[0];
	for (k = t->conf->peers; k; k = k->next) {
		if (!k->rpk || !peer_applies(k, t) || k->rpk_len != c->length ||
		    memcmp(k->rpk, c->buffer, c->length))
			continue;
		fingerprint(c->buffer, c->length, t->rpk_id,
			    sizeof(t->rpk_id));
		return 1;
	}
	fingerprint(c->buffer, c->length, t->rpk_id, sizeof(t->rpk_id));
	hsd_log(LOG_NOTICE, "handshake %u: the peer's raw public key %s is not the rpk of any [peer] for it",
		t->params->id, t->rpk_id);
	t->rpk_id[0] = 0;
	t->rpk_unknown = 1;
	return 0;
}

int hsd_rpk_ctx(struct hsd_conf *c, WOLFSSL_CTX *ctx, enum kx_role role,
		const struct hsd_cert *k)
{
	char own[] = { WOLFSSL_CERT_TYPE_RPK };
	char peer[] = { WOLFSSL_CERT_TYPE_RPK, WOLFSSL_CERT_TYPE_X509 };
	int r = WOLFSSL_SUCCESS;
	uint8_t *der;
	size_t len;

	if (k && k->rpk) {
		if (hsd_rpk_load(k->rpk, &der, &len))
			return -1;
		r = wolfSSL_CTX_use_certificate_buffer(ctx, der, len,
						       WOLFSSL_FILETYPE_ASN1);
		free(der);
		if (r != WOLFSSL_SUCCESS) {
			hsd_log(LOG_ERR, "wolfSSL cannot use %s as a raw public key",
				k->rpk);
			return -1;
		}
		r = role == KX_CLIENT ?
			wolfSSL_CTX_set_client_cert_type(ctx, own, 1) :
			wolfSSL_CTX_set_server_cert_type(ctx, own, 1);
	}
	if (r == WOLFSSL_SUCCESS && c->rpk_peers)
		r = role == KX_CLIENT ?
			wolfSSL_CTX_set_server_cert_type(ctx, peer, 2) :
			wolfSSL_CTX_set_client_cert_type(ctx, peer, 2);
	if (r != WOLFSSL_SUCCESS) {
		hsd_log(LOG_ERR, "wolfSSL refuses the raw public key certificate types");
		return -1;
	}
	return 0;
}

VerifyCallback hsd_rpk_verify(const struct hsd_conf *c)
{
	return c->rpk_peers ? verify : NULL;
}

void hsd_rpk_ssl(WOLFSSL *ssl, struct hs_tls *t)
{
	t->ssl = ssl;
	wolfSSL_SetCertCbCtx(ssl, t);
}

#else /* !HAVE_RPK */

int hsd_rpk_supported(void)
{
	return 0;
}

int hsd_rpk_ctx(struct hsd_conf *c, WOLFSSL_CTX *ctx, enum kx_role role,
		const struct hsd_cert *k)
{
	(void)c; (void)ctx; (void)role; (void)k;
	return 0;
}

VerifyCallback hsd_rpk_verify(const struct hsd_conf *c)
{
	(void)c;
	return NULL;
}

void hsd_rpk_ssl(WOLFSSL *ssl, struct hs_tls *t)
{
	t->ssl = ssl;
}

#endif /* HAVE_RPK */
