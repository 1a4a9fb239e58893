#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Spoofed first flights for hs_flood.sh.

  hs_flood.py send ADDR PORT N    N DTLS 1.2 ClientHellos to ADDR:PORT over
      a raw socket, each from another source address in 127.64.0.0/10 and a
      random port (nobody owns those: answers go nowhere)
  hs_flood.py stat NAME...        global counters (GET_STATS), one a line
  hs_flood.py config NAME=VALUE...  handshake settings (SET_CONFIG)
"""
import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (A_CFG_HS_HELLO_MAX, A_CFG_HS_RATE,  # noqa: E402
                    A_CFG_HS_BURST, CMD_SET_CONFIG, Genl, global_stats,
                    nla_u32)
from hs_standin import client_hello  # noqa: E402


def send(addr, port, n):
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    dst = socket.inet_aton(addr)
    for i in range(int(n)):
        src = struct.pack(">I", (127 << 24) | (64 << 16) | (i + 1))
        payload = client_hello()
        udp = struct.pack(">HHHH", random.randint(1024, 65535), int(port),
                          8 + len(payload), 0) + payload
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64,
                         socket.IPPROTO_UDP, 0, src, dst)
        raw.sendto(ip + udp, (addr, 0))
    print("sent %d" % int(n))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "send":
        send(*args)
    elif cmd == "stat":
        st = global_stats(Genl())
        for name in args:
            print(st[name])
    elif cmd == "config":
        names = {"hello_max": A_CFG_HS_HELLO_MAX, "rate": A_CFG_HS_RATE,
                 "burst": A_CFG_HS_BURST}
        Genl().request(CMD_SET_CONFIG, b"".join(
            nla_u32(names[k], int(v)) for k, v in
            (a.split("=") for a in args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
