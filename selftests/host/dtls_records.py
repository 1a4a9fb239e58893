#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Protect and unprotect DTLS 1.2/1.3 application records with the keys of
an m2msec static association file, independently of any TLS library.

This is the record layer the kernel implements, written again from the
RFCs in a few lines of Python, so that an exported key file can be checked
against real peers:

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
import socket
import sys
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import (AESCCM, AESGCM,
                                                         ChaCha20Poly1305)
from cryptography.exceptions import InvalidTag

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


def aead(kf, key):
    c = kf["cipher"]
    if c in ("AES-128-GCM", "AES-256-GCM"):
        return AESGCM(key)
    if c == "AES-128-CCM":
        return AESCCM(key, tag_length=16)
    if c == "AES-128-CCM-8":
        return AESCCM(key, tag_length=8)
    if c == "CHACHA20-POLY1305":
        return ChaCha20Poly1305(key)
    raise ValueError("unknown cipher " + c)


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def nonce_from_iv(iv, seq64):
    return xor(iv, b"\0" * 4 + seq64.to_bytes(8, "big"))


def sn_mask(kf, sn_key, ct):
    if len(ct) < 16:
        raise ValueError("record too short for record number protection")
    if kf["cipher"] == "CHACHA20-POLY1305":
        enc = Cipher(algorithms.ChaCha20(sn_key, ct[:16]), None).encryptor()
        return enc.update(b"\0" * 16)
    enc = Cipher(algorithms.AES(sn_key), modes.ECB()).encryptor()
    return enc.update(ct[:16]) + enc.finalize()


def expand_seq(low, bits, expected):
    """Full sequence number nearest to @expected (RFC 9147 4.2.2)."""
    win = 1 << bits
    cand = (expected & ~(win - 1)) | low
    if cand > expected + win // 2 and cand >= win:
        cand -= win
    elif cand + win // 2 < expected:
        cand += win
    return cand


# --- DTLS 1.2 ---------------------------------------------------------------

def protect12(kf, seq, ctype, plain):
    epoch, key, iv = kf["tx-epoch"], kf["tx-key"], kf["tx-iv"]
    es = epoch.to_bytes(2, "big") + seq.to_bytes(6, "big")
    aad = es + bytes([ctype]) + b"\xfe\xfd" + len(plain).to_bytes(2, "big")
    if len(iv) == 4:
        body = es + aead(kf, key).encrypt(iv + es, plain, aad)
    else:
        body = aead(kf, key).encrypt(nonce_from_iv(iv, int.from_bytes(es, "big")),
                                     plain, aad)
    return bytes([ctype]) + b"\xfe\xfd" + es + len(body).to_bytes(2, "big") + body


def unprotect12(kf, d):
    """Yield (epoch, seq, ctype, plaintext or None) for each record."""
    key, iv = kf["rx-key"], kf["rx-iv"]
    tag = 8 if kf["cipher"] == "AES-128-CCM-8" else 16
    while d:
        if len(d) < 13:
            raise ValueError("truncated DTLS 1.2 header")
        ctype, epoch = d[0], int.from_bytes(d[3:5], "big")
        seq = int.from_bytes(d[5:11], "big")
        n = int.from_bytes(d[11:13], "big")
        body, d = d[13:13 + n], d[13 + n:]
        if epoch != kf["rx-epoch"]:
            yield epoch, seq, ctype, None
            continue
        es = d_es = epoch.to_bytes(2, "big") + seq.to_bytes(6, "big")
        if len(iv) == 4:
            explicit, ct = body[:8], body[8:]
            nonce = iv + explicit
        else:
            ct = body
            nonce = nonce_from_iv(iv, int.from_bytes(d_es, "big"))
        aad = es + bytes([ctype]) + b"\xfe\xfd" + \
            (len(ct) - tag).to_bytes(2, "big")
        yield epoch, seq, ctype, aead(kf, key).decrypt(nonce, ct, aad)


# --- DTLS 1.3 ---------------------------------------------------------------

def protect13(kf, seq, ctype, plain):
    epoch = kf["tx-epoch"]
    cid = kf["tx-cid"]
    flags = 0x20 | 0x08 | 0x04 | (epoch & 3) | (0x10 if cid else 0)
    inner = plain + bytes([ctype])
    tag = 8 if kf["cipher"] == "AES-128-CCM-8" else 16
    hdr = bytes([flags]) + cid + (seq & 0xffff).to_bytes(2, "big") + \
        (len(inner) + tag).to_bytes(2, "big")
    ct = aead(kf, kf["tx-key"]).encrypt(nonce_from_iv(kf["tx-iv"], seq), inner, hdr)
    mask = sn_mask(kf, kf["tx-sn-key"], ct)
    off = 1 + len(cid)
    hdr = hdr[:off] + xor(hdr[off:off + 2], mask[:2]) + hdr[off + 2:]
    return hdr + ct


def unprotect13(kf, d, expected):
    """Yield (epoch, seq, ctype, plaintext or None) for each record."""
    while d:
        if d[0] & 0xe0 != 0x20:
            n = int.from_bytes(d[11:13], "big")
            yield int.from_bytes(d[3:5], "big"), \
                int.from_bytes(d[5:11], "big"), d[0], None
            d = d[13 + n:]
            continue
        flags, off = d[0], 1
        if flags & 0x10:
            cid = d[1:1 + len(kf["rx-cid"])]
            if cid != kf["rx-cid"]:
                raise ValueError("CID %s, expected %s" %
                                 (cid.hex(), kf["rx-cid"].hex()))
            off += len(cid)
        elif kf["rx-cid"]:
            raise ValueError("record without the CID the key file expects")
        sbytes = 2 if flags & 0x08 else 1
        soff = off
        off += sbytes
        if flags & 0x04:
            n = int.from_bytes(d[off:off + 2], "big")
            off += 2
        else:
            n = len(d) - off
        ct = d[off:off + n]
        hdr = bytearray(d[:off])
        d = d[off + n:]
        if flags & 3 != kf["rx-epoch"] & 3:
            yield flags & 3, None, None, None
            continue
        mask = sn_mask(kf, kf["rx-sn-key"], ct)
        hdr[soff:soff + sbytes] = xor(hdr[soff:soff + sbytes], mask[:sbytes])
        seq = expand_seq(int.from_bytes(hdr[soff:soff + sbytes], "big"),
                         8 * sbytes, expected)
        inner = aead(kf, kf["rx-key"]).decrypt(
            nonce_from_iv(kf["rx-iv"], seq), ct, bytes(hdr))
        inner = inner.rstrip(b"\0")
        expected = seq + 1
        yield kf["rx-epoch"], seq, inner[-1], inner[:-1]


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
