// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: the anti-replay window of m2msec.ko (kmod/replay.c),
 * built for userspace from the same source.
 *
 * Scenario: one RX epoch, records arriving with the sequence numbers each
 * test chooses; update() is called as after successful decryption, check()
 * as before it.  Besides hand-picked edges, a reference model (a plain
 * "seen" set plus the highest accepted number) is compared with the window
 * over a million random arrivals and over every jump distance of a few
 * rings.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../../kmod/replay.h"
#include "../ktap.h"

static struct m2msec_replay *win_new(u32 window, u64 first_seq)
{
	struct m2msec_replay *w = malloc(m2msec_replay_size(window));

	if (!w) {
		perror("malloc");
		exit(KSFT_FAIL);
	}
	m2msec_replay_init(w, window, first_seq);
	return w;
}

static struct m2msec_replay *win_copy(const struct m2msec_replay *w)
{
	size_t n = sizeof(*w) + (size_t)w->nwords * sizeof(u64);
	struct m2msec_replay *c = malloc(n);

	if (!c) {
		perror("malloc");
		exit(KSFT_FAIL);
	}
	memcpy(c, w, n);
	return c;
}

static int win_same(const struct m2msec_replay *a,
		    const struct m2msec_replay *b)
{
	return a->nwords == b->nwords &&
	       !memcmp(a, b, sizeof(*a) + (size_t)a->nwords * sizeof(u64));
}

/* Deterministic xorshift64*, so a failure can be replayed. */
static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* ---- reference model: what RFC 6347 4.1.2.6 asks, without cleverness */

#define REF_RANGE (1U << 21)

struct ref {
	unsigned char *seen;
	u64 top;	/* highest accepted, or first_seq before any */
	u64 first;
	u64 hi;		/* highest index ever marked: what init clears */
	u32 window;
};

static void ref_init(struct ref *r, u32 window, u64 first)
{
	if (!r->seen) {
		r->seen = calloc(1, REF_RANGE);
		if (!r->seen) {
			perror("calloc");
			exit(KSFT_FAIL);
		}
	} else {
		memset(r->seen, 0, r->hi + 1);
	}
	r->hi = 0;
	r->top = first;
	r->first = first;
	r->window = window;
}

static int ref_accepts(const struct ref *r, u64 seq)
{
	if (seq < r->first || r->seen[seq])
		return 0;
	return seq > r->top || r->top - seq < r->window;
}

static void ref_mark(struct ref *r, u64 seq)
{
	r->seen[seq] = 1;
	if (seq > r->hi)
		r->hi = seq;
	if (seq > r->top)
		r->top = seq;
}

/* ---- tests */

static int t_sizes(void)
{
	u32 req;

	for (req = 0; req <= 70000; req++) {
		struct m2msec_replay *w = win_new(req, 0);
		u32 n = w->nwords, eff = m2msec_replay_window(w);
		int ok = n >= 2 && !(n & (n - 1)) && eff == (n - 1) * 64 &&
			 eff >= req && (n == 2 || (n / 2 - 1) * 64 < req) &&
			 m2msec_replay_size(req) == sizeof(*w) + n * 8;

		free(w);
		if (!ok) {
			ktap_diag("request %u: nwords %u window %u", req, n,
				  eff);
			return 0;
		}
	}
	return 1;
}

static int t_clamp(void)
{
	return m2msec_replay_size(0xffffffffU) ==
	       m2msec_replay_size(M2MSEC_REPLAY_WINDOW_MAX) &&
	       m2msec_replay_size(M2MSEC_REPLAY_WINDOW_MAX) ==
	       sizeof(struct m2msec_replay) + (1U << 19) * 8;
}

static int t_fresh(void)
{
	struct m2msec_replay *w = win_new(64, 0);
	int ok = m2msec_replay_check(w, 0) && m2msec_replay_update(w, 0) &&
		 !m2msec_replay_check(w, 0) && !m2msec_replay_update(w, 0) &&
		 m2msec_replay_update(w, 1);

	free(w);
	return ok;
}

static int t_duplicate(void)
{
	struct m2msec_replay *w = win_new(64, 0), *before;
	int ok;

	m2msec_replay_update(w, 10);
	m2msec_replay_update(w, 7);
	before = win_copy(w);
	ok = !m2msec_replay_update(w, 7) && !m2msec_replay_update(w, 10) &&
	     win_same(w, before);
	free(before);
	free(w);
	return ok;
}

static int t_too_old_unchanged(void)
{
	struct m2msec_replay *w = win_new(64, 0), *before;
	int ok;

	m2msec_replay_update(w, 1000);
	before = win_copy(w);
	ok = !m2msec_replay_update(w, 1000 - 64) &&
	     !m2msec_replay_update(w, 0) && win_same(w, before);
	free(before);
	free(w);
	return ok;
}

static int t_reorder(void)
{
	struct m2msec_replay *w = win_new(64, 0);
	int ok = m2msec_replay_update(w, 200);
	u64 s;

	for (s = 199; s >= 137; s--)
		ok &= m2msec_replay_update(w, s);
	for (s = 137; s <= 200; s++)
		ok &= !m2msec_replay_update(w, s);
	ok &= !m2msec_replay_update(w, 136);
	free(w);
	return ok;
}

/* Accept top, then check both sides of the left edge of the window. */
static int edge(u32 request, u32 expect_window, u64 top)
{
	struct m2msec_replay *w = win_new(request, 0);
	u32 eff = m2msec_replay_window(w);
	int ok = eff == expect_window && m2msec_replay_update(w, top) &&
		 !m2msec_replay_check(w, top - eff) &&
		 !m2msec_replay_update(w, top - eff) &&
		 m2msec_replay_check(w, top - eff + 1) &&
		 m2msec_replay_update(w, top - eff + 1);

	free(w);
	return ok;
}

static int t_edge64(void)
{
	return edge(64, 64, 1000) && edge(64, 64, 1024) && edge(64, 64, 1087);
}

static int t_edge960(void)
{
	return edge(960, 960, 5000) && edge(960, 960, 960);
}

static int t_edge1024(void)
{
	struct m2msec_replay *w = win_new(1024, 0);
	int ok = m2msec_replay_update(w, 10000) &&
		 m2msec_replay_update(w, 10000 - 1024) &&
		 !m2msec_replay_update(w, 10000 - 1984);

	free(w);
	return ok && edge(1024, 1984, 10000);
}

static int t_first_seq(void)
{
	static const u64 firsts[] = { 1, 40, 63, 64, 65, 1000, 4096 };
	unsigned int i;

	for (i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++) {
		u64 f = firsts[i], s;
		struct m2msec_replay *w = win_new(128, f);
		int ok = 1;

		/* Everything below first_seq: replay or too old. */
		for (s = f > 300 ? f - 300 : 0; s < f; s++)
			ok &= !m2msec_replay_check(w, s) &&
			      !m2msec_replay_update(w, s);
		/* first_seq itself and the rest of its word are new. */
		for (s = f; s < f + 70; s += 3)
			ok &= m2msec_replay_check(w, s) &&
			      m2msec_replay_update(w, s);
		ok &= !m2msec_replay_update(w, f);
		free(w);
		if (!ok) {
			ktap_diag("first_seq %llu", (unsigned long long)f);
			return 0;
		}
	}
	return 1;
}

static int t_huge_jump(void)
{
	struct m2msec_replay *w = win_new(256, 0);
	const u64 top = 1ULL << 40;
	u32 eff = m2msec_replay_window(w);
	int ok = 1;
	u64 s;

	for (s = 0; s <= 500; s++)
		ok &= m2msec_replay_update(w, s);
	ok &= m2msec_replay_update(w, top);
	for (s = top - eff + 1; s < top; s++)
		ok &= m2msec_replay_update(w, s);
	for (s = top - eff + 1; s <= top; s++)
		ok &= !m2msec_replay_update(w, s);
	ok &= !m2msec_replay_update(w, top - eff) &&
	      !m2msec_replay_update(w, 500) && !m2msec_replay_update(w, 0);
	free(w);
	return ok;
}

/*
 * For every jump distance up to five rings: fill three windows' worth of
 * history (every other record, so words hold mixed bits), jump, and check
 * each sequence number around the new window against the model.
 */
static int t_every_jump(void)
{
	static const u32 windows[] = { 64, 128, 192 };
	struct ref ref = { 0 };
	unsigned int i;
	int ok = 1;

	for (i = 0; i < 3 && ok; i++) {
		struct m2msec_replay *w = win_new(windows[i], 0);
		u32 eff = m2msec_replay_window(w);
		u64 ring = (u64)w->nwords * 64, d, base = 3 * eff + 17, s;

		free(w);
		for (d = 1; d <= 5 * ring && ok; d++) {
			w = win_new(windows[i], 0);
			ref_init(&ref, eff, 0);
			for (s = 0; s <= base; s += 2) {
				m2msec_replay_update(w, s);
				ref_mark(&ref, s);
			}
			m2msec_replay_update(w, base + d);
			ref_mark(&ref, base + d);
			for (s = base + d > 3 * ring ? base + d - 3 * ring : 0;
			     s <= base + d + 2; s++) {
				int want = ref_accepts(&ref, s);

				if (m2msec_replay_check(w, s) != want ||
				    m2msec_replay_update(w, s) != want) {
					ktap_diag("window %u jump %llu seq %llu: want %d",
						  eff, (unsigned long long)d,
						  (unsigned long long)s, want);
					ok = 0;
					break;
				}
				if (want)
					ref_mark(&ref, s);
			}
			free(w);
		}
	}
	free(ref.seen);
	return ok;
}

static int t_random(void)
{
	static const struct {
		u32 window;
		u64 first;
	} runs[] = {
		{ 64, 0 }, { 128, 5 }, { 960, 64 }, { 1024, 1000 },
		{ 4096, 12345 }, { 100, 0 },
	};
	const unsigned long long per_run = 200000;
	struct ref ref = { 0 };
	unsigned long long ops = 0, epochs = 0;
	unsigned int i;
	int ok = 1;

	for (i = 0; i < sizeof(runs) / sizeof(runs[0]) && ok; i++) {
		struct m2msec_replay *w = NULL;
		u64 limit = 0, n;

		for (n = 0; n < per_run && ok; n++) {
			u64 pick = rnd() % 1000, s;
			int want;

			if (!w || ref.top >= limit) {
				/* Start over, as with a new epoch. */
				free(w);
				w = win_new(runs[i].window, runs[i].first);
				ref_init(&ref, m2msec_replay_window(w),
					 runs[i].first);
				limit = REF_RANGE - 4 * 64 * (u64)w->nwords;
				epochs++;
			}
			if (pick < 700)		/* around the left edge */
				s = ref.top + 8 - rnd() % (ref.window + 64);
			else if (pick < 950)	/* ahead, up to a few rings */
				s = ref.top + rnd() % (3 * 64 * w->nwords);
			else if (pick < 990)	/* anywhere below */
				s = rnd() % (ref.top + 1);
			else			/* far ahead */
				s = ref.top + rnd() % (REF_RANGE / 16);
			if (s >= REF_RANGE)	/* also wrapped below 0 */
				continue;
			want = ref_accepts(&ref, s);
			if (m2msec_replay_check(w, s) != want ||
			    m2msec_replay_update(w, s) != want) {
				ktap_diag("run %u op %llu seq %llu: want %d", i,
					  n, (unsigned long long)s, want);
				ok = 0;
			}
			if (want)
				ref_mark(&ref, s);
			ops++;
		}
		free(w);
	}
	free(ref.seen);
	ktap_diag("%llu random arrivals over %llu windows compared", ops,
		  epochs);
	return ok && ops >= 1000000;
}

static int t_check_pure(void)
{
	struct m2msec_replay *w = win_new(128, 0), *before;
	int ok;
	u64 s;

	for (s = 0; s < 300; s += 3)
		m2msec_replay_update(w, s);
	before = win_copy(w);
	for (s = 0; s < 1000; s++)
		m2msec_replay_check(w, s);
	m2msec_replay_check(w, ~0ULL);
	ok = win_same(w, before);
	free(before);
	free(w);
	return ok;
}

static int t_u64_top(void)
{
	const u64 max = ~0ULL;
	struct m2msec_replay *w = win_new(64, max - 100);
	int ok = m2msec_replay_update(w, max) &&
		 m2msec_replay_update(w, max - 1) &&
		 m2msec_replay_update(w, max - 63) &&
		 !m2msec_replay_update(w, max - 64) &&
		 !m2msec_replay_update(w, max) &&
		 !m2msec_replay_check(w, 0) && !m2msec_replay_update(w, 0) &&
		 !m2msec_replay_update(w, 5);

	free(w);
	return ok;
}

static int t_u64_jump(void)
{
	struct m2msec_replay *w = win_new(64, 0);
	int ok = m2msec_replay_update(w, 0) &&
		 m2msec_replay_update(w, ~0ULL) &&
		 !m2msec_replay_update(w, 0) &&
		 m2msec_replay_update(w, ~0ULL - 10) &&
		 !m2msec_replay_update(w, ~0ULL - 10);

	free(w);
	return ok;
}

static int t_dtls_max(void)
{
	const u64 max = (1ULL << 48) - 1;
	struct m2msec_replay *w = win_new(64, max - 1);
	int ok = m2msec_replay_update(w, max - 1) &&
		 m2msec_replay_update(w, max) &&
		 !m2msec_replay_update(w, max) &&
		 !m2msec_replay_update(w, max - 1);

	free(w);
	return ok;
}

static const struct {
	int (*fn)(void);
	const char *name;
} tests[] = {
	{ t_sizes, "every request 0..70000 gets the smallest window (2^k - 1) * 64 that holds it, and size() matches" },
	{ t_clamp, "requests above M2MSEC_REPLAY_WINDOW_MAX are clamped to it" },
	{ t_fresh, "a fresh window accepts 0, then rejects it as a duplicate" },
	{ t_duplicate, "a duplicate inside the window is rejected and the state is unchanged" },
	{ t_too_old_unchanged, "a record older than the window is rejected and the state is unchanged" },
	{ t_reorder, "records reordered inside the window are each accepted exactly once" },
	{ t_edge64, "with a 64-record window, top - 63 is accepted and top - 64 is rejected as too old" },
	{ t_edge960, "with a 960-record window, top - 959 is accepted and top - 960 is rejected as too old" },
	{ t_edge1024, "a 1024-record request gets a 1984-record window: a record 1024 below the top is accepted, 1984 below is too old" },
	{ t_first_seq, "records below first_seq are rejected, first_seq and later ones accepted, for aligned and unaligned first_seq" },
	{ t_huge_jump, "a jump to 2^40 clears the old state: every record of the new window is accepted exactly once, older ones are too old" },
	{ t_every_jump, "after a jump of any distance up to five rings, each record is accepted iff new and inside the window (reference model)" },
	{ t_random, "a million random arrivals (6 windows, various first_seq) agree with a reference set model, check() included" },
	{ t_check_pure, "check() never changes the window" },
	{ t_u64_top, "sequence numbers up to 2^64 - 1 work: no wrap makes 0 or 5 look new" },
	{ t_u64_jump, "a jump from 0 to 2^64 - 1 is accepted and makes 0 too old" },
	{ t_dtls_max, "the last DTLS sequence number 2^48 - 1 is accepted once" },
};

int main(void)
{
	unsigned int i, n = sizeof(tests) / sizeof(tests[0]);

	ktap_plan(n);
	for (i = 0; i < n; i++)
		ktap_result(tests[i].fn(), "replay: %s", tests[i].name);
	return ktap_exit();
}
