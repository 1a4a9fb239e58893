# SPDX-License-Identifier: GPL-2.0
"""Just enough CoAP (RFC 7252) for the demo and the libcoap interop test
(selftests/hs_coap.sh): encode a message with options and payload, decode
one, build piggybacked responses, and describe a message in a line.
oneM2M's CoAP binding (TS-0008) carries From, Request Identifier and
Response Status Code in the options 256, 257 and 265."""
import struct

TYPES = ["CON", "NON", "ACK", "RST"]
OPTS = {3: "Uri-Host", 7: "Uri-Port", 11: "Uri-Path", 12: "Content-Format",
        14: "Max-Age", 15: "Uri-Query", 17: "Accept", 23: "Block2",
        27: "Block1", 28: "Size2", 60: "Size1",
        256: "oneM2M-FR", 257: "oneM2M-RQI", 265: "oneM2M-RSC",
        267: "oneM2M-TY"}
# Options whose value is an unsigned integer (RFC 7252 5.10, TS-0008).
UINT_OPTS = {7, 12, 14, 17, 23, 27, 28, 60, 265, 267}
CODES = {0x01: "GET", 0x02: "POST", 0x03: "PUT", 0x04: "DELETE",
         0x41: "2.01 Created", 0x44: "2.04 Changed", 0x45: "2.05 Content",
         0x80: "4.00 Bad Request", 0x83: "4.03 Forbidden",
         0x84: "4.04 Not Found",
         0xa0: "5.00 Internal Server Error"}
TEXT_PLAIN, APPLICATION_JSON = 0, 50


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


def reply(req, code, payload=b"", content_format=TEXT_PLAIN):
    """A piggybacked response (ACK, RFC 7252 5.2.1) to the request bytes
    @req, without oneM2M options: what any CoAP client expects."""
    _, _, mid, token, _, _ = decode(req)
    opts = [(12, uint(content_format))] if payload else []
    return encode("ACK", code, mid, token, opts, payload)


def get(path, mid, token):
    """A confirmable GET of @path ("/" for the root resource)."""
    opts = [(11, seg.encode()) for seg in path.strip("/").split("/") if seg]
    return encode("CON", 0x01, mid, token, opts)


def uint(v):
    """An integer option value: the shortest big-endian form, 0 is empty."""
    return v.to_bytes((v.bit_length() + 7) // 8, "big")


def code_name(code):
    return CODES.get(code, "%d.%02d" % (code >> 5, code & 31))


def decode(msg):
    """(type, code, mid, token, [(option, bytes)], payload); ValueError
    for anything that is not a well-formed CoAP message."""
    if len(msg) < 4 or msg[0] >> 6 != 1 or msg[0] & 0x0f > 8 or \
            len(msg) < 4 + (msg[0] & 0x0f):
        raise ValueError("not a CoAP message")
    tkl = msg[0] & 0x0f
    mtype, code = TYPES[msg[0] >> 4 & 3], msg[1]
    mid, token = struct.unpack(">H", msg[2:4])[0], msg[4:4 + tkl]
    i, num, opts = 4 + tkl, 0, []
    while i < len(msg) and msg[i] != 0xff:
        d, ln = msg[i] >> 4, msg[i] & 0x0f
        i += 1
        vals = []
        for v in (d, ln):
            if v == 15:
                raise ValueError("reserved option nibble")
            if v == 13:
                v, i = msg[i] + 13, i + 1
            elif v == 14:
                v, i = struct.unpack(">H", msg[i:i + 2])[0] + 269, i + 2
            vals.append(v)
        num += vals[0]
        if i + vals[1] > len(msg):
            raise ValueError("option beyond the message")
        opts.append((num, msg[i:i + vals[1]]))
        i += vals[1]
    payload = msg[i + 1:] if i < len(msg) else b""
    return mtype, code, mid, token, opts, payload


def describe(msg):
    """One line: 'CoAP CON GET mid 0x1234 token ab01 /~/in-cse FR=... '"""
    mtype, code, mid, token, opts, payload = decode(msg)
    path = "/" + "/".join(v.decode() for n, v in opts if n == 11)
    parts = ["CoAP %s %s" % (mtype, code_name(code)),
             "mid 0x%04x" % mid, "token " + token.hex()]
    if code < 0x20:
        parts.append(path)
    for n, v in opts:
        if n == 11:
            continue
        if n in UINT_OPTS:
            v = str(int.from_bytes(v, "big"))
        else:
            v = v.decode(errors="replace")
        parts.append("%s=%s" % (OPTS.get(n, str(n)), v))
    line = " ".join(parts)
    if payload:
        line += "\n  payload " + payload.decode(errors="replace")
    return line
