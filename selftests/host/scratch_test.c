// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: the scratch-area arithmetic of kmod/pure.h that
 * kmod/aead.c uses to put the crypto request behind a record in the same
 * allocation.
 *
 * Scenario: a buffer of "used" record bytes plus m2msec_scratch_reserve()
 * bytes, starting at every alignment a slab object can have; the scratch
 * body placed m2msec_scratch_pad() bytes after the record must be aligned
 * and must end inside the buffer, for every record length and alignment.
 * The arithmetic before this helper (reserve body + 8, clear body bytes
 * from the aligned start) is checked to overrun, so the test would have
 * caught it.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../kmod/pure.h"
#include "../ktap.h"

static const size_t aligns[] = { 8, 16, 32, 64, 128 };
static const size_t bodies[] = { 1, 100, 184, 512, 1000 };

/* Does the body placed after @used bytes of a buffer at @base fit? */
static int fits(uintptr_t base, size_t used, size_t body, size_t align,
		size_t reserve, size_t pad)
{
	uintptr_t start = base + used + pad;

	return start % align == 0 && used + pad + body <= used + reserve;
}

static int t_every_case_fits(void)
{
	size_t a, b, used, base;

	for (a = 0; a < sizeof(aligns) / sizeof(aligns[0]); a++)
		for (b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++)
			for (base = 0; base < 256; base += 8)
				for (used = 0; used < 2 * 16384 + 300; used++) {
					size_t al = aligns[a], bd = bodies[b];
					uintptr_t at = 0x10000 + base + used;
					size_t pad = m2msec_scratch_pad(at, al);

					if (!fits(0x10000 + base, used, bd, al,
						  m2msec_scratch_reserve(bd, al),
						  pad))
						return 0;
				}
	return 1;
}

static int t_pad_is_minimal(void)
{
	size_t a, off;

	for (a = 0; a < sizeof(aligns) / sizeof(aligns[0]); a++)
		for (off = 0; off < 4 * aligns[a]; off++) {
			size_t pad = m2msec_scratch_pad(0x1000 + off, aligns[a]);

			if (pad >= aligns[a] || (0x1000 + off + pad) % aligns[a])
				return 0;
		}
	return 1;
}

/* The old layout: reserve body + 8 but clear body bytes from the aligned
 * start.  Any record length that is not a multiple of 8 overran. */
static int t_old_layout_overran(void)
{
	uintptr_t base = 0x10000;
	size_t used = 13, body = 184, reserve = body + 8;
	size_t pad = m2msec_scratch_pad(base + used, 8);

	return fits(base, used, body + 8, 8, reserve, pad) ? 0 : 1;
}

static const struct {
	int (*fn)(void);
	const char *name;
} tests[] = {
	{ t_every_case_fits, "the body is aligned and ends inside the reserve for alignments 8..128, bodies 1..1000 B, record lengths 0..32 KiB and every slab start" },
	{ t_pad_is_minimal, "the pad is below the alignment and reaches the next aligned address" },
	{ t_old_layout_overran, "the former layout (clearing reserve bytes from the aligned start) is detected as an overrun" },
};

int main(void)
{
	unsigned int i, n = sizeof(tests) / sizeof(tests[0]);

	ktap_plan(n);
	for (i = 0; i < n; i++)
		ktap_result(tests[i].fn(), "scratch: %s", tests[i].name);
	return ktap_exit();
}
