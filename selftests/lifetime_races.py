#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Races between close() of a DTLS socket and the paths that reach it
holding only a socket reference (the handshake daemon's netlink commands
and channels), looped with a stand-in daemon.

    thread A: close(socket)          thread B: HS_DONE / ASSOC_DEL by
                                               channel / HS_CLAIM / HS_ACCEPT /
                                               the HS_GET dump
            \\                        /
             +--- one DTLS socket ---+          peer: plain UDP 127.0.0.1:4700

M2MSEC_RACE_ONLY=N[,N] runs only those cases, M2MSEC_RACE_ROUNDS the rounds of
each (40), M2MSEC_RACE_SEED a schedule again.

Everything runs in a private network namespace, so /proc/net/udp lists only
this test's sockets.  Each case checks what a user can see (no UDP socket
left bound, no descriptor left behind, clean errnos); the kernel log (KASAN,
lockdep, slub_debug on the stock kernel) is checked by the VM runner.
"""
import ctypes
import errno
import os
import random
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (A_HS_ID, A_HS_ROLE, A_HS_STATUS, CMD_ASSOC_DEL,  # noqa: E402
                    CMD_GET_CONFIG, CMD_HS_DONE, CMD_HS_GET, HS_CLIENT,
                    HS_LISTENER, DTLS12, NLM_F_REQUEST, Genl, Keys,
                    Ktap, NetlinkError, dtls_socket, expect, nla, nla_u32,
                    sock_bind, sock_connect, u)
from hs_standin import (K, P, CIPHER, Daemon, client_hello, keying,  # noqa: E402
                        peer_socket, read_chan, set_config)

A_HS_CTRL, A_ASSOC_CTRL_FD = 49, 50     # as in assoc_ctrl.py
ROUNDS = int(os.environ.get("M2MSEC_RACE_ROUNDS", "40"))
seed = int(os.environ.get("M2MSEC_RACE_SEED", "0")) or random.getrandbits(32)
# M2MSEC_RACE_ONLY=2,4 runs only those cases (a kernel stops at its first
# KASAN report: one case per boot attributes each report).
ONLY = {int(x) for x in os.environ.get("M2MSEC_RACE_ONLY", "").split(",") if x}
rng = random.Random(seed)
print("# seed %#x (M2MSEC_RACE_SEED reproduces the schedule)" % seed)

_libc = ctypes.CDLL(None, use_errno=True)
if _libc.unshare(0x40000000) < 0:          # CLONE_NEWNET
    raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)

genl = Genl()
set_config(genl, timeout_ms=5000, rate=100000, burst=100000)
d = Daemon()
t = Ktap(6)


def case(desc, fn):
    if ONLY and t.n + 1 not in ONLY:
        t.skip(desc, "not in M2MSEC_RACE_ONLY")
    else:
        t.check(desc, fn)


def udp_sockets():
    with open("/proc/net/udp") as f:
        return len(f.readlines()) - 1


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def later(fn, max_delay):
    th = threading.Thread(target=lambda: (time.sleep(rng.random() * max_delay),
                                          fn()), daemon=True)
    th.start()
    return th


def nonblocking_connect(s, addr):
    os.set_blocking(s.fileno(), False)
    try:
        sock_connect(s, addr)
    except OSError as e:
        if e.errno not in (errno.EINPROGRESS, errno.EALREADY):
            raise


def accepted_request():
    """A client socket whose handshake request the daemon accepted."""
    s = dtls_socket()
    d.drain()
    nonblocking_connect(s, P)
    reqs = d.requests()
    expect(len(reqs) == 1, "requests %r" % reqs)
    hid = u(reqs[0][A_HS_ID])
    hfd, _ = d.accept(hid)
    return s, hid, hfd


def done_vs_close():
    p = peer_socket()
    before_fds, outcomes = open_fds(), {}
    try:
        for _ in range(ROUNDS):
            s, hid, hfd = accepted_request()
            th = later(s.close, 0.004)
            try:
                r = d.done(hid, 0, keying(Keys(CIPHER, DTLS12), Keys(CIPHER, DTLS12)) +
                           nla(A_HS_CTRL, b""))[0]
                os.close(u(r[A_ASSOC_CTRL_FD]))
                outcomes[0] = outcomes.get(0, 0) + 1
            except NetlinkError as e:
                expect(e.errno in (errno.ECONNRESET, errno.ESHUTDOWN,
                                   errno.ENOENT), "HS_DONE: %s" % e)
                outcomes[e.errno] = outcomes.get(e.errno, 0) + 1
            th.join()
            os.close(hfd)
        time.sleep(0.3)
        expect(udp_sockets() == 1, "%d UDP sockets left (only the peer's "
               "may be): a closed socket got a new one" % udp_sockets())
        expect(open_fds() == before_fds, "descriptors leaked")
        print("# HS_DONE outcomes (0 or errno: count): %r" % outcomes)
    finally:
        p.close()


case("race: HS_DONE against close() of the connecting socket: no UDP socket is left bound, "
        "no descriptor leaks, HS_DONE answers 0, ECONNRESET, ESHUTDOWN or ENOENT",
        done_vs_close)


def del_by_channel_vs_close():
    p = peer_socket()
    try:
        for _ in range(ROUNDS):
            s, hid, hfd = accepted_request()
            r = d.done(hid, 0, keying(Keys(CIPHER, DTLS12), Keys(CIPHER, DTLS12)) +
                       nla(A_HS_CTRL, b""))[0]
            cfd = u(r[A_ASSOC_CTRL_FD])
            th = later(s.close, 0.003)
            try:
                genl.request(CMD_ASSOC_DEL, nla_u32(A_ASSOC_CTRL_FD, cfd))
            except NetlinkError as e:
                expect(e.errno in (errno.ENOENT, errno.ECONNRESET),
                       "ASSOC_DEL: %s" % e)
            th.join()
            os.close(cfd)
            os.close(hfd)
        time.sleep(0.3)
        expect(udp_sockets() == 1, "%d UDP sockets left" % udp_sockets())
    finally:
        p.close()


case("race: ASSOC_DEL naming the association by its control channel against close() of its socket "
        "(close_notify uses the UDP socket release frees)", del_by_channel_vs_close)


def claim_vs_close():
    p = peer_socket()
    try:
        for _ in range(ROUNDS):
            s = dtls_socket(bind=K)
            s.listen()
            lfd, _ = d.accept(u(d.listener()[A_HS_ID]))
            p.sendto(client_hello(), K)
            read_chan(lfd)
            th = later(s.close, 0.003)
            try:
                cfd, _ = d.claim(lfd, P)
                os.close(cfd)
            except NetlinkError as e:
                expect(e.errno in (errno.ECONNRESET, errno.ENOENT,
                                   errno.EINVAL), "HS_CLAIM: %s" % e)
            th.join()
            os.close(lfd)
        time.sleep(0.3)
        expect(udp_sockets() == 1, "%d UDP sockets left" % udp_sockets())
    finally:
        p.close()


case("race: HS_CLAIM against close() of the listening socket (the claim reads its association tables)",
        claim_vs_close)


def accept_vs_double_connect():
    """Two connect()s to one peer: the loser's request is freed at once;
    a daemon accepting ids speculatively must never get hold of it."""
    p = peer_socket()
    try:
        for _ in range(ROUNDS):
            s = dtls_socket()
            os.set_blocking(s.fileno(), False)
            sock_bind(s, ("127.0.0.1", 0))
            d.drain()
            stop = threading.Event()
            got = []

            def guess():
                base = max([0] + [u(r[A_HS_ID]) for r in d.requests(timeout=0)])
                while not stop.is_set():
                    for hid in range(base + 1, base + 4):
                        try:
                            got.append(d.accept(hid)[0])
                        except NetlinkError as e:
                            expect(e.errno in (errno.ENOENT, errno.EBUSY),
                                   "HS_ACCEPT: %s" % e)
            g = threading.Thread(target=guess, daemon=True)
            g.start()
            c = [threading.Thread(target=nonblocking_connect, args=(s, P),
                                  daemon=True) for _ in range(2)]
            for th in c:
                th.start()
            for th in c:
                th.join()
            stop.set()
            g.join()
            for fd in got:
                os.close(fd)
            s.close()
    finally:
        p.close()


case("race: two connect()s to one peer while a daemon accepts request ids speculatively",
        accept_vs_double_connect)


def reply_lost():
    """HS_DONE whose reply cannot be delivered (the daemon's netlink socket
    is full): the association is installed, but no descriptor appears."""
    p = peer_socket()
    g = Genl()
    try:
        s, hid, hfd = accepted_request()
        g.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 0)
        g.s.setblocking(False)

        def send(cmd, attrs):
            g.seq += 1
            body = struct.pack("=BBH", cmd, 1, 0) + attrs
            g.s.send(struct.pack("=IHHII", 16 + len(body), g.fam,
                                 NLM_F_REQUEST, g.seq, 0) + body)
        for _ in range(8):          # replies nobody reads
            send(CMD_GET_CONFIG, b"")
        before = open_fds()
        send(CMD_HS_DONE, nla_u32(A_HS_ID, hid) +
             nla(A_HS_STATUS, struct.pack("=i", 0)) +
             keying(Keys(CIPHER, DTLS12), Keys(CIPHER, DTLS12)) + nla(A_HS_CTRL, b""))
        time.sleep(0.3)
        expect(open_fds() == before, "a descriptor appeared although the "
               "reply carrying its number was lost (%d -> %d)" %
               (before, open_fds()))
        os.close(hfd)
        s.close()
    finally:
        g.s.close()
        p.close()


case("HS_DONE: a reply that cannot be delivered leaves no control-channel descriptor behind",
        reply_lost)

def dump_vs_close():
    stop, dumps, errors = threading.Event(), [0, 0], []

    def dumper():
        g = Genl()
        while not stop.is_set():
            try:
                for r in g.request(CMD_HS_GET, dump=True):
                    if u(r[A_HS_ROLE]) not in (HS_CLIENT, HS_LISTENER) or \
                            u(r[A_HS_ID]) == 0:
                        errors.append("entry %r" % r)
                    dumps[1] += 1
                dumps[0] += 1
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))
        g.s.close()

    th = threading.Thread(target=dumper, daemon=True)
    th.start()
    try:
        for _ in range(ROUNDS):
            socks = []
            for i in range(8):
                s = dtls_socket()
                if i % 4 == 3:
                    sock_bind(s, ("127.0.0.1", 0))
                    s.listen(4)
                else:
                    nonblocking_connect(s, ("127.0.0.%d" % (2 + i), 4700))
                socks.append(s)
            time.sleep(rng.random() * 0.004)
            for s in socks:
                s.close()
    finally:
        stop.set()
        th.join(30)
    expect(not errors, "dump: %s" % errors[:3])
    expect(dumps[0] > 0, "no dump completed")
    left = Genl().request(CMD_HS_GET, dump=True)
    expect(left == [], "%d requests still pending after every socket closed" % len(left))
    print("# %d dumps, %d entries seen" % tuple(dumps))


case("race: the HS_GET dump of pending requests against close() of connecting and listening sockets: "
        "every entry well formed, nothing pending afterwards",
        dump_vs_close)

d.close()
t.exit()
