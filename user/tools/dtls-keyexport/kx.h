/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dtls-keyexport: shared definitions of the front end (main.c), the TLS
 * library back ends (ossl.c, wolf.c), the key derivations (kdf.c) and the
 * record observer (observe.c).
 *
 * The back ends include their library's headers and nothing of the other
 * library: wolfSSL's OpenSSL compatibility layer redefines OpenSSL names.
 */
#ifndef KX_H
#define KX_H

#include <stddef.h>
#include <stdint.h>

#include "../../lib/keyfile.h"

#define KX_SECRET_MAX	48

enum kx_role { KX_CLIENT, KX_SERVER };

/* What the user asked for. */
struct kx_opts {
	const char *lib;	/* "openssl" or "wolfssl" */
	uint16_t version;	/* M2MSEC_DTLS_1_2 / _1_3 */
	enum kx_role role;
	const char *psk_identity;
	uint8_t psk[64];
	size_t psk_len;
	const char *cert, *key, *ca;
	const char *cipher;	/* library suite list, or NULL */
	uint8_t cid[M2MSEC_CID_MAX];
	size_t cid_len;		/* 0: no CID */
	int timeout;		/* seconds, for the handshake */
	int verbose;
};

/*
 * Records seen on the wire in one direction: the highest epoch that carried
 * a record, and the highest sequence number in that epoch.
 */
struct kx_seen {
	uint64_t epoch;
	uint64_t max_seq;
	unsigned int records;	/* in that epoch */
};

/*
 * The DTLS 1.3 record number keys of the application epoch, known once the
 * traffic secrets are, so that the observer can read the record numbers of
 * that epoch's records.
 */
struct kx_observer {
	uint16_t version;
	enum m2msec_cipher cipher;
	uint8_t tx_sn_key[M2MSEC_KF_KEY_MAX], rx_sn_key[M2MSEC_KF_KEY_MAX];
	size_t sn_key_len;	/* 0 until known */
	size_t tx_cid_len, rx_cid_len;
	struct kx_seen tx, rx;
	int verbose;
};

/* One established session, as a back end reports it. */
struct kx_session {
	uint16_t version;
	uint16_t suite;		/* IANA */
	enum m2msec_cipher cipher;
	const char *prf_hash;	/* "SHA256" or "SHA384" */
	/* DTLS 1.2 */
	uint8_t master[48];
	uint8_t client_random[32], server_random[32];
	/* DTLS 1.3 application traffic secrets */
	uint8_t client_secret[KX_SECRET_MAX], server_secret[KX_SECRET_MAX];
	size_t secret_len;
	/* CIDs: the one we receive with (ours) and the one we send (peer's) */
	uint8_t rx_cid[M2MSEC_CID_MAX], tx_cid[M2MSEC_CID_MAX];
	size_t rx_cid_len, tx_cid_len;
};

/* Run the handshake on the connected UDP socket @fd; 0 or -1 (printed). */
int kx_openssl_handshake(const struct kx_opts *o, int fd,
			 struct kx_session *s, struct kx_observer *obs);
int kx_wolfssl_handshake(const struct kx_opts *o, int fd,
			 struct kx_session *s, struct kx_observer *obs);

/* Suite table: cipher and PRF hash of an IANA suite; 0 or -1 (unknown). */
int kx_suite_info(uint16_t version, uint16_t suite, enum m2msec_cipher *c,
		  const char **hash);

/*
 * DTLS 1.2 (RFC 5246 6.3): key_block = PRF(master, "key expansion",
 * server_random || client_random); AEAD suites take client_write_key,
 * server_write_key, client_write_IV, server_write_IV from it.
 */
int kx_derive12(const struct kx_session *s, enum kx_role role,
		struct m2msec_kf_dir *tx, struct m2msec_kf_dir *rx);

/*
 * DTLS 1.3 (RFC 8446 7.3, RFC 9147 5.9): key, iv and sn from a traffic
 * secret with HKDF-Expand-Label and the "dtls13" label prefix.
 */
int kx_derive13(const struct kx_session *s, enum kx_role role,
		struct m2msec_kf_dir *tx, struct m2msec_kf_dir *rx);

/* The 5-byte record number mask (RFC 9147 4.2.3) of a ciphertext. */
int kx_sn_mask(enum m2msec_cipher c, const uint8_t *sn_key, size_t key_len,
	       const uint8_t *ct, size_t ct_len, uint8_t mask[2]);

/* Feed one datagram that was sent (@tx) or received to the observer. */
void kx_observe(struct kx_observer *obs, int tx, const uint8_t *d,
		size_t len);

#endif /* KX_H */
