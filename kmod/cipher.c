// SPDX-License-Identifier: GPL-2.0
/*
 * The record ciphers m2msec offloads, with the crypto API names they are
 * resolved by and the cipher suites that use them.  Suite numbers are
 * IANA's: RFC 5288/5487 (GCM), RFC 6655/7251 (CCM, CCM_8), RFC 7905
 * (ChaCha20-Poly1305), RFC 8446 (DTLS 1.3 suites).
 *
 * Usage limits per key (RFC 9147 4.5.3 and RFC 8446 5.5): records that may
 * be protected (confidentiality) and failed decryptions that may be seen
 * (integrity) before the epoch must be replaced.  ChaCha20-Poly1305 has no
 * practical confidentiality limit: the 48-bit sequence number ends first.
 */

#define M2MSEC_LIMIT_GCM_CONF		23726566ULL	/* 2^24.5 */
#define M2MSEC_LIMIT_GCM_INTEG		(1ULL << 36)
#define M2MSEC_LIMIT_CCM_CONF		(1ULL << 23)
#define M2MSEC_LIMIT_CCM_INTEG		11863283ULL	/* 2^23.5 */
#define M2MSEC_LIMIT_CCM8_INTEG		(1ULL << 7)
#include <linux/kernel.h>

#include "m2msec.h"

static const struct m2msec_cipher_desc m2msec_ciphers[] = {
	{
		.id = M2MSEC_CIPHER_AES_128_GCM, .name = "AES-128-GCM",
		.aead = "gcm(aes)", .key_len = 16, .tag_len = 16,
		.suite13 = 0x1301,
		/* PSK, ECDHE_ECDSA, ECDHE_RSA */
		.suites12 = { 0x00a8, 0xc02b, 0xc02f },
		.confidentiality_limit = M2MSEC_LIMIT_GCM_CONF,
		.integrity_limit = M2MSEC_LIMIT_GCM_INTEG,
	}, {
		.id = M2MSEC_CIPHER_AES_256_GCM, .name = "AES-256-GCM",
		.aead = "gcm(aes)", .key_len = 32, .tag_len = 16,
		.suite13 = 0x1302,
		.suites12 = { 0x00a9, 0xc02c, 0xc030 },
		.confidentiality_limit = M2MSEC_LIMIT_GCM_CONF,
		.integrity_limit = M2MSEC_LIMIT_GCM_INTEG,
	}, {
		.id = M2MSEC_CIPHER_CHACHA20_POLY1305,
		.name = "CHACHA20-POLY1305",
		.aead = "rfc7539(chacha20,poly1305)", .key_len = 32,
		.tag_len = 16, .suite13 = 0x1303,
		/* PSK, ECDHE_ECDSA, ECDHE_RSA */
		.suites12 = { 0xccab, 0xcca9, 0xcca8 },
		.confidentiality_limit = U64_MAX,
		.integrity_limit = M2MSEC_LIMIT_GCM_INTEG,
	}, {
		.id = M2MSEC_CIPHER_AES_128_CCM, .name = "AES-128-CCM",
		.aead = "ccm(aes)", .key_len = 16, .tag_len = 16,
		.suite13 = 0x1304,
		/* PSK, ECDHE_ECDSA */
		.suites12 = { 0xc0a4, 0xc0ac },
		.confidentiality_limit = M2MSEC_LIMIT_CCM_CONF,
		.integrity_limit = M2MSEC_LIMIT_CCM_INTEG,
	}, {
		.id = M2MSEC_CIPHER_AES_128_CCM_8, .name = "AES-128-CCM-8",
		.aead = "ccm(aes)", .key_len = 16, .tag_len = 8,
		.suite13 = 0x1305,
		/* oneM2M mandatory: TLS_PSK_WITH_AES_128_CCM_8 and
		 * TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8.
		 */
		.suites12 = { 0xc0a8, 0xc0ae },
		.confidentiality_limit = M2MSEC_LIMIT_CCM_CONF,
		.integrity_limit = M2MSEC_LIMIT_CCM8_INTEG,
	},
};

/**
 * m2msec_cipher_get() - description of a record cipher
 * @id: cipher identifier from the UAPI
 *
 * Return: the description, or NULL for an unknown identifier.
 */
const struct m2msec_cipher_desc *m2msec_cipher_get(enum m2msec_cipher id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(m2msec_ciphers); i++)
		if (m2msec_ciphers[i].id == id)
			return &m2msec_ciphers[i];
	return NULL;
}
