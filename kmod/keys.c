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

int m2msec_keys_init(void)
{
	return register_key_type(&m2msec_key_type);
}

void m2msec_keys_exit(void)
{
	unregister_key_type(&m2msec_key_type);
}
