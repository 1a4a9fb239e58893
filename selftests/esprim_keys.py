#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ESPrim sessions end with their pairwise key.

For each way a key ends (revoke, invalidate, timeout, M2MSEC_ESPRIM_KEY_DEL)
an originator session and a receiver's learned session are set up and
used, the key ends, and the next use fails with 4112 ESPRIM_UNKNOWN_KEY_ID
and the session is gone (a second use says NOT_FOUND / 4112 again).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from esprim import (A128GCM, F_ORO, KEYCTL_INVALIDATE, KEYCTL_REVOKE,
                    KEYCTL_SET_TIMEOUT, ORIGINATOR, RECEIVER, RSC, Ktap, Rand,
                    Sock, add_key, keyctl)

t = Ktap(4 * 3 + 2)


def setup(kid):
    serial = add_key(kid, os.urandom(32), b"C-K")
    recv, orig = Rand(RECEIVER, "r-" + kid), Rand(ORIGINATOR, "o-" + kid)
    tx, rx = Sock(), Sock()
    tx.rand_add(recv)
    tx.rand_add(orig)
    tx.session_add(1, serial, A128GCM, recv.id, orig.id, F_ORO)
    rx.key_add(serial)
    rx.rand_add(recv)
    obj = tx.protect(b"req", 1)["data"]
    ok = rx.unprotect(obj).get("status") == RSC["OK"]
    return serial, tx, rx, obj, ok


ends = [
    ("keyctl revoke", lambda s, tx, rx: keyctl(KEYCTL_REVOKE, s)),
    ("keyctl invalidate", lambda s, tx, rx: keyctl(KEYCTL_INVALIDATE, s)),
    ("key expiry (keyctl timeout 1 s)",
     lambda s, tx, rx: (keyctl(KEYCTL_SET_TIMEOUT, s, 1), time.sleep(1.6))),
    ("M2MSEC_ESPRIM_KEY_DEL on the receiver and SESSION_DEL on the originator",
     lambda s, tx, rx: (rx.key_del(s), tx.session_del(1))),
]
for i, (how, end) in enumerate(ends):
    serial, tx, rx, obj, ok = setup("kid-k%d" % i)
    t.ok(ok, "esprim keys: before %s the session works both ways" % how)
    end(serial, tx, rx)
    r = tx.protect(b"req", 1)
    want = RSC["NOT_FOUND"] if "KEY_DEL" in how else RSC["UNKNOWN_KEY_ID"]
    r2 = tx.protect(b"req", 1)
    t.ok(r.get("status") == want and r2.get("status") == RSC["NOT_FOUND"],
         "esprim keys: after %s the originator's session ends (%d, then 4004)" % (how, want), (r, r2))
    u = rx.unprotect(obj)
    t.ok(u.get("status") == RSC["UNKNOWN_KEY_ID"],
         "esprim keys: after %s the receiver's learned session ends: 4112 ESPRIM_UNKNOWN_KEY_ID" % how, u)
    tx.close()
    rx.close()

# A new key with the same kid replaces an ended one.
serial, tx, rx, obj, ok = setup("kid-again")
keyctl(KEYCTL_REVOKE, serial)
serial2 = add_key("kid-again", os.urandom(32), b"C-K")
try:
    rx.key_add(serial2)
    readd = True
except OSError:
    readd = False
t.ok(ok and readd, "esprim keys: a new key with the kid of a revoked one can be registered on the same socket")

# A key that is not an ESPrim pairwise key is refused.
try:
    s = Sock()
    s.key_add(add_key("kid-x", os.urandom(16), b"X") + 1000000)
    res = 0
except OSError as e:
    res = e.errno
t.ok(res != 0, "esprim keys: KEY_ADD of a serial that is not a key of the caller fails")
t.finish()
