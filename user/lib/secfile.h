/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * Opening configuration and key files: checked on the descriptor.
 */
#ifndef M2MSEC_SECFILE_H
#define M2MSEC_SECFILE_H

#include <stddef.h>
#include <stdio.h>

/* The file holds key material: other may not access it at all. */
#define M2MSEC_FILE_SECRET	0x1

/**
 * m2msec_file_check() - may a file the caller opened be trusted
 * @fd: the opened file
 * @path: its name, for the message
 * @flags: 0 or M2MSEC_FILE_SECRET
 * @why: the reason on refusal, with the command that fixes it
 * @whylen: size of @why
 *
 * A regular file (not a directory, FIFO or device), owned by root or by
 * the effective user, that neither group nor other may write.  With
 * M2MSEC_FILE_SECRET, other may not read it either; group read stays
 * allowed, for a dedicated group of the daemon's.  Checked with fstat()
 * on @fd, so what is checked is what is read.
 *
 * Return: 0, or -1 with @why set.
 */
int m2msec_file_check(int fd, const char *path, unsigned int flags,
		      char *why, size_t whylen);

/**
 * m2msec_file_open() - open a file for reading and m2msec_file_check() it
 * @path: the file
 * @flags: 0 or M2MSEC_FILE_SECRET
 * @why: the reason on failure
 * @whylen: size of @why
 *
 * Opened without following into a FIFO's wait (O_NONBLOCK, cleared once
 * it is known to be a regular file) and close-on-exec.
 *
 * Return: the descriptor, or -1 with @why set.
 */
int m2msec_file_open(const char *path, unsigned int flags, char *why,
		     size_t whylen);

/* m2msec_file_open() as a stdio stream; NULL with @why set. */
FILE *m2msec_file_fopen(const char *path, unsigned int flags, char *why,
			size_t whylen);

#endif /* M2MSEC_SECFILE_H */
