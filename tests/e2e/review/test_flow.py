"""Decisions made through the staff API reach the real mo-agent, and a
needs_info case comes back amended."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent  # noqa: E402
from staffapi import add_users  # noqa: E402
from staffapi import Browser  # noqa: E402


def signed_in_laptop(hub, tmp_path, n=3):
    add_users(hub, tmp_path)
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    made = [a.new_case(i) for i in range(n)]
    a.sync()
    b = Browser(hub.url)
    assert b.login("olena").status == 200
    return a, b, [(number, cid) for number, cid, _ in made]


def test_decisions_reach_the_laptop(hub, tmp_path):
    a, b, cases = signed_in_laptop(hub, tmp_path)
    (n0, _), (n1, _), (n2, _) = cases
    for number, _ in cases:
        assert b.get("/api/cases/" + number).json()["status"] == "received"
    assert b.post("/api/cases/%s/decision" % n0, {"decision": "approved"}).status == 200
    r = b.post("/api/cases/%s/decision" % n1,
               {"decision": "rejected", "reason": "Не подано довідку про доходи"})
    assert r.status == 200 and r.json()["status"] == "rejected", r
    assert b.post("/api/cases/%s/decision" % n2, {"decision": "in_review"}).status == 200
    assert b.post("/api/cases/%s/comments" % n2, {"text": "Чекаємо виписку"}).status == 201
    a.sync()
    assert a.show(n0)["status"] == "approved"
    shown = a.show(n1)
    assert shown["status"] == "rejected"
    assert "Не подано довідку про доходи" in str(shown)
    shown = a.show(n2)
    assert shown["status"] == "in_review"
    assert "Чекаємо виписку" in str(shown)
    # the laptop may now issue the approved one; the hub learns it
    a.run("case", "issue", n0)
    a.sync()
    assert b.get("/api/cases/" + n0).json()["status"] == "issued"


def test_needs_info_case_returns_amended(hub, tmp_path):
    a, b, cases = signed_in_laptop(hub, tmp_path, n=1)
    number, cid = cases[0]
    r = b.post("/api/cases/%s/decision" % number,
               {"decision": "needs_info", "reason": "Додайте довідку з місця проживання"})
    assert r.status == 200 and r.json()["status"] == "needs_info", r
    a.sync()
    assert a.show(number)["status"] == "needs_info"
    a.run("case", "edit", cid, "--notes", "Довідку додано 14.01")
    a.run("case", "submit", cid)
    a.sync()
    c = b.get("/api/cases/" + number).json()
    assert c["status"] == "received", c["history"]
    assert c["notes"] == "Довідку додано 14.01"
    moves = [(h["from"], h["to"]) for h in c["history"] if h["kind"] == "transition"]
    assert moves[-3:] == [("received", "needs_info"), ("needs_info", "submitted"),
                          ("submitted", "received")]
    assert c["quarantined"] == []
    # and the reviewer can decide it again
    assert b.post("/api/cases/%s/decision" % number, {"decision": "approved"}).status == 200
    a.sync()
    assert a.show(number)["status"] == "approved"
