/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Common ground for the "pure" parts of m2msec.ko: code that depends on
 * nothing but fixed-width integers, errno values and mem*() so that the very
 * same source is built into the module, into the host unit tests and into
 * the fuzzers.
 *
 * In the kernel the types come from <linux/types.h>; in userspace the u8..u64
 * names are mapped onto the __u8..__u64 types of the UAPI <linux/types.h>.
 * The big-endian accessors work byte by byte: wire buffers (skb data,
 * fuzzer inputs) carry no alignment guarantee.
 */
#ifndef _M2MSEC_PURE_H
#define _M2MSEC_PURE_H

#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/types.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
#endif

static inline u16 m2msec_get_be16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static inline u32 m2msec_get_be32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) |
	       (u32)p[3];
}

/* DTLS 1.2 sequence numbers are 48-bit quantities on the wire. */
static inline u64 m2msec_get_be48(const u8 *p)
{
	return ((u64)m2msec_get_be16(p) << 32) | m2msec_get_be32(p + 2);
}

static inline u64 m2msec_get_be64(const u8 *p)
{
	return ((u64)m2msec_get_be32(p) << 32) | m2msec_get_be32(p + 4);
}

static inline void m2msec_put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static inline void m2msec_put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

/* Only the low 48 bits of @v are written. */
static inline void m2msec_put_be48(u8 *p, u64 v)
{
	m2msec_put_be16(p, (u16)(v >> 32));
	m2msec_put_be32(p + 2, (u32)v);
}

static inline void m2msec_put_be64(u8 *p, u64 v)
{
	m2msec_put_be32(p, (u32)(v >> 32));
	m2msec_put_be32(p + 4, (u32)v);
}

/*
 * Scratch space at the end of a buffer: a structure of @body bytes that must
 * start at an @align-aligned address (a power of two) somewhere after the
 * bytes in use.  Reserve m2msec_scratch_reserve() bytes after them; the
 * structure starts m2msec_scratch_pad() bytes after their end and ends
 * within the reserve whatever that address is.  The host test checks both
 * for every alignment and end address.
 */
static inline size_t m2msec_scratch_reserve(size_t body, size_t align)
{
	return body + align - 1;
}

static inline size_t m2msec_scratch_pad(uintptr_t end, size_t align)
{
	return (size_t)(-end & (align - 1));
}

#endif /* _M2MSEC_PURE_H */
