#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Kernel side of the handshake upcall, with a stand-in daemon in Python.

    application                    stand-in daemon (this script)
    m2msec socket 127.0.0.1:4600   netlink "handshake" group: HS_REQUEST
         |   ^                     HS_ACCEPT -> channel fd (read/write)
         |   | records             (a listening socket: its listener's
         |   |                     channel, first flights with the peer's
         |   |                     address; HS_CLAIM -> the peer's channel)
         |   |                     HS_DONE   -> association installed
         v   |
    peer: plain UDP socket 127.0.0.1:4700, sealing and opening records with
    the independent codec of m2msec.py

No TLS library is involved: the "handshake" is whatever bytes the test
writes; what is checked is the kernel's part: requests, their bounds and
timeouts, the channel, installation, and the errors connect() returns.
"""
import ctypes
import errno
import os
import select
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (DTLS12, SOL_M2MSEC, A_ASSOC_ID, A_ASSOC_LOCAL,  # noqa: E402
                    A_ASSOC_PEER, A_HS_ID, A_HS_ROLE, A_HS_STATUS,
                    A_HS_PEER_ID, A_HS_SERVER_NAME, A_CFG_HS_SOCK_MAX,
                    A_CFG_HS_TIMEOUT_MS, A_CFG_HS_RATE, A_CFG_HS_BURST,
                    A_CFG_HS_QUEUE_MAX, A_SOCK_FD, CMD_ASSOC_GET,
                    CMD_GET_CONFIG, CMD_SET_CONFIG, CMD_HS_ACCEPT,
                    CMD_HS_DONE, CMD_HS_GET, A_CFG_HS_HELLO_MAX, A_CFG_HS_HELLO_BYTES,
                    HS_CLIENT, HS_SERVER, HS_LISTENER, HS_DGRAM_LEN,
                    hs_dgram, hs_dgram_parse, SO_SERVER_NAME, SO_PEER_ID,
                    Assoc, Genl, Keys, Ktap, dtls_socket, expect,
                    expect_errno, global_stats, nla, nla_u32, open12,
                    recv_record, seal12, sock_connect, sockaddr, u)

from hs_standin import (K, P, CIPHER, Daemon, client_hello, keying,  # noqa: E402
                        peer_socket, read_chan, set_config)
_libc = ctypes.CDLL(None, use_errno=True)


def recv_app(sock, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return recv_record(sock, 65536, socket.MSG_DONTWAIT)
        except BlockingIOError:
            time.sleep(0.05)
    raise AssertionError("no application record within %.0f s" % timeout)


def peer_id_of(sock, assoc_id):
    buf = ctypes.create_string_buffer(struct.pack("=I", assoc_id), 1100)
    ln = ctypes.c_uint32(1100)
    if _libc.getsockopt(sock.fileno(), SOL_M2MSEC, SO_PEER_ID, buf,
                        ctypes.byref(ln)) < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return buf.raw[:ln.value - 1].decode()


def assocs(genl, sock):
    return genl.request(CMD_ASSOC_GET, nla_u32(A_SOCK_FD, sock.fileno()),
                        dump=True)


def delta(before, after, name):
    return after[name] - before[name]


class Connector(threading.Thread):
    """A blocking connect() in a thread: its errno ends up in .err."""

    def __init__(self, sock, addr):
        super().__init__(daemon=True)
        self.sock, self.addr, self.err, self.elapsed = sock, addr, None, None
        self.start()

    def run(self):
        t0 = time.monotonic()
        try:
            sock_connect(self.sock, self.addr)
            self.err = 0
        except OSError as e:
            self.err = e.errno
        self.elapsed = time.monotonic() - t0

    def result(self, timeout=10):
        self.join(timeout)
        expect(not self.is_alive(), "connect() still blocked")
        return self.err


genl = Genl()
saved = genl.request(CMD_GET_CONFIG)[0]
set_config(genl, timeout_ms=5000, rate=1000, burst=1000)
d = Daemon()
t = Ktap(20)


def server_pair():
    d.drain()
    s = dtls_socket(bind=K)
    s.listen(8)
    return s, peer_socket()


def listener_of(s):
    """Accept the listener of the listening socket @s: its channel fd."""
    lfd, r = d.accept(u(d.listener()[A_HS_ID]))
    expect(u(r[A_HS_ROLE]) == HS_LISTENER and A_ASSOC_PEER not in r)
    return lfd


def cookie_round_trip(lfd, p):
    """First flight, stateless answer, second flight: the peer's address
    seen on the listener channel both times; returns the second flight."""
    first = client_hello()
    p.sendto(first, K)
    peer, local, data = hs_dgram_parse(read_chan(lfd))
    expect((peer, local, data) == (sockaddr(P), sockaddr(K), first),
           "listener read %r %r %r" % (peer, local, data[:16]))
    os.write(lfd, hs_dgram(P, b"\x16\xfe\xff verify request"))
    data, src = p.recvfrom(100)
    expect(data == b"\x16\xfe\xff verify request" and src == K,
           "%r from %r" % (data, src))
    second = client_hello()
    p.sendto(second, K)
    peer, _, data = hs_dgram_parse(read_chan(lfd))
    expect(peer == sockaddr(P) and data == second, "second flight")
    return second


try:
    def hello_queued_not_request():
        s, p = server_pair()
        try:
            r = d.listener()
            expect(u(r[A_HS_ID]) > 0 and A_ASSOC_PEER not in r)
            before = global_stats(genl)
            for _ in range(3):
                p.sendto(client_hello(), K)
            time.sleep(0.3)
            after = global_stats(genl)
            for k, v in (("hs_created", 0), ("hs_pending", 0),
                         ("hs_hello_queued", 3), ("hs_hello_pending", 3)):
                expect(delta(before, after, k) == v, "%s %d" %
                       (k, delta(before, after, k)))
            lfd, _ = d.accept(u(r[A_HS_ID]))
            peer, local, data = hs_dgram_parse(read_chan(lfd))
            expect(peer == sockaddr(P) and local == sockaddr(K) and
                   data[13] == 1, "read %r %r" % (peer, local))
            expect(delta(after, global_stats(genl), "hs_hello_pending") == -1)
            os.close(lfd)
        finally:
            s.close()
            p.close()

    t.check("handshake: listen() announces the socket's listener (HS_REQUEST, role listener, local address); ClientHellos of an unknown peer go to its hello queue and create no request; the listener channel reads each with the peer's and the local address",
            hello_queued_not_request)

    def no_request_without_listen():
        s, p = dtls_socket(bind=K), peer_socket()
        try:
            d.drain()
            before = global_stats(genl)
            p.sendto(client_hello(), K)
            time.sleep(0.3)
            expect(d.requests(timeout=0.3) == [])
            after = global_stats(genl)
            expect(delta(before, after, "hs_created") == 0)
            expect(delta(before, after, "hs_hello_queued") == 0)
        finally:
            s.close()
            p.close()

    t.check("handshake: without listen() a ClientHello creates no request and is not queued for the daemon",
            no_request_without_listen)

    def server_full():
        s, p = server_pair()
        try:
            lfd = listener_of(s)
            before = global_stats(genl)
            cookie_round_trip(lfd, p)
            mid = global_stats(genl)
            expect(delta(before, mid, "hs_created") == 0 and
                   delta(before, mid, "hs_pending") == 0,
                   "per-peer state before the claim")
            fd, r = d.claim(lfd, P)
            hid = u(r[A_HS_ID])
            expect(u(r[A_HS_ROLE]) == HS_SERVER and r[A_ASSOC_PEER] ==
                   sockaddr(P) and r[A_ASSOC_LOCAL] == sockaddr(K))
            expect_errno(errno.EBUSY, lambda: d.accept(hid))
            # The rest of the handshake is on the peer's own channel.
            p.sendto(b"\x16\xfe\xfd client flight", K)
            expect(read_chan(fd) == b"\x16\xfe\xfd client flight")
            os.write(fd, b"\x16\xfe\xfd server flight")
            data, src = p.recvfrom(100)
            expect(data == b"\x16\xfe\xfd server flight" and src == K,
                   "%r from %r" % (data, src))
            # Keys as the handshake would have produced them; the peer's
            # first application record arrives before DONE and is not read
            # by the daemon.
            ktx, krx = Keys(CIPHER, DTLS12), Keys(CIPHER, DTLS12)
            p.sendto(seal12(krx, 1, 1, b"early data"), K)
            time.sleep(0.2)
            reply = d.done(hid, 0, keying(ktx, krx, "psk:ae-0001"))
            aid = u(reply[0][A_ASSOC_ID])
            data, peer, got_aid, epoch, _ = recv_app(s)
            expect((data, peer, got_aid, epoch) ==
                   (b"early data", P, aid, 1), repr((data, peer, got_aid)))
            p.sendto(seal12(krx, 1, 2, b"after done"), K)
            expect(recv_app(s)[0] == b"after done")
            s.sendmsg([b"to the peer"], [(SOL_M2MSEC, 1,
                                          struct.pack("=I", aid))])
            rec, _ = p.recvfrom(1000)
            expect(open12(ktx, rec)[3] == b"to the peer")
            a = [x for x in assocs(genl, s) if u(x[A_ASSOC_ID]) == aid][0]
            expect(a[A_HS_PEER_ID].rstrip(b"\0") == b"psk:ae-0001")
            expect(peer_id_of(s, aid) == "psk:ae-0001")
            expect(os.read(fd, 100) == b"", "read after DONE is not EOF")
            os.close(fd)
            after = global_stats(genl)
            for k, v in (("hs_created", 1), ("hs_claimed", 1),
                         ("hs_accepted", 1), ("hs_completed", 1),
                         ("hs_failed", 0), ("hs_pending", 0)):
                expect(delta(before, after, k) == v, "%s %d" %
                       (k, delta(before, after, k)))
            # A new first flight of the now associated peer is not a hello.
            p.sendto(client_hello(), K)
            time.sleep(0.2)
            expect(delta(after, global_stats(genl), "hs_hello_queued") == 0)
            os.close(lfd)
        finally:
            s.close()
            p.close()

    t.check("handshake: server: the cookie round trip runs on the listener channel without per-peer state; HS_CLAIM then creates the peer's request, accepted, with its own channel; HS_DONE installs the association with the peer identity (ASSOC_GET, M2MSEC_SO_PEER_ID); a record the daemon left unread is delivered after DONE",
            server_full)

    def server_error():
        s, p = server_pair()
        try:
            lfd = listener_of(s)
            before = global_stats(genl)
            cookie_round_trip(lfd, p)
            fd, r = d.claim(lfd, P)
            hid = u(r[A_HS_ID])
            d.done(hid, -errno.EKEYREJECTED)
            expect(assocs(genl, s) == [], "association installed")
            expect(os.read(fd, 100) == b"")
            os.close(fd)
            after = global_stats(genl)
            expect(delta(before, after, "hs_failed") == 1)
            expect(delta(before, after, "hs_pending") == 0)
            expect_errno(errno.ENOENT, lambda: d.done(hid, 0))
            os.close(lfd)
        finally:
            s.close()
            p.close()

    t.check("handshake: HS_DONE with an error status fails the claimed request: nothing installed, counted as failed, a second DONE gives ENOENT",
            server_error)

    def misuse():
        s, p = server_pair()
        try:
            lid = u(d.listener()[A_HS_ID])
            expect_errno(errno.EINVAL, lambda: d.done(lid, 0))
            lfd, _ = d.accept(lid)
            expect_errno(errno.EBUSY, lambda: d.accept(lid))
            expect_errno(errno.ENOENT, lambda: d.accept(0x7ffffff0))
            expect_errno(errno.ERANGE, lambda: d.done(lid, 5))
            expect_errno(errno.EINVAL, lambda: d.done(lid, 0))
            os.close(lfd)
        finally:
            s.close()
            p.close()

    t.check("handshake: HS_DONE on a listener gives EINVAL, a second ACCEPT of it EBUSY, an unknown id ENOENT, a positive status ERANGE",
            misuse)

    def client_ok():
        c, p = dtls_socket(bind=("127.0.0.1", 4601)), peer_socket()
        try:
            c.setsockopt(SOL_M2MSEC, SO_SERVER_NAME, b"cse.example.net")
            d.drain()
            conn = Connector(c, P)
            r = d.requests()[0]
            expect(u(r[A_HS_ROLE]) == HS_CLIENT)
            expect(r[A_HS_SERVER_NAME].rstrip(b"\0") == b"cse.example.net")
            hid = u(r[A_HS_ID])
            fd, acc = d.accept(hid)
            expect(acc[A_HS_SERVER_NAME].rstrip(b"\0") == b"cse.example.net")
            os.write(fd, client_hello())
            data, src = p.recvfrom(1000)
            expect(data[0] == 22 and src == ("127.0.0.1", 4601))
            p.sendto(b"\x16\xfe\xfd server hello", src)
            expect(read_chan(fd) == b"\x16\xfe\xfd server hello")
            time.sleep(0.2)
            expect(conn.is_alive(), "connect() returned before DONE")
            ktx, krx = Keys(CIPHER, DTLS12), Keys(CIPHER, DTLS12)
            d.done(hid, 0, keying(ktx, krx, "x509:CN=cse"))
            expect(conn.result() == 0, "connect: %r" % conn.err)
            c.send(b"first bytes")
            rec, _ = p.recvfrom(1000)
            expect(open12(ktx, rec)[3] == b"first bytes")
            expect(peer_id_of(c, 0) == "x509:CN=cse")
            os.close(fd)
        finally:
            c.close()
            p.close()

    t.check("handshake: client: connect() blocks until HS_DONE and returns 0; HS_REQUEST and HS_ACCEPT carry role client and the SNI; the channel reaches the server; application data flows",
            client_ok)

    def pending_dump():
        c, p = dtls_socket(bind=("127.0.0.1", 4601)), peer_socket()
        s = None
        try:
            d.drain()
            conn = Connector(c, P)
            hid = u(d.requests()[0][A_HS_ID])
            s = dtls_socket(bind=K)
            s.listen(8)
            lid = u(d.listener()[A_HS_ID])

            def pending():
                return {u(r[A_HS_ID]): r for r in
                        genl.request(CMD_HS_GET, dump=True)}

            got = pending()
            expect(hid in got and lid in got, "dump %r" % sorted(got))
            r = got[hid]
            expect(u(r[A_HS_ROLE]) == HS_CLIENT and
                   r[A_ASSOC_PEER] == sockaddr(P) and
                   r[A_ASSOC_LOCAL] == sockaddr(("127.0.0.1", 4601)),
                   "client entry %r" % r)
            expect(u(got[lid][A_HS_ROLE]) == HS_LISTENER and
                   got[lid][A_ASSOC_LOCAL] == sockaddr(K) and
                   A_ASSOC_PEER not in got[lid], "listener entry")
            # Taken requests are no longer listed; a closed channel puts
            # the listener back.
            fd, _ = d.accept(hid)
            lfd, _ = d.accept(lid)
            got = pending()
            expect(hid not in got and lid not in got, "taken, still listed")
            os.close(lfd)
            expect(lid in pending(), "listener not back after its channel closed")
            d.done(hid, -errno.EKEYREJECTED)
            expect(conn.result() == errno.EKEYREJECTED, "connect: %r" % conn.err)
            os.close(fd)
            expect(hid not in pending(), "finished request listed")
        finally:
            c.close()
            p.close()
            if s:
                s.close()

    t.check("handshake: HS_GET dumps the requests no daemon has taken yet (a client's connect() and a listener, with role and addresses); accepted or finished ones are not listed, a listener whose channel closed is again",
            pending_dump)

    def client_rejected():
        c, p = dtls_socket(), peer_socket()
        try:
            d.drain()
            conn = Connector(c, P)
            hid = u(d.requests()[0][A_HS_ID])
            fd, _ = d.accept(hid)
            d.done(hid, -errno.EKEYREJECTED)
            expect(conn.result() == errno.EKEYREJECTED,
                   "connect: %r" % conn.err)
            expect(c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0)
            os.close(fd)
        finally:
            c.close()
            p.close()

    t.check("handshake: client: connect() fails with the daemon's status (EKEYREJECTED), not repeated in SO_ERROR",
            client_rejected)

    def client_timeout():
        set_config(genl, timeout_ms=1000)
        c = dtls_socket()
        try:
            before = global_stats(genl)
            conn = Connector(c, P)
            expect(conn.result(20) == errno.ETIMEDOUT,
                   "connect: %r" % conn.err)
            expect(conn.elapsed >= 0.9, "after %.2f s" % conn.elapsed)
            expect(delta(before, global_stats(genl), "hs_timeout") == 1)
        finally:
            set_config(genl, timeout_ms=5000)
            c.close()

    t.check("handshake: client: connect() with nobody accepting fails with ETIMEDOUT after the configured timeout, counted as timed out",
            client_timeout)

    def client_nonblock():
        p = peer_socket()
        try:
            for status, want in ((0, 0), (-errno.EACCES, errno.EACCES)):
                c = dtls_socket()
                c.setblocking(False)
                d.drain()
                expect_errno(errno.EINPROGRESS, lambda: sock_connect(c, P))
                expect_errno(errno.EALREADY, lambda: sock_connect(c, P))
                pl = select.poll()
                pl.register(c.fileno(), select.POLLOUT)
                expect(pl.poll(200) == [], "writable while connecting")
                hid = u(d.requests()[0][A_HS_ID])
                fd, _ = d.accept(hid)
                keys = keying(Keys(CIPHER, DTLS12), Keys(CIPHER, DTLS12))
                d.done(hid, status, keys if not status else b"")
                ev = pl.poll(5000)
                expect(ev and ev[0][1] & select.POLLOUT, "poll %r" % ev)
                err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                expect(err == want, "SO_ERROR %d" % err)
                os.close(fd)
                c.close()
        finally:
            p.close()

    t.check("handshake: client: non-blocking connect() gives EINPROGRESS (then EALREADY), poll() reports writability after DONE, SO_ERROR gives 0 or the status (EACCES)",
            client_nonblock)

    def chan_closed():
        c = dtls_socket()
        try:
            d.drain()
            conn = Connector(c, P)
            hid = u(d.requests()[0][A_HS_ID])
            fd, _ = d.accept(hid)
            os.close(fd)
            expect(conn.result() == errno.ECONNABORTED,
                   "connect: %r" % conn.err)
        finally:
            c.close()

    t.check("handshake: closing the channel fd without HS_DONE (a killed daemon) makes connect() fail with ECONNABORTED",
            chan_closed)

    def static_no_handshake():
        c, p = dtls_socket(bind=("127.0.0.1", 4602)), peer_socket()
        try:
            d.drain()
            Assoc(genl, c, P, CIPHER, DTLS12, Keys(CIPHER, DTLS12),
                  Keys(CIPHER, DTLS12))
            sock_connect(c, P)
            expect(d.requests(timeout=0.3) == [], "handshake requested")
        finally:
            c.close()
            p.close()

    t.check("handshake: connect() to a peer with a static association returns at once and starts no handshake",
            static_no_handshake)

    def unprivileged():
        s, p = server_pair()
        try:
            lid = u(d.listener()[A_HS_ID])
            lfd, _ = d.accept(lid)
            p.sendto(client_hello(), K)
            read_chan(lfd)
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    os.setgroups([])
                    os.setgid(65534)
                    os.setuid(65534)
                    g = Genl()
                    for fn in (lambda: g.request(CMD_HS_ACCEPT,
                                                 nla_u32(A_HS_ID, lid)),
                               lambda: g.request(CMD_HS_DONE,
                                                 nla_u32(A_HS_ID, lid) +
                                                 nla(A_HS_STATUS,
                                                     struct.pack("=i", 0))),
                               lambda: d.claim(lfd, P, genl=g),
                               lambda: g.request(CMD_HS_GET, dump=True),
                               lambda: g.subscribe("handshake")):
                        expect_errno(errno.EPERM, fn)
                    code = 0
                except BaseException as e:  # noqa: BLE001
                    print("# child: %r" % e, flush=True)
                os._exit(code)
            _, st = os.waitpid(pid, 0)
            expect(os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0,
                   "child status %r" % st)
            # The attempts changed nothing: the claim is still possible.
            fd, _ = d.claim(lfd, P)
            os.close(fd)
            os.close(lfd)
        finally:
            s.close()
            p.close()

    t.check("handshake: a user without CAP_NET_ADMIN gets EPERM for HS_ACCEPT, HS_DONE, HS_CLAIM (even holding the listener channel), the HS_GET dump and the handshake multicast group; the claim stays possible",
            unprivileged)

    def spoof(n, hello, base=0):
        srcs = []
        for i in range(base, base + n):
            x = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            x.bind(("127.1.%d.%d" % (i // 250, 1 + i % 250), 4800))
            x.sendto(hello, K)
            srcs.append(x)
        for x in srcs:
            x.close()

    def flood():
        set_config(genl, hello_max=16)
        d.drain()
        s = dtls_socket(bind=K)
        s.listen(8)
        try:
            before = global_stats(genl)
            spoof(300, client_hello())
            time.sleep(0.5)
            after = global_stats(genl)
            queued = delta(before, after, "hs_hello_queued")
            dropped = delta(before, after, "hs_hello_dropped")
            expect(queued == 16 and dropped == 284,
                   "queued %d dropped %d" % (queued, dropped))
            for k in ("hs_created", "hs_pending", "hs_accepted",
                      "hs_dropped", "ctrl_queued"):
                expect(delta(before, after, k) == 0, "%s %d" %
                       (k, delta(before, after, k)))
            expect(delta(before, after, "hs_hello_pending") == 16)
        finally:
            s.close()
            set_config(genl, hello_max=64)
        expect(global_stats(genl)["hs_hello_pending"] ==
               before["hs_hello_pending"], "hellos left after close")

    t.check("handshake: 300 spoofed ClientHellos from as many addresses, nobody reading the listener: no request, nothing pending, the hello queue holds its bound (16) and the other 284 are counted as hello drops; closing the socket frees the queue",
            flood)

    def flood_bytes():
        set_config(genl, hello_bytes=4096)
        d.drain()
        s = dtls_socket(bind=K)
        s.listen(8)
        big = client_hello() + b"\0" * 1000
        try:
            before = global_stats(genl)
            spoof(50, big)
            time.sleep(0.5)
            after = global_stats(genl)
            queued = delta(before, after, "hs_hello_queued")
            dropped = delta(before, after, "hs_hello_dropped")
            expect(1 <= queued <= 4096 // 1000 and queued + dropped == 50,
                   "queued %d dropped %d" % (queued, dropped))
            expect(delta(before, after, "hs_created") == 0)
        finally:
            s.close()
            set_config(genl, hello_bytes=131072)

    t.check("handshake: the hello queue's memory bound (4096 bytes) holds at most 4 ClientHellos of 1 KiB, the rest of 50 spoofed ones counted as hello drops",
            flood_bytes)

    def ratelimit():
        set_config(genl, rate=1, burst=3)
        s = dtls_socket(bind=K)
        s.listen(8)
        srcs = []
        try:
            before = global_stats(genl)
            for i in range(10):
                x = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                x.bind(("127.0.0.9", 4900 + i))
                x.sendto(client_hello(), K)
                srcs.append(x)
            time.sleep(0.3)
            after = global_stats(genl)
            queued = delta(before, after, "hs_hello_queued")
            limited = delta(before, after, "hs_ratelimited")
            expect(3 <= queued <= 5 and queued + limited == 10,
                   "queued %d rate-limited %d" % (queued, limited))
        finally:
            s.close()
            for x in srcs:
                x.close()
            set_config(genl, rate=1000, burst=1000)

    t.check("handshake: the per-source token bucket (rate 1/s, burst 3) sits in front of the hello queue: further ClientHellos from one address on other ports are refused and counted",
            ratelimit)

    def close_with_requests():
        s, _ = server_pair()
        _.close()
        peers = [peer_socket(("127.0.0.1", 4710 + i)) for i in range(3)]
        try:
            lfd = listener_of(s)
            before = global_stats(genl)
            fds = []
            for x in peers:
                x.sendto(client_hello(), K)
                peer, _, _ = hs_dgram_parse(read_chan(lfd))
                expect(peer == sockaddr(x.getsockname()))
                fds.append(d.claim(lfd, x.getsockname())[0])
            peers[0].sendto(client_hello(), K)   # a hello left queued
            time.sleep(0.2)
            s.close()
            for fd in fds:
                expect(os.read(fd, 100) == b"", "channel not at EOF")
                expect_errno(errno.EPIPE, lambda: os.write(fd, b"x"))
                os.close(fd)
            expect(os.read(lfd, 100) == b"", "listener not at EOF")
            expect_errno(errno.EPIPE, lambda: os.write(
                lfd, hs_dgram(P, b"x")))
            os.close(lfd)
            after = global_stats(genl)
            expect(delta(before, after, "hs_failed") == 3)
            expect(after["hs_pending"] == before["hs_pending"])
        finally:
            for x in peers:
                x.close()

    t.check("handshake: closing a listening socket fails its claimed requests and ends its listener: channels read 0 and write EPIPE, nothing left pending",
            close_with_requests)

    def listener_misuse():
        s, p = server_pair()
        try:
            lid = u(d.listener()[A_HS_ID])
            lfd, _ = d.accept(lid)
            p.sendto(client_hello(), K)
            expect_errno(errno.EINVAL, lambda: os.read(lfd, HS_DGRAM_LEN - 1))
            peer, _, _ = hs_dgram_parse(os.read(lfd, 65536))
            expect(peer == sockaddr(P))
            for bad in (hs_dgram(P, b"")[:35],              # short header
                        hs_dgram(P, b"x", hdr_len=35),     # hdr_len too small
                        hs_dgram(P, b"")):                 # no datagram
                expect_errno(errno.EINVAL, lambda: os.write(lfd, bad))
            hdr = bytearray(hs_dgram(P, b"x"))
            hdr[0:2] = struct.pack("=H", 200)               # beyond the buffer
            expect_errno(errno.EINVAL, lambda: os.write(lfd, bytes(hdr)))
            expect_errno(errno.EAFNOSUPPORT, lambda: os.write(
                lfd, hs_dgram(("::1", 4700), b"x")))
            expect_errno(errno.EINVAL, lambda: os.write(
                lfd, hs_dgram(("127.0.0.1", 0), b"x")))
            # Claims: only for a source just read, once, of the right family.
            expect_errno(errno.ENOENT, lambda: d.claim(lfd, ("127.0.0.1",
                                                             4999)))
            expect_errno(errno.EAFNOSUPPORT, lambda: d.claim(lfd,
                                                             ("::1", 4700)))
            p.sendto(client_hello(), K)     # a copy still queued at the claim
            time.sleep(0.2)
            fd, _ = d.claim(lfd, P)
            os.set_blocking(lfd, False)
            expect_errno(errno.EAGAIN, lambda: os.read(lfd, 65536))
            os.set_blocking(lfd, True)
            expect_errno(errno.ENOENT, lambda: d.claim(lfd, P))
            expect_errno(errno.EINVAL, lambda: d.claim(fd, P))
            expect_errno(errno.EINVAL, lambda: d.claim(s.fileno(), P))
            expect_errno(errno.EBADF, lambda: d.claim(1000, P))
            p.sendto(client_hello(), K)     # goes to the peer's request now
            expect(read_chan(fd)[13] == 1)
            os.close(fd)
            # A closed listener channel gives the listener back.
            os.close(lfd)
            lfd, _ = d.accept(lid)
            os.close(lfd)
        finally:
            s.close()
            p.close()

    t.check("handshake: listener channel misuse: a read buffer shorter than the header, a short or inconsistent header, an empty datagram, port 0 give EINVAL, a peer of another family EAFNOSUPPORT; HS_CLAIM for a peer not just read gives ENOENT (also the second time), with a non-listener fd EINVAL, a bad fd EBADF; a hello still queued when its peer is claimed is not handed out; a closed listener channel can be accepted again",
            listener_misuse)

    def ipv6_listener():
        k6, p6a = ("::1", 4600), ("::1", 4700)
        d.drain()
        s = dtls_socket(bind=k6)
        s.listen(8)
        p6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        p6.bind(p6a)
        p6.settimeout(5)
        try:
            lfd, _ = d.accept(u(d.listener(local=k6)[A_HS_ID]))
            hello = client_hello()
            p6.sendto(hello, k6)
            peer, local, data = hs_dgram_parse(read_chan(lfd))
            expect((peer, local, data) == (sockaddr(p6a), sockaddr(k6), hello),
                   "read %r %r" % (peer, local))
            expect_errno(errno.EAFNOSUPPORT, lambda: os.write(
                lfd, hs_dgram(P, b"x")))
            os.write(lfd, hs_dgram(p6a, b"\x16\xfe\xff verify request"))
            data, src = p6.recvfrom(100)
            expect(data == b"\x16\xfe\xff verify request" and
                   src[:2] == k6, "%r from %r" % (data, src))
            expect_errno(errno.EAFNOSUPPORT, lambda: d.claim(lfd, P))
            fd, r = d.claim(lfd, p6a)
            expect(u(r[A_HS_ROLE]) == HS_SERVER and
                   r[A_ASSOC_PEER] == sockaddr(p6a))
            p6.sendto(b"\x16\xfe\xfd client flight", k6)
            expect(read_chan(fd) == b"\x16\xfe\xfd client flight")
            os.close(fd)
            os.close(lfd)
        finally:
            s.close()
            p6.close()

    t.check("handshake: IPv6 listening socket: the listener reads the ClientHello with the IPv6 peer and local address, writes the answer to an IPv6 peer (an IPv4 one is EAFNOSUPPORT), HS_CLAIM gives the IPv6 peer its own channel",
            ipv6_listener)

    def sockopt_errors():
        c = dtls_socket()
        try:
            expect_errno(errno.ENOENT, lambda: c.getsockopt(
                SOL_M2MSEC, SO_SERVER_NAME, 256))
            expect_errno(errno.EINVAL, lambda: c.setsockopt(
                SOL_M2MSEC, SO_SERVER_NAME, b"bad name"))
            c.setsockopt(SOL_M2MSEC, SO_SERVER_NAME, b"a.example")
            expect(c.getsockopt(SOL_M2MSEC, SO_SERVER_NAME, 256) ==
                   b"a.example\0")
            expect_errno(errno.ENOENT, lambda: peer_id_of(c, 12345))
        finally:
            c.close()

    t.check("handshake: M2MSEC_SO_SERVER_NAME reads back, refuses spaces, ENOENT unset; M2MSEC_SO_PEER_ID of an unknown association is ENOENT",
            sockopt_errors)
finally:
    d.close()
    restore = b"".join(nla_u32(k, u(saved[k])) for k in
                       (A_CFG_HS_SOCK_MAX, A_CFG_HS_TIMEOUT_MS, A_CFG_HS_RATE,
                        A_CFG_HS_BURST, A_CFG_HS_QUEUE_MAX, A_CFG_HS_HELLO_MAX,
                        A_CFG_HS_HELLO_BYTES) if k in saved)
    if restore:
        genl.request(CMD_SET_CONFIG, restore)
t.exit()
