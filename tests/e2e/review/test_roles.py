"""Every role × every endpoint of docs/api.md: allowed (2xx) or 403 forbidden,
decided on the server; no session is 401 everywhere."""
import itertools
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from staffapi import Browser, staff  # noqa: E402,F401

RANK = {"olena": 1, "petro": 2, "boss": 3}
_n = itertools.count()


def endpoints(st):
    """(method, path, body maker, least role rank) for every endpoint"""
    sha = "ab" * 32
    cases = iter(st.cases)  # one case per allowed decision

    def decision():
        return "/api/cases/%s/decision" % next(cases)[0], {"decision": "in_review"}

    def unit():
        return "/api/admin/units", {"code": "U-%d" % next(_n), "name": "Кейс", "kind": "case"}

    def user():
        return "/api/admin/users", {"login": "u%d" % next(_n), "role": "reviewer",
                                    "password": "long-enough-1"}
    cid, number = st.cases[-1]
    return [
        ("GET", lambda: ("/api/me", None), 1),
        ("GET", lambda: ("/api/cases?page=1", None), 1),
        ("GET", lambda: ("/api/cases/" + cid, None), 1),
        ("GET", lambda: ("/api/cases/" + number, None), 1),
        ("POST", decision, 1),
        # a case already decided is reported in the answer, still 200
        ("POST", lambda: ("/api/cases/bulk-decide", {"ids": [cid], "decision": "in_review"}), 1),
        ("POST", lambda: ("/api/cases/%s/comments" % cid, {"text": "перевірено"}), 1),
        ("GET", lambda: ("/api/units", None), 1),
        ("GET", lambda: ("/api/services", None), 1),
        ("GET", lambda: ("/api/reports/summary", None), 2),
        ("GET", lambda: ("/api/export.csv", None), 2),
        ("GET", lambda: ("/api/admin/devices", None), 3),
        ("POST", lambda: ("/api/admin/enroll-tokens", {"unit": "KR-T01", "ttl_hours": 2}), 3),
        ("GET", lambda: ("/api/admin/units", None), 3),
        ("POST", unit, 3),
        ("GET", lambda: ("/api/admin/users", None), 3),
        ("POST", user, 3),
        ("GET", lambda: ("/api/admin/audit", None), 3),
        # allowed means "not refused for the role": no such blob / device → 404
        ("GET", lambda: ("/api/blobs/" + sha, None), 1),
        ("POST", lambda: ("/api/admin/devices/NO-SUCH/revoke", {}), 3),
    ]


def test_every_role_and_endpoint(staff):
    browsers = {login: staff.browser(login) for login in RANK}
    anonymous = Browser(staff.hub.url)
    checked = 0
    for method, make, least in endpoints(staff):
        for login, b in browsers.items():
            path, body = make()
            r = b.request(method, path, body)
            if RANK[login] >= least:
                assert r.status in (200, 201, 404), (login, method, path, r)
                if r.status == 404:
                    assert "blobs" in path or "NO-SUCH" in path, (login, path, r)
            else:
                assert r.status == 403 and r.code == "forbidden", (login, method, path, r)
            checked += 1
        path, body = make()
        r = anonymous.request(method, path, body)
        assert r.status == 401 and r.code == "unauthenticated", (method, path, r)
    assert checked == 20 * 3


def test_a_revoked_right_is_not_cached_in_the_browser(staff):
    """the role is read from the database on every request"""
    b = staff.browser("petro")
    assert b.get("/api/reports/summary").status == 200
    with staff.db() as db:
        db.execute("UPDATE users SET role = 'reviewer' WHERE login = 'petro'")
    r = b.get("/api/reports/summary")
    assert r.status == 403 and r.code == "forbidden"
    with staff.db() as db:
        db.execute("UPDATE users SET disabled = 1 WHERE login = 'petro'")
    assert b.get("/api/me").status == 401


def test_admin_actions_work_and_are_audited(staff):
    admin = staff.browser("boss")
    r = admin.post("/api/admin/units", {"code": "KR-C02", "name": "Мобільний кейс №2",
                                        "kind": "case"})
    assert r.status == 201, r
    assert admin.post("/api/admin/units", {"code": "KR-C02", "name": "x",
                                           "kind": "case"}).status == 409
    assert admin.post("/api/admin/units", {"code": "bad code", "name": "x",
                                           "kind": "case"}).status == 400
    r = admin.post("/api/admin/enroll-tokens", {"unit": "KR-C02", "ttl_hours": 48})
    assert r.status == 201 and len(r.json()["token"]) >= 32, r
    token = r.json()["token"]
    assert admin.post("/api/admin/enroll-tokens", {"unit": "NOPE"}).status == 404
    assert admin.post("/api/admin/enroll-tokens",
                      {"unit": "KR-C02", "ttl_hours": 10000}).status == 400
    r = admin.post("/api/admin/users", {"login": "anna", "role": "supervisor",
                                        "password": "anna-pass-12"})
    assert r.status == 201 and r.json() == {"login": "anna", "role": "supervisor"}
    users = admin.get("/api/admin/users").json()
    assert {"anna", "boss", "olena", "petro"} <= {u["login"] for u in users}
    assert all("hash" not in str(u).lower() and "scrypt" not in str(u) for u in users)
    assert Browser(staff.hub.url).login("anna", "anna-pass-12").status == 200
    devices = admin.get("/api/admin/devices").json()
    assert devices[0]["code"] == staff.device.code and devices[0]["status"] == "active"
    r = admin.post("/api/admin/devices/%s/revoke" % staff.device.code)
    assert r.status == 200 and r.json()["status"] == "revoked", r
    assert admin.post("/api/admin/devices/%s/revoke" % staff.device.code).status == 409
    # the revoked laptop is refused by the sync endpoint at once
    r = staff.device.post(staff.device.pull())
    assert r.status == 403 and r.code == "device_revoked"
    audit = admin.get("/api/admin/audit").json()
    actions = [(a["actor"], a["action"], a["target"]) for a in audit]
    assert ("boss", "device.revoke", staff.device.code) in actions
    assert ("boss", "user.add", "anna") in actions
    assert ("boss", "unit.add", "KR-C02") in actions
    assert ("boss", "enroll-token", "KR-C02") in actions
    assert token not in str(audit)  # a token is a secret, never logged
