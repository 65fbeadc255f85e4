"""Staff accounts through the admin API (issue 10 item 6): disable, enable,
a new password and a role change act on every open session of that user
at once, are audited, refuse what would leave the hub without an admin,
and are the admin's alone.  `mo-hub user ...` goes through the same
hub_user_change, so a change at the console reaches an open browser too."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from staffapi import Browser, staff  # noqa: E402,F401


def users(admin):
    r = admin.get("/api/admin/users")
    assert r.status == 200, r
    return {u["login"]: u for u in r.json()}


def audited(admin):
    return [(a["actor"], a["action"], a["target"], a.get("detail"))
            for a in admin.get("/api/admin/audit").json()]


def test_disable_ends_every_session_and_enable_lets_in_again(staff):
    admin = staff.browser("boss")
    first, second = staff.browser("olena"), staff.browser("olena")
    petro = staff.browser("petro")
    r = admin.post("/api/admin/users/olena/disable")
    assert r.status == 200 and r.json() == {"login": "olena"}, r
    for b in (first, second):
        r = b.get("/api/cases")
        assert r.status == 401 and r.code == "unauthenticated", r
    assert petro.get("/api/me").status == 200  # nobody else is touched
    with staff.db() as db:
        assert db.execute("SELECT count(*) FROM sessions WHERE login = 'olena'"
                          ).fetchone()[0] == 0
    assert users(admin)["olena"]["disabled"] is True
    assert Browser(staff.hub.url).login("olena").code == "bad_login"
    r = admin.post("/api/admin/users/olena/enable")
    assert r.status == 200, r
    assert users(admin)["olena"]["disabled"] is False
    assert first.get("/api/me").status == 401  # an ended session stays ended
    assert first.login("olena").status == 200
    assert first.get("/api/cases").status == 200
    acts = audited(admin)
    assert ("boss", "user.disable", "olena", None) in acts
    assert ("boss", "user.enable", "olena", None) in acts


def test_new_password_ends_sessions_and_replaces_the_old_one(staff):
    admin = staff.browser("boss")
    b = staff.browser("olena")
    before = users(admin)["olena"].get("password_changed_at")
    r = admin.post("/api/admin/users/olena/password", {"password": "short"})
    assert r.status == 400 and r.code == "bad_request", r
    assert b.get("/api/me").status == 200  # a refused change ends nothing
    assert admin.post("/api/admin/users/olena/password", {}).status == 400
    r = admin.post("/api/admin/users/olena/password", {"password": "olena-new-pass-9"})
    assert r.status == 200, r
    assert b.get("/api/me").status == 401
    assert Browser(staff.hub.url).login("olena").code == "bad_login"
    assert Browser(staff.hub.url).login("olena", "olena-new-pass-9").status == 200
    after = users(admin)["olena"].get("password_changed_at")
    assert after and after != before
    assert "olena-new-pass-9" not in str(audited(admin))
    assert ("boss", "user.password", "olena", None) in audited(admin)


def test_role_change_reaches_the_open_session(staff):
    admin = staff.browser("boss")
    b = staff.browser("olena")
    assert b.get("/api/reports/summary").status == 403
    r = admin.post("/api/admin/users/olena/role", {"role": "supervisor"})
    assert r.status == 200, r
    assert b.get("/api/reports/summary").status == 200  # same session, new rights
    assert b.get("/api/me").json()["role"] == "supervisor"
    assert b.get("/api/admin/users").status == 403
    r = admin.post("/api/admin/users/olena/role", {"role": "root"})
    assert r.status == 400 and r.code == "bad_request", r
    assert users(admin)["olena"]["role"] == "supervisor"
    r = admin.post("/api/admin/users/olena/role", {"role": "reviewer"})
    assert r.status == 200
    assert b.get("/api/reports/summary").status == 403
    assert ("boss", "user.role", "olena", "supervisor") in audited(admin)


def test_the_last_admin_cannot_be_disabled_or_demoted(staff):
    admin = staff.browser("boss")
    for path, body in [("/api/admin/users/boss/disable", {}),
                       ("/api/admin/users/boss/role", {"role": "supervisor"})]:
        r = admin.post(path, body)
        assert r.status == 409 and r.code == "last_admin", r
    u = users(admin)["boss"]
    assert u["role"] == "admin" and u["disabled"] is False
    assert admin.get("/api/me").status == 200
    # with a second admin the first may step down
    assert admin.post("/api/admin/users/petro/role", {"role": "admin"}).status == 200
    assert admin.post("/api/admin/users/boss/role", {"role": "reviewer"}).status == 200
    assert admin.get("/api/admin/users").status == 403


def test_unknown_user_and_wrong_callers(staff):
    admin = staff.browser("boss")
    for op, body in [("disable", {}), ("enable", {}), ("role", {"role": "reviewer"}),
                     ("password", {"password": "long-enough-1"})]:
        r = admin.post("/api/admin/users/nobody/%s" % op, body)
        assert r.status == 404 and r.code == "not_found", (op, r)
        for login in ("olena", "petro"):
            r = staff.browser(login).post("/api/admin/users/olena/%s" % op, body)
            assert r.status == 403 and r.code == "forbidden", (login, op, r)
        r = admin.request("POST", "/api/admin/users/olena/%s" % op, body, csrf=False)
        assert r.status == 403 and r.code == "csrf", (op, r)
        r = Browser(staff.hub.url).post("/api/admin/users/olena/%s" % op, body)
        assert r.status == 401, (op, r)
    u = users(admin)["olena"]
    assert u["role"] == "reviewer" and u["disabled"] is False
    assert Browser(staff.hub.url).login("olena").status == 200
    assert not [a for a in audited(admin) if a[2] in ("olena", "nobody")]


def test_cli_change_reaches_an_open_browser(staff, tmp_path):
    b = staff.browser("olena")
    staff.hub.cli("user", "role", "--login", "olena", "--role", "supervisor")
    assert b.get("/api/reports/summary").status == 200
    staff.hub.cli("user", "disable", "--login", "olena")
    assert b.get("/api/me").status == 401
    staff.hub.cli("user", "enable", "--login", "olena")
    pw = tmp_path / "new.pw"
    pw.write_text("olena-cli-pass-1\n")
    b = staff.browser("olena")
    staff.hub.cli("user", "passwd", "--login", "olena", "--password-file", str(pw))
    assert b.get("/api/me").status == 401
    assert b.login("olena", "olena-cli-pass-1").status == 200
    p = staff.hub.cli("user", "disable", "--login", "boss", check=False)
    assert p.returncode != 0 and "admin" in p.stderr
    admin = staff.browser("boss")
    acts = [a[:3] for a in audited(admin)]
    for action in ("user.role", "user.disable", "user.enable", "user.password"):
        assert ("cli", action, "olena") in acts, action
