// SPDX-License-Identifier: GPL-2.0
/* m2msecctl: output and error helpers shared by its command files. */
#include <stdio.h>
#include <string.h>
#include <errno.h>

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
