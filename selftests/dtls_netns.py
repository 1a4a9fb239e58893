#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Two hosts in two network namespaces, kernel to kernel.

    netns m2a                               netns m2b
    m2msec socket 10.99.0.1:5684  --veth--  m2msec socket 10.99.0.2:5684
    m2msec socket [fd99::1]:5684  (mtu     m2msec socket [fd99::2]:5684
                                   1280)

Each side installs the mirror image of the other's static association; the
records of each kernel are opened by the other kernel.  The module cannot
be unloaded while the sockets live, and they keep working after the
attempt; namespaces have their own counters.
"""
import ctypes
import errno
import json
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (DTLS12, DTLS13, SOL_M2MSEC, CMSG_ASSOC_ID, Assoc,  # noqa: E402
                    CMSG_SEGMENT,
                    Genl, Keys, Ktap, dtls_socket, expect, expect_errno,
                    global_stats, recv_record)

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def sh(*cmd):
    subprocess.run(cmd, check=True)


def setup():
    for ns in ("m2a", "m2b"):
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
    sh("ip", "link", "add", "m2va", "mtu", "1280", "netns", "m2a", "type",
       "veth", "peer", "name", "m2vb", "mtu", "1280", "netns", "m2b")
    for ns, dev, v4, v6 in (("m2a", "m2va", "10.99.0.1/24", "fd99::1/64"),
                            ("m2b", "m2vb", "10.99.0.2/24", "fd99::2/64")):
        sh("ip", "-n", ns, "addr", "add", v4, "dev", dev)
        sh("ip", "-n", ns, "addr", "add", v6, "dev", dev, "nodad")
        sh("ip", "-n", ns, "link", "set", dev, "up")


def teardown():
    for ns in ("m2a", "m2b"):
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns " + ns)
    os.close(fd)


class Side:
    """Sockets and netlink handle created inside one namespace."""

    def __init__(self, ns, addr):
        home = os.open("/proc/self/ns/net", os.O_RDONLY)
        enter(ns)
        try:
            self.genl = Genl()
            self.sock = dtls_socket(bind=addr)
        finally:
            _libc.setns(home, CLONE_NEWNET)
            os.close(home)
        self.ns, self.addr = ns, addr

    def install(self, peer, version, cipher, tx, rx):
        self.a = Assoc(self.genl, self.sock, peer, cipher, version, tx, rx)

    def send(self, data, segment=0):
        anc = [(SOL_M2MSEC, CMSG_ASSOC_ID, struct.pack("=I", self.a.id))]
        if segment:
            anc.append((SOL_M2MSEC, CMSG_SEGMENT, struct.pack("=H", segment)))
        return self.sock.sendmsg([data], anc)

    def recv(self):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                return recv_record(self.sock, 65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                time.sleep(0.05)
        raise AssertionError("nothing received in %s within 5 s" % self.ns)


def pair(version, cipher, a_addr, b_addr):
    a, b = Side("m2a", a_addr), Side("m2b", b_addr)
    k1, k2 = Keys(cipher, version), Keys(cipher, version)
    a.install(b_addr, version, cipher, k1, k2)
    b.install(a_addr, version, cipher, k2, k1)
    return a, b


def exchange(a, b):
    a.send(b"ping from m2a")
    data, peer, aid, epoch, _ = b.recv()
    expect(data == b"ping from m2a" and aid == b.a.id and epoch == 1,
           repr((data, aid, epoch)))
    expect(peer == a.addr, "peer %r" % (peer,))
    b.send(b"pong from m2b")
    expect(a.recv()[0] == b"pong from m2b")


setup()
t = Ktap(6)
sides = []
root_genl = Genl()
root_before = global_stats(root_genl)
try:
    def v4_12():
        a, b = pair(DTLS12, "AES-128-CCM-8", ("10.99.0.1", 5684),
                    ("10.99.0.2", 5684))
        sides.extend((a, b))
        exchange(a, b)

    t.check("netns: DTLS 1.2 AES-128-CCM-8 between two kernels in two network namespaces over IPv4",
            v4_12)

    def v6_13():
        a, b = pair(DTLS13, "CHACHA20-POLY1305", ("fd99::1", 5684),
                    ("fd99::2", 5684))
        sides.extend((a, b))
        exchange(a, b)
        # 1280-byte links: a record that does not fit is refused, not
        # fragmented.
        expect_errno(errno.EMSGSIZE, lambda: a.send(b"x" * 1300))
        a.send(b"y" * 1100)
        expect(b.recv()[0] == b"y" * 1100)

    t.check("netns: DTLS 1.3 ChaCha20-Poly1305 over IPv6; a record larger than the 1280-byte path gives EMSGSIZE",
            v6_13)

    def counters_per_ns():
        sa = global_stats(sides[0].genl)
        sb = global_stats(sides[1].genl)
        expect(sa["tx_records"] >= 2 and sb["rx_records"] >= 2,
               "m2a %r m2b %r" % (sa, sb))
        root = global_stats(root_genl)
        expect((root["tx_records"], root["rx_records"]) ==
               (root_before["tx_records"], root_before["rx_records"]),
               "initial namespace counted them: %r" % root)

    t.check("netns: each namespace counts its own records, the initial one none of them",
            counters_per_ns)

    def tx_packets(ns, dev):
        out = subprocess.run(["ip", "-n", ns, "-j", "-s", "link", "show",
                              "dev", dev], check=True, capture_output=True,
                             text=True).stdout
        return json.loads(out)[0]["stats64"]["tx"]["packets"]

    def routes():
        # A second link between the namespaces; the route to the peer
        # moves to it and back, its MTU shrinks: each record takes the
        # route of the moment (the association's cached route is
        # refreshed), not the one it was first sent on.
        sh("ip", "link", "add", "m2wa", "netns", "m2a", "type", "veth",
           "peer", "name", "m2wb", "netns", "m2b")
        for ns, dev in (("m2a", "m2wa"), ("m2b", "m2wb")):
            sh("ip", "-n", ns, "link", "set", dev, "up")
        # m2b answers through m2vb what came in on m2wb.
        sh("ip", "netns", "exec", "m2b", "sysctl", "-qw",
           "net.ipv4.conf.all.rp_filter=0",
           "net.ipv4.conf.m2wb.rp_filter=0")
        a, b = pair(DTLS12, "AES-128-GCM", ("10.99.0.1", 5685),
                    ("10.99.0.2", 5685))
        sides.extend((a, b))

        def via(dev, payload):
            before = tx_packets("m2a", dev)
            a.send(payload)
            expect(b.recv()[0] == payload, "record %r lost" % payload[:8])
            expect(tx_packets("m2a", dev) > before,
                   "the record did not leave through %s" % dev)

        via("m2va", b"first, on the connected route")
        sh("ip", "-n", "m2a", "route", "add", "10.99.0.2/32", "dev", "m2wa")
        via("m2wa", b"after the route moved to m2wa")
        sh("ip", "-n", "m2a", "link", "set", "m2wa", "mtu", "600")
        expect_errno(errno.EMSGSIZE, lambda: a.send(b"z" * 600))
        via("m2wa", b"s" * 500)
        # Records of one GSO packet (M2MSEC_CMSG_SEGMENT) each fit the
        # MTU, the packet does not: the receiving kernel gets them apart.
        expect_errno(errno.EMSGSIZE, lambda: a.send(b"z" * 1200, 600))
        expect(a.send(b"1" * 500 + b"2" * 500 + b"3" * 200, 500) == 1200)
        got = [b.recv()[0] for _ in range(3)]
        expect(got == [b"1" * 500, b"2" * 500, b"3" * 200],
               "records %r" % [len(g) for g in got])
        sh("ip", "-n", "m2a", "route", "del", "10.99.0.2/32")
        via("m2va", b"back on m2va")
        sh("ip", "-n", "m2a", "route", "del", "10.99.0.0/24", "dev", "m2va")
        expect_errno(errno.ENETUNREACH, lambda: a.send(b"no route"))
        sh("ip", "-n", "m2a", "route", "add", "10.99.0.0/24", "dev", "m2va")
        via("m2va", b"route restored")
        exchange(a, b)

    t.check("netns: records follow route changes (moved to another link, MTU lowered: EMSGSIZE, also per record of a "
            "M2MSEC_CMSG_SEGMENT packet, which arrives as its records; deleted: ENETUNREACH; restored)",
            routes)

    def unload_refused():
        r = subprocess.run(["rmmod", "m2msec"], stderr=subprocess.PIPE)
        expect(r.returncode != 0, "rmmod succeeded with live sockets")
        expect(os.path.isdir("/sys/module/m2msec"))
        exchange(sides[0], sides[1])
        exchange(sides[2], sides[3])
        exchange(sides[4], sides[5])

    t.check("netns: with live sockets in two namespaces the module refuses to unload and the sockets keep working",
            unload_refused)

    def closed():
        for s in sides:
            s.sock.close()
        for ns in ("m2a", "m2b"):
            out = subprocess.run(["ip", "netns", "exec", ns, "cat",
                                  "/proc/net/protocols"], check=True,
                                 capture_output=True, text=True).stdout
            rows = [ln.split() for ln in out.splitlines()
                    if ln.startswith("M2MSEC")]
            expect(all(r[2] == "0" for r in rows), "%s: %r" % (ns, rows))

    t.check("netns: after close no m2msec socket is left in either namespace",
            closed)
finally:
    teardown()
t.exit()
