# SPDX-License-Identifier: GPL-2.0
"""Just enough CoAP (RFC 7252) for the demo's payloads: encode a message
with options and payload, and describe one in a line.  oneM2M's CoAP
binding (TS-0008) carries From, Request Identifier and Response Status
Code in the options 256, 257 and 265."""
import struct

TYPES = ["CON", "NON", "ACK", "RST"]
OPTS = {11: "Uri-Path", 12: "Content-Format", 15: "Uri-Query",
        256: "oneM2M-FR", 257: "oneM2M-RQI", 265: "oneM2M-RSC",
        267: "oneM2M-TY"}
CODES = {0x01: "GET", 0x02: "POST", 0x03: "PUT", 0x04: "DELETE",
         0x41: "2.01 Created", 0x44: "2.04 Changed", 0x45: "2.05 Content"}


def _ext(v):
    if v < 13:
        return v, b""
    if v < 269:
        return 13, bytes([v - 13])
    return 14, struct.pack(">H", v - 269)


def encode(mtype, code, mid, token, options, payload=b""):
    """options: list of (number, bytes), any order."""
    out = bytes([0x40 | TYPES.index(mtype) << 4 | len(token), code]) + \
        struct.pack(">H", mid) + token
    prev = 0
    for num, val in sorted(options, key=lambda o: o[0]):
        d, dx = _ext(num - prev)
        ln, lx = _ext(len(val))
        out += bytes([d << 4 | ln]) + dx + lx + val
        prev = num
    if payload:
        out += b"\xff" + payload
    return out


def request(code, path, fr, rqi, mid, token, payload=b"", ty=None):
    opts = [(11, seg.encode()) for seg in path.strip("/").split("/")]
    opts += [(256, fr.encode()), (257, rqi.encode())]
    if ty is not None:
        opts.append((267, bytes([ty])))
    if payload:
        opts.append((12, bytes([50])))      # application/json
    return encode("CON", code, mid, token, opts, payload)


def response(code, req, rsc, payload=b""):
    """A piggybacked response (ACK) to the request bytes @req."""
    tkl = req[0] & 0x0f
    mid, token = struct.unpack(">H", req[2:4])[0], req[4:4 + tkl]
    rqi = dict(decode(req)[4]).get(257, b"")
    opts = [(257, rqi), (265, struct.pack(">H", rsc))]
    if payload:
        opts.append((12, bytes([50])))
    return encode("ACK", code, mid, token, opts, payload)


def decode(msg):
    """(type, code, mid, token, [(option, bytes)], payload)"""
    tkl = msg[0] & 0x0f
    mtype, code = TYPES[msg[0] >> 4 & 3], msg[1]
    mid, token = struct.unpack(">H", msg[2:4])[0], msg[4:4 + tkl]
    i, num, opts = 4 + tkl, 0, []
    while i < len(msg) and msg[i] != 0xff:
        d, ln = msg[i] >> 4, msg[i] & 0x0f
        i += 1
        vals = []
        for v in (d, ln):
            if v == 13:
                v, i = msg[i] + 13, i + 1
            elif v == 14:
                v, i = struct.unpack(">H", msg[i:i + 2])[0] + 269, i + 2
            vals.append(v)
        num += vals[0]
        opts.append((num, msg[i:i + vals[1]]))
        i += vals[1]
    payload = msg[i + 1:] if i < len(msg) else b""
    return mtype, code, mid, token, opts, payload


def describe(msg):
    """One line: 'CoAP CON GET mid 0x1234 token ab01 /~/in-cse FR=... '"""
    mtype, code, mid, token, opts, payload = decode(msg)
    path = "/" + "/".join(v.decode() for n, v in opts if n == 11)
    parts = ["CoAP %s %s" % (mtype, CODES.get(code, "%d.%02d" %
                                                (code >> 5, code & 31))),
             "mid 0x%04x" % mid, "token " + token.hex()]
    if code < 0x20:
        parts.append(path)
    for n, v in opts:
        if n == 11:
            continue
        if n in (265, 12, 267):
            v = str(int.from_bytes(v, "big"))
        else:
            v = v.decode()
        parts.append("%s=%s" % (OPTS.get(n, str(n)), v))
    line = " ".join(parts)
    if payload:
        line += "\n  payload " + payload.decode()
    return line
