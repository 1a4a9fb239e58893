/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of "m2msec" key payloads (see struct m2msec_key_payload in the
 * UAPI header).  The code has no kernel dependencies so that the same source
 * is unit-tested and fuzzed in userspace.
 */
#ifndef _M2MSEC_KEY_PAYLOAD_H
#define _M2MSEC_KEY_PAYLOAD_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#endif

/**
 * m2msec_key_payload_check() - validate a key payload
 * @data: the payload as given to add_key()
 * @len: its length in bytes
 *
 * Return: 0 when @data is a complete, well-formed payload of a known kind,
 * -EINVAL otherwise (negative errno, kernel convention).
 */
int m2msec_key_payload_check(const void *data, size_t len);

#endif /* _M2MSEC_KEY_PAYLOAD_H */
