// SPDX-License-Identifier: GPL-2.0
/*
 * m2msecd: readiness and state notifications to the service manager.
 *
 * The protocol of sd_notify(3), which is stable and small enough not to
 * need libsystemd: one datagram of newline-separated KEY=VALUE lines on a
 * unix datagram socket whose address is in $NOTIFY_SOCKET.  An address
 * starting with '@' is in the abstract namespace (the '@' stands for the
 * leading NUL byte, and the name is not NUL-terminated).
 *
 *   m2msecd                                  systemd (Type=notify)
 *   joined the "handshake" group -- READY=1, STATUS=... -->  unit active,
 *                                                            After= units go
 *   SIGHUP --- RELOADING=1, MONOTONIC_USEC=... ---------->  reloading
 *   configuration taken or refused -- READY=1, STATUS=... ->  active
 *   SIGTERM --- STOPPING=1 ------------------------------->  deactivating
 *
 * The receiver checks the sender's credentials itself (NotifyAccess=main),
 * so nothing else is needed here.
 */
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify.h"

/* $NOTIFY_SOCKET as a socket address; its length, or a negative errno. */
static int notify_addr(const char *name, struct sockaddr_un *sun)
{
	size_t n = strlen(name);

	if (name[0] != '/' && name[0] != '@')
		return -EAFNOSUPPORT;	/* e.g. vsock: not for a local daemon */
	if (n < 2 || n > sizeof(sun->sun_path))
		return -EINVAL;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, name, n);
	if (name[0] == '@') {
		sun->sun_path[0] = 0;
		return offsetof(struct sockaddr_un, sun_path) + n;
	}
	return offsetof(struct sockaddr_un, sun_path) + n +
	       (n < sizeof(sun->sun_path));
}

int hsd_notify(const char *fmt, ...)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;
	char msg[512];
	va_list ap;
	int fd, len, n, ret = 1;

	if (!name || !*name)
		return 0;
	len = notify_addr(name, &sun);
	if (len < 0)
		return len;
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -EMSGSIZE;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg, n, MSG_NOSIGNAL, (struct sockaddr *)&sun,
		   len) != n)
		ret = -errno;
	close(fd);
	return ret;
}
