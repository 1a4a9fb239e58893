/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ESPrim JWE protected header: a strict, bounded parser and the
 * builder used when protecting.  Pure C, also built for userspace.
 */
#ifndef _M2MSEC_JWE_HEADER_H
#define _M2MSEC_JWE_HEADER_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <uapi/linux/m2msec.h>
#else
#include <stddef.h>
#include <linux/types.h>
#include <linux/m2msec.h>
#endif

/* Header members (bit numbers in struct m2msec_jwe_hdr.members). */
enum m2msec_hdr_member {
	M2MSEC_HDR_ALG,
	M2MSEC_HDR_ENC,
	M2MSEC_HDR_KID,
	M2MSEC_HDR_CTY,
	M2MSEC_HDR_ORI,
	M2MSEC_HDR_RRI,
	M2MSEC_HDR_ORO,
	M2MSEC_HDR_RRO,
};

#define M2MSEC_HDR_HAS(h, m)	((h)->members & (1u << (m)))

/**
 * struct m2msec_rand_json - a rand object as carried in "oro"/"rro"
 * @id: esprimRandID ("esri"), inside the parsed buffer
 * @id_len: its length
 * @value: esprimRandValue ("esrv", base64 of 16 bytes)
 * @expiry_rel: @expiry is relative (milliseconds from now) rather than
 *	absolute
 * @expiry: esprimRandExpiry ("esrx"): absolute in seconds since the epoch
 *	("YYYYMMDDTHHMMSS", UTC) or relative in milliseconds
 * @keygen: key generation algorithm ids ("esk" or "esks"), bit n for id n
 * @algs: protocol-and-algorithm ids ("espa"), bit n for id n; ids above
 *	31 are ignored
 */
struct m2msec_rand_json {
	const char *id;
	size_t id_len;
	unsigned char value[M2MSEC_ESPRIM_RAND_LEN];
	int expiry_rel;
	__u64 expiry;
	__u32 keygen;
	__u32 algs;
};

/**
 * struct m2msec_jwe_hdr - a parsed (or to be built) protected header
 * @members: bit m2msec_hdr_member set for each member present
 * @enc: enum m2msec_esprim_alg of "enc"
 * @kid: "kid" (pointers point into the parsed buffer)
 * @kid_len: its length
 * @cty: "cty"
 * @cty_len: its length
 * @ori: "ori"
 * @ori_len: its length
 * @rri: "rri"
 * @rri_len: its length
 * @oro: "oro", when present
 * @rro: "rro", when present
 */
struct m2msec_jwe_hdr {
	unsigned int members;
	int enc;
	const char *kid, *cty, *ori, *rri;
	size_t kid_len, cty_len, ori_len, rri_len;
	struct m2msec_rand_json oro, rro;
};

int m2msec_jwe_hdr_parse(const char *json, size_t len,
			 struct m2msec_jwe_hdr *h);
long m2msec_jwe_hdr_build(const struct m2msec_jwe_hdr *h, char *out,
			  size_t max);
int m2msec_esprim_id_valid(const char *s, size_t len, size_t max);
const char *m2msec_esprim_enc_name(int alg);

#endif /* _M2MSEC_JWE_HEADER_H */
