// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: the key export's crypto back ends (user/lib/kx_crypto.h).
 * m2msecd derives its keys over wolfCrypt (kx_crypto_wolf.c),
 * dtls-keyexport over OpenSSL libcrypto (kx_crypto_ossl.c); kx_kdf.c is
 * built here over wolfCrypt, as in m2msecd.
 *
 *  1. known answers, fixed bytes: the TLS 1.2 PRF vectors for SHA-256 and
 *     SHA-384 published on the IETF TLS list (and in mbed TLS's test
 *     suite), AES-128/256 of FIPS-197 C.1/C.3, the ChaCha20 block of
 *     RFC 8439 2.3.2; through both back ends' primitives;
 *  2. kx_derive12, kx_dir13, kx_next_secret13, kx_derive13 and
 *     kx_sn_mask over wolfCrypt, against values computed with Python's
 *     hmac/hashlib (TLS 1.2 key block; HKDF-Expand-Label with the
 *     "dtls13" prefix of RFC 9147 5.9);
 *  3. both back ends on random inputs give the same bytes (and refuse the
 *     same things).  KX_TEST_SEED=N repeats a run; the seed is printed.
 */
#include <inttypes.h>
#include <sys/random.h>
#include <time.h>

#include "../../user/lib/kx.h"
#include "../../user/lib/kx_crypto.h"
#include "../ktap.h"
#include "bytes.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	const struct kx_crypto *cr;
} backends[] = {
	{ "wolfCrypt", &kx_crypto_wolf },
	{ "OpenSSL", &kx_crypto_ossl },
};

static void fill(uint8_t *p, size_t n, unsigned int base)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(base + i);
}

/* ---- 1. primitives, published vectors */

static const struct {
	const char *hash, *secret, *seed, *want;
} prf_vectors[] = {
	{ "SHA256", "9bbe436ba940f017b17652849a71db35",
	  "a0ba9f936cda311827a6f796ffd5198c",
	  "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
	  "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
	  "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
	  "87347b66" },
	{ "SHA384", "b80b733d6ceefcdc71566ea48e5567df",
	  "cd665cf6a8447dd6ff8b27555edb7465",
	  "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
	  "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
	  "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
	  "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
	  "91c8f3a26854308d5eaa3be85e0990703d73e56f" },
};

static int t_prf_vectors(const struct kx_crypto *cr)
{
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(prf_vectors); i++) {
		uint8_t secret[16], seed[16], want[148], got[148];
		int sl = unhex(prf_vectors[i].secret, secret);
		int dl = unhex(prf_vectors[i].seed, seed);
		int wl = unhex(prf_vectors[i].want, want);

		ok &= cr->prf(prf_vectors[i].hash, secret, sl, "test label",
			      seed, dl, got, wl) == 0 &&
		      bytes_eq(got, wl, want, wl);
	}
	return ok;
}

/* FIPS-197 C.1 and C.3; RFC 8439 2.3.2 (counter 1, nonce 00000009
 * 0000004a 00000000), key 00 01 .. 1f.
 */
static const struct {
	enum m2msec_cipher c;
	size_t key_len;
	const char *in, *want;
} block_vectors[] = {
	{ M2MSEC_CIPHER_AES_128_GCM, 16, "00112233445566778899aabbccddeeff",
	  "69c4e0d86a7b0430d8cdb78070b4c55a" },
	{ M2MSEC_CIPHER_AES_256_GCM, 32, "00112233445566778899aabbccddeeff",
	  "8ea2b7ca516745bfeafc49904b496089" },
	{ M2MSEC_CIPHER_CHACHA20_POLY1305, 32,
	  "01000000000000090000004a00000000",
	  "10f1e7e4d13b5915500fdd1fa32071c4" },
};

static int t_block_vectors(const struct kx_crypto *cr)
{
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(block_vectors); i++) {
		uint8_t key[32], in[16], want[16], got[16];

		fill(key, sizeof(key), 0);
		unhex(block_vectors[i].in, in);
		unhex(block_vectors[i].want, want);
		ok &= cr->sn_block(block_vectors[i].c, key,
				   block_vectors[i].key_len, in, got) == 0 &&
		      bytes_eq(got, 16, want, 16);
	}
	return ok;
}

static int t_wolf_prf(void) { return t_prf_vectors(&kx_crypto_wolf); }
static int t_ossl_prf(void) { return t_prf_vectors(&kx_crypto_ossl); }
static int t_wolf_block(void) { return t_block_vectors(&kx_crypto_wolf); }
static int t_ossl_block(void) { return t_block_vectors(&kx_crypto_ossl); }

/* ---- 2. the derivations over wolfCrypt, Python values */

static int dir_eq(const struct m2msec_kf_dir *d, const char *key,
		  const char *iv, const char *sn)
{
	uint8_t k[32], i[12], s[32];
	int kl = unhex(key, k), il = unhex(iv, i), sl = sn ? unhex(sn, s) : 0;

	return bytes_eq(d->key, d->key_len, k, kl) &&
	       bytes_eq(d->iv, d->iv_len, i, il) &&
	       bytes_eq(d->sn_key, d->sn_key_len, s, sl);
}

/* master 00 .. 2f, client_random 40 .. 5f, server_random 60 .. 7f */
static const struct {
	enum m2msec_cipher c;
	const char *hash;
	const char *cw_key, *sw_key, *cw_iv, *sw_iv;
} derive12_vectors[] = {
	{ M2MSEC_CIPHER_AES_128_GCM, "SHA256",
	  "423c50f2f6b72c3836113ba32c799601", "5c603cd23c2778884a8cd4c5bd1f53e5",
	  "53838d6e", "dc7e8f68" },
	{ M2MSEC_CIPHER_AES_256_GCM, "SHA384",
	  "9498a22079475afce3772b5145a3f652c06381f361b1a147322936f2dab18af4",
	  "7a3753265071673274ef2d9b82d64367336b2998d67b673c5e1b1f03808a3705",
	  "7f6581b5", "40e8a926" },
	{ M2MSEC_CIPHER_CHACHA20_POLY1305, "SHA256",
	  "423c50f2f6b72c3836113ba32c7996015c603cd23c2778884a8cd4c5bd1f53e5",
	  "53838d6edc7e8f68699197bd1fd81d29433db3f4a4f76d8568f9824a88d5ec02",
	  "00ab5d40503963e647cca0c7", "fa88ca317ef4f53a6636d692" },
};

static int t_derive12(void)
{
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(derive12_vectors); i++) {
		struct kx_session s = { .version = M2MSEC_DTLS_1_2 };
		struct m2msec_kf_dir tx, rx;

		s.cipher = derive12_vectors[i].c;
		s.prf_hash = derive12_vectors[i].hash;
		fill(s.master, sizeof(s.master), 0x00);
		fill(s.client_random, 32, 0x40);
		fill(s.server_random, 32, 0x60);
		ok &= kx_derive12(&s, KX_CLIENT, &tx, &rx) == 0 &&
		      dir_eq(&tx, derive12_vectors[i].cw_key,
			     derive12_vectors[i].cw_iv, NULL) &&
		      dir_eq(&rx, derive12_vectors[i].sw_key,
			     derive12_vectors[i].sw_iv, NULL);
		ok &= kx_derive12(&s, KX_SERVER, &tx, &rx) == 0 &&
		      dir_eq(&tx, derive12_vectors[i].sw_key,
			     derive12_vectors[i].sw_iv, NULL) &&
		      dir_eq(&rx, derive12_vectors[i].cw_key,
			     derive12_vectors[i].cw_iv, NULL);
	}
	return ok;
}

/* secret 00 .. 1f (SHA-256) or 40 .. 6f (SHA-384) */
static const struct {
	enum m2msec_cipher c;
	const char *hash;
	const char *key, *iv, *sn, *next;
} dir13_vectors[] = {
	{ M2MSEC_CIPHER_AES_128_GCM, "SHA256",
	  "cc95abc258d309424ddbf7cba68bd77e", "6d3299305dd209fc865cf8f1",
	  "c5b1a0649ea4fdafbe7e256665068222",
	  "ad8aa21a3d874bbebf9fdf442aafe175072af91c39af50b6ac26113e54981ae0" },
	{ M2MSEC_CIPHER_CHACHA20_POLY1305, "SHA256",
	  "fa36130205a96cbeb292e37361db797a5292833e60912c992462e04b0eba0ecd",
	  "6d3299305dd209fc865cf8f1",
	  "534890654f2b1ca72683f148cdbae6a98ffeaaad7e23fc9e693486e2a92b6892",
	  "ad8aa21a3d874bbebf9fdf442aafe175072af91c39af50b6ac26113e54981ae0" },
	{ M2MSEC_CIPHER_AES_256_GCM, "SHA384",
	  "82ab3e094cf644999b91beb3b3b5e875cfbc67dafcb29e754c2f980070327e63",
	  "93162dd57f307a0d66dd5a39",
	  "77ea35ff664c484f382966948a7a199aba5589fb7dd735b5aa296178238b61ab",
	  "b9bf1e41ed1626d81917e8017eac2feef9d0cfe6aeabcc809aa0a946091b387b"
	  "958514b095bbf6caae0d919037435fcb" },
};

static void session13(struct kx_session *s, unsigned int i, uint8_t *secret)
{
	memset(s, 0, sizeof(*s));
	s->version = M2MSEC_DTLS_1_3;
	s->cipher = dir13_vectors[i].c;
	s->prf_hash = dir13_vectors[i].hash;
	s->secret_len = s->prf_hash[3] == '2' ? 32 : 48;
	fill(secret, s->secret_len, s->secret_len == 32 ? 0x00 : 0x40);
}

static int t_dir13(void)
{
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(dir13_vectors); i++) {
		struct m2msec_kf_dir d;
		struct kx_session s;
		uint8_t secret[48];

		session13(&s, i, secret);
		ok &= kx_dir13(&s, secret, &d) == 0 &&
		      dir_eq(&d, dir13_vectors[i].key, dir13_vectors[i].iv,
			     dir13_vectors[i].sn);
	}
	return ok;
}

static int t_next13(void)
{
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(dir13_vectors); i++) {
		uint8_t secret[48], next[48], want[48];
		struct kx_session s;
		int wl = unhex(dir13_vectors[i].next, want);

		session13(&s, i, secret);
		ok &= kx_next_secret13(&s, secret, next) == 0 &&
		      bytes_eq(next, s.secret_len, want, wl);
	}
	return ok;
}

/* The key material of two directions (the derivations set nothing else). */
static int same_keys(const struct m2msec_kf_dir *a,
		     const struct m2msec_kf_dir *b)
{
	return bytes_eq(a->key, a->key_len, b->key, b->key_len) &&
	       bytes_eq(a->iv, a->iv_len, b->iv, b->iv_len) &&
	       bytes_eq(a->sn_key, a->sn_key_len, b->sn_key, b->sn_key_len);
}

/* Each side sends with its own secret's keys and receives with the peer's. */
static int t_derive13_roles(void)
{
	struct m2msec_kf_dir tx, rx, c, sv;
	struct kx_session s;
	uint8_t secret[48];

	session13(&s, 0, secret);
	memcpy(s.client_secret, secret, 32);
	fill(s.server_secret, 32, 0x80);
	if (kx_dir13(&s, s.client_secret, &c) ||
	    kx_dir13(&s, s.server_secret, &sv) ||
	    !dir_eq(&c, dir13_vectors[0].key, dir13_vectors[0].iv,
		    dir13_vectors[0].sn))
		return 0;
	return kx_derive13(&s, KX_CLIENT, &tx, &rx) == 0 &&
	       same_keys(&tx, &c) && same_keys(&rx, &sv) &&
	       memcmp(c.key, sv.key, c.key_len) &&
	       kx_derive13(&s, KX_SERVER, &tx, &rx) == 0 &&
	       same_keys(&tx, &sv) && same_keys(&rx, &c);
}

static int t_sn_mask(void)
{
	uint8_t key[32], ct[17], want[16], mask[2];
	unsigned int i;
	int ok = 1;

	fill(key, sizeof(key), 0);
	for (i = 0; i < ARRAY_LEN(block_vectors); i++) {
		unhex(block_vectors[i].in, ct);
		unhex(block_vectors[i].want, want);
		ct[16] = 0xee;	/* only the first 16 bytes count */
		ok &= kx_sn_mask(block_vectors[i].c, key,
				 block_vectors[i].key_len, ct, 17, mask) == 0 &&
		      bytes_eq(mask, 2, want, 2);
	}
	/* Too short a ciphertext, a key length no suite has. */
	ok &= kx_sn_mask(M2MSEC_CIPHER_AES_128_GCM, key, 16, ct, 15, mask) < 0;
	ok &= kx_sn_mask(M2MSEC_CIPHER_AES_128_GCM, key, 24, ct, 16, mask) < 0;
	ok &= kx_sn_mask(M2MSEC_CIPHER_CHACHA20_POLY1305, key, 16, ct, 16,
			 mask) < 0;
	return ok;
}

/* ---- 3. both back ends on random inputs */

#define ROUNDS 300

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static size_t rnd_in(size_t lo, size_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

static void rnd_bytes(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = (uint8_t)rnd();
}

static const char *const hashes[] = { "SHA256", "SHA384" };

static int t_cross_prf(void)
{
	static const char *const labels[] = { "key expansion", "master secret",
					      "extended master secret",
					      "client finished", "x" };
	unsigned int r;

	for (r = 0; r < ROUNDS; r++) {
		const char *hash = hashes[rnd() % 2];
		const char *label = labels[rnd() % ARRAY_LEN(labels)];
		uint8_t secret[64], seed[64], a[200], b[200];
		size_t sl = rnd_in(1, 64), dl = rnd_in(0, 64);
		size_t n = rnd_in(1, 200);

		rnd_bytes(secret, sl);
		rnd_bytes(seed, dl);
		if (kx_crypto_wolf.prf(hash, secret, sl, label, seed, dl, a,
				       n) ||
		    kx_crypto_ossl.prf(hash, secret, sl, label, seed, dl, b,
				       n) ||
		    !bytes_eq(a, n, b, n)) {
			ktap_diag("%s, \"%s\", secret %zu, seed %zu, %zu bytes",
				  hash, label, sl, dl, n);
			return 0;
		}
	}
	return 1;
}

static int t_cross_hkdf(void)
{
	unsigned int r;

	for (r = 0; r < ROUNDS; r++) {
		const char *hash = hashes[rnd() % 2];
		uint8_t prk[64], info[300], a[600], b[600];
		size_t pl = rnd_in(1, 64), il = rnd_in(0, 300);
		size_t n = rnd_in(1, 600);

		rnd_bytes(prk, pl);
		rnd_bytes(info, il);
		if (kx_crypto_wolf.hkdf_expand(hash, prk, pl, info, il, a, n) ||
		    kx_crypto_ossl.hkdf_expand(hash, prk, pl, info, il, b, n) ||
		    !bytes_eq(a, n, b, n)) {
			ktap_diag("%s, prk %zu, info %zu, %zu bytes", hash, pl,
				  il, n);
			return 0;
		}
	}
	return 1;
}

static int t_cross_block(void)
{
	static const struct {
		enum m2msec_cipher c;
		size_t key_len;
	} kinds[] = {
		{ M2MSEC_CIPHER_AES_128_CCM_8, 16 },
		{ M2MSEC_CIPHER_AES_256_GCM, 32 },
		{ M2MSEC_CIPHER_CHACHA20_POLY1305, 32 },
	};
	unsigned int r;

	for (r = 0; r < ROUNDS; r++) {
		unsigned int k = rnd() % ARRAY_LEN(kinds);
		uint8_t key[32], in[16], a[16], b[16];

		rnd_bytes(key, sizeof(key));
		rnd_bytes(in, sizeof(in));
		if (kx_crypto_wolf.sn_block(kinds[k].c, key, kinds[k].key_len,
					    in, a) ||
		    kx_crypto_ossl.sn_block(kinds[k].c, key, kinds[k].key_len,
					    in, b) ||
		    !bytes_eq(a, 16, b, 16)) {
			ktap_diag("cipher %d, key %zu bytes", kinds[k].c,
				  kinds[k].key_len);
			return 0;
		}
	}
	return 1;
}

/* Both refuse an unknown hash and more HKDF output than 255 blocks. */
static int t_cross_refuse(void)
{
	uint8_t k[48] = { 1 }, out[255 * 48 + 1];
	unsigned int i;
	int ok = 1;

	for (i = 0; i < ARRAY_LEN(backends); i++) {
		const struct kx_crypto *cr = backends[i].cr;

		ok &= cr->prf("NO-SUCH-HASH", k, 16, "x", k, 16, out, 16) < 0;
		ok &= cr->hkdf_expand("NO-SUCH-HASH", k, 32, k, 4, out, 16) < 0;
		ok &= cr->hkdf_expand("SHA256", k, 32, k, 4, out,
				      255 * 32 + 1) < 0;
		ok &= cr->hkdf_expand("SHA384", k, 48, k, 4, out,
				      255 * 48 + 1) < 0;
		ok &= cr->hkdf_expand("SHA384", k, 48, k, 4, out,
				      255 * 48) == 0;
		if (!ok) {
			ktap_diag("%s accepted what it must refuse",
				  backends[i].name);
			return 0;
		}
	}
	return ok;
}

static const struct {
	int (*fn)(void);
	const char *name;
} tests[] = {
	{ t_wolf_prf, "wolfCrypt: TLS 1.2 PRF, the published SHA-256 (100 bytes) and SHA-384 (148 bytes) vectors" },
	{ t_ossl_prf, "OpenSSL: TLS 1.2 PRF, the same vectors" },
	{ t_wolf_block, "wolfCrypt: record number mask block, AES-128/256 (FIPS-197) and ChaCha20 (RFC 8439 2.3.2)" },
	{ t_ossl_block, "OpenSSL: record number mask block, the same vectors" },
	{ t_derive12, "kx_derive12 over wolfCrypt: client and server write keys and IVs for AES-128-GCM, AES-256-GCM (SHA-384) and ChaCha20 (Python hmac values), both roles" },
	{ t_dir13, "kx_dir13 over wolfCrypt: key, iv and sn with the \"dtls13\" label prefix for AES-128-GCM, ChaCha20 and AES-256-GCM (SHA-384) (Python hmac values)" },
	{ t_next13, "kx_next_secret13 over wolfCrypt: \"traffic upd\" for SHA-256 and SHA-384 (Python hmac values)" },
	{ t_derive13_roles, "kx_derive13 over wolfCrypt: each side sends with its own secret's keys and receives with the peer's" },
	{ t_sn_mask, "kx_sn_mask over wolfCrypt: the first two bytes of the vectors' blocks; a short ciphertext or a wrong key length is refused" },
	{ t_cross_prf, "wolfCrypt and OpenSSL agree: TLS 1.2 PRF on random secrets, seeds, labels and lengths" },
	{ t_cross_hkdf, "wolfCrypt and OpenSSL agree: HKDF-Expand on random keys, infos and lengths (up to 600 bytes)" },
	{ t_cross_block, "wolfCrypt and OpenSSL agree: record number mask blocks on random keys and ciphertexts (AES-128, AES-256, ChaCha20)" },
	{ t_cross_refuse, "wolfCrypt and OpenSSL both refuse unknown hashes and more HKDF output than 255 blocks, and give exactly 255" },
};

int main(void)
{
	unsigned int i, n = ARRAY_LEN(tests);
	const char *env = getenv("KX_TEST_SEED");

	if (env)
		rng_state = strtoull(env, NULL, 0);
	else if (getrandom(&rng_state, sizeof(rng_state), 0) !=
		 sizeof(rng_state))
		rng_state = (uint64_t)time(NULL);
	if (!rng_state)
		rng_state = 1;
	ktap_plan(n);
	ktap_diag("seed %" PRIu64 " (KX_TEST_SEED)", rng_state);
	for (i = 0; i < n; i++)
		ktap_result(tests[i].fn(), "kx_crypto: %s", tests[i].name);
	return ktap_exit();
}
