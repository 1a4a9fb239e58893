// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: wolfSSL contexts and credentials.
 *
 * One context per role and [certificate] section (and one without a
 * certificate, for PSK only), made when the configuration is loaded (at
 * start and on SIGHUP) so that a bad file is reported at once.  A client
 * picks its context by the server name of the socket (SNI); a server by
 * the server_name extension of the ClientHello (hs.c reads it before
 * wolfSSL sees the datagram).  Raw public keys: rpk.c.
 *
 * Certificate chains are verified against the trust anchors ("ca") unless
 * a [peer] section says otherwise for that peer; that is logged for every
 * handshake it applies to.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "m2msecd.h"

/*
 * The PSK callback context: the handshake's struct hs_tls on its WOLFSSL,
 * and on the context a stand-in marked "scratch" for the scratch WOLFSSL
 * object of the stateless DTLS 1.3 cookie exchange, which belongs to no
 * handshake yet: nothing is recorded there.
 */
struct hs_tls *hs_tls_of(WOLFSSL *ssl)
{
	return wolfSSL_get_psk_callback_ctx(ssl);
}

/* ------------------------------------------------------------------ */
/* PSK                                                                 */
/* ------------------------------------------------------------------ */

/* A client's PSK for @server_name: the exact match, else one without. */
static const struct hsd_psk *psk_for_server(const struct hsd_conf *c,
					    const char *server_name)
{
	const struct hsd_psk *k, *any = NULL;

	for (k = c->psks; k; k = k->next) {
		if (k->server_name && *server_name &&
		    !strcmp(k->server_name, server_name))
			return k;
		if (!k->server_name && !any)
			any = k;
	}
	return any;
}

static unsigned int psk_client(WOLFSSL *ssl, const char *hint, char *id,
			       unsigned int id_max, unsigned char *key,
			       unsigned int key_max)
{
	struct hs_tls *t = hs_tls_of(ssl);
	const struct hsd_psk *k;

	(void)hint;
	if (t->scratch)
		return 0;
	k = psk_for_server(t->conf, t->server_name);
	if (!k || strlen(k->identity) >= id_max)
		return 0;
	strcpy(id, k->identity);
	snprintf(t->psk_identity, sizeof(t->psk_identity), "%s", k->identity);
	return hsd_psk_key(t->conf, k, key, key_max);
}

static unsigned int psk_client13(WOLFSSL *ssl, const char *hint, char *id,
				 unsigned int id_max, unsigned char *key,
				 unsigned int key_max, const char **suite)
{
	struct hsd_conf *c = hs_tls_of(ssl)->conf;

	*suite = c->suite13 ? c->suite13 : "TLS13-AES128-GCM-SHA256";
	return psk_client(ssl, hint, id, id_max, key, key_max);
}

static unsigned int psk_server(WOLFSSL *ssl, const char *id,
			       unsigned char *key, unsigned int key_max)
{
	struct hs_tls *t = hs_tls_of(ssl);
	const char *sni = *t->server_name ? t->server_name : NULL;
	const struct hsd_psk *k;

	for (k = t->conf->psks; id && k; k = k->next) {
		if (strcmp(k->identity, id))
			continue;
		if (!t->scratch && k->server_name &&
		    (!sni || strcmp(k->server_name, sni)))
			continue;
		if (!t->scratch)
			snprintf(t->psk_identity, sizeof(t->psk_identity),
				 "%s", id);
		return hsd_psk_key(t->conf, k, key, key_max);
	}
	if (t->scratch)
		return 0;
	t->psk_unknown = 1;
	hsd_log(LOG_NOTICE, "unknown PSK identity '%.128s'%s%s", id ? id : "",
		sni ? " for server name " : "", sni ? sni : "");
	return 0;
}

static unsigned int psk_server13(WOLFSSL *ssl, const char *id,
				 unsigned char *key, unsigned int key_max,
				 const char **suite)
{
	struct hsd_conf *c = hs_tls_of(ssl)->conf;

	*suite = c->suite13 ? c->suite13 : "TLS13-AES128-GCM-SHA256";
	return psk_server(ssl, id, key, key_max);
}

/* ------------------------------------------------------------------ */
/* Contexts                                                            */
/* ------------------------------------------------------------------ */

static WOLFSSL_METHOD *method(unsigned int versions, enum kx_role role)
{
	int cli = role == KX_CLIENT;

	if (versions == HSD_V13)
		return cli ? wolfDTLSv1_3_client_method() :
			wolfDTLSv1_3_server_method();
	if (versions == HSD_V12)
		return cli ? wolfDTLSv1_2_client_method() :
			wolfDTLSv1_2_server_method();
	return cli ? wolfDTLS_client_method() : wolfDTLS_server_method();
}

/*
 * A client context with a certificate (or raw key) and its key: wolfSSL
 * calls this when the server's CertificateRequest arrives, and the client
 * then sends Certificate and CertificateVerify.  Noted for the
 * message_seq of our KeyUpdates (ctrl_next_msg_seq()).
 */
static int cert_requested(WOLFSSL *ssl, void *arg)
{
	struct hs_tls *t = hs_tls_of(ssl);

	(void)arg;
	if (t && !t->scratch)
		t->cert_requested = 1;
	return 1;
}


/*
 * Our private key, read from the descriptor its checks were made on
 * (hsd_secret_file_open()) into locked memory, so that the file cannot be
 * swapped between the check and wolfSSL reading it.
 */
static int use_private_key(WOLFSSL_CTX *ctx, const char *path)
{
	int fd = hsd_secret_file_open(path, "private key");
	size_t len = 0;
	uint8_t *buf;
	ssize_t n;
	int ret = -1;

	if (fd < 0)
		return -1;
	buf = hsd_secret_alloc();
	if (!buf)
		goto out_fd;
	while (len < HSD_SECRET_SIZE &&
	       (n = read(fd, buf + len, HSD_SECRET_SIZE - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hsd_log(LOG_ERR, "cannot read the private key %s: %s",
				path, strerror(errno));
			goto out_buf;
		}
		len += n;
	}
	if (len == HSD_SECRET_SIZE) {
		hsd_log(LOG_ERR, "the private key %s is larger than %d bytes",
			path, HSD_SECRET_SIZE - 1);
		goto out_buf;
	}
	if (wolfSSL_CTX_use_PrivateKey_buffer(ctx, buf, len,
					      WOLFSSL_FILETYPE_PEM) ==
	    WOLFSSL_SUCCESS)
		ret = 0;
out_buf:
	hsd_secret_free(buf);
out_fd:
	close(fd);
	return ret;
}
static WOLFSSL_CTX *make_ctx(struct hsd_conf *c, enum kx_role role,
			     const struct hsd_cert *k)
{
	const char *ca = k && k->ca ? k->ca : c->ca;
	WOLFSSL_METHOD *m = method(c->versions, role);
	WOLFSSL_CTX *ctx = m ? wolfSSL_CTX_new(m) : NULL;
	int mode;

	if (!ctx) {
		hsd_log(LOG_ERR, "wolfSSL: cannot create a DTLS context");
		return NULL;
	}
	if (c->versions == (HSD_V12 | HSD_V13))
		wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_DTLSV1_2);
	if (wolfSSL_CTX_set_cipher_list(ctx, c->ciphers) != WOLFSSL_SUCCESS) {
		hsd_log(LOG_ERR, "wolfSSL refuses the cipher list %s",
			c->ciphers);
		goto err;
	}
	wolfSSL_CTX_set_psk_callback_ctx(ctx, &c->scratch);
	if (c->psks && role == KX_CLIENT) {
		wolfSSL_CTX_set_psk_client_callback(ctx, psk_client);
		wolfSSL_CTX_set_psk_client_tls13_callback(ctx, psk_client13);
	} else if (c->psks) {
		wolfSSL_CTX_set_psk_server_callback(ctx, psk_server);
		wolfSSL_CTX_set_psk_server_tls13_callback(ctx, psk_server13);
	}
	if (hsd_rpk_ctx(c, ctx, role, k))
		goto err;
	if (k && k->cert &&
	    wolfSSL_CTX_use_certificate_chain_file(ctx, k->cert) !=
	    WOLFSSL_SUCCESS) {
		hsd_log(LOG_ERR, "cannot load the certificate chain %s (PEM: the certificate, then its intermediates)",
			k->cert);
		goto err;
	}
	if (k && use_private_key(ctx, k->key)) {
		hsd_log(LOG_ERR, "cannot load the private key %s (PEM) or it does not match %s",
			k->key, k->cert ? k->cert : k->rpk);
		goto err;
	}
	/* Only with a key: wolfSSL takes a client with this callback for
	 * one that has a certificate to send. */
	if (k && role == KX_CLIENT)
		wolfSSL_CTX_set_cert_cb(ctx, cert_requested, NULL);
	if (ca && wolfSSL_CTX_load_verify_locations(ctx, ca, NULL) !=
	    WOLFSSL_SUCCESS) {
		hsd_log(LOG_ERR, "cannot load the trust anchors %s (PEM)", ca);
		goto err;
	}
	/*
	 * A client always verifies the server's chain (without "ca" every
	 * certificate is rejected).  A server requires a client certificate
	 * (or trusted raw key) from clients that do not use a PSK, unless
	 * "client-certificate request" or "none" says otherwise: wolfSSL
	 * then fails the handshake with an alert, before any key reaches the
	 * kernel.
	 */
	if (role == KX_CLIENT)
		mode = WOLFSSL_VERIFY_PEER;
	else if (k && k->client_auth == HSD_CLIENT_AUTH_NONE)
		mode = WOLFSSL_VERIFY_NONE;
	else if (k && k->client_auth == HSD_CLIENT_AUTH_REQUEST)
		mode = WOLFSSL_VERIFY_PEER;
	else
		mode = WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_EXCEPT_PSK;
	wolfSSL_CTX_set_verify(ctx, mode, hsd_rpk_verify(c));
	return ctx;
err:
	wolfSSL_CTX_free(ctx);
	return NULL;
}

int hsd_tls_init(struct hsd_conf *c)
{
	struct hsd_cert *k;
	int r;

	wolfSSL_Init();
	c->scratch.conf = c;
	c->scratch.scratch = 1;
	for (r = KX_CLIENT; r <= KX_SERVER; r++) {
		c->plain_ctx[r] = make_ctx(c, r, NULL);
		if (!c->plain_ctx[r])
			return -1;
		for (k = c->certs; k; k = k->next) {
			k->ctx[r] = make_ctx(c, r, k);
			if (!k->ctx[r])
				return -1;
		}
	}
	return 0;
}

void hsd_tls_exit(struct hsd_conf *c)
{
	struct hsd_cert *k;
	int r;

	for (r = KX_CLIENT; r <= KX_SERVER; r++) {
		wolfSSL_CTX_free(c->plain_ctx[r]);
		c->plain_ctx[r] = NULL;
		for (k = c->certs; k; k = k->next) {
			wolfSSL_CTX_free(k->ctx[r]);
			k->ctx[r] = NULL;
		}
	}
	wolfSSL_Cleanup();
}

int hsd_same_ip(const struct sockaddr_storage *a,
		const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			       &((const struct sockaddr_in *)b)->sin_addr, 4);
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

const struct hsd_peer *hsd_peer_find(const struct hsd_conf *c,
				     const struct hs_params *p)
{
	const struct hsd_peer *k;

	for (k = c->peers; k; k = k->next) {
		if (k->addr_len && hsd_same_ip(&k->addr, &p->peer))
			return k;
		if (k->server_name && *p->server_name &&
		    !strcmp(k->server_name, p->server_name))
			return k;
	}
	return NULL;
}

/* The context for a handshake: see the comment at the top. */
static const struct hsd_cert *pick_cert(struct hsd_conf *c,
					const struct hs_params *p)
{
	struct hsd_cert *k, *def = NULL;

	for (k = c->certs; k; k = k->next) {
		if (k->server_name && *p->server_name &&
		    !strcmp(k->server_name, p->server_name))
			return k;
		if (!k->server_name)
			def = k;
	}
	/* A server without a default certificate takes any of them. */
	if (!def && p->role == KX_SERVER)
		def = c->certs;
	return def;
}

/*
 * A client offers the suites it can complete with what it has for this
 * server (suites.c): PSK suites with a PSK for the server name, ECDHE
 * suites with a certificate or raw key of its own, trust anchors, trusted
 * raw keys, or verification off for this peer.  A server picks only
 * suites it holds credentials for; its list stays as configured.
 */
static int client_suites(WOLFSSL *ssl, const struct hsd_conf *c,
			 const struct hsd_cert *k, const struct hsd_peer *peer,
			 const char *server_name)
{
	unsigned int kinds = 0;
	char *list;
	int ret;

	if (psk_for_server(c, server_name))
		kinds |= HSD_SUITES_PSK;
	if (k || c->ca || c->rpk_peers || (peer && peer->no_verify))
		kinds |= HSD_SUITES_CERT;
	list = hsd_suites_for(c->ciphers, kinds);
	if (!list)
		return -1;
	ret = wolfSSL_set_cipher_list(ssl, list) == WOLFSSL_SUCCESS ? 0 : -1;
	free(list);
	return ret;
}

WOLFSSL *hsd_tls_new(struct hsd *d, struct hs_tls *t, const struct hs_params *p)
{
	struct hsd_conf *c = t->conf;	/* the handshake's own reference */
	const struct hsd_peer *peer = hsd_peer_find(c, p);
	const struct hsd_cert *k = pick_cert(c, p);
	WOLFSSL *ssl = wolfSSL_new(k ? k->ctx[p->role] : c->plain_ctx[p->role]);

	(void)d;	/* d->conf may be newer than the handshake's */
	if (!ssl)
		return NULL;
	if (p->role == KX_CLIENT &&
	    client_suites(ssl, c, k, peer, p->server_name))
		goto err;
	wolfSSL_set_psk_callback_ctx(ssl, t);
	t->params = p;
	t->anonymous_ok = p->role == KX_SERVER && k &&
			  k->client_auth != HSD_CLIENT_AUTH_REQUIRE;
	hsd_rpk_ssl(ssl, t);
	wolfSSL_dtls_set_using_nonblock(ssl, 1);
	if (p->role == KX_CLIENT && *p->server_name) {
		if (wolfSSL_UseSNI(ssl, WOLFSSL_SNI_HOST_NAME, p->server_name,
				   strlen(p->server_name)) != WOLFSSL_SUCCESS ||
		    wolfSSL_check_domain_name(ssl, p->server_name) !=
		    WOLFSSL_SUCCESS)
			goto err;
	}
	if (peer && peer->no_verify) {
		hsd_log(LOG_WARNING, "handshake %u: certificate verification is off for this peer (%s:%u: verify-certificate no)",
			p->id, c->path, peer->line);
		wolfSSL_set_verify(ssl, WOLFSSL_VERIFY_NONE, NULL);
	}
	if (c->cid_len) {
		unsigned char cid[DTLS_CID_MAX_SIZE];

		if (wolfSSL_RAND_bytes(cid, c->cid_len) != WOLFSSL_SUCCESS ||
		    wolfSSL_dtls_cid_use(ssl) != WOLFSSL_SUCCESS ||
		    wolfSSL_dtls_cid_set(ssl, cid, c->cid_len) !=
		    WOLFSSL_SUCCESS)
			goto err;
	}
	return ssl;
err:
	wolfSSL_free(ssl);
	return NULL;
}

/*
 * wolfSSL adds the intermediate CAs of every chain it verified to the
 * context's trust store (as WOLFSSL_CHAIN_CA), where they would let a later
 * peer's leaf verify without its own chain, even when the handshake that
 * brought them failed.  Chains are verified against the configured anchors
 * only: drop those additions before each step of a handshake.  A chain is
 * added and used within one step, and the event loop is single-threaded.
 */
void hsd_tls_forget_chains(WOLFSSL *ssl)
{
	wolfSSL_CertManagerUnloadIntermediateCerts(
		wolfSSL_CTX_GetCertManager(wolfSSL_get_SSL_CTX(ssl)));
}

/*
 * Run the handshake as far as it goes without waiting.
 *
 * A client offering DTLS 1.2 and 1.3 to a 1.2 server gets a
 * HelloVerifyRequest; wolfSSL (5.7.2) then sends the second ClientHello
 * from its 1.3 code, which marks the session 1.3 again, so the next
 * wolfSSL_connect() runs the 1.3 state machine.  That one, after the 1.2
 * ServerHello has lowered the version, processes the rest of the server's
 * flight (ServerHelloDone included) but keeps waiting for a 1.3 Finished:
 * the client answers only when the server retransmits its flight, and not
 * at all when the retransmission is lost or the server gives up first.
 * When a call lowered the version and wants to read, call once more: the
 * 1.2 state machine takes the flight it already holds.
 */
int hsd_tls_handshake(WOLFSSL *ssl, enum kx_role role)
{
	int v, ret;

	if (role == KX_SERVER)
		return wolfSSL_accept(ssl);
	v = wolfSSL_version(ssl);
	ret = wolfSSL_connect(ssl);
	if (ret != WOLFSSL_SUCCESS && wolfSSL_version(ssl) != v &&
	    wolfSSL_get_error(ssl, ret) == WOLFSSL_ERROR_WANT_READ) {
		hsd_log(LOG_DEBUG, "the server chose DTLS 1.2: continuing in the 1.2 state machine");
		ret = wolfSSL_connect(ssl);
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* Results                                                             */
/* ------------------------------------------------------------------ */

int hsd_tls_peer_id(WOLFSSL *ssl, const char *psk_identity, char *buf,
		    size_t len)
{
	struct hs_tls *t = hs_tls_of(ssl);
	WOLFSSL_X509 *x;
	char subject[512], *san;
	size_t n;

	if (t && *t->rpk_id) {
		snprintf(buf, len, "%s", t->rpk_id);
		return 0;
	}
	x = wolfSSL_get_peer_certificate(ssl);
	if (!x) {
		if (!*psk_identity)
			return -1;
		snprintf(buf, len, "psk:%s", psk_identity);
		return 0;
	}
	if (!wolfSSL_X509_NAME_oneline(wolfSSL_X509_get_subject_name(x),
				       subject, sizeof(subject)))
		subject[0] = 0;
	n = snprintf(buf, len, "x509:%s", subject);
	while (n < len && (san = wolfSSL_X509_get_next_altname(x)))
		n += snprintf(buf + n, len - n, ";san=%s", san);
	wolfSSL_X509_free(x);
	return 0;
}

/* Alerts that say the peer refused our credentials (RFC 8446 6.2). */
static int refusal_alert(int code)
{
	switch (code) {
	case 20:	/* bad_record_mac: wrong PSK, 1.2 Finished */
	case 40:	/* handshake_failure */
	case 42: case 43: case 44: case 45: case 46:	/* certificates */
	case 48:	/* unknown_ca */
	case 49:	/* access_denied */
	case 51:	/* decrypt_error */
	case 115:	/* unknown_psk_identity */
	case 116:	/* certificate_required */
		return 1;
	}
	return 0;
}

int hsd_tls_errno(WOLFSSL *ssl, int err, char *msg, size_t msglen)
{
	struct hs_tls *t = hs_tls_of(ssl);
	WOLFSSL_ALERT_HISTORY h;
	char s[WOLFSSL_MAX_ERROR_SZ];

	wolfSSL_ERR_error_string(err, s);
	if (t && t->psk_unknown) {
		snprintf(msg, msglen, "the peer's PSK identity is not configured (%s)", s);
		return -EKEYREJECTED;
	}
	if (t && t->rpk_unknown) {
		snprintf(msg, msglen, "the peer's raw public key is not an rpk of its [peer] sections (%s)", s);
		return -EKEYREJECTED;
	}
	switch (err) {
	case ASN_NO_SIGNER_E:
	case ASN_AFTER_DATE_E:
	case ASN_BEFORE_DATE_E:
	case ASN_SIG_CONFIRM_E:
	case ASN_SELF_SIGNED_E:
	case DOMAIN_NAME_MISMATCH:
	case IPADDR_MISMATCH:
	case VERIFY_CERT_ERROR:
	case NO_PEER_CERT:
		snprintf(msg, msglen, "the peer's certificate is rejected: %s", s);
		return -EKEYREJECTED;
	case VERIFY_FINISHED_ERROR:
	case VERIFY_MAC_ERROR:
	case DECRYPT_ERROR:
	case BAD_BINDER:
	case PSK_KEY_ERROR:
		snprintf(msg, msglen, "the peer's key does not match ours (wrong PSK?): %s", s);
		return -EKEYREJECTED;
	case MATCH_SUITE_ERROR:
	case UNSUPPORTED_SUITE:
		snprintf(msg, msglen, "no common cipher suite (m2msecd offers only AEAD suites): %s", s);
		return -EPROTO;
	}
	if (wolfSSL_get_alert_history(ssl, &h) == WOLFSSL_SUCCESS &&
	    h.last_rx.code > 0 && h.last_rx.level == alert_fatal) {
		snprintf(msg, msglen, "the peer sent the fatal alert %d (%s)",
			 h.last_rx.code, wolfSSL_alert_desc_string_long(h.last_rx.code));
		return refusal_alert(h.last_rx.code) ? -EACCES : -EPROTO;
	}
	snprintf(msg, msglen, "%s", s);
	return -EPROTO;
}
