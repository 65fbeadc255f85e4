"""Home-visit requests end to end (issue 15 item 1): staff ask for a visit on
a real hub, the unit's laptop gets it on its next sync (another unit's laptop
never does), schedules it, records the application from it and marks it
visited; the hub sees each step.  Illegal moves are refused on the laptop
with a clear message and nothing queued."""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent, person  # noqa: E402
from review.staffapi import Browser, add_users  # noqa: E402

OTHER = "LV-X02"


def tomorrow():
    return (datetime.date.today() + datetime.timedelta(days=1)).strftime("%d.%m.%Y")


def hub_visit(hub, number):
    for v in hub.cli("visit", "list", json=True):
        if v["number"] == number:
            return v
    raise AssertionError("the hub has no visit %s" % number)


def add_visit(hub, unit="KR-T01", surname="Шевчук", services="PAS-02"):
    v = hub.cli("visit", "add", "--unit", unit, "--surname", surname, "--given-name", "Ганна",
                "--patronymic", "Петрівна", "--phone", "067 765 43 21",
                "--address", "с. Глибока, вул. Садова, 3", "--services", services,
                "--preferred", (datetime.date.today() + datetime.timedelta(days=3)).isoformat(),
                "--note", "другий поверх, дзвонити заздалегідь", "--mobility", "wheelchair",
                json=True)
    assert v["number"].startswith("В-") and v["state"] == "requested", v
    return v


def test_visit_from_request_to_visited(hub, tmp_path):
    hub.cli("unit", "add", "--code", OTHER, "--name", "Мобільний офіс №2", "--kind", "truck")
    mine = Agent(tmp_path / "laptop")
    mine.enroll(hub)
    other = Agent(tmp_path / "other")
    other.run("enroll", "--hub", hub.url, "--token", hub.token(OTHER),
              "--operator", "Іван Гнатюк", json=True)
    v = add_visit(hub)
    theirs = add_visit(hub, unit=OTHER, surname="Ткаченко")

    # the unit's laptop gets its visit, and only that one
    assert mine.run("visit", "list", json=True) == []
    mine.sync()
    other.sync()
    listed = mine.run("visit", "list", json=True)
    assert [x["number"] for x in listed] == [v["number"]]
    got = listed[0]
    assert got["id"] == v["id"] and got["state"] == "requested"
    assert got["citizen"]["surname"] == "Шевчук"
    assert got["citizen"]["phone"] == "+380677654321"
    assert got["services"] == ["PAS-02"]
    assert [x["number"] for x in other.run("visit", "list", json=True)] == [theirs["number"]]
    r = other.run("visit", "show", v["number"], check=False)
    assert r.returncode == 1 and "no such visit request" in r.stderr, r
    # the list for people, in Ukrainian by default
    out = mine.run("--lang", "uk", "visit", "list").stdout
    assert v["number"] in out and "очікує планування" in out and "Шевчук" in out

    # an illegal move is refused here, with what to do, and nothing is queued
    before = mine.status()["pending_changes"]
    r = mine.run("visit", "done", v["number"], check=False)
    assert r.returncode == 1
    assert "cannot become" in r.stderr and "schedule" in r.stderr, r.stderr
    r = mine.run("--lang", "uk", "visit", "done", v["number"], check=False)
    assert "не можна" in r.stderr and "заплануйте" in r.stderr, r.stderr
    r = mine.run("visit", "cancel", v["number"], "--reason", " ", check=False)
    assert r.returncode == 1 and "reason" in r.stderr, r.stderr
    r = mine.run("visit", "schedule", v["number"], "--date", "01.01.2001", check=False)
    assert r.returncode == 1 and "past" in r.stderr, r.stderr
    assert mine.status()["pending_changes"] == before

    # schedule: shown at once, the hub learns it on the next sync
    s = mine.run("visit", "schedule", v["id"].upper(), "--date", tomorrow(), json=True)
    assert s["state"] == "scheduled" and s["pending"] is True
    assert hub_visit(hub, v["number"])["state"] == "requested"
    mine.sync()
    hv = hub_visit(hub, v["number"])
    assert hv["state"] == "scheduled"
    assert hv["scheduled_for"] == (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    s = mine.run("visit", "show", v["number"], json=True)
    assert s["state"] == "scheduled" and s["pending"] is False

    # the application from the visit: the citizen and the services come from it
    p = person(3)
    c = mine.run("case", "new", "--visit", v["number"], "--birth-date", p["birth_date"],
                 "--tax-id", p["rnokpp"], "--consent", json=True)
    case = mine.show(c["id"])
    assert case["visit"] == v["id"]
    a = case["applicant"]
    assert (a["surname"], a["given_name"], a["patronymic"]) == ("Шевчук", "Ганна", "Петрівна")
    assert a["phone"] == "+380677654321" and a["mobility"] == "wheelchair"
    assert "Садова" in a["address"]["text"]
    assert [x["code"] for x in case["services"]] == ["PAS-02"]
    # the user's own flags win over the visit
    c2 = mine.run("case", "new", "--visit", v["number"], "--given-name", "Галина",
                  "--service", "TAX-01", "--birth-date", p["birth_date"],
                  "--tax-id", p["rnokpp"], "--consent", json=True)
    case2 = mine.show(c2["id"])
    assert case2["applicant"]["given_name"] == "Галина"
    assert [x["code"] for x in case2["services"]] == ["TAX-01"]
    assert [x["number"] for x in mine.run("visit", "show", v["id"], json=True)["cases"]] == \
        [c["number"], c2["number"]]
    r = mine.run("case", "new", "--visit", "В-2026-999999", "--birth-date", p["birth_date"],
                 "--tax-id", p["rnokpp"], "--consent", check=False)
    assert r.returncode == 1 and "no such visit request" in r.stderr, r.stderr

    # done → sync → the hub shows it visited, with the applications
    mine.run("visit", "done", v["number"])
    mine.sync()
    assert mine.status()["quarantined"] == []
    hv = hub_visit(hub, v["number"])
    assert hv["state"] == "visited"
    add_users(hub, tmp_path)
    b = Browser(hub.url)
    assert b.login("olena").status == 200
    page = b.get("/api/visits/" + v["id"])
    assert page.status == 200, page
    page = page.json()
    page = page.get("visit", page)
    assert page["state"] == "visited"
    assert sorted(x["number"] for x in page["cases"]) == sorted([c["number"], c2["number"]])
    # closed: nothing more moves
    r = mine.run("visit", "cancel", v["number"], "--reason", "помилка", check=False)
    assert r.returncode == 1 and "closed" in r.stderr, r.stderr
    # the other unit's laptop still never saw it
    other.sync()
    assert [x["number"] for x in other.run("visit", "list", json=True)] == [theirs["number"]]


def test_cancel_and_staff_cancel_win(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    v1 = add_visit(hub, surname="Гнатюк")
    v2 = add_visit(hub, surname="Олійник")
    a.sync()
    # the laptop cancels one, with a reason the hub keeps
    a.run("visit", "cancel", v1["number"], "--reason", "громадянин у лікарні")
    assert a.run("visit", "show", v1["number"], json=True)["state"] == "cancelled"
    r = a.run("case", "new", "--visit", v1["number"], "--birth-date", person(5)["birth_date"],
              "--tax-id", person(5)["rnokpp"], "--consent", check=False)
    assert r.returncode == 1 and "cancelled" in r.stderr, r.stderr
    # staff cancel the other while the laptop schedules it offline: the hub's
    # state wins, the laptop's move is set aside and the laptop shows the truth
    add_users(hub, tmp_path)
    b = Browser(hub.url)
    assert b.login("olena").status == 200
    r = b.post("/api/visits/%s/cancel" % v2["id"], {"reason": "громадянин переїхав"})
    assert r.status == 200, r
    a.run("visit", "schedule", v2["number"], "--date", tomorrow())
    a.sync()
    assert hub_visit(hub, v1["number"])["state"] == "cancelled"
    assert hub_visit(hub, v1["number"])["state_reason"] == "громадянин у лікарні"
    assert hub_visit(hub, v2["number"])["state"] == "cancelled"
    shown = a.run("visit", "show", v2["number"], json=True)
    assert shown["state"] == "cancelled" and shown["pending"] is False
    assert shown["state_reason"] == "громадянин переїхав"
    assert [q["code"] for q in a.status()["quarantined"]] == ["illegal_transition"]


def test_field_ui_visits_api_defences(hub, tmp_path):
    """the field UI's /api/visits: a signed-in operator only, CSRF and Origin on
    every move, a refused move changes nothing; the number works as the key"""
    from uilib import FieldUI, quote

    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    pin = tmp_path / "pin"
    pin.write_text("2468\n")
    a.run("operator", "pin", "Олена Коваль", "--pin-file", str(pin))
    v = add_visit(hub)
    a.sync()
    ui = FieldUI(a.data).start()
    try:
        ui.open_session()
        # reading needs a signed-in operator: addresses and phones are personal
        r = ui.request("GET", "/api/visits")
        assert r.status == 401 and r.json["error"]["code"] == "signin", r.body
        ui.signin("Олена Коваль", "2468")
        listed = ui.api("GET", "visits")
        assert [x["number"] for x in listed] == [v["number"]]
        key = quote(v["number"])
        before = a.status()["pending_changes"]
        # no CSRF token, another site, no session: refused, nothing queued
        r = ui.request("POST", "/api/visits/%s/schedule" % key, {"date": tomorrow()}, csrf=False)
        assert r.status == 403 and r.json["error"]["code"] == "csrf", r.body
        r = ui.request("POST", "/api/visits/%s/cancel" % key, {"reason": "x"},
                       headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"})
        assert r.status == 403, r.body
        r = ui.request("POST", "/api/visits/%s/done" % key, {}, cookie=False)
        assert r.status == 401, r.body
        # the rule's refusals, in the session's language
        r = ui.request("POST", "/api/visits/%s/done" % key, {})
        assert r.status == 409 and r.json["error"]["code"] == "illegal_visit_move", r.body
        assert "schedule" in r.json["error"]["message"]
        r = ui.request("POST", "/api/visits/%s/cancel" % key, {"reason": ""})
        assert r.status == 422 and r.json["error"]["code"] == "reason_required", r.body
        r = ui.request("POST", "/api/visits/%s/schedule" % key, {"date": "32.13.2026"})
        assert r.status == 422 and r.json["error"]["code"] == "visit_date", r.body
        r = ui.request("POST", "/api/visits/%s/cancel" % key, {"reason": "я" * 1001})
        assert r.status == 422, r.body
        r = ui.request("GET", "/api/visits/%s" % quote("В-2026-999999"))
        assert r.status == 404 and r.json["error"]["code"] == "visit_not_found", r.body
        assert a.status()["pending_changes"] == before
        # and a move that is allowed: shown at once, queued once
        s = ui.api("POST", "visits/%s/schedule" % key, {"date": tomorrow()})
        assert s["state"] == "scheduled" and s["pending"] is True
        assert a.status()["pending_changes"] == before + 1
        # an application from the visit: the form's empty fields come from it
        p = person(4)
        c = ui.api("POST", "cases", {"visit": v["number"], "birth_date": p["birth_date"],
                                     "rnokpp": p["rnokpp"], "consent": True})
        assert c["visit"] == v["id"] and c["applicant"]["surname"] == "Шевчук"
        assert [x["code"] for x in c["services"]] == ["PAS-02"]
    finally:
        assert ui.stop() == 0


def test_two_laptops_of_one_unit(hub, tmp_path):
    """Two laptops of one unit (a truck with two desks): both get the request;
    the one that schedules it is heard by the other after both sync; when
    both then move it offline (one marks it visited, the other cancels), the
    first to reach the hub wins, the second's move is set aside with the
    reason, and both laptops end up showing the hub's state."""
    first = Agent(tmp_path / "first")
    first.enroll(hub)
    second = Agent(tmp_path / "second")
    second.enroll(hub, operator="Іван Гнатюк")
    v = add_visit(hub, surname="Мельник")
    first.sync()
    second.sync()
    assert [x["number"] for x in second.run("visit", "list", json=True)] == [v["number"]]

    first.run("visit", "schedule", v["number"], "--date", tomorrow())
    first.sync()
    second.sync()
    seen = second.run("visit", "show", v["number"], json=True)
    assert seen["state"] == "scheduled" and seen["pending"] is False, seen
    assert seen["scheduled_for"] == hub_visit(hub, v["number"])["scheduled_for"]

    # both move it while offline; the first laptop reaches the hub first
    first.run("visit", "done", v["number"])
    second.run("visit", "cancel", v["number"], "--reason", "громадянина немає вдома")
    first.sync()
    second.sync()
    hv = hub_visit(hub, v["number"])
    assert hv["state"] == "visited", hv
    assert [q["code"] for q in second.status()["quarantined"]] == ["illegal_transition"]
    assert first.status()["quarantined"] == []
    first.sync()
    for laptop in (first, second):
        shown = laptop.run("visit", "show", v["number"], json=True)
        assert shown["state"] == "visited" and shown["pending"] is False, shown
    # nothing is left to send, and a further sync changes nothing at the hub
    assert second.status()["pending_changes"] == 0
    second.sync()
    assert hub_visit(hub, v["number"])["state"] == "visited"
