/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libm2msec ESPrim helpers for a oneM2M CSE or AE: pairwise keys in the
 * keyring, rand objects in their oneM2M JSON form (json-c), Notify content
 * carrying an ESPrim Object, and the ESPrim socket of m2msec.ko.
 *
 * The kernel never parses inner primitives: the impersonation check
 * (ESPRIM_IMPERSONATION_ERROR, 4116) belongs where the application parses
 * the decrypted primitive, with esprim_check_from().
 */
#ifndef M2MSEC_ESPRIM_H
#define M2MSEC_ESPRIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>
#include <linux/m2msec.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Keyring special ids, as in keyutils. */
#define ESPRIM_KEYRING_SESSION	(-3)
#define ESPRIM_KEYRING_USER	(-4)
#define ESPRIM_KEYRING_PROCESS	(-2)

/**
 * esprim_key_add() - add a pairwiseESPrimKey to a keyring
 * @kid: pairwiseESPrimKeyID (the key's description)
 * @key: key bytes (16..64)
 * @key_len: their number
 * @identity: the oneM2M identity (AE-ID/CSE-ID) bound to the key
 * @keyring: keyring id (e.g. ESPRIM_KEYRING_USER)
 *
 * Return: the key serial, or -1 with errno set.
 */
int32_t esprim_key_add(const char *kid, const void *key, size_t key_len,
		       const char *identity, int32_t keyring);

/**
 * esprim_rand_fresh() - a new rand object with a random value
 * @r: the object to fill
 * @role: M2MSEC_ESPRIM_RECEIVER or M2MSEC_ESPRIM_ORIGINATOR
 * @id: esprimRandID (printable ASCII, no space, '"' or '\\')
 * @lifetime_ms: expiry relative to now
 * @algs: esprimProtocolAndAlgIDs, bit n for id n (0: all of 10, 11, 12)
 *
 * Return: 0, or -1 with errno set (EINVAL for a bad id).
 */
int esprim_rand_fresh(struct m2msec_esprim_rand *r, uint8_t role,
		      const char *id, uint64_t lifetime_ms, uint32_t algs);

/**
 * esprim_rand_to_json() - oneM2M short-name JSON of a rand object
 * @r: the object
 *
 * esri, esrv (base64), esrx (absolute "YYYYMMDDTHHMMSS", UTC), esk
 * (originator) or esks (receiver), espa.
 *
 * Return: a new JSON object (json_object_put() it), or NULL.
 */
struct json_object *esprim_rand_to_json(const struct m2msec_esprim_rand *r);

/**
 * esprim_rand_from_json() - parse a rand object in short-name JSON
 * @o: the JSON object
 * @role: role to record
 * @r: the result
 *
 * esrx may be absolute ("YYYYMMDDTHHMMSS") or relative milliseconds
 * (number or digit string).
 *
 * Return: 0, or -1 with errno EINVAL.
 */
int esprim_rand_from_json(struct json_object *o, uint8_t role,
			  struct m2msec_esprim_rand *r);

/**
 * esprim_notify_wrap() - Notify content carrying an ESPrim Object
 * @object: the ESPrim Object (JWE compact)
 * @len: its length
 *
 * Return: {"m2m:seci":{"sit":5,"epo":"<object>"}} or NULL.
 */
struct json_object *esprim_notify_wrap(const char *object, size_t len);

/**
 * esprim_notify_unwrap() - the ESPrim Object in Notify content
 * @content: the Notify's primitive content
 * @object: set to the object (owned by @content)
 * @len: its length
 *
 * Return: 0, or -1 with errno EINVAL when @content is not a securityInfo
 * with sit 5 and an epo string.
 */
int esprim_notify_unwrap(struct json_object *content, const char **object,
			 size_t *len);

/**
 * struct esprim_result - what recvmsg() said about one result
 * @status: oneM2M status code (M2MSEC_RSC_*)
 * @session: session id, 0 if none
 * @kid: "kid" (unprotect), NUL-terminated, empty if absent
 * @cty: "cty" (unprotect), NUL-terminated, empty if absent
 * @peer: identity bound to the key (successful unprotect)
 */
struct esprim_result {
	uint32_t status;
	uint32_t session;
	char kid[M2MSEC_ESPRIM_KID_MAX + 1];
	char cty[M2MSEC_ESPRIM_CTY_MAX + 1];
	char peer[M2MSEC_KEY_MAX_ID_LEN + 1];
};

/** esprim_socket() - a new ESPrim socket (-1 with errno on failure) */
int esprim_socket(void);

/**
 * esprim_setopt() - setsockopt() at SOL_M2MSEC
 * @fd: ESPrim socket
 * @name: enum m2msec_esprim_sockopt
 * @arg: argument
 * @len: its size
 *
 * Return: 0 or -1 with errno.
 */
int esprim_setopt(int fd, int name, const void *arg, size_t len);

/**
 * esprim_session_add() - M2MSEC_ESPRIM_SESSION_ADD
 * @fd: ESPrim socket
 * @id: session id
 * @key: pairwise key serial
 * @alg: enum m2msec_esprim_alg
 * @flags: M2MSEC_ESPRIM_F_*
 * @rri: receiver rand id (registered)
 * @ori: originator rand id (registered)
 *
 * Return: 0 or -1 with errno.
 */
int esprim_session_add(int fd, uint32_t id, int32_t key, uint16_t alg,
		       uint16_t flags, const char *rri, const char *ori);

/**
 * esprim_send() - queue one protect (@session != 0) or unprotect
 * @fd: ESPrim socket
 * @session: session to protect with, 0 to unprotect
 * @cty: "cty" when protecting, or NULL
 * @buf: inner primitive or object
 * @len: its length
 *
 * Return: @len or -1 with errno.
 */
ssize_t esprim_send(int fd, uint32_t session, const char *cty,
		    const void *buf, size_t len);

/**
 * esprim_recv() - read one result
 * @fd: ESPrim socket
 * @buf: output buffer
 * @max: its size
 * @res: status, session, kid, cty and peer identity
 *
 * Return: bytes of output (0 for error results), or -1 with errno.
 */
ssize_t esprim_recv(int fd, void *buf, size_t max, struct esprim_result *res);

/**
 * esprim_check_from() - the impersonation check of TS-0003 8.4
 * @res: a successful unprotect result
 * @from: the From (fr) of the decrypted inner primitive
 *
 * Return: M2MSEC_RSC_OK, or M2MSEC_RSC_ESPRIM_IMPERSONATION_ERROR when the
 * primitive's originator is not the identity bound to the key.
 */
uint32_t esprim_check_from(const struct esprim_result *res, const char *from);

/* esprim_rsc_name() - the oneM2M name of a status code ("BAD_REQUEST") */
const char *esprim_rsc_name(uint32_t rsc);

#ifdef __cplusplus
}
#endif

#endif /* M2MSEC_ESPRIM_H */
