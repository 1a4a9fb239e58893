// SPDX-License-Identifier: GPL-2.0
/*
 * ESPrim socket from a 32-bit process (MSG_CMSG_COMPAT).
 *
 * A 32-bit task on a 64-bit kernel gets its control messages in the 32-bit
 * layout (struct compat_cmsghdr: 4-byte length, 4-byte alignment); the
 * kernel's put_cmsg() does the conversion when recvmsg() passes it the
 * message's flags.  This program is built with -m32 and without a C library
 * (the test machines have no 32-bit libc): raw int $0x80 system calls,
 * i386 system call numbers, structures written out here.
 *
 * Cases: a status-only result (4004 + SESSION), a protect and an unprotect
 * carrying every control message (STATUS, SESSION, KID, CTY, PEER_ID) both
 * ways, and MSG_TRUNC with a short buffer.  KTAP on stdout.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;

/* i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl) */
#define NR_read		3
#define NR_write	4
#define NR_open		5
#define NR_close	6
#define NR_gettimeofday	78
#define NR_exit_group	252
#define NR_add_key	286
#define NR_socket	359
#define NR_setsockopt	366
#define NR_sendmsg	370
#define NR_recvmsg	372

#define SOCK_SEQPACKET	5
#define MSG_TRUNC	0x20
#define MSG_CTRUNC	0x08

#define SOL_M2MSEC		0x4d32
#define PROTO_ESPRIM		2
#define ESPRIM_RAND_ADD		0x102
#define ESPRIM_SESSION_ADD	0x104
#define CMSG_SESSION		0x100
#define CMSG_CTY		0x101
#define CMSG_STATUS		0x102
#define CMSG_KID		0x103
#define CMSG_PEER_ID		0x104

static long sys(long n, long a, long b, long c, long d, long e)
{
	long r;

	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(n), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e)
			 : "memory");
	return r;
}

void *memcpy(void *d, const void *s, unsigned int n);
void *memset(void *d, int c, unsigned int n);

void *memcpy(void *d, const void *s, unsigned int n)
{
	u8 *dd = d;
	const u8 *ss = s;

	while (n--)
		*dd++ = *ss++;
	return d;
}

void *memset(void *d, int c, unsigned int n)
{
	u8 *dd = d;

	while (n--)
		*dd++ = c;
	return d;
}

static unsigned int slen(const char *s)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	return n;
}

static int meq(const void *a, const void *b, unsigned int n)
{
	const u8 *x = a, *y = b;

	while (n--)
		if (*x++ != *y++)
			return 0;
	return 1;
}

static void out(const char *s)
{
	sys(NR_write, 1, (long)s, slen(s), 0, 0);
}

static void outn(long v)
{
	char b[16], *p = b + sizeof(b) - 1;
	int neg = v < 0;
	unsigned long u = neg ? -v : v;

	*p = 0;
	do {
		*--p = '0' + u % 10;
		u /= 10;
	} while (u);
	if (neg)
		*--p = '-';
	out(p);
}

static int test_no, failed;

static void ok(int cond, const char *desc)
{
	test_no++;
	if (!cond)
		failed++;
	out(cond ? "ok " : "not ok ");
	outn(test_no);
	out(" esprim compat32: ");
	out(desc);
	out("\n");
}

/* 32-bit user ABI */
struct iovec32 {
	void *base;
	u32 len;
};

struct msghdr32 {
	void *name;
	s32 namelen;
	struct iovec32 *iov;
	u32 iovlen;
	void *control;
	u32 controllen;
	s32 flags;
};

struct cmsghdr32 {
	u32 len;
	s32 level;
	s32 type;
};

#define ALIGN4(x)	(((x) + 3) & ~3u)

struct m2msec_esprim_rand {
	u8 role, id_len;
	u16 reserved;
	u32 keygen_algs, algs, reserved2;
	u64 expiry_ms;		/* offset 16 on both ABIs */
	u8 value[16];
	char id[64];
};

struct m2msec_esprim_session {
	u32 id;
	s32 key;
	u16 alg, flags;
	u8 rri_len, ori_len;
	u16 reserved;
	char rri[64], ori[64];
};

_Static_assert(sizeof(struct m2msec_esprim_rand) == 104, "rand layout");
_Static_assert(sizeof(struct m2msec_esprim_session) == 144, "session layout");

/* What one result carried. */
struct result {
	long ret;
	s32 flags;
	u8 data[2048];
	u32 status, session;
	int n_cmsg, bad_layout;
	char kid[64], cty[64], peer[64];
	u32 kid_len, cty_len, peer_len;
};

static u8 cbuf[512] __attribute__((aligned(8)));

static long send_msg(int fd, const void *data, u32 len, long session,
		     const char *cty)
{
	struct iovec32 iov = { (void *)data, len };
	struct msghdr32 m = { 0 };
	u32 off = 0;
	struct cmsghdr32 *c;

	memset(cbuf, 0, sizeof(cbuf));
	if (session >= 0) {
		c = (struct cmsghdr32 *)cbuf;
		c->len = sizeof(*c) + 4;
		c->level = SOL_M2MSEC;
		c->type = CMSG_SESSION;
		memcpy(c + 1, &session, 4);
		off = ALIGN4(c->len);
	}
	if (cty) {
		c = (struct cmsghdr32 *)(cbuf + off);
		c->len = sizeof(*c) + slen(cty);
		c->level = SOL_M2MSEC;
		c->type = CMSG_CTY;
		memcpy(c + 1, cty, slen(cty));
		off += ALIGN4(c->len);
	}
	m.iov = &iov;
	m.iovlen = 1;
	m.control = off ? cbuf : 0;
	m.controllen = off;
	return sys(NR_sendmsg, fd, (long)&m, 0, 0, 0);
}

static void copy_str(char *dst, u32 *dlen, const u8 *src, u32 n)
{
	if (n > 63)
		n = 63;
	memcpy(dst, src, n);
	dst[n] = 0;
	*dlen = n;
}

static void recv_msg(int fd, struct result *r, u32 size)
{
	struct iovec32 iov = { r->data, size };
	struct msghdr32 m = { 0 };
	u32 off = 0;

	memset(r, 0, sizeof(*r));
	memset(cbuf, 0, sizeof(cbuf));
	m.iov = &iov;
	m.iovlen = 1;
	m.control = cbuf;
	m.controllen = sizeof(cbuf);
	r->ret = sys(NR_recvmsg, fd, (long)&m, 0, 0, 0);
	r->flags = m.flags;
	if (r->ret < 0)
		return;
	/* Walk the 32-bit layout: 12-byte header, 4-byte alignment. */
	while (off + sizeof(struct cmsghdr32) <= m.controllen) {
		struct cmsghdr32 *c = (struct cmsghdr32 *)(cbuf + off);
		const u8 *d = (const u8 *)(c + 1);
		u32 n = c->len - sizeof(*c);

		if (c->len < sizeof(*c) || off + c->len > m.controllen ||
		    c->level != SOL_M2MSEC) {
			r->bad_layout = 1;
			break;
		}
		r->n_cmsg++;
		switch (c->type) {
		case CMSG_STATUS:
			if (n != 4)
				r->bad_layout = 1;
			memcpy(&r->status, d, 4);
			break;
		case CMSG_SESSION:
			if (n != 4)
				r->bad_layout = 1;
			memcpy(&r->session, d, 4);
			break;
		case CMSG_KID:
			copy_str(r->kid, &r->kid_len, d, n);
			break;
		case CMSG_CTY:
			copy_str(r->cty, &r->cty_len, d, n);
			break;
		case CMSG_PEER_ID:
			copy_str(r->peer, &r->peer_len, d, n);
			break;
		default:
			r->bad_layout = 1;
		}
		off += ALIGN4(c->len);
	}
}

static int read_family(void)
{
	char b[16];
	long fd, n, i, v = 0;

	fd = sys(NR_open, (long)"/sys/module/m2msec/parameters/family", 0, 0,
		 0, 0);
	if (fd < 0)
		return -1;
	n = sys(NR_read, fd, (long)b, sizeof(b), 0, 0);
	sys(NR_close, fd, 0, 0, 0, 0);
	for (i = 0; i < n && b[i] >= '0' && b[i] <= '9'; i++)
		v = v * 10 + b[i] - '0';
	return v;
}

static u64 now_ms(void)
{
	struct { s32 sec, usec; } tv;

	sys(NR_gettimeofday, (long)&tv, 0, 0, 0, 0);
	return (u64)tv.sec * 1000 + tv.usec / 1000;
}

static void rand_obj(struct m2msec_esprim_rand *r, u8 role, const char *id,
		     u8 seed)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->role = role;
	r->id_len = slen(id);
	memcpy(r->id, id, r->id_len);
	r->keygen_algs = 1u << 1;
	r->algs = 1u << 10;
	r->expiry_ms = now_ms() + (role == 1 ? 3600000 : 1800000);
	for (i = 0; i < 16; i++)
		r->value[i] = seed + i * 7;
}

static long add_key(void)
{
	static const char kid[] = "kid-c32", ident[] = "C-32";
	u8 payload[12 + 32 + 4];
	u16 hdr[6] = { 0x0301, 0, 32, 0, 0, 4 };	/* version 1, kind 3 */
	int i;

	memcpy(payload, hdr, 12);
	for (i = 0; i < 32; i++)
		payload[12 + i] = 0xa0 + i;
	memcpy(payload + 44, ident, 4);
	/* KEY_SPEC_PROCESS_KEYRING */
	return sys(NR_add_key, (long)"m2msec", (long)kid, (long)payload,
		   sizeof(payload), -2);
}

static struct result r1, r2;

static void run(void)
{
	static const char msg[] = "hello from a 32-bit task";
	struct m2msec_esprim_rand rr, ro;
	struct m2msec_esprim_session sess;
	long fd, key, e1, e2, e3;
	int fam = read_family();

	out("KTAP version 1\n1..5\n");
	fd = sys(NR_socket, fam, SOCK_SEQPACKET, PROTO_ESPRIM, 0, 0);
	if (fd < 0) {
		out("# socket: ");
		outn(fd);
		out("\n");
	}

	/* 1. A status-only result. */
	send_msg(fd, "x", 1, 7, 0);
	recv_msg(fd, &r1, 64);
	if (r1.ret < 0) {
		out("# recvmsg: ");
		outn(r1.ret);
		out("\n");
	}
	ok(r1.ret == 0 && !r1.bad_layout && r1.n_cmsg == 2 &&
	   r1.status == 4004 && r1.session == 7 &&
	   !(r1.flags & (MSG_CTRUNC | MSG_TRUNC)),
	   "recvmsg() returns a status-only result (4004, SESSION 7) with 32-bit control messages");

	/* 2. Protect with SESSION and CTY control messages sent in 32-bit layout. */
	key = add_key();
	rand_obj(&rr, 1, "r-c32", 1);
	rand_obj(&ro, 2, "o-c32", 100);
	e1 = sys(NR_setsockopt, fd, SOL_M2MSEC, ESPRIM_RAND_ADD, (long)&rr,
		 sizeof(rr));
	e2 = sys(NR_setsockopt, fd, SOL_M2MSEC, ESPRIM_RAND_ADD, (long)&ro,
		 sizeof(ro));
	memset(&sess, 0, sizeof(sess));
	sess.id = 1;
	sess.key = key;
	sess.alg = 10;
	sess.rri_len = 5;
	sess.ori_len = 5;
	memcpy(sess.rri, "r-c32", 5);
	memcpy(sess.ori, "o-c32", 5);
	e3 = sys(NR_setsockopt, fd, SOL_M2MSEC, ESPRIM_SESSION_ADD,
		 (long)&sess, sizeof(sess));
	if (key < 0 || e1 || e2 || e3) {
		out("# setup: add_key ");
		outn(key);
		out(" rand ");
		outn(e1);
		out(" ");
		outn(e2);
		out(" session ");
		outn(e3);
		out("\n");
	}
	send_msg(fd, msg, sizeof(msg) - 1, 1, "text/plain");
	recv_msg(fd, &r1, sizeof(r1.data));
	ok(r1.ret > 100 && !r1.bad_layout && r1.n_cmsg == 2 &&
	   r1.status == 2000 && r1.session == 1,
	   "protect with 32-bit SESSION and CTY control messages: 2000, the object, SESSION 1");

	/* 3. Unprotect: every control message. */
	send_msg(fd, r1.data, r1.ret > 0 ? r1.ret : 0, -1, 0);
	recv_msg(fd, &r2, sizeof(r2.data));
	ok(r2.ret == (long)sizeof(msg) - 1 && meq(r2.data, msg, sizeof(msg) - 1) &&
	   !r2.bad_layout && r2.n_cmsg == 5 && r2.status == 2000 &&
	   r2.session == 1,
	   "unprotect: 2000, the plaintext, STATUS and SESSION in 32-bit layout");
	ok(r2.kid_len == 7 && meq(r2.kid, "kid-c32", 7) && r2.cty_len == 10 &&
	   meq(r2.cty, "text/plain", 10) && r2.peer_len == 4 &&
	   meq(r2.peer, "C-32", 4),
	   "unprotect: KID, CTY and PEER_ID strings at 4-byte aligned 32-bit offsets");

	/* 4. A short buffer truncates and says so. */
	send_msg(fd, r1.data, r1.ret > 0 ? r1.ret : 0, -1, 0);
	recv_msg(fd, &r2, 5);
	ok(r2.ret == 5 && (r2.flags & MSG_TRUNC) && r2.status == 2000,
	   "a 5-byte buffer gets 5 bytes and MSG_TRUNC");

	out("# totals: pass:");
	outn(test_no - failed);
	out(" fail:");
	outn(failed);
	out(" skip:0\n");
}

void _start(void);
void _start(void)
{
	run();
	sys(NR_exit_group, failed ? 1 : 0, 0, 0, 0, 0);
	for (;;)
		;
}
