"""The queue for a team (issue 14, item 2): assignment to me, to a colleague
or to nobody; the "my cases" and "unassigned" filters; through the JSON API
as the review UI uses it."""
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wire  # noqa: E402
from staffapi import staff, sync_cases  # noqa: E402,F401


def q(params):
    return "/api/cases?" + urllib.parse.urlencode(params)


def numbers(reply):
    assert reply.status == 200, reply
    return sorted(i["number"] for i in reply.json()["items"])


def assign(b, ref, login):
    return b.post("/api/cases/%s/assign" % ref, {"login": login})


def test_assign_to_me_to_a_colleague_and_unassign(staff):
    olena, petro = staff.browser("olena"), staff.browser("petro")
    (cid, num), (cid2, num2) = staff.cases[0], staff.cases[1]
    # nobody at first, everywhere
    assert olena.get("/api/cases/" + num).json()["assignee"] is None
    assert all(i["assignee"] is None for i in olena.get("/api/cases").json()["items"])
    assert olena.get(q({"assignee": "none"})).json()["total"] == 6
    assert olena.get(q({"assignee": "me"})).json()["total"] == 0
    # to me (by number), to a colleague (by id)
    r = assign(olena, num, "olena")
    assert r.status == 200, r
    assert r.json()["assignee"] == "olena" and r.json()["number"] == num
    r = assign(olena, cid2, "petro")
    assert r.status == 200 and r.json()["assignee"] == "petro", r
    # "my cases" is the signed-in user's; "unassigned" the rest
    assert numbers(olena.get(q({"assignee": "me"}))) == [num]
    assert numbers(petro.get(q({"assignee": "me"}))) == [num2]
    assert numbers(olena.get(q({"assignee": "petro"}))) == [num2]
    assert olena.get(q({"assignee": "none"})).json()["total"] == 4
    assert num not in numbers(olena.get(q({"assignee": "none"})))
    by_id = {i["id"]: i for i in olena.get("/api/cases").json()["items"]}
    assert by_id[cid]["assignee"] == "olena" and by_id[cid2]["assignee"] == "petro"
    # filters combine
    assert olena.get(q({"assignee": "me", "status": "approved"})).json()["total"] == 0
    # a colleague takes it over, then it is let go
    r = assign(petro, num, "petro")
    assert r.status == 200 and r.json()["assignee"] == "petro", r
    r = assign(petro, num, None)
    assert r.status == 200 and r.json()["assignee"] is None, r
    assert olena.get(q({"assignee": "none"})).json()["total"] == 5
    # history: who moved it, from whom to whom, in order
    hist = [(h["actor"], h["from"], h["to"]) for h in
            olena.get("/api/cases/" + num).json()["history"] if h["kind"] == "assigned"]
    assert hist == [("olena", None, "olena"), ("petro", "olena", "petro"),
                    ("petro", "petro", None)]
    # the same assignee again changes and records nothing
    assert assign(olena, cid2, "petro").status == 200
    hist2 = [h for h in olena.get("/api/cases/" + num2).json()["history"]
             if h["kind"] == "assigned"]
    assert len(hist2) == 1
    # audit: one entry per change
    audit = [(a["actor"], a["target"], a["detail"]) for a in
             staff.browser("boss").get("/api/admin/audit").json() if a["action"] == "assign"]
    assert sorted(audit) == sorted([("olena", num, "olena"), ("olena", num2, "petro"),
                                    ("petro", num, "petro"), ("petro", num, "-")])
    # nothing of it goes down to the laptop
    r, _, payload = staff.device.sync(staff.device.pull(cursor=0))
    assert r.status == 200 and payload["changes"], r
    assert not [c for c in payload["changes"] if "olena" in str(c) or "petro" in str(c)]


def test_assign_refusals(staff):
    b = staff.browser("olena")
    num = staff.cases[0][1]
    r = assign(b, num, "nobody-here")
    assert r.status == 404 and r.code == "not_found", r
    r = assign(b, "KR-T01A-2026-999999", "olena")
    assert r.status == 404, r
    r = b.post("/api/cases/%s/assign" % num, {})
    assert r.status == 400 and r.code == "bad_request", r
    r = b.post("/api/cases/%s/assign" % num, {"login": 5})
    assert r.status == 400, r
    # a disabled user takes no cases
    boss = staff.browser("boss")
    assert boss.post("/api/admin/users/petro/disable", {}).status == 200
    r = assign(b, num, "petro")
    assert r.status == 400 and r.code == "bad_value", r
    assert b.get("/api/cases/" + num).json()["assignee"] is None
    # the staff list offers the enabled users only
    logins = [u["login"] for u in b.get("/api/staff").json()]
    assert "olena" in logins and "boss" in logins and "petro" not in logins
    # the CSRF token is required, as on every POST
    r = b.post("/api/cases/%s/assign" % num, {"login": "olena"}, csrf=False)
    assert r.status == 403, r
    assert b.get(q({"assignee": "a b"})).status == 400


def test_drafts_stay_on_the_laptop(staff):
    b = staff.browser("olena")
    d = staff.device
    (draft_id, draft_num), = [(cid, n) for cid, n in
                              sync_cases(d, [
                                  {"status": "draft", "surname": "Чернетченко"}])]
    # the hub holds it (the laptop synced it) but the queue never shows it
    assert staff.case_status(draft_num) == "draft"
    all_ = b.get("/api/cases").json()
    assert all_["total"] == 6 and draft_id not in {i["id"] for i in all_["items"]}
    assert b.get(q({"q": "чернетченко"})).json()["total"] == 0
    assert b.get(q({"status": "draft"})).json()["total"] == 0
    assert b.get(q({"assignee": "none"})).json()["total"] == 6
    # submitted from the laptop: now it is an application and waits for staff
    r, _, p = d.send([d.change("case", draft_id, "transition",
                               {"from": "draft", "to": "submitted"})])
    assert r.status == 200 and p["quarantined"] == [], p
    assert numbers(b.get(q({"q": "чернетченко"}))) == [draft_num]
    assert b.get("/api/cases").json()["total"] == 7


def test_resubmitted_flag_and_oldest_attention_first(staff):
    b = staff.browser("olena")
    d = staff.device
    first = [i["id"] for i in b.get("/api/cases").json()["items"]]
    # the order is the receipt order, oldest first, and nobody is flagged
    assert first == [cid for cid, _ in staff.cases]
    items = b.get("/api/cases").json()["items"]
    assert all(i["resubmitted"] is False and i["resubmitted_at"] is None for i in items)
    assert [i["attention_at"] for i in items] == sorted(i["attention_at"] for i in items)
    # later cases go to the end
    later = [cid for cid, _ in sync_cases(d, [{"surname": "Пізній"}])]
    assert [i["id"] for i in b.get("/api/cases").json()["items"]][-1] == later[0]
    # the first case is sent back for documents and returns amended
    cid, num = staff.cases[0]
    r = b.post("/api/cases/%s/decision" % num,
               {"decision": "needs_info", "reason": "потрібна довідка"})
    assert r.status == 200, r
    flagged = {i["id"]: i for i in b.get("/api/cases").json()["items"]}[cid]
    assert flagged["resubmitted"] is False and flagged["status"] == "needs_info"
    r, _, p = d.send([d.change("case", cid, "upsert", {"notes": "довідку додано"}),
                      d.change("case", cid, "transition", {"from": "needs_info", "to": "submitted"})])
    assert r.status == 200 and p["quarantined"] == [], p
    items = b.get("/api/cases").json()["items"]
    by_id = {i["id"]: i for i in items}
    back = by_id[cid]
    assert back["status"] == "received" and back["resubmitted"] is True
    assert back["resubmitted_at"] and back["attention_at"] >= back["resubmitted_at"]
    # it needed attention last: oldest first puts it at the end, after the later case
    assert [i["id"] for i in items][-1] == cid
    assert [i["id"] for i in items][:-1] == [c for c, _ in staff.cases[1:]] + later
    # the others are not flagged; the flag goes with the decision
    assert [i["id"] for i in items if i["resubmitted"]] == [cid]
    assert b.post("/api/cases/%s/decision" % num, {"decision": "approved"}).status == 200
    assert not {i["id"]: i for i in b.get("/api/cases").json()["items"]}[cid]["resubmitted"]


def _trip_cases(staff):
    """two trips and four cases on them, with operators, phones and mobility"""
    d = staff.device
    home, village = wire.new_id(), wire.new_id()
    changes = [
        d.change("trip", home, "upsert", {"unit": d.unit, "settlement": "с. Ворзель",
                                          "kind": "home-visit",
                                          "started_at": "2026-01-13T08:00:00Z"}),
        d.change("trip", village, "upsert", {"unit": d.unit, "settlement": "с. Новоселиця",
                                             "kind": "village-stop",
                                             "started_at": "2026-01-14T08:00:00Z"}),
    ]
    specs = [("Гнатюк", home, "Марія Бондар", "+380671112233", "лежачий"),
             ("Ярошенко", village, "Марія Бондар", "+380501234567", None),
             ("Юрченко", village, "Іван Петренко", "+380931234567", "візок"),
             ("Знам'янська", None, "Іван Петренко", "+380661234000", None)]
    ids = {}
    for surname, trip, op, phone, mob in specs:
        cid, ch = d.new_case(surname=surname, phone=phone)
        ch["fields"].update({"trip": trip, "operator": op})
        ch["fields"]["applicant"]["mobility"] = mob
        changes.append(ch)
        ids[surname] = (cid, ch["fields"]["number"])
    r, _, p = d.send(changes)
    assert r.status == 200 and p["quarantined"] == [], p
    return home, village, ids


def test_filters_by_trip_settlement_operator_kind_and_mobility(staff):
    b = staff.browser("olena")
    home, village, ids = _trip_cases(staff)
    n = {s: num for s, (_, num) in ids.items()}
    assert numbers(b.get(q({"trip": village}))) == sorted([n["Ярошенко"], n["Юрченко"]])
    assert numbers(b.get(q({"settlement": "с. Ворзель"}))) == [n["Гнатюк"]]
    assert numbers(b.get(q({"trip_kind": "village-stop"}))) == sorted([n["Ярошенко"], n["Юрченко"]])
    assert numbers(b.get(q({"trip_kind": "home-visit", "settlement": "с. Новоселиця"}))) == []
    assert numbers(b.get(q({"operator": "Іван Петренко"}))) == sorted([n["Юрченко"], n["Знам'янська"]])
    assert numbers(b.get(q({"mobility": "візок"}))) == [n["Юрченко"]]
    assert numbers(b.get(q({"mobility": "any"}))) == sorted([n["Гнатюк"], n["Юрченко"]])
    assert numbers(b.get(q({"operator": "Іван Петренко", "trip": village}))) == [n["Юрченко"]]
    assert b.get(q({"trip": wire.new_id()})).json()["total"] == 0
    assert b.get(q({"settlement": "x" * 201})).status == 400
    # what the filters offer
    o = b.get("/api/queue/options").json()
    assert [t["id"] for t in o["trips"]] == [village, home]  # newest trip first
    assert o["trips"][0]["settlement"] == "с. Новоселиця" and o["trips"][0]["kind"] == "village-stop"
    assert o["settlements"] == ["с. Ворзель", "с. Новоселиця"]
    assert o["trip_kinds"] == ["home-visit", "village-stop"]
    assert o["operators"] == ["Іван Петренко", "Марія Бондар", "Олена Коваль"]
    assert o["mobility"] == ["візок", "лежачий"]


def test_search_by_phone_and_by_latin_name(staff):
    b = staff.browser("olena")
    _, _, ids = _trip_cases(staff)
    n = {s: num for s, (_, num) in ids.items()}
    # the national table, as on passports
    assert numbers(b.get(q({"q": "Hnatiuk"}))) == [n["Гнатюк"]]
    assert numbers(b.get(q({"q": "hnat"}))) == [n["Гнатюк"]]
    assert numbers(b.get(q({"q": "HNATIUK"}))) == [n["Гнатюк"]]
    assert numbers(b.get(q({"q": "Yaroshenko"}))) == [n["Ярошенко"]]
    assert numbers(b.get(q({"q": "Yurchenko"}))) == [n["Юрченко"]]   # ю at the start: yu
    assert numbers(b.get(q({"q": "Znamianska"}))) == [n["Знам'янська"]]  # ' dropped, я: ia
    assert numbers(b.get(q({"q": "Shevchenko"}))) == [staff.cases[0][1]]
    assert numbers(b.get(q({"q": "Hnatyuk"}))) == []    # not the table's form
    assert numbers(b.get(q({"q": "Gnatiuk"}))) == []    # г is h, ґ is g
    # with the given name, and Latin with Cyrillic
    assert numbers(b.get(q({"q": "Hnatiuk Taras"}))) == [n["Гнатюк"]]
    assert numbers(b.get(q({"q": "Hnatiuk Петро"}))) == []
    assert numbers(b.get(q({"q": "Hnatiuk тарас"}))) == [n["Гнатюк"]]
    assert len(numbers(b.get(q({"q": "Taras Hryhorovych"})))) == 10
    # phone: any form of the number, or its tail
    for text in ["+380671112233", "0671112233", "067 111 22 33", "(067) 111-22-33", "1112233"]:
        assert numbers(b.get(q({"q": text}))) == [n["Гнатюк"]], text
    assert numbers(b.get(q({"q": "1234567"}))) == sorted([n["Ярошенко"], n["Юрченко"]])
    assert numbers(b.get(q({"q": "0999999999"}))) == []
    # the RNOKPP and the number still work as before
    assert len(numbers(b.get(q({"q": wire.rnokpp("1953-07-23")})))) == 10
    assert numbers(b.get(q({"q": n["Гнатюк"]}))) == [n["Гнатюк"]]


def test_column_sort(staff):
    b = staff.browser("olena")
    _, _, ids = _trip_cases(staff)

    def order(sort, dir_=None):
        p = {"sort": sort}
        if dir_:
            p["dir"] = dir_
        r = b.get(q(p))
        assert r.status == 200, r
        return r.json()["items"]

    nums = [i["number"] for i in order("number")]
    assert nums == sorted(nums) and len(nums) == 10
    assert [i["number"] for i in order("number", "desc")] == nums[::-1]
    # by applicant in the Ukrainian alphabet: Ґ after Г, Є after Е, Ю before Я
    names = [i["applicant"]["surname"] for i in order("applicant")]
    assert names == ["Бондаренко", "Гнатюк", "Ґудзь", "Знам'янська", "Коваленко", "Олійник",
                     "Ткаченко", "Шевченко", "Юрченко", "Ярошенко"]
    assert [i["applicant"]["surname"] for i in order("applicant", "desc")] == names[::-1]
    # by status and assignee: decided and assigned cases come together
    num0 = staff.cases[0][1]
    assert b.post("/api/cases/%s/decision" % num0, {"decision": "in_review"}).status == 200
    assert b.post("/api/cases/%s/assign" % num0, {"login": "olena"}).status == 200
    assert order("status")[-1]["number"] == num0  # in_review after received
    assert order("assignee", "desc")[0]["number"] == num0
    # attention is the default; desc turns it round
    default = [i["id"] for i in b.get("/api/cases").json()["items"]]
    assert [i["id"] for i in order("attention")] == default
    back = [i["attention_at"] for i in order("attention", "desc")]
    assert back == sorted(back, reverse=True) and back[0] > back[-1]
    for bad in [{"sort": "rnokpp"}, {"sort": "number", "dir": "up"}]:
        r = b.get(q(bad))
        assert r.status == 400 and r.code == "bad_request", (bad, r)
