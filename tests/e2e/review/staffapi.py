"""Helpers and fixtures of the staff API tests (tests/e2e/review/); the test
modules import the fixtures by name (the shared conftest.py of tests/e2e
gives `hub`).

`staff` is the shared `hub` fixture with three staff users (one per role)
and a few cases synced by a wire-level device; `Browser` is a minimal
cookie-keeping client of the JSON API of docs/api.md, so every test
speaks HTTP exactly as the review UI does.
"""
import http.client
import json as jsonlib
import os
import sqlite3
import sys
import urllib.parse

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import wire  # noqa: E402

PASSWORDS = {"olena": "reviewer-pass-1", "petro": "supervisor-pass-1",
             "boss": "admin-pass-1"}
ROLES = {"olena": "reviewer", "petro": "supervisor", "boss": "admin"}


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return jsonlib.loads(self.body.decode())

    @property
    def code(self):
        try:
            return self.json()["error"]["code"]
        except Exception:
            return None

    def __repr__(self):
        return "Reply(%d, %r)" % (self.status, self.body[:300])


class Browser:
    """one browser: a cookie jar holding mo_session, and the CSRF token"""

    def __init__(self, url):
        self.url = url
        self.cookie = None
        self.csrf = None
        self.set_cookie = None

    def request(self, method, path, body=None, headers=None, csrf=True, cookie=True):
        u = urllib.parse.urlparse(self.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        h = dict(headers or {})
        data = b""
        if body is not None:
            data = body if isinstance(body, bytes) else jsonlib.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if cookie and self.cookie:
            h["Cookie"] = "mo_session=" + self.cookie
        if csrf and self.csrf and method != "GET":
            h["X-CSRF-Token"] = self.csrf
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            raw = r.read()
            headers_out = {k.lower(): v for k, v in r.getheaders()}
        finally:
            conn.close()
        sc = headers_out.get("set-cookie")
        if sc:
            self.set_cookie = sc
            value = sc.split(";", 1)[0].split("=", 1)[1]
            self.cookie = value or None
        return Reply(r.status, headers_out, raw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, {} if body is None else body, **kw)

    def login(self, login, password=None):
        r = self.post("/api/login", {"login": login,
                                     "password": password or PASSWORDS[login]})
        if r.status == 200:
            self.csrf = r.json()["csrf_token"]
        return r


class Staff:
    """the hub, its staff, and the cases one device synced"""

    def __init__(self, hub, device, cases):
        self.hub, self.device, self.cases = hub, device, cases

    def browser(self, login=None):
        b = Browser(self.hub.url)
        if login:
            r = b.login(login)
            assert r.status == 200, r
        return b

    def db(self):
        return sqlite3.connect(os.path.join(self.hub.data, "hub.db"))

    def case_status(self, number):
        return self.hub.cli("case", "show", number, json=True)["status"]


def add_users(hub, tmp_path):
    for login, pw in PASSWORDS.items():
        f = tmp_path / (login + ".pw")
        f.write_text(pw + "\n")
        hub.cli("user", "add", "--login", login, "--role", ROLES[login],
                "--password-file", str(f))


def sync_cases(device, specs):
    """upload one batch of new cases; specs: dicts of case_fields overrides"""
    changes, ids = [], []
    for kw in specs:
        cid, ch = device.new_case(**kw)
        changes.append(ch)
        ids.append((cid, ch["fields"]["number"]))
    r, header, payload = device.send(changes)
    assert r.status == 200, r
    assert payload["quarantined"] == [], payload["quarantined"]
    return ids


@pytest.fixture
def staff(hub, tmp_path):
    add_users(hub, tmp_path)
    d = hub.device()
    cases = sync_cases(d, [
        {"surname": "Шевченко"},
        {"surname": "Коваленко", "services": ("PAS-01", "TAX-01")},
        {"surname": "Ґудзь"},
        {"surname": "Бондаренко"},
        {"surname": "Ткаченко"},
        {"surname": "Олійник"},
    ])
    return Staff(hub, d, cases)
