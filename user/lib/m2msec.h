/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libm2msec: small helpers for applications and tools using m2msec.
 */
#ifndef M2MSEC_LIB_H
#define M2MSEC_LIB_H

#include <stdint.h>
#include <linux/m2msec.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * m2msec_family() - the socket family number of the loaded module
 *
 * Reads M2MSEC_FAMILY_SYSFS.  Return: the number, or -1 with errno set
 * (ENOENT: the module is not loaded).
 */
int m2msec_family(void);

/**
 * m2msec_socket() - socket(2) in the m2msec family
 * @type: SOCK_DGRAM or SOCK_SEQPACKET, optionally or'ed with SOCK_CLOEXEC
 *	or SOCK_NONBLOCK
 * @protocol: an enum m2msec_proto value, or 0 for the type's default
 *
 * Return: a file descriptor, or -1 with errno set.
 */
int m2msec_socket(int type, int protocol);

/* Names for the UAPI constants, for messages and output. */
const char *m2msec_dtls_version_name(uint16_t v);

/**
 * m2msec_version() - the version of m2msec the library was built from
 *
 * Return: a static string such as "0.1.0" (M2MSEC_VERSION of the build).
 */
const char *m2msec_version(void);

#ifdef __cplusplus
}
#endif

#endif /* M2MSEC_LIB_H */
