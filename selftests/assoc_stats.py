#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Counters of the m2msec associations towards a peer.

Usage: assoc_stats.py ADDR:PORT

Dumps every association of the caller's network namespace (ASSOC_GET
without a socket, which needs CAP_NET_ADMIN) and prints the counters of the
one whose peer is ADDR:PORT as "name value" lines, plus "assoc ID" and
"driver NAME".  Exit status 1 when there is none (or more than one).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (A_ASSOC_DRIVER, A_ASSOC_ID, A_ASSOC_PEER,  # noqa: E402
                    A_ASSOC_STATS, CMD_ASSOC_GET, STATS, Genl, peer_of,
                    parse_attrs, u)


def main():
    if len(sys.argv) != 2 or ":" not in sys.argv[1]:
        sys.exit(__doc__.strip().splitlines()[2])
    host, port = sys.argv[1].rsplit(":", 1)
    want = (host.strip("[]"), int(port))
    found = [a for a in Genl().request(CMD_ASSOC_GET, dump=True)
             if peer_of(a[A_ASSOC_PEER]) == want]
    if len(found) != 1:
        print("%d associations with peer %s" % (len(found), sys.argv[1]))
        sys.exit(1)
    a = found[0]
    print("assoc %d" % u(a[A_ASSOC_ID]))
    if A_ASSOC_DRIVER in a:
        print("driver %s" % a[A_ASSOC_DRIVER].rstrip(b"\0").decode())
    s = parse_attrs(a[A_ASSOC_STATS])
    for i, name in enumerate(STATS):
        print("%s %d" % (name, u(s.get(i + 1, b"\0"))))


if __name__ == "__main__":
    main()
