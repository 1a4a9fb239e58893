// SPDX-License-Identifier: LGPL-2.1
/*
 * libm2msec ESPrim helpers (see esprim.h).  JSON through json-c; base64 of
 * rand values through the same canonical codec the kernel uses.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../../kmod/b64url.h"
#include "esprim.h"
#include "m2msec.h"

int32_t esprim_key_add(const char *kid, const void *key, size_t key_len,
		       const char *identity, int32_t keyring)
{
	size_t id_len = strlen(identity);
	struct m2msec_key_payload *p;
	size_t len = sizeof(*p) + key_len + id_len;
	long serial;

	if (key_len > 64 || id_len > M2MSEC_KEY_MAX_ID_LEN) {
		errno = EINVAL;
		return -1;
	}
	p = calloc(1, len);
	if (!p)
		return -1;
	p->version = M2MSEC_KEY_PAYLOAD_V1;
	p->kind = M2MSEC_KEY_ESPRIM_PAIRWISE;
	p->key_len = key_len;
	p->id_len = id_len;
	memcpy(p->data, key, key_len);
	memcpy(p->data + key_len, identity, id_len);
	serial = syscall(SYS_add_key, M2MSEC_KEY_TYPE, kid, p, len, keyring);
	explicit_bzero(p, len);
	free(p);
	return serial < 0 ? -1 : (int32_t)serial;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int id_ok(const char *id, size_t len)
{
	size_t i;

	if (!len || len > M2MSEC_ESPRIM_ID_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (id[i] <= 0x20 || id[i] >= 0x7f || id[i] == '"' ||
		    id[i] == '\\')
			return 0;
	return 1;
}

#define ALL_ALGS ((1u << M2MSEC_ESPRIM_A128GCM) | \
		  (1u << M2MSEC_ESPRIM_A192GCM) | \
		  (1u << M2MSEC_ESPRIM_A256GCM))

int esprim_rand_fresh(struct m2msec_esprim_rand *r, uint8_t role,
		      const char *id, uint64_t lifetime_ms, uint32_t algs)
{
	size_t len = strlen(id);

	if (!id_ok(id, len)) {
		errno = EINVAL;
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->role = role;
	r->id_len = len;
	memcpy(r->id, id, len);
	r->keygen_algs = 1u << M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256;
	r->algs = algs ? algs : ALL_ALGS;
	r->expiry_ms = now_ms() + lifetime_ms;
	if (getrandom(r->value, sizeof(r->value), 0) != sizeof(r->value))
		return -1;
	return 0;
}

static struct json_object *mask_to_json(uint32_t mask)
{
	struct json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < 32; i++)
		if (mask & (1u << i))
			json_object_array_add(a, json_object_new_int(i));
	return a;
}

struct json_object *esprim_rand_to_json(const struct m2msec_esprim_rand *r)
{
	struct json_object *o = json_object_new_object();
	char b64[25], esrx[32], id[M2MSEC_ESPRIM_ID_MAX + 1];
	time_t t = r->expiry_ms / 1000;
	struct tm tm;

	if (!o)
		return NULL;
	memcpy(id, r->id, r->id_len);
	id[r->id_len] = 0;
	b64[m2msec_b64_encode(r->value, sizeof(r->value), b64)] = 0;
	gmtime_r(&t, &tm);
	strftime(esrx, sizeof(esrx), "%Y%m%dT%H%M%S", &tm);
	json_object_object_add(o, "esri", json_object_new_string(id));
	json_object_object_add(o, "esrv", json_object_new_string(b64));
	json_object_object_add(o, "esrx", json_object_new_string(esrx));
	if (r->role == M2MSEC_ESPRIM_ORIGINATOR)
		json_object_object_add(o, "esk", json_object_new_int(
				M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256));
	else
		json_object_object_add(o, "esks", mask_to_json(r->keygen_algs));
	json_object_object_add(o, "espa", mask_to_json(r->algs));
	return o;
}

static int mask_from_json(struct json_object *a, uint32_t *mask)
{
	size_t i;

	*mask = 0;
	if (!json_object_is_type(a, json_type_array))
		return -1;
	for (i = 0; i < json_object_array_length(a); i++) {
		struct json_object *v = json_object_array_get_idx(a, i);
		int64_t n;

		if (!json_object_is_type(v, json_type_int))
			return -1;
		n = json_object_get_int64(v);
		if (n < 0)
			return -1;
		if (n < 32)
			*mask |= 1u << n;
	}
	return 0;
}

static int esrx_from_json(struct json_object *v, uint64_t *ms)
{
	const char *s;
	struct tm tm = { 0 };
	char *end;

	if (json_object_is_type(v, json_type_int)) {
		if (json_object_get_int64(v) < 0)
			return -1;
		*ms = now_ms() + json_object_get_int64(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	if (strlen(s) == 15 && s[8] == 'T') {
		end = strptime(s, "%Y%m%dT%H%M%S", &tm);
		if (!end || *end)
			return -1;
		*ms = (uint64_t)timegm(&tm) * 1000;
		return 0;
	}
	errno = 0;
	*ms = strtoull(s, &end, 10);
	if (errno || !*s || *end)
		return -1;
	*ms += now_ms();
	return 0;
}

int esprim_rand_from_json(struct json_object *o, uint8_t role,
			  struct m2msec_esprim_rand *r)
{
	struct json_object *v;
	uint64_t expiry;
	const char *s;
	size_t len;

	memset(r, 0, sizeof(*r));
	r->role = role;
	if (!json_object_object_get_ex(o, "esri", &v) ||
	    !json_object_is_type(v, json_type_string))
		goto inval;
	s = json_object_get_string(v);
	len = strlen(s);
	if (!id_ok(s, len))
		goto inval;
	memcpy(r->id, s, len);
	r->id_len = len;
	if (!json_object_object_get_ex(o, "esrv", &v) ||
	    !json_object_is_type(v, json_type_string))
		goto inval;
	s = json_object_get_string(v);
	if (m2msec_b64_decode(s, strlen(s), r->value, sizeof(r->value)) !=
	    sizeof(r->value))
		goto inval;
	if (!json_object_object_get_ex(o, "esrx", &v) ||
	    esrx_from_json(v, &expiry))
		goto inval;
	r->expiry_ms = expiry;
	r->keygen_algs = 1u << M2MSEC_ESPRIM_KEYGEN_HMAC_SHA256;
	if (json_object_object_get_ex(o, "esk", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int(v) < 0 || json_object_get_int(v) > 31)
			goto inval;
		r->keygen_algs = 1u << json_object_get_int(v);
	} else if (json_object_object_get_ex(o, "esks", &v) &&
		   mask_from_json(v, &r->keygen_algs)) {
		goto inval;
	}
	r->algs = ALL_ALGS;
	if (json_object_object_get_ex(o, "espa", &v)) {
		if (mask_from_json(v, &r->algs))
			goto inval;
		r->algs &= ALL_ALGS;
	}
	return 0;
inval:
	errno = EINVAL;
	return -1;
}

struct json_object *esprim_notify_wrap(const char *object, size_t len)
{
	struct json_object *outer = json_object_new_object();
	struct json_object *seci = json_object_new_object();

	if (!outer || !seci) {
		json_object_put(outer);
		json_object_put(seci);
		return NULL;
	}
	json_object_object_add(seci, "sit", json_object_new_int(5));
	json_object_object_add(seci, "epo",
			       json_object_new_string_len(object, len));
	json_object_object_add(outer, "m2m:seci", seci);
	return outer;
}

int esprim_notify_unwrap(struct json_object *content, const char **object,
			 size_t *len)
{
	struct json_object *seci, *sit, *epo;

	if (!json_object_object_get_ex(content, "m2m:seci", &seci) ||
	    !json_object_object_get_ex(seci, "sit", &sit) ||
	    !json_object_is_type(sit, json_type_int) ||
	    json_object_get_int(sit) != 5 ||
	    !json_object_object_get_ex(seci, "epo", &epo) ||
	    !json_object_is_type(epo, json_type_string)) {
		errno = EINVAL;
		return -1;
	}
	*object = json_object_get_string(epo);
	*len = json_object_get_string_len(epo);
	return 0;
}

int esprim_socket(void)
{
	return m2msec_socket(SOCK_SEQPACKET, M2MSEC_PROTO_ESPRIM);
}

int esprim_setopt(int fd, int name, const void *arg, size_t len)
{
	return setsockopt(fd, SOL_M2MSEC, name, arg, len);
}

int esprim_session_add(int fd, uint32_t id, int32_t key, uint16_t alg,
		       uint16_t flags, const char *rri, const char *ori)
{
	struct m2msec_esprim_session s = {
		.id = id, .key = key, .alg = alg, .flags = flags,
		.rri_len = strlen(rri), .ori_len = strlen(ori),
	};

	if (s.rri_len > sizeof(s.rri) || s.ori_len > sizeof(s.ori)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(s.rri, rri, s.rri_len);
	memcpy(s.ori, ori, s.ori_len);
	return esprim_setopt(fd, M2MSEC_ESPRIM_SESSION_ADD, &s, sizeof(s));
}

ssize_t esprim_send(int fd, uint32_t session, const char *cty,
		    const void *buf, size_t len)
{
	char ctl[CMSG_SPACE(sizeof(uint32_t)) +
		 CMSG_SPACE(M2MSEC_ESPRIM_CTY_MAX)] = { 0 };
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	size_t cty_len = cty ? strlen(cty) : 0;

	if (session) {
		if (cty_len > M2MSEC_ESPRIM_CTY_MAX) {
			errno = EINVAL;
			return -1;
		}
		msg.msg_control = ctl;
		msg.msg_controllen = CMSG_SPACE(sizeof(uint32_t)) +
				     (cty ? CMSG_SPACE(cty_len) : 0);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_M2MSEC;
		c->cmsg_type = M2MSEC_CMSG_ESPRIM_SESSION;
		c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
		memcpy(CMSG_DATA(c), &session, sizeof(session));
		if (cty) {
			c = CMSG_NXTHDR(&msg, c);
			c->cmsg_level = SOL_M2MSEC;
			c->cmsg_type = M2MSEC_CMSG_ESPRIM_CTY;
			c->cmsg_len = CMSG_LEN(cty_len);
			memcpy(CMSG_DATA(c), cty, cty_len);
		}
	}
	return sendmsg(fd, &msg, 0);
}

static void copy_str(char *dst, size_t max, const void *src, size_t len)
{
	if (len > max)
		len = max;
	memcpy(dst, src, len);
	dst[len] = 0;
}

ssize_t esprim_recv(int fd, void *buf, size_t max, struct esprim_result *res)
{
	char ctl[1024];
	struct iovec iov = { buf, max };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	ssize_t n;

	n = recvmsg(fd, &msg, 0);
	if (n < 0)
		return n;
	memset(res, 0, sizeof(*res));
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t len = c->cmsg_len - CMSG_LEN(0);

		if (c->cmsg_level != SOL_M2MSEC)
			continue;
		switch (c->cmsg_type) {
		case M2MSEC_CMSG_ESPRIM_STATUS:
			memcpy(&res->status, CMSG_DATA(c), sizeof(uint32_t));
			break;
		case M2MSEC_CMSG_ESPRIM_SESSION:
			memcpy(&res->session, CMSG_DATA(c), sizeof(uint32_t));
			break;
		case M2MSEC_CMSG_ESPRIM_KID:
			copy_str(res->kid, M2MSEC_ESPRIM_KID_MAX, CMSG_DATA(c), len);
			break;
		case M2MSEC_CMSG_ESPRIM_CTY:
			copy_str(res->cty, M2MSEC_ESPRIM_CTY_MAX, CMSG_DATA(c), len);
			break;
		case M2MSEC_CMSG_ESPRIM_PEER_ID:
			copy_str(res->peer, M2MSEC_KEY_MAX_ID_LEN, CMSG_DATA(c), len);
			break;
		}
	}
	if (msg.msg_flags & MSG_TRUNC) {
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

uint32_t esprim_check_from(const struct esprim_result *res, const char *from)
{
	if (res->status != M2MSEC_RSC_OK || !res->peer[0] ||
	    strcmp(res->peer, from))
		return M2MSEC_RSC_ESPRIM_IMPERSONATION_ERROR;
	return M2MSEC_RSC_OK;
}

const char *esprim_rsc_name(uint32_t rsc)
{
	switch (rsc) {
	case M2MSEC_RSC_OK: return "OK";
	case M2MSEC_RSC_BAD_REQUEST: return "BAD_REQUEST";
	case M2MSEC_RSC_NOT_FOUND: return "NOT_FOUND";
	case M2MSEC_RSC_ESPRIM_UNSUPPORTED_OPTION: return "ESPRIM_UNSUPPORTED_OPTION";
	case M2MSEC_RSC_ESPRIM_UNKNOWN_KEY_ID: return "ESPRIM_UNKNOWN_KEY_ID";
	case M2MSEC_RSC_ESPRIM_UNKNOWN_ORIG_RAND_ID: return "ESPRIM_UNKNOWN_ORIG_RAND_ID";
	case M2MSEC_RSC_ESPRIM_UNKNOWN_RECV_RAND_ID: return "ESPRIM_UNKNOWN_RECV_RAND_ID";
	case M2MSEC_RSC_ESPRIM_BAD_MAC: return "ESPRIM_BAD_MAC";
	case M2MSEC_RSC_ESPRIM_IMPERSONATION_ERROR: return "ESPRIM_IMPERSONATION_ERROR";
	case M2MSEC_RSC_ESPRIM_DECRYPTION_ERROR: return "ESPRIM_DECRYPTION_ERROR";
	case M2MSEC_RSC_ESPRIM_ENCRYPTION_ERROR: return "ESPRIM_ENCRYPTION_ERROR";
	default: return "UNKNOWN";
	}
}
