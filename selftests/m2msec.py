# SPDX-License-Identifier: GPL-2.0
"""Test helpers for m2msec: generic netlink client, "m2msec" keys, KTAP
output, and an independent DTLS 1.2 / 1.3 record codec (built on
python3-cryptography, sharing no code with the kernel) to act as a peer.
"""
import ctypes
import errno
import os
import socket
import struct
import sys
import traceback

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import (AESCCM, AESGCM,
                                                         ChaCha20Poly1305)

# --- UAPI constants (include/uapi/linux/m2msec.h) ---------------------------
DTLS12, DTLS13 = 0xfefd, 0xfefc
PROTO_DTLS, PROTO_ESPRIM = 1, 2
CIPHERS = {  # name: (id, key_len, tag_len)
    "AES-128-GCM": (1, 16, 16),
    "AES-256-GCM": (2, 32, 16),
    "CHACHA20-POLY1305": (3, 32, 16),
    "AES-128-CCM": (4, 16, 16),
    "AES-128-CCM-8": (5, 16, 8),
}
KEY_RECORD = 1
SOL_M2MSEC = 0x4d32
CMSG_ASSOC_ID, CMSG_EPOCH, CMSG_SEGMENT = 1, 2, 3
SEGMENTS_MAX = 64

CMD_GET_INFO, CMD_GET_CONFIG, CMD_SET_CONFIG = 1, 2, 3
A_CFG_REPLAY_WINDOW, A_CFG_CTRL_QUEUE_MAX, A_CFG_ESPRIM_MAX_OBJECT = 5, 6, 7
CMD_ASSOC_NEW, CMD_ASSOC_SET, CMD_ASSOC_DEL, CMD_ASSOC_GET, CMD_GET_STATS = \
    4, 5, 6, 7, 8
(A_SOCK_FD, A_ASSOC_ID, A_ASSOC_VERSION, A_ASSOC_CIPHER, A_ASSOC_PEER,
 A_ASSOC_TX, A_ASSOC_RX, A_ASSOC_TX_CID, A_ASSOC_RX_CID,
 A_ASSOC_REPLAY_WINDOW, A_ASSOC_RX_GRACE_MS, A_ASSOC_TX_GRACE_MS,
 A_ASSOC_STATS, A_ASSOC_DRIVER, A_ASSOC_LOCAL, A_STATS,
 A_ASSOC_AGE_MS) = range(8, 25)
A_DIR_EPOCH, A_DIR_SEQ, A_DIR_KEY = 1, 2, 3
CMD_LIMIT_EVENT = 11
A_EVENT_LIMIT, A_EVENT_EPOCH, A_EVENT_COUNT, A_EVENT_MAX = 27, 28, 29, 30
LIMIT_CONFIDENTIALITY, LIMIT_INTEGRITY = 1, 2
STATS = ["rx_records", "rx_bytes", "tx_records", "tx_bytes", "auth_fail",
         "replay", "hdr_err", "no_assoc", "ctrl_queued", "ctrl_drop",
         "limit", "old_epoch", "tx_err", "rx_queue_drop"]
# Handshake upcall
CMD_HS_REQUEST, CMD_HS_ACCEPT, CMD_HS_DONE = 12, 13, 14
(A_HS_ID, A_HS_ROLE, A_HS_FD, A_HS_STATUS, A_HS_PEER_ID,
 A_HS_SERVER_NAME) = range(31, 37)
(A_CFG_HS_SOCK_MAX, A_CFG_HS_NET_MAX, A_CFG_HS_TIMEOUT_MS, A_CFG_HS_RATE,
 A_CFG_HS_BURST, A_CFG_HS_QUEUE_MAX) = range(37, 43)
CMD_ASSOC_EVENT = 15
A_EVENT_KIND, A_EVENT_DIR, A_EVENT_REASON, A_ASSOC_SUITE = range(43, 47)
HS_CLIENT, HS_SERVER = 1, 2
SO_SERVER_NAME, SO_PEER_ID = 1, 2
# Global only, after M2MSEC_A_STAT_PAD (15); "hs_pending" is a gauge.
HS_STATS = {name: 16 + i for i, name in enumerate(
    ["hs_created", "hs_accepted", "hs_completed", "hs_failed", "hs_timeout",
     "hs_ratelimited", "hs_dropped", "hs_pending",
     "hs_hello_queued", "hs_hello_dropped", "hs_hello_pending",
     "hs_claimed", "peer_moved", "peer_move_refused", "integrity_closed",
     "key_update_limited"])}
# enum m2msec_event; M2MSEC_A_EVENT_OLD_PEER (PEER_MOVED events).
EVENT_UP, EVENT_KEY_UPDATE, EVENT_DOWN, EVENT_HS_FAILED, EVENT_PEER_MOVED = \
    range(1, 6)
A_EVENT_OLD_PEER = 55
# Listener of a listening socket: hello queue, HS_CLAIM.
CMD_HS_CLAIM = 16
# Requests no daemon has taken yet (a daemon that starts late).
CMD_HS_GET = 18
A_CFG_HS_HELLO_MAX, A_CFG_HS_HELLO_BYTES = 47, 48
HS_LISTENER = 3
HS_DGRAM_LEN, HS_DGRAM_MIN = 64, 36


def hs_dgram(peer, data, hdr_len=HS_DGRAM_LEN, peer_len=None):
    """struct m2msec_hs_dgram naming @peer, then @data (listener write)."""
    sa = sockaddr(peer)
    hdr = struct.pack("=HHHH", hdr_len, len(sa) if peer_len is None
                      else peer_len, 0, 0) + sa.ljust(28, b"\0") + \
        b"\0" * 28
    return hdr[:hdr_len].ljust(hdr_len, b"\0") + data


def hs_dgram_parse(buf):
    """(peer sockaddr bytes, local sockaddr bytes, data) of a listener read."""
    hl, pl, ll, _ = struct.unpack_from("=HHHH", buf)
    return buf[8:8 + pl], buf[36:36 + ll], buf[hl:]


def family():
    with open("/sys/module/m2msec/parameters/family") as f:
        return int(f.read())


def dtls_socket(bind=None):
    s = socket.socket(family(), socket.SOCK_DGRAM, PROTO_DTLS)
    if bind:
        sock_bind(s, bind)
    return s


# Python's socket module only converts addresses of families it knows, so
# addresses for m2msec sockets go through libc directly.
def _sa(addr):
    b = sockaddr(addr)
    return ctypes.create_string_buffer(b, len(b)), len(b)


def _check(r):
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def sock_bind(s, addr):
    buf, ln = _sa(addr)
    _check(_libc.bind(s.fileno(), buf, ln))


def sock_connect(s, addr):
    buf, ln = _sa(addr)
    _check(_libc.connect(s.fileno(), buf, ln))


def sock_sendto(s, data, addr, flags=0):
    buf, ln = _sa(addr)
    return _check(_libc.sendto(s.fileno(), data, len(data), flags, buf, ln))


def sock_name(s, peer=False):
    buf = ctypes.create_string_buffer(128)
    ln = ctypes.c_uint32(128)
    fn = _libc.getpeername if peer else _libc.getsockname
    _check(fn(s.fileno(), buf, ctypes.byref(ln)))
    return peer_of(buf.raw[:ln.value])


# --- KTAP -------------------------------------------------------------------
class Ktap:
    def __init__(self, plan):
        self.n = self.fail = self.passed = self.skipped = 0
        print("KTAP version 1\n1..%d" % plan, flush=True)

    def result(self, ok, desc):
        self.n += 1
        if ok:
            self.passed += 1
        else:
            self.fail += 1
        print("%s %d %s" % ("ok" if ok else "not ok", self.n, desc),
              flush=True)
        return ok

    def check(self, desc, fn):
        """Run fn(); it passes unless it raises.  Failures are shown."""
        try:
            fn()
            return self.result(True, desc)
        except Exception as e:  # noqa: BLE001 - any failure is a test failure
            print("# %s: %r" % (type(e).__name__, e), flush=True)
            tb = traceback.extract_tb(e.__traceback__)[1:]
            for f in tb[-3:]:
                print("#   at %s:%d %s" % (os.path.basename(f.filename),
                                          f.lineno, f.line), flush=True)
            return self.result(False, desc)

    def skip(self, desc, why):
        self.n += 1
        self.skipped += 1
        print("ok %d %s # SKIP %s" % (self.n, desc, why), flush=True)

    def diag(self, msg):
        print("# " + msg, flush=True)

    def exit(self):
        print("# totals: pass:%d fail:%d skip:%d" % (self.passed, self.fail,
                                                    self.skipped))
        sys.exit(1 if self.fail else 0)


def expect(cond, msg="check failed"):
    if not cond:
        raise AssertionError(msg)


# --- keys -------------------------------------------------------------------
_libc = ctypes.CDLL(None, use_errno=True)
_SYS_add_key, _SYS_keyctl = 248, 250
KEY_SPEC_PROCESS_KEYRING = -2
KEYCTL_REVOKE, KEYCTL_INVALIDATE = 3, 21


def add_key(payload, desc=b"m2msec-test", ktype=b"m2msec"):
    r = _libc.syscall(_SYS_add_key, ctypes.c_char_p(ktype),
                      ctypes.c_char_p(desc), ctypes.c_char_p(payload),
                      ctypes.c_size_t(len(payload)),
                      ctypes.c_int(KEY_SPEC_PROCESS_KEYRING))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def keyctl(op, key):
    return _libc.syscall(_SYS_keyctl, ctypes.c_int(op), ctypes.c_long(key))


_nkeys = [0]


def record_key(key, iv, sn=b""):
    # One description per key: add_key() with the type and description of
    # a key already in the keyring replaces that key's link.
    _nkeys[0] += 1
    hdr = struct.pack("=BBHHHHH", 1, KEY_RECORD, 0, len(key), len(iv),
                      len(sn), 0)
    return add_key(hdr + key + iv + sn,
                   desc=b"m2msec-rec-%d-%d" % (os.getpid(), _nkeys[0]))


# --- generic netlink --------------------------------------------------------
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3


def nla(t, data):
    return struct.pack("=HH", 4 + len(data), t) + data + \
        b"\0" * ((4 - len(data) % 4) % 4)


def nla_u16(t, v):
    return nla(t, struct.pack("=H", v))


def nla_u32(t, v):
    return nla(t, struct.pack("=I", v))


def nla_u64(t, v):
    return nla(t, struct.pack("=Q", v))


def parse_attrs(data):
    out = {}
    while len(data) >= 4:
        ln, t = struct.unpack_from("=HH", data)
        if ln < 4:
            break
        out.setdefault(t & 0x3fff, []).append(data[4:ln])
        data = data[(ln + 3) & ~3:]
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


class NetlinkError(OSError):
    pass


class Genl:
    def __init__(self, name="m2msec"):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.bind((0, 0))
        self.seq = 1
        self.fam = 0x10
        r = self.request(3, nla(2, name.encode() + b"\0"), version=1)
        self.fam = struct.unpack("=H", r[0][1][:2])[0]
        self.groups = {}
        grps = parse_attrs(r[0].get(7, b""))       # CTRL_ATTR_MCAST_GROUPS
        for g in grps.values():
            for one in (g if isinstance(g, list) else [g]):
                a = parse_attrs(one)
                self.groups[a[1].rstrip(b"\0").decode()] = u(a[2])

    def subscribe(self, group):
        """A new netlink socket receiving the multicast group @group."""
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        s.bind((0, 0))
        s.setsockopt(270, 1, self.groups[group])  # NETLINK_ADD_MEMBERSHIP
        return s

    @staticmethod
    def events(s):
        """Notifications waiting on @s: a list of (cmd, attrs)."""
        out = []
        while True:
            try:
                data = s.recv(1 << 16, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return out
            while data:
                ln = struct.unpack_from("=I", data)[0]
                out.append((data[16], parse_attrs(data[20:ln])))
                data = data[(ln + 3) & ~3:]

    def request(self, cmd, attrs=b"", dump=False, version=1):
        self.seq += 1
        flags = NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        body = struct.pack("=BBH", cmd, version, 0) + attrs
        self.s.send(struct.pack("=IHHII", 16 + len(body), self.fam, flags,
                                self.seq, 0) + body)
        replies = []
        while True:
            data = self.s.recv(1 << 20)
            while data:
                ln, typ, _, seq, _ = struct.unpack_from("=IHHII", data)
                msg, data = data[16:ln], data[(ln + 3) & ~3:]
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", msg)[0]
                    if err:
                        raise NetlinkError(-err, os.strerror(-err))
                    return replies
                if typ == NLMSG_DONE:
                    err = struct.unpack_from("=i", msg)[0] if msg else 0
                    if err:
                        raise NetlinkError(-err, os.strerror(-err))
                    return replies
                replies.append(parse_attrs(msg[4:]))


def u(b):
    return int.from_bytes(b, "little")


def sockaddr(addr):
    host, port = addr[0], addr[1]
    if ":" in host:
        scope = addr[3] if len(addr) > 3 else 0
        return struct.pack("=H", socket.AF_INET6) + struct.pack(
            ">H", port) + b"\0" * 4 + socket.inet_pton(socket.AF_INET6,
                                                       host) + \
            struct.pack("=I", scope)
    return struct.pack("=H", socket.AF_INET) + struct.pack(">H", port) + \
        socket.inet_aton(host) + b"\0" * 8


def direction(epoch, seq, key):
    return nla_u64(A_DIR_EPOCH, epoch) + nla_u64(A_DIR_SEQ, seq) + \
        nla(A_DIR_KEY, struct.pack("=i", key))


# --- DTLS records (independent implementation) -------------------------------
class Keys:
    """One direction: key, iv (salt for 1.2 GCM/CCM) and 1.3 sn key."""

    def __init__(self, cipher, version, key=None, iv=None, sn=None):
        cid, klen, tag = CIPHERS[cipher]
        self.cipher, self.version, self.tag = cipher, version, tag
        self.key = key or os.urandom(klen)
        ivlen = 12 if version == DTLS13 or cipher.startswith("CHACHA") else 4
        self.iv = iv or os.urandom(ivlen)
        self.sn = (sn or os.urandom(klen)) if version == DTLS13 else b""

    def serial(self):
        return record_key(self.key, self.iv, self.sn)

    def aead(self):
        if self.cipher.startswith("CHACHA"):
            return ChaCha20Poly1305(self.key)
        if "CCM" in self.cipher:
            return AESCCM(self.key, tag_length=self.tag)
        return AESGCM(self.key)

    def sn_mask(self, sample):
        if self.cipher.startswith("CHACHA"):
            c = Cipher(algorithms.ChaCha20(self.sn, sample), mode=None)
        else:
            c = Cipher(algorithms.AES(self.sn), modes.ECB())
            return c.encryptor().update(sample)
        return c.encryptor().update(b"\0" * 16)


def _explicit(cipher):
    return 0 if cipher.startswith("CHACHA") else 8


def seal12(k, epoch, seq, payload, ctype=23, cid=b""):
    es = struct.pack(">H", epoch) + seq.to_bytes(6, "big")
    if cid:
        inner = payload + bytes([ctype])
        outer = 25
        aad = b"\xff" * 8 + bytes([25, len(cid), 25]) + \
            struct.pack(">H", DTLS12) + es + cid + struct.pack(">H", len(inner))
    else:
        inner, outer = payload, ctype
        aad = es + bytes([ctype]) + struct.pack(">HH", DTLS12, len(inner))
    if _explicit(k.cipher):
        nonce, expl = k.iv + es, es
    else:
        nonce = bytes(a ^ b for a, b in zip(k.iv, b"\0" * 4 + es))
        expl = b""
    frag = expl + k.aead().encrypt(nonce, inner, aad)
    return bytes([outer]) + struct.pack(">H", DTLS12) + es + cid + \
        struct.pack(">H", len(frag)) + frag


def open12(k, rec, cid_len=0):
    """Returns (type, epoch, seq, plaintext, record_length)."""
    outer = rec[0]
    epoch = struct.unpack_from(">H", rec, 3)[0]
    seq = int.from_bytes(rec[5:11], "big")
    cid = rec[11:11 + cid_len] if outer == 25 else b""
    off = 11 + len(cid)
    ln = struct.unpack_from(">H", rec, off)[0]
    frag = rec[off + 2:off + 2 + ln]
    es = rec[3:11]
    ex = _explicit(k.cipher)
    if ex:
        nonce, ct = k.iv + frag[:8], frag[8:]
    else:
        nonce, ct = bytes(a ^ b for a, b in zip(k.iv, b"\0" * 4 + es)), frag
    ptlen = len(ct) - k.tag
    if outer == 25:
        aad = b"\xff" * 8 + bytes([25, len(cid), 25]) + \
            struct.pack(">H", DTLS12) + es + cid + struct.pack(">H", ptlen)
    else:
        aad = es + bytes([outer]) + struct.pack(">HH", DTLS12, ptlen)
    pt = k.aead().decrypt(nonce, ct, aad)
    ctype = outer
    if outer == 25:
        pt = pt.rstrip(b"\0")
        ctype, pt = pt[-1], pt[:-1]
    return ctype, epoch, seq, pt, off + 2 + ln


def seal13(k, epoch, seq, payload, ctype=23, cid=b"", short=False, pad=0,
           nolen=False):
    """nolen: no length field (L bit clear), the record ends with the
    datagram."""
    inner = payload + bytes([ctype]) + b"\0" * pad
    if len(inner) + k.tag < 16:
        inner += b"\0" * (16 - len(inner) - k.tag)
    first = 0x20 | (0x10 if cid else 0) | (0 if short else 0x08) | \
        (0 if nolen else 0x04) | (epoch & 3)
    seqb = bytes([seq & 0xff]) if short else struct.pack(">H", seq & 0xffff)
    hdr = bytes([first]) + cid + seqb + \
        (b"" if nolen else struct.pack(">H", len(inner) + k.tag))
    nonce = bytes(a ^ b for a, b in zip(k.iv, seq.to_bytes(12, "big")))
    ct = k.aead().encrypt(nonce, inner, hdr)
    mask = k.sn_mask(ct[:16])
    so = 1 + len(cid)
    hdr = bytearray(hdr)
    for i in range(len(seqb)):
        hdr[so + i] ^= mask[i]
    return bytes(hdr) + ct


def open13(k, rec, expected_seq, cid_len=0):
    """Returns (type, epoch_bits, seq, plaintext, record_length)."""
    first = rec[0]
    off = 1 + (cid_len if first & 0x10 else 0)
    slen = 2 if first & 0x08 else 1
    so = off
    off += slen
    if first & 0x04:
        ln = struct.unpack_from(">H", rec, off)[0]
        off += 2
    else:
        ln = len(rec) - off
    ct = rec[off:off + ln]
    mask = k.sn_mask(ct[:16])
    hdr = bytearray(rec[:off])
    for i in range(slen):
        hdr[so + i] ^= mask[i]
    trunc = int.from_bytes(hdr[so:so + slen], "big")
    bits = 8 * slen
    win = 1 << bits
    cand = (expected_seq & ~(win - 1)) | trunc
    if cand + win // 2 <= expected_seq:
        cand += win
    elif cand > expected_seq + win // 2 and cand >= win:
        cand -= win
    nonce = bytes(a ^ b for a, b in zip(k.iv, cand.to_bytes(12, "big")))
    pt = k.aead().decrypt(nonce, ct, bytes(hdr)).rstrip(b"\0")
    return pt[-1], first & 3, cand, pt[:-1], off + ln


# --- associations -------------------------------------------------------------
class Assoc:
    """Install a static association on kernel socket @sock towards @peer.

    @tx/@rx: Keys for the kernel's sending / receiving direction."""

    def __init__(self, genl, sock, peer, cipher, version, tx, rx, epoch=1,
                 tx_seq=1, rx_seq=1, tx_cid=b"", rx_cid=b"", extra=b""):
        self.genl, self.sock = genl, sock
        a = nla_u32(A_SOCK_FD, sock.fileno()) + \
            nla_u16(A_ASSOC_VERSION, version) + \
            nla_u32(A_ASSOC_CIPHER, CIPHERS[cipher][0]) + \
            nla(A_ASSOC_PEER, sockaddr(peer)) + \
            nla(A_ASSOC_TX | 0x8000, direction(epoch, tx_seq, tx.serial())) + \
            nla(A_ASSOC_RX | 0x8000, direction(epoch, rx_seq, rx.serial()))
        if tx_cid:
            a += nla(A_ASSOC_TX_CID, tx_cid)
        if rx_cid:
            a += nla(A_ASSOC_RX_CID, rx_cid)
        r = genl.request(CMD_ASSOC_NEW, a + extra)
        self.id = u(r[0][A_ASSOC_ID])

    def update(self, tx=None, rx=None, epoch=2):
        a = nla_u32(A_SOCK_FD, self.sock.fileno()) + nla_u32(A_ASSOC_ID,
                                                              self.id)
        if tx:
            a += nla(A_ASSOC_TX | 0x8000, direction(epoch, 0, tx.serial()))
        if rx:
            a += nla(A_ASSOC_RX | 0x8000, direction(epoch, 0, rx.serial()))
        self.genl.request(CMD_ASSOC_SET, a)

    def delete(self):
        self.genl.request(CMD_ASSOC_DEL, nla_u32(A_SOCK_FD, self.sock.fileno())
                          + nla_u32(A_ASSOC_ID, self.id))

    def show(self):
        for r in self.genl.request(CMD_ASSOC_GET,
                                   nla_u32(A_SOCK_FD, self.sock.fileno()),
                                   dump=True):
            if u(r[A_ASSOC_ID]) == self.id:
                return r
        raise KeyError(self.id)

    def stats(self):
        s = parse_attrs(self.show()[A_ASSOC_STATS])
        return {name: u(s.get(i + 1, b"\0")) for i, name in enumerate(STATS)}


def global_stats(genl):
    s = parse_attrs(genl.request(CMD_GET_STATS)[0][A_STATS])
    out = {name: u(s.get(i + 1, b"\0")) for i, name in enumerate(STATS)}
    out.update({name: u(s.get(i, b"\0")) for name, i in HS_STATS.items()})
    return out


class _iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class _msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(_iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


def peer_of(raw):
    """(host, port[, scope]) of a struct sockaddr_in or sockaddr_in6."""
    fam = struct.unpack_from("=H", raw)[0]
    port = struct.unpack_from(">H", raw, 2)[0]
    if fam == socket.AF_INET6:
        scope = struct.unpack_from("=I", raw, 24)[0] if len(raw) >= 28 else 0
        if scope:
            return socket.inet_ntop(socket.AF_INET6, raw[8:24]), port, scope
        return socket.inet_ntop(socket.AF_INET6, raw[8:24]), port
    return socket.inet_ntoa(raw[4:8]), port


def recv_record(sock, size=65536, flags=0):
    """recvmsg on an m2msec socket: (data, peer, assoc_id, epoch, flags).

    Done through libc: Python's recvmsg cannot decode addresses of the
    m2msec family."""
    buf = ctypes.create_string_buffer(size)
    name = ctypes.create_string_buffer(128)
    ctl = ctypes.create_string_buffer(128)
    iov = _iovec(ctypes.cast(buf, ctypes.c_void_p), size)
    m = _msghdr(ctypes.cast(name, ctypes.c_void_p), 128, ctypes.pointer(iov),
                1, ctypes.cast(ctl, ctypes.c_void_p), 128, 0)
    n = _check(_libc.recvmsg(sock.fileno(), ctypes.byref(m), flags))
    aid = epoch = None
    raw, off = ctl.raw[:m.controllen], 0
    while off + 16 <= len(raw):
        ln, level, typ = struct.unpack_from("=Qii", raw, off)
        val = raw[off + 16:off + ln]
        if level == SOL_M2MSEC and typ == CMSG_ASSOC_ID:
            aid = u(val)
        elif level == SOL_M2MSEC and typ == CMSG_EPOCH:
            epoch = u(val)
        off += (ln + 7) & ~7
    return buf.raw[:min(n, size)], peer_of(name.raw[:m.namelen]), aid, epoch, \
        m.flags


class _mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", _msghdr), ("len", ctypes.c_uint)]


def sendmmsg_records(sock, datas, assoc_id):
    """One sendmmsg() of one record per item of @datas on association
    @assoc_id (M2MSEC_CMSG_ASSOC_ID on each); returns what it returns."""
    n = len(datas)
    bufs = [ctypes.create_string_buffer(d, len(d)) for d in datas]
    iovs = (_iovec * n)(*[_iovec(ctypes.cast(b, ctypes.c_void_p), len(d))
                          for b, d in zip(bufs, datas)])
    cmsg = struct.pack("=Qii", 20, SOL_M2MSEC, CMSG_ASSOC_ID) + \
        struct.pack("=I", assoc_id) + b"\0" * 4
    ctl = ctypes.create_string_buffer(cmsg, len(cmsg))
    msgs = (_mmsghdr * n)()
    for i in range(n):
        msgs[i].hdr = _msghdr(None, 0, ctypes.pointer(iovs[i]), 1,
                              ctypes.cast(ctl, ctypes.c_void_p), len(cmsg),
                              0)
    return _check(_libc.sendmmsg(sock.fileno(), msgs, n, 0))


def expect_errno(err, fn):
    try:
        fn()
    except OSError as e:
        expect(e.errno == err, "expected %s, got %s" %
               (errno.errorcode[err], errno.errorcode.get(e.errno, e.errno)))
        return
    raise AssertionError("expected %s, call succeeded" % errno.errorcode[err])
