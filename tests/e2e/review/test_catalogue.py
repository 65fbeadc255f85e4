"""Catalogue administration (issue 14 item 8): admins edit the service
catalogue through the API and the CLI; reviewers read it; every edit is
checked by the `service` upsert's rules, versioned, audited and fed to
every laptop of every unit — shown here with real mo-agent laptops."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent  # noqa: E402
from staffapi import staff  # noqa: E402,F401


def put(b, code, body):
    return b.request("PUT", "/api/catalogue/services/" + code, body)


def service(b, code):
    r = b.get("/api/catalogue")
    assert r.status == 200, r
    return next((s for s in r.json()["services"] if s["code"] == code), None)


def snapshot(st):
    """what an edit may change: services, kept versions, feed, audit"""
    db = st.db()
    try:
        return [db.execute(q).fetchall() for q in (
            "SELECT code, fields, version FROM services ORDER BY code",
            "SELECT * FROM catalogue_versions ORDER BY version",
            "SELECT count(*) FROM feed",
            "SELECT count(*) FROM audit WHERE action = 'catalogue.set'")]
    finally:
        db.close()


def test_roles_reviewers_read_admins_edit(staff):
    rev, sup, adm = staff.browser("olena"), staff.browser("petro"), staff.browser("boss")
    r = rev.get("/api/catalogue")
    assert r.status == 200, r
    cat = r.json()
    assert cat["version"] == 1
    pas = next(s for s in cat["services"] if s["code"] == "PAS-01")
    assert pas["fee_uah"] == 345 and pas["version"] == 1 and pas["active"] is True
    assert pas["cases"] >= 1  # the staff fixture synced a case naming PAS-01
    pkg = next(s for s in cat["services"] if s["code"] == "PKG-ID14")
    assert pkg["category"] == "package" and pkg["members"]

    before = snapshot(staff)
    for b in (rev, sup):
        r = put(b, "PAS-01", {"version": 1, "fee_uah": 1})
        assert r.status == 403 and r.code == "forbidden", r
    # no session / no CSRF token: refused before anything is read
    anon = staff.browser()
    assert put(anon, "PAS-01", {"version": 1, "fee_uah": 1}).status == 401
    r = adm.request("PUT", "/api/catalogue/services/PAS-01", {"version": 1, "fee_uah": 1},
                    csrf=False)
    assert r.status == 403 and r.code == "csrf", r
    assert snapshot(staff) == before
    assert service(rev, "PAS-01")["fee_uah"] == 345


@pytest.mark.parametrize("body, words", [
    ({"fee_uah": -1}, "fee_uah"),
    ({"fee_uah": 1.5}, "fee_uah"),
    ({"fee_uah": "400"}, "fee_uah"),
    ({"fee_uah": 10000001}, "fee_uah"),
    ({"title_uk": "x" * 501}, "title_uk"),
    ({"title_uk": ""}, "title"),
    ({"title_en": "bad\u0007bell"}, "title_en"),
    ({"category": "no-such-category"}, "category"),
    ({"required_documents": ["ok"] * 51}, "required_documents"),
    ({"required_documents": "паспорт"}, "required_documents"),
    ({"active": "no"}, "active"),
    ({"colour": "red"}, "colour"),
    ({"code": "PAS-02"}, "code"),
    ({"members": ["RES-01"]}, "package"),  # a service with members but not a package
])
def test_validation_errors_change_nothing(staff, body, words):
    adm = staff.browser("boss")
    before = snapshot(staff)
    r = put(adm, "PAS-01", dict(body, version=1))
    assert r.status == 400, r
    assert r.code == "bad_value", r
    assert words in r.json()["error"]["message"], r
    assert r.json()["error"]["text"]  # in words, Ukrainian by default
    assert snapshot(staff) == before


def test_package_members_must_exist_and_not_be_packages(staff):
    adm = staff.browser("boss")
    before = snapshot(staff)
    new = {"version": 0, "category": "package", "title_uk": "Новий пакет",
           "title_en": "New package"}
    cases = [
        (dict(new, members=["RES-01", "NO-SUCH"]), "not in the catalogue"),
        (dict(new, members=["RES-01", "PKG-ID14"]), "is a package"),
        (dict(new, members=["RES-01", "RES-01"]), "twice"),
        (dict(new, members=["PKG-NEW"]), "itself"),
        (dict(new, members=[]), "at least one member"),
        (dict(new, members=["RES-01"], fee_uah=0, category="residence"), "package"),
    ]
    for body, words in cases:
        r = put(adm, "PKG-NEW", body)
        assert r.status == 400 and r.code == "bad_value", (body, r)
        assert words in r.json()["error"]["message"], (body, r)
    # a member of a package cannot become a package itself
    r = put(adm, "RES-01", {"version": 1, "category": "package", "members": ["RES-02"]})
    assert r.status == 400 and "member of package" in r.json()["error"]["message"], r
    # a bad code in the path
    r = put(adm, "BAD%20CODE", dict(new, members=["RES-01"]))
    assert r.status in (400, 404), r
    assert snapshot(staff) == before

    r = put(adm, "PKG-NEW", dict(new, members=["RES-01", "PAS-01"]))
    assert r.status == 201, r
    got = r.json()
    assert got["version"] == 1 and got["members"] == ["RES-01", "PAS-01"]
    assert got["catalogue_version"] == 2 and got["changed"] is True
    # creating it again is a conflict, not an overwrite
    r = put(adm, "PKG-NEW", dict(new, members=["RES-01"]))
    assert r.status == 409 and r.code == "conflict", r
    assert service(adm, "PKG-NEW")["members"] == ["RES-01", "PAS-01"]
    # an edit of a service that does not exist
    r = put(adm, "NO-SUCH", {"version": 3, "fee_uah": 1})
    assert r.status == 404 and r.code == "not_found", r


def test_two_admins_conflict_409_and_versions_audit(staff, tmp_path):
    staff.hub.cli("user", "add", "--login", "ira", "--role", "admin", "--password-file",
                  str(tmp_path / "boss.pw"))
    a1 = staff.browser("boss")
    a2 = staff.browser()
    assert a2.login("ira", "admin-pass-1").status == 200
    seen1, seen2 = service(a1, "PAS-01"), service(a2, "PAS-01")
    assert seen1["version"] == seen2["version"] == 1

    r = put(a1, "PAS-01", {"version": seen1["version"], "fee_uah": 400})
    assert r.status == 200, r
    assert r.json()["version"] == 2 and r.json()["catalogue_version"] == 2
    # the second admin saw version 1: a clear conflict, the first edit stays
    before = snapshot(staff)
    r = put(a2, "PAS-01", {"version": seen2["version"], "fee_uah": 500})
    assert r.status == 409 and r.code == "conflict", r
    msg = r.json()["error"]["message"]
    assert "version 2" in msg and "boss" in msg, msg
    assert r.json()["error"]["text"].startswith("Такий запис")
    assert snapshot(staff) == before
    assert service(a2, "PAS-01")["fee_uah"] == 400
    # after a reload the second admin's edit goes in
    r = put(a2, "PAS-01", {"version": 2, "fee_uah": 500, "title_en": "ID card"})
    assert r.status == 200 and r.json()["version"] == 3, r
    # the same values again: nothing changes, nothing is recorded
    before = snapshot(staff)
    r = put(a2, "PAS-01", {"version": 3, "fee_uah": 500})
    assert r.status == 200 and r.json()["changed"] is False and r.json()["version"] == 3, r
    assert snapshot(staff) == before

    cat = a1.get("/api/catalogue").json()
    assert cat["version"] == 3
    vs = a1.get("/api/catalogue/versions?code=PAS-01").json()
    assert [v["version"] for v in vs] == [3, 2]
    assert [v["actor"] for v in vs] == ["ira", "boss"]
    assert vs[1]["old"]["fee_uah"] == 345 and vs[1]["new"]["fee_uah"] == 400
    assert vs[0]["old"]["fee_uah"] == 400 and vs[0]["new"]["fee_uah"] == 500
    assert vs[0]["new"]["title_en"] == "ID card"
    assert vs[0]["service_version"] == 3
    # reviewers read the versions too
    assert staff.browser("olena").get("/api/catalogue/versions").status == 200

    audit = [e for e in a1.get("/api/admin/audit").json() if e["action"] == "catalogue.set"]
    assert [(e["actor"], e["target"]) for e in audit] == [("ira", "PAS-01"),
                                                          ("boss", "PAS-01")]
    assert audit[1]["detail"] == "v1 → v2: fee_uah 345 → 400"
    assert "fee_uah 400 → 500" in audit[0]["detail"]
    assert 'title_en "Citizen\'s passport as an ID card" → "ID card"' in audit[0]["detail"]
    # the audit action in words, both languages
    assert staff.browser().get("/api/words?lang=uk").json()["audit_actions"]["catalogue.set"]
    assert staff.browser().get("/api/words?lang=en").json()["audit_actions"][
        "catalogue.set"] == "service catalogue changed"


def test_retire_never_delete(staff):
    adm = staff.browser("boss")
    r = put(adm, "TAX-01", {"version": 1, "active": False})
    assert r.status == 200 and r.json()["active"] is False, r
    got = service(adm, "TAX-01")
    assert got is not None and got["active"] is False and got["cases"] >= 1
    # the case that names it still shows it with its title
    number = staff.cases[1][1]
    c = adm.get("/api/cases/" + number).json()
    svc = next(s for s in c["services"] if s["code"] == "TAX-01")
    assert svc["title_uk"]
    # no way to delete
    assert adm.request("DELETE", "/api/catalogue/services/TAX-01").status in (404, 405)
    assert service(adm, "TAX-01") is not None


def test_cli_list_and_set(staff):
    hub = staff.hub
    out = hub.cli("catalogue", "list").stdout
    assert "каталог послуг, версія 1" in out and "PAS-01\tv1\tпаспортні послуги\t345 грн" in out
    p = hub.cli("catalogue", "set", "PAS-01", "--fee", "410", "--documents",
                "паспорт; фото")
    assert "версія 2" in p.stdout, p.stdout
    got = hub.cli("catalogue", "list", json=True)
    pas = next(s for s in got["services"] if s["code"] == "PAS-01")
    assert pas["fee_uah"] == 410 and pas["required_documents"] == ["паспорт", "фото"]
    assert got["version"] == 2
    p = hub.cli("catalogue", "set", "PAS-01", "--fee", "-5", check=False)
    assert p.returncode == 2 and "--fee" in p.stderr
    p = hub.cli("catalogue", "set", "PAS-01", "--fee", "20000000", "--lang", "en", check=False)
    assert p.returncode == 2 and "fee_uah" in p.stderr, p.stderr
    p = hub.cli("catalogue", "set", "PAS-01", "--version", "1", "--fee", "1", check=False)
    assert p.returncode == 1 and "version 2" in p.stderr, p.stderr
    assert hub.cli("catalogue", "list", json=True)["version"] == 2
    audit = staff.db().execute(
        "SELECT actor, detail FROM audit WHERE action = 'catalogue.set'").fetchall()
    assert audit == [("cli", 'v1 → v2: fee_uah 345 → 410; required_documents '
                      '["свідоцтво про народження","РНОКПП","фото"] → ["паспорт","фото"]')]


def agent_service(agent, code):
    return next((s for s in agent.run("service", "list", json=True) if s["code"] == code), None)


def test_edit_reaches_every_laptop_of_every_unit(staff, tmp_path):
    hub = staff.hub
    hub.cli("unit", "add", "--code", "KR-C09", "--name", "Мобільний кейс №9", "--kind", "case")
    truck = Agent(tmp_path / "truck")
    truck.enroll(hub)
    case = Agent(tmp_path / "case")
    case.run("enroll", "--hub", hub.url, "--token", hub.token(unit="KR-C09"),
             "--operator", "Іван Петренко", json=True)
    for a in (truck, case):
        a.sync()
        assert agent_service(a, "PAS-01")["fee_uah"] == 345
        assert agent_service(a, "TAX-01") is not None

    adm = staff.browser("boss")
    assert put(adm, "PAS-01", {"version": 1, "fee_uah": 420,
                               "title_uk": "ID-картка (нова редакція)"}).status == 200
    assert put(adm, "TAX-01", {"version": 1, "active": False}).status == 200
    r = put(adm, "LAND-99", {"version": 0, "category": "land", "title_uk": "Нова земельна послуга",
                             "title_en": "A new land service", "fee_uah": 75,
                             "required_documents": ["паспорт"]})
    assert r.status == 201, r

    for a in (truck, case):
        # before the sync the laptop still has the old catalogue
        assert agent_service(a, "PAS-01")["fee_uah"] == 345
        a.sync()
        pas = agent_service(a, "PAS-01")
        assert pas["fee_uah"] == 420 and pas["title"] == "ID-картка (нова редакція)"
        assert agent_service(a, "TAX-01") is None  # retired: not offered any more
        new = agent_service(a, "LAND-99")
        assert new and new["fee_uah"] == 75
    # a new application on the laptop expects the new fee
    number, cid, _ = truck.new_case(1, services=["PAS-01", "LAND-99"])
    assert truck.show(cid)["fee_uah"] == 495
    p = truck.run("case", "new", "--service", "TAX-01", "--surname", "Іваненко",
                  check=False)
    assert p.returncode != 0  # a retired service is not taken any more
