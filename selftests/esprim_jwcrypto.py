#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ESPrim interoperability with python3-jwcrypto, A128GCM/A192GCM/A256GCM.

  AE (originator) socket A        CSE (receiver) socket B
  key kid-N, rand r-N, o-N        key kid-N, rand r-N (its own)
        | protect (session 1, oro)        |
        +---------- object -------------->| unprotect: learns o-N, session
        |<--------- response -------------+ protect with the learned session

jwcrypto decrypts what m2msec makes with the session key computed here with
Python's hmac (so the derivation is checked by an independent
implementation), and m2msec decrypts what jwcrypto makes.
"""
import base64
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from esprim import (A128GCM, A192GCM, A256GCM, ENC, F_ORO, F_RRO, KEYLEN,
                    ORIGINATOR, RECEIVER, RSC, Ktap, Rand, Sock, add_key,
                    session_key)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from jwcrypto import jwe, jwk
from jwcrypto.common import base64url_encode

t = Ktap(3 * 6 + 2)


def hdr_of(obj):
    h = obj.split(b".")[0]
    return json.loads(base64.urlsafe_b64decode(h + b"=" * (-len(h) % 4)))


def jw_decrypt(obj, key):
    d = jwe.JWE()
    d.deserialize(obj.decode(), key=jwk.JWK(kty="oct", k=base64url_encode(key)))
    return d.payload, d.jose_header


def jw_encrypt(payload, key, hdr):
    e = jwe.JWE(payload, protected=json.dumps(hdr, separators=(",", ":")))
    e.add_recipient(jwk.JWK(kty="oct", k=base64url_encode(key)))
    return e.serialize(compact=True).encode()


for alg in (A128GCM, A192GCM, A256GCM):
    enc = ENC[alg]
    kid = "kid-%s" % enc
    pairwise = os.urandom(32)
    serial = add_key(kid, pairwise, b"C-AE-%s" % enc.encode())
    recv = Rand(RECEIVER, "r-" + enc)
    orig = Rand(ORIGINATOR, "o-" + enc)
    skey = session_key(pairwise, recv.value, orig.value)[:KEYLEN[alg]]

    ae = Sock()
    ae.rand_add(recv)
    ae.rand_add(orig)
    ae.session_add(1, serial, alg, recv.id, orig.id, F_ORO)
    cse = Sock()
    cse.key_add(serial)
    cse.rand_add(recv)

    request = b'{"m2m:rqp":{"op":2,"to":"/cse/ae","fr":"C-AE","rqi":"1"}}'
    r = ae.protect(request, 1, cty="application/json")
    try:
        pt, hdr = jw_decrypt(r["data"], skey)
        good = pt == request and hdr["enc"] == enc and hdr["kid"] == kid
    except Exception as e:  # noqa: BLE001 - report any failure as the claim failing
        good, hdr = False, e
    t.ok(r.get("status") == RSC["OK"] and good,
         "esprim: jwcrypto decrypts a %s object m2msec made, with the session key from Python's hmac over the raw rand values" % enc,
         hdr)

    h = hdr_of(r["data"])
    t.ok(set(h) == {"alg", "enc", "kid", "cty", "ori", "rri", "oro"} and
         h["alg"] == "dir" and h["oro"]["esri"] == orig.id and
         base64.b64decode(h["oro"]["esrv"]) == orig.value and
         h["oro"]["esk"] == 1 and r["data"].split(b".")[1] == b"",
         "esprim: a %s object's header has exactly alg=dir, enc, kid, cty, ori, rri and the oro asked for, and an empty encrypted key" % enc, h)

    u = cse.unprotect(r["data"])
    t.ok(u.get("status") == RSC["OK"] and u["data"] == request and
         u.get("kid") == kid and u.get("cty") == "application/json" and
         u.get("peer") == "C-AE-%s" % enc and u.get("session", 0) >= 0x80000000,
         "esprim: the receiver learns the originator rand object from oro and decrypts a %s object, reporting kid, cty, bound identity and a learned session" % enc, u)

    response = b'{"m2m:rsp":{"rsc":2000,"rqi":"1"}}'
    rr = cse.protect(response, u.get("session", 0))
    try:
        pt, _ = jw_decrypt(rr["data"], skey)
    except Exception as e:  # noqa: BLE001
        pt = e
    back = ae.unprotect(rr["data"]) if rr.get("status") == RSC["OK"] else {}
    t.ok(pt == response and back.get("data") == response and back.get("session") == 1,
         "esprim: the %s response protected with the learned session decrypts with jwcrypto and in the originator's session 1" % enc, (rr, pt, back))

    # jwcrypto as the originator: a fresh originator object carried in oro.
    orig2 = Rand(ORIGINATOR, "jw-" + enc)
    skey2 = session_key(pairwise, recv.value, orig2.value)[:KEYLEN[alg]]
    obj = jw_encrypt(b"jwcrypto says hello", skey2, {
        "alg": "dir", "enc": enc, "kid": kid, "ori": orig2.id,
        "rri": recv.id, "oro": orig2.json()})
    u2 = cse.unprotect(obj)
    t.ok(u2.get("status") == RSC["OK"] and u2["data"] == b"jwcrypto says hello",
         "esprim: m2msec decrypts a %s object made by jwcrypto with oro (json.dumps spacing, any member order)" % enc, u2)

    # jwcrypto with a pre-registered originator object, no oro, with rro.
    obj = jw_encrypt(b"second", skey2, {
        "rri": recv.id, "ori": orig2.id, "kid": kid, "enc": enc,
        "alg": "dir", "rro": recv.json(originator=False)})
    u3 = cse.unprotect(obj)
    t.ok(u3.get("status") == RSC["OK"] and u3["data"] == b"second" and
         u3.get("session") == u2.get("session"),
         "esprim: a second jwcrypto %s object without oro (rro instead) reuses the learned session" % enc, u3)
    ae.close()
    cse.close()

# rro on request, and an empty inner primitive.
pairwise = os.urandom(16)
serial = add_key("kid-rro", pairwise, b"C-X")
recv, orig = Rand(RECEIVER, "rr"), Rand(ORIGINATOR, "oo")
s = Sock()
s.rand_add(recv)
s.rand_add(orig)
s.session_add(7, serial, A128GCM, "rr", "oo")
r = s.protect(b"x", 7, flags=F_ORO | F_RRO)
h = hdr_of(r["data"])
t.ok("rro" in h and h["rro"]["esks"] == [1] and h["rro"]["esri"] == "rr" and "cty" not in h,
     "esprim: M2MSEC_CMSG_ESPRIM_FLAGS asks for oro and rro in one object; rro carries esks", h)
r = s.protect(b"", 7)
skey = session_key(pairwise, recv.value, orig.value)[:16]
# jwcrypto 1.1 cannot round-trip an empty payload: use pyca/cryptography.
parts = [base64.urlsafe_b64decode(p + b"=" * (-len(p) % 4))
         for p in r["data"].split(b".")]
try:
    pt = AESGCM(skey).decrypt(parts[2], parts[3] + parts[4],
                              r["data"].split(b".")[0])
except Exception as e:  # noqa: BLE001
    pt = e
t.ok(r.get("status") == RSC["OK"] and pt == b"" and parts[3] == b"",
     "esprim: an empty inner primitive protects to an object pyca/cryptography's AES-GCM verifies (16-byte pairwise key)", (r, pt))
t.finish()
