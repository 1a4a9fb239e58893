// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: m2msecd's allocator of locked pages for traffic secrets
 * (user/m2msecd/secmem.c).
 *
 * Scenario: slots of the size of a session are taken and given back the
 * way associations come and go.  munlock() works on whole pages, so the
 * property that matters is that a page stays locked while any slot of it
 * is in use; the locked amount is read from the kernel (VmLck in
 * /proc/self/status), the dump flag from /proc/self/smaps.  Then: freed
 * slots are wiped, empty pages are unmapped, slots never overlap.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../user/m2msecd/secmem.h"
#include "../ktap.h"

#define OBJ	312	/* about sizeof(struct kx_session) */

/* Locked memory of this process, in kB (VmLck). */
static long vm_locked_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Is @p in a mapping marked "dd" (MADV_DONTDUMP) in /proc/self/smaps? */
static int dontdump(const void *p)
{
	unsigned long lo, hi, a = (unsigned long)p;
	char line[512];
	int in = 0, dd = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			in = a >= lo && a < hi;
		else if (in && !strncmp(line, "VmFlags:", 8))
			dd = strstr(line, " dd") != NULL;
	}
	fclose(f);
	return dd;
}

static int mapped(const void *p)
{
	unsigned char v;

	return mincore((void *)((uintptr_t)p & ~(uintptr_t)(getpagesize() - 1)),
		       1, &v) == 0;
}

static int t_init_bounds(void)
{
	struct hsd_secmem m;
	long ps = getpagesize();

	return hsd_secmem_init(&m, 0) == -EINVAL &&
	       hsd_secmem_init(&m, ps + 1) == -EINVAL &&
	       hsd_secmem_init(&m, ps) == 0 && m.per_page == 1 &&
	       hsd_secmem_init(&m, OBJ) == 0 &&
	       m.slot_size == 320 && m.per_page == (unsigned int)(ps / 320 > 64 ? 64 : ps / 320);
}

static int t_fill_page_first(void)
{
	struct hsd_secmem m;
	void *p[65];
	unsigned int i, n;
	int err, ok = 1;

	hsd_secmem_init(&m, OBJ);
	n = m.per_page;
	for (i = 0; i <= n; i++) {
		p[i] = hsd_secmem_alloc(&m, &err);
		ok &= p[i] != NULL && (uintptr_t)p[i] % HSD_SECMEM_ALIGN == 0;
		if (i < n)
			ok &= m.npages == 1;
	}
	ok &= m.npages == 2;
	for (i = 0; i <= n; i++)
		hsd_secmem_free(&m, p[i]);
	ok &= m.npages == 0 && !m.pages;
	return ok;
}

/*
 * The bug this allocator replaces: objects locked one by one share a
 * page, and munlock() of one freed object unlocks the page of the others.
 */
static int t_page_stays_locked(void)
{
	struct hsd_secmem m;
	long base, two, one, none;
	int e1, e2, ok;
	void *a, *b;

	hsd_secmem_init(&m, OBJ);
	base = vm_locked_kb();
	a = hsd_secmem_alloc(&m, &e1);
	b = hsd_secmem_alloc(&m, &e2);
	if (e1 || e2) {
		hsd_secmem_exit(&m);
		return -1;	/* RLIMIT_MEMLOCK: skipped */
	}
	two = vm_locked_kb();
	hsd_secmem_free(&m, a);
	one = vm_locked_kb();
	hsd_secmem_free(&m, b);
	none = vm_locked_kb();
	ok = base >= 0 && two == base + (long)m.page_size / 1024 &&
	     one == two && none == base;
	if (!ok)
		ktap_diag("VmLck %ld kB, two slots %ld, one %ld, none %ld",
			  base, two, one, none);
	return ok;
}

static int t_dontdump(void)
{
	struct hsd_secmem m;
	int err, ok;
	void *a;

	hsd_secmem_init(&m, OBJ);
	a = hsd_secmem_alloc(&m, &err);
	ok = a && dontdump(a);
	hsd_secmem_free(&m, a);
	return ok;
}

static int t_wiped_and_zeroed(void)
{
	struct hsd_secmem m;
	uint8_t *a, *b, *c;
	int err, ok = 1;
	size_t i;

	hsd_secmem_init(&m, OBJ);
	a = hsd_secmem_alloc(&m, &err);
	b = hsd_secmem_alloc(&m, &err);
	memset(a, 0xa5, m.slot_size);
	memset(b, 0x5a, m.slot_size);
	hsd_secmem_free(&m, a);
	/* b keeps the page mapped: a's bytes can still be read. */
	for (i = 0; i < m.slot_size; i++)
		ok &= a[i] == 0;
	c = hsd_secmem_alloc(&m, &err);	/* a's slot again, zeroed */
	ok &= c == a;
	for (i = 0; i < m.slot_size; i++)
		ok &= c[i] == 0 && b[i] == 0x5a;
	hsd_secmem_free(&m, b);
	hsd_secmem_free(&m, c);
	return ok;
}

static int t_empty_page_unmapped(void)
{
	struct hsd_secmem m;
	int err, ok;
	void *a;

	hsd_secmem_init(&m, OBJ);
	a = hsd_secmem_alloc(&m, &err);
	ok = mapped(a);
	hsd_secmem_free(&m, a);
	return ok && !mapped(a) && m.npages == 0;
}

/* Associations coming and going in random order: no overlap, no leak. */
static int t_churn(void)
{
	enum { N = 2000 };
	static uint8_t *p[N];
	struct hsd_secmem m;
	unsigned int i, j, k;
	int err, ok = 1;

	srand(1);
	hsd_secmem_init(&m, OBJ);
	for (i = 0; i < N; i++) {
		p[i] = hsd_secmem_alloc(&m, &err);
		if (!p[i])
			return 0;
		memset(p[i], (uint8_t)i, OBJ);
	}
	for (k = 0; k < 4 * N; k++) {
		j = rand() % N;
		for (i = 0; i < OBJ; i++)
			ok &= p[j][i] == (uint8_t)j;
		hsd_secmem_free(&m, p[j]);
		p[j] = hsd_secmem_alloc(&m, &err);
		if (!p[j])
			return 0;
		memset(p[j], (uint8_t)j, OBJ);
	}
	/* A freed slot is taken again before a page is added. */
	ok &= m.npages == (N + m.per_page - 1) / m.per_page;
	for (i = 0; i < N; i++) {
		for (j = 0; j < OBJ; j++)
			ok &= p[i][j] == (uint8_t)i;
		hsd_secmem_free(&m, p[i]);
	}
	return ok && m.npages == 0 && m.unlocked == 0;
}

static const struct {
	int (*fn)(void);
	const char *name;
} tests[] = {
	{ t_init_bounds, "a slot is the object size rounded to 64 bytes; 0 and more than a page are refused" },
	{ t_fill_page_first, "slots fill a page before another page is mapped; the last free unmaps every page" },
	{ t_page_stays_locked, "freeing one slot leaves the page locked while another slot uses it (VmLck); the last free unlocks it" },
	{ t_dontdump, "pages are excluded from core dumps (MADV_DONTDUMP, smaps VmFlags dd)" },
	{ t_wiped_and_zeroed, "a freed slot is wiped at once; a slot taken again is zeroed; neighbours are untouched" },
	{ t_empty_page_unmapped, "a page whose last slot is freed is unmapped" },
	{ t_churn, "2000 sessions freed and taken again 8000 times: no overlap, every page released at the end" },
};

int main(void)
{
	unsigned int i, n = sizeof(tests) / sizeof(tests[0]);
	int r;

	ktap_plan(n);
	for (i = 0; i < n; i++) {
		r = tests[i].fn();
		if (r < 0)
			ktap_skip("secmem: %s (mlock refused: RLIMIT_MEMLOCK)",
				  tests[i].name);
		else
			ktap_result(r, "secmem: %s", tests[i].name);
	}
	return ktap_exit();
}
