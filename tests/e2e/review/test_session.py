"""Staff sessions: sign-in, cookie, sign-out, idle timeout, CSRF, throttling."""
import hashlib
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from conftest import Hub, UNIT, UNIT_NAME  # noqa: E402
from staffapi import Browser, add_users, staff  # noqa: E402,F401


def test_sign_in_sets_a_strict_http_only_cookie(staff):
    b = Browser(staff.hub.url)
    r = b.login("olena")
    assert r.status == 200, r
    body = r.json()
    assert body["user"] == {"login": "olena", "role": "reviewer"}
    assert len(body["csrf_token"]) == 64
    attrs = [a.strip() for a in b.set_cookie.split(";")]
    assert attrs[0].startswith("mo_session=") and len(attrs[0]) == len("mo_session=") + 64
    assert "HttpOnly" in attrs and "SameSite=Strict" in attrs and "Path=/" in attrs
    assert "Secure" not in attrs  # plain HTTP here; --cookie-secure yes behind TLS
    me = b.get("/api/me")
    assert me.status == 200 and me.json()["login"] == "olena"
    assert me.json()["csrf_token"] == body["csrf_token"]
    # the database keeps only a digest of the session id
    with staff.db() as db:
        hashes = [h for (h,) in db.execute("SELECT hash FROM sessions")]
    assert b.cookie not in hashes
    assert hashlib.sha256(b.cookie.encode()).hexdigest() in hashes


def test_every_sign_in_gets_a_new_session(staff):
    b = Browser(staff.hub.url)
    assert b.login("olena").status == 200
    first = b.cookie
    assert b.login("olena").status == 200
    assert b.cookie != first
    # the session presented at sign-in is gone (no fixation)
    old = Browser(staff.hub.url)
    old.cookie = first
    assert old.get("/api/me").status == 401


def test_wrong_password_and_unknown_login(staff):
    b = Browser(staff.hub.url)
    r = b.login("olena", "wrong-password")
    assert r.status == 401 and r.code == "bad_login"
    r = b.login("nobody", "whatever-pass")
    assert r.status == 401 and r.code == "bad_login"
    assert b.cookie is None
    assert b.get("/api/me").status == 401
    assert b.post("/api/login", {"login": "olena"}).status == 400
    assert b.post("/api/login", b"not json").status == 400


def test_logout_deletes_the_session_on_the_server(staff):
    b = staff.browser("olena")
    cookie = b.cookie
    r = b.post("/api/logout")
    assert r.status == 200, r
    assert "Max-Age=0" in b.set_cookie
    # a copy of the old cookie is useless now
    stolen = Browser(staff.hub.url)
    stolen.cookie = cookie
    r = stolen.get("/api/cases")
    assert r.status == 401 and r.code == "unauthenticated"
    with staff.db() as db:
        assert db.execute("SELECT count(*) FROM sessions").fetchone()[0] == 0


def test_no_or_forged_session_is_401(staff):
    b = Browser(staff.hub.url)
    for path in ["/api/me", "/api/cases", "/api/units", "/api/admin/audit"]:
        r = b.get(path)
        assert r.status == 401 and r.code == "unauthenticated", (path, r)
    b.cookie = "0" * 64
    assert b.get("/api/me").status == 401
    b.cookie = "../../etc/passwd"
    assert b.get("/api/me").status == 401


def test_csrf_missing_or_wrong_is_403_and_changes_nothing(staff):
    b = staff.browser("olena")
    cid, number = staff.cases[0]
    with staff.db() as db:
        before = [db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                  for t in ("feed", "events", "audit", "appends")]
    for token in [None, "", "0" * 64, b.csrf[:-1] + ("0" if b.csrf[-1] != "0" else "1")]:
        headers = {"X-CSRF-Token": token} if token is not None else {}
        r = b.request("POST", "/api/cases/%s/decision" % cid,
                      {"decision": "approved"}, headers=headers, csrf=False)
        assert r.status == 403 and r.code == "csrf", r
        r = b.request("POST", "/api/cases/%s/comments" % cid, {"text": "x"},
                      headers=headers, csrf=False)
        assert r.status == 403 and r.code == "csrf", r
    admin = staff.browser("boss")
    r = admin.request("POST", "/api/admin/users",
                      {"login": "mallory", "role": "admin", "password": "mallory-pass"},
                      csrf=False)
    assert r.status == 403 and r.code == "csrf"
    r = admin.request("POST", "/api/logout", {}, csrf=False)
    assert r.status == 403 and admin.get("/api/me").status == 200
    with staff.db() as db:
        after = [db.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                 for t in ("feed", "events", "audit", "appends")]
        assert db.execute("SELECT count(*) FROM users WHERE login = 'mallory'"
                          ).fetchone()[0] == 0
    assert after == before
    assert staff.case_status(number) == "received"
    # with the token the same request goes through
    r = b.post("/api/cases/%s/decision" % cid, {"decision": "approved"})
    assert r.status == 200, r
    assert staff.case_status(number) == "approved"


def test_csrf_token_of_another_session_is_refused(staff):
    a, b = staff.browser("olena"), staff.browser("petro")
    cid, _ = staff.cases[0]
    r = a.request("POST", "/api/cases/%s/comments" % cid, {"text": "x"},
                  headers={"X-CSRF-Token": b.csrf}, csrf=False)
    assert r.status == 403 and r.code == "csrf"


def pin_failures(staff):
    """the wait runs from the latest failure's start: date the failures to now,
    so a loaded machine's slow password checks cannot outlast a 1 s wait"""
    with staff.db() as db:
        db.execute("UPDATE login_failures SET at_ms = ?", (int(time.time() * 1000),))


def test_failed_sign_ins_are_throttled_per_login(staff):
    b = Browser(staff.hub.url)
    for _ in range(5):
        assert b.login("olena", "wrong-password").status == 401
    pin_failures(staff)
    r = b.login("olena")  # even the right password waits now
    assert r.status == 429 and r.code == "rate_limited", r
    retry = int(r.headers["retry-after"])
    assert 1 <= retry <= 15 * 60
    # another account from the same address is not locked by these five
    assert Browser(staff.hub.url).login("petro").status == 200


def test_failed_sign_ins_are_throttled_per_address(staff):
    b = Browser(staff.hub.url)
    for i in range(20):
        assert b.login("guess%02d" % i, "wrong-password").status == 401
    pin_failures(staff)
    r = b.login("boss")
    assert r.status == 429 and r.code == "rate_limited", r
    assert int(r.headers["retry-after"]) >= 1


def test_a_success_clears_the_login_failures(staff):
    b = Browser(staff.hub.url)
    for _ in range(4):
        assert b.login("olena", "wrong-password").status == 401
    assert b.login("olena").status == 200
    for _ in range(4):
        assert b.login("olena", "wrong-password").status == 401
    assert b.login("olena").status == 200


@pytest.fixture
def idle_hub(tmp_path, monkeypatch):
    """a hub whose sessions expire after 3 s idle ($MO_HUB_SESSION_IDLE)"""
    monkeypatch.setenv("MO_HUB_SESSION_IDLE", "3")
    h = Hub(tmp_path / "hub")
    h.cli("init")
    h.cli("unit", "add", "--code", UNIT, "--name", UNIT_NAME, "--kind", "truck")
    add_users(h, tmp_path)
    h.start()
    try:
        yield h
    finally:
        assert h.stop() == 0, h.log()[-3000:]


def test_idle_session_expires(idle_hub):
    b = Browser(idle_hub.url)
    assert b.login("olena").status == 200
    for _ in range(3):  # each request restarts the idle clock (a busy machine: 2 s margin)
        time.sleep(1.0)
        assert b.get("/api/me").status == 200
    time.sleep(4.5)
    r = b.get("/api/me")
    assert r.status == 401 and r.code == "unauthenticated"
    assert b.get("/api/me").status == 401  # and it was deleted, not just refused


def test_session_idle_option_is_checked(tmp_path):
    h = Hub(tmp_path / "hub")
    h.cli("init")
    p = h.cli("serve", "--listen", "127.0.0.1:0", "--session-idle", "0", check=False)
    assert p.returncode == 2 and "session-idle" in p.stderr
