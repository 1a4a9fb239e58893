// SPDX-License-Identifier: GPL-2.0
/*
 * The "m2msec" key type: the only way key material enters m2msec.ko.
 *
 * Payloads are validated when the key is added (add_key() fails with EINVAL
 * otherwise), cannot be read back by anyone, and are wiped when the key is
 * destroyed.  Users of a key (associations, ESPrim sessions) look it up in
 * the caller's context with lookup_user_key(), so the normal keyring
 * permission checks apply.
 */
#include <linux/key-type.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "m2msec.h"

static int m2msec_key_preparse(struct key_preparsed_payload *prep)
{
	void *copy;
	int err;

	err = m2msec_key_payload_check(prep->data, prep->datalen);
	if (err)
		return err;

	copy = kmemdup(prep->data, prep->datalen, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	prep->payload.data[0] = copy;
	prep->quotalen = prep->datalen;
	return 0;
}

static void m2msec_key_free_preparse(struct key_preparsed_payload *prep)
{
	kfree_sensitive(prep->payload.data[0]);
}

static void m2msec_key_destroy(struct key *key)
{
	kfree_sensitive(key->payload.data[0]);
}

static void m2msec_key_describe(const struct key *key, struct seq_file *m)
{
	const struct m2msec_key_payload *p = key->payload.data[0];

	seq_puts(m, key->description);
	/* Only the shape of the key, never a byte of it. */
	if (key_is_positive(key) && p)
		seq_printf(m, ": kind %u key %u iv %u sn %u id %u", p->kind,
			   p->key_len, p->iv_len, p->sn_key_len, p->id_len);
}

struct key_type m2msec_key_type = {
	.name		= M2MSEC_KEY_TYPE,
	.preparse	= m2msec_key_preparse,
	.free_preparse	= m2msec_key_free_preparse,
	.instantiate	= generic_key_instantiate,
	.destroy	= m2msec_key_destroy,
	.describe	= m2msec_key_describe,
	/* No .read: key material never leaves the kernel. */
};

/**
 * m2msec_key_lookup() - find an "m2msec" key of a given kind for the caller
 * @serial: key serial from userspace
 * @kind: the enum m2msec_key_kind the caller needs
 * @extack: where to explain a refusal
 *
 * The lookup runs in the calling process's context with the search
 * permission check, as keyctl would.  On success the key is returned with
 * a reference and its semaphore read-locked, valid (not revoked or
 * expired) and of the requested kind: read the payload with
 * m2msec_key_payload(), then release with m2msec_key_release().
 *
 * Return: the key, or an ERR_PTR: -ENOKEY (no such key or no permission,
 * as keyctl reports it), -EKEYREVOKED/-EKEYEXPIRED, -EINVAL (wrong type or
 * kind).
 */
struct key *m2msec_key_lookup(key_serial_t serial, u8 kind,
			      struct netlink_ext_ack *extack)
{
	const struct m2msec_key_payload *p;
	key_ref_t ref;
	struct key *key;
	int err;

	ref = lookup_user_key(serial, 0, KEY_NEED_SEARCH);
	if (IS_ERR(ref)) {
		NL_SET_ERR_MSG(extack, "key not found or not searchable");
		return ERR_CAST(ref);
	}
	key = key_ref_to_ptr(ref);
	if (key->type != &m2msec_key_type) {
		NL_SET_ERR_MSG(extack, "key is not of type m2msec");
		err = -EINVAL;
		goto err_put;
	}
	down_read(&key->sem);
	err = key_validate(key);
	if (err) {
		NL_SET_ERR_MSG(extack, "key is revoked or expired");
		goto err_unlock;
	}
	p = key->payload.data[0];
	if (!p || p->kind != kind) {
		NL_SET_ERR_MSG(extack, "key is not of the kind this use needs");
		err = -EINVAL;
		goto err_unlock;
	}
	return key;

err_unlock:
	up_read(&key->sem);
err_put:
	key_put(key);
	return ERR_PTR(err);
}

/**
 * m2msec_key_release() - undo m2msec_key_lookup()
 * @key: the key
 */
void m2msec_key_release(struct key *key)
{
	up_read(&key->sem);
	key_put(key);
}

int m2msec_keys_init(void)
{
	return register_key_type(&m2msec_key_type);
}

void m2msec_keys_exit(void)
{
	unregister_key_type(&m2msec_key_type);
}
