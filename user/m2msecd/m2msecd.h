/* SPDX-License-Identifier: GPL-2.0 */
/*
 * m2msecd: the DTLS handshake daemon of m2msec.
 *
 *   kernel (m2msec socket)                 m2msecd
 *   connect() / first flight from a peer
 *     -- HS_REQUEST (multicast "handshake") -->  nl.c
 *     <-- HS_ACCEPT (id) ----------------------  nl.c
 *     --- reply: HS_FD ----------------------->  hs.c: wolfSSL over the fd,
 *         handshake records <-- HS_FD -->         retransmissions on timers
 *     <-- HS_DONE (status, keys, peer id) ----   hs.c + user/lib/kx*.c
 *
 * Files: main.c (options, event loop), conf.c (configuration file),
 * suites.c (cipher suite policy), tls.c (wolfSSL contexts, credentials,
 * error mapping), hs.c (one handshake), nl.c (generic netlink), log.c.
 */
#ifndef M2MSECD_H
#define M2MSECD_H

#include <stdint.h>
#include <sys/socket.h>
#include <syslog.h>

#include "../lib/genl.h"
#include "../lib/kx_wolf.h"

#define HSD_DEFAULT_CONF	"/etc/m2msec/m2msecd.conf"
#define HSD_PSK_MAX		64
#define HSD_NAME_MAX		256

/* ------------------------------------------------------------------ */
/* log.c                                                               */
/* ------------------------------------------------------------------ */

/* Levels are syslog's: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG. */
void hsd_log_init(int level, int to_stderr);
void hsd_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ------------------------------------------------------------------ */
/* conf.c                                                              */
/* ------------------------------------------------------------------ */

/* A [psk] section. */
struct hsd_psk {
	struct hsd_psk *next;
	char *identity;
	uint8_t key[HSD_PSK_MAX];
	size_t key_len;
	char *server_name;	/* NULL: any */
};

/* A [certificate] section: our certificate chain and key. */
struct hsd_cert {
	struct hsd_cert *next;
	char *server_name;	/* NULL: the default */
	char *cert, *key, *ca;	/* ca NULL: the global one */
	int require_client_cert;
	WOLFSSL_CTX *ctx[2];	/* per enum kx_role, made by tls.c */
};

/* A [peer] section: per-peer exceptions. */
struct hsd_peer {
	struct hsd_peer *next;
	char *server_name;	/* matches the SNI a client sends */
	struct sockaddr_storage addr;	/* or the peer's address */
	socklen_t addr_len;	/* 0: match by server_name */
	int no_verify;		/* certificate chain not checked */
	unsigned int line;
};

#define HSD_V12		0x1
#define HSD_V13		0x2

struct hsd_conf;

/* What tls.c's callbacks need of a handshake. */
struct hs_tls {
	struct hsd_conf *conf;
	enum kx_role role;
	char server_name[HSD_NAME_MAX];
	char psk_identity[129];	/* sent or received */
	int psk_unknown;	/* server: a client's identity was not found */
	int scratch;		/* stand-in: see tls.c */
};
struct hsd_conf {
	const char *path;
	unsigned int versions;	/* HSD_V12 | HSD_V13 */
	char *ciphers;		/* wolfSSL list, ':' separated, policy-checked */
	char *suite13;		/* first DTLS 1.3 suite, for PSK callbacks */
	char *ca;
	unsigned int timeout_ms;
	unsigned int max_handshakes;
	size_t cid_len;
	struct hsd_psk *psks;
	struct hsd_cert *certs;
	struct hsd_peer *peers;
	WOLFSSL_CTX *plain_ctx[2];	/* no certificate: PSK only */
	struct hs_tls scratch;		/* PSK context of the contexts */
};

/**
 * hsd_conf_load() - read and check the configuration file
 * @path: the file
 * @c: filled in; hsd_conf_free() it even on failure
 *
 * Every problem is logged as "FILE:LINE: what is wrong, what to do".
 * Return: 0 or -1.
 */
int hsd_conf_load(const char *path, struct hsd_conf *c);
void hsd_conf_free(struct hsd_conf *c);

/**
 * hsd_secret_file_ok() - refuse a key file others may read or write
 *
 * Return: 0, or -1 with the reason logged.
 */
int hsd_secret_file_ok(const char *path, const char *what);

/* ------------------------------------------------------------------ */
/* suites.c                                                            */
/* ------------------------------------------------------------------ */

/**
 * hsd_suite_check() - is @name (wolfSSL spelling) a suite the kernel runs
 * @name: e.g. "PSK-AES128-CCM-8" or "TLS13-AES128-GCM-SHA256"
 * @why: receives the reason on refusal
 * @whylen: size of @why
 *
 * Return: 0 (allowed), 1 (a DTLS 1.3 suite, allowed), -1 (refused).
 */
int hsd_suite_check(const char *name, char *why, size_t whylen);
const char *hsd_suite_canonical(const char *name);

/* The default list: the oneM2M mandatory suites and modern AEAD suites. */
extern const char hsd_default_ciphers[];

/* ------------------------------------------------------------------ */
/* hs.c, tls.c, nl.c, main.c                                           */
/* ------------------------------------------------------------------ */

enum hsd_src_kind { HSD_SRC_NL, HSD_SRC_SIG, HSD_SRC_HS };

struct hs;

/* The event loop and everything it owns. */
struct hsd {
	enum hsd_src_kind nl_kind, sig_kind;	/* epoll tags */
	int epfd, sigfd;
	struct hsd_conf conf;
	struct m2msec_genl req;		/* HS_ACCEPT, HS_DONE */
	struct nl_sock *mc;		/* HS_REQUEST notifications */
	struct hs *list;
	unsigned int count;
	int stop;
	/* --udp test mode: one handshake on a UDP socket, key file out */
	const char *test_out;
	int test_status;
};

/* Parameters of one handshake, from HS_ACCEPT (or --udp). */
struct hs_params {
	uint32_t id;
	enum kx_role role;
	int fd;
	struct sockaddr_storage peer, local;
	socklen_t peer_len, local_len;
	char server_name[HSD_NAME_MAX];
};

/* sni.c: the server_name of a ClientHello datagram; 0 or -1 (none). */
int hsd_clienthello_sni(const uint8_t *d, size_t len, char *out,
			size_t outlen);

int hsd_tls_init(struct hsd_conf *c);
void hsd_tls_exit(struct hsd_conf *c);
WOLFSSL *hsd_tls_new(struct hsd *d, struct hs *hs, const struct hs_params *p);
void hsd_tls_forget_chains(WOLFSSL *ssl);
int hsd_tls_errno(WOLFSSL *ssl, int err, char *msg, size_t msglen);
int hsd_tls_peer_id(WOLFSSL *ssl, const char *psk_identity, char *buf,
		    size_t len);
const struct hsd_peer *hsd_peer_find(const struct hsd_conf *c,
				     const struct hs_params *p);

struct hs_tls *hs_tls_of(WOLFSSL *ssl);

int hs_start(struct hsd *d, const struct hs_params *p);
void hs_event(struct hsd *d, enum hsd_src_kind *tag, uint32_t events);
int hs_timeout_ms(struct hsd *d);
void hs_timers(struct hsd *d);
void hs_abort_all(struct hsd *d);

int hsd_nl_open(struct hsd *d);
void hsd_nl_close(struct hsd *d);
void hsd_nl_event(struct hsd *d);
int hsd_nl_done(struct hsd *d, uint32_t id, int status,
		const struct m2msec_keyfile *kf, const char *peer_id);

uint64_t hsd_now_ms(void);

#endif /* M2MSECD_H */
