/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal KTAP output for m2msec's test programs, with kselftest's exit
 * codes: 0 all passed, 1 a failure, 4 every test skipped.
 */
#ifndef M2MSEC_KTAP_H
#define M2MSEC_KTAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KSFT_PASS 0
#define KSFT_FAIL 1
#define KSFT_SKIP 4

static struct {
	int n, pass, fail, skip;
} ktap;

static inline void ktap_plan(int n)
{
	printf("KTAP version 1\n1..%d\n", n);
	fflush(stdout);
}

static inline void ktap_vresult(const char *res, const char *dir,
				const char *fmt, va_list ap)
{
	printf("%s %d ", res, ++ktap.n);
	vprintf(fmt, ap);
	if (dir)
		printf(" # %s", dir);
	putchar('\n');
	fflush(stdout);
}

static inline void __attribute__((format(printf, 2, 3)))
ktap_result(int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vresult(ok ? "ok" : "not ok", NULL, fmt, ap);
	va_end(ap);
	if (ok)
		ktap.pass++;
	else
		ktap.fail++;
}

static inline void __attribute__((format(printf, 1, 2)))
ktap_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktap_vresult("ok", "SKIP", fmt, ap);
	va_end(ap);
	ktap.skip++;
}

static inline void __attribute__((format(printf, 1, 2)))
ktap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static inline int ktap_exit(void)
{
	printf("# totals: pass:%d fail:%d skip:%d\n", ktap.pass, ktap.fail,
	       ktap.skip);
	if (ktap.fail)
		return KSFT_FAIL;
	if (ktap.skip && !ktap.pass)
		return KSFT_SKIP;
	return KSFT_PASS;
}

#endif /* M2MSEC_KTAP_H */
