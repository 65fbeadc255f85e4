"""One citizen from the phone call to the result (issue 15, "done when"):
a staff member records a home-visit request on the review desk; only the
unit's laptop receives it; the administrator schedules it, records the
application from it at the citizen's home (offline) with consent to status
messages, takes the fee and marks the visit made; after a sync the desk
sees request → visit → application, decides it, the citizen gets a message
for each step through a gateway that misbehaves, the laptop learns the
decision, and the citizen reads the status with the code from the receipt.
Real hub, real agents, the fake gateway (tests/e2e/fakegw.py)."""
import datetime
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent, person  # noqa: E402
from fakegw import FakeGateway  # noqa: E402
from staffapi import Browser, add_users  # noqa: E402

OTHER = "LV-X02"
BODY = '{"phone":"{phone}","text":"{text}","key":"{key}"}'


def kyiv_tomorrow():
    return (datetime.datetime.utcnow() + datetime.timedelta(hours=2, days=1)).date()


def deliver_all(hub, passes=80):
    for _ in range(passes):
        out = hub.cli("notify", "--once", json=True)
        if out["queued"] == 0:
            return out
        time.sleep(0.1)
    raise AssertionError("messages still queued: %r" % out)


def test_from_the_phone_call_to_the_result(hub, tmp_path):
    add_users(hub, tmp_path)
    hub.cli("unit", "add", "--code", OTHER, "--name", "Мобільний офіс №2", "--kind", "truck")
    gw = FakeGateway(fault_rate=0.4, seed=42, hang_s=2.0).start()
    try:
        hub.cli("notify-config", "--url", gw.url, "--body", BODY, "--timeout", "1",
                "--retry-base-ms", "50", "--retry-cap-ms", "300", "--max-attempts", "60")
        laptop = Agent(tmp_path / "laptop")
        laptop.enroll(hub)
        other = Agent(tmp_path / "other")
        other.run("enroll", "--hub", hub.url, "--token", hub.token(OTHER),
                  "--operator", "Іван Гнатюк", json=True)

        # 1. the phone call: the desk records the request
        desk = Browser(hub.url)
        assert desk.login("olena").status == 200
        r = desk.post("/api/visits", {
            "unit": "KR-T01",
            "citizen": {"surname": "Бондар", "given_name": "Марія", "patronymic": "Іванівна",
                        "phone": "(067) 321-54-76", "address": "с. Вишневе, вул. Шевченка, 12",
                        "mobility": "bedridden"},
            "reason": "після інсульту, не виходить з дому",
            "services": ["PAS-02"],
            "preferred_date": kyiv_tomorrow().isoformat(),
            "note": "дзвонити доньці перед приїздом"})
        assert r.status == 201, r
        visit = r.json()
        visit = visit.get("visit", visit)
        number = visit["number"]
        assert number.startswith("В-") and visit["state"] == "requested"

        # 2. only the unit's laptop gets it
        laptop.sync()
        other.sync()
        assert [v["number"] for v in laptop.run("visit", "list", json=True)] == [number]
        assert other.run("visit", "list", json=True) == []

        # 3. the administrator plans the visit
        laptop.run("visit", "schedule", number, "--date", kyiv_tomorrow().strftime("%d.%m.%Y"))

        # 4. at the citizen's home, offline: the application from the visit
        p = person(11)
        c = laptop.run("case", "new", "--visit", number, "--birth-date", p["birth_date"],
                       "--tax-id", p["rnokpp"], "--consent", "--messages-consent", json=True)
        case = laptop.show(c["id"])
        assert case["visit"] == visit["id"] and case["messages_consent"] is True
        assert case["applicant"]["surname"] == "Бондар"
        assert case["applicant"]["phone"] == "+380673215476"
        code = case["status_code"]
        assert len(code.replace("-", "")) == 10
        laptop.run("case", "pay", c["id"], "--amount", "0,01", "--method", "cash",
                   "--receipt", "К-1")
        laptop.run("visit", "done", number)

        # 5. back in coverage: one sync carries it all
        laptop.sync()
        assert laptop.status()["quarantined"] == []
        page = desk.get("/api/visits/" + urllib.parse.quote(number))
        assert page.status == 200, page
        page = page.json()
        page = page.get("visit", page)
        assert page["state"] == "visited"
        assert [x["number"] for x in page["cases"]] == [c["number"]]
        assert page["days_to_visit"] is not None and page["days_to_visit"] >= 0
        hc = desk.get("/api/cases/" + c["number"]).json()
        assert hc["status"] == "received"
        assert hc["payment"]["paid_kop"] == 1

        # 6. the desk decides
        r = desk.post("/api/cases/%s/decision" % c["number"], {"decision": "approved"})
        assert r.status == 200, r

        # 7. the messages reach the citizen, each exactly once, whatever the gateway does
        out = deliver_all(hub)
        assert out["failed_total"] == 0 and out["sent_total"] == 2, out
        keys = gw.delivered_keys()
        assert len(keys) == 2 and len(set(keys)) == 2
        assert {ph for _, ph, _ in gw.deliveries} == {"+380673215476"}
        texts = [t for _, _, t in gw.deliveries]
        assert all(c["number"] in t and len(t) <= 134 for t in texts), texts
        assert any("задоволено" in t for t in texts), texts
        hist = desk.get("/api/cases/" + c["number"]).json()["history"]
        assert [h["event"] for h in hist if h["kind"] == "message"] == ["received", "approved"]

        # 8. the laptop learns the decision on its next sync
        laptop.sync()
        assert laptop.show(c["id"])["status"] == "approved"

        # 9. the citizen reads the status with the code on the receipt
        public = Browser(hub.url)
        r = public.get("/api/public/status?number=%s&code=%s" % (
            urllib.parse.quote(c["number"]), urllib.parse.quote(code)))
        assert r.status == 200, r
        st = r.json()
        assert st["status"] == "approved"
        text = str(st)
        assert "Бондар" not in text and "Марія" not in text and "+380" not in text
        wrong = public.get("/api/public/status?number=%s&code=%s" % (
            urllib.parse.quote(c["number"]), "0000-0000-00"))
        assert wrong.status == 404 and wrong.code == "not_found"

        # 10. the year's report counts it
        sup = Browser(hub.url)
        assert sup.login("petro").status == 200
        rep = sup.get("/api/reports/summary").json()
        truck = [k for k in rep["per_unit_kind"] if k["kind"] == "truck"]
        assert truck and truck[0]["home_visits"] == 1 and truck[0]["applications"] == 1
        assert rep["visits"]["requested"] == 1 and rep["visits"]["visited"] == 1
        assert rep["messages_sent"] == 2
        assert rep["status_lookups"] >= 2
    finally:
        gw.stop()
