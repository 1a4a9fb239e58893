// SPDX-License-Identifier: LGPL-2.1
/*
 * Configuration and key files, checked on the opened descriptor.
 *
 * A path checked with stat() and then opened can be swapped in between;
 * fstat() on the descriptor that is then read leaves no such window.  The
 * rules are those of sshd and tlshd for their keys: a regular file,
 * owned by root or by whoever runs the program, writable by nobody else;
 * key material also unreadable by other (a group the daemon runs in may
 * read it, so keys can be provisioned to a dedicated user).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secfile.h"

int m2msec_file_check(int fd, const char *path, unsigned int flags,
		      char *why, size_t whylen)
{
	mode_t mode;
	struct stat st;

	if (fstat(fd, &st)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	mode = st.st_mode & 07777;
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s: not a regular file", path);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(why, whylen, "%s: owned by uid %u, neither root nor uid %u that reads it; run: chown root %s",
			 path, (unsigned int)st.st_uid,
			 (unsigned int)geteuid(), path);
		return -1;
	}
	if (mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, whylen, "%s: mode %04o lets group or others write it; run: chmod %s %s",
			 path, (unsigned int)mode,
			 flags & M2MSEC_FILE_SECRET ? "600" : "go-w", path);
		return -1;
	}
	if ((flags & M2MSEC_FILE_SECRET) && (mode & S_IRWXO)) {
		snprintf(why, whylen, "%s: mode %04o lets others read it; run: chmod 600 %s (or 640 with the daemon's group)",
			 path, (unsigned int)mode, path);
		return -1;
	}
	return 0;
}

int m2msec_file_open(const char *path, unsigned int flags, char *why,
		     size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (m2msec_file_check(fd, path, flags, why, whylen))
		goto err;
	if (fcntl(fd, F_SETFL, 0)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

FILE *m2msec_file_fopen(const char *path, unsigned int flags, char *why,
			size_t whylen)
{
	int fd = m2msec_file_open(path, flags, why, whylen);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}
