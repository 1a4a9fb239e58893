// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: the configuration file (format in m2msecd(8) and
 * Documentation/m2msecd.md).
 *
 *   # global settings first
 *   versions 1.2 1.3
 *   ciphers PSK-AES128-CCM-8 ECDHE-ECDSA-AES128-CCM-8 ...
 *   ca /etc/m2msec/ca.pem
 *
 *   [psk]                 one PSK identity (key from the file, this
 *                         file or the kernel keyring: keyring.c)
 *   [certificate]         one certificate chain and key
 *   [peer]                exceptions for one peer (logged)
 *
 * Secrets (PSK key files, private keys, and this file when it holds a PSK
 * inline) must not be accessible to group or other.
 *
 * A configuration is reference counted (m2msecd.h); SIGHUP loads a new one
 * beside the current one and swaps them only when it loaded completely.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/secfile.h"
#include "m2msecd.h"

enum section { SEC_GLOBAL, SEC_PSK, SEC_CERT, SEC_PEER };

struct parser {
	struct hsd_conf *c;
	const char *path;
	unsigned int line;
	enum section sec;
	int inline_secret;
};

#define perr(p, fmt, ...) \
	hsd_log(LOG_ERR, "%s:%u: " fmt, (p)->path, (p)->line, ##__VA_ARGS__)

int hsd_secret_file_open(const char *path, const char *what)
{
	char why[512];
	int fd = m2msec_file_open(path, M2MSEC_FILE_SECRET, why, sizeof(why));

	if (fd < 0)
		hsd_log(LOG_ERR, "refusing %s %s", what, why);
	return fd;
}

int hsd_secret_file_ok(const char *path, const char *what)
{
	int fd = hsd_secret_file_open(path, what);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int hex_decode(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(s), i;

	if (!n || n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int b;

		sscanf(s + 2 * i, "%2x", &b);
		out[i] = b;
	}
	*len = n / 2;
	return 0;
}

static int psk_key_file(struct parser *p, struct hsd_psk *k, const char *f)
{
	char buf[2 * HSD_PSK_MAX + 2], *e;
	FILE *fp;
	int fd, ret = -1;

	fd = hsd_secret_file_open(f, "PSK key file");
	if (fd < 0)
		return -1;
	fp = fdopen(fd, "r");
	if (!fp) {
		perr(p, "cannot open PSK key file %s: %s", f, strerror(errno));
		close(fd);
		return -1;
	}
	if (fgets(buf, sizeof(buf), fp)) {
		e = buf + strcspn(buf, " \t\r\n");
		*e = 0;
		ret = hex_decode(buf, k->key, sizeof(k->key), &k->key_len);
	}
	if (ret)
		perr(p, "%s must hold the PSK as 2 to %d hex digits", f,
		     2 * HSD_PSK_MAX);
	explicit_bzero(buf, sizeof(buf));
	fclose(fp);
	return ret;
}

static int set_ciphers(struct parser *p, char *v)
{
	struct hsd_conf *c = p->c;
	char list[1024] = "", why[256], *tok, *save;
	const char *name;
	int r, bad = 0;

	for (tok = strtok_r(v, " \t:,", &save); tok;
	     tok = strtok_r(NULL, " \t:,", &save)) {
		r = hsd_suite_check(tok, why, sizeof(why));
		if (r < 0) {
			perr(p, "ciphers: %s", why);
			bad = 1;
			continue;
		}
		name = hsd_suite_canonical(tok);
		if (r == 1 && !c->suite13)
			c->suite13 = strdup(name);
		if (strlen(list) + strlen(name) + 2 > sizeof(list)) {
			perr(p, "ciphers: list too long");
			return -1;
		}
		if (*list)
			strcat(list, ":");
		strcat(list, name);
	}
	if (bad)
		return -1;
	if (!*list) {
		perr(p, "ciphers: empty list");
		return -1;
	}
	free(c->ciphers);
	c->ciphers = strdup(list);
	return 0;
}

static int set_global(struct parser *p, const char *name, char *v)
{
	struct hsd_conf *c = p->c;
	char *end, *tok, *save;
	unsigned long n;

	if (!strcmp(name, "versions")) {
		c->versions = 0;
		for (tok = strtok_r(v, " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save)) {
			if (!strcmp(tok, "1.2"))
				c->versions |= HSD_V12;
			else if (!strcmp(tok, "1.3"))
				c->versions |= HSD_V13;
			else {
				perr(p, "versions: '%s' is not 1.2 or 1.3", tok);
				return -1;
			}
		}
		return 0;
	}
	if (!strcmp(name, "ciphers"))
		return set_ciphers(p, v);
	if (!strcmp(name, "ca")) {
		free(c->ca);
		c->ca = strdup(v);
		return 0;
	}
	n = strtoul(v, &end, 10);
	if (*end || !*v) {
		perr(p, "%s: '%s' is not a number", name, v);
		return -1;
	}
	if (!strcmp(name, "handshake-timeout") && n >= 1 && n <= 600)
		c->timeout_ms = n * 1000;
	else if (!strcmp(name, "max-handshakes") && n >= 1 && n <= 65536)
		c->max_handshakes = n;
	else if (!strcmp(name, "connection-id-length") && n <= DTLS_CID_MAX_SIZE)
		c->cid_len = n;
	else if (!strcmp(name, "rekey-after-seconds") &&
		 (!n || (n >= HSD_REKEY_SECS_MIN && n <= HSD_REKEY_SECS_MAX)))
		c->rekey_after_s = n;
	else if (!strcmp(name, "rekey-after-records") &&
		 (!n || (n >= HSD_REKEY_RECS_MIN && n <= HSD_REKEY_RECS_MAX)))
		c->rekey_after_recs = n;
	else if (!strcmp(name, "handshake-timeout") ||
		 !strcmp(name, "max-handshakes") ||
		 !strcmp(name, "connection-id-length") ||
		 !strcmp(name, "rekey-after-seconds") ||
		 !strcmp(name, "rekey-after-records")) {
		perr(p, "%s: %lu is out of range", name, n);
		return -1;
	} else {
		perr(p, "unknown setting '%s'", name);
		return -1;
	}
	return 0;
}

/* Checked now, so that -t and a reload report a missing key; read again
 * at each use. */
static int psk_keyring(struct parser *p, struct hsd_psk *k, const char *v)
{
	struct hsd_conf *c = p->c;
	char why[512];
	size_t len;

	if (strlen(v) > 4095) {
		perr(p, "key-keyring: description too long");
		return -1;
	}
	k->keyring = strdup(v);
	if (!k->keyring)
		return -1;
	if (!c->secret)
		c->secret = hsd_secret_alloc();
	if (!c->secret)
		return -1;
	if (hsd_keyring_psk(v, c->secret, &len, why, sizeof(why))) {
		perr(p, "%s", why);
		return -1;
	}
	explicit_bzero(c->secret, HSD_PSK_MAX);
	return 0;
}

static int set_psk(struct parser *p, const char *name, char *v)
{
	struct hsd_psk *k = p->c->psks;
	int has_key = k->key_len || k->keyring;

	if (!strcmp(name, "identity") && !k->identity) {
		if (strlen(v) > 128) {
			perr(p, "identity: at most 128 characters");
			return -1;
		}
		k->identity = strdup(v);
		k->line = p->line;
	} else if (!strcmp(name, "key") && !has_key) {
		p->inline_secret = 1;
		if (hex_decode(v, k->key, sizeof(k->key), &k->key_len)) {
			perr(p, "key: 2 to %d hex digits", 2 * HSD_PSK_MAX);
			return -1;
		}
	} else if (!strcmp(name, "key-file") && !has_key) {
		return psk_key_file(p, k, v);
	} else if (!strcmp(name, "key-keyring") && !has_key) {
		return psk_keyring(p, k, v);
	} else if (!strcmp(name, "server-name") && !k->server_name) {
		k->server_name = strdup(v);
	} else {
		perr(p, "'%s' is unknown or repeated in [psk] (identity, one of key, key-file or key-keyring, server-name)",
		     name);
		return -1;
	}
	return 0;
}

static int no_rpk(struct parser *p)
{
	if (hsd_rpk_supported())
		return 0;
	perr(p, "rpk: this wolfSSL has no raw public keys (HAVE_RPK); rebuild it with scripts/build-wolfssl.sh");
	return -1;
}

static int set_cert(struct parser *p, const char *name, char *v)
{
	struct hsd_cert *k = p->c->certs;

	if (!strcmp(name, "cert") && !k->cert && !k->rpk) {
		k->cert = strdup(v);
	} else if (!strcmp(name, "key") && !k->key) {
		if (hsd_secret_file_ok(v, "private key"))
			return -1;
		k->key = strdup(v);
	} else if (!strcmp(name, "ca") && !k->ca) {
		k->ca = strdup(v);
	} else if (!strcmp(name, "server-name") && !k->server_name) {
		k->server_name = strdup(v);
	} else if (!strcmp(name, "rpk") && !k->rpk && !k->cert) {
		if (no_rpk(p))
			return -1;
		k->rpk = strdup(v);
	} else if (!strcmp(name, "client-certificate") &&
		   (!strcmp(v, "request") || !strcmp(v, "require") ||
		    !strcmp(v, "none"))) {
		k->client_auth = !strcmp(v, "require") ? HSD_CLIENT_AUTH_REQUIRE :
				 !strcmp(v, "request") ? HSD_CLIENT_AUTH_REQUEST :
				 HSD_CLIENT_AUTH_NONE;
		if (k->client_auth != HSD_CLIENT_AUTH_REQUIRE)
			hsd_log(LOG_WARNING, "%s:%d: client-certificate %s: clients without a PSK or certificate are accepted as \"anonymous\"",
				p->path, p->line, v);
	} else {
		perr(p, "'%s' is unknown, repeated or has a bad value in [certificate] (cert or rpk, key, ca, server-name, client-certificate require|request|none)",
		     name);
		return -1;
	}
	return 0;
}

static int set_peer(struct parser *p, const char *name, char *v)
{
	struct hsd_peer *k = p->c->peers;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&k->addr;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&k->addr;

	if (!strcmp(name, "server-name") && !k->server_name && !k->addr_len) {
		k->server_name = strdup(v);
	} else if (!strcmp(name, "address") && !k->server_name &&
		   !k->addr_len) {
		if (inet_pton(AF_INET, v, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			k->addr_len = sizeof(*s4);
		} else if (inet_pton(AF_INET6, v, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			k->addr_len = sizeof(*s6);
		} else {
			perr(p, "address: '%s' is not an IPv4 or IPv6 address", v);
			return -1;
		}
	} else if (!strcmp(name, "verify-certificate") &&
		   (!strcmp(v, "yes") || !strcmp(v, "no"))) {
		k->no_verify = !strcmp(v, "no");
	} else if (!strcmp(name, "rpk") && !k->rpk) {
		if (no_rpk(p) || hsd_rpk_load(v, &k->rpk, &k->rpk_len))
			return -1;
		p->c->rpk_peers = 1;
	} else {
		perr(p, "'%s' is unknown, repeated or has a bad value in [peer] (server-name or address, verify-certificate yes|no, rpk)",
		     name);
		return -1;
	}
	return 0;
}

/*
 * A server finds the key by the identity the client sends: two [psk]
 * sections with one identity would make the choice depend on their order.
 */
static int psk_unique(struct parser *p, const struct hsd_psk *k)
{
	const struct hsd_psk *o;

	for (o = k->next; o; o = o->next) {
		if (!strcmp(o->identity, k->identity)) {
			hsd_log(LOG_ERR, "%s:%u: duplicate PSK identity '%s' (first at line %u); give each [psk] its own identity",
				p->path, k->line, k->identity, o->line);
			return -1;
		}
	}
	return 0;
}

static int end_section(struct parser *p)
{
	struct hsd_conf *c = p->c;

	switch (p->sec) {
	case SEC_PSK:
		if (!c->psks->identity ||
		    (!c->psks->key_len && !c->psks->keyring)) {
			perr(p, "[psk] needs identity and key, key-file or key-keyring");
			return -1;
		}
		return psk_unique(p, c->psks);
	case SEC_CERT:
		if ((!c->certs->cert && !c->certs->rpk) || !c->certs->key) {
			perr(p, "[certificate] needs cert (or rpk) and key");
			return -1;
		}
		break;
	case SEC_PEER:
		if (!c->peers->server_name && !c->peers->addr_len &&
		    !c->peers->rpk) {
			perr(p, "[peer] needs server-name, address or rpk");
			return -1;
		}
		if (c->peers->no_verify)
			hsd_log(LOG_WARNING, "%s:%u: certificate verification is OFF for peer %s (verify-certificate no)",
				p->path, c->peers->line,
				c->peers->server_name ? c->peers->server_name :
				"(address)");
		break;
	default:
		break;
	}
	return 0;
}

static int begin_section(struct parser *p, const char *name)
{
	struct hsd_conf *c = p->c;

	if (end_section(p))
		return -1;
	if (!strcmp(name, "psk")) {
		struct hsd_psk *k = calloc(1, sizeof(*k));

		if (!k)
			return -1;
		k->next = c->psks;
		c->psks = k;
		p->sec = SEC_PSK;
	} else if (!strcmp(name, "certificate")) {
		struct hsd_cert *k = calloc(1, sizeof(*k));

		if (!k)
			return -1;
		k->next = c->certs;
		c->certs = k;
		p->sec = SEC_CERT;
	} else if (!strcmp(name, "peer")) {
		struct hsd_peer *k = calloc(1, sizeof(*k));

		if (!k)
			return -1;
		k->line = p->line;
		k->next = c->peers;
		c->peers = k;
		p->sec = SEC_PEER;
	} else {
		perr(p, "unknown section [%s] (psk, certificate, peer)", name);
		return -1;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int parse_line(struct parser *p, char *s)
{
	char *name, *v;

	s = trim(s);
	if (!*s || *s == '#')
		return 0;
	if (*s == '[') {
		v = strchr(s, ']');
		if (!v || v[1]) {
			perr(p, "a section line is [psk], [certificate] or [peer]");
			return -1;
		}
		*v = 0;
		return begin_section(p, trim(s + 1));
	}
	name = s;
	v = s + strcspn(s, " \t");
	if (*v)
		*v++ = 0;
	v = trim(v);
	if (!*v) {
		perr(p, "'%s' needs a value", name);
		return -1;
	}
	switch (p->sec) {
	case SEC_GLOBAL: return set_global(p, name, v);
	case SEC_PSK: return set_psk(p, name, v);
	case SEC_CERT: return set_cert(p, name, v);
	case SEC_PEER: return set_peer(p, name, v);
	}
	return -1;
}

int hsd_conf_load(const char *path, struct hsd_conf *c)
{
	struct parser p = { .c = c, .path = path };
	char line[1024], why[512];
	int ret = 0;
	FILE *f;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->versions = HSD_V12 | HSD_V13;
	c->timeout_ms = 8000;	/* below the kernel's default of 10 s */
	c->max_handshakes = 256;
	f = m2msec_file_fopen(path, 0, why, sizeof(why));
	if (!f) {
		hsd_log(LOG_ERR, "cannot use the configuration file %s (see m2msecd(8); -c FILE names another)",
			why);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		p.line++;
		if (!strchr(line, '\n') && !feof(f)) {
			perr(&p, "line longer than %zu bytes", sizeof(line) - 2);
			ret = -1;
			break;
		}
		if (parse_line(&p, line))
			ret = -1;
	}
	explicit_bzero(line, sizeof(line));
	p.line++;
	if (!ret && end_section(&p))
		ret = -1;
	/* The same descriptor: what was read is what is checked. */
	if (!ret && p.inline_secret &&
	    m2msec_file_check(fileno(f), path, M2MSEC_FILE_SECRET, why,
			      sizeof(why))) {
		hsd_log(LOG_ERR, "refusing configuration file with an inline PSK %s",
			why);
		ret = -1;
	}
	fclose(f);
	if (!c->ciphers) {
		char *def = strdup(hsd_default_ciphers);

		p.sec = SEC_GLOBAL;
		if (!def || set_ciphers(&p, def))
			ret = -1;
		free(def);
	}
	if (!c->versions) {
		hsd_log(LOG_ERR, "%s: versions: give 1.2, 1.3 or both", path);
		ret = -1;
	}
	return ret;
}

void hsd_conf_free(struct hsd_conf *c)
{
	while (c->psks) {
		struct hsd_psk *k = c->psks;

		c->psks = k->next;
		free(k->identity);
		free(k->server_name);
		free(k->keyring);
		explicit_bzero(k, sizeof(*k));
		free(k);
	}
	while (c->certs) {
		struct hsd_cert *k = c->certs;

		c->certs = k->next;
		free(k->server_name);
		free(k->cert);
		free(k->key);
		free(k->ca);
		free(k->rpk);
		free(k);
	}
	while (c->peers) {
		struct hsd_peer *k = c->peers;

		c->peers = k->next;
		free(k->server_name);
		free(k->rpk);
		free(k);
	}
	free(c->ciphers);
	free(c->suite13);
	free(c->ca);
	hsd_secret_free(c->secret);
	memset(c, 0, sizeof(*c));
}

struct hsd_conf *hsd_conf_open(const char *path)
{
	struct hsd_conf *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	if (hsd_conf_load(path, c))
		goto err;
	if (hsd_tls_init(c)) {
		hsd_tls_exit(c);
		goto err;
	}
	c->refs = 1;
	return c;
err:
	hsd_conf_free(c);
	free(c);
	return NULL;
}

struct hsd_conf *hsd_conf_get(struct hsd_conf *c)
{
	c->refs++;
	return c;
}

void hsd_conf_put(struct hsd_conf *c)
{
	if (!c || --c->refs)
		return;
	hsd_tls_exit(c);
	hsd_conf_free(c);
	free(c);
}

int hsd_conf_reload(struct hsd *d, const char *path)
{
	struct hsd_conf *c = hsd_conf_open(path);
	unsigned int busy = d->conf->refs - 1;

	if (!c) {
		hsd_log(LOG_ERR, "reload: %s has errors (above); still using the configuration loaded before",
			path);
		return -1;
	}
	hsd_conf_put(d->conf);
	d->conf = c;
	hsd_log(LOG_NOTICE, "reload: %s loaded; new handshakes use it, %u in progress finish with the previous one",
		path, busy);
	return 0;
}
