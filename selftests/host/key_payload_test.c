// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: the key payload validator of m2msec.ko, built for
 * userspace from the same source, against the shared case table.
 */
#include "../../kmod/key_payload.h"
#include "../keypayload_cases.h"
#include "../ktap.h"

static unsigned char buf[KP_BUF_MAX];

int main(void)
{
	int i, err;

	ktap_plan(KP_N_CASES + 1);
	for (i = 0; i < KP_N_CASES; i++) {
		size_t len = kp_build(&kp_cases[i], buf);

		err = m2msec_key_payload_check(len ? buf : NULL, len);
		ktap_result(kp_cases[i].valid ? !err : err == -EINVAL,
			    "key payload validator: %s", kp_cases[i].what);
	}
	/* Every prefix of a valid payload is invalid. */
	{
		size_t len = kp_build(&kp_cases[2], buf), n;
		int bad = 0;

		for (n = 0; n < len; n++)
			bad += !m2msec_key_payload_check(buf, n);
		ktap_result(!bad, "key payload validator: every strict prefix of a valid payload is rejected");
	}
	return ktap_exit();
}
