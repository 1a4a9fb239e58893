/* SPDX-License-Identifier: GPL-2.0 */
/* m2msecctl: output and error helpers shared by its command files. */
#ifndef M2MSECCTL_UTIL_H
#define M2MSECCTL_UTIL_H

#include <json-c/json.h>

/* Print @o as indented JSON on stdout. */
void ctl_print_json(struct json_object *o);

/*
 * Report a negative errno from the kernel for command @what on stderr
 * (EPERM gets a hint about CAP_NET_ADMIN).  Return: the exit status, 0
 * when @err is 0, else 1.
 */
int ctl_report(int err, const char *what);

struct nlattr;

/* "host:port" / "[host]:port" of a binary sockaddr attribute, as JSON. */
struct json_object *ctl_addr_json(struct nlattr *attr);

#endif
