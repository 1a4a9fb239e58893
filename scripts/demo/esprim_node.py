#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""One ESPrim end point of the demo (the AE or the CSE), in its own process
and network namespace, with the pairwise key in its own process keyring.

    esprim_node.py ae|cse SECRETFILE

SECRETFILE (JSON: kid, key in hex, identity bound to the key) is what the
enrolment step provisioned; the key goes to the keyring with add_key() and
the file is deleted.  Commands arrive as JSON lines on standard input and
results leave as JSON lines on standard output; the node narrates on
standard error.  The transit step (esprim_demo.py) sees only these lines.
"""
import base64
import calendar
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                "selftests"))
from esprim import (A128GCM, ALL_ALGS, F_ORO, ORIGINATOR, RECEIVER, RSC,  # noqa: E402
                    Rand, Sock, add_key)

role, secret = sys.argv[1], sys.argv[2]
tag = "  [%s]" % role.ljust(3)
RSC_NAME = {v: k for k, v in RSC.items()}


def say(*lines):
    for ln in lines:
        print("%s %s" % (tag, ln), file=sys.stderr)
    sys.stderr.flush()


def compact(obj):
    return json.dumps(obj, separators=(",", ":"))


def short(s, head=40, tail=12):
    return s if len(s) <= head + tail + 20 else \
        "%s...%s (%d chars)" % (s[:head], s[-tail:], len(s))


def rand_from_json(o, role):
    """A rand object in oneM2M short-name JSON (absolute esrx)."""
    exp = calendar.timegm(time.strptime(o["esrx"], "%Y%m%dT%H%M%S")) * 1000
    algs = 0
    for a in o.get("espa", []):
        algs |= 1 << a
    return Rand(role, o["esri"], base64.b64decode(o["esrv"]), exp,
                algs or ALL_ALGS)


def check(res, what):
    st = res.get("status")
    if st != RSC["OK"]:
        raise SystemExit("%s: %s failed: %s %s" % (role, what, st,
                                                    RSC_NAME.get(st, "")))
    return res


def seci(obj):
    """Notify content carrying an ESPrim Object (TS-0003 8.4)."""
    return {"m2m:seci": {"sit": 5, "epo": obj.decode()}}


with open(secret) as f:
    s = json.load(f)
os.unlink(secret)
serial = add_key(s["kid"], bytes.fromhex(s["key"]), s["identity"].encode())
say("add_key(\"m2msec\", \"%s\", <%d-byte pairwiseESPrimKey bound to %s>) "
    "-> key %d in this process's keyring" % (s["kid"], len(s["key"]) // 2,
                                             s["identity"], serial))
del s["key"]
sock = Sock()
sock.key_add(serial)
me = "Clamp01" if role == "ae" else "/in-cse"


def unprotect(outer):
    """Check the outer primitive's content, unprotect, check the From."""
    sec = outer["pc"]["m2m:seci"]
    if sec.get("sit") != 5:
        raise SystemExit("%s: not an ESPrim securityInfo" % role)
    r = check(sock.unprotect(sec["epo"]), "unprotect")
    inner = json.loads(r["data"])
    say("unprotect -> %d OK: session 0x%x, kid %s, key bound to %s" % (
        r["status"], r["session"], r["kid"], r["peer"]))
    # The kernel does not parse primitives: the From check (4116
    # ESPRIM_IMPERSONATION_ERROR) is the application's.
    if inner.get("fr") != r["peer"]:
        raise SystemExit("%s: 4116 ESPRIM_IMPERSONATION_ERROR: fr %r, key "
                         "bound to %r" % (role, inner.get("fr"), r["peer"]))
    say("From check: fr \"%s\" is the identity bound to the key" % inner["fr"],
        "recovered primitive: " + compact(inner))
    return inner, r["session"]


for line in sys.stdin:
    cmd = json.loads(line)
    out = {}
    if cmd["cmd"] == "ready":             # the key is in the keyring
        out["key"] = serial
    elif cmd["cmd"] == "publish":         # the CSE, as receiver
        recv = Rand(RECEIVER, "esr-in-cse-0001", algs=1 << A128GCM)
        sock.rand_add(recv)
        out["rand"] = recv.json()
        say("fresh receiverESPrimRandObject %s registered on the ESPrim "
            "socket; publishing it" % recv.id)
    elif cmd["cmd"] == "request":         # the AE, as originator
        recv = rand_from_json(cmd["rand"], RECEIVER)
        orig = Rand(ORIGINATOR, "esr-Clamp01-0001", algs=1 << A128GCM,
                    expiry_ms=recv.expiry_ms - 600_000)
        sock.rand_add(recv)
        sock.rand_add(orig)
        sock.session_add(1, serial, A128GCM, recv.id, orig.id, F_ORO)
        say("registered the CSE's rand object %s and its own originator "
            "object %s; session 1 (A128GCM): the kernel derived "
            "sessionESPrimKey, it never leaves the kernel" % (recv.id, orig.id))
        inner = compact(cmd["inner"]).encode()
        say("inner request primitive: " + inner.decode())
        r = check(sock.protect(inner, 1), "protect")
        say("protect (session 1, with oro) -> %d OK: ESPrim Object %s" % (
            r["status"], short(r["data"].decode())))
        out["outer"] = {"op": 5, "to": "/in-cse", "fr": me, "rqi": "ntf-0001",
                        "rvi": "3", "pc": seci(r["data"])}
        say("sends it as the content of a Notify (op 5) to /in-cse")
    elif cmd["cmd"] == "serve":           # the CSE: handle, answer
        inner, session = unprotect(cmd["outer"])
        rsp = {"rsc": 2001, "rqi": inner["rqi"], "rvi": "3", "fr": me,
               "to": inner["fr"],
               "pc": {"m2m:cin": {"rn": "cin_0002", "ri": "cin7f3a",
                                  "pi": "cnt21c0", "ty": 4, "st": 2,
                                  "con": inner["pc"]["m2m:cin"]["con"]}}}
        body = compact(rsp).encode()
        say("response primitive: " + body.decode())
        r = check(sock.protect(body, session), "protect")
        say("protect (learned session 0x%x) -> %d OK: %s" % (
            session, r["status"], short(r["data"].decode())))
        out["outer"] = {"rsc": 2000, "rqi": cmd["outer"]["rqi"], "rvi": "3",
                        "pc": seci(r["data"])}
        say("returns it as the content of the Notify's response")
    elif cmd["cmd"] == "receive":         # the AE: the response
        inner, session = unprotect(cmd["outer"])
        out["rsc"] = inner["rsc"]
    elif cmd["cmd"] == "quit":
        break
    print(json.dumps(out), flush=True)
sock.close()
