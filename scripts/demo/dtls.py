#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Demo step: CoAP-looking requests and responses over kernel DTLS between
the "ae" and "cse" namespaces, one m2msec-nc per end of each association.

    dtls.py KEYDIR

KEYDIR holds v4-{ae,cse}.key (DTLS 1.2, AES-128-CCM-8, IPv4),
v6-{ae,cse}.key (DTLS 1.3, AES-128-GCM, IPv6) and wire-{ae,cse}.key (the
AE towards a plain UDP socket on the CSE host).  This script plays the two
applications: it writes requests into the AE's m2msec-nc and responses
into the CSE's, and reads what each receives (-v tells where each record
ends and which association and epoch it came with).
"""
import os
import re
import select
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coap  # noqa: E402
from demolib import (AE, CSE, CTL, NC, echo_cmd, expect, fail, in_ns, run,  # noqa: E402
                     say, show, InNs)

KEYDIR = sys.argv[1]
RX_LINE = re.compile(r"m2msec-nc: (\d+) bytes from (\S+), association (\d+), "
                     r"epoch (\d+)")


class Nc:
    """One m2msec-nc (-v -c -k KEYFILE) in a namespace."""

    def __init__(self, who, ns, keyfile, listen=False):
        self.who = who
        argv = [NC] + (["-l"] if listen else []) + \
            ["-v", "-c", "-q", "0", "-k", keyfile]
        echo_cmd(in_ns(ns, argv) + ["&"])
        self.p = subprocess.Popen(in_ns(ns, argv), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, bufsize=0)
        self.err = b""
        line = self.line()
        m = re.search(r"association (\d+) installed", line)
        expect(m, "%s: m2msec-nc did not install its association: %s" %
               (who, line))
        self.assoc = int(m.group(1))
        show("  [%s]" % who, line)

    def _read(self, fd, n, timeout=10):
        deadline = time.monotonic() + timeout
        out = b""
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                fail("%s: nothing from m2msec-nc within %d s" %
                     (self.who, timeout))
            chunk = os.read(fd, n - len(out))
            if not chunk:
                fail("%s: m2msec-nc ended: %s" % (self.who, self.err.decode()))
            out += chunk
        return out

    def line(self):
        while b"\n" not in self.err:
            self.err += self._read(self.p.stderr.fileno(), 1)
        ln, self.err = self.err.split(b"\n", 1)
        return ln.decode()

    def send(self, data):
        # -c: one read() of standard input is one record.
        os.write(self.p.stdin.fileno(), data)

    def recv(self):
        """One record: (data, the -v line, association, epoch)."""
        ln = self.line()
        m = RX_LINE.search(ln)
        expect(m, "%s: unexpected m2msec-nc output: %s" % (self.who, ln))
        data = self._read(self.p.stdout.fileno(), int(m.group(1)))
        return data, ln, int(m.group(3)), int(m.group(4))

    def close(self):
        self.p.stdin.close()
        rc = self.p.wait(10)
        expect(rc == 0, "%s: m2msec-nc exited with %d" % (self.who, rc))


def exchange(ae, cse, req, rsp_code, rsc, rsp_payload, want_epoch):
    show("  [ae ] sends  ", coap.describe(req))
    ae.send(req)
    data, ln, aid, epoch = cse.recv()
    expect(data == req, "the CSE received something else than the request")
    expect(aid == cse.assoc and epoch == want_epoch,
           "association %d epoch %d, expected %d / %d" %
           (aid, epoch, cse.assoc, want_epoch))
    show("  [cse]", ln)
    show("  [cse] got    ", coap.describe(data))
    rsp = coap.response(rsp_code, data, rsc, rsp_payload)
    show("  [cse] answers", coap.describe(rsp))
    cse.send(rsp)
    data, ln, aid, epoch = ae.recv()
    expect(data == rsp and aid == ae.assoc and epoch == want_epoch,
           "the AE did not get the response back intact")
    show("  [ae ]", ln)
    print(flush=True)


def key(name, who):
    return os.path.join(KEYDIR, "%s-%s.key" % (name, who))


say("Each end runs m2msec-nc with its key file: the program adds both keys "
    "to its keyring and installs the association on its m2msec socket "
    "(M2MSEC_CMD_ASSOC_NEW). From then on it only reads and writes plaintext; "
    "the kernel seals and opens the records.")
cse4 = Nc("cse", CSE["ns"], key("v4", "cse"), listen=True)
ae4 = Nc("ae ", AE["ns"], key("v4", "ae"))
cse6 = Nc("cse", CSE["ns"], key("v6", "cse"), listen=True)
ae6 = Nc("ae ", AE["ns"], key("v6", "ae"))
print(flush=True)

say("DTLS 1.2, AES-128-CCM-8 (the cipher of TLS_PSK_WITH_AES_128_CCM_8, "
    "mandatory in oneM2M), IPv4 %s:5684 -> %s:5684:" % (AE["v4"], CSE["v4"]))
get = coap.request(0x01, "/~/in-cse", "Clamp01", "req-0001", 0x1a01,
                   b"\x5a\x01")
exchange(ae4, cse4, get, 0x45, 2000,
         b'{"m2m:cb":{"csi":"/in-cse","rn":"in-cse","cst":1}}', 1)
post = coap.request(0x02, "/~/in-cse/in-name/lamp/status", "Clamp01",
                    "req-0002", 0x1a02, b"\x5a\x02",
                    b'{"m2m:cin":{"con":"on"}}', ty=4)
exchange(ae4, cse4, post, 0x41, 2001,
         b'{"m2m:cin":{"rn":"cin_0001","con":"on","st":1}}', 1)

say("DTLS 1.3, AES-128-GCM, IPv6 [%s]:5684 -> [%s]:5684 (epoch 3: the "
    "first application data epoch of DTLS 1.3):" % (AE["v6"], CSE["v6"]))
get6 = coap.request(0x01, "/~/in-cse/in-name/lamp", "Clamp01", "req-0003",
                    0x1a03, b"\x5a\x03")
exchange(ae6, cse6, get6, 0x45, 2000,
         b'{"m2m:ae":{"rn":"lamp","aei":"Clamp01","api":"Nlamp"}}', 3)

say("The associations as the CSE's kernel sees them (no key material is "
    "ever part of a dump), and the namespace's record counters:")
run(in_ns(CSE["ns"], [CTL, "assoc", "show"]))
run(in_ns(CSE["ns"], [CTL, "stats"]))
print(flush=True)

say("What crosses the link: the AE's kernel sends the first request once more, "
    "under a third association whose peer is a plain UDP socket on the CSE host "
    "(%s:5685) instead of an m2msec socket. It receives exactly the datagram "
    "a sniffer on the veth would see:" % CSE["v4"])
with InNs(CSE["ns"]):
    plain = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
plain.bind((CSE["v4"], 5685))
plain.settimeout(10)
aew = Nc("ae ", AE["ns"], key("wire", "ae"))
aew.send(get)
wire, src = plain.recvfrom(2048)
show("  [udp]", "%d bytes from %s:%d: %s" % (len(wire), src[0], src[1],
                                             wire.hex(" ")))
expect(wire[0] == 23 and wire[1:3] == b"\xfe\xfd",
       "not a DTLS 1.2 application_data record")
expect(get not in wire and b"in-cse" not in wire and b"Clamp01" not in wire,
       "plaintext visible on the wire")
show("  [udp]", "17 = application_data, fe fd = DTLS 1.2, epoch %d, "
     "sequence %d, length %d; then the 8-byte explicit nonce, the "
     "ciphertext and the 8-byte CCM-8 tag" % (
         int.from_bytes(wire[3:5], "big"), int.from_bytes(wire[5:11], "big"),
         int.from_bytes(wire[11:13], "big")))
show("  [udp]", "the plaintext (%d bytes, '~', 'in-cse', 'Clamp01', ...) "
     "appears nowhere in it" % len(get))
aew.close()
plain.close()
print(flush=True)

for nc in (ae4, ae6, cse4, cse6):
    nc.close()
say("All m2msec-nc processes ended with status 0; closing the sockets sent "
    "close_notify alerts and removed the associations.")
