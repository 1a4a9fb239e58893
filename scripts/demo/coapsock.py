# SPDX-License-Identifier: GPL-2.0
"""CoAP over an m2msec DTLS socket whose handshakes m2msecd runs: a server
loop on a listen()ing socket and a client request on a connect()ed one.
The application sees plaintext CoAP messages only; every record arrives
with its association id and epoch, and the peer's authenticated identity
is asked per association (M2MSEC_SO_PEER_ID).

Used by the demo (cse.py, ae.py) and by selftests/coap_app.py.
"""
import ctypes
import os
import random
import select
import socket
import struct
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(_HERE)),
                                "selftests"))
import coap  # noqa: E402
from m2msec import (A_ASSOC_CIPHER, A_ASSOC_ID, A_ASSOC_STATS,  # noqa: E402
                    A_ASSOC_VERSION, A_SOCK_FD, CIPHERS, CMD_ASSOC_GET,
                    CMSG_ASSOC_ID, CMSG_EPOCH, SO_PEER_ID, SO_SERVER_NAME,
                    SOL_M2MSEC, STATS, Genl, dtls_socket, nla_u32,
                    parse_attrs, recv_record, sock_connect, u)
from m2msec import _iovec, _mmsghdr, _msghdr  # noqa: E402

_libc = ctypes.CDLL(None, use_errno=True)

# RFC 7252 4.8: ACK_TIMEOUT 2 s, ACK_RANDOM_FACTOR 1.5, MAX_RETRANSMIT 4.
ACK_TIMEOUT, ACK_RANDOM_FACTOR, MAX_RETRANSMIT = 2.0, 1.5, 4


def peer_id(sock, aid):
    """The authenticated identity of association @aid (0: the connected
    peer's), as m2msecd reported it: psk:IDENTITY or x509:SUBJECT;san=..."""
    buf = ctypes.create_string_buffer(struct.pack("=I", aid), 1100)
    ln = ctypes.c_uint32(1100)
    if _libc.getsockopt(sock.fileno(), SOL_M2MSEC, SO_PEER_ID, buf,
                        ctypes.byref(ln)) < 0:
        e = ctypes.get_errno()
        raise OSError(e, "M2MSEC_SO_PEER_ID: " + os.strerror(e))
    return buf.raw[:ln.value].rstrip(b"\0").decode()


_CIPHER_NAMES = {v[0]: k for k, v in CIPHERS.items()}
_VERSIONS = {0xfefd: "DTLS 1.2", 0xfefc: "DTLS 1.3"}


def assoc_stats(sock, genl=None):
    """{association id: {counter: value, "version": "DTLS 1.x",
    "cipher": name}} of the socket's associations, as the kernel has them."""
    genl = genl or Genl()
    out = {}
    for r in genl.request(CMD_ASSOC_GET, nla_u32(A_SOCK_FD, sock.fileno()),
                          dump=True):
        s = parse_attrs(r[A_ASSOC_STATS])
        st = {name: u(s.get(i + 1, b"\0")) for i, name in enumerate(STATS)}
        st["version"] = _VERSIONS.get(u(r[A_ASSOC_VERSION]), "?")
        st["cipher"] = _CIPHER_NAMES.get(u(r[A_ASSOC_CIPHER]), "?")
        out[u(r[A_ASSOC_ID])] = st
    return out


def server_socket(addr, port):
    """A bound m2msec DTLS socket in listening state: a ClientHello from an
    unknown peer makes the kernel ask m2msecd for a handshake."""
    s = dtls_socket(bind=(addr, port))
    s.listen()
    return s


def client_socket(addr, port, server_name=None):
    """connect(): returns once m2msecd has finished the handshake and the
    kernel holds the association (OSError with the handshake's errno)."""
    s = dtls_socket()
    if server_name:
        s.setsockopt(SOL_M2MSEC, SO_SERVER_NAME, server_name.encode())
    sock_connect(s, (addr, port))
    return s


def send_on(sock, data, aid, epoch=None):
    """One record on association @aid; with @epoch, in that epoch (the
    oneM2M CoAP binding answers a request in the epoch it came in)."""
    cmsg = [(SOL_M2MSEC, CMSG_ASSOC_ID, struct.pack("=I", aid))]
    if epoch is not None:
        cmsg.append((SOL_M2MSEC, CMSG_EPOCH, struct.pack("=Q", epoch)))
    sock.sendmsg([data], cmsg)


def recv(sock, timeout):
    """(data, peer, association, epoch) of the next record, None after
    @timeout seconds."""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return None
        try:
            data, peer, aid, epoch, _ = recv_record(sock, 65536,
                                                   socket.MSG_DONTWAIT)
        except BlockingIOError:
            continue        # a spurious wake-up (see abi.md)
        return data, peer, aid, epoch


def serve(sock, handler, count, timeout):
    """Answer @count CoAP requests, each with handler(msg, peer, aid,
    epoch) -> response bytes (None: no answer).  A retransmitted CON (same
    peer and message id) gets the same response again (RFC 7252 4.5).
    Returns the number answered before @timeout seconds passed."""
    answered, seen = 0, {}
    end = time.monotonic() + timeout
    while answered < count:
        r = recv(sock, end - time.monotonic())
        if r is None:
            break
        data, peer, aid, epoch = r
        try:
            mtype, code, mid, _, _, _ = coap.decode(data)
        except ValueError:
            continue
        if mtype != "CON" or not 1 <= code < 32:
            continue        # not a confirmable request (ACK, RST, ping)
        key = (aid, mid)
        if key not in seen:
            seen[key] = handler(data, peer, aid, epoch)
            answered += 1
        if seen[key] is not None:
            send_on(sock, seen[key], aid, epoch)
    return answered


def request(sock, msg, timeout=30):
    """Send the CON request @msg on a connected socket and return the
    response (bytes), retransmitting as RFC 7252 4.2 says; a separate
    response (empty ACK, then a CON with the same token) is acknowledged.
    TimeoutError when nothing answers."""
    _, _, mid, token, _, _ = coap.decode(msg)
    wait = ACK_TIMEOUT * random.uniform(1, ACK_RANDOM_FACTOR)
    end = time.monotonic() + timeout
    sends, acked = 0, False
    sock.send(msg)
    while time.monotonic() < end:
        r = recv(sock, min(wait, end - time.monotonic()))
        if r is None:
            if not acked and sends < MAX_RETRANSMIT:
                sock.send(msg)
                sends += 1
                wait *= 2
            continue
        data = r[0]
        try:
            mtype, code, rmid, rtok, _, _ = coap.decode(data)
        except ValueError:
            continue
        if mtype == "ACK" and rmid == mid and code == 0:
            acked = True            # separate response follows
            continue
        if rtok != token or code < 32:
            continue
        if mtype == "ACK" and rmid != mid:
            continue
        if mtype == "CON":
            sock.send(coap.encode("ACK", 0, rmid, b"", []))
        return data
    raise TimeoutError("no CoAP response within %d s" % timeout)


class Batch:
    """recvmmsg() of up to @n records of at most @size bytes each."""
    MSG_WAITFORONE = 0x10000

    def __init__(self, n=64, size=2048):
        self.n = n
        self.bufs = [ctypes.create_string_buffer(size) for _ in range(n)]
        self.iovs = (_iovec * n)(*[_iovec(ctypes.cast(b, ctypes.c_void_p),
                                          size) for b in self.bufs])
        self.msgs = (_mmsghdr * n)()

    def recv(self, sock, timeout):
        """Payload bytes of each record received (waits for the first up
        to @timeout seconds; [] after that)."""
        if not select.select([sock], [], [], timeout)[0]:
            return []
        for i in range(self.n):
            self.msgs[i] = _mmsghdr(_msghdr(None, 0, ctypes.pointer(
                self.iovs[i]), 1, None, 0, 0), 0)
        r = _libc.recvmmsg(sock.fileno(), self.msgs, self.n,
                           self.MSG_WAITFORONE | socket.MSG_DONTWAIT, None)
        if r < 0:
            e = ctypes.get_errno()
            if e == 11:         # EAGAIN: a spurious wake-up
                return []
            raise OSError(e, "recvmmsg: " + os.strerror(e))
        return [self.msgs[i].len for i in range(r)]


def send_batch(sock, datas):
    """sendmmsg() of one record per item of @datas on a connected socket;
    returns how many were sent."""
    n = len(datas)
    bufs = [ctypes.create_string_buffer(d, len(d)) for d in datas]
    iovs = (_iovec * n)(*[_iovec(ctypes.cast(b, ctypes.c_void_p), len(d))
                          for b, d in zip(bufs, datas)])
    msgs = (_mmsghdr * n)(*[_mmsghdr(_msghdr(None, 0, ctypes.pointer(iovs[i]),
                                             1, None, 0, 0), 0)
                            for i in range(n)])
    r = _libc.sendmmsg(sock.fileno(), msgs, n, 0)
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, "sendmmsg: " + os.strerror(e))
    return r
