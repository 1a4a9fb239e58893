#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Allocation failures at every step of the record layer, the handshake
upcall and ESPrim, injected deterministically (debug kernel only).

    for N = 1, 2, ...:  echo N > /proc/thread-self/fail-nth
                        one operation (its N-th slab or page allocation in
                        this thread fails: failslab, fail_page_alloc)
                        -> success, or a clean errno / oneM2M status
                        -> the same socket works again without injection
    until the operation makes fewer than N allocations.

Nothing may crash or leak: the VM runner fails the run on any kernel
report and scans kmemleak after the suite.  On a kernel without
CONFIG_FAULT_INJECTION (the stock one) the test is skipped.
"""
import errno
import os
import select
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
FAILNTH = "/proc/thread-self/fail-nth"
DEBUGFS = "/sys/kernel/debug"
if not os.path.exists(FAILNTH) or not os.path.isdir(DEBUGFS + "/failslab"):
    print("1..0 # SKIP no fault injection in this kernel (fail-nth, failslab)")
    sys.exit(4)

from m2msec import (DTLS12, DTLS13, A_HS_ID, Assoc, Genl, Keys,  # noqa: E402
                    Ktap, dtls_socket, expect, global_stats,
                    open12, open13, recv_record, seal12, seal13,
                    sock_connect, u)
from hs_standin import P, CIPHER, Daemon, keying, set_config  # noqa: E402
import esprim  # noqa: E402

MAX_STEPS = 400
# What an allocation failure may surface as, besides success.
CLEAN = {errno.ENOMEM, errno.ENOBUFS, errno.EAGAIN, errno.EINTR,
         errno.ENFILE}          # ENFILE: socket() could not get its inode


def debugfs(path, value):
    with open(os.path.join(DEBUGFS, path), "w") as f:
        f.write(value)


# Every allocation may fail, sleeping ones included; no stack dumps.
for attr in ("failslab", "fail_page_alloc"):
    debugfs(attr + "/ignore-gfp-wait", "N")
    debugfs(attr + "/verbose", "0")
debugfs("fail_page_alloc/ignore-gfp-highmem", "N")
debugfs("fail_page_alloc/min-order", "0")

genl = Genl()
t = Ktap(6)


def inject(n, op):
    """Run @op with the @n-th allocation of this thread failing.
    Returns (fired, errno or None, result)."""
    fd = os.open(FAILNTH, os.O_RDWR)
    err = res = None
    try:
        os.write(fd, b"%d" % n)
        try:
            res = op()
        except OSError as e:
            err = e.errno
        left = int(os.pread(fd, 32, 0) or b"0")
    finally:
        os.write(fd, b"0")
        os.close(fd)
    return left == 0, err, res


def fresh_netlink():
    """An injected failure can cost a netlink socket its reply or ack (the
    request then answers ENOBUFS, as netlink does): later requests on it
    would read the wrong answer.  New sockets after each failure."""
    global genl
    genl.s.close()
    genl = Genl()
    for d in daemons:
        d.genl.s.close()
        d.genl = Genl()


daemons = []


def every_step(name, op, recover, clean=CLEAN):
    """Fail step 1, 2, ... of @op; after each, @recover() must succeed."""
    outcomes = {}
    for n in range(1, MAX_STEPS + 1):
        fired, err, _ = inject(n, op)
        fresh_netlink()
        if not fired:
            recover()
            print("# %s: %d allocation steps, outcomes %r" %
                  (name, n - 1, outcomes), flush=True)
            expect(n > 1, "%s: no allocation failed at all" % name)
            return
        outcomes[err or 0] = outcomes.get(err or 0, 0) + 1
        if err is not None and err not in clean:
            raise AssertionError("%s: step %d gave %s" %
                                 (name, n, os.strerror(err)))
        recover()
    raise AssertionError("%s: more than %d allocation steps" %
                         (name, MAX_STEPS))


class Pair:
    """A kernel socket with one static association to a plain UDP peer."""

    def __init__(self, version, port):
        self.version = version
        self.k = dtls_socket(bind=("127.0.0.1", port))
        self.p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.p.bind(("127.0.0.1", port + 1))
        self.p.settimeout(5)
        self.ktx, self.krx = Keys(CIPHER, version), Keys(CIPHER, version)
        self.a = Assoc(genl, self.k, ("127.0.0.1", port + 1), CIPHER, version,
                       self.ktx, self.krx)
        self.pseq, self.kseq, self.port = 1, 1, port

    def seal(self, data):
        self.pseq += 1
        f = seal13 if self.version == DTLS13 else seal12
        return f(self.krx, 1, self.pseq - 1, data)

    def peer_recv(self):
        d, _ = self.p.recvfrom(65536)
        if self.version == DTLS13:
            r = open13(self.ktx, d, self.kseq, 0)
        else:
            r = open12(self.ktx, d, 0)
        self.kseq = r[2] + 1
        return r[3]

    def kernel_recv(self):
        select.select([self.k], [], [], 5)
        return recv_record(self.k, 65536, socket.MSG_DONTWAIT)[0]

    def close(self):
        self.k.close()
        self.p.close()


def assoc_new():
    k = dtls_socket(bind=("127.0.0.1", 4500))
    ports = iter(range(20000, 30000))
    try:
        def op():
            Assoc(genl, k, ("127.0.0.1", next(ports)), CIPHER, DTLS12,
                  Keys(CIPHER, DTLS12), Keys(CIPHER, DTLS12))

        every_step("ASSOC_NEW", op, op)
    finally:
        k.close()


t.check("faults: ASSOC_NEW fails cleanly (ENOMEM, ENOBUFS) at every allocation step; the socket takes the next association",
        assoc_new)


def send_path(version):
    p = Pair(version, 4510 if version == DTLS12 else 4520)
    try:
        def op():
            p.k.send(b"x" * 301)

        def recover():
            # Whatever a failed send left, the next record arrives intact.
            while select.select([p.p], [], [], 0.1)[0]:
                p.p.recv(65536)
            p.k.send(b"after")
            expect(p.peer_recv() == b"after", "the next record did not open")

        sock_connect(p.k, ("127.0.0.1", p.port + 1))
        every_step("send %#x" % version, op, recover)
    finally:
        p.close()


for v, name in ((DTLS12, "1.2"), (DTLS13, "1.3")):
    t.check("faults: DTLS %s sendmsg() fails cleanly at every allocation step; the next record is sent and opens at the peer" % name,
            lambda v=v: send_path(v))


def recv_path():
    p = Pair(DTLS13, 4530)
    try:
        def op():
            p.p.sendto(p.seal(b"in"), ("127.0.0.1", p.port))
            select.select([p.k], [], [], 5)
            return recv_record(p.k, 65536, socket.MSG_DONTWAIT)

        def recover():
            p.p.sendto(p.seal(b"next"), ("127.0.0.1", p.port))
            while True:
                got = p.kernel_recv()
                if got == b"next":
                    return

        before = global_stats(genl)
        every_step("recv", op, recover)
        after = global_stats(genl)
        print("# rx_queue_drop moved by %d" % (after["rx_queue_drop"] -
                                                before["rx_queue_drop"]))
    finally:
        p.close()


t.check("faults: recvmsg() taking a DTLS 1.3 record apart fails cleanly at every allocation step (dropped and counted, or EAGAIN); the next record is delivered",
        recv_path)


def handshake():
    set_config(genl, timeout_ms=5000)
    d = Daemon()
    daemons.append(d)
    socks = []
    try:
        def connect_op():
            s = dtls_socket()
            socks.append(s)
            os.set_blocking(s.fileno(), False)
            try:
                sock_connect(s, P)
            except OSError as e:
                if e.errno != errno.EINPROGRESS:
                    raise

        def connect_recover():
            for s in socks:
                s.close()
            socks.clear()
            d.drain()
            connect_op()
            expect(len(d.requests()) == 1, "no request for a clean connect()")
            socks.pop().close()

        every_step("connect", connect_op, connect_recover)

        state = {}

        def prepare():
            s = dtls_socket()
            socks.append(s)
            os.set_blocking(s.fileno(), False)
            d.drain()
            try:
                sock_connect(s, P)
            except OSError as e:
                expect(e.errno == errno.EINPROGRESS, str(e))
            state["hid"] = u(d.requests()[0][A_HS_ID])

        def accept_op():
            fd, _ = d.accept(state["hid"])
            os.close(fd)

        def accept_recover():
            for s in socks:
                s.close()
            socks.clear()
            prepare()

        prepare()
        every_step("HS_ACCEPT", accept_op, accept_recover,
                   CLEAN | {errno.ENOENT, errno.EBUSY})

        def done_prepare():
            accept_recover()
            fd, _ = d.accept(state["hid"])
            state["fd"] = fd

        def done_op():
            try:
                d.done(state["hid"], 0, keying(Keys(CIPHER, DTLS12),
                                               Keys(CIPHER, DTLS12)))
            finally:
                os.close(state["fd"])

        def done_recover():
            done_prepare()
            d.done(state["hid"], 0, keying(Keys(CIPHER, DTLS12),
                                           Keys(CIPHER, DTLS12)))
            os.close(state["fd"])
            done_prepare()

        done_prepare()
        every_step("HS_DONE", done_op, done_recover,
                   CLEAN | {errno.ENOENT})
    finally:
        for s in socks:
            s.close()
        daemons.remove(d)
        d.close()


t.check("faults: connect(), HS_ACCEPT and HS_DONE fail cleanly at every allocation step; the next handshake runs",
        handshake)


def esprim_path():
    pairwise = os.urandom(32)
    serial = esprim.add_key("kid-f", pairwise, b"C-F")
    recv = esprim.Rand(esprim.RECEIVER, "r-f")
    orig = esprim.Rand(esprim.ORIGINATOR, "o-f")
    tx, rx = esprim.Sock(), esprim.Sock()
    try:
        for s in (tx, rx):
            s.key_add(serial)
            s.rand_add(recv)
            s.rand_add(orig)
        sid = iter(range(100, 100000))

        def session_op():
            tx.session_add(next(sid), serial, esprim.A128GCM, "r-f", "o-f")

        every_step("SESSION_ADD", session_op, session_op)
        tx.session_add(1, serial, esprim.A128GCM, "r-f", "o-f")

        def drain(s):
            while select.select([s.s], [], [], 0.2)[0]:
                s.recv()

        def fresh_object():
            r = tx.protect(b"primitive", 1)
            expect(r.get("status") == esprim.RSC["OK"], "protect: %r" % r)
            state["obj"] = r["data"]

        def protect_op():
            tx.send(b"primitive", session=1)

        def protect_recover():
            drain(tx)              # results of the failed attempt, if any
            fresh_object()

        state = {}
        every_step("protect", protect_op, protect_recover)

        def unprotect_op():
            rx.send(state["obj"])

        def unprotect_recover():
            drain(rx)
            fresh_object()
            r = rx.unprotect(state["obj"])
            expect(r.get("status") == esprim.RSC["OK"] and
                   r["data"] == b"primitive", "unprotect: %r" % r)
            fresh_object()

        fresh_object()
        every_step("unprotect", unprotect_op, unprotect_recover)
    finally:
        tx.close()
        rx.close()


t.check("faults: ESPrim SESSION_ADD, protect and unprotect fail cleanly at every allocation step; the sockets keep working",
        esprim_path)

t.exit()
