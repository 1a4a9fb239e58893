#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A small application on an m2msec DTLS socket for the handshake tests.

  hs_session.py server ADDR PORT [NAME]   bind, listen(), print "listening"
  hs_session.py client ADDR PORT [NAME]   connect() (m2msecd runs the handshake),
      print "connected" or "connect: ERRNO" (the errno's name)

NAME: the socket's server name (a client's SNI; the certificate a server
presents).  The application never sees a key.  First it prints the global
handshake counters, "stats hs_completed=N hs_failed=N hs_timeout=N".  Then,
until "!quit" or two minutes:

  - every record received is printed as
      recv assoc=ID epoch=E from=ADDR:PORT data=TEXT
  - a line read on standard input is sent as one record: a client to its
    peer, a server on the association of the last record received;
  - "!report" prints one line per association of the socket, from the
    kernel's dump, then "associations N" and "report end":
      assoc id=ID version=1.2|1.3 cipher=NAME rx_records=N tx_records=N
      auth_fail=N tx_cid=HEX rx_cid=HEX peer_id=IDENTITY
    and the "stats" line again.  When the socket has no association any
    more but had one at the last record sent or received (the peer closed
    after its exchange), the lines show it as it was then, followed by
    "associations 0" and "closed after the exchange: N".  A client whose connect() failed prints the
    report at once and exits.
"""
import ctypes
import errno
import os
import select
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (A_ASSOC_CIPHER, A_ASSOC_ID, A_ASSOC_RX_CID,  # noqa: E402
                    A_ASSOC_STATS, A_ASSOC_TX_CID, A_ASSOC_VERSION,
                    A_HS_PEER_ID, A_SOCK_FD, CIPHERS, CMD_ASSOC_GET,
                    CMSG_ASSOC_ID, DTLS12, DTLS13, SO_SERVER_NAME, SOL_M2MSEC,
                    STATS, Genl, dtls_socket, global_stats, nla_u32,
                    parse_attrs, recv_record, sock_connect, u)

_libc = ctypes.CDLL(None, use_errno=True)
VERSIONS = {DTLS12: "1.2", DTLS13: "1.3"}
CIPHER_NAMES = {v[0]: k for k, v in CIPHERS.items()}


def out(line):
    print(line)
    sys.stdout.flush()


def hs_stats(genl):
    st = global_stats(genl)
    out("stats hs_completed=%d hs_failed=%d hs_timeout=%d" % (
        st["hs_completed"], st["hs_failed"], st["hs_timeout"]))


def assoc_lines(s):
    """The socket's associations from the kernel's dump, one line each."""
    lines = []
    for a in Genl().request(CMD_ASSOC_GET, nla_u32(A_SOCK_FD, s.fileno()),
                            dump=True):
        st = parse_attrs(a[A_ASSOC_STATS])
        st = {n: u(st.get(i + 1, b"\0")) for i, n in enumerate(STATS)}
        lines.append(
            "assoc id=%d version=%s cipher=%s rx_records=%d tx_records=%d "
            "auth_fail=%d tx_cid=%s rx_cid=%s peer_id=%s" % (
                u(a[A_ASSOC_ID]),
                VERSIONS.get(u(a[A_ASSOC_VERSION]), "?"),
                CIPHER_NAMES.get(u(a[A_ASSOC_CIPHER]), "?"),
                st["rx_records"], st["tx_records"], st["auth_fail"],
                a.get(A_ASSOC_TX_CID, b"").hex() or "-",
                a.get(A_ASSOC_RX_CID, b"").hex() or "-",
                a.get(A_HS_PEER_ID, b"-").rstrip(b"\0").decode()))
    return lines


# Associations as the kernel showed them right after the last record sent
# or received: a peer that closes after its exchange (close_notify) makes
# the daemon delete the association before "!report" may come.
last_seen = []


def report(s):
    lines = assoc_lines(s)
    for line in lines or last_seen:
        out(line)
    out("associations %d" % len(lines))
    if not lines and last_seen:
        out("closed after the exchange: %d" % len(last_seen))
    hs_stats(Genl())
    out("report end")


def serve(s, client):
    aid = None
    pending = b""
    end = time.monotonic() + 120
    p = select.poll()
    p.register(0, select.POLLIN)
    p.register(s.fileno(), select.POLLIN)
    while time.monotonic() < end:
        for fd, ev in p.poll(500):
            if fd == s.fileno():
                try:
                    data, peer, a, epoch, _ = recv_record(s, 65536, 0x40)
                except BlockingIOError:
                    continue
                aid = a
                last_seen[:] = assoc_lines(s)
                out("recv assoc=%s epoch=%s from=%s:%d data=%s" %
                    (a, epoch, peer[0], peer[1],
                     data.decode(errors="replace").strip()))
                continue
            chunk = os.read(0, 4096)
            if not chunk:
                p.unregister(0)
                continue
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                if line == b"!quit":
                    return 0
                if line == b"!report":
                    report(s)
                elif client:
                    s.send(line + b"\n")
                    last_seen[:] = assoc_lines(s)
                elif aid is not None:
                    s.sendmsg([line + b"\n"], [(SOL_M2MSEC, CMSG_ASSOC_ID,
                                                struct.pack("=I", aid))])
                    last_seen[:] = assoc_lines(s)
                else:
                    out("nothing to answer yet: %s" % line.decode())
    return 0


def main(role, addr, port, name=None):
    hs_stats(Genl())
    s = dtls_socket(bind=(addr, int(port)) if role == "server" else None)
    if name:
        s.setsockopt(SOL_M2MSEC, SO_SERVER_NAME, name.encode())
    if role == "server":
        s.listen()
        out("listening")
    else:
        try:
            sock_connect(s, (addr, int(port)))
        except OSError as e:
            out("connect: %s" % errno.errorcode.get(e.errno, str(e.errno)))
            report(s)
            return 0
        out("connected")
    return serve(s, role == "client")


sys.exit(main(*sys.argv[1:]))
