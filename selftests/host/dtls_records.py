#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Protect and unprotect DTLS 1.2/1.3 application records with the keys of
an m2msec static association file, independently of any TLS library.

The record codec is selftests/m2msec.py's, written from the RFCs in
Python and sharing nothing with the kernel, so that an exported key file
can be checked against real peers:

  decrypt KEYFILE CAPTURE --expect TEXT
        decrypt every record of the hex-encoded datagrams in CAPTURE (one per
        line, as written by dtls-keyexport --capture) with the RX keys;
        succeed when every record of the RX epoch authenticates, none is
        below rx-seq, and an application data record contains TEXT
  send KEYFILE TEXT [--expect TEXT] [--recv N] [--timeout S]
        from the key file's local address, send TEXT as one application data
        record protected with the TX keys at tx-seq; then optionally read up
        to N datagrams from the peer and check them as "decrypt" does

DTLS 1.2 (RFC 6347 4.1.2.1, RFC 5288, RFC 6655, RFC 7905):
  additional_data = epoch(2) seq(6) type(1) version(2) length(2)
  GCM/CCM nonce = salt(4) || explicit(8), explicit = epoch || seq, sent
  before the ciphertext; ChaCha20-Poly1305 nonce = iv XOR (epoch || seq)

DTLS 1.3 (RFC 9147 4, 4.2.3):
  unified header 001CSLEE [CID] seq(1|2) [length(2)]; additional_data is
  that header with the plain sequence number bits; nonce = iv XOR the
  64-bit record sequence number; then the sequence number bits are XORed
  with AES-ECB(sn_key, ciphertext[0:16]) (ChaCha20 for ChaCha20 suites)
"""
import argparse
import ipaddress
import os
import socket
import sys
import time

from cryptography.exceptions import InvalidTag

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
from m2msec import DTLS12, DTLS13, Keys, open12, open13, seal12, seal13  # noqa: E402

CT_NAMES = {20: "change_cipher_spec", 21: "alert", 22: "handshake",
            23: "application_data", 26: "ack"}


def parse_addr(s):
    if s.startswith("["):
        host, port = s[1:].split("]:")
    else:
        host, port = s.rsplit(":", 1)
    ip = ipaddress.ip_address(host)
    fam = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    return fam, (host, int(port))


def load_keyfile(path):
    kf = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, value = line.split()
                kf[name] = value
    for d in ("tx", "rx"):
        for k in ("key", "iv", "sn-key"):
            if d + "-" + k in kf:
                kf[d + "-" + k] = bytes.fromhex(kf[d + "-" + k])
        kf[d + "-epoch"] = int(kf[d + "-epoch"])
        kf[d + "-seq"] = int(kf[d + "-seq"])
    for k in ("tx-cid", "rx-cid"):
        kf[k] = bytes.fromhex(kf[k]) if k in kf else b""
    return kf


def keys(kf, d):
    """The TX ("tx") or RX ("rx") keys of a key file, for the record codec
    shared with the VM tests (selftests/m2msec.py)."""
    return Keys(kf["cipher"], DTLS13 if kf["version"] == "1.3" else DTLS12,
                key=kf[d + "-key"], iv=kf[d + "-iv"],
                sn=kf.get(d + "-sn-key") or None)


# --- DTLS 1.2 ---------------------------------------------------------------

def protect12(kf, seq, ctype, plain):
    return seal12(keys(kf, "tx"), kf["tx-epoch"], seq, plain, ctype=ctype,
                  cid=kf["tx-cid"])


def unprotect12(kf, d):
    """Yield (epoch, seq, ctype, plaintext or None) for each record."""
    k = keys(kf, "rx")
    while d:
        if len(d) < 13:
            raise ValueError("truncated DTLS 1.2 header")
        epoch, seq = int.from_bytes(d[3:5], "big"), int.from_bytes(d[5:11], "big")
        if epoch != kf["rx-epoch"]:
            off = 11 + (len(kf["rx-cid"]) if d[0] == 25 else 0)
            yield epoch, seq, d[0], None
            d = d[off + 2 + int.from_bytes(d[off:off + 2], "big"):]
            continue
        ctype, epoch, seq, pt, n = open12(k, d, len(kf["rx-cid"]))
        yield epoch, seq, ctype, pt
        d = d[n:]


# --- DTLS 1.3 ---------------------------------------------------------------

def protect13(kf, seq, ctype, plain):
    return seal13(keys(kf, "tx"), kf["tx-epoch"], seq, plain, ctype=ctype,
                  cid=kf["tx-cid"])


def _unified_len(d, cid_len):
    """Length of the DTLS 1.3 record at the start of @d."""
    off = 1 + (cid_len if d[0] & 0x10 else 0) + (2 if d[0] & 0x08 else 1)
    if d[0] & 0x04:
        return off + 2 + int.from_bytes(d[off:off + 2], "big")
    return len(d)


def unprotect13(kf, d, expected):
    """Yield (epoch, seq, ctype, plaintext or None) for each record."""
    k, cid = keys(kf, "rx"), kf["rx-cid"]
    while d:
        if d[0] & 0xe0 != 0x20:
            n = int.from_bytes(d[11:13], "big")
            yield int.from_bytes(d[3:5], "big"), \
                int.from_bytes(d[5:11], "big"), d[0], None
            d = d[13 + n:]
            continue
        if bool(d[0] & 0x10) != bool(cid) or \
                (cid and d[1:1 + len(cid)] != cid):
            raise ValueError("record CID does not match the key file's %s"
                             % cid.hex())
        if d[0] & 3 != kf["rx-epoch"] & 3:
            yield d[0] & 3, None, None, None
            d = d[_unified_len(d, len(cid)):]
            continue
        ctype, _, seq, pt, n = open13(k, d, expected, len(cid))
        expected = seq + 1
        yield kf["rx-epoch"], seq, ctype, pt
        d = d[n:]


# --- checks -----------------------------------------------------------------

def check(kf, datagrams, expect):
    v13 = kf["version"] == "1.3"
    found, ok, expected = False, True, kf["rx-seq"]
    for i, d in enumerate(datagrams):
        try:
            recs = list(unprotect13(kf, d, expected) if v13 else
                        unprotect12(kf, d))
        except InvalidTag:
            print("# datagram %d: a record of the RX epoch does not "
                  "authenticate with the exported keys" % i)
            ok = False
            continue
        except ValueError as e:
            print("# datagram %d: %s" % (i, e))
            ok = False
            continue
        for epoch, seq, ctype, plain in recs:
            if plain is None:
                print("# datagram %d: record of another epoch (%s), skipped"
                      % (i, epoch))
                continue
            expected = max(expected, seq + 1)
            print("# datagram %d: epoch %d seq %d %s: %r" %
                  (i, epoch, seq, CT_NAMES.get(ctype, ctype), plain[:60]))
            if seq < kf["rx-seq"]:
                print("# sequence number %d is below rx-seq %d" %
                      (seq, kf["rx-seq"]))
                ok = False
            if ctype == 23 and expect.encode() in plain:
                found = True
    if not found:
        print("# no application data record contains %r" % expect)
    return ok and found


def cmd_decrypt(a):
    kf = load_keyfile(a.keyfile)
    with open(a.capture) as f:
        dgrams = [bytes.fromhex(line.strip()) for line in f if line.strip()]
    return 0 if check(kf, dgrams, a.expect) else 1


def cmd_send(a):
    kf = load_keyfile(a.keyfile)
    fam, peer = parse_addr(kf["peer"])
    _, local = parse_addr(kf["local"])
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(local)
    s.connect(peer)
    protect = protect13 if kf["version"] == "1.3" else protect12
    rec = protect(kf, kf["tx-seq"], 23, a.text.encode())
    s.send(rec)
    print("# sent epoch %d seq %d application_data %r (%d bytes)" %
          (kf["tx-epoch"], kf["tx-seq"], a.text, len(rec)))
    if not a.recv:
        return 0
    dgrams, end = [], time.monotonic() + a.timeout
    while len(dgrams) < a.recv and time.monotonic() < end:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            dgrams.append(s.recv(65536))
        except (socket.timeout, ConnectionRefusedError):
            continue
    return 0 if check(kf, dgrams, a.expect) else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("decrypt", help="check captured datagrams")
    d.add_argument("keyfile")
    d.add_argument("capture")
    d.add_argument("--expect", required=True)
    s = sub.add_parser("send", help="send a record with the TX keys")
    s.add_argument("keyfile")
    s.add_argument("text")
    s.add_argument("--expect", default="")
    s.add_argument("--recv", type=int, default=0)
    s.add_argument("--timeout", type=float, default=3.0)
    a = p.parse_args()
    return cmd_decrypt(a) if a.cmd == "decrypt" else cmd_send(a)


if __name__ == "__main__":
    sys.exit(main())
