#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The association control channel, with a stand-in daemon in Python.

    m2msec socket 127.0.0.1:4610 (connect)   stand-in daemon (this script)
         ^  records                          HS_ACCEPT, HS_DONE + HS_CTRL
         |                                   -> control channel fd:
    peer: plain UDP socket 127.0.0.1:4710,      read: header + record
    records sealed and opened with the          write: record sent by the
    independent codec of m2msec.py              kernel, LAST_TX ioctl

Checked: control records of an association with a channel reach the
channel with their type, epoch and sequence number; what the channel writes
goes out in the current TX epoch with the next sequence number; ASSOC_REKEY
reaches the channel; ASSOC_SET and ASSOC_DEL accept the channel to name the
association; misuse errnos, the CAP_NET_ADMIN rule, the bounded queue, and
that closing the channel leaves the association working.
"""
import errno
import fcntl
import os
import select
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (SOL_M2MSEC, CMSG_ASSOC_ID, CIPHERS, DTLS12, DTLS13, A_ASSOC_ID,  # noqa: E402
                    A_ASSOC_VERSION, A_ASSOC_CIPHER, A_ASSOC_TX, A_ASSOC_RX,
                    A_HS_ID, A_CFG_CTRL_QUEUE_MAX, A_SOCK_FD, CMD_ASSOC_GET,
                    CMD_ASSOC_DEL, CMD_ASSOC_SET, CMD_GET_CONFIG,
                    CMD_SET_CONFIG, Assoc, Genl, Keys, Ktap,
                    direction, dtls_socket, expect, expect_errno,
                    global_stats, nla, nla_u16, nla_u32, open12, open13,
                    recv_record, seal12, seal13, sock_connect, u)

# Appended to the UAPI for the control channel.
CMD_ASSOC_REKEY = 17
A_HS_CTRL, A_ASSOC_CTRL_FD, A_ASSOC_SOCK_INO = 49, 50, 51
CTRL_F_DECRYPTED = 1
EV_REKEY = 1
HDR = struct.Struct("=BBHIQQ")		# struct m2msec_ctrl_hdr
LAST_TX = 0x80104d01			# _IOR(0x4d, 1, struct m2msec_ctrl_recno)

from hs_standin import Daemon  # noqa: E402

K, P = ("127.0.0.1", 4610), ("127.0.0.1", 4710)
CIPHER = "AES-128-GCM"


def recv_app(sock, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = poke(sock)
        if r:
            return r
        time.sleep(0.05)
    raise AssertionError("no application record within %.0f s" % timeout)


def assocs(sock):
    return genl.request(CMD_ASSOC_GET, nla_u32(A_SOCK_FD, sock.fileno()),
                        dump=True)


def keying(version, ktx, krx):
    epoch = 3 if version == DTLS13 else 1
    return nla_u16(A_ASSOC_VERSION, version) + \
        nla_u32(A_ASSOC_CIPHER, CIPHERS[CIPHER][0]) + \
        nla(A_ASSOC_TX | 0x8000, direction(epoch, 1, ktx.serial())) + \
        nla(A_ASSOC_RX | 0x8000, direction(epoch, 1, krx.serial()))


class Established:
    """A client handshake (connect()) finished by the stand-in daemon with
    HS_CTRL."""

    def __init__(self, d, version, ctrl=True):
        self.version = version
        self.s = dtls_socket(bind=K)
        self.p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.p.bind(P)
        self.p.settimeout(5)
        d.drain()
        conn = threading.Thread(target=sock_connect, args=(self.s, P),
                                daemon=True)
        conn.start()
        reqs = d.requests()
        expect(len(reqs) == 1, "requests %r" % reqs)
        hid = u(reqs[0][A_HS_ID])
        self.hfd, _ = d.accept(hid)
        self.ktx, self.krx = Keys(CIPHER, version), Keys(CIPHER, version)
        r = d.done(hid, 0, keying(version, self.ktx, self.krx) +
                   (nla(A_HS_CTRL, b"") if ctrl else b""))[0]
        self.aid = u(r[A_ASSOC_ID])
        self.cfd = u(r[A_ASSOC_CTRL_FD]) if ctrl else -1
        if ctrl:
            os.set_blocking(self.cfd, False)
        expect(ctrl == (A_ASSOC_CTRL_FD in r), "ASSOC_CTRL_FD in the reply")
        conn.join(5)
        expect(not conn.is_alive(), "connect() did not return")
        self.epoch = 3 if version == DTLS13 else 1

    def seal(self, seq, payload, ctype):
        if self.version == DTLS13:
            return seal13(self.krx, self.epoch, seq, payload, ctype)
        return seal12(self.krx, self.epoch, seq, payload, ctype)

    def from_peer(self, seq, payload, ctype):
        """The peer sends a record; the application's read takes it apart."""
        self.p.sendto(self.seal(seq, payload, ctype), K)
        time.sleep(0.2)
        poke(self.s)

    def close(self):
        for fd in (self.cfd, self.hfd):
            if fd >= 0:
                os.close(fd)
        self.s.close()
        self.p.close()


def send_app(e, data):
    e.s.sendmsg([data], [(SOL_M2MSEC, CMSG_ASSOC_ID,
                          struct.pack("=I", e.aid))])


def poke(s):
    """Drive the receive path: records are taken apart in recvmsg()."""
    try:
        return recv_record(s, 65536, socket.MSG_DONTWAIT)
    except BlockingIOError:
        return None


def read_ctrl(fd, timeout=5.0):
    r, _, _ = select.select([fd], [], [], timeout)
    expect(r, "control channel not readable")
    b = os.read(fd, 65536)
    expect(len(b) >= HDR.size, "short read %r" % b)
    return HDR.unpack_from(b) + (b[HDR.size:],)


def write_ctrl(fd, ctype, payload, **kw):
    h = dict(flags=0, event=0, len=len(payload), epoch=0, seq=0)
    h.update(kw)
    return os.write(fd, HDR.pack(ctype, h["flags"], h["event"], h["len"],
                                 h["epoch"], h["seq"]) + payload)


def last_tx(fd):
    return struct.unpack("=QQ", fcntl.ioctl(fd, LAST_TX, bytes(16)))


def rekey(genl, aid, sock=None):
    a = nla_u32(A_ASSOC_ID, aid)
    if sock:
        a += nla_u32(A_SOCK_FD, sock.fileno())
    return genl.request(CMD_ASSOC_REKEY, a)


genl = Genl()
saved = u(genl.request(CMD_GET_CONFIG)[0][A_CFG_CTRL_QUEUE_MAX])
d = Daemon()
t = Ktap(8)

try:
    def records_to_channel():
        e = Established(d, DTLS12)
        try:
            before = global_stats(genl)
            e.from_peer(7, b"\x01\x00", 21)		# close_notify
            typ, flags, ev, ln, epoch, seq, data = read_ctrl(e.cfd)
            expect((typ, flags, ev, ln, epoch, seq, data) ==
                   (21, CTRL_F_DECRYPTED, 0, 2, 1, 7, b"\x01\x00"),
                   repr((typ, flags, ev, ln, epoch, seq, data)))
            expect(delta(before, "ctrl_queued") == 1)
            expect_errno(errno.EAGAIN, lambda: os.read(e.cfd, 100))
            expect_errno(errno.EINVAL, lambda: os.read(e.cfd, HDR.size - 1))
        finally:
            e.close()

    def delta(before, name):
        return global_stats(genl)[name] - before[name]

    t.check("control channel: HS_DONE with HS_CTRL returns a channel; a DTLS 1.2 peer's alert arrives there decrypted with type 21, epoch 1, sequence number 7; nothing more: EAGAIN",
            records_to_channel)

    def write_and_last_tx():
        e = Established(d, DTLS13)
        try:
            expect_errno(errno.ENODATA, lambda: last_tx(e.cfd))
            ack = b"\x00\x10" + struct.pack(">QQ", 3, 9)
            expect(write_ctrl(e.cfd, 26, ack) == HDR.size + len(ack))
            rec, _ = e.p.recvfrom(1000)
            typ, bits, seq, pt, _ = open13(e.ktx, rec, 1)
            expect((typ, bits, seq, pt) == (26, 3, 1, ack),
                   repr((typ, bits, seq, pt)))
            expect(last_tx(e.cfd) == (3, 1), "LAST_TX %r" % (last_tx(e.cfd),))
            # The application's next record takes the next number.
            send_app(e, b"app")
            rec, _ = e.p.recvfrom(1000)
            expect(open13(e.ktx, rec, 2)[2] == 2)
            # A peer's record of the handshake epoch arrives undecrypted.
            e.p.sendto(seal13(Keys(CIPHER, DTLS13), 2, 0, b"x", 22), K)
            time.sleep(0.2)
            poke(e.s)
            typ, flags, _, _, epoch, _, raw = read_ctrl(e.cfd)
            expect((typ, flags, epoch) == (0, 0, 2) and raw[0] & 0xe0 == 0x20,
                   repr((typ, flags, epoch, raw[:4])))
        finally:
            e.close()

    t.check("control channel: DTLS 1.3 write() sends an ACK in the current epoch (3) with the next sequence number, ioctl LAST_TX returns (3, 1) (ENODATA before); a handshake-epoch record arrives raw (not decrypted, epoch 2)",
            write_and_last_tx)

    def misuse():
        e = Established(d, DTLS12)
        try:
            for fn, err in (
                    (lambda: os.write(e.cfd, b"short"), errno.EINVAL),
                    (lambda: write_ctrl(e.cfd, 23, b"data"), errno.EINVAL),
                    (lambda: write_ctrl(e.cfd, 21, b"\x01\x00", flags=1),
                     errno.EINVAL),
                    (lambda: write_ctrl(e.cfd, 21, b"\x01\x00", len=3),
                     errno.EINVAL),
                    (lambda: write_ctrl(e.cfd, 22, b"x" * 16385),
                     errno.EMSGSIZE),
                    (lambda: rekey(genl, e.aid, e.s), errno.EOPNOTSUPP),
                    (lambda: rekey(genl, 0x7fffff00, e.s), errno.ENOENT),
                    (lambda: genl.request(CMD_ASSOC_SET, nla_u32(
                        A_ASSOC_CTRL_FD, e.s.fileno())), errno.EBADF)):
                expect_errno(err, fn)
        finally:
            e.close()
        c = dtls_socket(bind=K)
        try:
            a = Assoc(genl, c, P, CIPHER, DTLS13, Keys(CIPHER, DTLS13),
                      Keys(CIPHER, DTLS13), epoch=3)
            expect_errno(errno.ENOTCONN, lambda: rekey(genl, a.id, c))
        finally:
            c.close()

    t.check("control channel misuse: short header, application data type, flags, wrong length EINVAL; over 2^14 EMSGSIZE; ASSOC_REKEY of DTLS 1.2 EOPNOTSUPP, of a static DTLS 1.3 association ENOTCONN, unknown id ENOENT; a socket fd as ASSOC_CTRL_FD EBADF",
            misuse)

    def rekey_and_set():
        e = Established(d, DTLS13)
        try:
            rekey(genl, e.aid)		# by id in the namespace
            typ, flags, ev, ln, epoch, _, _ = read_ctrl(e.cfd)
            expect((typ, flags, ev, ln, epoch) == (0, 0, EV_REKEY, 0, 3),
                   repr((typ, flags, ev, ln, epoch)))
            # The daemon installs the next epoch naming the channel only.
            ktx4, krx4 = Keys(CIPHER, DTLS13), Keys(CIPHER, DTLS13)
            genl.request(CMD_ASSOC_SET, nla_u32(A_ASSOC_CTRL_FD, e.cfd) +
                         nla(A_ASSOC_TX | 0x8000, direction(4, 0,
                                                            ktx4.serial())) +
                         nla(A_ASSOC_RX | 0x8000, direction(4, 0,
                                                            krx4.serial())))
            send_app(e, b"in four")
            rec, _ = e.p.recvfrom(1000)
            typ, bits, _, pt, _ = open13(ktx4, rec, 0)
            expect((typ, bits, pt) == (23, 0, b"in four"), repr((typ, pt)))
            e.p.sendto(seal13(krx4, 4, 0, b"peer in four"), K)
            data, _, _, epoch, _ = recv_app(e.s)
            expect((data, epoch) == (b"peer in four", 4), repr((data, epoch)))
        finally:
            e.close()

    t.check("ASSOC_REKEY by id queues a REKEY event (epoch 3) on the channel; ASSOC_SET naming the association by its channel installs epoch 4 both ways, data flows in epoch 4",
            rekey_and_set)

    def unprivileged():
        e = Established(d, DTLS13)
        try:
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    os.setgroups([])
                    os.setgid(65534)
                    os.setuid(65534)
                    g = Genl()
                    for cmd in (CMD_ASSOC_REKEY, CMD_ASSOC_DEL):
                        expect_errno(errno.EPERM, lambda: g.request(
                            cmd, nla_u32(A_ASSOC_ID, e.aid)))
                    code = 0
                except BaseException as ex:  # noqa: BLE001
                    print("# child: %r" % ex, flush=True)
                os._exit(code)
            _, st = os.waitpid(pid, 0)
            expect(os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0,
                   "child status %r" % st)
            expect(len(assocs(e.s)) == 1, "association gone")
        finally:
            e.close()

    t.check("ASSOC_REKEY and ASSOC_DEL by id without CAP_NET_ADMIN: EPERM, the association stays",
            unprivileged)

    def bounded():
        genl.request(CMD_SET_CONFIG, nla_u32(A_CFG_CTRL_QUEUE_MAX, 4))
        e = Established(d, DTLS12)
        try:
            before = global_stats(genl)
            for i in range(10):
                e.p.sendto(e.seal(10 + i, b"\x01\x5a", 21), K)
            time.sleep(0.3)
            poke(e.s)
            expect(delta(before, "ctrl_queued") == 4 and
                   delta(before, "ctrl_drop") == 6,
                   "queued %d dropped %d" % (delta(before, "ctrl_queued"),
                                             delta(before, "ctrl_drop")))
            seqs = [read_ctrl(e.cfd)[5] for _ in range(4)]
            expect(seqs == [10, 11, 12, 13], repr(seqs))
            expect_errno(errno.EAGAIN, lambda: os.read(e.cfd, 100))
        finally:
            e.close()
            genl.request(CMD_SET_CONFIG, nla_u32(A_CFG_CTRL_QUEUE_MAX, saved))

    t.check("control channel queue bounded by ctrl-queue-max (4): of 10 alerts 4 are read in order, 6 counted as ctrl_drop",
            bounded)

    def close_keeps_assoc():
        e = Established(d, DTLS12)
        try:
            os.close(e.cfd)
            e.cfd = -1
            before = global_stats(genl)
            e.from_peer(20, b"\x01\x5a", 21)
            expect(delta(before, "ctrl_queued") == 1, "not on the socket")
            e.p.sendto(e.seal(21, b"still here", 23), K)
            expect(recv_app(e.s)[0] == b"still here")
            send_app(e, b"reply")
            rec, _ = e.p.recvfrom(1000)
            expect(open12(e.ktx, rec)[3] == b"reply")
        finally:
            e.close()

    t.check("closing the control channel leaves the association working: data both ways, control records back on the socket's queue",
            close_keeps_assoc)

    def delete_by_channel():
        e = Established(d, DTLS12)
        try:
            genl.request(CMD_ASSOC_DEL, nla_u32(A_ASSOC_CTRL_FD, e.cfd))
            rec, _ = e.p.recvfrom(1000)
            expect(open12(e.ktx, rec)[0::3] == (21, b"\x01\x00"),
                   "no close_notify")
            expect(assocs(e.s) == [], "association left")
            p = select.poll()
            p.register(e.cfd, select.POLLIN | select.POLLRDHUP)
            ev = p.poll(1000)
            expect(ev and ev[0][1] & select.POLLRDHUP, "poll %r" % ev)
            expect(os.read(e.cfd, 100) == b"", "no end of file")
            expect_errno(errno.EPIPE, lambda: write_ctrl(e.cfd, 21,
                                                         b"\x01\x00"))
        finally:
            e.close()

    t.check("ASSOC_DEL naming the association by its channel: close_notify to the peer, association gone, the channel polls RDHUP, reads end of file, writes EPIPE",
            delete_by_channel)
finally:
    d.close()
    genl.request(CMD_SET_CONFIG, nla_u32(A_CFG_CTRL_QUEUE_MAX, saved))
t.exit()
