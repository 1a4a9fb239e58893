#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""An application on an m2msec DTLS socket for selftests/hs_keyupdate.sh.

  hs_keyupdate_app.py server ADDR PORT SECS [RX_EPOCH]   listen(); answer
      every record with "echo epoch E: DATA" on its association; with
      RX_EPOCH, the first answer waits until the association receives in
      that epoch (the daemon handled the peer's KeyUpdate), so that the
      peer reads the daemon's ACK before our answer
  hs_keyupdate_app.py client ADDR PORT SECS   connect(); send each line of
      standard input as a record

Both print "recv epoch E assoc A: DATA" for every record and keep reading
for SECS seconds: control records (KeyUpdate, ACK, alerts) are taken apart
on the receive path, so the application must read for the daemon to see
them.
"""
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (SOL_M2MSEC, CMSG_ASSOC_ID, A_ASSOC_ID,  # noqa: E402
                    A_ASSOC_RX, A_DIR_EPOCH, A_SOCK_FD, CMD_ASSOC_GET, Genl,
                    dtls_socket, nla_u32, parse_attrs, recv_record,
                    sock_connect, u)


def say(text):
    print(text)
    sys.stdout.flush()


def rx_epoch(s, aid):
    for r in Genl().request(CMD_ASSOC_GET, nla_u32(A_SOCK_FD, s.fileno()),
                            dump=True):
        if u(r[A_ASSOC_ID]) == aid:
            return u(parse_attrs(r[A_ASSOC_RX])[A_DIR_EPOCH])
    return -1


def hold(s, aid, want):
    """Wait (at most 60 s) until association @aid receives in epoch @want."""
    end = time.monotonic() + 60
    while want and rx_epoch(s, aid) < want and time.monotonic() < end:
        time.sleep(0.1)


def drain(s, echo, seen, want=0):
    while True:
        try:
            data, _, aid, epoch, _ = recv_record(s, 65536,
                                                 socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        text = data.decode(errors="replace").strip()
        say("recv epoch %d assoc %d: %s" % (epoch, aid, text))
        if echo and aid not in seen:
            seen.add(aid)
            hold(s, aid, want)
        if echo:
            s.sendmsg([("echo epoch %d: %s\n" % (epoch, text)).encode()],
                      [(SOL_M2MSEC, CMSG_ASSOC_ID, struct.pack("=I", aid))])


def main(role, addr, port, secs, want="0"):
    if role == "server":
        s = dtls_socket(bind=(addr, int(port)))
        s.listen()
        say("listening")
    else:
        s = dtls_socket()
        sock_connect(s, (addr, int(port)))
        say("connected")
    end = time.monotonic() + float(secs)
    fds = [s] if role == "server" else [s, sys.stdin]
    seen = set()
    while time.monotonic() < end:
        r, _, _ = select.select(fds, [], [], 0.2)
        if sys.stdin in r:
            line = sys.stdin.readline()
            if not line:
                fds = [s]
            elif line.strip():
                s.send(line.encode())
                say("sent: %s" % line.strip())
        # Read even without readiness: control-only datagrams never make
        # the socket readable, and they must be taken apart.
        drain(s, role == "server", seen, int(want))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
