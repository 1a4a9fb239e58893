#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A tiny application on an m2msec DTLS socket for the handshake tests.

  hs_app.py server ADDR PORT EXPECT REPLY   listen(), wait for a record
      containing EXPECT, answer REPLY on its association, print the peer id
  hs_app.py client ADDR PORT SEND [NAME]    connect() (the daemon runs the
      handshake; NAME: server name), send SEND, print the peer id
  hs_app.py connect-errno ADDR PORT         print connect()'s errno name

The application never sees a key: m2msecd does the handshake.
"""
import ctypes
import errno
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (SOL_M2MSEC, CMSG_ASSOC_ID, SO_PEER_ID,  # noqa: E402
                    SO_SERVER_NAME, dtls_socket, recv_record, sock_connect)

_libc = ctypes.CDLL(None, use_errno=True)


def peer_id(s, aid):
    buf = ctypes.create_string_buffer(struct.pack("=I", aid), 1100)
    ln = ctypes.c_uint32(1100)
    if _libc.getsockopt(s.fileno(), SOL_M2MSEC, SO_PEER_ID, buf,
                        ctypes.byref(ln)) < 0:
        return "(getsockopt: %s)" % os.strerror(ctypes.get_errno())
    return buf.raw[:ln.value].rstrip(b"\0").decode()


def server(addr, port, expect, reply):
    s = dtls_socket(bind=(addr, int(port)))
    s.listen()
    print("listening")
    sys.stdout.flush()
    # The debug kernel runs everything several times slower.
    end = time.monotonic() + 60 * int(os.environ.get("M2MSEC_TIMEOUT_SCALE", "1"))
    while time.monotonic() < end:
        try:
            data, peer, aid, epoch, _ = recv_record(s, 65536,
                                                   socket.MSG_DONTWAIT)
        except BlockingIOError:
            time.sleep(0.05)
            continue
        if expect.encode() in data:
            s.sendmsg([reply.encode() + b"\n"],
                      [(SOL_M2MSEC, CMSG_ASSOC_ID, struct.pack("=I", aid))])
            print("received %r from %s:%d, association %d, epoch %d, peer id %s"
                  % (data, peer[0], peer[1], aid, epoch, peer_id(s, aid)))
            sys.stdout.flush()
            time.sleep(1)
            return 0
    print("nothing received")
    return 1


def client(addr, port, text, name=None):
    s = dtls_socket()
    if name:
        s.setsockopt(SOL_M2MSEC, SO_SERVER_NAME, name.encode())
    sock_connect(s, (addr, int(port)))
    s.send(text.encode() + b"\n")
    print("connected, peer id %s" % peer_id(s, 0))
    sys.stdout.flush()
    time.sleep(1)
    return 0


def connect_errno(addr, port):
    s = dtls_socket()
    try:
        sock_connect(s, (addr, int(port)))
        print("connected")
    except OSError as e:
        print(errno.errorcode.get(e.errno, str(e.errno)))
    return 0


cmd = sys.argv[1]
sys.exit({"server": server, "client": client,
          "connect-errno": connect_errno}[cmd](*sys.argv[2:]))
