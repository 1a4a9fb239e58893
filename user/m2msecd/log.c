// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: logging to standard error (foreground) or syslog, with levels.
 *
 * Under systemd, standard error is a stream to the journal, which reads
 * a "<N>" at the start of a line as its priority (sd-daemon(3)): with it,
 * `journalctl -p err` shows the errors.  The journal names the stream in
 * $JOURNAL_STREAM ("DEVICE:INODE"); the prefix is used when fd 2 is still
 * that stream (not redirected by a wrapper), or when --log-prefix asks.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "m2msecd.h"

/* Set once at start-up, before the event loop. */
static int log_level = LOG_NOTICE;
static enum hsd_log_to log_to = HSD_LOG_STDERR;

int hsd_log_stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	uintmax_t dev, ino;
	struct stat st;
	char end;

	if (!e || sscanf(e, "%ju:%ju%c", &dev, &ino, &end) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st))
		return 0;
	return (uintmax_t)st.st_dev == dev && (uintmax_t)st.st_ino == ino;
}

void hsd_log_init(int level, enum hsd_log_to to)
{
	log_level = level;
	if (to == HSD_LOG_STDERR && hsd_log_stderr_is_journal())
		to = HSD_LOG_PREFIX;
	log_to = to;
	if (to == HSD_LOG_SYSLOG)
		openlog("m2msecd", LOG_PID, LOG_DAEMON);
}

void hsd_log(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		[LOG_ERR] = "error", [LOG_WARNING] = "warning",
		[LOG_NOTICE] = "notice", [LOG_INFO] = "info",
		[LOG_DEBUG] = "debug",
	};
	char msg[1024];
	va_list ap;

	if (level > log_level)
		return;
	if (level < LOG_ERR || level > LOG_DEBUG)
		level = LOG_ERR;
	va_start(ap, fmt);
	if (log_to == HSD_LOG_SYSLOG) {
		vsyslog(level, fmt, ap);
		va_end(ap);
		return;
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One write per line: the journal takes a line as one entry. */
	if (log_to == HSD_LOG_PREFIX)
		fprintf(stderr, "<%d>%s: %s\n", level, names[level], msg);
	else
		fprintf(stderr, "m2msecd: %s: %s\n", names[level], msg);
}
