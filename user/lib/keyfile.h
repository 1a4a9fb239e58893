/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Static association files: the keys, IVs, epochs and sequence numbers of
 * one DTLS association, in a small "name value" text format, and their
 * installation into the kernel (keyring + M2MSEC_CMD_ASSOC_NEW).
 *
 *   version 1.2                  1.2 or 1.3
 *   cipher AES-128-CCM-8         a record cipher name of m2msecctl info
 *   peer 192.0.2.1:5684          or [2001:db8::1]:5684
 *   local 0.0.0.0:4433           optional, the address to bind
 *   tx-epoch 1                   tx-seq, tx-key, tx-iv, tx-sn-key (1.3)
 *   rx-epoch 1                   rx-seq, rx-key, rx-iv, rx-sn-key (1.3)
 *   tx-cid 0a0b                  optional, the peer's CID (sent records)
 *   rx-cid 0c0d                  optional, our CID (received records)
 *
 * See Documentation/man/m2msec-nc.1 for the full description.
 */
#ifndef M2MSEC_KEYFILE_H
#define M2MSEC_KEYFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <linux/m2msec.h>

#ifdef __cplusplus
extern "C" {
#endif

struct m2msec_genl;
struct nl_msg;

/* Largest values any cipher and version need. */
#define M2MSEC_KF_KEY_MAX	32
#define M2MSEC_KF_IV_MAX	12
#define M2MSEC_KF_SEQ_MAX	((1ULL << 48) - 1)
#define M2MSEC_KF_EPOCH12_MAX	0xffffULL

/**
 * struct m2msec_kf_dir - one direction of an association
 * @epoch: epoch of the keys
 * @seq: TX: next sequence number to send; RX: lowest acceptable one
 * @key: AEAD key, @key_len bytes
 * @iv: DTLS 1.2 GCM/CCM: 4-byte salt; otherwise the 12-byte IV
 * @sn_key: DTLS 1.3 record number key (@sn_key_len == @key_len), else empty
 */
struct m2msec_kf_dir {
	uint64_t epoch;
	uint64_t seq;
	uint8_t key[M2MSEC_KF_KEY_MAX];
	uint8_t iv[M2MSEC_KF_IV_MAX];
	uint8_t sn_key[M2MSEC_KF_KEY_MAX];
	size_t key_len, iv_len, sn_key_len;
};

/**
 * struct m2msec_keyfile - a parsed static association file
 * @version: M2MSEC_DTLS_1_2 or M2MSEC_DTLS_1_3
 * @cipher: the record cipher
 * @peer: the peer's UDP address, @peer_len bytes (sockaddr_in or _in6)
 * @local: the address to bind; @local_len is 0 when the file has none
 * @tx: the sending direction
 * @rx: the receiving direction
 * @tx_cid: CID put in sent records; @tx_cid_len 0: none
 * @rx_cid: CID expected in received records; @rx_cid_len 0: none
 */
struct m2msec_keyfile {
	uint16_t version;
	enum m2msec_cipher cipher;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct sockaddr_storage local;
	socklen_t local_len;
	struct m2msec_kf_dir tx, rx;
	uint8_t tx_cid[M2MSEC_CID_MAX];
	uint8_t rx_cid[M2MSEC_CID_MAX];
	size_t tx_cid_len, rx_cid_len;
	uint16_t suite;		/* negotiated cipher suite, 0: not known */
};

/**
 * m2msec_cipher_by_name() - record cipher for a name such as "AES-128-GCM"
 *
 * Return: the cipher, or M2MSEC_CIPHER_UNSPEC for an unknown name.
 */
enum m2msec_cipher m2msec_cipher_by_name(const char *name);

/**
 * m2msec_cipher_name() - the name of a record cipher ("?" when unknown)
 */
const char *m2msec_cipher_name(enum m2msec_cipher c);

/**
 * m2msec_cipher_key_len() - AEAD key length of a cipher in bytes (0: unknown)
 */
size_t m2msec_cipher_key_len(enum m2msec_cipher c);

/**
 * m2msec_cipher_iv_len() - IV length a cipher uses in a DTLS version
 * @c: the cipher
 * @version: M2MSEC_DTLS_1_2 or M2MSEC_DTLS_1_3
 *
 * Return: 4 (the DTLS 1.2 GCM/CCM implicit salt) or 12; 0 when unknown.
 */
size_t m2msec_cipher_iv_len(enum m2msec_cipher c, uint16_t version);

/**
 * m2msec_parse_addr() - parse "ADDR:PORT" or "[ADDR6]:PORT"
 * @s: the text
 * @ss: filled with a sockaddr_in or sockaddr_in6
 * @len: filled with its length
 * @allow_port0: whether port 0 (any port) is accepted
 *
 * Return: 0, or -EINVAL.
 */
int m2msec_parse_addr(const char *s, struct sockaddr_storage *ss,
		      socklen_t *len, int allow_port0);

/**
 * m2msec_format_addr() - "ADDR:PORT" or "[ADDR6]:PORT" into @buf
 *
 * Return: @buf.
 */
char *m2msec_format_addr(const struct sockaddr *sa, char *buf, size_t size);

/**
 * m2msec_keyfile_parse() - parse a static association file
 * @f: the open file
 * @name: its name, for messages
 * @kf: filled in; zeroed with explicit_bzero() on failure
 * @err: receives a message "NAME:LINE: what is wrong" on failure
 * @errlen: size of @err
 *
 * Unknown names, repeated names, values that do not parse, key and IV
 * lengths that do not fit the cipher and version, and missing required
 * names are errors.
 *
 * Return: 0, or -EINVAL (-EIO when reading fails, -E2BIG for a line
 * longer than 1023 bytes).
 */
int m2msec_keyfile_parse(FILE *f, const char *name, struct m2msec_keyfile *kf,
			 char *err, size_t errlen);

/**
 * m2msec_keyfile_load() - m2msec_keyfile_parse() on the file at @path
 *
 * Return: as m2msec_keyfile_parse(), or a negative errno from opening it.
 */
int m2msec_keyfile_load(const char *path, struct m2msec_keyfile *kf,
			char *err, size_t errlen);

/**
 * m2msec_keyfile_write() - write @kf in the file format
 *
 * Return: 0, or -EIO.
 */
int m2msec_keyfile_write(FILE *f, const struct m2msec_keyfile *kf);

/**
 * m2msec_keyfile_clear() - wipe @kf (explicit_bzero)
 */
void m2msec_keyfile_clear(struct m2msec_keyfile *kf);

/* Size of the largest record key payload. */
#define M2MSEC_KF_PAYLOAD_MAX \
	(sizeof(struct m2msec_key_payload) + 2 * M2MSEC_KF_KEY_MAX + \
	 M2MSEC_KF_IV_MAX)

/**
 * m2msec_kf_dir_payload() - "m2msec" key payload of kind M2MSEC_KEY_RECORD
 * @d: the direction
 * @buf: at least M2MSEC_KF_PAYLOAD_MAX bytes; the caller wipes it
 *
 * Return: the payload length.
 */
size_t m2msec_kf_dir_payload(const struct m2msec_kf_dir *d, uint8_t *buf);

/**
 * m2msec_kf_dir_add_key() - add the key of one direction to @keyring
 * @d: the direction
 * @dir: "tx" or "rx", for the description
 * @keyring: e.g. KEY_SPEC_PROCESS_KEYRING
 *
 * Return: the key serial or a negative errno.
 */
int32_t m2msec_kf_dir_add_key(const struct m2msec_kf_dir *d, const char *dir,
			      int32_t keyring);

/**
 * m2msec_keyfile_add_keys() - add the TX and RX keys with add_key(2)
 * @kf: the association
 * @keyring: destination keyring serial, e.g. KEY_SPEC_PROCESS_KEYRING
 * @tx_key: receives the serial of the TX key
 * @rx_key: receives the serial of the RX key
 *
 * The keys are described "m2msec:tx:PID:N" and "m2msec:rx:PID:N".  On
 * failure nothing stays added.
 *
 * Return: 0, or the negative errno of add_key() (-ENODEV: the key type is
 * unknown, i.e. the module is not loaded).
 */
int m2msec_keyfile_add_keys(const struct m2msec_keyfile *kf, int32_t keyring,
			    int32_t *tx_key, int32_t *rx_key);

/**
 * m2msec_assoc_put_attrs() - the attributes of M2MSEC_CMD_ASSOC_NEW
 * @msg: a request from m2msec_genl_msg()
 * @sockfd: the m2msec DTLS socket
 * @kf: the association
 * @tx_key: serial of the TX key
 * @rx_key: serial of the RX key
 *
 * Return: 0, or -EMSGSIZE.
 */
int m2msec_assoc_put_attrs(struct nl_msg *msg, int sockfd,
			   const struct m2msec_keyfile *kf, int32_t tx_key,
			   int32_t rx_key);

/**
 * m2msec_assoc_put_keys() - the same without SOCK_FD and PEER: version,
 * cipher, both directions and the CIDs (M2MSEC_CMD_HS_DONE takes these)
 *
 * Return: 0, or -EMSGSIZE.
 */
int m2msec_assoc_put_keys(struct nl_msg *msg, const struct m2msec_keyfile *kf,
			  int32_t tx_key, int32_t rx_key);

/**
 * m2msec_assoc_install() - add the keys and install the association
 * @g: open generic netlink handle
 * @sockfd: the m2msec DTLS socket the association belongs to
 * @kf: the association
 * @assoc_id: receives the association id the kernel chose
 *
 * Adds both keys to the process keyring, then sends M2MSEC_CMD_ASSOC_NEW.
 * When the kernel refuses, the keys are unlinked again.
 *
 * Return: 0, or a negative errno (from add_key() or the kernel).
 */
int m2msec_assoc_install(struct m2msec_genl *g, int sockfd,
			 const struct m2msec_keyfile *kf, uint32_t *assoc_id);

#ifdef __cplusplus
}
#endif

#endif /* M2MSEC_KEYFILE_H */
