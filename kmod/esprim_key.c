// SPDX-License-Identifier: GPL-2.0
/*
 * ESPrim pairwise keys from the keyring.
 *
 * A pairwiseESPrimKey is an "m2msec" key of kind M2MSEC_KEY_ESPRIM_PAIRWISE;
 * its description is the pairwiseESPrimKeyID ("kid") and its payload holds
 * the key and the oneM2M identity bound to it.  Keys are looked up by
 * serial in the caller's context with search permission, like keyctl(2)
 * does, so the keyring's access control decides who may use a key.  Every
 * use re-checks the key (key_validate()), so revocation, invalidation and
 * expiry take effect at the next object.
 */
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/key-type.h>
#include <linux/string.h>

#include "m2msec.h"

/**
 * m2msec_esprim_key_check() - is the key still a usable pairwise key
 * @key: a key the caller holds a reference on
 *
 * Return: 0; -EKEYREVOKED/-EKEYEXPIRED/-ENOKEY (key_validate()) when it
 * ended; -EMEDIUMTYPE when it is not an ESPrim pairwise key.
 */
int m2msec_esprim_key_check(struct key *key)
{
	const struct m2msec_key_payload *p;
	int err;

	if (key->type != &m2msec_key_type)
		return -EMEDIUMTYPE;
	err = key_validate(key);
	if (err)
		return err;
	if (!key_is_positive(key))
		return -ENOKEY;
	/* The payload never changes once instantiated (no .update). */
	p = key->payload.data[0];
	if (!p || p->kind != M2MSEC_KEY_ESPRIM_PAIRWISE)
		return -EMEDIUMTYPE;
	return 0;
}

/**
 * m2msec_esprim_key_lookup() - find a pairwise key by serial
 * @serial: key serial from the caller
 *
 * Looked up in the calling task's context with KEY_NEED_SEARCH.
 *
 * Return: the key with a reference the caller must key_put(), or an
 * ERR_PTR (lookup errors, or m2msec_esprim_key_check()'s).
 */
struct key *m2msec_esprim_key_lookup(key_serial_t serial)
{
	key_ref_t ref;
	struct key *key;
	int err;

	if (serial <= 0)
		return ERR_PTR(-ENOKEY);
	ref = lookup_user_key(serial, 0, KEY_NEED_SEARCH);
	if (IS_ERR(ref))
		return ERR_CAST(ref);
	key = key_ref_to_ptr(ref);
	err = m2msec_esprim_key_check(key);
	if (err) {
		key_put(key);
		return ERR_PTR(err);
	}
	return key;
}

/**
 * m2msec_esprim_key_kid() - the kid (description) of a pairwise key
 * @key: a checked pairwise key
 * @kid: M2MSEC_ESPRIM_KID_MAX bytes (not NUL-terminated on return)
 * @len: its length
 *
 * Return: 0, or -EINVAL when the description cannot be a kid (it is put
 * into headers verbatim, see m2msec_esprim_id_valid()).
 */
int m2msec_esprim_key_kid(struct key *key, char *kid, u16 *len)
{
	size_t n = strlen(key->description);

	if (m2msec_esprim_id_valid(key->description, n, M2MSEC_ESPRIM_KID_MAX))
		return -EINVAL;
	memcpy(kid, key->description, n);
	*len = n;
	return 0;
}
