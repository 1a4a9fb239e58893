#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""DTLS record layer of m2msec against an independent record implementation
(selftests/m2msec.py, on python3-cryptography) acting as the peer.

    m2msec socket (kernel)  <--- loopback UDP --->  peer (plain UDP socket)
    127.0.0.1:4433 / [::1]:4433                     127.0.0.1:5555 / [::1]:5555

Static associations are installed over netlink with keys from the keyring;
the peer seals and opens records itself, so every byte on the wire is
checked by code that shares nothing with the kernel.
"""
import errno
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from m2msec import (CIPHERS, DTLS12, DTLS13, SOL_M2MSEC, CMSG_ASSOC_ID,  # noqa: E402
                    A_ASSOC_DRIVER, A_ASSOC_ID, A_EVENT_COUNT, A_EVENT_EPOCH,
                    A_EVENT_LIMIT, A_EVENT_MAX, CMD_LIMIT_EVENT,
                    LIMIT_INTEGRITY, u, CMSG_EPOCH, Assoc, nla, nla_u32,
                    CMD_SET_CONFIG, A_CFG_CTRL_QUEUE_MAX, Genl, Keys, Ktap, dtls_socket, expect,
                    expect_errno, global_stats, open12, open13, recv_record,
                    A_ASSOC_SUITE, nla_u16,
                    seal12, seal13, sendmmsg_records, sock_connect, sock_name,
                    CMSG_SEGMENT, SEGMENTS_MAX, CMD_ASSOC_EVENT, A_EVENT_KIND,
                    A_EVENT_OLD_PEER, A_ASSOC_PEER, EVENT_PEER_MOVED, peer_of,
                    sock_sendto, CMD_ASSOC_GET, A_SOCK_FD, A_EVENT_REASON,
                    EVENT_DOWN)

VERS = {"DTLS 1.2": DTLS12, "DTLS 1.3": DTLS13}
K4, P4 = ("127.0.0.1", 4433), ("127.0.0.1", 5555)

genl = Genl()
t = Ktap(2 * len(VERS) * len(CIPHERS) + 42)


class Pair:
    """A kernel socket with one association to a plain UDP peer."""

    def __init__(self, version, cipher, kaddr=K4, paddr=P4, tx_cid=b"",
                 rx_cid=b"", extra=b""):
        self.version, self.cipher = version, cipher
        fam = socket.AF_INET6 if ":" in kaddr[0] else socket.AF_INET
        self.k = dtls_socket(bind=kaddr)
        self.p = socket.socket(fam, socket.SOCK_DGRAM)
        self.p.bind(paddr)
        self.p.settimeout(5)
        self.kaddr, self.paddr = kaddr, paddr
        self.ktx = Keys(cipher, version)     # kernel -> peer
        self.krx = Keys(cipher, version)     # peer -> kernel
        self.tx_cid, self.rx_cid = tx_cid, rx_cid
        self.a = Assoc(genl, self.k, paddr, cipher, version, self.ktx,
                       self.krx, tx_cid=tx_cid, rx_cid=rx_cid, extra=extra)
        self.pseq = 1          # peer's next sequence number
        self.kseq = 1          # next kernel sequence number expected

    def seal(self, data, seq=None, epoch=1, keys=None, **kw):
        seq = self.pseq if seq is None else seq
        self.pseq = max(self.pseq, seq + 1)
        keys = keys or self.krx
        if self.version == DTLS13:
            return seal13(keys, epoch, seq, data, cid=self.rx_cid, **kw)
        return seal12(keys, epoch, seq, data, cid=self.rx_cid, **kw)

    def peer_send(self, *recs):
        self.p.sendto(b"".join(recs), self.kaddr)

    def peer_recv(self, keys=None, sock=None):
        dgram, _ = (sock or self.p).recvfrom(65536)
        keys = keys or self.ktx
        if self.version == DTLS13:
            r = open13(keys, dgram, self.kseq, len(self.tx_cid))
        else:
            r = open12(keys, dgram, len(self.tx_cid))
        self.kseq = r[2] + 1
        return r

    def kernel_send(self, data, epoch=None):
        anc = [(SOL_M2MSEC, CMSG_ASSOC_ID, struct.pack("=I", self.a.id))]
        if epoch is not None:
            anc.append((SOL_M2MSEC, CMSG_EPOCH, struct.pack("=Q", epoch)))
        return self.k.sendmsg([data], anc)

    def kernel_recv(self, flags=0, size=65536):
        """The next record; poll() may report datagrams that turn out to
        hold nothing deliverable, so read without blocking."""
        deadline = time.monotonic() + 5
        while True:
            left = deadline - time.monotonic()
            expect(left > 0, "no record within 5 s; counters %r" %
                   global_stats(genl))
            select.select([self.k], [], [], left)
            try:
                return recv_record(self.k, size, flags | socket.MSG_DONTWAIT)
            except BlockingIOError:
                pass

    def nothing_readable(self):
        expect_errno(errno.EAGAIN, lambda: recv_record(self.k, 65536,
                                                       socket.MSG_DONTWAIT))

    def close(self):
        self.k.close()
        self.p.close()


def roundtrip(version, cipher):
    p = Pair(version, cipher)
    try:
        p.peer_send(p.seal(b"hello kernel"))
        data, _, aid, epoch, _ = p.kernel_recv()
        expect(data == b"hello kernel", "payload %r" % data)
        expect(aid == p.a.id and epoch == 1, "cmsgs %r %r" % (aid, epoch))
        expect(p.kernel_send(b"hello peer") == 10)
        ctype, _, seq, pt, _ = p.peer_recv()
        expect((ctype, seq, pt) == (23, 1, b"hello peer"),
               "peer opened %r" % ((ctype, seq, pt),))
        st = p.a.stats()
        expect(st["rx_records"] == 1 and st["tx_records"] == 1, str(st))
    finally:
        p.close()


for vname, v in VERS.items():
    for c in CIPHERS:
        t.check("records: %s %s: a record sealed by an independent implementation is delivered "
                "with association and epoch cmsgs, and the kernel's record opens there"
                % (vname, c), lambda v=v, c=c: roundtrip(v, c))


def with_pair(version, cipher, fn, **kw):
    p = Pair(version, cipher, **kw)
    try:
        fn(p)
    finally:
        p.close()


def overflow(version, cipher):
    """RFC 8446 5.2 / RFC 6347 4.1: 2^14 bytes of content at most."""
    p = Pair(version, cipher)
    try:
        p.peer_send(p.seal(b"o" * 16385))
        p.peer_send(p.seal(b"m" * 16384))
        data = p.kernel_recv()[0]
        expect(data == b"m" * 16384, "got %d bytes" % len(data))
        p.nothing_readable()
        st = p.a.stats()
        expect(st["hdr_err"] == 1 and st["rx_records"] == 1, str(st))
    finally:
        p.close()


for vname, v in VERS.items():
    for c in CIPHERS:
        t.check("records: %s %s: a peer's record with 2^14+1 bytes of content is dropped and counted "
                "(record_overflow), one with 2^14 bytes is delivered" % (vname, c),
                lambda v=v, c=c: overflow(v, c))


def cid_both_ways(p):
    p.peer_send(p.seal(b"cid in"))
    expect(p.kernel_recv()[0] == b"cid in")
    p.kernel_send(b"cid out")
    expect(p.peer_recv()[3] == b"cid out")


t.check("records: DTLS 1.2 AES-128-CCM-8 with Connection IDs (RFC 9146 tls12_cid records) both ways",
        lambda: with_pair(DTLS12, "AES-128-CCM-8", cid_both_ways,
                          tx_cid=b"\x01\x02\x03\x04", rx_cid=b"\xaa\xbb\xcc\xdd"))
t.check("records: DTLS 1.3 AES-128-GCM with Connection IDs both ways",
        lambda: with_pair(DTLS13, "AES-128-GCM", cid_both_ways,
                          tx_cid=b"\x05\x06", rx_cid=b"\xab\xcd"))


def short_seq(p):
    p.peer_send(p.seal(b"short", short=True))
    expect(p.kernel_recv()[0] == b"short")
    # 8-bit wrap: 255 then 256 then 257 all reconstruct correctly.
    for s in (255, 256, 257):
        p.peer_send(p.seal(b"s%d" % s, seq=s, short=True))
        expect(p.kernel_recv()[0] == b"s%d" % s)


t.check("records: DTLS 1.3 8-bit sequence numbers are reconstructed across the 8-bit wrap",
        lambda: with_pair(DTLS13, "AES-128-GCM", short_seq))


def wrap16(p):
    for s in (65534, 65535, 65536, 65537):
        p.peer_send(p.seal(b"w%d" % s, seq=s))
        expect(p.kernel_recv()[0] == b"w%d" % s, "seq %d" % s)


t.check("records: DTLS 1.3 16-bit sequence numbers are reconstructed across the 16-bit wrap",
        lambda: with_pair(DTLS13, "CHACHA20-POLY1305", wrap16))


def multi(p):
    p.peer_send(p.seal(b"one"), p.seal(b"two"), p.seal(b"three"))
    got = [p.kernel_recv()[0] for _ in range(3)]
    expect(got == [b"one", b"two", b"three"], repr(got))


for vname, v in VERS.items():
    t.check("records: %s: three records in one datagram are delivered in order" % vname,
            lambda v=v: with_pair(v, "AES-128-GCM", multi))


def replay(p):
    rec = p.seal(b"once")
    p.peer_send(rec)
    expect(p.kernel_recv()[0] == b"once")
    p.peer_send(rec)
    p.peer_send(p.seal(b"next"))
    expect(p.kernel_recv()[0] == b"next")
    expect(p.a.stats()["replay"] == 1, str(p.a.stats()))


for vname, v in VERS.items():
    t.check("replay: %s: a replayed record is dropped and counted, the next one is delivered" % vname,
            lambda v=v: with_pair(v, "AES-128-CCM-8", replay))


def reorder_and_window(p):
    r5, r3, r4 = p.seal(b"5", seq=5), p.seal(b"3", seq=3), p.seal(b"4", seq=4)
    p.peer_send(r5)
    p.peer_send(r3)
    p.peer_send(r4)
    got = [p.kernel_recv()[0] for _ in range(3)]
    expect(got == [b"5", b"3", b"4"], repr(got))
    # Jump ahead by more than the window (1024 by default): seq 4 is old.
    p.peer_send(p.seal(b"far", seq=3000))
    expect(p.kernel_recv()[0] == b"far")
    p.peer_send(p.seal(b"old", seq=6))
    p.peer_send(p.seal(b"inside", seq=2990))
    expect(p.kernel_recv()[0] == b"inside")
    expect(p.a.stats()["replay"] == 1, str(p.a.stats()))


t.check("replay: reordered records inside the window are accepted, one older than the window is dropped",
        lambda: with_pair(DTLS12, "AES-128-GCM", reorder_and_window))


def malformed(p):
    before = global_stats(genl)
    good = p.seal(b"good")
    bad_tag = bytearray(p.seal(b"forged"))
    bad_tag[-1] ^= 1
    bad_version = bytearray(p.seal(b"v"))
    bad_version[1:3] = b"\x03\x03"
    long_len = bytearray(p.seal(b"len"))
    long_len[11:13] = struct.pack(">H", 4000)
    for d in (b"", b"\x17", good[:7], good[:-3], os.urandom(40),
              bytes(bad_tag), bytes(bad_version), bytes(long_len),
              b"\x17\xfe\xfd" + b"\xff" * 10):
        p.peer_send(d)
    p.peer_send(p.seal(b"still works"))
    expect(p.kernel_recv()[0] == b"still works")
    st = p.a.stats()
    after = global_stats(genl)
    hdr = after["hdr_err"] - before["hdr_err"]
    expect(st["auth_fail"] == 1, "auth_fail %r" % st)
    expect(hdr >= 4, "hdr_err moved by %d" % hdr)
    expect(st["rx_records"] == 1, str(st))


t.check("malformed: empty, truncated, garbage, tag failure, wrong version and bad length are dropped and counted; the association keeps working",
        lambda: with_pair(DTLS12, "AES-128-GCM", malformed))


def malformed13(p):
    before = global_stats(genl)
    good = p.seal(b"good")
    forged = bytearray(p.seal(b"forged"))
    forged[-1] ^= 0x80
    for d in (good[:5], good[:-1], b"\x2f" + os.urandom(30), bytes(forged),
              b"\x20\x00"):
        p.peer_send(d)
    p.peer_send(p.seal(b"still works"))
    expect(p.kernel_recv()[0] == b"still works")
    after = global_stats(genl)
    expect(p.a.stats()["auth_fail"] == 1, str(p.a.stats()))
    expect(after["hdr_err"] > before["hdr_err"], "hdr_err did not move")


t.check("malformed: DTLS 1.3 truncated, garbage and forged records are dropped and counted; the association keeps working",
        lambda: with_pair(DTLS13, "AES-128-GCM", malformed13))


def unknown_cid(p):
    before = global_stats(genl)
    rec = seal12(p.krx, 1, 77, b"x", cid=b"\x99\x99\x99\x99")
    p.peer_send(rec)
    p.peer_send(p.seal(b"ok"))
    expect(p.kernel_recv()[0] == b"ok")
    expect(global_stats(genl)["no_assoc"] > before["no_assoc"])


t.check("malformed: a record with an unknown Connection ID is dropped and counted as no association",
        lambda: with_pair(DTLS12, "AES-128-CCM-8", unknown_cid,
                          tx_cid=b"\x01\x02\x03\x04", rx_cid=b"\xaa\xbb\xcc\xdd"))


def mixed_cid(version):
    """One kernel socket, two peers: p uses Connection IDs both ways (its
    association is installed first and fixes the socket's CID length),
    q none.  Records of each are told apart per record and answered."""
    p = Pair(version, "AES-128-GCM", tx_cid=b"\x01\x02\x03\x04",
             rx_cid=b"\xaa\xbb\xcc\xdd")
    q = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        q.bind(("127.0.0.1", 5557))
        q.settimeout(5)
        qtx, qrx = Keys("AES-128-GCM", version), Keys("AES-128-GCM", version)
        qa = Assoc(genl, p.k, ("127.0.0.1", 5557), "AES-128-GCM", version,
                   qtx, qrx)
        seal = seal13 if version == DTLS13 else seal12
        for i, (who, data) in enumerate((("q", b"plain 1"), ("p", b"cid 1"),
                                         ("q", b"plain 2"), ("p", b"cid 2"))):
            if who == "q":
                q.sendto(seal(qrx, 1, i + 1, data), p.kaddr)
            else:
                p.peer_send(p.seal(data))
            got, _, aid = p.kernel_recv()[:3]
            expect((got, aid) == (data, qa.id if who == "q" else p.a.id),
                   "record %d: %r on association %d" % (i, got, aid))
        # The CID peer's association still refuses its records without
        # CID (RFC 9146 3, RFC 9147 4).
        hdr_err = p.a.stats()["hdr_err"]
        p.peer_send(seal(p.krx, 1, 40, b"no cid from the cid peer"))
        p.peer_send(p.seal(b"cid 3"))
        expect(p.kernel_recv()[0] == b"cid 3")
        expect(p.a.stats()["hdr_err"] == hdr_err + 1, str(p.a.stats()))
        p.kernel_send(b"to the cid peer")
        expect(p.peer_recv()[3] == b"to the cid peer")
        p.k.sendmsg([b"to the plain peer"],
                    [(SOL_M2MSEC, CMSG_ASSOC_ID, struct.pack("=I", qa.id))])
        dgram = q.recvfrom(65536)[0]
        r = open13(qtx, dgram, 1) if version == DTLS13 else open12(qtx, dgram)
        expect(r[3] == b"to the plain peer" and dgram[0] != 25, repr(r))
        st = global_stats(genl)
        expect(p.a.stats()["rx_records"] == 3, str(p.a.stats()))
    finally:
        q.close()
        p.close()
    return st


for vname, v in VERS.items():
    t.check("demultiplexing: %s: one socket with a Connection ID peer and a peer without; "
            "each one's records reach its association, the CID peer's records without CID are refused, "
            "and each gets answers in its own format" % vname,
            lambda v=v: mixed_cid(v))


def peer_moves(p):
    """NAT rebinding (RFC 9146 6, RFC 9147 9): the CID peer's source port
    changes mid-stream.  The association follows it only on an
    authenticated record newer than all before it: a record from the old
    address reordered behind the move, a replay of the newest record from
    a third address and a forgery from there are all handled (delivered,
    refused as replay, refused as forged) without moving the peer back."""
    A, B, C = P4, ("127.0.0.1", 5556), ("127.0.0.1", 5558)
    ev = genl.subscribe("events")
    moved0 = global_stats(genl)["peer_moved"]
    nb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    nc = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        nb.bind(B)
        nb.settimeout(5)
        nc.bind(C)
        p.peer_send(p.seal(b"from A"))
        expect(p.kernel_recv()[:3] == (b"from A", A, p.a.id))
        late = p.seal(b"late from A")       # sent only after the move
        newest = p.seal(b"from B")
        nb.sendto(newest, p.kaddr)
        expect(p.kernel_recv()[:3] == (b"from B", B, p.a.id))
        p.kernel_send(b"to B")
        expect(p.peer_recv(sock=nb)[3] == b"to B")
        expect(peer_of(p.a.show()[A_ASSOC_PEER]) == B)
        # Reordered from the old address: delivered, the peer stays at B.
        p.peer_send(late)
        expect(p.kernel_recv()[:2] == (b"late from A", A))
        # Replay of the newest record, and a forgery with a higher
        # sequence number, from a third address: refused, no move.
        replay0, auth0 = p.a.stats()["replay"], p.a.stats()["auth_fail"]
        nc.sendto(newest, p.kaddr)
        forged = bytearray(p.seal(b"forged", seq=1000))
        forged[-1] ^= 1
        nc.sendto(bytes(forged), p.kaddr)
        p.nothing_readable()
        st = p.a.stats()
        expect(st["replay"] == replay0 + 1 and st["auth_fail"] == auth0 + 1,
               str(st))
        # Replies still go to B, by association and by address; the old
        # address no longer names the association.
        sock_sendto(p.k, b"to B by address", B)
        expect(p.peer_recv(sock=nb)[3] == b"to B by address")
        expect_errno(errno.ENOTCONN, lambda: sock_sendto(p.k, b"x", A))
        expect(global_stats(genl)["peer_moved"] == moved0 + 1)
        got = [(u(a[A_ASSOC_ID]), peer_of(a[A_ASSOC_PEER]),
                peer_of(a[A_EVENT_OLD_PEER]))
               for cmd, a in genl.events(ev)
               if cmd == CMD_ASSOC_EVENT and u(a[A_EVENT_KIND]) == EVENT_PEER_MOVED]
        expect(got == [(p.a.id, B, A)], "peer-moved events %r" % got)
        # A newer record from A moves it back.
        p.peer_send(p.seal(b"back at A"))
        expect(p.kernel_recv()[:2] == (b"back at A", A))
        p.kernel_send(b"to A")
        expect(p.peer_recv()[3] == b"to A")
        expect(global_stats(genl)["peer_moved"] == moved0 + 2)
    finally:
        ev.close()
        nb.close()
        nc.close()


t.check("peers that move: DTLS 1.2 with Connection IDs: the peer's new address is taken from an "
        "authenticated record newer than all before it (RFC 9146 6); reordered, replayed and forged "
        "records do not move it; replies, sendto() and the event follow",
        lambda: with_pair(DTLS12, "AES-128-GCM", peer_moves,
                          tx_cid=b"\x01\x02\x03\x04", rx_cid=b"\xaa\xbb\xcc\xdd"))
t.check("peers that move: DTLS 1.3 with Connection IDs, the same (RFC 9147 9)",
        lambda: with_pair(DTLS13, "AES-128-GCM", peer_moves,
                          tx_cid=b"\x05\x06", rx_cid=b"\xab\xcd"))


def moves_race_sends(p):
    """The peer moves between two ports 100 times while another thread
    sends records on the association and a third dumps it: every record
    leaves whole to one of the two addresses, no send fails."""
    B = ("127.0.0.1", 5556)
    nb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stop = threading.Event()
    errs = []

    def sender():
        try:
            while not stop.is_set():
                p.kernel_send(b"r" * 100)
        except OSError as e:
            errs.append(e)

    def guarded(fn):
        def run():
            try:
                fn()
            except Exception as e:      # reported by the main thread
                errs.append(e)
        return run

    def dumper():
        # Its own netlink socket: the main thread uses genl meanwhile.
        g = Genl()
        while not stop.is_set():
            r = g.request(CMD_ASSOC_GET, nla_u32(A_SOCK_FD, p.k.fileno()),
                          dump=True)
            expect(peer_of(r[0][A_ASSOC_PEER]) in (p.paddr, B))

    moved0 = global_stats(genl)["peer_moved"]
    threads = [threading.Thread(target=guarded(f)) for f in (sender, dumper)]
    try:
        nb.bind(B)
        for s in (p.p, nb):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        for th in threads:
            th.start()
        for i in range(100):
            (nb.sendto if i % 2 == 0 else p.p.sendto)(p.seal(b"m%d" % i),
                                                      p.kaddr)
            expect(p.kernel_recv()[0] == b"m%d" % i)
    finally:
        stop.set()
        for th in threads:
            th.join()
    try:
        expect(not errs, "sender or dumper failed: %r" % errs)
        expect(global_stats(genl)["peer_moved"] == moved0 + 100)
        got = 0
        for s in (p.p, nb):
            s.setblocking(False)
            while True:
                try:
                    dgram = s.recv(65536)
                except BlockingIOError:
                    break
                expect(open12(p.ktx, dgram, len(p.tx_cid))[3] == b"r" * 100)
                got += 1
        expect(got > 0, "no record sent")
        st = p.a.stats()
        expect(st["tx_err"] == 0, str(st))
    finally:
        nb.close()


t.check("peers that move: sends and dumps racing 100 moves of a DTLS 1.2 CID peer: every record "
        "leaves whole to one of its addresses",
        lambda: with_pair(DTLS12, "AES-128-GCM", moves_race_sends,
                          tx_cid=b"\x01\x02\x03\x04", rx_cid=b"\xaa\xbb\xcc\xdd"))


def deleted(p):
    rec = p.seal(b"late")
    p.a.delete()
    ctype, _, _, pt, _ = p.peer_recv()
    expect((ctype, pt) == (21, b"\x01\x00"), "close_notify %r" % ((ctype, pt),))
    before = global_stats(genl)
    p.peer_send(rec)
    p.nothing_readable()
    expect(global_stats(genl)["no_assoc"] == before["no_assoc"] + 1)


t.check("associations: deleting an association sends close_notify; its later records are dropped and counted",
        lambda: with_pair(DTLS12, "AES-128-GCM", deleted))


def close_notify_on_close(p):
    p.k.close()
    ctype, _, _, pt, _ = p.peer_recv()
    expect((ctype, pt) == (21, b"\x01\x00"), "got %r" % ((ctype, pt),))
    p.k = dtls_socket()


t.check("associations: DTLS 1.3 close() sends an encrypted close_notify alert",
        lambda: with_pair(DTLS13, "AES-128-CCM", close_notify_on_close))


def control(p):
    before = global_stats(genl)
    hs = b"\x16\xfe\xfd" + b"\x00\x00" + b"\x00" * 6 + b"\x00\x04" + b"\x01\x00\x00\x00"
    p.peer_send(hs)
    p.peer_send(p.seal(b"app"))
    expect(p.kernel_recv()[0] == b"app")
    expect(global_stats(genl)["ctrl_queued"] == before["ctrl_queued"] + 1)


t.check("control: an epoch-0 handshake record never reaches the application; it is queued for the daemon and counted",
        lambda: with_pair(DTLS12, "AES-128-GCM", control))


def control_bound(p):
    genl.request(CMD_SET_CONFIG, nla_u32(A_CFG_CTRL_QUEUE_MAX, 2))
    try:
        before = global_stats(genl)
        hs = b"\x16\xfe\xfd" + b"\x00" * 8 + b"\x00\x04" + b"\x01\x00\x00\x00"
        for _ in range(5):
            p.peer_send(hs)
        p.peer_send(p.seal(b"app"))
        expect(p.kernel_recv()[0] == b"app")
        after = global_stats(genl)
        expect(after["ctrl_queued"] - before["ctrl_queued"] == 2 and
               after["ctrl_drop"] - before["ctrl_drop"] == 3,
               "queued %d dropped %d" % (after["ctrl_queued"] - before["ctrl_queued"],
                                        after["ctrl_drop"] - before["ctrl_drop"]))
    finally:
        genl.request(CMD_SET_CONFIG, nla_u32(A_CFG_CTRL_QUEUE_MAX, 64))


t.check("control: the control queue holds at most ctrl-queue-max records; the rest are dropped and counted",
        lambda: with_pair(DTLS12, "AES-128-GCM", control_bound))


def poll_control_only(p):
    # What a DTLS 1.3 peer sends after the handshake: an ACK (content type
    # 26) and a NewSessionTicket (handshake, 22), each in its own datagram.
    before = p.a.stats()["ctrl_queued"]
    p.peer_send(p.seal(b"\x00\x00", ctype=26))
    p.peer_send(p.seal(b"\x04\x00\x00\x00", ctype=22))
    deadline = time.monotonic() + 5
    while p.a.stats()["ctrl_queued"] < before + 2:
        r, _, _ = select.select([p.k], [], [], 0.2)
        expect(not r, "poll() reports a socket holding only control "
               "records as readable")
        expect(time.monotonic() < deadline, "control records not queued: %r"
               % p.a.stats())
    r, _, _ = select.select([p.k], [], [], 0.2)
    expect(not r, "readable after the control records were queued")
    p.peer_send(p.seal(b"app"))
    r, _, _ = select.select([p.k], [], [], 5)
    expect(r, "an application record does not make the socket readable")
    data = recv_record(p.k, 65536, socket.MSG_DONTWAIT)[0]
    expect(data == b"app", "payload %r" % data)


t.check("control: poll() does not report a socket readable for datagrams holding only "
        "control records (DTLS 1.3 ACK, NewSessionTicket), then does for an application record",
        lambda: with_pair(DTLS13, "AES-128-GCM", poll_control_only))


def key_update(p):
    p.kernel_send(b"e1")
    expect(p.peer_recv()[3] == b"e1")
    old_rx = p.krx
    new_rx, new_tx = Keys(p.cipher, p.version), Keys(p.cipher, p.version)
    late = p.seal(b"late epoch 1")
    p.a.update(tx=new_tx, rx=new_rx, epoch=2)
    p.pseq = 0
    p.peer_send(p.seal(b"epoch 2", epoch=2, keys=new_rx))
    data, _, _, epoch, _ = p.kernel_recv()
    expect((data, epoch) == (b"epoch 2", 2), repr((data, epoch)))
    p.peer_send(late)
    data, _, _, epoch, _ = p.kernel_recv()
    expect((data, epoch) == (b"late epoch 1", 1), repr((data, epoch)))
    p.kernel_send(b"new")
    p.kseq = 0
    r = p.peer_recv(keys=new_tx)
    expect(r[3] == b"new", repr(r))
    # oneM2M CoAP rule: a response in the epoch of its request.
    p.kernel_send(b"old", epoch=1)
    p.kseq = 2
    r = p.peer_recv(keys=p.ktx)
    expect(r[3] == b"old" and r[1] == 1, repr(r))
    expect_errno(errno.EKEYEXPIRED, lambda: p.kernel_send(b"x", epoch=7))
    expect(p.a.stats()["old_epoch"] == 1)
    del old_rx


for vname, v in VERS.items():
    t.check("key update: %s: epoch 2 is installed for both directions, reordered epoch-1 records still decrypt, "
            "a response can be sent in the request's epoch" % vname,
            lambda v=v: with_pair(v, "AES-128-GCM", key_update))


def forge(p, n):
    for i in range(n):
        f = bytearray(p.seal(b"f%d" % i))
        f[-1] ^= 1
        p.peer_send(bytes(f))
        if i % 16 == 15:    # stay far below the socket's receive buffer
            p.nothing_readable()
    p.nothing_readable()


def ccm8_limit(p):
    ev = genl.subscribe("events")
    forge(p, 130)
    p.peer_send(p.seal(b"after the limit"))
    p.peer_send(p.seal(b"after the limit 2"))
    # Make sure the kernel processed everything before looking.
    p.nothing_readable()
    st = p.a.stats()
    expect(st["auth_fail"] == 128, str(st))
    expect(st["limit"] >= 4, str(st))
    got = [(u(a[A_ASSOC_ID]), u(a[A_EVENT_LIMIT]), u(a[A_EVENT_EPOCH]),
            u(a[A_EVENT_COUNT]), u(a[A_EVENT_MAX]))
           for cmd, a in genl.events(ev) if cmd == CMD_LIMIT_EVENT]
    want = [(p.a.id, LIMIT_INTEGRITY, 1, 112, 128),
            (p.a.id, LIMIT_INTEGRITY, 1, 128, 128)]
    expect(got == want, "limit events %r" % got)
    ev.close()


t.check("limits: a CCM_8 epoch notifies at 7/8 and at 2^7 failed decryptions, then refuses further records (RFC 9147 4.5.3)",
        lambda: with_pair(DTLS13, "AES-128-CCM-8", ccm8_limit))


def ccm8_limit_12(p):
    ev = genl.subscribe("events")
    before = global_stats(genl)
    forge(p, 127)
    st = p.a.stats()
    expect(st["auth_fail"] == 127, str(st))
    p.peer_send(p.seal(b"below the limit"))
    expect(p.kernel_recv()[0] == b"below the limit")
    forge(p, 1)
    # The 128th failure ends the association: close_notify to the peer.
    r = p.peer_recv()
    expect(r[0] == 21 and r[3] == b"\x01\x00", "not a close_notify: %r" % (r,))
    expect(genl.request(CMD_ASSOC_GET, nla_u32(A_SOCK_FD, p.k.fileno()),
                        dump=True) == [], "the association is still there")
    after = global_stats(genl)
    expect(after["integrity_closed"] - before["integrity_closed"] == 1,
           "integrity_closed %d" % (after["integrity_closed"] -
                                    before["integrity_closed"]))
    downs = [u(a[A_EVENT_REASON]) for cmd, a in genl.events(ev)
             if cmd == CMD_ASSOC_EVENT and u(a[A_EVENT_KIND]) == EVENT_DOWN and
             u(a[A_ASSOC_ID]) == p.a.id]
    expect(downs == [3], "DOWN events %r" % downs)
    ev.close()
    # Nothing more is delivered or sent on it.
    p.peer_send(p.seal(b"after the end"))
    p.nothing_readable()
    expect_errno(errno.ENOTCONN, lambda: sock_sendto(p.k, b"x", p.paddr))
    # A new association (as a new handshake installs) works.
    p.ktx, p.krx = Keys(p.cipher, p.version), Keys(p.cipher, p.version)
    p.a = Assoc(genl, p.k, p.paddr, p.cipher, p.version, p.ktx, p.krx)
    p.pseq, p.kseq = 1, 1
    p.peer_send(p.seal(b"new keys"))
    expect(p.kernel_recv()[0] == b"new keys")
    p.kernel_send(b"new keys out")
    expect(p.peer_recv()[3] == b"new keys out")


t.check("limits: DTLS 1.2 has no key update: at 2^7 failed CCM_8 decryptions the association ends with a close_notify to the peer, "
        "a DOWN event (reason integrity limit) and integrity_closed counted; records below the limit are delivered; a new association to the peer works",
        lambda: with_pair(DTLS12, "AES-128-CCM-8", ccm8_limit_12))


def key_update_rate(p):
    ku = b"\x18\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00"
    before, st0 = global_stats(genl), p.a.stats()
    recs = [p.seal(ku, ctype=22) for _ in range(10)]
    for r in recs:
        p.peer_send(r)
    p.nothing_readable()
    st1, mid = p.a.stats(), global_stats(genl)
    expect(st1["ctrl_queued"] - st0["ctrl_queued"] == 4,
           "KeyUpdates passed on: %d" % (st1["ctrl_queued"] - st0["ctrl_queued"]))
    expect(mid["key_update_limited"] - before["key_update_limited"] == 6,
           "key_update_limited %d" % (mid["key_update_limited"] -
                                      before["key_update_limited"]))
    # Other handshake messages (a NewSessionTicket) are not held back.
    p.peer_send(p.seal(b"\x04\x00\x00\x00" + b"\x00" * 8, ctype=22))
    p.nothing_readable()
    expect(p.a.stats()["ctrl_queued"] - st1["ctrl_queued"] == 1, "ticket")
    # A replayed KeyUpdate is refused by the replay window, not counted here.
    p.peer_send(recs[0])
    p.nothing_readable()
    st2 = p.a.stats()
    expect(st2["replay"] - st1["replay"] == 1, "replay %d" % (st2["replay"] - st1["replay"]))
    expect(global_stats(genl)["key_update_limited"] == mid["key_update_limited"])
    # A second later, KeyUpdates pass again.
    time.sleep(1.1)
    p.peer_send(p.seal(ku, ctype=22))
    p.nothing_readable()
    expect(p.a.stats()["ctrl_queued"] - st2["ctrl_queued"] == 1, "after a second")
    # Application data is never held back.
    p.peer_send(p.seal(b"data after"))
    expect(p.kernel_recv()[0] == b"data after")


t.check("key updates: a DTLS 1.3 peer's authenticated KeyUpdates are passed on at most 4 per second per association, "
        "the rest dropped and counted (key_update_limited); other handshake messages pass; a replayed KeyUpdate is refused as a replay",
        lambda: with_pair(DTLS13, "AES-128-GCM", key_update_rate))


def socket_semantics(p):
    p.peer_send(p.seal(b"0123456789"))
    data, _, _, _, fl = p.kernel_recv(flags=socket.MSG_PEEK, size=4)
    expect(data == b"0123" and fl & socket.MSG_TRUNC, "peek %r %x" % (data, fl))
    data, _, _, _, fl = p.kernel_recv()
    expect(data == b"0123456789" and not fl & socket.MSG_TRUNC, repr(data))
    p.peer_send(p.seal(b"abcdefgh"))
    data, _, _, _, fl = p.kernel_recv(size=3)
    expect(data == b"abc" and fl & socket.MSG_TRUNC, repr(data))
    p.nothing_readable()
    expect_errno(errno.EMSGSIZE, lambda: p.kernel_send(b"x" * 16385))


t.check("socket: MSG_PEEK keeps the record, a short buffer truncates it with MSG_TRUNC as on UDP, "
        "MSG_DONTWAIT gives EAGAIN, a record over 2^14 bytes gives EMSGSIZE",
        lambda: with_pair(DTLS12, "AES-128-GCM", socket_semantics))


def batch_send(p):
    expect(sendmmsg_records(p.k, [b"one", b"two", b"three"], p.a.id) == 3)
    got = [p.peer_recv()[2:4] for _ in range(3)]
    expect(got == [(1, b"one"), (2, b"two"), (3, b"three")], repr(got))


t.check("socket: one sendmmsg() of three messages sends three records in order",
        lambda: with_pair(DTLS12, "AES-128-GCM", batch_send))


def segment_send(p, data, seg):
    anc = [(SOL_M2MSEC, CMSG_ASSOC_ID, struct.pack("=I", p.a.id)),
           (SOL_M2MSEC, CMSG_SEGMENT, struct.pack("=H", seg))]
    return p.k.sendmsg([data], anc)


def segments(p):
    """M2MSEC_CMSG_SEGMENT: one sendmsg(), many records, one GSO packet;
    the peer's plain UDP socket sees one datagram per record."""
    data = bytes(range(256)) * 4 + b"tail"          # 1028 bytes
    before = p.a.stats()["tx_records"]
    expect(segment_send(p, data, 64) == len(data))
    chunks = [data[i:i + 64] for i in range(0, len(data), 64)]
    got = [p.peer_recv()[2:4] for _ in chunks]
    first = got[0][0]
    expect([g[1] for g in got] == chunks,
           "records %r" % [len(g[1]) for g in got])
    expect([g[0] for g in got] == list(range(first, first + len(chunks))),
           "sequence numbers %r" % [g[0] for g in got])
    expect(p.a.stats()["tx_records"] == before + len(chunks),
           "tx_records %d -> %d" % (before, p.a.stats()["tx_records"]))
    # Exactly SEGMENTS_MAX records; a segment of the whole length or more
    # is one record; the next send follows in sequence.
    expect(segment_send(p, b"m" * (10 * SEGMENTS_MAX), 10) ==
           10 * SEGMENTS_MAX)
    got = [p.peer_recv()[2:4] for _ in range(SEGMENTS_MAX)]
    expect(all(g[1] == b"m" * 10 for g in got) and
           got[-1][0] == first + len(chunks) + SEGMENTS_MAX - 1, repr(got[-1]))
    expect(segment_send(p, b"one", 3) == 3)
    expect(p.peer_recv()[2:4] == (got[-1][0] + 1, b"one"))
    # Refused, nothing sent: segment 0, too many segments, a segment over
    # 2^14, 64 KiB of records.
    expect_errno(errno.EINVAL, lambda: segment_send(p, b"x" * 10, 0))
    expect_errno(errno.EMSGSIZE,
                 lambda: segment_send(p, b"x" * (SEGMENTS_MAX + 1), 1))
    expect_errno(errno.EMSGSIZE,
                 lambda: segment_send(p, b"x" * 20000, 16385))
    expect_errno(errno.EMSGSIZE,
                 lambda: segment_send(p, b"x" * 16384 * 4, 16384))
    p.kernel_send(b"after")
    expect(p.peer_recv()[2:4] == (got[-1][0] + 2, b"after"))


for vname, v in VERS.items():
    t.check("socket: %s: one sendmsg() with M2MSEC_CMSG_SEGMENT sends its data as records of that size "
            "(the last shorter) with consecutive sequence numbers, one datagram each; "
            "at most 64 of them and 64 KiB, segment 0 EINVAL" % vname,
            lambda v=v: with_pair(v, "AES-128-GCM", segments))
t.check("socket: DTLS 1.2 with Connection IDs over IPv6: M2MSEC_CMSG_SEGMENT records",
        lambda: with_pair(DTLS12, "AES-128-CCM-8", segments,
                          kaddr=("::1", 4434), paddr=("::1", 5556),
                          tx_cid=b"\x01\x02", rx_cid=b"\x03\x04"))


UDP_SEGMENT = 103


def gro_receive(p):
    """A peer sending with UDP_SEGMENT: one GSO packet of equal
    datagrams, each taken apart on its own.  DTLS 1.3 records without a
    length field end with their datagram, so a reader that ran over a
    datagram boundary would fail them."""
    nolen = p.version == DTLS13
    p.peer_send(p.seal(b"first"))        # the peer is known
    expect(p.kernel_recv()[0] == b"first")
    datas = [b"%02d" % i + b"g" * 98 for i in range(12)]
    recs = [p.seal(d, nolen=True) if nolen else p.seal(d) for d in datas]
    last = p.seal(b"short", nolen=True) if nolen else p.seal(b"short")
    seg = len(recs[0])
    expect(all(len(r) == seg for r in recs), "records of unequal size")
    p.p.setsockopt(socket.SOL_UDP, UDP_SEGMENT, seg)
    p.p.sendto(b"".join(recs) + last, p.kaddr)
    p.p.setsockopt(socket.SOL_UDP, UDP_SEGMENT, 0)
    got = [p.kernel_recv()[0] for _ in range(len(datas) + 1)]
    expect(got == datas + [b"short"], "got %r" % [g[:2] for g in got])
    st = p.a.stats()
    expect(st["rx_records"] == len(datas) + 2 and st["auth_fail"] == 0 and
           st["hdr_err"] == 0, str(st))
    p.nothing_readable()


for vname, v in VERS.items():
    t.check("records: %s: datagrams a peer sends with UDP_SEGMENT (one GSO packet) are "
            "taken apart one by one%s" % (vname, ", records without length field included"
                                             if v == DTLS13 else ""),
            lambda v=v: with_pair(v, "AES-128-GCM", gro_receive))


def dual_stack():
    """A socket bound to [::] with an IPv4 peer: records go out through
    the UDP socket's own send path (address mapping), not the cached
    route, and come back to the same association."""
    k = dtls_socket(bind=("::", 4436))
    p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        p.bind(("127.0.0.1", 5559))
        p.settimeout(5)
        ktx, krx = Keys("AES-128-GCM", DTLS12), Keys("AES-128-GCM", DTLS12)
        a = Assoc(genl, k, ("127.0.0.1", 5559), "AES-128-GCM", DTLS12,
                  ktx, krx)
        k.sendmsg([b"over the mapped path"],
                  [(SOL_M2MSEC, CMSG_ASSOC_ID, struct.pack("=I", a.id))])
        r = open12(ktx, p.recvfrom(65536)[0])
        expect(r[3] == b"over the mapped path", repr(r))
        p.sendto(seal12(krx, 1, 1, b"v4 back"), ("127.0.0.1", 4436))
        deadline = time.monotonic() + 5
        while True:
            expect(time.monotonic() < deadline, "nothing came back")
            try:
                got = recv_record(k, 65536, socket.MSG_DONTWAIT)
                break
            except BlockingIOError:
                time.sleep(0.05)
        expect(got[0] == b"v4 back" and got[2] == a.id, repr(got))
    finally:
        p.close()
        k.close()


t.check("records: a socket bound to [::] with an IPv4 peer sends through the UDP socket's own path and "
        "receives on the same association", dual_stack)


def ipv6(p):
    p.peer_send(p.seal(b"v6"))
    data, peer, _, _, _ = p.kernel_recv()
    expect(data == b"v6")
    p.kernel_send(b"v6 back")
    expect(p.peer_recv()[3] == b"v6 back")


t.check("records: DTLS 1.3 over IPv6",
        lambda: with_pair(DTLS13, "AES-256-GCM", ipv6, kaddr=("::1", 4433),
                          paddr=("::1", 5555)))


def link_local(p):
    """The sender's scope id survives the trip through skb->cb."""
    lo = socket.if_nametoindex("lo")
    p.peer_send(p.seal(b"scoped"))
    data, peer, _, _, _ = p.kernel_recv()
    expect(data == b"scoped")
    expect(peer == ("fe80::1", 5555, lo), "peer %r, lo is %d" % (peer, lo))
    p.kernel_send(b"scoped back")
    expect(p.peer_recv()[3] == b"scoped back")


def with_link_local(fn):
    subprocess.run(["ip", "-6", "addr", "add", "fe80::1/64", "dev", "lo"],
                   check=True)
    try:
        lo = socket.if_nametoindex("lo")
        with_pair(DTLS12, "AES-128-GCM", fn, kaddr=("fe80::1", 4433, 0, lo),
                  paddr=("fe80::1", 5555, 0, lo))
    finally:
        subprocess.run(["ip", "-6", "addr", "del", "fe80::1/64", "dev", "lo"])


t.check("records: a link-local IPv6 peer is reported with its interface as sin6_scope_id, and answered",
        lambda: with_link_local(link_local))


def suites():
    """ASSOC_NEW's optional cipher suite: kept when it fits, else EINVAL."""
    for ver, cipher, suite in ((DTLS12, "AES-128-CCM-8", 0xc0a8),
                               (DTLS12, "AES-128-CCM-8", 0xc0ae),
                               (DTLS13, "AES-128-CCM-8", 0x1305),
                               (DTLS13, "CHACHA20-POLY1305", 0x1303)):
        p = Pair(ver, cipher, extra=nla_u16(A_ASSOC_SUITE, suite))
        try:
            got = u(p.a.show()[A_ASSOC_SUITE])
            expect(got == suite, "suite %#x dumped as %#x" % (suite, got))
        finally:
            p.close()
    for ver, cipher, suite in ((DTLS12, "AES-128-CCM-8", 0x1305),
                               (DTLS13, "AES-128-GCM", 0x1302),
                               (DTLS12, "AES-128-GCM", 0xc0a8),
                               (DTLS13, "AES-128-GCM", 0)):
        k = dtls_socket(bind=("127.0.0.1", 0))
        try:
            expect_errno(errno.EINVAL, lambda: Assoc(
                genl, k, P4, cipher, ver, Keys(cipher, ver), Keys(cipher, ver),
                extra=nla_u16(A_ASSOC_SUITE, suite)))
        finally:
            k.close()


t.check("associations: ASSOC_NEW keeps a cipher suite that matches version "
        "and cipher (dumped), refuses any other with EINVAL", suites)


def connected(p):
    sock_connect(p.k, p.paddr)
    expect(sock_name(p.k, peer=True) == p.paddr)
    expect(p.k.send(b"via connect") == 11)
    expect(p.peer_recv()[3] == b"via connect")


t.check("socket: after connect() send() goes to the association of the connected peer",
        lambda: with_pair(DTLS12, "CHACHA20-POLY1305", connected))


def privileged_port():
    s = dtls_socket()
    try:
        from m2msec import sock_bind
        pid = os.fork()
        if pid == 0:
            os.setgid(65534)
            os.setuid(65534)
            try:
                sock_bind(dtls_socket(), ("127.0.0.1", 443))
                os._exit(1)
            except OSError as e:
                os._exit(0 if e.errno == errno.EACCES else 2)
        _, status = os.waitpid(pid, 0)
        expect(os.WEXITSTATUS(status) == 0, "child status %d" % status)
        a = dtls_socket(bind=("127.0.0.1", 4433))
        expect_errno(errno.EADDRINUSE,
                     lambda: dtls_socket(bind=("127.0.0.1", 4433)))
        a.close()
    finally:
        s.close()


t.check("socket: binding port 443 without CAP_NET_BIND_SERVICE gives EACCES, a port in use gives EADDRINUSE",
        privileged_port)

# cryptd wrapping the generic GCM: every request completes asynchronously.
ASYNC_GCM = b"cryptd(gcm_base(ctr(aes-generic),ghash-generic))"


def async_driver(p):
    drv = p.a.show()[A_ASSOC_DRIVER].rstrip(b"\0").decode()
    expect(drv == ASYNC_GCM.decode(), "driver in use: %s" % drv)
    for i in range(20):
        p.peer_send(p.seal(b"async %d" % i))
    got = [p.kernel_recv()[0] for _ in range(20)]
    expect(got == [b"async %d" % i for i in range(20)], repr(got))
    for i in range(20):
        p.kernel_send(b"back %d" % i)
    got = [p.peer_recv()[3] for _ in range(20)]
    expect(got == [b"back %d" % i for i in range(20)], repr(got))
    forged = bytearray(p.seal(b"forged"))
    forged[-1] ^= 1
    p.peer_send(bytes(forged))
    p.peer_send(p.seal(b"after"))
    expect(p.kernel_recv()[0] == b"after")
    expect(p.a.stats()["auth_fail"] == 1)


for vname, v in VERS.items():
    t.check("async crypto: %s AES-128-GCM through cryptd (every request completes asynchronously): "
            "40 records both ways and a forged one rejected" % vname,
            lambda v=v: with_pair(v, "AES-128-GCM", async_driver,
                                  extra=nla(A_ASSOC_DRIVER, ASYNC_GCM + b"\0")))

t.exit()
