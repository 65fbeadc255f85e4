"""The review desk (issue 14): only the moves the state machine allows are
offered (`moves` in the case JSON, read from proto's table), per-service
decisions with their own reasons and the case status following its
services (DESIGN §3), and bulk decisions recorded case by case."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from staffapi import staff, sync_cases  # noqa: E402,F401

STAFF_MOVES = ["in_review", "approved", "rejected", "needs_info"]


def case(b, ref):
    r = b.get("/api/cases/" + ref)
    assert r.status == 200, r
    return r.json()


def decide(b, cid, body):
    return b.post("/api/cases/%s/decision" % cid, body)


def test_only_the_moves_staff_may_make_are_offered(staff):
    b = staff.browser("olena")
    (a, _), (pkg, _), (c3, _) = staff.cases[0], staff.cases[1], staff.cases[2]
    got = case(b, a)
    assert got["status"] == "received" and got["moves"] == STAFF_MOVES
    assert [s["moves"] for s in got["services"]] == [STAFF_MOVES]
    r = decide(b, a, {"decision": "in_review"})
    assert r.status == 200, r
    assert r.json()["moves"] == ["approved", "rejected", "needs_info"]
    # final (rejected) and approved (issued on the laptop): nothing for staff
    r = decide(b, a, {"decision": "rejected", "reason": "немає довідки"})
    assert r.json()["moves"] == [] and r.json()["services"][0]["moves"] == []
    r = decide(b, c3, {"decision": "approved"})
    assert r.json()["status"] == "approved" and r.json()["moves"] == []
    # what is not offered is refused too
    r = decide(b, c3, {"decision": "rejected", "reason": "передумали"})
    assert r.status == 409 and r.code == "illegal_transition", r
    # needs_info: the laptop moves next (amended → submitted), staff wait
    r = decide(b, pkg, {"decision": "needs_info", "reason": "потрібна довідка"})
    assert r.json()["moves"] == []
    assert all(s["moves"] == [] for s in r.json()["services"])


def test_per_service_decisions_and_the_case_follows_its_services(staff):
    b = staff.browser("olena")
    cid, number = staff.cases[1]  # PAS-01 + TAX-01
    # one service into review: the case still shows the least advanced one
    r = decide(b, cid, {"services": [{"code": "PAS-01", "decision": "in_review"}]})
    assert r.status == 200, r
    c = r.json()
    assert {s["code"]: s["status"] for s in c["services"]} == {
        "PAS-01": "in_review", "TAX-01": "received"}
    assert c["status"] == "received"
    assert {s["code"]: s["moves"] for s in c["services"]} == {
        "PAS-01": ["approved", "rejected", "needs_info"], "TAX-01": STAFF_MOVES}
    # a refusal needs its reason: the service's own, or the common one
    r = decide(b, cid, {"services": [{"code": "TAX-01", "decision": "rejected"}]})
    assert r.status == 422 and r.code == "missing_reason", r
    r = decide(b, cid, {"services": [{"code": "TAX-01", "decision": "rejected",
                                      "reason": "РНОКПП вже присвоєно"}]})
    assert r.status == 200, r
    assert r.json()["status"] == "in_review"
    r = decide(b, cid, {"services": [{"code": "PAS-01", "decision": "approved"}]})
    assert r.json()["status"] == "approved"
    hist = r.json()["history"]
    assert any(h["kind"] == "transition" and h["service"] == "TAX-01" and h["to"] == "rejected"
               and h["reason"] == "РНОКПП вже присвоєно" for h in hist), hist
    assert any(h["kind"] == "transition" and h["service"] == "PAS-01" and h["to"] == "approved"
               and h["reason"] is None for h in hist), hist
    audit = [a for a in staff.browser("boss").get("/api/admin/audit").json()
             if a["target"] == number and a["action"] == "decision"]
    assert len(audit) == 3
    assert any("TAX-01 rejected: РНОКПП вже присвоєно" in (a["detail"] or "") for a in audit)
    # two reasons in one request, each to its own service
    d = staff.device
    (c2, _), = sync_cases(d, [{"surname": "Мельник", "services": ("PAS-01", "TAX-01")}])
    r = decide(b, c2, {"reason": "спільна", "services": [
        {"code": "PAS-01", "decision": "needs_info", "reason": "фото не підходить"},
        {"code": "TAX-01", "decision": "needs_info"}]})
    assert r.status == 200, r
    reasons = {h["service"]: h["reason"] for h in r.json()["history"]
               if h["kind"] == "transition" and h["to"] == "needs_info"}
    assert reasons == {"PAS-01": "фото не підходить", "TAX-01": "спільна"}
    assert r.json()["status"] == "needs_info"
    r = decide(b, c2, {"services": [{"code": "PAS-01", "decision": "approved", "reason": 5}]})
    assert r.status == 400, r


def test_bulk_decisions_are_recorded_case_by_case(staff):
    b = staff.browser("olena")
    ids = [cid for cid, _ in staff.cases[:4]]
    numbers = [n for _, n in staff.cases[:4]]
    assert decide(b, ids[3], {"decision": "rejected", "reason": "дубль"}).status == 200
    # refused as a whole: nothing changes
    for body, status in [({"ids": ids, "decision": "issued"}, 400),
                         ({"ids": ids, "decision": "rejected"}, 422),
                         ({"ids": [], "decision": "in_review"}, 400),
                         ({"ids": ["x"] * 201, "decision": "in_review"}, 400),
                         ({"ids": [7], "decision": "in_review"}, 400),
                         ({"ids": ids}, 400)]:
        r = b.post("/api/cases/bulk-decide", body)
        assert r.status == status, (body, r)
    assert [staff.case_status(n) for n in numbers[:3]] == ["received"] * 3
    r = b.post("/api/cases/bulk-decide", {"ids": ids[:3] + [numbers[3], "NO-SUCH-1"],
                                         "decision": "in_review"})
    assert r.status == 200, r
    got = r.json()
    assert (got["done"], got["failed"], got["stopped"]) == (3, 2, False)
    assert [x["ok"] for x in got["results"]] == [True, True, True, False, False]
    assert [x["status"] for x in got["results"][:3]] == ["in_review"] * 3
    assert got["results"][3]["error"]["code"] == "illegal_transition"
    assert got["results"][4]["error"]["code"] == "not_found"
    assert [staff.case_status(n) for n in numbers] == ["in_review"] * 3 + ["rejected"]
    r = b.post("/api/cases/bulk-decide", {"ids": ids[:2], "decision": "approved"})
    assert r.json()["done"] == 2
    audit = staff.browser("boss").get("/api/admin/audit").json()
    for n in numbers[:2]:
        mine = [a["detail"] for a in audit if a["target"] == n and a["action"] == "decision"]
        assert sorted(mine) == ["approved", "in_review"], (n, mine)
    for cid in ids[:2]:
        hist = case(b, cid)["history"]
        moves = [(h["from"], h["to"], h["actor"]) for h in hist if h["kind"] == "transition"
                 and h["actor"] == "olena"]
        assert moves == [("received", "in_review", "olena"), ("in_review", "approved", "olena")]
    # no CSRF token: refused
    r = b.request("POST", "/api/cases/bulk-decide", {"ids": ids[2:3], "decision": "approved"},
                  csrf=False)
    assert r.status == 403, r
    assert staff.case_status(numbers[2]) == "in_review"
