"""Helpers for the field UI tests: run `mo-agent ui` and talk to it raw.

`FieldUI` starts the real binary with --no-browser on 127.0.0.1 port 0,
reads the one line with the URL, and stops it by PID at the end (SIGTERM,
then SIGKILL), asserting a clean exit.  `request()` is plain http.client so
the tests choose every header themselves (Host, Origin, cookies, tokens).
"""
import http.client
import json as jsonlib
import os
import re
import selectors
import signal
import subprocess
import time
import urllib.parse

from agentlib import MO_AGENT


class FieldUI:
    def __init__(self, data, lang="en", idle=None):
        self.data = str(data)
        self.lang = lang
        self.idle = idle
        self.proc = None
        self.url = self.key = None
        self.port = None
        self.cookie = None
        self.csrf = None

    def start(self, timeout=30):
        argv = [MO_AGENT, "--data", self.data, "--lang", self.lang, "ui", "--no-browser",
                "--listen", "127.0.0.1:0"]
        if self.idle:
            argv += ["--idle-minutes", str(self.idle)]
        self._log = open(os.path.join(self.data, "ui.log"), "ab")
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log)
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.time() + timeout
        line = b""
        while time.time() < deadline and not line.endswith(b"\n"):
            if not sel.select(timeout=max(0.0, deadline - time.time())):
                break
            ch = self.proc.stdout.read1(1)
            if not ch:
                break
            line += ch
        sel.close()
        m = re.search(r"(http://127\.0\.0\.1:(\d+)/\?key=([0-9a-f]{64}))", line.decode())
        assert m, "mo-agent ui did not print its URL: %r" % line
        self.url, self.port, self.key = m.group(1), int(m.group(2)), m.group(3)
        return self

    def stop(self, timeout=20):
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
        self._log.close()
        return proc.returncode

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    def request(self, method, path, body=None, headers=None, host=None, cookie=True,
                csrf=True, origin=True):
        h = {"Host": host or self.host}
        if cookie and self.cookie:
            h["Cookie"] = self.cookie
        if method != "GET" and csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        if method != "GET" and origin:
            h["Origin"] = "http://" + self.host
            h["Sec-Fetch-Site"] = "same-origin"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else jsonlib.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        h.update(headers or {})
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in h.items():
                c.putheader(k, v)
            if data is not None:
                c.putheader("Content-Length", str(len(data)))
            c.endheaders()
            if data is not None:
                c.send(data)
            r = c.getresponse()
            raw = r.read()
            r.body = raw
            try:
                r.json = jsonlib.loads(raw) if raw else None
            except ValueError:
                r.json = None
            return r
        finally:
            c.close()

    def open_session(self):
        """exchange the launch key for the cookie, then read the CSRF token"""
        r = self.request("GET", "/?key=" + self.key, cookie=False)
        assert r.status == 303, (r.status, r.body)
        self.cookie = r.getheader("Set-Cookie").split(";")[0]
        s = self.request("GET", "/api/session")
        assert s.status == 200, s.body
        self.csrf = s.json["csrf"]
        return s.json

    def signin(self, name, pin):
        r = self.request("POST", "/api/signin", {"name": name, "pin": pin})
        assert r.status == 200, (r.status, r.body)
        return r.json

    def api(self, method, path, body=None, expect=200):
        r = self.request(method, "/api/" + path, body)
        assert r.status == expect, (method, path, r.status, r.body)
        return r.json


def quote(s):
    return urllib.parse.quote(s, safe="")
