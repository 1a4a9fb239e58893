// SPDX-License-Identifier: GPL-2.0
/*
 * Anti-replay window, RFC 6479 style.
 *
 * The window is a ring of nwords 64-bit words.  Sequence number s owns bit
 * (s % 64) of word ((s / 64) % nwords).  The word holding @top is the
 * right-most block; the nwords - 1 words before it in the ring hold the
 * previous blocks, so every s with top - window < s <= top has a live bit
 * (window = (nwords - 1) * 64):
 *
 *      ring index:  ... | k-1 | k = (top / 64) % nwords | k+1 | ...
 *                           older blocks   | top's block | oldest block,
 *                                                          cleared when
 *                                                          top enters it
 *
 * Moving the right edge from block b to block b' clears the words of
 * blocks b+1 .. b' (all of them when b' - b >= nwords) and nothing else:
 * no bit is ever shifted.  Bits above @top in top's own word are always
 * zero, so a record beyond the edge is always new.
 */
#include "replay.h"

/*
 * check() runs without the lock that serialises update(): the shared fields
 * are accessed with single volatile loads and stores (what READ_ONCE() and
 * WRITE_ONCE() expand to), so the compiler neither tears nor reorders nor
 * repeats them.
 */
static inline u64 load64(const u64 *p)
{
	return *(const volatile u64 *)p;
}

static inline void store64(u64 *p, u64 v)
{
	*(volatile u64 *)p = v;
}

static u32 replay_nwords(u32 window)
{
	u32 need, n = 2;

	if (window > M2MSEC_REPLAY_WINDOW_MAX)
		window = M2MSEC_REPLAY_WINDOW_MAX;
	/* One word more than the window needs: top's word is partly used. */
	need = (window + 63) / 64 + 1;
	while (n < need)
		n <<= 1;
	return n;
}

size_t m2msec_replay_size(u32 window)
{
	return sizeof(struct m2msec_replay) +
	       (size_t)replay_nwords(window) * sizeof(u64);
}

void m2msec_replay_init(struct m2msec_replay *w, u32 window, u64 first_seq)
{
	u32 n = replay_nwords(window), i;
	unsigned int bit = first_seq & 63;

	w->nwords = n;
	w->pad = 0;
	/*
	 * Pretend everything below first_seq was received: whole words for
	 * the older blocks, the low bits of first_seq's own block.  Its bit
	 * and the ones above stay clear, which keeps the invariant that bits
	 * above top are zero.
	 */
	for (i = 0; i < n; i++)
		store64(&w->bitmap[i], ~(u64)0);
	store64(&w->bitmap[(first_seq >> 6) & (n - 1)],
		bit ? ((u64)1 << bit) - 1 : 0);
	store64(&w->top, first_seq);
}

u32 m2msec_replay_window(const struct m2msec_replay *w)
{
	return (w->nwords - 1) * 64;
}

bool m2msec_replay_check(const struct m2msec_replay *w, u64 seq)
{
	u64 top = load64(&w->top);
	u64 word;

	if (seq > top)
		return true;
	if (top - seq >= m2msec_replay_window(w))
		return false;
	word = load64(&w->bitmap[(seq >> 6) & (w->nwords - 1)]);
	return !(word & ((u64)1 << (seq & 63)));
}

bool m2msec_replay_update(struct m2msec_replay *w, u64 seq)
{
	u32 mask = w->nwords - 1;
	u64 top = w->top, bit, *word;

	if (seq > top) {
		/* Block numbers are at most 2^58: no overflow below. */
		u64 cur = top >> 6, diff = (seq >> 6) - cur;

		if (diff > w->nwords)
			diff = w->nwords;
		for (; diff; diff--)
			store64(&w->bitmap[(cur + diff) & mask], 0);
		/* Cleared words first, then the edge that exposes them. */
		store64(&w->top, seq);
	} else if (top - seq >= m2msec_replay_window(w)) {
		return false;
	}

	word = &w->bitmap[(seq >> 6) & mask];
	bit = (u64)1 << (seq & 63);
	if (*word & bit)
		return false;
	store64(word, *word | bit);
	return true;
}
