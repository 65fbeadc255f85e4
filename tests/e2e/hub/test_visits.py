"""Home-visit requests on the hub (issue 15 item 1): staff create them (API
and CLI), a visit goes down to the laptops of its unit only through a real
pull, the laptops' state moves are applied or quarantined with the right
code, and bad input changes nothing."""
import json
import os
import sqlite3
import sys
import urllib.parse

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import wire  # noqa: E402
from review.staffapi import Browser, add_users  # noqa: E402

OTHER = "KR-C02"


def visit_body(unit="KR-T01", **kw):
    body = {"unit": unit,
            "citizen": {"surname": "Коваль", "given_name": "Олена", "patronymic": "Іванівна",
                        "phone": "067 123 45 67",
                        "address": {"settlement": "Вишневе", "street": "Шевченка",
                                    "house": "1"},
                        "mobility": "wheelchair"},
            "reason": "не виходить з дому", "services": ["CIV-01", "SOC-01"],
            "preferred_date": "2026-12-10", "note": "другий поверх"}
    body.update(kw)
    return body


@pytest.fixture
def world(hub, tmp_path):
    """the hub with a second unit, staff users, two laptops of KR-T01 and one of KR-C02"""
    hub.cli("unit", "add", "--code", OTHER, "--name", "Мобільний кейс 2", "--kind", "case")
    add_users(hub, tmp_path)
    b = Browser(hub.url)
    assert b.login("olena").status == 200
    return {"hub": hub, "staff": b, "a": hub.device(), "b": hub.device(),
            "other": hub.device(unit=OTHER)}


def pulled(device, vid=None):
    r, h, p = device.sync(device.pull())
    assert r.status == 200, r
    return [c for c in p["changes"] if c["entity"] == "visit" and (vid is None or c["id"] == vid)]


def visits_in_db(hub):
    with sqlite3.connect(os.path.join(hub.data, "hub.db")) as db:
        return db.execute("SELECT count(*) FROM visits").fetchone()[0]


def feed_rows(hub):
    with sqlite3.connect(os.path.join(hub.data, "hub.db")) as db:
        return db.execute("SELECT count(*) FROM feed WHERE entity = 'visit'").fetchone()[0]


def test_visit_reaches_only_its_units_laptops(world):
    hub, staff, a, b, other = (world[k] for k in ("hub", "staff", "a", "b", "other"))
    r = staff.post("/api/visits", visit_body())
    assert r.status == 201, r
    v = r.json()
    assert v["number"].startswith("В-2026-") and len(v["number"]) == len("В-2026-000001")
    assert v["state"] == "requested" and v["unit"] == "KR-T01"
    assert v["citizen"]["phone"] == "+380671234567"  # proto's normalisation
    assert v["created_by"] == "olena" and v["cases"] == [] and v["days_to_visit"] is None
    got = pulled(a, v["id"])
    assert len(got) == 1 and got[0]["op"] == "upsert"
    f = got[0]["fields"]
    assert f["number"] == v["number"] and f["state"] == "requested"
    assert f["citizen"]["surname"] == "Коваль" and f["services"] == ["CIV-01", "SOC-01"]
    assert f["preferred_date"] == "2026-12-10" and f["visited_at"] is None
    # only the vocabulary's keys go down
    assert set(f) == {"number", "unit", "citizen", "reason", "services", "preferred_date",
                      "note", "state", "state_reason", "scheduled_for", "requested_at",
                      "visited_at"}
    assert len(pulled(b, v["id"])) == 1
    assert pulled(other) == []  # never another unit's laptop
    # a second pull has nothing new
    assert pulled(a, v["id"]) == []


def test_transitions_from_the_unit_apply_and_go_to_the_other_laptops(world):
    hub, staff, a, b, other = (world[k] for k in ("hub", "staff", "a", "b", "other"))
    v = staff.post("/api/visits", visit_body()).json()
    pulled(a), pulled(b), pulled(other)
    sch = a.change("visit", v["id"], "transition",
                   {"from": "requested", "to": "scheduled", "scheduled_for": "2026-12-11"})
    r, h, p = a.send([sch])
    assert r.status == 200 and p["quarantined"] == []
    shown = staff.get("/api/visits/" + v["id"]).json()
    assert shown["state"] == "scheduled" and shown["scheduled_for"] == "2026-12-11"
    # the other laptop of the unit learns it; the sender is not echoed; the other unit never
    got = pulled(b, v["id"])
    assert [c["fields"]["state"] for c in got] == ["scheduled"]
    assert got[0]["fields"]["scheduled_for"] == "2026-12-11"
    assert pulled(a, v["id"]) == []
    assert pulled(other) == []
    # the case recorded from it, then the visit done
    cid, ch = a.new_case()
    ch["fields"]["visit"] = v["id"]
    done = a.change("visit", v["id"], "transition", {"from": "scheduled", "to": "visited"})
    r, h, p = a.send([ch, done])
    assert r.status == 200 and p["quarantined"] == []
    shown = staff.get("/api/visits/" + v["id"]).json()
    assert shown["state"] == "visited" and shown["visited_at"]
    assert shown["visited_at"] >= shown["requested_at"]
    assert [c["id"] for c in shown["cases"]] == [cid]
    assert shown["cases"][0]["number"] == ch["fields"]["number"]
    assert isinstance(shown["days_to_visit"], (int, float)) and shown["days_to_visit"] >= 0
    got = pulled(b, v["id"])
    assert got[-1]["fields"]["state"] == "visited" and got[-1]["fields"]["visited_at"]
    # final: nothing moves it any more
    back = a.change("visit", v["id"], "transition", {"from": "visited", "to": "cancelled",
                                                     "reason": "помилка"})
    r, h, p = a.send([back])
    assert [q["code"] for q in p["quarantined"]] == ["illegal_transition"]
    r = staff.post("/api/visits/%s/cancel" % v["id"], {"reason": "пізно"})
    assert r.status == 409 and r.code == "illegal_transition"
    assert staff.get("/api/visits/" + v["id"]).json()["state"] == "visited"


def test_bad_transitions_are_quarantined_and_change_nothing(world):
    hub, staff, a, b, other = (world[k] for k in ("hub", "staff", "a", "b", "other"))
    v = staff.post("/api/visits", visit_body()).json()
    mine = staff.post("/api/visits", visit_body(unit=OTHER)).json()
    pulled(b)
    cases = [
        # another unit's laptop
        (other, other.change("visit", v["id"], "transition",
                             {"from": "requested", "to": "scheduled"}), "forbidden"),
        # a stale `from`
        (a, a.change("visit", v["id"], "transition", {"from": "scheduled", "to": "visited"}),
         "illegal_transition"),
        # not in the machine
        (a, a.change("visit", v["id"], "transition", {"from": "requested", "to": "visited"}),
         "illegal_transition"),
        # cancelled needs a reason
        (a, a.change("visit", v["id"], "transition", {"from": "requested", "to": "cancelled"}),
         "missing_field"),
        # no such visit
        (a, a.change("visit", wire.new_id(), "transition",
                     {"from": "requested", "to": "scheduled"}), "not_found"),
        # not a state: proto's rule
        (a, a.change("visit", v["id"], "transition", {"from": "requested", "to": "gone"}),
         "bad_value"),
        # a laptop never writes the request itself
        (a, a.change("visit", v["id"], "upsert", {"state": "visited"}), "forbidden"),
        (a, a.change("visit", v["id"], "upsert", {"unit": OTHER}), "forbidden"),
    ]
    for dev, ch, code in cases:
        r, h, p = dev.send([ch])
        assert r.status == 200, r
        assert [q["code"] for q in p["quarantined"]] == [code], (ch, p["quarantined"])
    # a case naming another unit's visit, or one that does not exist
    cid, ch = a.new_case()
    ch["fields"]["visit"] = mine["id"]
    r, h, p = a.send([ch])
    assert [q["code"] for q in p["quarantined"]] == ["forbidden"]
    cid2, ch2 = a.new_case()
    ch2["fields"]["visit"] = wire.new_id()
    r, h, p = a.send([ch2])
    assert [q["code"] for q in p["quarantined"]] == ["not_found"]
    assert hub.cli("case", "list", json=True) == []
    shown = staff.get("/api/visits/" + v["id"]).json()
    assert shown["state"] == "requested" and shown["scheduled_for"] is None
    assert staff.get("/api/visits/" + mine["id"]).json()["state"] == "requested"
    assert pulled(b, v["id"]) == []  # nothing went down
    q = hub.cli("quarantine", "list", json=True)
    assert len(q) == len(cases) + 2


def test_cancel_by_laptop_and_by_staff(world):
    hub, staff, a, b = (world[k] for k in ("hub", "staff", "a", "b"))
    v1 = staff.post("/api/visits", visit_body()).json()
    v2 = staff.post("/api/visits", visit_body()).json()
    assert v2["number"][-6:] == "%06d" % (int(v1["number"][-6:]) + 1)
    pulled(b)
    c = a.change("visit", v1["id"], "transition",
                 {"from": "requested", "to": "cancelled", "reason": "громадянин у лікарні"})
    r, h, p = a.send([c])
    assert p["quarantined"] == []
    shown = staff.get("/api/visits/" + v1["id"]).json()
    assert shown["state"] == "cancelled" and shown["state_reason"] == "громадянин у лікарні"
    r = staff.post("/api/visits/%s/cancel" % v2["id"], {})
    assert r.status == 400 and r.code == "visit_reason" and r.json()["error"]["text"]
    assert staff.get("/api/visits/" + v2["id"]).json()["state"] == "requested"
    # by number too (percent-encoded: it starts with a Cyrillic letter)
    r = staff.post("/api/visits/%s/cancel" % urllib.parse.quote(v2["number"]),
                   {"reason": "дублікат"})
    assert r.status == 200 and r.json()["state"] == "cancelled"
    got = pulled(b)
    assert {(c["id"], c["fields"]["state"]) for c in got} == {
        (v1["id"], "cancelled"), (v2["id"], "cancelled")}
    assert [c for c in got if c["id"] == v2["id"]][0]["fields"]["state_reason"] == "дублікат"


def test_assign_moves_a_requested_visit_to_another_unit(world):
    hub, staff, a, other = (world[k] for k in ("hub", "staff", "a", "other"))
    v = staff.post("/api/visits", visit_body()).json()
    pulled(a), pulled(other)
    r = staff.post("/api/visits/%s/assign" % v["id"], {"unit": OTHER})
    assert r.status == 200 and r.json()["unit"] == OTHER
    got = pulled(other, v["id"])
    assert [c["fields"]["unit"] for c in got] == [OTHER]
    # the old unit's laptops hear once that it left them
    assert [c["fields"]["unit"] for c in pulled(a, v["id"])] == [OTHER]
    # now the old unit cannot touch it, the new one can
    r, h, p = a.send([a.change("visit", v["id"], "transition",
                               {"from": "requested", "to": "scheduled"})])
    assert [q["code"] for q in p["quarantined"]] == ["forbidden"]
    r = staff.post("/api/visits/%s/assign" % v["id"], {"unit": "NOPE"})
    assert r.status == 404
    r, h, p = other.send([other.change("visit", v["id"], "transition",
                                       {"from": "requested", "to": "scheduled"})])
    assert p["quarantined"] == []
    r = staff.post("/api/visits/%s/assign" % v["id"], {"unit": "KR-T01"})
    assert r.status == 409 and r.code == "visit_not_requested"
    assert staff.get("/api/visits/" + v["id"]).json()["unit"] == OTHER
    assert pulled(a, v["id"]) == []


def test_bad_input_changes_nothing(world):
    hub, staff, a = (world[k] for k in ("hub", "staff", "a"))
    before_feed = feed_rows(hub)
    bad = [
        (visit_body(unit="NOPE"), 404, "not_found"),
        (visit_body(unit=None), 400, "missing_field"),
        (visit_body(services=["NOPE-1"]), 400, "bad_value"),
        (visit_body(services=["CIV-01", "CIV-01"]), 400, "bad_value"),
        (visit_body(services="CIV-01"), 400, "bad_value"),
        (visit_body(preferred_date="10.12.2026"), 400, "bad_value"),
        (visit_body(note="x" * 2001), 400, "bad_value"),
        (visit_body(state="visited"), 400, "unknown_field"),
        (visit_body(number="В-2026-999999"), 400, "unknown_field"),
        (visit_body(citizen={"surname": "Коваль", "given_name": "Олена",
                             "phone": "12345", "address": "Вишневе"}), 400, "bad_value"),
        (visit_body(citizen={"surname": "", "given_name": "Олена",
                             "phone": "0671234567", "address": "Вишневе"}), 400,
         "missing_field"),
        (visit_body(citizen={"surname": "Коваль", "given_name": "Олена",
                             "phone": "0671234567"}), 400, "missing_field"),
        (visit_body(citizen={"surname": "Коваль", "given_name": "Олена", "phone": "0671234567",
                             "address": "Вишневе", "rnokpp": "1234567890"}), 400,
         "unknown_field"),
    ]
    for body, status, code in bad:
        r = staff.post("/api/visits", body)
        assert (r.status, r.code) == (status, code), (body, r)
        assert r.json()["error"]["text"]
    r = staff.post("/api/visits", b"[1,2]")
    assert r.status == 400
    r = staff.post("/api/visits", json.dumps(visit_body(note="x" * 70000)).encode())
    assert r.status in (400, 413)
    # CSRF and session like every POST
    r = staff.post("/api/visits", visit_body(), csrf=False)
    assert r.status == 403 and r.code == "csrf"
    assert Browser(hub.url).post("/api/visits", visit_body()).status == 401
    assert Browser(hub.url).get("/api/visits").status == 401
    assert visits_in_db(hub) == 0 and feed_rows(hub) == before_feed
    assert pulled(a) == []
    r = staff.get("/api/visits/" + wire.new_id())
    assert r.status == 404 and r.code == "not_found"
    for q in ("state=gone", "from=2026-13-01", "unit=" + "X" * 40,
              "q=" + urllib.parse.quote("я" * 150)):
        assert staff.get("/api/visits?" + q).status == 400, q
    # English words with ?lang=en
    r = staff.post("/api/visits?lang=en", visit_body(unit="NOPE"))
    assert "no such" in r.json()["error"]["text"].lower()


def test_list_filters(world):
    hub, staff = world["hub"], world["staff"]
    v1 = staff.post("/api/visits", visit_body()).json()
    v2 = staff.post("/api/visits", visit_body(
        unit=OTHER, citizen={"surname": "Ґудзь", "given_name": "Петро", "phone": "0501112233",
                             "address": "Бровари, вул. Київська 5"})).json()
    staff.post("/api/visits/%s/cancel" % v2["id"], {"reason": "дублікат"})

    def ids(q):
        r = staff.get("/api/visits" + q)
        assert r.status == 200, r
        return [v["id"] for v in r.json()["visits"]]

    assert ids("") == [v2["id"], v1["id"]]  # newest first
    assert ids("?unit=" + OTHER) == [v2["id"]]
    assert ids("?state=requested") == [v1["id"]]
    assert ids("?state=cancelled&unit=KR-T01") == []
    assert ids("?q=%D2%91%D1%83%D0%B4%D0%B7%D1%8C") == [v2["id"]]  # "ґудзь", any case
    assert ids("?q=%D0%B1%D1%80%D0%BE%D0%B2%D0%B0%D1%80%D0%B8") == [v2["id"]]  # address
    assert ids("?q=" + v1["number"].split("-", 1)[1][-6:]) == [v1["id"]]
    today = v1["requested_at"][:10]
    assert ids("?from=%s&to=%s" % (today, today)) == [v2["id"], v1["id"]]
    assert ids("?to=2000-01-01") == []


def test_cli_add_and_list(world):
    hub, a, other = world["hub"], world["a"], world["other"]
    p = hub.cli("visit", "add", "--unit", "KR-T01", "--surname", "Бондар", "--given-name",
                "Іван", "--patronymic", "Петрович", "--phone", "(050) 123-45-67",
                "--address", "с. Гора, вул. Лісова 3", "--services", "CIV-01, SOC-01",
                "--preferred", "2026-12-20", "--note", "дзвонити синові", "--reason",
                "після інсульту")
    number = p.stdout.strip()
    assert number.startswith("В-2026-") and "\n" not in number
    assert "замовлено" in p.stderr
    lst = hub.cli("visit", "list", json=True)
    assert [v["number"] for v in lst] == [number]
    v = lst[0]
    assert v["citizen"]["phone"] == "+380501234567" and v["services"] == ["CIV-01", "SOC-01"]
    assert v["citizen"]["address"] == {"text": "с. Гора, вул. Лісова 3"}
    assert v["reason"] == "після інсульту" and v["preferred_date"] == "2026-12-20"
    text = hub.cli("visit", "list").stdout
    assert number in text and "замовлено" in text and "20.12.2026" in text
    assert "requested" in hub.cli("visit", "list", "--lang", "en").stdout
    assert hub.cli("visit", "list", "--unit", OTHER, json=True) == []
    assert [c["fields"]["number"] for c in pulled(a)] == [number]
    assert pulled(other) == []
    # refusals: exit 2, one line, in the language asked, nothing stored
    p = hub.cli("visit", "add", "--unit", "KR-T01", "--surname", "Бондар", "--given-name",
                "Іван", "--phone", "123", "--address", "Гора", check=False)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Неправильне" in p.stderr
    p = hub.cli("visit", "add", "--unit", "KR-T01", "--surname", "Бондар", "--given-name",
                "Іван", "--phone", "0501234567", "--lang", "en", check=False)
    assert p.returncode == 2 and "--address is required" in p.stderr
    p = hub.cli("visit", "add", "--unit", "KR-T01", "--surname", "Бондар", "--given-name",
                "Іван", "--phone", "0501234567", "--address", "Гора", "--preferred",
                "20.12.2026", "--lang", "en", check=False)
    assert p.returncode == 2 and "YYYY-MM-DD" in p.stderr
    p = hub.cli("visit", "list", "--state", "done", check=False)
    assert p.returncode == 2
    assert len(hub.cli("visit", "list", json=True)) == 1


def test_a_real_laptop_takes_the_visit_feed(hub, tmp_path):
    """the upsert the hub sends passes the agent's own checks of a pull
    (proto_response_decode) — a real mo-agent syncs with visits in its feed"""
    from agentlib import Agent  # noqa: E402
    hub.cli("visit", "add", "--unit", "KR-T01", "--surname", "Бондар", "--given-name", "Іван",
            "--phone", "0501234567", "--address", "с. Гора", "--services", "CIV-01",
            "--preferred", "2026-12-20", "--note", "дзвонити синові")
    ag = Agent(tmp_path / "agent")
    ag.enroll(hub)
    p = ag.sync(check=False)
    assert p.returncode == 0, p.stderr + p.stdout
    assert hub.cli("quarantine", "list", json=True) == []


def test_staff_edit_goes_down_and_bad_edits_change_nothing(world):
    staff, a, other = world["staff"], world["a"], world["other"]
    v = staff.post("/api/visits", visit_body()).json()
    pulled(a), pulled(other)
    r = staff.post("/api/visits/%s/edit" % v["id"], {
        "citizen": {"phone": "050 111 22 33", "address": "Вишневе, вул. Нова 2"},
        "preferred_date": None, "services": ["PAS-01"], "note": "під'їзд з двору"})
    assert r.status == 200, r
    e = r.json()
    assert e["citizen"]["phone"] == "+380501112233" and e["citizen"]["surname"] == "Коваль"
    assert e["citizen"]["address"] == {"text": "Вишневе, вул. Нова 2"}
    assert e["preferred_date"] is None and e["services"] == ["PAS-01"]
    assert e["number"] == v["number"] and e["state"] == "requested"
    got = pulled(a, v["id"])
    assert [c["fields"]["note"] for c in got] == ["під'їзд з двору"]
    assert pulled(other) == []
    for body, code in [({"unit": OTHER}, "unknown_field"), ({"state": "visited"}, "unknown_field"),
                       ({"citizen": {"phone": "1"}}, "bad_value"),
                       ({"citizen": {"surname": ""}}, "missing_field"),
                       ({"services": ["NOPE-1"]}, "bad_value"), ({}, "bad_request")]:
        r = staff.post("/api/visits/%s/edit" % v["id"], body)
        assert r.status == 400 and r.code == code, (body, r)
    shown = staff.get("/api/visits/" + v["id"]).json()
    assert shown["citizen"]["phone"] == "+380501112233" and shown["services"] == ["PAS-01"]
    assert pulled(a, v["id"]) == []
    staff.post("/api/visits/%s/cancel" % v["id"], {"reason": "дублікат"})
    r = staff.post("/api/visits/%s/edit" % v["id"], {"note": "x"})
    assert r.status == 409 and r.code == "illegal_transition"
