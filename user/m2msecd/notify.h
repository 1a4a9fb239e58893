/* SPDX-License-Identifier: GPL-2.0 */
/*
 * m2msecd: the service manager's readiness protocol (sd_notify(3)),
 * without libsystemd.
 */
#ifndef M2MSECD_NOTIFY_H
#define M2MSECD_NOTIFY_H

/**
 * hsd_notify() - send one state message to the service manager
 * @fmt: printf format of the message, "KEY=VALUE" lines ("READY=1\n...")
 *
 * Sends one datagram to the unix socket named by $NOTIFY_SOCKET (a path,
 * or an abstract name when it starts with '@').  Without $NOTIFY_SOCKET
 * (not started by systemd, or not Type=notify) nothing is sent.
 *
 * Return: 1 sent, 0 nothing to send to, or a negative errno.
 */
int hsd_notify(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif /* M2MSECD_NOTIFY_H */
