#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Every ESPrim rejection and its oneM2M status code.

One receiver socket (key "kid-e", receiver object "r-e", originator object
"o-e" registered) and one originator socket making good objects; each case
changes one thing and expects one status code in M2MSEC_CMSG_ESPRIM_STATUS,
no data, and the socket still usable afterwards.
"""
import base64
import errno
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from esprim import (A128GCM, A256GCM, ORIGINATOR, RECEIVER, RSC, Ktap, Rand,
                    Sock, add_key, now_ms, session_key)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CTL = os.path.join(REPO, "user", "m2msecctl")


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def unb64u(s):
    return base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4))


pairwise = os.urandom(32)
serial = add_key("kid-e", pairwise, b"C-E")
recv = Rand(RECEIVER, "r-e")
orig = Rand(ORIGINATOR, "o-e")
skey = session_key(pairwise, recv.value, orig.value)

rx = Sock()
rx.key_add(serial)
rx.rand_add(recv)
rx.rand_add(orig)
tx = Sock()
tx.rand_add(recv)
tx.rand_add(orig)
tx.session_add(1, serial, A128GCM, "r-e", "o-e")


def make(hdr, pt=b"inner", key=None, enc_len=16):
    """An object built here (pyca/cryptography) with any header."""
    h = b64u(json.dumps(hdr, separators=(",", ":")).encode())
    iv = os.urandom(12)
    ct = AESGCM((key or skey)[:enc_len]).encrypt(iv, pt, h)
    return b".".join([h, b"", b64u(iv), b64u(ct[:-16]), b64u(ct[-16:])])


def hdr(**kw):
    h = {"alg": "dir", "enc": "A128GCM", "kid": "kid-e", "ori": "o-e",
         "rri": "r-e"}
    h.update(kw)
    return {k: v for k, v in h.items() if v is not None}


good = tx.protect(b"inner primitive", 1)["data"]
parts = good.split(b".")

cases = []


def case(desc, obj, code):
    cases.append((desc, obj, code))


def flip(part, idx=0):
    """The object with one bit of one decoded part flipped, re-encoded."""
    p = list(parts)
    raw = bytearray(unb64u(p[part]))
    raw[idx] ^= 1
    p[part] = b64u(bytes(raw))
    return b".".join(p)


# Tampering with each of the five parts.
h2 = json.loads(unb64u(parts[0]))
h2["cty"] = "application/json"
case("tampering with the protected header (re-encoded with an added cty) fails the tag: 4115 ESPRIM_BAD_MAC",
     b".".join([b64u(json.dumps(h2).encode())] + parts[1:]), "BAD_MAC")
case("a non-empty encrypted key part (alg dir forbids one) is 4000 BAD_REQUEST",
     b".".join([parts[0], b"AAAA"] + parts[2:]), "BAD_REQUEST")
case("tampering with the IV fails the tag: 4115 ESPRIM_BAD_MAC", flip(2), "BAD_MAC")
case("tampering with the ciphertext fails the tag: 4115 ESPRIM_BAD_MAC", flip(3), "BAD_MAC")
case("tampering with the authentication tag: 4115 ESPRIM_BAD_MAC", flip(4, 15), "BAD_MAC")
case("a truncated tag (15 bytes) is 4000 BAD_REQUEST",
     b".".join(parts[:4] + [b64u(unb64u(parts[4])[:15])]), "BAD_REQUEST")
case("a wrong key (right kid, other pairwise key) fails the tag: 4115 ESPRIM_BAD_MAC",
     make(hdr(), key=os.urandom(32)), "BAD_MAC")

# Names the receiver does not know.
case("an unknown kid is 4112 ESPRIM_UNKNOWN_KEY_ID", make(hdr(kid="kid-nope")), "UNKNOWN_KEY_ID")
case("an unknown rri is 4114 ESPRIM_UNKNOWN_RECV_RAND_ID", make(hdr(rri="r-nope")), "UNKNOWN_RECV_RAND_ID")
case("an unknown ori without oro is 4113 ESPRIM_UNKNOWN_ORIG_RAND_ID", make(hdr(ori="o-nope")), "UNKNOWN_ORIG_RAND_ID")
old = Rand(ORIGINATOR, "o-old", expiry_ms=now_ms() - 60_000)
case("an oro that expired (absolute esrx in the past) is 4113 ESPRIM_UNKNOWN_ORIG_RAND_ID",
     make(hdr(ori="o-old", oro=old.json())), "UNKNOWN_ORIG_RAND_ID")
late = Rand(ORIGINATOR, "o-late", expiry_ms=recv.expiry_ms + 3600_000)
case("an oro expiring after the receiver's object is 4113 ESPRIM_UNKNOWN_ORIG_RAND_ID",
     make(hdr(ori="o-late", oro=late.json())), "UNKNOWN_ORIG_RAND_ID")
other = Rand(ORIGINATOR, "o-e")
case("an oro whose value differs from the registered object of that id is 4113",
     make(hdr(oro=other.json())), "UNKNOWN_ORIG_RAND_ID")
case("an rro whose value differs from the receiver's object is 4114",
     make(hdr(rro=Rand(RECEIVER, "r-e").json())), "UNKNOWN_RECV_RAND_ID")

# Unsupported options.
case("enc A128CBC-HS256 is 4111 ESPRIM_UNSUPPORTED_OPTION", make(hdr(enc="A128CBC-HS256")), "UNSUPPORTED_OPTION")
case("alg A128KW is 4111 ESPRIM_UNSUPPORTED_OPTION", make(hdr(alg="A128KW")), "UNSUPPORTED_OPTION")
case("a crit member is 4111 ESPRIM_UNSUPPORTED_OPTION", make(hdr(crit=["exp"])), "UNSUPPORTED_OPTION")
o3 = Rand(ORIGINATOR, "o-esk").json()
o3["esk"] = 2
case("an oro with key generation algorithm 2 is 4111 ESPRIM_UNSUPPORTED_OPTION",
     make(hdr(ori="o-esk", oro=o3)), "UNSUPPORTED_OPTION")
o4 = Rand(ORIGINATOR, "o-a256", algs=1 << 12).json()
case("enc A128GCM when the oro allows only A256GCM (espa [12]) is 4111",
     make(hdr(ori="o-a256", oro=o4)), "UNSUPPORTED_OPTION")

# Malformed headers.
case("an extra header member (zip) is 4000 BAD_REQUEST", make(hdr(zip="DEF")), "BAD_REQUEST")
case("an unknown header member (x5u) is 4000 BAD_REQUEST", make(hdr(x5u="http://x")), "BAD_REQUEST")
dup = b'{"alg":"dir","enc":"A128GCM","kid":"kid-e","kid":"kid-e","ori":"o-e","rri":"r-e"}'
case("a duplicate header member (kid twice) is 4000 BAD_REQUEST",
     b".".join([b64u(dup)] + make(hdr()).split(b".")[1:]), "BAD_REQUEST")
case("a missing rri is 4000 BAD_REQUEST", make(hdr(rri=None)), "BAD_REQUEST")
case("an oversized kid (300 characters) is 4000 BAD_REQUEST", make(hdr(kid="k" * 300)), "BAD_REQUEST")
case("an escaped string in the header is 4000 BAD_REQUEST",
     b".".join([b64u(b'{"alg":"dir","enc":"A128GCM","kid":"kid\\u002de","ori":"o-e","rri":"r-e"}')] + parts[1:]),
     "BAD_REQUEST")
case("a header that is not JSON is 4000 BAD_REQUEST",
     b".".join([b64u(b"not json")] + parts[1:]), "BAD_REQUEST")
case("four parts instead of five is 4000 BAD_REQUEST", b".".join(parts[:4]), "BAD_REQUEST")
case("six parts is 4000 BAD_REQUEST", good + b".", "BAD_REQUEST")

# Non-canonical base64url.
case("base64url padding ('=') is 4000 BAD_REQUEST",
     b".".join(parts[:4] + [parts[4] + b"=="]), "BAD_REQUEST")
last = parts[4][-1:]
nz = bytes([b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".index(last) | 1]])
case("non-zero unused trailing bits in the tag's encoding are 4000 BAD_REQUEST",
     b".".join(parts[:4] + [parts[4][:-1] + nz]), "BAD_REQUEST")
case("a '+' (base64, not base64url) in the ciphertext is 4000 BAD_REQUEST",
     b".".join(parts[:3] + [b"+" + parts[3][1:]] + parts[4:]), "BAD_REQUEST")
case("a newline inside a part is 4000 BAD_REQUEST",
     b".".join(parts[:3] + [parts[3][:4] + b"\n" + parts[3][4:]] + parts[4:]), "BAD_REQUEST")
case("a part of length 1 mod 4 is 4000 BAD_REQUEST",
     b".".join(parts[:3] + [parts[3] + b"A" * ((1 - len(parts[3])) % 4)] + parts[4:]),
     "BAD_REQUEST")

n = len(cases) + 18
t = Ktap(n)
for desc, obj, code in cases:
    r = rx.unprotect(obj)
    t.ok(r.get("status") == RSC[code] and r["data"] == b"", "esprim errors: " + desc, r)

r = rx.unprotect(good)
t.ok(r.get("status") == RSC["OK"] and r["data"] == b"inner primitive",
     "esprim errors: after all the rejections the receiver still decrypts the good object")

# Expired rand objects.
short = Rand(RECEIVER, "r-short", expiry_ms=now_ms() + 1500)
rx.rand_add(short)
soon = Rand(ORIGINATOR, "o-soon", expiry_ms=now_ms() + 1500)
tx.rand_add(soon)
tx.session_add(2, serial, A128GCM, "r-e", "o-soon")
time.sleep(2)
r = rx.unprotect(make(hdr(rri="r-short")))
t.ok(r.get("status") == RSC["UNKNOWN_RECV_RAND_ID"],
     "esprim errors: an expired receiver rand id is 4114 ESPRIM_UNKNOWN_RECV_RAND_ID", r)
r = tx.protect(b"x", 2)
t.ok(r.get("status") == RSC["UNKNOWN_ORIG_RAND_ID"] and r["data"] == b"",
     "esprim errors: protecting with a session whose originator object expired is 4113 and ends the session", r)
r = tx.protect(b"x", 2)
t.ok(r.get("status") == RSC["NOT_FOUND"],
     "esprim errors: protecting with an unknown session id is 4004 NOT_FOUND", r)
rel = Rand(ORIGINATOR, "o-rel")
r = rx.unprotect(make(hdr(ori="o-rel", oro=rel.json(esrx="1")), key=session_key(pairwise, recv.value, rel.value)))
time.sleep(0.05)
r = rx.unprotect(make(hdr(ori="o-rel"), key=session_key(pairwise, recv.value, rel.value)))
t.ok(r.get("status") == RSC["UNKNOWN_ORIG_RAND_ID"],
     "esprim errors: an oro with a relative esrx of 1 ms expires and then is 4113", r)

# Oversized objects: the namespace limit applies to the whole object.
subprocess.run([CTL, "config", "set", "esprim-max-object", "256"], check=True)
big = make(hdr(), pt=b"x" * 300)
r = rx.unprotect(big)
t.ok(r.get("status") == RSC["BAD_REQUEST"] and len(big) > 256,
     "esprim errors: an object above esprim-max-object (256) is 4000 BAD_REQUEST", r)
r = tx.protect(b"y" * 300, 1)
t.ok(r.get("status") == RSC["ENCRYPTION_ERROR"],
     "esprim errors: protecting into an object above esprim-max-object is 5211 ESPRIM_ENCRYPTION_ERROR", r)
# sendmmsg() consumes every message, also those whose result needs no body:
# one call, every message, one result each in order.
batch = [(b"small", 1), (b"x", 99), (b"y" * 300, 1), (big, None)] * 8
want = [RSC["OK"], RSC["NOT_FOUND"], RSC["ENCRYPTION_ERROR"], RSC["BAD_REQUEST"]] * 8
sent = tx.sendmmsg(batch)
got = [tx.recv().get("status") for _ in range(sent)]
t.ok(sent == 32 and got == want,
     "esprim errors: one sendmmsg() of 32 messages mixing good primitives with 4004, 5211 and 4000 cases gives 32 results in order",
     "sent %d, statuses %s" % (sent, got))
subprocess.run([CTL, "config", "set", "esprim-max-object", "65536"], check=True)
r = rx.unprotect(big)
t.ok(r.get("status") == RSC["OK"], "esprim errors: the same object passes once the limit is back to 65536", r)

# Socket misuse is an errno, and queues nothing.
def errno_of(fn):
    try:
        fn()
    except OSError as e:
        return e.errno
    return 0


t.ok(errno_of(lambda: tx.send(b"x", cty="a\"b", session=1)) == errno.EINVAL,
     "esprim errors: a cty with a quote is refused by sendmsg with EINVAL")
t.ok(errno_of(lambda: tx.send(b"x", cty="text/plain")) == errno.EINVAL,
     "esprim errors: cty without a session (unprotect) is refused with EINVAL")
t.ok(errno_of(lambda: tx.session_add(3, serial, A256GCM, "r-e", "o-nope")) == errno.ENOENT,
     "esprim errors: SESSION_ADD naming an unknown rand id fails with ENOENT")
t.ok(errno_of(lambda: tx.session_add(1, serial, A128GCM, "r-e", "o-e")) == errno.EEXIST,
     "esprim errors: SESSION_ADD with a session id in use fails with EEXIST")
t.ok(errno_of(lambda: tx.rand_add(Rand(ORIGINATOR, "o-past", expiry_ms=now_ms() - 1))) == errno.ETIME,
     "esprim errors: RAND_ADD of an expired object fails with ETIME")
t.ok(errno_of(lambda: tx.opt(0x102, b"short")) == errno.EINVAL,
     "esprim errors: a sockopt with the wrong length fails with EINVAL")
t.ok(errno_of(lambda: rx.key_add(serial)) == errno.EEXIST,
     "esprim errors: KEY_ADD of a kid already registered fails with EEXIST")
t.ok(errno_of(lambda: tx.send(b"x")) == 0 and tx.recv()["status"] == RSC["BAD_REQUEST"],
     "esprim errors: the socket is in order afterwards: one result per message")


def idle_semantics():
    """Nothing queued: not readable, a non-blocking read is EAGAIN."""
    import select
    import socket
    readable = select.select([tx.s], [], [], 0)[0]
    try:
        tx.s.recvmsg(64, 64, socket.MSG_DONTWAIT)
        return False
    except BlockingIOError:
        return not readable
    except OSError:
        return False


t.ok(idle_semantics(),
     "esprim errors: with nothing queued the socket is not readable and a non-blocking read gives EAGAIN (not ENOTCONN)")
t.finish()
