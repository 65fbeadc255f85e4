"""
The annual report (issue 15 item 5): GET /api/reports/summary's per_unit_kind
and status_lookups, checked against a generated year whose counts the test
computes itself — four kinds of unit, trips, package applications, citizens
with a mobility limitation who apply more than once, refused services.
"""
import random

import wire
from staffapi import add_users, Browser  # noqa: F401  (fixtures live in conftest)

KINDS = {"KR-T01": "truck", "KR-T02": "truck", "KR-C01": "case", "KR-O01": "office",
         "KR-B01": "bus"}
SERVICES = ["CIV-02", "PAS-01", "TAX-01", "SOC-01", "PEN-01", "RES-01"]


def _year(hub, rnd):
    """push a year of work from three units (the bus has none); return what
    the report must say per kind"""
    for code, kind in KINDS.items():
        if code != "KR-T01":  # the hub fixture made the truck
            hub.cli("unit", "add", "--code", code, "--name", "Підрозділ " + code,
                    "--kind", kind)
    want = {k: {"kind": k, "units": list(KINDS.values()).count(k), "trips": 0, "citizens": set(), "disabled": set(),
                "applications": 0, "services": 0, "package_applications": 0,
                "refusals": 0} for k in KINDS.values()}
    rejected = []  # (case id, services): refused whole by staff below
    for unit in ("KR-T01", "KR-C01", "KR-O01"):
        w = want[KINDS[unit]]
        d = hub.device(unit=unit)
        changes = []
        trips = []
        for t in range(rnd.randint(2, 4)):
            tid = wire.new_id()
            month = rnd.randint(1, 12)
            changes.append(d.change("trip", tid, "upsert", {
                "unit": unit, "settlement": "с. Тест-%d" % t, "kind": "village-stop",
                "started_at": "2026-%02d-10T08:00:00Z" % month}))
            trips.append(tid)
            w["trips"] += 1
        # a trip of the year before is not this year's
        changes.append(d.change("trip", wire.new_id(), "upsert", {
            "unit": unit, "settlement": "с. Минуле", "kind": "village-stop",
            "started_at": "2025-12-20T08:00:00Z"}))
        for i in range(rnd.randint(8, 14)):
            person = rnd.randint(1, 6)  # some citizens come back
            mobility = "лежачий" if person <= 2 else None
            package = rnd.random() < 0.3
            svc = rnd.sample(SERVICES, rnd.randint(2, 4)) if package else [rnd.choice(SERVICES)]
            cid, ch = d.new_case(services=tuple(svc), surname="Особа%d" % person)
            f = ch["fields"]
            f["applicant"]["rnokpp"] = wire.rnokpp("1953-07-23", serial=1000 + person * 7 +
                                                   list(KINDS).index(unit) * 50)
            f["applicant"]["mobility"] = mobility
            f["package"] = "PKG-LOSS" if package else None
            f["trip"] = rnd.choice(trips)
            f["created_at"] = "2026-%02d-%02dT09:00:00Z" % (rnd.randint(1, 12),
                                                            rnd.randint(1, 28))
            changes.append(ch)
            w["applications"] += 1
            w["services"] += len(svc)
            w["package_applications"] += package
            w["citizens"].add(f["applicant"]["rnokpp"])
            if mobility:
                w["disabled"].add(f["applicant"]["rnokpp"])
            if rnd.random() < 0.25:
                rejected.append(cid)
                w["refusals"] += len(svc)
        # and one from the year before, counted nowhere this year
        cid, ch = d.new_case(surname="Минулорічна")
        ch["fields"]["created_at"] = "2025-12-30T09:00:00Z"
        changes.append(ch)
        r, _, p = d.send(changes)
        assert r.status == 200 and p["quarantined"] == [], p
    for w in want.values():
        w["citizens_with_disabilities"] = len(w.pop("disabled"))
        w["citizens"] = len(w["citizens"])
        w["home_visits"] = 0
    return want, rejected


def _visits(hub, staff, rnd, want):
    """home-visit requests of the year: staff request them, the unit's laptop
    schedules and makes some, cancels others; return the report's `visits`"""
    totals = {"requested": 0, "visited": 0, "cancelled": 0}
    for unit in ("KR-C01", "KR-T01", "KR-B01"):
        d = hub.device(unit=unit)
        changes = []
        for i in range(rnd.randint(3, 6)):
            r = staff.post("/api/visits", {
                "unit": unit, "citizen": {"surname": "Особа%d" % i, "given_name": "Тест",
                                          "phone": "0671234%03d" % i, "address": "с. Тест"}})
            assert r.status == 201, r
            vid = r.json()["id"]
            totals["requested"] += 1
            fate = rnd.choice(["visited", "visited", "cancelled", "scheduled", "requested"])
            if fate in ("visited", "scheduled"):
                changes.append(d.change("visit", vid, "transition",
                                        {"from": "requested", "to": "scheduled"}))
            if fate == "visited":
                changes.append(d.change("visit", vid, "transition",
                                        {"from": "scheduled", "to": "visited"}))
                want[KINDS[unit]]["home_visits"] += 1
                totals["visited"] += 1
            if fate == "cancelled":
                changes.append(d.change("visit", vid, "transition",
                                        {"from": "requested", "to": "cancelled",
                                         "reason": "громадянин прийде сам"}))
                totals["cancelled"] += 1
        if changes:
            r, _, p = d.send(changes)
            assert r.status == 200 and p["quarantined"] == [], p
    return totals


def test_per_unit_kind_for_a_generated_year(hub, tmp_path):
    add_users(hub, tmp_path)
    want, rejected = _year(hub, random.Random(2026))
    b = Browser(hub.url)
    assert b.login("olena").status == 200
    for cid in rejected:
        r = b.post("/api/cases/%s/decision" % cid, {"decision": "rejected",
                                                     "reason": "неповний пакет документів"})
        assert r.status == 200, r
    visits = _visits(hub, b, random.Random(15), want)
    assert visits["visited"] > 0 and visits["cancelled"] > 0
    boss = Browser(hub.url)
    assert boss.login("petro").status == 200
    s = boss.get("/api/reports/summary?from=2026-01-01&to=2026-12-31").json()
    got = {k["kind"]: k for k in s["per_unit_kind"]}
    assert sorted(got) == sorted(want)  # the bus is there with zeros
    for kind, w in want.items():
        assert got[kind] == w, (kind, got[kind], w)
    assert got["bus"]["applications"] == 0 and got["bus"]["units"] == 1
    # the visits: requested, made and cancelled this year; made in minutes, not days
    v = s["visits"]
    assert {k: v[k] for k in visits} == visits
    assert 0 <= v["avg_days_to_visit"] < 1
    total = sum(w["applications"] for w in want.values())
    assert s["applications"] == total
    # the sum over kinds is the report's total; one unit alone is its kind alone
    one = boss.get("/api/reports/summary?from=2026-01-01&to=2026-12-31&unit=KR-C01").json()
    assert one["per_unit_kind"] == [want["case"]]
    # the year before: only its one case per unit
    prev = boss.get("/api/reports/summary?from=2025-01-01&to=2025-12-31").json()
    assert sum(k["applications"] for k in prev["per_unit_kind"]) == 3
    assert sum(k["trips"] for k in prev["per_unit_kind"]) == 3
    assert sum(k["home_visits"] for k in prev["per_unit_kind"]) == 0
    assert prev["visits"] == {"requested": 0, "visited": 0, "cancelled": 0,
                              "avg_days_to_visit": None}


def test_status_lookups_are_counted(hub, tmp_path):
    add_users(hub, tmp_path)
    boss = Browser(hub.url)
    assert boss.login("petro").status == 200
    before = boss.get("/api/reports/summary").json()["status_lookups"]
    assert before == 0
    for i in range(3):  # answered as not found: still a lookup
        r = hub.get("/api/public/status?number=KR-T01A-2026-%06d&code=7KQ2M9XD4F" % (i + 1))
        assert r.status == 404, r
    s = boss.get("/api/reports/summary").json()
    assert s["status_lookups"] == 3
    day = boss.get("/api/reports/summary?from=2020-01-01&to=2020-12-31").json()
    assert day["status_lookups"] == 0
