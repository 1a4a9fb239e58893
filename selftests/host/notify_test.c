// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test: m2msecd's readiness notifications (user/m2msecd/notify.c),
 * the sd_notify(3) protocol without libsystemd.
 *
 *   this test: unix datagram socket  <-- one datagram --  hsd_notify()
 *              (a path, or an abstract name, in $NOTIFY_SOCKET)
 *
 * Each case sets $NOTIFY_SOCKET as systemd would and reads what arrives.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../user/m2msecd/notify.h"
#include "../ktap.h"

/* A receiving socket at @name ("@..." abstract); -1 on failure. */
static int listener(const char *name)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memcpy(sun.sun_path, name, strlen(name));
	if (name[0] == '@')
		sun.sun_path[0] = 0;
	else
		unlink(name);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, len)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* What arrived on @fd within a second, or "" */
static const char *got(int fd)
{
	static char buf[1024];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n = -1;

	if (poll(&p, 1, 1000) == 1)
		n = recv(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static int t_unset(void)
{
	unsetenv("NOTIFY_SOCKET");
	if (hsd_notify("READY=1\n") != 0)
		return 0;
	setenv("NOTIFY_SOCKET", "", 1);
	return hsd_notify("READY=1\n") == 0;
}

static int t_path(void)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/tmp/m2msec-notify-%d", (int)getpid());
	fd = listener(path);
	if (fd < 0)
		return 0;
	setenv("NOTIFY_SOCKET", path, 1);
	ok = hsd_notify("READY=1\nSTATUS=%s\n", "taking requests") == 1 &&
	     !strcmp(got(fd), "READY=1\nSTATUS=taking requests\n");
	close(fd);
	unlink(path);
	return ok;
}

static int t_abstract(void)
{
	char name[64];
	int fd, ok;

	snprintf(name, sizeof(name), "@m2msec-notify-%d", (int)getpid());
	fd = listener(name);
	if (fd < 0)
		return 0;
	setenv("NOTIFY_SOCKET", name, 1);
	ok = hsd_notify("STOPPING=1\n") == 1 && !strcmp(got(fd), "STOPPING=1\n");
	close(fd);
	return ok;
}

static int t_nobody_listens(void)
{
	setenv("NOTIFY_SOCKET", "@m2msec-notify-nobody-listens", 1);
	return hsd_notify("READY=1\n") == -ECONNREFUSED;
}

static int t_bad_addresses(void)
{
	char longname[200];

	memset(longname, 'a', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = 0;
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	if (hsd_notify("READY=1\n") != -EAFNOSUPPORT)
		return 0;
	setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);
	if (hsd_notify("READY=1\n") != -EAFNOSUPPORT)
		return 0;
	setenv("NOTIFY_SOCKET", "@", 1);
	if (hsd_notify("READY=1\n") != -EINVAL)
		return 0;
	setenv("NOTIFY_SOCKET", longname, 1);
	return hsd_notify("READY=1\n") == -EINVAL;
}

static int t_too_long(void)
{
	char big[600];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	setenv("NOTIFY_SOCKET", "@m2msec-notify-nobody-listens", 1);
	return hsd_notify("STATUS=%s\n", big) == -EMSGSIZE;
}

static const struct {
	int (*fn)(void);
	const char *name;
} tests[] = {
	{ t_unset, "without $NOTIFY_SOCKET (or empty) nothing is sent and it is no error" },
	{ t_path, "a socket path: one datagram with the formatted lines" },
	{ t_abstract, "'@name': the abstract namespace, the name without its NUL" },
	{ t_nobody_listens, "nobody listening: -ECONNREFUSED, for the caller to log" },
	{ t_bad_addresses, "relative paths and vsock are refused (-EAFNOSUPPORT), '@' alone and names longer than sun_path too (-EINVAL)" },
	{ t_too_long, "a message longer than 511 bytes is refused whole (-EMSGSIZE), never cut" },
};

int main(void)
{
	unsigned int i, n = sizeof(tests) / sizeof(tests[0]);

	ktap_plan(n);
	for (i = 0; i < n; i++)
		ktap_result(tests[i].fn(), "notify: %s", tests[i].name);
	return ktap_exit();
}
