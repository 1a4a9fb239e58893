/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Key payloads shared by the host unit test (the validator built for
 * userspace) and the VM test (add_key() against the module): both must
 * reach the same verdict on every case.
 */
#ifndef M2MSEC_KEYPAYLOAD_CASES_H
#define M2MSEC_KEYPAYLOAD_CASES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/m2msec.h>

struct kp_case {
	const char *what;
	uint8_t version, kind;
	uint16_t reserved, key_len, iv_len, sn_key_len, id_len;
	const char *id;		/* identity bytes, NULL: filled with 'a' */
	int extra;		/* bytes added (>0) or cut (<0) after the body */
	int valid;
};

static const struct kp_case kp_cases[] = {
	{ "DTLS 1.2 AES-128 record key (key 16, salt 4) is accepted",
	  1, M2MSEC_KEY_RECORD, 0, 16, 4, 0, 0, NULL, 0, 1 },
	{ "DTLS 1.2 ChaCha20 record key (key 32, iv 12) is accepted",
	  1, M2MSEC_KEY_RECORD, 0, 32, 12, 0, 0, NULL, 0, 1 },
	{ "DTLS 1.3 AES-128 record key (key 16, iv 12, sn 16) is accepted",
	  1, M2MSEC_KEY_RECORD, 0, 16, 12, 16, 0, NULL, 0, 1 },
	{ "DTLS 1.3 traffic secret of 48 bytes is accepted",
	  1, M2MSEC_KEY_TRAFFIC_SECRET, 0, 48, 0, 0, 0, NULL, 0, 1 },
	{ "ESPrim pairwise key with identity is accepted",
	  1, M2MSEC_KEY_ESPRIM_PAIRWISE, 0, 32, 0, 0, 9, "CAE-1234/", 0, 1 },
	{ "an empty payload is rejected",
	  0, 0, 0, 0, 0, 0, 0, NULL, -16, 0 },
	{ "a truncated header is rejected",
	  1, M2MSEC_KEY_RECORD, 0, 0, 0, 0, 0, NULL, -1, 0 },
	{ "payload version 2 is rejected",
	  2, M2MSEC_KEY_RECORD, 0, 16, 4, 0, 0, NULL, 0, 0 },
	{ "a non-zero reserved field is rejected",
	  1, M2MSEC_KEY_RECORD, 1, 16, 4, 0, 0, NULL, 0, 0 },
	{ "an unknown kind is rejected",
	  1, 9, 0, 16, 4, 0, 0, NULL, 0, 0 },
	{ "a payload one byte longer than announced is rejected",
	  1, M2MSEC_KEY_RECORD, 0, 16, 4, 0, 0, NULL, 1, 0 },
	{ "a payload one byte shorter than announced is rejected",
	  1, M2MSEC_KEY_RECORD, 0, 16, 4, 0, 0, NULL, -1, 0 },
	{ "lengths of 65535 with a short body are rejected",
	  1, M2MSEC_KEY_RECORD, 0, 65535, 65535, 65535, 65535, NULL,
	  -(65535 * 4), 0 },
	{ "a 24-byte record key is rejected",
	  1, M2MSEC_KEY_RECORD, 0, 24, 4, 0, 0, NULL, 0, 0 },
	{ "an 8-byte record IV is rejected",
	  1, M2MSEC_KEY_RECORD, 0, 16, 8, 0, 0, NULL, 0, 0 },
	{ "a record number key longer than the AEAD key is rejected",
	  1, M2MSEC_KEY_RECORD, 0, 16, 12, 32, 0, NULL, 0, 0 },
	{ "a DTLS 1.3 record key with a 4-byte salt is rejected",
	  1, M2MSEC_KEY_RECORD, 0, 16, 4, 16, 0, NULL, 0, 0 },
	{ "a record key carrying an identity is rejected",
	  1, M2MSEC_KEY_RECORD, 0, 16, 4, 0, 3, "abc", 0, 0 },
	{ "a 40-byte traffic secret is rejected",
	  1, M2MSEC_KEY_TRAFFIC_SECRET, 0, 40, 0, 0, 0, NULL, 0, 0 },
	{ "a traffic secret with an IV is rejected",
	  1, M2MSEC_KEY_TRAFFIC_SECRET, 0, 32, 12, 0, 0, NULL, 0, 0 },
	{ "an ESPrim key without identity is rejected",
	  1, M2MSEC_KEY_ESPRIM_PAIRWISE, 0, 32, 0, 0, 0, NULL, 0, 0 },
	{ "an ESPrim key shorter than 16 bytes is rejected",
	  1, M2MSEC_KEY_ESPRIM_PAIRWISE, 0, 8, 0, 0, 3, "abc", 0, 0 },
	{ "an ESPrim identity with a space is rejected",
	  1, M2MSEC_KEY_ESPRIM_PAIRWISE, 0, 16, 0, 0, 3, "a c", 0, 0 },
	{ "an ESPrim identity longer than 256 bytes is rejected",
	  1, M2MSEC_KEY_ESPRIM_PAIRWISE, 0, 16, 0, 0, 257, NULL, 0, 0 },
};

#define KP_N_CASES (int)(sizeof(kp_cases) / sizeof(kp_cases[0]))

/*
 * Build the payload of @c into @buf (at least KP_BUF_MAX bytes); returns
 * its length.  Key bytes are a recognisable pattern, never real keys.
 */
#define KP_BUF_MAX (sizeof(struct m2msec_key_payload) + 4 * 65535 + 64)

static inline size_t kp_build(const struct kp_case *c, unsigned char *buf)
{
	struct m2msec_key_payload h = {
		.version = c->version, .kind = c->kind,
		.reserved = c->reserved, .key_len = c->key_len,
		.iv_len = c->iv_len, .sn_key_len = c->sn_key_len,
		.id_len = c->id_len,
	};
	size_t body = (size_t)c->key_len + c->iv_len + c->sn_key_len;
	long len = (long)(sizeof(h) + body + c->id_len) + c->extra;

	memcpy(buf, &h, sizeof(h));
	memset(buf + sizeof(h), 0x5a, body + c->id_len + (c->extra > 0 ?
							   c->extra : 0));
	if (c->id)
		memcpy(buf + sizeof(h) + body, c->id, c->id_len);
	else
		memset(buf + sizeof(h) + body, 'a', c->id_len);
	return len < 0 ? 0 : (size_t)len;
}

#endif /* M2MSEC_KEYPAYLOAD_CASES_H */
