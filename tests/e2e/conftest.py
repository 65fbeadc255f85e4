"""Shared fixtures of the end-to-end suites (tests/e2e/<area>/).

`hub` gives each test a fresh mo-hub: a temporary data directory, `mo-hub
init`, the unit KR-T01 (a truck), and `serve --listen 127.0.0.1:0` running;
the URL is read from the server's first line of output.  The server is
always stopped at teardown by its PID (SIGTERM, then SIGKILL), and a clean
exit (status 0, which under ASan also means no leak) is asserted.
"""
import json as jsonlib
import os
import selectors
import signal
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wire  # noqa: E402

UNIT = "KR-T01"
UNIT_NAME = "Мобільний офіс №1"


def _binary(env, *fallback):
    path = os.environ.get(env)
    if path:
        return path
    root = os.environ.get("MO_BUILD_ROOT") or os.path.join(
        os.path.dirname(__file__), "..", "..", "build")
    return os.path.join(root, *fallback)


MO_HUB = _binary("MO_HUB", "hub", "mo-hub")
MO_AGENT = _binary("MO_AGENT", "agent", "mo-agent")


class Hub:
    """A mo-hub data directory and, while started, its server process."""

    def __init__(self, data):
        self.data = str(data)
        self.proc = None
        self.url = None
        self.port = None
        self._log = None
        self.exit_codes = []

    # the admin CLI
    def cli(self, *args, check=True, json=False, timeout=60):
        argv = [MO_HUB, *args, "--data", self.data] + (["--json"] if json else [])
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError("%s failed (%d): %s" % (" ".join(argv), p.returncode,
                                                         p.stderr.strip()))
        if json and p.returncode == 0:
            return jsonlib.loads(p.stdout)
        return p

    def token(self, unit=UNIT, ttl=None):
        args = ["enroll-token", "--unit", unit] + (["--ttl", ttl] if ttl else [])
        return self.cli(*args).stdout.strip()

    # the server
    def start(self, timeout=30, args=(), env=None):
        """serve on a free loopback port; args: more serve options, env: more variables"""
        assert self.proc is None, "already started"
        self._log = open(os.path.join(self.data, "serve.log"), "ab")
        self.proc = subprocess.Popen(
            [MO_HUB, "serve", "--data", self.data, "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE, stderr=self._log,
            env=dict(os.environ, **(env or {})))
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.time() + timeout
        line = b""
        while time.time() < deadline and not line.endswith(b"\n"):
            if not sel.select(timeout=max(0.0, deadline - time.time())):
                break
            ch = self.proc.stdout.read1(1) if hasattr(self.proc.stdout, "read1") \
                else self.proc.stdout.read(1)
            if not ch:
                break
            line += ch
        sel.close()
        text = line.decode().strip()
        if not text.startswith("listening on http://"):
            self.stop()
            raise AssertionError("mo-hub serve did not start: %r" % text)
        self.url = text[len("listening on "):]
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def stop(self, timeout=20):
        """SIGTERM by PID, wait, SIGKILL if it hangs; returns the exit status"""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=timeout)
        proc.stdout.close()
        if self._log:
            self._log.close()
            self._log = None
        self.exit_codes.append(proc.returncode)
        return proc.returncode

    def log(self):
        try:
            return open(os.path.join(self.data, "serve.log"), encoding="utf-8",
                        errors="replace").read()
        except OSError:
            return ""

    def rss_kib(self):
        """resident memory of the server (VmRSS of /proc/PID/status)"""
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return None

    # wire-level helpers
    def device(self, unit=UNIT, token=None):
        """a wire.Device enrolled to unit"""
        d = wire.Device(self.url)
        r = d.enroll(token or self.token(unit))
        assert r.status == 200, r
        return d

    def get(self, path):
        return wire.request(self.url, "GET", path)


@pytest.fixture
def hub(tmp_path):
    h = Hub(tmp_path / "hub")
    h.cli("init")
    h.cli("unit", "add", "--code", UNIT, "--name", UNIT_NAME, "--kind", "truck")
    h.start()
    try:
        yield h
    finally:
        h.stop()
    bad = [c for c in h.exit_codes if c != 0]
    assert not bad, "mo-hub serve exited with %s:\n%s" % (bad, h.log()[-4000:])


@pytest.fixture
def device(hub):
    """a wire-level device enrolled to KR-T01"""
    return hub.device()
