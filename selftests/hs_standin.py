#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A stand-in handshake daemon for the kernel tests: what m2msecd does with
the kernel's handshake upcall (HS_REQUEST, HS_ACCEPT, HS_CLAIM, HS_DONE),
and nothing else.  No TLS library: the tests choose the bytes."""
import os
import select
import socket
import struct
import time

from m2msec import (CIPHERS, DTLS12, A_ASSOC_LOCAL, A_ASSOC_PEER,
                    A_ASSOC_VERSION, A_ASSOC_CIPHER, A_ASSOC_TX, A_ASSOC_RX,
                    A_HS_ID, A_HS_ROLE, A_HS_FD, A_HS_STATUS, A_HS_PEER_ID,
                    A_CFG_HS_SOCK_MAX, A_CFG_HS_TIMEOUT_MS, A_CFG_HS_RATE,
                    A_CFG_HS_BURST, A_CFG_HS_QUEUE_MAX, A_CFG_HS_HELLO_MAX,
                    A_CFG_HS_HELLO_BYTES, CMD_SET_CONFIG, CMD_HS_REQUEST,
                    CMD_HS_ACCEPT, CMD_HS_DONE, CMD_HS_CLAIM, HS_LISTENER,
                    Genl, direction, expect, nla, nla_u16, nla_u32, sockaddr,
                    u)

K, P = ("127.0.0.1", 4600), ("127.0.0.1", 4700)
CIPHER = "AES-128-CCM-8"


def client_hello():
    """A DTLS 1.2 ClientHello record (epoch 0): enough to look like one."""
    ch = b"\xfe\xfd" + os.urandom(32) + b"\x00\x00" + b"\x00\x02\xc0\xa8" + \
        b"\x01\x00"
    body = b"\x01" + len(ch).to_bytes(3, "big") + b"\x00\x00" + \
        b"\x00\x00\x00" + len(ch).to_bytes(3, "big") + ch
    return b"\x16\xfe\xfd" + b"\x00\x00" + b"\x00" * 6 + \
        struct.pack(">H", len(body)) + body


class Daemon:
    """What m2msecd does with the kernel, and nothing else."""

    def __init__(self):
        self.genl = Genl()
        self.mc = self.genl.subscribe("handshake")

    def requests(self, n=1, timeout=5.0):
        out, deadline = [], time.monotonic() + timeout
        while len(out) < n and time.monotonic() < deadline:
            select.select([self.mc], [], [], 0.1)
            out += [a for c, a in Genl.events(self.mc) if c == CMD_HS_REQUEST]
        return out

    def drain(self):
        Genl.events(self.mc)

    def accept(self, hid):
        r = self.genl.request(CMD_HS_ACCEPT, nla_u32(A_HS_ID, hid))[0]
        return u(r[A_HS_FD]), r

    def listener(self, local=K, timeout=5.0):
        """The HS_REQUEST announcing the listener of the socket at @local."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for r in self.requests(timeout=0.2):
                if u(r[A_HS_ROLE]) == HS_LISTENER and \
                        r.get(A_ASSOC_LOCAL) == sockaddr(local):
                    return r
        raise AssertionError("no listener announced for %r" % (local,))

    def claim(self, lfd, peer, genl=None):
        r = (genl or self.genl).request(
            CMD_HS_CLAIM, nla_u32(A_HS_FD, lfd) + nla(A_ASSOC_PEER,
                                                      sockaddr(peer)))[0]
        return u(r[A_HS_FD]), r

    def done(self, hid, status=0, attrs=b""):
        return self.genl.request(CMD_HS_DONE, nla_u32(A_HS_ID, hid) +
                                 nla(A_HS_STATUS, struct.pack("=i", status)) +
                                 attrs)

    def close(self):
        self.mc.close()
        self.genl.s.close()


def keying(ktx, krx, peer_id=None):
    """HS_DONE association attributes: DTLS 1.2, epoch 1, sequence 1."""
    a = nla_u16(A_ASSOC_VERSION, DTLS12) + \
        nla_u32(A_ASSOC_CIPHER, CIPHERS[CIPHER][0]) + \
        nla(A_ASSOC_TX | 0x8000, direction(1, 1, ktx.serial())) + \
        nla(A_ASSOC_RX | 0x8000, direction(1, 1, krx.serial()))
    if peer_id:
        a += nla(A_HS_PEER_ID, peer_id.encode() + b"\0")
    return a


def peer_socket(addr=P):
    p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    p.bind(addr)
    p.settimeout(5)
    return p


def read_chan(fd, timeout=5.0):
    r, _, _ = select.select([fd], [], [], timeout)
    expect(r, "channel not readable")
    return os.read(fd, 65536)


def set_config(genl, **kv):
    attrs = {"sock_max": A_CFG_HS_SOCK_MAX, "timeout_ms": A_CFG_HS_TIMEOUT_MS,
             "rate": A_CFG_HS_RATE, "burst": A_CFG_HS_BURST,
             "queue_max": A_CFG_HS_QUEUE_MAX, "hello_max": A_CFG_HS_HELLO_MAX,
             "hello_bytes": A_CFG_HS_HELLO_BYTES}
    genl.request(CMD_SET_CONFIG, b"".join(nla_u32(attrs[k], v)
                                          for k, v in kv.items()))
