"""The local server's defences (issue 11): any web page the laptop visits can
send requests to 127.0.0.1, so `mo-agent ui` must refuse a missing or wrong
launch key, a reused key, a foreign Host (DNS rebinding), a foreign Origin or
Sec-Fetch-Site, a state change without the CSRF token, oversized bodies —
and nothing may change when it refuses.  Plain http.client, every header
chosen by the test."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from agentlib import Agent  # noqa: E402
from uilib import FieldUI  # noqa: E402

OP = "Олена Коваль"
PIN = "4815"


@pytest.fixture
def laptop(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub, operator=OP)
    pin = tmp_path / "pin.txt"
    pin.write_text(PIN + "\n")
    a.run("operator", "add", "Петро Мельник", "--pin-file", str(pin))
    a.run("operator", "pin", OP, "--pin-file", str(pin))
    return a


@pytest.fixture
def ui(laptop):
    u = FieldUI(laptop.data).start()
    try:
        yield u
    finally:
        rc = u.stop()
        assert rc == 0, "mo-agent ui exited with %s" % rc


def trips(agent):
    return agent.run("trip", "list", json=True)


def pending(agent):
    return agent.status()["pending_changes"]


def test_prints_one_loopback_url(ui):
    assert ui.url.startswith("http://127.0.0.1:%d/?key=" % ui.port)
    assert len(ui.key) == 64


def test_no_key_no_session(ui):
    r = ui.request("GET", "/", cookie=False)
    assert r.status == 403
    assert "mo-agent ui" in r.body.decode()
    r = ui.request("GET", "/api/session", cookie=False)
    assert r.status == 401 and r.json["error"]["code"] == "no_session"
    r = ui.request("GET", "/api/cases", cookie=False)
    assert r.status == 401
    # a forged cookie is no session either
    r = ui.request("GET", "/api/session", headers={"Cookie": "mo_field=" + "0" * 64},
                   cookie=False)
    assert r.status == 401


def test_wrong_key_refused_right_key_once(ui):
    r = ui.request("GET", "/?key=" + "f" * 64, cookie=False)
    assert r.status == 403 and r.getheader("Set-Cookie") is None
    r = ui.request("GET", "/?key=" + ui.key[:-1], cookie=False)
    assert r.status == 403 and r.getheader("Set-Cookie") is None
    r = ui.request("GET", "/?key=" + ui.key, cookie=False)
    assert r.status == 303
    assert r.getheader("Location") == "/"  # the key leaves the address bar
    cookie = r.getheader("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    # exchanged once: the same key again gets nothing
    again = ui.request("GET", "/?key=" + ui.key, cookie=False)
    assert again.status == 403 and again.getheader("Set-Cookie") is None
    ui.cookie = cookie.split(";")[0]
    page = ui.request("GET", "/")
    assert page.status == 200 and b"<label" in page.body


def test_foreign_host_refused(ui, laptop):
    ui.open_session()
    ui.signin(OP, PIN)
    before = trips(laptop)
    for host in ("evil.example:%d" % ui.port, "127.0.0.1", "localhost:1",
                 "127.0.0.1:%d.evil.example" % ui.port):
        r = ui.request("GET", "/api/session", host=host)
        assert r.status == 421, host
        assert b"csrf" not in r.body  # the token never leaks to a rebinding page
        r = ui.request("POST", "/api/trips", {"settlement": "Злом", "kind": "other"}, host=host)
        assert r.status == 421, host
    assert trips(laptop) == before
    # localhost:PORT is this server too
    r = ui.request("GET", "/api/session", host="localhost:%d" % ui.port)
    assert r.status == 200


def test_foreign_origin_refused(ui, laptop):
    ui.open_session()
    ui.signin(OP, PIN)
    before, n = trips(laptop), pending(laptop)
    body = {"settlement": "Злом", "kind": "other"}
    for hdr in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                {"Origin": "http://127.0.0.1:%d" % (ui.port + 1)},
                {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                {"Sec-Fetch-Site": "none"}):
        r = ui.request("POST", "/api/trips", body, headers=hdr)
        assert r.status == 403, hdr
        assert r.json["error"]["code"] == "cross_site"
    # a cross-site page cannot read either
    r = ui.request("GET", "/api/cases", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status == 403
    r = ui.request("GET", "/api/cases", headers={"Origin": "http://evil.example"})
    assert r.status == 403
    assert trips(laptop) == before and pending(laptop) == n


def test_missing_or_wrong_csrf_refused(ui, laptop):
    ui.open_session()
    ui.signin(OP, PIN)
    before, n = trips(laptop), pending(laptop)
    body = {"settlement": "Злом", "kind": "other"}
    r = ui.request("POST", "/api/trips", body, csrf=False)
    assert r.status == 403 and r.json["error"]["code"] == "csrf"
    r = ui.request("POST", "/api/trips", body, headers={"X-CSRF-Token": "0" * 64})
    assert r.status == 403 and r.json["error"]["code"] == "csrf"
    r = ui.request("POST", "/api/signout", {}, csrf=False)
    assert r.status == 403
    assert trips(laptop) == before and pending(laptop) == n
    # the positive control: with the token the same request works
    r = ui.request("POST", "/api/trips", body)
    assert r.status == 200, r.body
    assert len(trips(laptop)) == len(before) + 1


def test_signin_needed_for_changes(ui, laptop):
    ui.open_session()
    n = pending(laptop)
    r = ui.request("POST", "/api/trips", {"settlement": "Без входу", "kind": "other"})
    assert r.status == 401 and r.json["error"]["code"] == "signin"
    assert pending(laptop) == n


def test_headers_csp_no_cors(ui):
    ui.open_session()
    for path in ("/", "/app.js", "/style.css", "/api/session"):
        r = ui.request("GET", path, headers={"Origin": "http://127.0.0.1:%d" % ui.port})
        assert r.status == 200, path
        csp = r.getheader("Content-Security-Policy")
        assert csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert r.getheader("Access-Control-Allow-Origin") is None
        assert r.getheader("X-Content-Type-Options") == "nosniff"
    page = ui.request("GET", "/")
    csp = page.getheader("Content-Security-Policy")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert b"<script>" not in page.body and b" onclick=" not in page.body
    # an OPTIONS preflight is not answered with CORS
    r = ui.request("OPTIONS", "/api/trips", headers={
        "Access-Control-Request-Method": "POST", "Origin": "http://evil.example"})
    assert r.status >= 400 and r.getheader("Access-Control-Allow-Origin") is None


def test_body_caps(ui, laptop):
    ui.open_session()
    ui.signin(OP, PIN)
    n = pending(laptop)
    big = b'{"settlement":"' + b"x" * (300 << 10) + b'"}'
    r = ui.request("POST", "/api/trips", big)
    assert r.status == 413
    # a scan past 20 MiB is refused before a byte is read
    r = ui.request("POST", "/api/scan/whatever", b"x",
                   headers={"Content-Length": str((20 << 20) + 1)})
    assert r.status == 413
    assert pending(laptop) == n


def test_listen_only_on_loopback(laptop):
    p = laptop.run("ui", "--no-browser", "--listen", "0.0.0.0:0", check=False, timeout=20)
    assert p.returncode == 1
    p = laptop.run("ui", "--no-browser", "--listen", "192.168.1.5:8080", check=False,
                   timeout=20)
    assert p.returncode == 1
