#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Demo step: a CSE-like CoAP server on a listening m2msec socket, an AE and
a sensor connecting to it; m2msecd runs each handshake in its namespace,
the kernel protects every record.

    coap_demo.py WORKDIR N_RECORDS

WORKDIR holds the m2msecd logs (cse-m2msecd.log, ae-m2msecd.log,
sensor-m2msecd.log) whose handshake lines are shown.  This process plays
the three applications: each socket is opened in its own network
namespace (the m2msec socket, its UDP socket and its handshakes belong to
the namespace it was created in), and each application only ever reads and
writes plaintext CoAP.
"""
import errno
import json
import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coap  # noqa: E402
import coapsock  # noqa: E402
from demolib import (AE, CSE, CTL, SENSOR, InNs, expect, fail,  # noqa: E402
                     in_ns, run, say, section, show)
from m2msec import (SO_SERVER_NAME, SOL_M2MSEC, dtls_socket,  # noqa: E402
                    sock_connect)

WORK, N_RECORDS = sys.argv[1], int(sys.argv[2])
PORT = 5684
CSE_NAME = "in-cse.example.net"


# --- the CSE ----------------------------------------------------------------
def ae_id(peer):
    """What a CSE does with the authenticated identity: map it to the
    AE-ID it may act as (here: the certificate's CN, or the PSK identity)."""
    if peer.startswith("x509:/CN="):
        return peer[len("x509:/CN="):].split(";")[0].split("/")[0]
    if peer.startswith("psk:"):
        return peer[4:]
    return None


class Cse:
    """A few oneM2M resources and the access rule that matters here: the
    From of a request must be the AE-ID bound to the DTLS peer."""

    def __init__(self, sock):
        self.sock, self.store = sock, {}

    def handle(self, msg, peer, aid, epoch):
        _, code, _, _, opts, payload = coap.decode(msg)
        o = dict(opts)
        path = "/" + "/".join(v.decode() for n, v in opts if n == 11)
        fr = o.get(256, b"").decode()
        pid = coapsock.peer_id(self.sock, aid)
        allowed = ae_id(pid)
        show("  [cse] got    ", coap.describe(msg))
        show("  [cse]        ", "from %s:%d, association %d, epoch %d, "
             "peer %s -> AE-ID %s" % (peer[0], peer[1], aid, epoch, pid,
                                       allowed))
        if fr != allowed:
            show("  [cse]        ", "From %s is not %s: access denied" %
                 (fr, allowed))
            rsp = coap.response(0x83, msg, 4103)        # ACCESS_DENIED
        elif code == 0x01 and path.endswith("/la"):
            cin = self.store.get(path[:-3])
            rsp = coap.response(0x45, msg, 2000, json.dumps(
                {"m2m:cin": cin}, separators=(",", ":")).encode()) \
                if cin else coap.response(0x84, msg, 4004)
        elif code == 0x01:
            rsp = coap.response(0x45, msg, 2000, b'{"m2m:cb":{"csi":"/in-cse",'
                                b'"rn":"in-cse","cst":1}}')
        else:
            con = json.loads(payload)["m2m:cin"]["con"]
            n = len(self.store) + 1
            self.store[path] = {"rn": "cin_%04d" % n, "con": con, "cr": fr}
            rsp = coap.response(0x41, msg, 2001, json.dumps(
                {"m2m:cin": self.store[path]}, separators=(",", ":")).encode())
        show("  [cse] answers", coap.describe(rsp))
        return rsp


# --- what crosses the CSE's link ---------------------------------------------
class Sniffer(threading.Thread):
    """The datagrams to and from UDP port 5684 on an interface, as a
    capture on the CSE's veth would see them (AF_PACKET; ETH_P_ALL, since
    only such taps see outgoing packets too)."""

    def __init__(self, ns, dev):
        super().__init__(daemon=True)
        with InNs(ns):
            self.s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                                   socket.htons(0x0003))
        self.s.bind((dev, 0x0003))
        self.s.settimeout(0.2)
        self.seen, self.stop = [], threading.Event()
        self.start()

    def run(self):
        while not self.stop.is_set():
            try:
                pkt, addr = self.s.recvfrom(65536)
            except socket.timeout:
                continue
            ihl = (pkt[0] & 0x0f) * 4
            if addr[1] != 0x0800 or pkt[9] != 17:
                continue        # not IPv4 / UDP
            sport, dport = struct.unpack_from(">HH", pkt, ihl)
            if PORT in (sport, dport):
                self.seen.append((socket.inet_ntoa(pkt[12:16]), sport,
                                  pkt[ihl + 8:]))

    def finish(self):
        self.stop.set()
        self.join()
        self.s.close()
        return self.seen


HS_TYPES = {1: "ClientHello", 2: "ServerHello", 3: "HelloVerifyRequest"}
# RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest.
HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891"
                           "c2a211167abb8c5e079e09e2c8a8339c")
CTYPES = {20: "ChangeCipherSpec", 21: "alert", 22: "handshake",
          23: "application data", 25: "CID record"}


def records(dgram):
    """One word per DTLS record of a datagram."""
    out, i = [], 0
    while i < len(dgram):
        b = dgram[i]
        if b in CTYPES and i + 13 <= len(dgram):    # DTLS 1.2-style header
            epoch = struct.unpack_from(">H", dgram, i + 3)[0]
            ln = struct.unpack_from(">H", dgram, i + 11)[0]
            if b == 22 and epoch == 0 and i + 13 < len(dgram):
                # record header 13, handshake header 12, legacy version 2
                hrr = dgram[i + 13] == 2 and \
                    dgram[i + 27:i + 59] == HRR_RANDOM
                out.append("HelloRetryRequest with a cookie (clear)" if hrr
                           else HS_TYPES.get(dgram[i + 13], "handshake") +
                           " (clear)")
            else:
                out.append("%s (epoch %d%s)" % (CTYPES[b], epoch, ", encrypted"
                                                if epoch else ""))
            i += 13 + ln
        elif b & 0xe0 == 0x20:      # DTLS 1.3 unified header (RFC 9147 4)
            hlen = 1 + (2 if b & 0x08 else 1)     # no CID in this demo
            ln = struct.unpack_from(">H", dgram, i + hlen)[0] if b & 0x04 \
                else len(dgram) - i - hlen
            # the true content type is inside the encryption
            out.append("encrypted, %s keys" % ("application traffic"
                                               if b & 3 == 3 else "handshake"))
            i += hlen + (2 if b & 0x04 else 0) + ln
        else:
            out.append("?")
            break
    return out


def wire_summary(seen, secrets):
    for src, sport, d in seen:
        who = "ae " if src == AE["v4"] else "cse"
        show("  [wire]", "%s %5d bytes  %s" % (
            "AE -> CSE" if who == "ae " else "CSE -> AE", len(d),
            ", ".join(records(d))))
    blob = b"".join(d for _, _, d in seen)
    for s in secrets:
        expect(s not in blob, "%r is visible on the wire" % s)
    expect(b"Clamp01" not in blob,
           "the AE's certificate is visible on the wire")
    say("Only the hellos travel in the clear: the CSE's first answer is a "
        "HelloRetryRequest whose cookie the AE's second ClientHello returns, "
        "proving its address. DTLS 1.3 encrypts the rest of the handshake, "
        "certificates included (the AE's name never appears), and hides the "
        "content type of every later record (application data, ACKs). None "
        "of %s is anywhere in these %d datagrams." % (
            ", ".join(repr(s.decode()) for s in secrets), len(seen)), 2)


# --- the clients -------------------------------------------------------------
def connect(who, ns, dst, name=None):
    with InNs(ns):
        s = dtls_socket()
    if name:
        s.setsockopt(SOL_M2MSEC, SO_SERVER_NAME, name.encode())
    show("  [%s]" % who, "socket(m2msec, SOCK_DGRAM, DTLS)%s; connect(%s:%d)" %
         (", server name %s" % name if name else "", dst, PORT))
    t0 = time.monotonic()
    try:
        sock_connect(s, (dst, PORT))
    except OSError as e:
        daemon_lines([ns, CSE["ns"]])
        fail("%s: connect() failed: %s (%s)" % (
            who.strip(), errno.errorcode.get(e.errno, e.errno), e.strerror))
    dt = time.monotonic() - t0
    show("  [%s]" % who, "connect() returned after %.2f s: association up, "
         "peer %s" % (dt, coapsock.peer_id(s, 0)))
    return s


def daemon_lines(names):
    """The handshake lines m2msecd logged so far, per namespace."""
    for ns in names:
        try:
            with open(os.path.join(WORK, "%s-m2msecd.log" % ns)) as f:
                lines = [ln.strip() for ln in f if " done in " in ln or
                         "failed" in ln]
        except OSError:
            lines = []
        for ln in lines[-1:]:
            show("  [m2msecd %s]" % ns, ln.replace("m2msecd: info: ", ""))


def exchange(who, sock, cse, req):
    show("  [%s] sends  " % who, coap.describe(req))
    sock.send(req)
    expect(coapsock.serve(cse.sock, cse.handle, 1, 30) == 1,
           "the CSE got no request")
    rsp = coapsock.recv(sock, 30)
    expect(rsp is not None, "%s: no response" % who)
    data, _, aid, epoch = rsp
    show("  [%s] got    " % who, coap.describe(data).splitlines()[0])
    show("  [%s]        " % who, "(association %d, epoch %d)" % (aid, epoch))
    print(flush=True)
    return data


def throughput(label, tx, rx, n, size=256):
    """n records of size bytes, tx -> rx, timed at the receiver from the
    first record to the last."""
    datas = [("record %06d " % i).encode().ljust(size, b".")
             for i in range(n)]
    got, first, last = [], [None], [None]

    def receive():
        batch = coapsock.Batch(64)
        count = 0
        while count < n:
            lens = batch.recv(rx, 10)
            if not lens:
                break
            now = time.monotonic()
            if first[0] is None:
                first[0], got[:] = now, [len(lens)]
            count += len(lens)
            last[0] = now
        got.append(count)

    t = threading.Thread(target=receive)
    t.start()
    sent = 0
    while sent < n:
        sent += coapsock.send_batch(tx, datas[sent:sent + 32])
    t.join()
    count, first_batch = got[-1], got[0] if got else 0
    expect(count == n, "%s: %d of %d records arrived" % (label, count, n))
    secs = max(last[0] - first[0], 1e-6)
    rate = (count - first_batch) / secs
    show("  [cse]", "%s: %d records of %d bytes in %.2f s: %d records/s "
         "(%.1f Mbit/s of payload)" % (label, count, size, secs, rate,
                                       rate * size * 8 / 1e6))


# --- the story ---------------------------------------------------------------
with InNs(CSE["ns"]):
    cse_sock = coapsock.server_socket("0.0.0.0", PORT)
cse = Cse(cse_sock)
show("  [cse]", "socket(m2msec, SOCK_DGRAM, DTLS); bind(0.0.0.0:%d); listen()"
     % PORT)
say("The CSE's socket is listening: a ClientHello from an unknown peer makes "
    "the kernel ask the CSE's m2msecd for a handshake. The AE connects with "
    "the CSE's name (SNI, checked against the CSE's certificate):", 0)
sniffer = Sniffer(CSE["ns"], "cse0")
ae = connect("ae ", AE["ns"], CSE["v4"], CSE_NAME)
daemon_lines(["ae", "cse"])
print(flush=True)

say("Now the AE speaks CoAP over the connected socket: plaintext in, "
    "plaintext out. The CSE gets each request with its association and epoch, "
    "asks the kernel for that association's authenticated peer "
    "(M2MSEC_SO_PEER_ID) and maps it to the AE-ID the request must come "
    "from:")
exchange("ae ", ae, cse, coap.request(0x01, "/~/in-cse", "Clamp01",
                                      "req-0001", 0x1a01, b"\x5a\x01"))
exchange("ae ", ae, cse, coap.request(
    0x02, "/~/in-cse/in-name/lamp/status", "Clamp01", "req-0002", 0x1a02,
    b"\x5a\x02", b'{"m2m:cin":{"con":"on"}}', ty=4))
exchange("ae ", ae, cse, coap.request(
    0x01, "/~/in-cse/in-name/lamp/status/la", "Clamp01", "req-0003", 0x1a03,
    b"\x5a\x03"))
say("The same AE claiming to be someone else is refused, because the CSE "
    "trusts the DTLS identity, not the From it is told:")
r = exchange("ae ", ae, cse, coap.request(
    0x02, "/~/in-cse/in-name/lamp/status", "CAdmin", "req-0004", 0x1a04,
    b"\x5a\x04", b'{"m2m:cin":{"con":"off"}}', ty=4))
expect(r[1] == 0x83, "the forged From was not refused")

say("What crossed the CSE's link meanwhile (an AF_PACKET capture on cse0):")
wire_summary(sniffer.finish(), [b'"con":"on"', b"in-name", b"req-0002"])
print(flush=True)

say("A second device, a sensor with only a pre-shared key and a DTLS 1.2 "
    "stack (its m2msecd offers DTLS 1.2 only), joins over its own link: "
    "TLS_PSK_WITH_AES_128_CCM_8, the oneM2M mandatory PSK suite. Same CSE "
    "socket, a second association:")
sensor = connect("sen", SENSOR["ns"], CSE["v4b"])
daemon_lines(["sensor", "cse"])
exchange("sen", sensor, cse, coap.request(
    0x02, "/~/in-cse/in-name/sensor/temp", "Csensor02", "req-0005", 0x2b01,
    b"\x2b\x01", b'{"m2m:cin":{"con":"21.5"}}', ty=4))

section("4. The associations, and a throughput figure")
say("The associations as each kernel sees them: version, cipher suite, "
    "the authenticated peer m2msecd reported, crypto driver, epochs, "
    "sequence numbers and counters (no key material is ever part of a "
    "dump). The CSE's socket has two, one per device:")
run(in_ns(CSE["ns"], [CTL, "assoc", "show"]))
run(in_ns(AE["ns"], [CTL, "assoc", "show"]))
print(flush=True)

say("Throughput over these same associations: %d records of 256 bytes from "
    "each device to the CSE (sendmmsg/recvmmsg in batches). A demo figure "
    "measured under QEMU's software emulation with every party on the same "
    "two virtual CPUs: not a benchmark." % N_RECORDS)
for who, sock in (("AE ", ae), ("sen", sensor)):
    st = list(coapsock.assoc_stats(sock).values())[0]
    throughput("%s -> CSE, %s %-13s" % (who, st["version"], st["cipher"]),
               sock, cse_sock, N_RECORDS)
for st in coapsock.assoc_stats(cse_sock).values():
    expect(st["auth_fail"] == 0 and st["replay"] == 0,
           "authentication failures or replays counted")
for s in (ae, sensor, cse_sock):
    s.close()
say("Sockets closed: the kernel sent close_notify to each peer and dropped "
    "the associations.")
