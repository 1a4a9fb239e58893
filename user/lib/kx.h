/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Key export after a DTLS handshake run by a userspace TLS library: the
 * cipher suite table, the key derivations (kx_kdf.c, over OpenSSL
 * libcrypto for dtls-keyexport or wolfCrypt for m2msecd: kx_crypto.h),
 * the record observer that learns sequence numbers from the wire
 * (kx_observe.c), and the association built from all of it.  Used by
 * dtls-keyexport and m2msecd; kx_wolf.h adds the wolfSSL glue.
 */
#ifndef M2MSEC_KX_H
#define M2MSEC_KX_H

#include <stddef.h>
#include <stdint.h>

#include "keyfile.h"

#define KX_SECRET_MAX	48

enum kx_role { KX_CLIENT, KX_SERVER };

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

/* One established session, as a TLS library back end reports it. */
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

/* key, iv and sn of one direction from its traffic secret (as above). */
int kx_dir13(const struct kx_session *s, const uint8_t *secret,
	     struct m2msec_kf_dir *d);

/*
 * KeyUpdate (RFC 8446 7.2, RFC 9147 8): application_traffic_secret_N+1 =
 * HKDF-Expand-Label(secret_N, "traffic upd", "", Hash.length), with the
 * "dtls13" prefix; @next receives s->secret_len bytes.
 */
int kx_next_secret13(const struct kx_session *s, const uint8_t *secret,
		     uint8_t *next);

/* The 5-byte record number mask (RFC 9147 4.2.3) of a ciphertext. */
int kx_sn_mask(enum m2msec_cipher c, const uint8_t *sn_key, size_t key_len,
	       const uint8_t *ct, size_t ct_len, uint8_t mask[2]);

/* Feed one datagram that was sent (@tx) or received to the observer. */
void kx_observe(struct kx_observer *obs, int tx, const uint8_t *d,
		size_t len);

/**
 * kx_build_assoc() - the association of an established session
 * @s: the session (version, cipher, secrets, CIDs)
 * @obs: what was seen on the wire during the handshake
 * @role: our side
 * @kf: receives version, cipher, both directions and the CIDs (peer and
 *	local are left alone)
 * @err: receives a message on failure
 * @errlen: size of @err
 *
 * The first sequence numbers of the exported epoch (1 for DTLS 1.2, 3 for
 * DTLS 1.3) are the next ones after the highest record seen in that epoch,
 * or 0 when it has carried nothing yet.
 *
 * Return: 0, or -1 with @err set.
 */
int kx_build_assoc(const struct kx_session *s, const struct kx_observer *obs,
		   enum kx_role role, struct m2msec_keyfile *kf, char *err,
		   size_t errlen);

#endif /* M2MSEC_KX_H */
