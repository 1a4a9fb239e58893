#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ESPrim state changes only after the tag verifies.

Whoever can put an object in front of the receiver (any transit CSE) can
name any kid, ori and rri and carry any "oro": the receiver must not learn
a rand object or a session from an object whose tag fails.

  1. One forged object with the victim originator's ori and a chosen oro
     (4115), then the victim's own objects (with and without oro) verify.
  2. The same with a forged object that reuses the victim's real oro but
     another key: still nothing is remembered.
  3. 300 forged objects, each with a fresh ori and oro, all 4115: the rand
     table stays empty of them, so RAND_ADD still succeeds, and a new
     originator can still set up a session in-band.
  4. The counters: bad_mac moved by every forged object, rands_learned and
     sessions_learned only by the legitimate ones.
"""
import base64
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from esprim import (A128GCM, F_ORO, ORIGINATOR, RECEIVER, RSC, Ktap, Rand,
                    Sock, add_key, session_key)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CTL = os.path.join(REPO, "user", "m2msecctl")
N_FORGED = 300


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def stats():
    out = subprocess.run([CTL, "esprim", "stats", "-j"], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def forge(ori, oro, pt=b"forged", key=None):
    """An object naming the receiver's kid and rri, under a key we guess."""
    h = {"alg": "dir", "enc": "A128GCM", "kid": "kid-f", "ori": ori,
         "rri": "r-f", "oro": oro}
    h = b64u(json.dumps(h, separators=(",", ":")).encode())
    iv = os.urandom(12)
    ct = AESGCM((key or os.urandom(32))[:16]).encrypt(iv, pt, h)
    return b".".join([h, b"", b64u(iv), b64u(ct[:-16]), b64u(ct[-16:])])


t = Ktap(10)
pairwise = os.urandom(32)
serial = add_key("kid-f", pairwise, b"C-VICTIM")
recv = Rand(RECEIVER, "r-f")
victim = Rand(ORIGINATOR, "o-victim")

rx = Sock()
rx.key_add(serial)
rx.rand_add(recv)

tx = Sock()                     # the legitimate originator
tx.rand_add(recv)
tx.rand_add(victim)
tx.session_add(1, serial, A128GCM, "r-f", "o-victim", F_ORO)

before = stats()

# 1. A forged object with the victim's ori and an oro of the attacker's.
chosen = Rand(ORIGINATOR, "o-victim")
r = rx.unprotect(forge("o-victim", chosen.json()))
t.ok(r.get("status") == RSC["BAD_MAC"] and r["data"] == b"",
     "esprim forged: an object with the victim's ori and a chosen oro fails its tag (4115)", r)
r = rx.unprotect(tx.protect(b"request 1", 1)["data"])
t.ok(r.get("status") == RSC["OK"] and r["data"] == b"request 1" and
     r.get("peer") == "C-VICTIM",
     "esprim forged: after it the real originator's object (with oro) still verifies", r)
r = rx.unprotect(tx.protect(b"request 2", 1, flags=0)["data"])
t.ok(r.get("status") == RSC["OK"] and r["data"] == b"request 2",
     "esprim forged: and so does its next object without oro (the session learned from it)", r)

# 2. A second victim: a forged object carrying the victim's *real* oro under
#    a wrong key, sent before the victim's first object.
victim2 = Rand(ORIGINATOR, "o-victim2")
tx.rand_add(victim2)
tx.session_add(2, serial, A128GCM, "r-f", "o-victim2")
r = rx.unprotect(forge("o-victim2", chosen.json() | {"esri": "o-victim2"}))
r2 = rx.unprotect(forge("o-victim2", victim2.json()))
ok2 = r.get("status") == RSC["BAD_MAC"] and r2.get("status") == RSC["BAD_MAC"]
# The victim's object without oro must fail: the kernel must not have kept
# the forged objects' oro as the registered object of that id.
r3 = rx.unprotect(tx.protect(b"no oro", 2)["data"])
t.ok(ok2 and r3.get("status") == RSC["UNKNOWN_ORIG_RAND_ID"],
     "esprim forged: forged objects (chosen oro, then the real oro under a wrong key) leave no originator object behind: the victim's object without oro is 4113",
     (r, r2, r3))
r = rx.unprotect(tx.protect(b"with oro", 2, flags=F_ORO)["data"])
t.ok(r.get("status") == RSC["OK"] and r["data"] == b"with oro",
     "esprim forged: the victim's object with its oro then verifies", r)

# 3. Filling the rand table with forged objects.
codes = set()
for i in range(N_FORGED):
    o = Rand(ORIGINATOR, "o-forged-%d" % i)
    codes.add(rx.unprotect(forge(o.id, o.json())).get("status"))
t.ok(codes == {RSC["BAD_MAC"]},
     "esprim forged: %d forged objects with fresh ori and oro are all 4115" % N_FORGED, codes)
try:
    for i in range(4):
        rx.rand_add(Rand(RECEIVER, "r-after-%d" % i))
    err = 0
except OSError as e:
    err = e.errno
t.ok(err == 0, "esprim forged: RAND_ADD still succeeds after %d forged objects" % N_FORGED,
     "errno %d" % err)
late = Rand(ORIGINATOR, "o-late")
tx.rand_add(late)
tx.session_add(3, serial, A128GCM, "r-f", "o-late", F_ORO)
r = rx.unprotect(tx.protect(b"late", 3)["data"])
t.ok(r.get("status") == RSC["OK"] and r["data"] == b"late",
     "esprim forged: a new originator still sets up its session in-band afterwards", r)

# 4. Counters.
after = stats()
d = {k: after.get(k, 0) - before.get(k, 0) for k in after}
t.ok(d.get("bad_mac", 0) >= N_FORGED + 3,
     "esprim forged: every forged object is counted as bad_mac", d)
t.ok(d.get("rands_learned") == 3 and d.get("sessions_learned") == 3,
     "esprim forged: only the legitimate objects taught the receiver rand objects (3) and sessions (3)",
     d)
t.finish()
