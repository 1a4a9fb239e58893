// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: logging to standard error (foreground) or syslog, with levels.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "m2msecd.h"

/* Set once at start-up, before the event loop. */
static int log_level = LOG_NOTICE;
static int log_stderr = 1;

void hsd_log_init(int level, int to_stderr)
{
	log_level = level;
	log_stderr = to_stderr;
	if (!to_stderr)
		openlog("m2msecd", LOG_PID, LOG_DAEMON);
}

void hsd_log(int level, const char *fmt, ...)
{
	static const char *const names[] = {
		[LOG_ERR] = "error", [LOG_WARNING] = "warning",
		[LOG_NOTICE] = "notice", [LOG_INFO] = "info",
		[LOG_DEBUG] = "debug",
	};
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	if (log_stderr) {
		fprintf(stderr, "m2msecd: %s: ", level >= LOG_ERR &&
			level <= LOG_DEBUG ? names[level] : "error");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(level, fmt, ap);
	}
	va_end(ap);
}
