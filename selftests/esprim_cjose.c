// SPDX-License-Identifier: GPL-2.0
/*
 * ESPrim interoperability with cjose, batched use, and libm2msec's ESPrim
 * helpers, for A128GCM, A192GCM and A256GCM:
 *
 *   originator socket (session 1, oro) --objects--> receiver socket
 *        |  cjose decrypts every object m2msec made (key from OpenSSL HMAC)
 *        |  m2msec decrypts objects cjose made with the ESPrim members
 *        |  32 objects through sendmmsg()/recvmmsg() each way
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <unistd.h>

#include <cjose/cjose.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../user/lib/esprim.h"
#include "../user/lib/m2msec.h"
#include "ktap.h"

#define BATCH 32

static const char label[] =
	"oneM2M HMAC-SHA256 sessionESPrimKey derivation algorithm";

static void session_key(const unsigned char *pw, size_t pwlen,
			const struct m2msec_esprim_rand *recv,
			const struct m2msec_esprim_rand *orig,
			unsigned char out[32])
{
	unsigned char msg[32 + sizeof(label) - 1];
	unsigned int len = 32;

	memcpy(msg, recv->value, 16);
	memcpy(msg + 16, orig->value, 16);
	memcpy(msg + 32, label, sizeof(label) - 1);
	HMAC(EVP_sha256(), pw, pwlen, msg, sizeof(msg), out, &len);
}

static unsigned char *cjose_open(const char *obj, size_t len,
				 const unsigned char *key, size_t keylen,
				 size_t *out_len)
{
	cjose_jwk_t *jwk = cjose_jwk_create_oct_spec(key, keylen, NULL);
	cjose_jwe_t *jwe = cjose_jwe_import(obj, len, NULL);
	unsigned char *pt = NULL;

	if (jwk && jwe)
		pt = cjose_jwe_decrypt(jwe, jwk, out_len, NULL);
	cjose_jwe_release(jwe);
	cjose_jwk_release(jwk);
	return pt;
}

static char *cjose_seal(const char *enc, const char *kid, const char *ori,
			const char *rri, const char *oro,
			const unsigned char *key, size_t keylen,
			const void *pt, size_t len)
{
	cjose_jwk_t *jwk = cjose_jwk_create_oct_spec(key, keylen, NULL);
	cjose_header_t *h = cjose_header_new(NULL);
	cjose_jwe_t *jwe = NULL;
	char *out = NULL;

	if (!jwk || !h ||
	    !cjose_header_set(h, CJOSE_HDR_ALG, CJOSE_HDR_ALG_DIR, NULL) ||
	    !cjose_header_set(h, CJOSE_HDR_ENC, enc, NULL) ||
	    !cjose_header_set(h, CJOSE_HDR_KID, kid, NULL) ||
	    !cjose_header_set(h, "ori", ori, NULL) ||
	    !cjose_header_set(h, "rri", rri, NULL) ||
	    (oro && !cjose_header_set_raw(h, "oro", oro, NULL)))
		goto out;
	jwe = cjose_jwe_encrypt(jwk, h, pt, len, NULL);
	if (jwe)
		out = cjose_jwe_export(jwe, NULL);
out:
	cjose_jwe_release(jwe);
	cjose_header_release(h);
	cjose_jwk_release(jwk);
	return out;
}

static const struct {
	int alg;
	const char *enc;
	size_t keylen;
} algs[] = {
	{ M2MSEC_ESPRIM_A128GCM, "A128GCM", 16 },
	{ M2MSEC_ESPRIM_A192GCM, "A192GCM", 24 },
	{ M2MSEC_ESPRIM_A256GCM, "A256GCM", 32 },
};

static char objs[BATCH][4096];
static char outs[BATCH][4096];

/* Protect BATCH primitives in one sendmmsg() and read them back. */
static int batch_protect(int fd, uint32_t session, size_t *lens)
{
	char ctl[BATCH][CMSG_SPACE(sizeof(uint32_t))];
	char rctl[BATCH][256];
	struct mmsghdr msgs[BATCH] = { 0 }, rmsgs[BATCH] = { 0 };
	struct iovec iov[BATCH], riov[BATCH];
	char pt[BATCH][64];
	int i, n;

	for (i = 0; i < BATCH; i++) {
		struct cmsghdr *c;

		snprintf(pt[i], sizeof(pt[i]), "{\"m2m:rqp\":{\"rqi\":\"%d\"}}", i);
		iov[i].iov_base = pt[i];
		iov[i].iov_len = strlen(pt[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_control = ctl[i];
		msgs[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		c = CMSG_FIRSTHDR(&msgs[i].msg_hdr);
		c->cmsg_level = SOL_M2MSEC;
		c->cmsg_type = M2MSEC_CMSG_ESPRIM_SESSION;
		c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
		memcpy(CMSG_DATA(c), &session, sizeof(session));
		riov[i].iov_base = objs[i];
		riov[i].iov_len = sizeof(objs[i]);
		rmsgs[i].msg_hdr.msg_iov = &riov[i];
		rmsgs[i].msg_hdr.msg_iovlen = 1;
		rmsgs[i].msg_hdr.msg_control = rctl[i];
		rmsgs[i].msg_hdr.msg_controllen = sizeof(rctl[i]);
	}
	n = sendmmsg(fd, msgs, BATCH, 0);
	if (n != BATCH) {
		ktap_diag("sendmmsg: %d (%s)", n, strerror(errno));
		return -1;
	}
	n = recvmmsg(fd, rmsgs, BATCH, MSG_DONTWAIT, NULL);
	if (n != BATCH) {
		ktap_diag("recvmmsg: %d (%s)", n, strerror(errno));
		return -1;
	}
	for (i = 0; i < BATCH; i++)
		lens[i] = rmsgs[i].msg_len;
	return 0;
}

static int batch_unprotect(int fd, const size_t *lens, size_t *out_lens)
{
	struct mmsghdr msgs[BATCH] = { 0 }, rmsgs[BATCH] = { 0 };
	struct iovec iov[BATCH], riov[BATCH];
	char rctl[BATCH][1024];
	int i;

	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = objs[i];
		iov[i].iov_len = lens[i];
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		riov[i].iov_base = outs[i];
		riov[i].iov_len = sizeof(outs[i]);
		rmsgs[i].msg_hdr.msg_iov = &riov[i];
		rmsgs[i].msg_hdr.msg_iovlen = 1;
		rmsgs[i].msg_hdr.msg_control = rctl[i];
		rmsgs[i].msg_hdr.msg_controllen = sizeof(rctl[i]);
	}
	if (sendmmsg(fd, msgs, BATCH, 0) != BATCH ||
	    recvmmsg(fd, rmsgs, BATCH, MSG_DONTWAIT, NULL) != BATCH)
		return -1;
	for (i = 0; i < BATCH; i++)
		out_lens[i] = rmsgs[i].msg_len;
	return 0;
}

static void test_alg(int a)
{
	struct m2msec_esprim_rand recv, orig, orig2;
	unsigned char pw[32], skey[32], skey2[32];
	struct esprim_result res;
	size_t lens[BATCH], olens[BATCH], n;
	char kid[32], id[32], out[4096], *obj;
	const char *prim = "{\"m2m:rqp\":{\"op\":2,\"fr\":\"C-AE\",\"rqi\":\"7\"}}";
	unsigned char *pt;
	const char *enc = algs[a].enc;
	int tx, rx, i, good;
	int32_t serial;
	ssize_t len;

	snprintf(kid, sizeof(kid), "kid-cj-%s", enc);
	snprintf(id, sizeof(id), "C-AE-%s", enc);
	for (i = 0; i < 32; i++)
		pw[i] = rand();
	serial = esprim_key_add(kid, pw, sizeof(pw), id, ESPRIM_KEYRING_PROCESS);
	esprim_rand_fresh(&recv, M2MSEC_ESPRIM_RECEIVER, "r-cj", 3600000, 0);
	esprim_rand_fresh(&orig, M2MSEC_ESPRIM_ORIGINATOR, "o-cj", 1800000, 0);
	session_key(pw, sizeof(pw), &recv, &orig, skey);
	tx = esprim_socket();
	rx = esprim_socket();
	if (serial < 0 || tx < 0 || rx < 0 ||
	    esprim_setopt(tx, M2MSEC_ESPRIM_RAND_ADD, &recv, sizeof(recv)) ||
	    esprim_setopt(tx, M2MSEC_ESPRIM_RAND_ADD, &orig, sizeof(orig)) ||
	    esprim_session_add(tx, 1, serial, algs[a].alg, M2MSEC_ESPRIM_F_ORO,
			       "r-cj", "o-cj") ||
	    esprim_setopt(rx, M2MSEC_ESPRIM_KEY_ADD, &serial, sizeof(serial)) ||
	    esprim_setopt(rx, M2MSEC_ESPRIM_RAND_ADD, &recv, sizeof(recv)))
		ktap_diag("set-up failed: %s", strerror(errno));

	/* m2msec -> cjose */
	len = -1;
	if (esprim_send(tx, 1, "application/json", prim, strlen(prim)) > 0)
		len = esprim_recv(tx, out, sizeof(out), &res);
	pt = len > 0 ? cjose_open(out, len, skey, algs[a].keylen, &n) : NULL;
	ktap_result(pt && n == strlen(prim) && !memcmp(pt, prim, n),
		    "esprim cjose: cjose decrypts a %s object m2msec made, with the session key from OpenSSL's HMAC-SHA256",
		    enc);
	free(pt);

	/* m2msec -> m2msec, then the impersonation check in the library. */
	len = esprim_send(rx, 0, NULL, out, len) > 0 ?
	      esprim_recv(rx, out, sizeof(out), &res) : -1;
	ktap_result(len == (ssize_t)strlen(prim) &&
		    esprim_check_from(&res, id) == M2MSEC_RSC_OK &&
		    esprim_check_from(&res, "C-MALLORY") ==
		    M2MSEC_RSC_ESPRIM_IMPERSONATION_ERROR,
		    "esprim cjose: %s: the library's From check accepts the identity bound to the key and says 4116 for another",
		    enc);

	/* cjose -> m2msec, with an oro naming a fresh originator object. */
	esprim_rand_fresh(&orig2, M2MSEC_ESPRIM_ORIGINATOR, "o-cjose", 600000, 0);
	session_key(pw, sizeof(pw), &recv, &orig2, skey2);
	{
		struct json_object *j = esprim_rand_to_json(&orig2);

		obj = cjose_seal(enc, kid, "o-cjose", "r-cj",
				 json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN),
				 skey2, algs[a].keylen, prim, strlen(prim));
		json_object_put(j);
	}
	len = obj && esprim_send(rx, 0, NULL, obj, strlen(obj)) > 0 ?
	      esprim_recv(rx, out, sizeof(out), &res) : -1;
	ktap_result(len == (ssize_t)strlen(prim) && !memcmp(out, prim, len) &&
		    res.status == M2MSEC_RSC_OK &&
		    res.session >= M2MSEC_ESPRIM_SESSION_LEARNED,
		    "esprim cjose: m2msec decrypts a %s object cjose made with kid, ori, rri and oro",
		    enc);
	free(obj);

	/* Batches: 32 objects per sendmmsg()/recvmmsg(), both ways. */
	good = !batch_protect(tx, 1, lens);
	for (i = 0; good && i < BATCH; i++) {
		pt = cjose_open(objs[i], lens[i], skey, algs[a].keylen, &n);
		good = pt && n > 0;
		free(pt);
	}
	ktap_result(good, "esprim cjose: %d %s objects from one sendmmsg()/recvmmsg() each decrypt with cjose",
		    BATCH, enc);
	good = !batch_unprotect(rx, lens, olens);
	for (i = 0; good && i < BATCH; i++) {
		char want[64];

		snprintf(want, sizeof(want), "{\"m2m:rqp\":{\"rqi\":\"%d\"}}", i);
		good = olens[i] == strlen(want) && !memcmp(outs[i], want, olens[i]);
	}
	ktap_result(good, "esprim cjose: %d %s objects unprotected in one batch come back in order",
		    BATCH, enc);
	close(tx);
	close(rx);
}

static void test_lib(void)
{
	struct m2msec_esprim_rand r, back;
	struct json_object *j, *content, *parsed;
	const char *obj;
	size_t len;

	esprim_rand_fresh(&r, M2MSEC_ESPRIM_RECEIVER, "rand-1", 60000,
			  1u << M2MSEC_ESPRIM_A256GCM);
	j = esprim_rand_to_json(&r);
	ktap_result(j && !esprim_rand_from_json(j, M2MSEC_ESPRIM_RECEIVER, &back) &&
		    !memcmp(back.value, r.value, 16) && back.id_len == 6 &&
		    back.algs == r.algs && back.expiry_ms / 1000 == r.expiry_ms / 1000,
		    "esprim lib: a fresh receiverESPrimRandObject round-trips through its short-name JSON (esri, esrv, esrx, esks, espa)");
	json_object_put(j);

	content = esprim_notify_wrap("a.b.c.d.e", 9);
	parsed = json_tokener_parse(json_object_to_json_string(content));
	ktap_result(parsed && !esprim_notify_unwrap(parsed, &obj, &len) &&
		    len == 9 && !memcmp(obj, "a.b.c.d.e", 9) &&
		    strstr(json_object_to_json_string_ext(content, JSON_C_TO_STRING_PLAIN),
			   "{\"m2m:seci\":{\"sit\":5,\"epo\":"),
		    "esprim lib: Notify content {\"m2m:seci\":{\"sit\":5,\"epo\":...}} wraps and unwraps an object");
	json_object_put(content);
	json_object_put(parsed);
	parsed = json_tokener_parse("{\"m2m:seci\":{\"sit\":2,\"epo\":\"x\"}}");
	ktap_result(esprim_notify_unwrap(parsed, &obj, &len) == -1 && errno == EINVAL,
		    "esprim lib: securityInfo with sit other than 5 is not an ESPrim Notify");
	json_object_put(parsed);
}

int main(void)
{
	unsigned int i;

	if (m2msec_family() < 0) {
		fprintf(stderr, "m2msec not loaded\n");
		return KSFT_FAIL;
	}
	srand(getpid());
	ktap_plan(3 * 5 + 3);
	for (i = 0; i < 3; i++)
		test_alg(i);
	test_lib();
	return ktap_exit();
}
