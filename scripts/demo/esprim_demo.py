#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Demo step: an ESPrim-protected request and response between the AE and
the CSE through a transit CSE that sees only the Notify carrying the
ESPrim Object (oneM2M TS-0003 8.4).

The AE and the CSE are esprim_node.py processes in the "ae" and "cse"
namespaces, each with the pairwise key in its own keyring and its own
m2msec ESPrim socket.  This process provisions the key, then plays the
transit CSE: it relays the primitives between the two and prints what it
can see of them.
"""
import base64
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demolib import (AE, CSE, CTL, WORK, echo_cmd, expect, fail, in_ns, run,  # noqa: E402
                     say, short, show, write_secret)

NODE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "esprim_node.py")


class Node:
    def __init__(self, role, ns, secret):
        argv = in_ns(ns, [NODE, role, secret])
        echo_cmd(argv + ["&"])
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        self.role = role

    def call(self, **cmd):
        self.p.stdin.write(json.dumps(cmd) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            fail("the %s ended (status %s)" % (self.role, self.p.wait()))
        return json.loads(line)

    def close(self):
        self.p.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
        self.p.stdin.close()
        rc = self.p.wait(10)
        expect(rc == 0, "the %s exited with %d" % (self.role, rc))


def transit(outer, direction):
    """What the transit CSE sees: print it, prove it is opaque."""
    text = json.dumps(outer, separators=(",", ":"))
    epo = outer["pc"]["m2m:seci"]["epo"]
    seen = json.loads(json.dumps(outer))
    seen["pc"]["m2m:seci"]["epo"] = short(epo, 24, 8)
    show("  [transit]", "%s: %s" % (direction, json.dumps(
        seen, separators=(",", ":"))))
    h, ek, iv, ct, tag = epo.split(".")
    hdr = json.loads(base64.urlsafe_b64decode(h + "=" * (-len(h) % 4)))
    if "oro" in hdr:
        hdr["oro"] = {"esri": hdr["oro"]["esri"], "...": "..."}
    show("  [transit]", "  ESPrim Object: protected header (readable, "
         "integrity-protected) %s" % json.dumps(hdr, separators=(",", ":")))
    show("  [transit]", "  encrypted key empty, IV %d chars, ciphertext %d "
         "chars, tag %d chars: opaque" % (len(iv), len(ct), len(tag)))
    return text


os.makedirs(WORK, exist_ok=True)
say("Enrolment (done once, out of band): the AE Clamp01 and the CSE /in-cse "
    "share a pairwiseESPrimKey. Each party gets it in its own keyring; "
    "applications refer to it by serial and never hold it.")
key = os.urandom(32).hex()
kid = "kid-Clamp01-in-cse-0001"
write_secret(os.path.join(WORK, "esprim-ae.json"),
             json.dumps({"kid": kid, "key": key, "identity": "/in-cse"}))
write_secret(os.path.join(WORK, "esprim-cse.json"),
             json.dumps({"kid": kid, "key": key, "identity": "Clamp01"}))
del key
cse = Node("cse", CSE["ns"], os.path.join(WORK, "esprim-cse.json"))
cse.call(cmd="ready")
ae = Node("ae", AE["ns"], os.path.join(WORK, "esprim-ae.json"))
ae.call(cmd="ready")
rand = cse.call(cmd="publish")["rand"]
show("  [transit]", "receiverESPrimRandObject on its way to the AE (public): "
     + json.dumps(rand, separators=(",", ":")))
run([CTL, "esprim", "key", "list"])
print(flush=True)

say("The request: the AE protects its primitive with its ESPrim socket and "
    "sends the ESPrim Object inside a Notify. The transit CSE routes the "
    "Notify; all it can read is the outer primitive:")
inner = {"op": 1, "to": "/in-cse/in-name/lamp/status", "fr": "Clamp01",
         "rqi": "req-0004", "rvi": "3", "ty": 4,
         "pc": {"m2m:cin": {"con": "on", "cnf": "text/plain:0"}}}
outer = ae.call(cmd="request", rand=rand, inner=inner)["outer"]
text = transit(outer, "AE -> CSE")
for secret in ("lamp/status", "req-0004", "m2m:cin", '"on"'):
    expect(secret not in text, "the transit CSE can read %r" % secret)
show("  [transit]", "  (no trace of the target, rqi, resource type or "
     "content of the inner request)")
print(flush=True)

say("The CSE unprotects it: the kernel finds the key by kid, its own rand "
    "object by rri, learns the AE's from oro and derives the same session "
    "key; then it answers in that session:")
answer = cse.call(cmd="serve", outer=outer)["outer"]
text = transit(answer, "CSE -> AE")
expect("cin_0002" not in text and '"rsc":2001' not in text,
       "the transit CSE can read the response")
print(flush=True)

say("The AE unprotects the response in its session 1:")
expect(ae.call(cmd="receive", outer=answer)["rsc"] == 2001,
       "the AE did not recover 2001 CREATED")
print(flush=True)

say("The sessions as each namespace's kernel lists them, and the counters:")
run(in_ns(AE["ns"], [CTL, "esprim", "session", "list"]))
run(in_ns(CSE["ns"], [CTL, "esprim", "session", "list"]))
run(in_ns(CSE["ns"], [CTL, "esprim", "stats"]))
ae.close()
cse.close()
