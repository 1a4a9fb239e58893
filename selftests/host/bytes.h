/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Byte-array helpers for the host unit tests: compare against expected
 * bytes and show both in hex when they differ.
 */
#ifndef M2MSEC_TEST_BYTES_H
#define M2MSEC_TEST_BYTES_H

#include <stdio.h>
#include <string.h>

static inline void hex_diag(const char *what, const unsigned char *p,
			    size_t n)
{
	size_t i;

	printf("# %s (%zu):", what, n);
	for (i = 0; i < n; i++)
		printf("%s%02x", i % 16 ? " " : "\n#   ", p[i]);
	putchar('\n');
}

/* True when got[0..got_len) equals want[0..want_len); diagnoses if not. */
static inline int bytes_eq(const void *got, size_t got_len, const void *want,
			   size_t want_len)
{
	if (got_len == want_len && !memcmp(got, want, want_len))
		return 1;
	hex_diag("got", got, got_len);
	hex_diag("want", want, want_len);
	return 0;
}

/* Hex digits to bytes; the number of bytes, or -1 on a non-hex pair. */
static inline int unhex(const char *s, unsigned char *out)
{
	int n = 0;

	for (; s[0] && s[1]; s += 2) {
		unsigned int v;

		if (sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = v;
	}
	return n;
}

#endif /* M2MSEC_TEST_BYTES_H */
