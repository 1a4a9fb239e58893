#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Demo step: N records of SIZE bytes from the AE to the CSE through the
kernel path, m2msec-nc at both ends, and the records per second the CSE
received.

    throughput.py KEYPREFIX N SIZE LABEL

KEYPREFIX-ae.key / KEYPREFIX-cse.key: a fresh association (keygen.py).
The AE's m2msec-nc reads a file of N*SIZE bytes with -c -m SIZE, so every
read() becomes one SIZE-byte record; the CSE's m2msec-nc writes what it
receives into a pipe read here.  The rate is counted from the first to the
last byte received.  A demo figure, not a benchmark: it runs under QEMU's
software emulation, both ends on the same two virtual CPUs.
"""
import os
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demolib import (AE, CSE, CTL, NC, WORK, echo_cmd, expect, in_ns,  # noqa: E402
                     run, show)

prefix, n, size, label = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    sys.argv[4]
data = os.path.join(WORK, "records.bin")
with open(data, "wb") as f:
    for i in range(n):
        f.write(("record %06d " % i).encode().ljust(size, b"."))

rx_cmd = in_ns(CSE["ns"], [NC, "-l", "-q", "60", "-k", prefix + "-cse.key"])
tx_cmd = in_ns(AE["ns"], [NC, "-c", "-m", str(size), "-q", "0", "-k",
                          prefix + "-ae.key"])
echo_cmd(rx_cmd + ["| (count bytes, time first to last)", "&"])
rx = subprocess.Popen(rx_cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
time.sleep(0.3)     # the CSE's association is in place before the AE sends
echo_cmd(tx_cmd + ["<", data])
with open(data, "rb") as f:
    tx = subprocess.Popen(tx_cmd, stdin=f)

got, first, first_len, last = 0, None, 0, None
fd = rx.stdout.fileno()
why = ""
while got < n * size:
    if not select.select([fd], [], [], 10)[0]:
        why = ": nothing more for 10 s"
        break
    chunk = os.read(fd, 1 << 16)
    if not chunk:
        why = ": the receiving m2msec-nc ended (status %s)" % rx.wait()
        break
    last = time.monotonic()
    if first is None:
        first, first_len = last, len(chunk)
    got += len(chunk)
rc = tx.wait(30)
rx.terminate()
rx.wait(10)
expect(rc == 0, "the sending m2msec-nc failed (%d)" % rc)
records = got // size
if records != n:
    # Where did they go: m2msec's counters, UDP's, the backlog queues'.
    run(in_ns(CSE["ns"], [CTL, "stats"]))
    run(in_ns(CSE["ns"], ["grep", "-E", "^Udp6?:", "/proc/net/snmp"]),
        check=False)
    with open("/proc/net/softnet_stat") as f:
        show("  [cse]", "softnet dropped (netdev_max_backlog) per CPU: " +
             " ".join(str(int(ln.split()[1], 16)) for ln in f))
expect(records == n and first is not None,
       "%d of %d records arrived%s" % (records, n, why))
# Rate over what arrived after the first read (which may hold several).
secs = max(last - first, 1e-6)
rate = (got - first_len) / size / secs
show("  [cse]", "%s: %d records of %d bytes in %.2f s: %d records/s "
     "(%.1f Mbit/s of payload)" % (label, records, size, secs, rate,
                                   rate * size * 8 / 1e6))
