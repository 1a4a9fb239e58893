# SPDX-License-Identifier: GPL-2.0
"""Helpers for m2msec's ESPrim tests: keyring, socket ABI, KTAP output.

Everything is written from include/uapi/linux/m2msec.h; struct layouts are
packed here with the same field order and sizes.
"""
import base64
import ctypes
import hashlib
import hmac
import os
import socket
import struct
import sys
import time

SOL_M2MSEC = 0x4D32
PROTO_ESPRIM = 2

KEY_ADD, KEY_DEL, RAND_ADD, RAND_DEL, SESSION_ADD, SESSION_DEL = range(0x100, 0x106)
CMSG_SESSION, CMSG_CTY, CMSG_STATUS, CMSG_KID, CMSG_PEER_ID, CMSG_FLAGS = range(0x100, 0x106)
RECEIVER, ORIGINATOR = 1, 2
F_ORO, F_RRO = 1, 2
A128GCM, A192GCM, A256GCM = 10, 11, 12
ENC = {A128GCM: "A128GCM", A192GCM: "A192GCM", A256GCM: "A256GCM"}
KEYLEN = {A128GCM: 16, A192GCM: 24, A256GCM: 32}
ALL_ALGS = (1 << 10) | (1 << 11) | (1 << 12)
HMAC_SHA256 = 1 << 1

RSC = {
    "OK": 2000, "BAD_REQUEST": 4000, "NOT_FOUND": 4004,
    "UNSUPPORTED_OPTION": 4111, "UNKNOWN_KEY_ID": 4112,
    "UNKNOWN_ORIG_RAND_ID": 4113, "UNKNOWN_RECV_RAND_ID": 4114,
    "BAD_MAC": 4115, "DECRYPTION_ERROR": 5210, "ENCRYPTION_ERROR": 5211,
}

LABEL = b"oneM2M HMAC-SHA256 sessionESPrimKey derivation algorithm"

# --- keyring ---------------------------------------------------------------
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
SYS_add_key, SYS_keyctl = 248, 250
KEY_SPEC_PROCESS_KEYRING = -2
KEYCTL_REVOKE, KEYCTL_SET_TIMEOUT, KEYCTL_INVALIDATE = 3, 15, 21


def add_key(kid, key, identity, ring=KEY_SPEC_PROCESS_KEYRING):
    """An "m2msec" key of kind ESPRIM_PAIRWISE; description = kid."""
    payload = struct.pack("<BBHHHHH", 1, 3, 0, len(key), 0, 0, len(identity))
    payload += key + identity
    r = _libc.syscall(SYS_add_key, b"m2msec", kid.encode(), payload,
                      ctypes.c_size_t(len(payload)), ctypes.c_int(ring))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


def keyctl(op, a, b=0):
    r = _libc.syscall(SYS_keyctl, ctypes.c_int(op), ctypes.c_long(a),
                      ctypes.c_long(b), ctypes.c_long(0), ctypes.c_long(0))
    if r < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return r


# --- socket ABI ------------------------------------------------------------
def family():
    with open("/sys/module/m2msec/parameters/family") as f:
        return int(f.read())


def now_ms():
    return int(time.time() * 1000)


class Rand:
    """An ESPrim rand object."""

    def __init__(self, role, rid, value=None, expiry_ms=None, algs=ALL_ALGS,
                 keygen=HMAC_SHA256):
        self.role, self.id = role, rid
        self.value = value if value is not None else os.urandom(16)
        self.expiry_ms = expiry_ms if expiry_ms is not None else \
            now_ms() + (3600_000 if role == RECEIVER else 1800_000)
        self.algs, self.keygen = algs, keygen

    def pack(self):
        rid = self.id.encode()
        return struct.pack("<BBHIIIQ16s64s", self.role, len(rid), 0,
                           self.keygen, self.algs, 0, self.expiry_ms,
                           self.value, rid)

    def json(self, originator=None, esrx=None):
        """oneM2M short-name JSON of the object (for "oro"/"rro")."""
        o = {"esri": self.id, "esrv": base64.b64encode(self.value).decode()}
        if esrx is None:
            esrx = time.strftime("%Y%m%dT%H%M%S",
                                 time.gmtime(self.expiry_ms // 1000))
        o["esrx"] = esrx
        if originator if originator is not None else self.role == ORIGINATOR:
            o["esk"] = 1
        else:
            o["esks"] = [1]
        o["espa"] = [i for i in (10, 11, 12) if self.algs & (1 << i)]
        return o


def session_key(pairwise, recv_value, orig_value):
    """sessionESPrimKey as Documentation/esprim.md defines the input."""
    return hmac.new(pairwise, recv_value + orig_value + LABEL,
                    hashlib.sha256).digest()


class _Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class _Msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint),
                ("iov", ctypes.POINTER(_Iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class _Mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", _Msghdr), ("len", ctypes.c_uint)]


class Sock:
    def __init__(self):
        raw = socket.socket(family(), socket.SOCK_SEQPACKET, PROTO_ESPRIM)
        # Python's recvmsg() wants an address length for the family; the
        # socket has no addresses, so present it as AF_UNIX.
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, 0,
                               fileno=raw.detach())

    def close(self):
        self.s.close()

    def opt(self, name, data):
        self.s.setsockopt(SOL_M2MSEC, name, data)

    def key_add(self, serial):
        self.opt(KEY_ADD, struct.pack("<i", serial))

    def key_del(self, serial):
        self.opt(KEY_DEL, struct.pack("<i", serial))

    def rand_add(self, r):
        self.opt(RAND_ADD, r.pack())

    def rand_del(self, role, rid):
        rid = rid.encode()
        self.opt(RAND_DEL, struct.pack("<BBH64s", role, len(rid), 0, rid))

    def session_add(self, sid, serial, alg, rri, ori, flags=0):
        self.opt(SESSION_ADD, struct.pack(
            "<IiHHBBH64s64s", sid, serial, alg, flags, len(rri), len(ori), 0,
            rri.encode(), ori.encode()))

    def session_del(self, sid):
        self.opt(SESSION_DEL, struct.pack("<I", sid))

    def send(self, data, session=None, cty=None, flags=None):
        anc = []
        if session is not None:
            anc.append((SOL_M2MSEC, CMSG_SESSION, struct.pack("<I", session)))
        if cty is not None:
            anc.append((SOL_M2MSEC, CMSG_CTY, cty.encode()))
        if flags is not None:
            anc.append((SOL_M2MSEC, CMSG_FLAGS, struct.pack("<I", flags)))
        return self.s.sendmsg([data], anc)

    def sendmmsg(self, items):
        """One sendmmsg() of (data, session or None) items: protect where a
        session is given, else unprotect.  Returns what sendmmsg() returns."""
        n = len(items)
        keep = []
        msgs = (_Mmsghdr * n)()
        for i, (data, session) in enumerate(items):
            buf = ctypes.create_string_buffer(data, len(data))
            iov = _Iovec(ctypes.cast(buf, ctypes.c_void_p), len(data))
            ctl = b""
            if session is not None:
                ctl = struct.pack("=QiiI4x", 20, SOL_M2MSEC, CMSG_SESSION,
                                  session)
            cbuf = ctypes.create_string_buffer(ctl, max(len(ctl), 1))
            keep += [buf, iov, cbuf]
            msgs[i].hdr = _Msghdr(None, 0, ctypes.pointer(iov), 1,
                                  ctypes.cast(cbuf, ctypes.c_void_p) if ctl
                                  else None, len(ctl), 0)
        r = _libc.sendmmsg(self.s.fileno(), msgs, n, 0)
        if r < 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
        return r

    def recv(self, size=1 << 20):
        data, anc, flags, _ = self.s.recvmsg(size, 4096)
        res = {"data": data, "flags": flags}
        for level, typ, val in anc:
            if level != SOL_M2MSEC:
                continue
            if typ == CMSG_STATUS:
                res["status"] = struct.unpack("<I", val)[0]
            elif typ == CMSG_SESSION:
                res["session"] = struct.unpack("<I", val)[0]
            elif typ == CMSG_KID:
                res["kid"] = val.decode()
            elif typ == CMSG_CTY:
                res["cty"] = val.decode()
            elif typ == CMSG_PEER_ID:
                res["peer"] = val.decode()
        return res

    def protect(self, data, session, **kw):
        self.send(data, session=session, **kw)
        return self.recv()

    def unprotect(self, obj):
        self.send(obj if isinstance(obj, bytes) else obj.encode())
        return self.recv()


# --- KTAP ------------------------------------------------------------------
class Ktap:
    def __init__(self, n):
        self.n = self.fail = self.passed = 0
        print("KTAP version 1\n1..%d" % n, flush=True)

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if cond:
            self.passed += 1
        else:
            self.fail += 1
            if diag is not None:
                for line in str(diag).splitlines():
                    print("# " + line)
        print("%s %d %s" % ("ok" if cond else "not ok", self.n, desc), flush=True)
        return cond

    def finish(self):
        print("# totals: pass:%d fail:%d skip:0" % (self.passed, self.fail))
        sys.exit(1 if self.fail else 0)
