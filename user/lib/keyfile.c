// SPDX-License-Identifier: LGPL-2.1
/*
 * Static association files: parser, writer, key payloads and installation.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "genl.h"
#include "keyfile.h"
#include "secfile.h"

/* ------------------------------------------------------------------ */
/* Ciphers                                                             */
/* ------------------------------------------------------------------ */

/* Names and key lengths as in the module's cipher table (kmod/cipher.c). */
static const struct {
	enum m2msec_cipher id;
	const char *name;
	size_t key_len;
} ciphers[] = {
	{ M2MSEC_CIPHER_AES_128_GCM, "AES-128-GCM", 16 },
	{ M2MSEC_CIPHER_AES_256_GCM, "AES-256-GCM", 32 },
	{ M2MSEC_CIPHER_CHACHA20_POLY1305, "CHACHA20-POLY1305", 32 },
	{ M2MSEC_CIPHER_AES_128_CCM, "AES-128-CCM", 16 },
	{ M2MSEC_CIPHER_AES_128_CCM_8, "AES-128-CCM-8", 16 },
};

#define N_CIPHERS (sizeof(ciphers) / sizeof(ciphers[0]))

enum m2msec_cipher m2msec_cipher_by_name(const char *name)
{
	size_t i;

	for (i = 0; i < N_CIPHERS; i++)
		if (!strcasecmp(name, ciphers[i].name))
			return ciphers[i].id;
	return M2MSEC_CIPHER_UNSPEC;
}

const char *m2msec_cipher_name(enum m2msec_cipher c)
{
	size_t i;

	for (i = 0; i < N_CIPHERS; i++)
		if (ciphers[i].id == c)
			return ciphers[i].name;
	return "?";
}

size_t m2msec_cipher_key_len(enum m2msec_cipher c)
{
	size_t i;

	for (i = 0; i < N_CIPHERS; i++)
		if (ciphers[i].id == c)
			return ciphers[i].key_len;
	return 0;
}

size_t m2msec_cipher_iv_len(enum m2msec_cipher c, uint16_t version)
{
	if (!m2msec_cipher_key_len(c))
		return 0;
	/*
	 * DTLS 1.2 GCM (RFC 5288) and CCM (RFC 6655) take a 4-byte implicit
	 * salt and send an 8-byte explicit nonce; ChaCha20-Poly1305 (RFC
	 * 7905) and every DTLS 1.3 cipher use a 12-byte IV XORed with the
	 * sequence number.
	 */
	if (version == M2MSEC_DTLS_1_2 && c != M2MSEC_CIPHER_CHACHA20_POLY1305)
		return 4;
	return 12;
}

/* ------------------------------------------------------------------ */
/* Addresses                                                           */
/* ------------------------------------------------------------------ */

int m2msec_parse_addr(const char *s, struct sockaddr_storage *ss,
		      socklen_t *len, int allow_port0)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	const char *port, *end;
	struct addrinfo *ai;
	unsigned long p;
	size_t hlen;
	char *pend;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		hlen = end - s - 1;
		s++;
		port = end + 2;
		hints.ai_family = AF_INET6;
	} else {
		end = strrchr(s, ':');
		if (!end)
			return -EINVAL;
		hlen = end - s;
		port = end + 1;
		hints.ai_family = AF_INET;
	}
	if (!hlen || hlen >= sizeof(host) || !isdigit((unsigned char)*port))
		return -EINVAL;
	errno = 0;
	p = strtoul(port, &pend, 10);
	if (errno || *pend || p > 65535 || (!p && !allow_port0))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (getaddrinfo(host, NULL, &hints, &ai))
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(p);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(p);
	return 0;
}

char *m2msec_format_addr(const struct sockaddr *sa, char *buf, size_t size)
{
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	socklen_t len = sa->sa_family == AF_INET6 ?
		sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);

	if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (sa->sa_family == AF_INET6)
		snprintf(buf, size, "[%s]:%s", host, serv);
	else
		snprintf(buf, size, "%s:%s", host, serv);
	return buf;
}

/* ------------------------------------------------------------------ */
/* Parser                                                              */
/* ------------------------------------------------------------------ */

enum kf_field {
	F_VERSION, F_CIPHER, F_PEER, F_LOCAL,
	F_TX_EPOCH, F_TX_SEQ, F_TX_KEY, F_TX_IV, F_TX_SN_KEY,
	F_RX_EPOCH, F_RX_SEQ, F_RX_KEY, F_RX_IV, F_RX_SN_KEY,
	F_TX_CID, F_RX_CID,
	F_NR,
};

static const char *const field_names[F_NR] = {
	[F_VERSION] = "version", [F_CIPHER] = "cipher",
	[F_PEER] = "peer", [F_LOCAL] = "local",
	[F_TX_EPOCH] = "tx-epoch", [F_TX_SEQ] = "tx-seq",
	[F_TX_KEY] = "tx-key", [F_TX_IV] = "tx-iv",
	[F_TX_SN_KEY] = "tx-sn-key",
	[F_RX_EPOCH] = "rx-epoch", [F_RX_SEQ] = "rx-seq",
	[F_RX_KEY] = "rx-key", [F_RX_IV] = "rx-iv",
	[F_RX_SN_KEY] = "rx-sn-key",
	[F_TX_CID] = "tx-cid", [F_RX_CID] = "rx-cid",
};

struct kf_parser {
	const char *name;
	char *err;
	size_t errlen;
	unsigned int line[F_NR];	/* line each field was set on, 0: unset */
};

static int __attribute__((format(printf, 4, 5)))
kf_error(struct kf_parser *p, unsigned int line, int err, const char *fmt,
	 ...)
{
	size_t n = 0;
	va_list ap;

	if (!p->errlen)
		return err;
	if (line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->name, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->name);
	if (n >= p->errlen)
		return err;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return err;
}

/* Decode hex into @out; Return: bytes, or -1 (odd length, bad digit, long). */
static int hex_decode(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s), i;
	int hi, lo;

	if (!n || n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		hi = isxdigit((unsigned char)s[2 * i]) ? s[2 * i] : -1;
		lo = isxdigit((unsigned char)s[2 * i + 1]) ? s[2 * i + 1] : -1;
		if (hi < 0 || lo < 0)
			return -1;
		hi = isdigit(hi) ? hi - '0' : tolower(hi) - 'a' + 10;
		lo = isdigit(lo) ? lo - '0' : tolower(lo) - 'a' + 10;
		out[i] = hi << 4 | lo;
	}
	return n / 2;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end || x > max)
		return -1;
	*v = x;
	return 0;
}

static int set_field(struct kf_parser *p, struct m2msec_keyfile *kf,
		     enum kf_field f, const char *v, unsigned int line)
{
	struct m2msec_kf_dir *d = f >= F_RX_EPOCH && f <= F_RX_SN_KEY ?
		&kf->rx : &kf->tx;
	uint64_t x;
	int n;

	switch (f) {
	case F_VERSION:
		if (!strcmp(v, "1.2"))
			kf->version = M2MSEC_DTLS_1_2;
		else if (!strcmp(v, "1.3"))
			kf->version = M2MSEC_DTLS_1_3;
		else
			return kf_error(p, line, -EINVAL,
					"version must be 1.2 or 1.3, not '%s'", v);
		return 0;
	case F_CIPHER:
		kf->cipher = m2msec_cipher_by_name(v);
		if (kf->cipher == M2MSEC_CIPHER_UNSPEC)
			return kf_error(p, line, -EINVAL,
					"unknown cipher '%s' (use AES-128-GCM, AES-256-GCM, CHACHA20-POLY1305, AES-128-CCM or AES-128-CCM-8)",
					v);
		return 0;
	case F_PEER:
		if (m2msec_parse_addr(v, &kf->peer, &kf->peer_len, 0))
			return kf_error(p, line, -EINVAL,
					"peer '%s' is not ADDR:PORT or [ADDR6]:PORT with a port 1..65535",
					v);
		return 0;
	case F_LOCAL:
		if (m2msec_parse_addr(v, &kf->local, &kf->local_len, 1))
			return kf_error(p, line, -EINVAL,
					"local '%s' is not ADDR:PORT or [ADDR6]:PORT", v);
		return 0;
	case F_TX_EPOCH:
	case F_RX_EPOCH:
		if (parse_u64(v, UINT64_MAX, &x) || !x)
			return kf_error(p, line, -EINVAL,
					"%s must be a number from 1 (epoch 0 is unprotected), not '%s'",
					field_names[f], v);
		d->epoch = x;
		return 0;
	case F_TX_SEQ:
	case F_RX_SEQ:
		if (parse_u64(v, M2MSEC_KF_SEQ_MAX, &x))
			return kf_error(p, line, -EINVAL,
					"%s must be a number 0..2^48-1, not '%s'",
					field_names[f], v);
		d->seq = x;
		return 0;
	case F_TX_KEY:
	case F_RX_KEY:
		n = hex_decode(v, d->key, sizeof(d->key));
		if (n < 0)
			goto bad_hex;
		d->key_len = n;
		return 0;
	case F_TX_IV:
	case F_RX_IV:
		n = hex_decode(v, d->iv, sizeof(d->iv));
		if (n < 0)
			goto bad_hex;
		d->iv_len = n;
		return 0;
	case F_TX_SN_KEY:
	case F_RX_SN_KEY:
		n = hex_decode(v, d->sn_key, sizeof(d->sn_key));
		if (n < 0)
			goto bad_hex;
		d->sn_key_len = n;
		return 0;
	case F_TX_CID:
		n = hex_decode(v, kf->tx_cid, sizeof(kf->tx_cid));
		if (n < 0)
			goto bad_cid;
		kf->tx_cid_len = n;
		return 0;
	case F_RX_CID:
		n = hex_decode(v, kf->rx_cid, sizeof(kf->rx_cid));
		if (n < 0)
			goto bad_cid;
		kf->rx_cid_len = n;
		return 0;
	default:
		return -EINVAL;
	}
bad_hex:
	return kf_error(p, line, -EINVAL,
			"%s must be an even number of hex digits (at most %d bytes)",
			field_names[f], M2MSEC_KF_KEY_MAX);
bad_cid:
	return kf_error(p, line, -EINVAL,
			"%s must be 1..%d bytes as hex digits", field_names[f],
			M2MSEC_CID_MAX);
}

/* Check a direction against the cipher and version. */
static int check_dir(struct kf_parser *p, const struct m2msec_keyfile *kf,
		     const struct m2msec_kf_dir *d, const char *dir,
		     enum kf_field first)
{
	size_t key_len = m2msec_cipher_key_len(kf->cipher);
	size_t iv_len = m2msec_cipher_iv_len(kf->cipher, kf->version);
	const char *ver = kf->version == M2MSEC_DTLS_1_3 ? "1.3" : "1.2";
	const char *cn = m2msec_cipher_name(kf->cipher);

	if (d->key_len != key_len)
		return kf_error(p, p->line[first + 2], -EINVAL,
				"%s-key has %zu bytes; %s needs %zu", dir,
				d->key_len, cn, key_len);
	if (d->iv_len != iv_len)
		return kf_error(p, p->line[first + 3], -EINVAL,
				"%s-iv has %zu bytes; %s with DTLS %s needs %zu",
				dir, d->iv_len, cn, ver, iv_len);
	if (kf->version == M2MSEC_DTLS_1_2) {
		if (p->line[first + 4])
			return kf_error(p, p->line[first + 4], -EINVAL,
					"%s-sn-key is for DTLS 1.3 only; remove it",
					dir);
		if (d->epoch > M2MSEC_KF_EPOCH12_MAX)
			return kf_error(p, p->line[first], -EINVAL,
					"%s-epoch %" PRIu64 " does not fit DTLS 1.2's 16-bit epoch",
					dir, d->epoch);
	} else if (d->sn_key_len != key_len) {
		return kf_error(p, p->line[first + 4], -EINVAL,
				"%s-sn-key has %zu bytes; %s needs %zu (the AEAD key length)",
				dir, d->sn_key_len, cn, key_len);
	}
	return 0;
}

static int check_complete(struct kf_parser *p, struct m2msec_keyfile *kf)
{
	static const enum kf_field required[] = {
		F_VERSION, F_CIPHER, F_PEER,
		F_TX_EPOCH, F_TX_SEQ, F_TX_KEY, F_TX_IV,
		F_RX_EPOCH, F_RX_SEQ, F_RX_KEY, F_RX_IV,
	};
	size_t i;
	int err;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!p->line[required[i]])
			return kf_error(p, 0, -EINVAL, "'%s' is missing",
					field_names[required[i]]);
	if (kf->version == M2MSEC_DTLS_1_3) {
		if (!p->line[F_TX_SN_KEY])
			return kf_error(p, 0, -EINVAL,
					"'tx-sn-key' is missing (DTLS 1.3 needs it)");
		if (!p->line[F_RX_SN_KEY])
			return kf_error(p, 0, -EINVAL,
					"'rx-sn-key' is missing (DTLS 1.3 needs it)");
	}
	err = check_dir(p, kf, &kf->tx, "tx", F_TX_EPOCH);
	if (!err)
		err = check_dir(p, kf, &kf->rx, "rx", F_RX_EPOCH);
	if (err)
		return err;
	if (kf->local_len && kf->local.ss_family != kf->peer.ss_family)
		return kf_error(p, p->line[F_LOCAL], -EINVAL,
				"local and peer must be of the same address family");
	return 0;
}

/* Split "name value" off @s (modified in place); Return: 0 or -1. */
static int split_line(char *s, char **name, char **value)
{
	char *hash = strchr(s, '#'), *end;

	if (hash)
		*hash = '\0';
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	*name = s;
	*value = NULL;
	if (!*s)
		return 0;
	while (*s && !isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	*s++ = '\0';
	while (isspace((unsigned char)*s))
		s++;
	*value = s;
	/* Exactly one value: no whitespace inside it. */
	while (*s)
		if (isspace((unsigned char)*s++))
			return -1;
	return 0;
}

int m2msec_keyfile_parse(FILE *f, const char *name, struct m2msec_keyfile *kf,
			 char *err, size_t errlen)
{
	struct kf_parser p = { .name = name, .err = err, .errlen = errlen };
	char buf[1024], *n, *v;
	unsigned int line = 0;
	int i, ret = 0;

	memset(kf, 0, sizeof(*kf));
	if (errlen)
		err[0] = '\0';
	while (fgets(buf, sizeof(buf), f)) {
		line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			ret = kf_error(&p, line, -E2BIG,
				       "line longer than %zu bytes",
				       sizeof(buf) - 1);
			goto fail;
		}
		if (split_line(buf, &n, &v)) {
			ret = kf_error(&p, line, -EINVAL,
				       "expected 'name value' (one value; comments start with #)");
			goto fail;
		}
		if (!*n)
			continue;
		for (i = 0; i < F_NR; i++)
			if (!strcmp(n, field_names[i]))
				break;
		if (i == F_NR) {
			ret = kf_error(&p, line, -EINVAL, "unknown name '%s'",
				       n);
			goto fail;
		}
		if (p.line[i]) {
			ret = kf_error(&p, line, -EINVAL,
				       "'%s' repeated (first set on line %u)",
				       n, p.line[i]);
			goto fail;
		}
		p.line[i] = line;
		ret = set_field(&p, kf, i, v, line);
		if (ret)
			goto fail;
	}
	if (ferror(f)) {
		ret = kf_error(&p, line, -EIO, "read error");
		goto fail;
	}
	ret = check_complete(&p, kf);
	if (ret)
		goto fail;
	explicit_bzero(buf, sizeof(buf));
	return 0;

fail:
	explicit_bzero(buf, sizeof(buf));
	m2msec_keyfile_clear(kf);
	return ret;
}

int m2msec_keyfile_load(const char *path, struct m2msec_keyfile *kf,
			char *err, size_t errlen)
{
	FILE *f;
	int ret;

	/* Checked on the descriptor read: a regular file nobody else writes. */
	errno = 0;
	f = m2msec_file_fopen(path, 0, err, errlen);
	if (!f)
		return errno ? -errno : -EACCES;
	ret = m2msec_keyfile_parse(f, path, kf, err, errlen);
	fclose(f);
	return ret;
}

void m2msec_keyfile_clear(struct m2msec_keyfile *kf)
{
	explicit_bzero(kf, sizeof(*kf));
}

/* ------------------------------------------------------------------ */
/* Writer                                                              */
/* ------------------------------------------------------------------ */

static void put_hex(FILE *f, const char *name, const uint8_t *b, size_t n)
{
	size_t i;

	fprintf(f, "%s ", name);
	for (i = 0; i < n; i++)
		fprintf(f, "%02x", b[i]);
	fputc('\n', f);
}

static void put_dir(FILE *f, const struct m2msec_kf_dir *d, const char *dir,
		    int v13)
{
	char name[16];

	fprintf(f, "%s-epoch %" PRIu64 "\n%s-seq %" PRIu64 "\n", dir, d->epoch,
		dir, d->seq);
	snprintf(name, sizeof(name), "%s-key", dir);
	put_hex(f, name, d->key, d->key_len);
	snprintf(name, sizeof(name), "%s-iv", dir);
	put_hex(f, name, d->iv, d->iv_len);
	if (v13) {
		snprintf(name, sizeof(name), "%s-sn-key", dir);
		put_hex(f, name, d->sn_key, d->sn_key_len);
	}
}

int m2msec_keyfile_write(FILE *f, const struct m2msec_keyfile *kf)
{
	int v13 = kf->version == M2MSEC_DTLS_1_3;
	char addr[INET6_ADDRSTRLEN + 16];

	fprintf(f, "version %s\ncipher %s\n", v13 ? "1.3" : "1.2",
		m2msec_cipher_name(kf->cipher));
	fprintf(f, "peer %s\n", m2msec_format_addr(
			(const struct sockaddr *)&kf->peer, addr, sizeof(addr)));
	if (kf->local_len)
		fprintf(f, "local %s\n", m2msec_format_addr(
				(const struct sockaddr *)&kf->local, addr,
				sizeof(addr)));
	put_dir(f, &kf->tx, "tx", v13);
	put_dir(f, &kf->rx, "rx", v13);
	if (kf->tx_cid_len)
		put_hex(f, "tx-cid", kf->tx_cid, kf->tx_cid_len);
	if (kf->rx_cid_len)
		put_hex(f, "rx-cid", kf->rx_cid, kf->rx_cid_len);
	return fflush(f) || ferror(f) ? -EIO : 0;
}

/* ------------------------------------------------------------------ */
/* Keyring                                                             */
/* ------------------------------------------------------------------ */

size_t m2msec_kf_dir_payload(const struct m2msec_kf_dir *d, uint8_t *buf)
{
	struct m2msec_key_payload h = {
		.version = M2MSEC_KEY_PAYLOAD_V1,
		.kind = M2MSEC_KEY_RECORD,
		.key_len = d->key_len,
		.iv_len = d->iv_len,
		.sn_key_len = d->sn_key_len,
	};
	uint8_t *p = buf + sizeof(h);

	memcpy(buf, &h, sizeof(h));
	memcpy(p, d->key, d->key_len);
	p += d->key_len;
	memcpy(p, d->iv, d->iv_len);
	p += d->iv_len;
	memcpy(p, d->sn_key, d->sn_key_len);
	p += d->sn_key_len;
	return p - buf;
}

#ifndef KEYCTL_UNLINK
#define KEYCTL_UNLINK 9
#endif

static int32_t add_dir_key(const struct m2msec_kf_dir *d, const char *dir,
			   int32_t keyring)
{
	uint8_t buf[M2MSEC_KF_PAYLOAD_MAX];
	char desc[64];
	size_t len;
	long serial;
	int err;

	/* The description only has to be unique enough to not replace a
	 * key of another association in the same keyring.
	 */
	snprintf(desc, sizeof(desc), "m2msec:%s:%d:%p", dir, (int)getpid(),
		 (const void *)d);
	len = m2msec_kf_dir_payload(d, buf);
	serial = syscall(SYS_add_key, M2MSEC_KEY_TYPE, desc, buf, len, keyring);
	err = errno;
	explicit_bzero(buf, sizeof(buf));
	if (serial < 0)
		return -err;
	return serial;
}

int32_t m2msec_kf_dir_add_key(const struct m2msec_kf_dir *d, const char *dir,
			      int32_t keyring)
{
	return add_dir_key(d, dir, keyring);
}

int m2msec_keyfile_add_keys(const struct m2msec_keyfile *kf, int32_t keyring,
			    int32_t *tx_key, int32_t *rx_key)
{
	int32_t tx, rx;

	tx = add_dir_key(&kf->tx, "tx", keyring);
	if (tx < 0)
		return tx;
	rx = add_dir_key(&kf->rx, "rx", keyring);
	if (rx < 0) {
		syscall(SYS_keyctl, KEYCTL_UNLINK, tx, keyring);
		return rx;
	}
	*tx_key = tx;
	*rx_key = rx;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Generic netlink                                                     */
/* ------------------------------------------------------------------ */

static int put_dir_attrs(struct nl_msg *msg, int type,
			 const struct m2msec_kf_dir *d, int32_t key)
{
	struct nlattr *nest = nla_nest_start(msg, type);

	if (!nest || nla_put_u64(msg, M2MSEC_A_DIR_EPOCH, d->epoch) ||
	    nla_put_u64(msg, M2MSEC_A_DIR_SEQ, d->seq) ||
	    nla_put_u32(msg, M2MSEC_A_DIR_KEY, (uint32_t)key))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int m2msec_assoc_put_attrs(struct nl_msg *msg, int sockfd,
			   const struct m2msec_keyfile *kf, int32_t tx_key,
			   int32_t rx_key)
{
	if (nla_put_u32(msg, M2MSEC_A_SOCK_FD, sockfd) ||
	    nla_put(msg, M2MSEC_A_ASSOC_PEER, kf->peer_len, &kf->peer))
		return -EMSGSIZE;
	return m2msec_assoc_put_keys(msg, kf, tx_key, rx_key);
}

int m2msec_assoc_put_keys(struct nl_msg *msg, const struct m2msec_keyfile *kf,
			  int32_t tx_key, int32_t rx_key)
{
	if (nla_put_u16(msg, M2MSEC_A_ASSOC_VERSION, kf->version) ||
	    nla_put_u32(msg, M2MSEC_A_ASSOC_CIPHER, kf->cipher))
		return -EMSGSIZE;
	if (put_dir_attrs(msg, M2MSEC_A_ASSOC_TX, &kf->tx, tx_key) ||
	    put_dir_attrs(msg, M2MSEC_A_ASSOC_RX, &kf->rx, rx_key))
		return -EMSGSIZE;
	if (kf->tx_cid_len &&
	    nla_put(msg, M2MSEC_A_ASSOC_TX_CID, kf->tx_cid_len, kf->tx_cid))
		return -EMSGSIZE;
	if (kf->rx_cid_len &&
	    nla_put(msg, M2MSEC_A_ASSOC_RX_CID, kf->rx_cid_len, kf->rx_cid))
		return -EMSGSIZE;
	if (kf->suite && nla_put_u16(msg, M2MSEC_A_ASSOC_SUITE, kf->suite))
		return -EMSGSIZE;
	return 0;
}

static int assoc_id_cb(struct nlattr **tb, void *arg)
{
	uint32_t *id = arg;

	if (!tb[M2MSEC_A_ASSOC_ID])
		return -EBADMSG;
	*id = nla_get_u32(tb[M2MSEC_A_ASSOC_ID]);
	return 0;
}

#ifndef KEY_SPEC_PROCESS_KEYRING
#define KEY_SPEC_PROCESS_KEYRING -2
#endif

int m2msec_assoc_install(struct m2msec_genl *g, int sockfd,
			 const struct m2msec_keyfile *kf, uint32_t *assoc_id)
{
	int32_t tx_key, rx_key;
	struct nl_msg *msg;
	uint32_t id = 0;
	int err;

	err = m2msec_keyfile_add_keys(kf, KEY_SPEC_PROCESS_KEYRING, &tx_key,
				      &rx_key);
	if (err)
		return err;
	msg = m2msec_genl_msg(g, M2MSEC_CMD_ASSOC_NEW);
	if (!msg) {
		err = -ENOMEM;
		goto err_unlink;
	}
	err = m2msec_assoc_put_attrs(msg, sockfd, kf, tx_key, rx_key);
	if (err) {
		nlmsg_free(msg);
		goto err_unlink;
	}
	err = m2msec_genl_call(g, msg, assoc_id_cb, &id);
	if (!err && !id)
		err = -EBADMSG;
	if (err)
		goto err_unlink;
	*assoc_id = id;
	return 0;

err_unlink:
	syscall(SYS_keyctl, KEYCTL_UNLINK, tx_key, KEY_SPEC_PROCESS_KEYRING);
	syscall(SYS_keyctl, KEYCTL_UNLINK, rx_key, KEY_SPEC_PROCESS_KEYRING);
	return err;
}
