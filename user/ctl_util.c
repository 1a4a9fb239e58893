// SPDX-License-Identifier: GPL-2.0
/* m2msecctl: output and error helpers shared by its command files. */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <netlink/attr.h>

#include "ctl_util.h"

void ctl_print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_NOSLASHESCAPE));
}

int ctl_report(int err, const char *what)
{
	if (!err)
		return 0;
	if (err == -EPERM)
		fprintf(stderr,
			"%s: permission denied: this command needs CAP_NET_ADMIN in the network namespace\n",
			what);
	else
		fprintf(stderr, "%s: %s\n", what, strerror(-err));
	return 1;
}

struct json_object *ctl_addr_json(struct nlattr *attr)
{
	char host[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 16];
	const struct sockaddr *sa = nla_data(attr);
	const struct sockaddr_in6 *s6 = nla_data(attr);
	const struct sockaddr_in *s4 = nla_data(attr);

	if (nla_len(attr) >= (int)sizeof(*s6) && sa->sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, sizeof(buf), "[%s]:%u", host, ntohs(s6->sin6_port));
	} else if (nla_len(attr) >= (int)sizeof(*s4) &&
		   sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(buf, sizeof(buf), "%s:%u", host, ntohs(s4->sin_port));
	} else {
		snprintf(buf, sizeof(buf), "?");
	}
	return json_object_new_string(buf);
}
