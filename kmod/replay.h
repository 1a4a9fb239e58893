/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Anti-replay sliding window for DTLS records (RFC 6347 section 4.1.2.6,
 * RFC 9147 section 4.5.1), kept as an RFC 6479 ring of bitmap words.
 * No kernel dependencies: the host tests build the same source.
 *
 * Locking contract:
 *  - m2msec_replay_init() and m2msec_replay_update() modify the window; the
 *    caller serialises them (in m2msec.ko: the RX direction's spinlock).
 *  - m2msec_replay_check() and m2msec_replay_window() only read and may run
 *    at any time, concurrently with an update().  check() is then allowed
 *    to be stale: its answer is a hint for dropping records before the
 *    expensive decryption, and update() after authentication is the
 *    authoritative decision.
 */
#ifndef _M2MSEC_REPLAY_H
#define _M2MSEC_REPLAY_H

#include "pure.h"

/*
 * Largest window the code sizes for (records); larger requests are clamped.
 * The UAPI allows at most 65536; this bound only keeps the arithmetic in
 * u32 and the allocation sane (2^18 + 1 words round up to 4 MiB).
 */
#define M2MSEC_REPLAY_WINDOW_MAX	(1U << 24)

/**
 * struct m2msec_replay - sliding window state of one RX epoch
 * @top: highest sequence number accepted so far; right after init, the
 *	first acceptable sequence number (not yet marked as received).
 * @nwords: number of bitmap words, a power of two >= 2; the window is
 *	(@nwords - 1) * 64 records.
 * @pad: zero.
 * @bitmap: ring of received bits: the bit for sequence number s is bit
 *	(s % 64) of word ((s / 64) % @nwords).
 */
struct m2msec_replay {
	u64 top;
	u32 nwords;
	u32 pad;
	u64 bitmap[];
};

/**
 * m2msec_replay_size() - bytes to allocate for a window
 * @window: wanted window in records (0 and values above
 *	M2MSEC_REPLAY_WINDOW_MAX are clamped to 1 and the maximum)
 *
 * The window is rounded up so that (nwords - 1) * 64 >= @window with nwords
 * a power of two and at least 2 (so the minimum window is 64 records).
 *
 * Return: the size of the struct m2msec_replay to pass to
 * m2msec_replay_init() with the same @window.
 */
size_t m2msec_replay_size(u32 window);

/**
 * m2msec_replay_init() - reset a window
 * @w: memory of at least m2msec_replay_size(@window) bytes
 * @window: wanted window in records, as given to m2msec_replay_size()
 * @first_seq: lowest acceptable sequence number: records below it count as
 *	replays (within the window) or as too old (below it).
 *
 * Caller serialises against m2msec_replay_update().
 */
void m2msec_replay_init(struct m2msec_replay *w, u32 window, u64 first_seq);

/**
 * m2msec_replay_check() - cheap test before decryption
 * @w: the window
 * @seq: full sequence number of a received record
 *
 * Changes nothing and takes no lock: it reads @w->top, then one bitmap
 * word, with single loads, while m2msec_replay_update() clears the words it
 * recycles before it publishes the new top.  Racing with an update it may
 * answer for an older or a newer state.  A record it lets through is
 * checked again by m2msec_replay_update().  A fresh record can be rejected
 * wrongly only in a race: on weakly ordered CPUs the loads may see a new
 * top together with the old contents of a word being recycled, and on
 * 32-bit CPUs the 64-bit load of top may tear; the record is then dropped
 * as if it had been lost.
 *
 * Return: false if @seq is certainly a replay or too old, true otherwise.
 */
bool m2msec_replay_check(const struct m2msec_replay *w, u64 seq);

/**
 * m2msec_replay_update() - check and mark a record after authentication
 * @w: the window
 * @seq: full sequence number of a record that was just authenticated
 *
 * RFC 9147 section 4.5.1: the window must not be updated before the record
 * was deprotected successfully.  Advancing the right edge clears only the
 * words the edge moves past (at most @w->nwords of them, RFC 6479), so a
 * jump of any size costs O(nwords) and nothing is ever shifted.  Correct
 * for any u64 @seq, including values near 2^64.
 *
 * Caller serialises calls (and m2msec_replay_init()).
 *
 * Return: true if the record is new (it is now marked as received), false
 * if it is a replay or older than the window (nothing changed).
 */
bool m2msec_replay_update(struct m2msec_replay *w, u64 seq);

/**
 * m2msec_replay_window() - effective window size
 * @w: an initialised window
 *
 * Return: the number of sequence numbers below and including @w->top that
 * are tracked, (nwords - 1) * 64; a record with top - seq >= this value is
 * too old.
 */
u32 m2msec_replay_window(const struct m2msec_replay *w);

#endif /* _M2MSEC_REPLAY_H */
