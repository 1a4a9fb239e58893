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
 * A listening socket's first flights come on its listener's channel
 * (HS_REQUEST role listener); listen.c runs the stateless cookie exchange
 * there and claims the peer's request (HS_CLAIM) once the cookie verified.
 *
 * Files: main.c (options, event loop), conf.c (configuration file),
 * suites.c (cipher suite policy), tls.c (wolfSSL contexts, credentials,
 * error mapping), hs.c (one handshake), listen.c (listeners), nl.c
 * (generic netlink), log.c, keyring.c (PSKs from the kernel keyring,
 * locked memory), rpk.c (raw public keys), ctrl.c (established
 * associations: KeyUpdate, ACKs, alerts), secmem.c (locked pages for
 * traffic secrets), notify.c (readiness to the service manager).
 */
#ifndef M2MSECD_H
#define M2MSECD_H

#include <stdint.h>
#include <sys/socket.h>
#include <syslog.h>

#include "../lib/genl.h"
#include "../lib/kx_wolf.h"
#include "notify.h"
#include "secmem.h"

#define HSD_DEFAULT_CONF	"/etc/m2msec/m2msecd.conf"
#define HSD_PSK_MAX		64
#define HSD_NAME_MAX		256

/* ------------------------------------------------------------------ */
/* log.c                                                               */
/* ------------------------------------------------------------------ */

/* Levels are syslog's: LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG. */
enum hsd_log_to {
	HSD_LOG_SYSLOG,		/* in the background */
	HSD_LOG_STDERR,		/* "m2msecd: error: ..." */
	HSD_LOG_PREFIX,		/* "<3>error: ...", sd-daemon(3) priorities */
};

/**
 * hsd_log_init() - where log lines go
 * @level: the most verbose level written
 * @to: HSD_LOG_STDERR is taken as HSD_LOG_PREFIX when standard error is
 *	the journal ($JOURNAL_STREAM names it)
 */
void hsd_log_init(int level, enum hsd_log_to to);
int hsd_log_stderr_is_journal(void);
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
	char *keyring;		/* key-keyring: read at each use, key_len 0 */
	char *server_name;	/* NULL: any */
	unsigned int line;	/* of the identity, for messages */
};

/*
 * What a server asks of clients that do not use a PSK ("client-certificate"
 * in [certificate]): a verified certificate or trusted raw key (REQUIRE, the
 * default; wolfSSL fails the handshake with an alert otherwise), one if the
 * client has it (REQUEST), or none (NONE).  Clients without one are then
 * installed with the peer identity "anonymous".
 */
enum hsd_client_auth {
	HSD_CLIENT_AUTH_REQUIRE,
	HSD_CLIENT_AUTH_REQUEST,
	HSD_CLIENT_AUTH_NONE,
};

/* A [certificate] section: our certificate chain and key. */
struct hsd_cert {
	struct hsd_cert *next;
	char *server_name;	/* NULL: the default */
	char *cert, *key, *ca;	/* ca NULL: the global one */
	char *rpk;		/* our key as a raw public key, not cert */
	int client_auth;	/* enum hsd_client_auth */
	WOLFSSL_CTX *ctx[2];	/* per enum kx_role, made by tls.c */
};

/* A [peer] section: per-peer exceptions. */
struct hsd_peer {
	struct hsd_peer *next;
	char *server_name;	/* matches the SNI a client sends */
	struct sockaddr_storage addr;	/* or the peer's address */
	socklen_t addr_len;	/* 0: match by server_name */
	int no_verify;		/* certificate chain not checked */
	uint8_t *rpk;		/* trusted raw public key (DER SPKI) */
	size_t rpk_len;
	unsigned int line;
};

#define HSD_V12		0x1
#define HSD_V13		0x2

/*
 * Key update policy (DTLS 1.3): rekey-after-seconds and
 * rekey-after-records, 0 (off) or within these bounds.
 */
#define HSD_REKEY_SECS_MIN	10
#define HSD_REKEY_SECS_MAX	604800		/* a week */
#define HSD_REKEY_RECS_MIN	16
#define HSD_REKEY_RECS_MAX	4294967295UL
#define HSD_REKEY_POLL_MS	2000	/* records sent: read this often */

struct hsd_conf;

/* What tls.c's callbacks need of a handshake. */
struct hs_tls {
	struct hsd_conf *conf;
	enum kx_role role;
	char server_name[HSD_NAME_MAX];
	char psk_identity[129];	/* sent or received */
	int psk_unknown;	/* server: a client's identity was not found */
	int scratch;		/* stand-in: see tls.c */
	const struct hs_params *params;	/* NULL in the stand-in */
	WOLFSSL *ssl;
	char rpk_id[80];	/* rpk:sha256:HEX of an accepted raw key */
	int rpk_unknown;	/* the peer's raw public key is not trusted */
	int anonymous_ok;	/* server: client-certificate request|none */
	int cert_requested;	/* client with a key: CertificateRequest seen */
};
/*
 * A configuration and the wolfSSL contexts made from it.  Reference
 * counted: struct hsd holds one reference to the current configuration,
 * every handshake one to the configuration it started with, so a reload
 * (SIGHUP) changes nothing for handshakes in progress.
 */
struct hsd_conf {
	unsigned int refs;
	const char *path;
	unsigned int versions;	/* HSD_V12 | HSD_V13 */
	char *ciphers;		/* wolfSSL list, ':' separated, policy-checked */
	char *suite13;		/* first DTLS 1.3 suite, for PSK callbacks */
	char *ca;
	unsigned int timeout_ms;
	unsigned int max_handshakes;
	size_t cid_len;
	unsigned int rekey_after_s;	/* 0: no key update by age */
	unsigned long rekey_after_recs;	/* 0: none by records sent */
	int rpk_peers;		/* some [peer] has an rpk */
	struct hsd_psk *psks;
	struct hsd_cert *certs;
	struct hsd_peer *peers;
	WOLFSSL_CTX *plain_ctx[2];	/* no certificate: PSK only */
	struct hs_tls scratch;		/* PSK context of the contexts */
	uint8_t *secret;		/* locked, HSD_SECRET_SIZE: keyring reads */
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
 * hsd_conf_open() - load a configuration and make its wolfSSL contexts
 * @path: the file
 *
 * Return: a configuration holding one reference, or NULL (reasons logged).
 */
struct hsd_conf *hsd_conf_open(const char *path);
struct hsd_conf *hsd_conf_get(struct hsd_conf *c);
void hsd_conf_put(struct hsd_conf *c);

struct hsd;

/**
 * hsd_conf_reload() - SIGHUP: replace the current configuration
 * @d: the daemon; d->conf is replaced only if @path loads completely
 * @path: the file
 *
 * Handshakes in progress keep the configuration they started with.
 * Return: 0, or -1 with the old configuration kept and the reason logged.
 */
int hsd_conf_reload(struct hsd *d, const char *path);

/* ------------------------------------------------------------------ */
/* keyring.c                                                           */
/* ------------------------------------------------------------------ */

/* A locked, non-dumpable page for key material read from the keyring. */
#define HSD_SECRET_SIZE		4096
uint8_t *hsd_secret_alloc(void);
void hsd_secret_free(uint8_t *p);

/**
 * hsd_keyring_psk() - read a PSK from a "user" key of the daemon's keyrings
 * @desc: the key's description (key-keyring)
 * @buf: locked memory of HSD_SECRET_SIZE bytes (hsd_secret_alloc())
 * @len: the key's length
 * @why: the reason on failure (never key material)
 * @whylen: size of @why
 *
 * Searches the session keyring, then the user keyring, then the
 * persistent keyring of the daemon's user.  A key that group or other may
 * read, or whose length is not 1 to HSD_PSK_MAX bytes, is refused.  The
 * caller zeroes @buf after use.
 * Return: 0, or -1.
 */
int hsd_keyring_psk(const char *desc, uint8_t *buf, size_t *len, char *why,
		    size_t whylen);

/**
 * hsd_psk_key() - the key of [psk] @k, into wolfSSL's buffer @key
 *
 * From the configuration, or read from the keyring now (errors logged).
 * Return: the key's length, or 0 (no key: the handshake fails).
 */
unsigned int hsd_psk_key(const struct hsd_conf *c, const struct hsd_psk *k,
			 uint8_t *key, unsigned int key_max);

/**
 * hsd_secret_file_open() - open a key file, refused unless it is safe
 * @path: the file
 * @what: what it holds, for the message ("private key")
 *
 * m2msec_file_check() with M2MSEC_FILE_SECRET on the opened descriptor:
 * a regular file of root or of the daemon's user that group and other
 * may not write and other may not read.
 * Return: the descriptor, or -1 with the reason logged.
 */
int hsd_secret_file_open(const char *path, const char *what);

/* hsd_secret_file_open() and close: for checks at configuration time. */
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

#define HSD_SUITES_PSK		0x1
#define HSD_SUITES_CERT		0x2
char *hsd_suites_for(const char *list, unsigned int kinds);

/* The default list: the oneM2M mandatory suites and modern AEAD suites. */
extern const char hsd_default_ciphers[];

/* ------------------------------------------------------------------ */
/* hs.c, tls.c, nl.c, main.c                                           */
/* ------------------------------------------------------------------ */

enum hsd_src_kind { HSD_SRC_NL, HSD_SRC_SIG, HSD_SRC_HS, HSD_SRC_LISTEN,
		    HSD_SRC_CTL };

struct hs;
struct hsd_lsn;
struct ctl;

/* The event loop and everything it owns. */
struct hsd {
	enum hsd_src_kind nl_kind, sig_kind;	/* epoll tags */
	int epfd, sigfd;
	struct hsd_conf *conf;		/* current: for new handshakes */
	struct m2msec_genl req;		/* HS_ACCEPT, HS_DONE */
	struct nl_sock *mc;		/* HS_REQUEST notifications */
	struct hs *list;
	unsigned int count;
	struct hsd_lsn *listeners;	/* listen.c */
	uint8_t cookie_secret[32];	/* listen.c: HVR and HRR cookies */
	struct ctl *ctls;		/* established associations (ctrl.c) */
	struct hsd_secmem secrets;	/* struct kx_session of hs.c, ctrl.c */
	uint64_t rekey_poll_ms;		/* ctrl.c: next read of records sent */
	int stop;
	/* --udp test mode: one handshake on a UDP socket, key file out */
	const char *test_out;
	int test_status;
};

/* Parameters of one handshake, from HS_ACCEPT (or --udp). */
struct hs_params {
	uint32_t id;
	enum kx_role role;
	int listener;		/* the listener of a listening socket */
	int fd;
	struct sockaddr_storage peer, local;
	socklen_t peer_len, local_len;
	char server_name[HSD_NAME_MAX];
};

/* rpk.c: raw public keys (RFC 7250) */
int hsd_rpk_supported(void);
int hsd_rpk_load(const char *path, uint8_t **der, size_t *len);
int hsd_rpk_ctx(struct hsd_conf *c, WOLFSSL_CTX *ctx, enum kx_role role,
		const struct hsd_cert *k);
VerifyCallback hsd_rpk_verify(const struct hsd_conf *c);
void hsd_rpk_ssl(WOLFSSL *ssl, struct hs_tls *t);
int hsd_same_ip(const struct sockaddr_storage *a,
		const struct sockaddr_storage *b);

/* sni.c: the server_name of a ClientHello datagram; 0 or -1 (none). */
int hsd_clienthello_sni(const uint8_t *d, size_t len, char *out,
			size_t outlen);

int hsd_tls_init(struct hsd_conf *c);
void hsd_tls_exit(struct hsd_conf *c);
WOLFSSL *hsd_tls_new(struct hsd *d, struct hs_tls *t,
		     const struct hs_params *p);
void hsd_tls_forget_chains(WOLFSSL *ssl);
int hsd_tls_handshake(WOLFSSL *ssl, enum kx_role role);
int hsd_tls_errno(WOLFSSL *ssl, int err, char *msg, size_t msglen);
int hsd_tls_peer_id(WOLFSSL *ssl, const char *psk_identity, char *buf,
		    size_t len);
const struct hsd_peer *hsd_peer_find(const struct hsd_conf *c,
				     const struct hs_params *p);

struct hs_tls *hs_tls_of(WOLFSSL *ssl);

int hs_start(struct hsd *d, const struct hs_params *p);
struct hs *hs_adopt(struct hsd *d, const struct hs_params *p, WOLFSSL *ssl,
		    const uint8_t *dgram, size_t len);
void hs_kick(struct hs *hs);
void hs_event(struct hsd *d, enum hsd_src_kind *tag, uint32_t events);
int hs_timeout_ms(struct hsd *d);
void hs_timers(struct hsd *d);
void hs_abort_all(struct hsd *d);

int hsd_nl_open(struct hsd *d);
void hsd_nl_close(struct hsd *d);
void hsd_nl_event(struct hsd *d);
void hsd_nl_pending(struct hsd *d);
int hsd_nl_done(struct hsd *d, uint32_t id, int status,
		const struct m2msec_keyfile *kf, const char *peer_id,
		int *ctrl_fd, uint32_t *assoc_id);

/* What ctrl.c keeps of a finished handshake. */
/*
 * Our last flight of a handshake, kept verbatim after HS_DONE: a peer that
 * lost it retransmits its own flight, and the same datagrams are sent
 * again (the same bytes with the same record numbers: nothing new is
 * encrypted, no nonce is reused for other data).  Only when our last I/O
 * was a write: otherwise the peer's flight ended the handshake.
 */
#define HSD_FLIGHT_MAX		8
#define HSD_FLIGHT_KEEP_MS	60000	/* the peer's retransmissions give up */
#define HSD_FLIGHT_GAP_MS	250	/* at most one resend per gap */
#define HSD_FLIGHT_RESENDS	10

struct hsd_flight {
	uint8_t *dgram[HSD_FLIGHT_MAX];
	uint16_t len[HSD_FLIGHT_MAX];
	int n;
	int read_since;		/* a datagram arrived after the last write */
};

void hsd_flight_note_tx(struct hsd_flight *f, const void *buf, size_t len);
void hsd_flight_clear(struct hsd_flight *f);

struct ctrl_params {
	int fd;				/* the association's control channel */
	uint32_t assoc_id;
	enum kx_role role;
	const struct kx_session *s;
	uint64_t tx_epoch, rx_epoch;
	unsigned int msg_seq;		/* our next handshake message_seq */
	struct hsd_flight *flight;	/* taken over (emptied) when kept */
	int hs_fd;			/* handshake channel, for resends */
	const char *peer_str;
	const struct sockaddr_storage *peer;	/* matched in ASSOC_GET dumps */
};

int ctrl_start(struct hsd *d, const struct ctrl_params *p);
struct kx_session *hsd_session_alloc(struct hsd *d);
void hsd_session_free(struct hsd *d, struct kx_session *s);
void ctrl_event(struct hsd *d, enum hsd_src_kind *tag, uint32_t events);
int ctrl_timeout_ms(struct hsd *d);
void ctrl_timers(struct hsd *d);
void ctrl_close_all(struct hsd *d);
void ctrl_note_tx(int *plain_max, const uint8_t *d, size_t len);
unsigned int ctrl_next_msg_seq(enum kx_role role, int plain_max, int psk,
			       int cert_req);

int hsd_nl_params_cb(struct nlattr **tb, void *arg);

/* listen.c: stateless cookie exchange on a listening socket's listener. */
int hsd_listen_init(struct hsd *d);
int hsd_listen_start(struct hsd *d, const struct hs_params *p);
void hsd_listen_event(struct hsd *d, enum hsd_src_kind *tag, uint32_t events);
void hsd_listen_close_all(struct hsd *d);

uint64_t hsd_now_ms(void);

#endif /* M2MSECD_H */
