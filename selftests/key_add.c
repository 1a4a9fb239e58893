// SPDX-License-Identifier: GPL-2.0
/*
 * add_key(2) with the "m2msec" key type: well-formed payloads are added,
 * malformed ones are refused with EINVAL, and no key can be read back.
 */
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/keyctl.h>

#include "keypayload_cases.h"
#include "ktap.h"

static long add_key(const char *type, const char *desc, const void *p,
		    size_t len, int ring)
{
	return syscall(SYS_add_key, type, desc, p, len, ring);
}

static long keyctl(int op, long a, long b, long c)
{
	return syscall(SYS_keyctl, op, a, b, c, 0);
}

static unsigned char buf[KP_BUF_MAX];

static void check_case(const struct kp_case *c)
{
	size_t len = kp_build(c, buf);
	long id = add_key(M2MSEC_KEY_TYPE, "m2msec-test", len ? buf : NULL,
			  len, KEY_SPEC_PROCESS_KEYRING);
	int err = id < 0 ? errno : 0;

	if (id >= 0)
		keyctl(KEYCTL_INVALIDATE, id, 0, 0);
	if (c->valid && err)
		ktap_diag("add_key failed: %s", strerror(err));
	if (!c->valid && err != EINVAL)
		ktap_diag("expected EINVAL, got %s", err ? strerror(err) :
			  "success");
	ktap_result(c->valid ? !err : err == EINVAL, "add_key: %s", c->what);
}

/* The kernel never hands key material back, not even to the owner. */
static void check_unreadable(void)
{
	char out[256];
	size_t len = kp_build(&kp_cases[0], buf);
	long id = add_key(M2MSEC_KEY_TYPE, "m2msec-read", buf, len,
			  KEY_SPEC_PROCESS_KEYRING);
	long r;

	if (id < 0) {
		ktap_result(0, "keyctl read of an m2msec key fails with EOPNOTSUPP");
		return;
	}
	r = keyctl(KEYCTL_READ, id, (long)out, sizeof(out));
	ktap_result(r < 0 && errno == EOPNOTSUPP,
		    "keyctl read of an m2msec key fails with EOPNOTSUPP");
	keyctl(KEYCTL_INVALIDATE, id, 0, 0);
}

int main(void)
{
	int i;

	ktap_plan(KP_N_CASES + 1);
	for (i = 0; i < KP_N_CASES; i++)
		check_case(&kp_cases[i]);
	check_unreadable();
	return ktap_exit();
}
