"""The queue for a team (issue 14, item 2): assignment to me, to a colleague
or to nobody; the "my cases" and "unassigned" filters; through the JSON API
as the review UI uses it."""
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

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
