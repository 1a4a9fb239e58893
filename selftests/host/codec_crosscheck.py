#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Independent cross-check of m2msec's record-layer building blocks.

Everything the kernel code computes for DTLS records (AADs, headers,
nonces, parsing, sequence number and epoch reconstruction, HkdfLabel and
HKDF-Expand-Label) is recomputed here in Python straight from the RFC text,
for a few thousand random inputs each, and compared with the C code driven
through selftests/host/codec_cli.  Python's standard library is enough; when
the "cryptography" package is installed its HKDFExpand is used as a third
HKDF implementation.  Output is KTAP, one line per family of values.

Usage: codec_crosscheck.py [PATH-TO-codec_cli]
"""
import hashlib
import hmac
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "codec_cli")
RNG = random.Random(0x6D326D)  # deterministic: a failure replays
N = 3000

EMSGSIZE, EBADMSG, EINVAL = 90, 74, 22
SEQ_MAX = (1 << 48) - 1
CIPHERS = {1: "gcm", 2: "gcm", 3: "chacha", 4: "ccm", 5: "ccm8"}


def be(v, n):
    return (v & ((1 << (8 * n)) - 1)).to_bytes(n, "big")


# ---- DTLS 1.2: RFC 6347 4.1, RFC 5246 6.2.3.3, RFC 9146 4 and 5.3


def aad12(ctype, epoch, seq, cid, plen):
    if not cid:
        return be(epoch, 2) + be(seq, 6) + bytes([ctype]) + b"\xfe\xfd" + be(plen, 2)
    return (b"\xff" * 8 + bytes([25, len(cid), 25]) + b"\xfe\xfd" + be(epoch, 2)
            + be(seq, 6) + cid + be(plen, 2))


def hdr12(ctype, epoch, seq, cid, flen):
    return bytes([25 if cid else ctype]) + b"\xfe\xfd" + be(epoch, 2) + be(seq, 6) + cid + be(flen, 2)


def nonce12(cipher, iv, epoch, seq):
    seqnum = be(epoch, 2) + be(seq, 6)
    kind = CIPHERS.get(cipher)
    if kind == "chacha":  # RFC 7905 2
        return bytes(a ^ b for a, b in zip(iv, b"\0\0\0\0" + seqnum)), b""
    if kind:  # RFC 5288 3, RFC 6655 3
        return iv[:4] + seqnum, seqnum
    return b"\0" * 12, b""


def parse12(cid_len, rec):
    if len(rec) < 13:
        return ("err", EMSGSIZE)
    ctype, version, epoch = rec[0], int.from_bytes(rec[1:3], "big"), int.from_bytes(rec[3:5], "big")
    hlen = 13
    if ctype == 25:
        if cid_len == 0 or epoch == 0:
            return ("err", EBADMSG)
        hlen += cid_len
    elif ctype not in (20, 21, 22, 23, 24, 26):
        return ("err", EBADMSG)
    # A record without CID parses whatever cid_len is (a peer without
    # CID on a socket that has them); its association decides.
    if not (version == 0xFEFD or (ctype == 22 and version == 0xFEFF)):
        return ("err", EBADMSG)
    if len(rec) < hlen:
        return ("err", EMSGSIZE)
    length = int.from_bytes(rec[hlen - 2:hlen], "big")
    if length > 16384 + 2048:
        return ("err", EBADMSG)
    if len(rec) - hlen < length:
        return ("err", EMSGSIZE)
    cid = rec[11:11 + cid_len] if ctype == 25 else b""
    return (hlen + length, ctype, version, epoch, int.from_bytes(rec[5:11], "big"), cid, length, hlen)


# ---- DTLS 1.3: RFC 9147 4, 4.2.2, 4.2.3, RFC 8446 5.3


def hdr13(epoch, seq, cid, ct_len, short):
    first = 0x20 | 0x04 | (epoch & 3) | (0x10 if cid else 0) | (0 if short else 0x08)
    return bytes([first]) + cid + (be(seq, 1) if short else be(seq, 2)) + be(ct_len, 2)


def parse13(cid_len, rec):
    if not rec:
        return ("err", EMSGSIZE)
    first = rec[0]
    if first >> 5 != 1:
        return ("err", EBADMSG)
    has_cid = bool(first & 0x10)
    if has_cid and not cid_len:
        return ("err", EBADMSG)
    off = 1 + (cid_len if has_cid else 0)
    slen = 2 if first & 0x08 else 1
    hlen = off + slen + (2 if first & 0x04 else 0)
    if len(rec) < hlen:
        return ("err", EMSGSIZE)
    if first & 0x04:
        length = int.from_bytes(rec[off + slen:off + slen + 2], "big")
        if length > 16384 + 256:
            return ("err", EBADMSG)
        if len(rec) - hlen < length:
            return ("err", EMSGSIZE)
    else:
        length = len(rec) - hlen
        if length > 16384 + 256:
            return ("err", EBADMSG)
    return (hlen + length, first, first & 3, slen, int(bool(first & 0x04)),
            rec[1:1 + cid_len] if has_cid else b"",
            int.from_bytes(rec[off:off + slen], "big"), off, hlen, length)


def mask13(cid_len, rec, mask):
    off = 1 + (cid_len if rec[0] & 0x10 else 0)
    slen = 2 if rec[0] & 0x08 else 1
    masked = bytearray(rec)
    for i in range(slen):
        masked[off + i] ^= mask[i]
    return bytes(masked), bytes(rec)


def seq13(expected, trunc, bits):
    """The value <= 2^48-1 with these low bits closest to expected (capped
    at 2^48); ties go to the higher one (RFC 9000 A.3's window)."""
    if bits < 1 or bits > 16:
        bits = 16
    win = 1 << bits
    e = min(expected, SEQ_MAX + 1)
    trunc &= win - 1
    cands = [c for c in range(e - e % win + trunc - 2 * win, e + 3 * win, win) if 0 <= c <= SEQ_MAX]
    return min(cands, key=lambda c: (abs(c - e), -c))


def epoch13(cur, bits):
    e = next(x for x in range(cur - 2, cur + 2) if x & 3 == bits)
    return None if e < 1 or e >= (1 << 64) - 1 else e


def nonce13(iv, seq):
    return bytes(a ^ b for a, b in zip(iv, b"\0\0\0\0" + be(seq, 8)))


def classify(b):
    if not b:
        return -EBADMSG
    if b[0] in (20, 21, 22, 23, 24, 26):
        return 1
    if b[0] == 25:
        return 2
    if 32 <= b[0] <= 63:
        return 3
    return -EBADMSG


def inner(pt):
    n = len(pt)
    while n and pt[n - 1] == 0:
        n -= 1
    return ("err", EBADMSG) if n == 0 else (pt[n - 1], n - 1)


# ---- HKDF: RFC 8446 7.1 with the RFC 9147 5.9 prefix, RFC 5869 2.3


def hkdf_label(length, label, ctx):
    full = b"dtls13" + label
    if not 7 <= len(full) <= 255:
        return None
    return be(length, 2) + bytes([len(full)]) + full + bytes([len(ctx)]) + ctx


def hkdf_expand(hname, prk, info, length):
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hname).digest()
        out += t
        i += 1
    return out[:length]


# ---- plumbing


def hx(b):
    return b.hex() if b else "-"


def fmt(res):
    if res[0] == "err":
        return "err %d" % res[1]
    return " ".join(hx(x) if isinstance(x, (bytes, bytearray)) else str(x) for x in res)


def run_cli(lines):
    out = subprocess.run([CLI], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=True).stdout.splitlines()
    if len(out) != len(lines):
        raise RuntimeError("codec_cli answered %d lines for %d commands" % (len(out), len(lines)))
    return out


def rand_bytes(n):
    return RNG.getrandbits(8 * n).to_bytes(n, "big") if n else b""


def rand_seq():
    return RNG.choice([0, 1, SEQ_MAX, RNG.getrandbits(48), RNG.getrandbits(16), RNG.getrandbits(64)])


def mutate(rec):
    rec = bytearray(rec)
    k = RNG.randrange(4)
    if k == 0 and rec:
        rec[RNG.randrange(len(rec))] = RNG.getrandbits(8)
    elif k == 1:
        del rec[RNG.randrange(len(rec) + 1):]
    elif k == 2:
        rec += rand_bytes(RNG.randrange(40))
    return bytes(rec)


def case_aad12():
    cid = rand_bytes(RNG.choice([0, 0, 1, 4, 8, 32, 255]))
    a = (RNG.choice([20, 21, 22, 23, 26]), RNG.getrandbits(16), rand_seq(), cid, RNG.getrandbits(16))
    return "aad12 %d %d %d %s %d" % (a[0], a[1], a[2], hx(a[3]), a[4]), hx(aad12(*a))


def case_hdr12():
    cid = rand_bytes(RNG.choice([0, 0, 2, 16, 255]))
    a = (RNG.choice([21, 22, 23]), RNG.getrandbits(16), rand_seq(), cid, RNG.getrandbits(16))
    return "hdr12 %d %d %d %s %d" % (a[0], a[1], a[2], hx(a[3]), a[4]), hx(hdr12(*a))


def case_nonce12():
    c = RNG.choice([0, 1, 2, 3, 4, 5, 6])
    iv = rand_bytes(12)
    e, s = RNG.getrandbits(16), rand_seq()
    n, x = nonce12(c, iv, e, s)
    return "nonce12 %d %s %d %d" % (c, hx(iv), e, s), "%s %s" % (hx(n), hx(x))


def case_parse12():
    cid_len = RNG.choice([0, 0, 1, 4, 8])
    ctype = RNG.choice([20, 21, 22, 23, 24, 26, 25, 25, 25, 0, 27, 0x2C])
    version = RNG.choice([0xFEFD] * 6 + [0xFEFF, 0xFEFC, 0x0303])
    epoch = RNG.choice([0, 0, 1, 2, 0xFFFF]) if ctype != 25 or RNG.random() < 0.2 else RNG.choice([1, 2, 0xFFFF])
    if cid_len and ctype != 25 and RNG.random() < 0.8:
        epoch = 0
    cid = rand_bytes(RNG.choice([cid_len] * 4 + [0, 3])) if ctype == 25 else b""
    length = RNG.choice([0, 1, 16, 100, 200, 18432, 18433, RNG.getrandbits(16)])
    body = rand_bytes(length) if length <= 300 else bytes(length)
    rec = bytes([ctype]) + be(version, 2) + be(epoch, 2) + be(rand_seq(), 6) + cid + be(length, 2) + body
    if RNG.random() < 0.3:
        rec = mutate(rec)
    return "parse12 %d %s" % (cid_len, hx(rec)), fmt(parse12(cid_len, rec))


def case_hdr13():
    cid = rand_bytes(RNG.choice([0, 0, 1, 4, 20, 255]))
    a = (RNG.getrandbits(64), RNG.getrandbits(64), cid, RNG.getrandbits(16), RNG.randrange(2))
    return "hdr13 %d %d %s %d %d" % (a[0], a[1], hx(a[2]), a[3], a[4]), hx(hdr13(*a))


def case_parse13():
    cid_len = RNG.choice([0, 0, 1, 4, 8])
    first = RNG.choice([0x20 | RNG.getrandbits(5)] * 4 + [RNG.getrandbits(8)])
    if RNG.random() < 0.7:
        first = (first & ~0x10) | (0x10 if cid_len else 0)
    cid = rand_bytes(cid_len) if first & 0x10 else b""
    seq = rand_bytes(2 if first & 0x08 else 1)
    length = RNG.choice([0, 15, 16, 40, 200, 16640, 16641, RNG.getrandbits(16)])
    body_len = length if first & 0x04 else RNG.choice([0, 16, 100, 16640, 16641])
    body = bytes(body_len) if body_len > 300 else rand_bytes(body_len)
    rec = bytes([first]) + cid + seq + (be(length, 2) if first & 0x04 else b"") + body
    if RNG.random() < 0.3:
        rec = mutate(rec)
    return "parse13 %d %s" % (cid_len, hx(rec)), fmt(parse13(cid_len, rec))


def case_mask13():
    cid = rand_bytes(RNG.choice([0, 2, 8]))
    rec = hdr13(RNG.getrandbits(64), RNG.getrandbits(64), cid, 16, RNG.randrange(2)) + rand_bytes(16)
    mask = rand_bytes(16)
    m, back = mask13(len(cid), rec, mask)
    return "mask13 %d %s %s" % (len(cid), hx(rec), hx(mask)), "%s %s" % (hx(m), hx(back))


def case_seq13():
    bits = RNG.choice([8, 16, 8, 16, 0, 20])
    base = RNG.choice([0, 0x80, 0x100, 0x8000, 0x10000, SEQ_MAX, SEQ_MAX + 1, RNG.getrandbits(48)])
    e = max(0, base + RNG.randrange(-70000, 70000))
    if RNG.random() < 0.05:
        e = RNG.getrandbits(64)
    t = RNG.getrandbits(16)
    return "seq13 %d %d %d" % (e, t, bits), str(seq13(e, t, bits))


def case_epoch13():
    cur = RNG.choice([0, 1, 2, 3, 4, RNG.getrandbits(16), (1 << 64) - 2, (1 << 64) - 1, RNG.getrandbits(64)])
    b = RNG.randrange(4)
    r = epoch13(cur, b)
    return "epoch13 %d %d" % (cur, b), "none" if r is None else str(r)


def case_nonce13():
    iv, s = rand_bytes(12), RNG.getrandbits(64)
    return "nonce13 %s %d" % (hx(iv), s), hx(nonce13(iv, s))


def case_classify():
    b = rand_bytes(RNG.choice([0, 1, 5]))
    return "classify %s" % hx(b), str(classify(b))


def case_inner():
    pt = rand_bytes(RNG.randrange(0, 20)) + bytes([RNG.choice([0, 21, 22, 23, 26])]) + bytes(RNG.randrange(0, 20))
    return "inner %s" % hx(pt), fmt(inner(pt))


def rand_label():
    return RNG.choice([b"key", b"iv", b"sn", b"traffic upd", b"derived", b"",
                       bytes(RNG.choice(b"abcdefghij ") for _ in range(RNG.choice([1, 100, 249, 250])))])


def case_label():
    lab, ctx, n = rand_label(), rand_bytes(RNG.choice([0, 0, 32, 48, 255])), RNG.getrandbits(16)
    want = hkdf_label(n, lab, ctx)
    return "label %d %s %s" % (n, hx(lab), hx(ctx)), hx(want) if want else "-"


def hkdf_inputs():
    hname, hlen = RNG.choice([("sha256", 32), ("sha384", 48)])
    lab = RNG.choice([b"key", b"iv", b"sn", b"traffic upd", b"derived"])
    n = {b"key": RNG.choice([16, 32]), b"iv": 12, b"sn": RNG.choice([16, 32])}.get(lab, hlen)
    if RNG.random() < 0.2:
        n = RNG.choice([1, 100, 255])
    ctx = rand_bytes(RNG.choice([0, 0, hlen]))
    return hname, rand_bytes(hlen), lab, ctx, n


def case_hkdf():
    hname, secret, lab, ctx, n = hkdf_inputs()
    okm = hkdf_expand(hname, secret, hkdf_label(n, lab, ctx), n)
    return "hkdf %s %s %s %s %d" % (hname.upper(), hx(secret), hx(lab), hx(ctx), n), hx(okm)


FAMILIES = [
    (case_aad12, "DTLS 1.2 AADs with and without CID equal RFC 5246 6.2.3.3 / RFC 9146 5.3 built in Python"),
    (case_hdr12, "DTLS 1.2 headers with and without CID equal RFC 6347 4.1 / RFC 9146 4 built in Python"),
    (case_nonce12, "DTLS 1.2 nonces and explicit parts for every cipher equal RFC 5288 / 6655 / 7905 built in Python"),
    (case_parse12, "DTLS 1.2 parse results on valid and mutated records equal a Python parser of the same rules"),
    (case_hdr13, "DTLS 1.3 unified headers equal RFC 9147 Figure 3 built in Python"),
    (case_parse13, "DTLS 1.3 parse results on valid and mutated records equal a Python parser of the same rules"),
    (case_mask13, "DTLS 1.3 record number masking (TX) and unmasking (RX) equal RFC 9147 4.2.3 in Python"),
    (case_seq13, "DTLS 1.3 sequence reconstruction equals a closest-candidate search in Python"),
    (case_epoch13, "DTLS 1.3 epoch reconstruction equals the candidate current-2..current+1 in Python"),
    (case_nonce13, "DTLS 1.3 nonces equal RFC 8446 5.3 in Python"),
    (case_classify, "record classification equals RFC 9147 4.1 Figure 5 in Python"),
    (case_inner, "inner plaintext type and content length equal a Python scan"),
    (case_label, "HkdfLabel bytes (including invalid label lengths) equal RFC 8446 7.1 with prefix \"dtls13\" in Python"),
    (case_hkdf, "HKDF-Expand-Label over OpenSSL HMAC equals Python hmac/hashlib (SHA-256 and SHA-384)"),
]


def check_family(gen):
    cases = [gen() for _ in range(N)]
    got = run_cli([c for c, _ in cases])
    for (cmd, want), g in zip(cases, got):
        if g != want:
            print("# command: %s" % (cmd if len(cmd) < 400 else cmd[:400] + "..."))
            print("# C:       %s" % g[:400])
            print("# Python:  %s" % want[:400])
            return False
    return True


def check_cryptography():
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
    except ImportError:
        return None
    algs = {"sha256": hashes.SHA256, "sha384": hashes.SHA384}
    cases = []
    for _ in range(500):
        hname, secret, lab, ctx, n = hkdf_inputs()
        okm = HKDFExpand(algs[hname](), n, hkdf_label(n, lab, ctx)).derive(secret)
        cases.append(("hkdf %s %s %s %s %d" % (hname.upper(), hx(secret), hx(lab), hx(ctx), n), hx(okm)))
    got = run_cli([c for c, _ in cases])
    return all(g == w for (_, w), g in zip(cases, got))


def main():
    if not os.access(CLI, os.X_OK):
        print("%s is missing: build it with 'make -C selftests'" % CLI, file=sys.stderr)
        return 1
    print("KTAP version 1")
    print("1..%d" % (len(FAMILIES) + 1))
    failed = 0
    for i, (gen, what) in enumerate(FAMILIES, 1):
        ok = check_family(gen)
        failed += not ok
        print("%s %d crosscheck: %d random %s" % ("ok" if ok else "not ok", i, N, what))
    res = check_cryptography()
    n = len(FAMILIES) + 1
    what = "crosscheck: 500 HKDF-Expand-Label outputs equal the cryptography package's HKDFExpand"
    if res is None:
        print("ok %d %s # SKIP cryptography not installed" % (n, what))
    else:
        failed += not res
        print("%s %d %s" % ("ok" if res else "not ok", n, what))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
