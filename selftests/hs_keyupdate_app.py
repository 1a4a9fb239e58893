#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""An application on an m2msec DTLS socket for selftests/hs_keyupdate.sh.

  hs_keyupdate_app.py server ADDR PORT SECS   listen(); answer every record
      with "echo epoch E: DATA" on its association
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
from m2msec import (SOL_M2MSEC, CMSG_ASSOC_ID, dtls_socket,  # noqa: E402
                    recv_record, sock_connect)


def say(text):
    print(text)
    sys.stdout.flush()


def drain(s, echo, seen):
    while True:
        try:
            data, _, aid, epoch, _ = recv_record(s, 65536,
                                                 socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        text = data.decode(errors="replace").strip()
        say("recv epoch %d assoc %d: %s" % (epoch, aid, text))
        if echo and aid not in seen:
            # A peer that sent a KeyUpdate before its first record gets the
            # daemon's ACK (and KeyUpdate) before our answer, so that it
            # reads them while it waits for the answer.
            seen.add(aid)
            time.sleep(1.5)
        if echo:
            s.sendmsg([("echo epoch %d: %s\n" % (epoch, text)).encode()],
                      [(SOL_M2MSEC, CMSG_ASSOC_ID, struct.pack("=I", aid))])


def main(role, addr, port, secs):
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
        drain(s, role == "server", seen)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
