#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Write a fresh pair of m2msec static association files.

    keygen.py VERSION CIPHER AE_ADDR:PORT CSE_ADDR:PORT OUTPREFIX

writes OUTPREFIX-ae.key and OUTPREFIX-cse.key (mode 0600): the same
association seen from each end, with random keys, IVs and (DTLS 1.3)
record number keys from os.urandom().  The format is m2msec-nc(1)'s.
Static keying stands in for the handshake daemon here: the files hold what
a DTLS handshake would have produced.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demolib import KEY_LEN, keyfile_pair, write_secret  # noqa: E402

if len(sys.argv) != 6 or sys.argv[1] not in ("1.2", "1.3") or \
        sys.argv[2] not in KEY_LEN:
    sys.exit(__doc__.strip())
ae, cse = keyfile_pair(*sys.argv[1:5])
write_secret(sys.argv[5] + "-ae.key", ae)
write_secret(sys.argv[5] + "-cse.key", cse)
