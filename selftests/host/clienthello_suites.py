#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The cipher suites of a DTLS ClientHello, as a peer would see them.

    clienthello_suites.py PORT [TIMEOUT]

Binds 127.0.0.1:PORT (UDP), takes the first datagram, parses its first
record as a DTLS handshake record holding a ClientHello (RFC 6347 4.2.2,
RFC 9147 5.3) and prints each offered suite as "0xHHHH KIND", in the
order of the ClientHello; KIND is psk, ecdhe-ecdsa, ecdhe-rsa, tls13 or
other.  Exit status 1 when no ClientHello came within TIMEOUT seconds or
the datagram is not one.
"""
import socket
import struct
import sys

KINDS = {
    "psk": {0x00A8, 0x00A9, 0x00AE, 0x00AF, 0xC0A4, 0xC0A5, 0xC0A8,
            0xC0A9, 0xCCAB, 0x008C, 0x008D},
    "ecdhe-ecdsa": {0xC02B, 0xC02C, 0xC0AC, 0xC0AD, 0xC0AE, 0xC0AF,
                    0xCCA9, 0xC023, 0xC024, 0xC009, 0xC00A},
    "ecdhe-rsa": {0xC02F, 0xC030, 0xCCA8, 0xC027, 0xC028, 0xC013, 0xC014},
    "tls13": {0x1301, 0x1302, 0x1303, 0x1304, 0x1305},
}


def kind(code):
    for name, codes in KINDS.items():
        if code in codes:
            return name
    return "other"


def suites(dgram):
    """The suites of the ClientHello in the first record of @dgram."""
    if len(dgram) < 13 + 12 or dgram[0] != 22:
        raise ValueError("not a DTLS handshake record")
    body = dgram[13:13 + struct.unpack("!H", dgram[11:13])[0]]
    if body[0] != 1:
        raise ValueError("not a ClientHello")
    p = 12 + 2 + 32                     # header, client_version, random
    p += 1 + body[p]                    # session_id
    p += 1 + body[p]                    # cookie
    n = struct.unpack("!H", body[p:p + 2])[0]
    return [struct.unpack("!H", body[p + 2 + i:p + 4 + i])[0]
            for i in range(0, n, 2)]


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.settimeout(float(sys.argv[2]) if len(sys.argv) > 2 else 10)
    try:
        dgram = s.recv(65536)
        codes = suites(dgram)
    except (OSError, ValueError, IndexError, struct.error) as e:
        print(f"no ClientHello: {e}", file=sys.stderr)
        return 1
    for c in codes:
        print(f"0x{c:04X} {kind(c)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
