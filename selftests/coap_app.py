#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A CoAP application on an m2msec DTLS socket for selftests/hs_coap.sh;
m2msecd runs the handshakes, the kernel the records.

  coap_app.py server ADDR PORT COUNT TEXT
      listen(); answer COUNT confirmable requests with 2.05 Content
      "TEXT <path>" (text/plain), in the request's association and epoch;
      one line per request with the peer's identity, then each
      association's counters; exit 1 if fewer than COUNT came in 90 s
  coap_app.py client ADDR PORT PATH [SERVER_NAME]
      connect() (the handshake), GET PATH, print the response, the peer's
      identity and the association's counters; exit 1 unless 2.05 came

The CoAP codec and the socket helpers are the demo's
(scripts/demo/coap.py, coapsock.py).
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "scripts", "demo"))
import coap  # noqa: E402
import coapsock  # noqa: E402


def out(line):
    print(line, flush=True)


def counters(sock):
    for aid, st in sorted(coapsock.assoc_stats(sock).items()):
        out("association %d %s %s counters: %s" % (
            aid, st["version"], st["cipher"], " ".join(
            "%s %d" % (k, st[k]) for k in ("rx_records", "tx_records",
                                           "auth_fail", "replay"))))


def server(addr, port, count, text):
    s = coapsock.server_socket(addr, int(port))
    out("listening on %s:%s" % (addr, port))

    def answer(msg, peer, aid, epoch):
        _, _, _, _, opts, _ = coap.decode(msg)
        path = "/" + "/".join(v.decode(errors="replace")
                              for n, v in opts if n == 11)
        out("request %s from %s:%d association %d epoch %d peer id %s" % (
            coap.describe(msg).splitlines()[0], peer[0], peer[1], aid,
            epoch, coapsock.peer_id(s, aid)))
        return coap.reply(msg, 0x45, ("%s %s" % (text, path)).encode())

    n = coapsock.serve(s, answer, int(count), 90)
    counters(s)
    out("answered %d of %s requests" % (n, count))
    return 0 if n == int(count) else 1


def client(addr, port, path, name=None):
    s = coapsock.client_socket(addr, int(port), name)
    out("connected to %s:%s, peer id %s" % (addr, port,
                                            coapsock.peer_id(s, 0)))
    req = coap.get(path, 0x4d32, os.urandom(4))
    out("sending %s" % coap.describe(req))
    rsp = coapsock.request(s, req)
    _, code, _, _, _, payload = coap.decode(rsp)
    out("response %s" % coap.describe(rsp))
    counters(s)
    return 0 if code == 0x45 and payload else 1


sys.exit({"server": server, "client": client}[sys.argv[1]](*sys.argv[2:]))
