#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Bounds and privileges: what a local user without privileges can make the
kernel hold, and which commands need CAP_NET_ADMIN.

    root (CAP_NET_ADMIN)            uid 65534 (no capabilities)
    settings, events group          its own sockets, keys, associations,
                                    connect() handshakes

Each bound is hit on purpose; each refusal has its errno.  Runs in a private
network namespace so the namespace-wide counts start at zero.
"""
import ctypes
import errno
import os
import select
import socket
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (DTLS12, A_ASSOC_DRIVER, A_CFG_HS_TIMEOUT_MS,  # noqa: E402
                    CMD_GET_CONFIG, CMD_SET_CONFIG, Assoc, Genl, Keys, Ktap,
                    global_stats, seal12,
                    dtls_socket, expect, expect_errno, nla,
                    nla_u32, sock_connect, u)

A_CFG_ASSOC_SOCK_MAX, A_CFG_ASSOC_NET_MAX, A_CFG_HS_USER_MAX = 52, 53, 54
CIPHER = "AES-128-GCM"
NOBODY = 65534

_libc = ctypes.CDLL(None, use_errno=True)
if _libc.unshare(0x40000000) < 0:          # CLONE_NEWNET
    raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET)")
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)

genl = Genl()
t = Ktap(6)


class FixedKeys(Keys):
    """The same key for every association (keys are not what is counted)."""

    def __init__(self):
        super().__init__(CIPHER, DTLS12)
        self._serial = Keys.serial(self)

    def serial(self):
        return self._serial


def set_config(**kv):
    attrs = {"sock_max": A_CFG_ASSOC_SOCK_MAX, "net_max": A_CFG_ASSOC_NET_MAX,
             "user_max": A_CFG_HS_USER_MAX, "timeout_ms": A_CFG_HS_TIMEOUT_MS}
    genl.request(CMD_SET_CONFIG, b"".join(nla_u32(attrs[k], v)
                                          for k, v in kv.items()))


def as_nobody(fn):
    """Run @fn in a child as uid 65534; its exit status says if it held."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            fn()
            code = 0
        except BaseException as e:          # reported, then the status
            print("# child: %r" % (e,), flush=True)
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    expect(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
           "the unprivileged part failed (status %#x)" % status)


def events_need_admin():
    g = Genl()
    try:
        g.subscribe("events").close()      # root: allowed

        def join():
            g2 = Genl()
            expect_errno(errno.EPERM, lambda: g2.subscribe("events"))
        as_nobody(join)
    finally:
        g.s.close()


t.check("privileges: joining the events group (peers, addresses, identities) needs CAP_NET_ADMIN: EPERM for uid 65534",
        events_need_admin)


def driver_needs_admin():
    def child():
        g = Genl()
        s = dtls_socket(bind=("127.0.0.1", 0))
        k = FixedKeys()
        expect_errno(errno.EPERM, lambda: Assoc(
            g, s, ("127.0.0.1", 5000), CIPHER, DTLS12, k, k,
            extra=nla(A_ASSOC_DRIVER, b"gcm_base(ctr(aes-generic),ghash-generic)\0")))
        Assoc(g, s, ("127.0.0.1", 5000), CIPHER, DTLS12, k, k)
        s.close()
    as_nobody(child)


t.check("privileges: ASSOC_NEW forcing a crypto driver (may load modules) needs CAP_NET_ADMIN; "
        "the same association without it is installed for uid 65534", driver_needs_admin)


def assoc_limits():
    saved = genl.request(CMD_GET_CONFIG)[0]
    k = FixedKeys()
    socks = [dtls_socket(bind=("127.0.0.1", 0)) for _ in range(2)]
    try:
        set_config(sock_max=3, net_max=5)
        for port in range(5000, 5003):
            Assoc(genl, socks[0], ("127.0.0.1", port), CIPHER, DTLS12, k, k)
        expect_errno(errno.ENOSPC, lambda: Assoc(
            genl, socks[0], ("127.0.0.1", 5003), CIPHER, DTLS12, k, k))
        for port in range(5000, 5002):
            Assoc(genl, socks[1], ("127.0.0.1", port), CIPHER, DTLS12, k, k)
        expect_errno(errno.ENOSPC, lambda: Assoc(
            genl, socks[1], ("127.0.0.1", 5002), CIPHER, DTLS12, k, k))
        socks[0].close()                     # frees three
        Assoc(genl, socks[1], ("127.0.0.1", 5002), CIPHER, DTLS12, k, k)
    finally:
        for s in socks:
            s.close()
        genl.request(CMD_SET_CONFIG, nla_u32(A_CFG_ASSOC_SOCK_MAX, u(
            saved[A_CFG_ASSOC_SOCK_MAX])) + nla_u32(A_CFG_ASSOC_NET_MAX, u(
                saved[A_CFG_ASSOC_NET_MAX])))


t.check("bounds: assoc-sock-max and assoc-net-max refuse the next association with ENOSPC; "
        "closing a socket gives its share back", assoc_limits)


def user_share():
    """No daemon runs: connect() handshakes stay unfinished until the
    timeout, so they hold their slots."""
    saved = genl.request(CMD_GET_CONFIG)[0]
    set_config(user_max=2, timeout_ms=60000)
    held = []
    try:
        def child():
            mine = []
            for port in (6001, 6002, 6003):
                s = dtls_socket()
                os.set_blocking(s.fileno(), False)
                mine.append(s)
                try:
                    sock_connect(s, ("127.0.0.1", port))
                    raise AssertionError("connect() without a daemon succeeded")
                except OSError as e:
                    want = errno.EAGAIN if port == 6003 else errno.EINPROGRESS
                    expect(e.errno == want, "connect %d: %s" % (port, e))
            for s in mine:
                s.close()
            # Closing finished them: the slots are free again.
            s = dtls_socket()
            os.set_blocking(s.fileno(), False)
            expect_errno(errno.EINPROGRESS,
                         lambda: sock_connect(s, ("127.0.0.1", 6004)))
            s.close()
        as_nobody(child)
        for port in (7001, 7002, 7003):       # root is not counted
            s = dtls_socket()
            os.set_blocking(s.fileno(), False)
            held.append(s)
            expect_errno(errno.EINPROGRESS,
                         lambda: sock_connect(s, ("127.0.0.1", port)))
    finally:
        for s in held:
            s.close()
        genl.request(CMD_SET_CONFIG, nla_u32(A_CFG_HS_USER_MAX, u(
            saved[A_CFG_HS_USER_MAX])) + nla_u32(A_CFG_HS_TIMEOUT_MS, u(
                saved[A_CFG_HS_TIMEOUT_MS])))


t.check("bounds: an unprivileged user holds at most hs-user-max unfinished connect() handshakes (EAGAIN beyond), "
        "gets them back on close, and does not count against root's", user_share)


def memcg_charged():
    """Association memory is charged to the memory cgroup of the task that
    installs it."""
    cg = "/sys/fs/cgroup/m2msec-bounds"
    with open("/sys/fs/cgroup/cgroup.subtree_control", "w") as f:
        f.write("+memory")
    os.makedirs(cg, exist_ok=True)
    n = 400
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 1
        try:
            with open(cg + "/cgroup.procs", "w") as f:
                f.write(str(os.getpid()))
            k = FixedKeys()
            g = Genl()
            s = dtls_socket(bind=("127.0.0.1", 0))
            before = int(open(cg + "/memory.current").read())
            for i in range(n):
                Assoc(g, s, ("127.0.0.1", 10000 + i), CIPHER, DTLS12, k, k)
            after = int(open(cg + "/memory.current").read())
            os.write(w, b"%d" % (after - before))
            s.close()
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    grown = int(os.read(r, 64) or b"-1")
    os.close(r)
    os.waitpid(pid, 0)
    os.rmdir(cg)
    print("# %d associations grew memory.current by %d bytes (%d per association)"
          % (n, grown, grown // n))
    expect(grown >= n * 1024, "only %d bytes charged for %d associations" %
           (grown, n))


t.check("accounting: associations (and their epochs and replay windows) are charged to the installer's memory cgroup",
        memcg_charged)


def ctrl_queue_bytes():
    """Control records nobody reads yet are bounded in bytes, apart from the
    receive buffer: a peer sending large handshake records (fewer than
    ctrl-queue-max) cannot make the socket hold more, nor crowd out the
    application's records."""
    s = dtls_socket(bind=("127.0.0.1", 4433))
    p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    p.bind(("127.0.0.1", 5555))
    k = FixedKeys()
    Assoc(genl, s, ("127.0.0.1", 5555), CIPHER, DTLS12, k, k)
    before = global_stats(genl)
    try:
        body = os.urandom(12000)
        for seq in range(20):       # epoch 0: for the daemon
            p.sendto(b"\x16\xfe\xfd\x00\x00" + seq.to_bytes(6, "big") +
                     struct.pack(">H", len(body)) + body, ("127.0.0.1", 4433))
            select.select([s], [], [], 0.05)
            try:
                s.recv(10, socket.MSG_DONTWAIT)
            except BlockingIOError:
                pass
        p.sendto(seal12(k, 1, 1, b"app"), ("127.0.0.1", 4433))
        select.select([s], [], [], 5)
        expect(s.recv(10) == b"app", "the application record did not arrive")
        after = global_stats(genl)
        queued = after["ctrl_queued"] - before["ctrl_queued"]
        dropped = after["ctrl_drop"] - before["ctrl_drop"]
        print("# 20 records of 12 kB: %d queued, %d dropped" % (queued, dropped))
        expect(queued + dropped == 20 and 0 < queued < 12 and dropped > 0,
               "queued %d, dropped %d" % (queued, dropped))
    finally:
        s.close()
        p.close()


t.check("accounting: the control queue is bounded in bytes (128 KiB) besides ctrl-queue-max; large records beyond "
        "are dropped and counted, the application's records still arrive", ctrl_queue_bytes)

t.exit()
