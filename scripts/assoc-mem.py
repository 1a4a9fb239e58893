#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Kernel memory per association (run by scripts/bench-assoc-mem.sh in the
test VM, as root, with m2msec.ko loaded).

For each version/cipher and each count N: one m2msec socket, N static
associations (both directions, one key pair shared by all, so the keyring
does not grow), then the growth of slab (unreclaimable) and per-CPU memory
from /proc/meminfo divided by N, and the slab caches that grew most.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "selftests"))
from m2msec import DTLS12, DTLS13, Assoc, Genl, Keys, dtls_socket  # noqa: E402

CASES = [(DTLS12, "AES-128-GCM"), (DTLS13, "AES-128-GCM"),
         (DTLS12, "AES-128-CCM-8"), (DTLS12, "AES-256-GCM"),
         (DTLS13, "CHACHA20-POLY1305")]


def meminfo():
    out = {}
    for line in open("/proc/meminfo"):
        k, v = line.split(":")
        out[k] = int(v.split()[0]) * 1024
    return out


def slabs():
    out = {}
    for line in open("/proc/slabinfo").readlines()[2:]:
        f = line.split()
        out[f[0]] = int(f[1]) * int(f[3])      # active objects * size
    return out


def settle():
    # Freed associations and epochs go after RCU grace periods and work.
    for _ in range(3):
        time.sleep(1)
        open("/proc/sys/vm/drop_caches", "w").write("2\n")


def peer(i):
    return ("127.%d.%d.%d" % (1 + i // 65536 % 250, i // 256 % 256, i % 256),
            4000 + i % 50000)


def one(genl, version, cipher, n):
    tx, rx = Keys(cipher, version), Keys(cipher, version)
    txs, rxs = tx.serial(), rx.serial()

    class K:                               # the same key for every one
        def __init__(self, s):
            self.s = s

        def serial(self):
            return self.s

    settle()
    m0, s0 = meminfo(), slabs()
    sock = dtls_socket(bind=("127.0.0.1", 5999))
    t0 = time.monotonic()
    for i in range(n):
        Assoc(genl, sock, peer(i), cipher, version, K(txs), K(rxs))
    secs = time.monotonic() - t0
    settle()
    m1, s1 = meminfo(), slabs()
    sock.close()
    slab = m1["SUnreclaim"] - m0["SUnreclaim"]
    pcpu = m1["Percpu"] - m0["Percpu"]
    grew = sorted(((s1.get(k, 0) - s0.get(k, 0), k) for k in s1),
                  reverse=True)[:5]
    top = ", ".join("%s %.0f" % (k, d / n) for d, k in grew if d > 0)
    name = "%s %s" % ("DTLS 1.3" if version == DTLS13 else "DTLS 1.2", cipher)
    print("| %s | %d | %.0f | %.0f | %.0f | %.0f | %s |" %
          (name, n, slab / n, pcpu / n, (slab + pcpu) / n, n / secs, top),
          flush=True)


def main():
    counts = [int(c) for c in (sys.argv[1:] or ["1000", "10000"])]
    genl = Genl()
    print("| association | N | slab B/assoc | per-CPU B/assoc | total B/assoc "
          "| installs/s | largest slab growth, B/assoc |")
    print("|---|---|---|---|---|---|---|")
    for version, cipher in CASES:
        for n in counts:
            one(genl, version, cipher, n)


main()
