#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ESPrim table pruning racing with session creation and rand insertion.

A full table makes the kernel prune expired entries in the middle of
SESSION_ADD and of learning an "oro".  A rand object that expires between
the checks and the prune is freed there; nothing looked up before may be
used afterwards.  Each worker thread keeps a full table, lets a rand object
with a very short expiry lapse while it loops on the operation, and checks
every result that claims success:

  session: 255 sessions + one on a short-lived originator object "o-short";
           SESSION_ADD on "o-short" in a loop until it is refused with
           ETIME/ENOENT.  A session that was created must protect with the
           right "ori" and the right key, or say 4113 (its object expired).
  learn:   255 receiver objects + a short-lived receiver object "r-short"
           expiring on a whole second, and an object carrying an "oro" that
           expires at the same instant, sent in a loop until 4114.  Results:
           2000 with the plaintext, 4113 (no room) or 4114 (expired);
           anything else (4111, 4115) came from a freed rand object.

Run on a kernel booted with slub_debug=FZPU so a freed object reads as
poison.  The window is microseconds wide: the test reports how many times
it landed in it; the harness fails the run on any kernel report.
"""
import base64
import errno
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from esprim import (A128GCM, ORIGINATOR, RECEIVER, RSC, Ktap, Rand, Sock,
                    add_key, now_ms, session_key)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SECONDS = float(os.environ.get("ESPRIM_RACE_SECONDS", "20"))
N_THREADS = int(os.environ.get("ESPRIM_RACE_THREADS", "2"))


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def unb64u(s):
    return base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4))


pairwise = os.urandom(32)
serial = add_key("kid-race", pairwise, b"C-RACE")
lock = threading.Lock()
bad = []          # (worker, description)
stats = {"session_rounds": 0, "session_created": 0, "session_window": 0,
         "learn_rounds": 0, "learn_ok": 0, "errors": 0}


def note(**kw):
    with lock:
        for k, v in kw.items():
            stats[k] += v


def session_worker(n, deadline):
    s = Sock()
    rlong, olong = Rand(RECEIVER, "r-long"), Rand(ORIGINATOR, "o-long")
    s.rand_add(rlong)
    s.rand_add(olong)
    for i in range(255):
        s.session_add(1000 + i, serial, A128GCM, "r-long", "o-long")
    while time.time() < deadline:
        short = Rand(ORIGINATOR, "o-short", expiry_ms=now_ms() + 30)
        try:
            s.rand_add(short)
            s.session_add(1, serial, A128GCM, "r-long", "o-short")
        except OSError as e:
            # Descheduled for 30 ms: the object expired before the round.
            if e.errno not in (errno.ETIME, errno.ENOENT):
                raise
            try:
                s.session_del(1)
            except OSError:
                pass
            continue
        created, sid = [], 2
        while True:
            try:
                s.session_add(sid, serial, A128GCM, "r-long", "o-short")
                created.append(sid)
                sid += 1
            except OSError as e:
                if e.errno == errno.ENOSPC:
                    continue
                if e.errno not in (errno.ETIME, errno.ENOENT):
                    raise
                break
        key = session_key(pairwise, rlong.value, short.value)[:16]
        for sid in created:
            r = s.protect(b"payload", sid)
            st = r.get("status")
            if st == RSC["OK"]:
                p = r["data"].split(b".")
                try:
                    ori = json.loads(unb64u(p[0])).get("ori")
                except ValueError:
                    ori = unb64u(p[0])      # not even JSON: freed memory
                try:
                    pt = AESGCM(key).decrypt(unb64u(p[2]),
                                             unb64u(p[3]) + unb64u(p[4]), p[0])
                except Exception:
                    pt = None
                if ori != "o-short" or pt != b"payload":
                    bad.append(("session %d" % n, "session %d: ori %r, plaintext %r"
                                % (sid, ori, pt)))
            elif st != RSC["UNKNOWN_ORIG_RAND_ID"]:
                bad.append(("session %d" % n, "session %d protects with status %s"
                            % (sid, st)))
        for sid in [1] + created:
            try:
                s.session_del(sid)
            except OSError:
                pass
        note(session_rounds=1, session_created=len(created),
             session_window=1 if created else 0)
    s.close()


def learn_worker(n, deadline):
    s = Sock()
    s.key_add(serial)
    for i in range(255):
        s.rand_add(Rand(RECEIVER, "r-fill-%d" % i))
    rnd = 0
    while time.time() < deadline:
        # The next whole second: absolute esrx has one-second resolution.
        t_exp = (now_ms() // 1000 + 1) * 1000
        if t_exp - now_ms() < 60:
            t_exp += 1000
        rshort = Rand(RECEIVER, "r-short", expiry_ms=t_exp)
        s.rand_add(rshort)
        orig = Rand(ORIGINATOR, "o-%d-%d" % (n, rnd), expiry_ms=t_exp)
        rnd += 1
        hdr = {"alg": "dir", "enc": "A128GCM", "kid": "kid-race",
               "ori": orig.id, "rri": "r-short", "oro": orig.json()}
        h = b64u(json.dumps(hdr, separators=(",", ":")).encode())
        iv = os.urandom(12)
        ct = AESGCM(session_key(pairwise, rshort.value, orig.value)[:16]) \
            .encrypt(iv, b"inner", h)
        obj = b".".join([h, b"", b64u(iv), b64u(ct[:-16]), b64u(ct[-16:])])
        # Wait close to the expiry, then hammer across it.
        while t_exp - now_ms() > 25:
            time.sleep(0.005)
        while True:
            r = s.unprotect(obj)
            st = r.get("status")
            if st == RSC["OK"]:
                if r["data"] != b"inner":
                    bad.append(("learn %d" % n, "2000 with %r" % r["data"]))
                note(learn_ok=1)
            elif st == RSC["UNKNOWN_RECV_RAND_ID"]:
                break
            elif st != RSC["UNKNOWN_ORIG_RAND_ID"]:
                bad.append(("learn %d" % n, "status %s" % st))
                break
        note(learn_rounds=1)
    s.close()


def run(fn, n, deadline):
    try:
        fn(n, deadline)
    except Exception as e:       # reported as a failure below
        with lock:
            stats["errors"] += 1
            bad.append((fn.__name__, repr(e)))


t = Ktap(3)
deadline = time.time() + SECONDS
threads = [threading.Thread(target=run, args=(fn, i, deadline))
           for i in range(N_THREADS) for fn in (session_worker, learn_worker)]
for th in threads:
    th.start()
for th in threads:
    th.join()

print("# %s" % stats)
for kind in ("session", "learn"):        # the first few say enough
    mine = [b for b in bad if b[0].startswith(kind)]
    if len(mine) > 3:
        bad[:] = [b for b in bad if not b[0].startswith(kind)] + mine[:3] + \
            [(kind, "... %d more" % (len(mine) - 3))]
t.ok(not [b for b in bad if b[0].startswith("session")],
     "esprim race: sessions created while their rand object expired in the prune use the object as it was looked up (%d rounds, %d in the window)"
     % (stats["session_rounds"], stats["session_window"]),
     "\n".join("%s: %s" % b for b in bad))
t.ok(not [b for b in bad if b[0].startswith("learn")],
     "esprim race: learning an oro while the receiver object expires in the prune uses the object as it was looked up (%d rounds, %d learned)"
     % (stats["learn_rounds"], stats["learn_ok"]),
     "\n".join("%s: %s" % b for b in bad))
t.ok(stats["errors"] == 0 and stats["session_rounds"] > 0 and stats["learn_rounds"] > 0,
     "esprim race: every worker ran to its deadline", stats)
t.finish()
