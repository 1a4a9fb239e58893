# SPDX-License-Identifier: GPL-2.0
"""Shared helpers of the m2msec demo (scripts/demo/): narration, network
namespaces, secret files.

Only the demo uses this; it runs inside the test VM as root.
"""
import ctypes
import os
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CTL = os.path.join(REPO, "user", "m2msecctl")
WORK = os.environ.get("DEMO_WORK", "/tmp/m2msec-demo")

# The hosts of the demo (scripts/demo/run.sh creates them): the CSE has a
# link to the AE (v4) and one to the sensor (v4b).
AE = {"ns": "ae", "v4": "10.77.0.2"}
CSE = {"ns": "cse", "v4": "10.77.0.1", "v4b": "10.77.1.1"}
SENSOR = {"ns": "sensor", "v4": "10.77.1.2"}


# --- narration ----------------------------------------------------------------
def say(text="", indent=0):
    """A short explanation, wrapped."""
    for para in text.split("\n"):
        lines = textwrap.wrap(para, 76 - indent) or [""]
        for ln in lines:
            print(" " * indent + ln)
    sys.stdout.flush()


def section(title):
    """A step heading, as scripts/demo/run.sh prints them."""
    print("\n==== %s %s\n" % (title, "=" * max(70 - len(title), 0)),
          flush=True)


def show(prefix, text):
    """What a party prints or sees: the first line after a prefix, the
    others aligned under it."""
    for i, ln in enumerate(str(text).splitlines() or [""]):
        print("%s %s" % (prefix if i == 0 else " " * len(prefix), ln))
    sys.stdout.flush()


def echo_cmd(argv):
    """Print a command the way a reader would type it."""
    words = [os.path.relpath(a, REPO) if a.startswith(REPO + "/") else a
             for a in argv]
    words = [w.replace("user/", "", 1) if w == "user/m2msecctl" else w
             for w in words]
    print("  $ " + " ".join(words), flush=True)


def run(argv, check=True):
    """Echo and run a command; its output is indented under it."""
    echo_cmd(argv)
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    for ln in r.stdout.splitlines():
        print("    " + ln)
    sys.stdout.flush()
    if check and r.returncode:
        raise SystemExit("demo: '%s' failed with status %d" %
                         (" ".join(argv), r.returncode))
    return r.stdout


def in_ns(ns, argv):
    return ["ip", "netns", "exec", ns] + argv


def short(s, head=40, tail=12):
    """A long string with its middle elided: 'abc...xyz (N chars)'."""
    if len(s) <= head + tail + 20:
        return s
    return "%s...%s (%d chars)" % (s[:head], s[-tail:], len(s))


def fail(msg):
    raise SystemExit("demo: FAILED: " + msg)


def expect(cond, msg):
    if not cond:
        fail(msg)


# --- network namespaces -------------------------------------------------------
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


class InNs:
    """with InNs("cse"): sockets created inside live in netns "cse"."""

    def __init__(self, ns):
        self.ns = ns

    def __enter__(self):
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        fd = os.open("/run/netns/" + self.ns, os.O_RDONLY)
        try:
            if _libc.setns(fd, CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns " + self.ns)
        finally:
            os.close(fd)
        return self

    def __exit__(self, *exc):
        _libc.setns(self.home, CLONE_NEWNET)
        os.close(self.home)


# --- files -----------------------------------------------------------------
def write_secret(path, text):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
