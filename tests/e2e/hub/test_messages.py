"""Status messages to citizens (issue 15 item 3): the real mo-agent records
consent, the real hub queues one message per event in the event's
transaction, and `mo-hub notify` delivers them through a gateway that
fails, times out and drops the line at random (tests/e2e/fakegw.py):
every expected message arrives exactly once (by key), none for a citizen
who did not consent, a gateway that is down loses nothing, a replayed
batch makes no second message, and the case history shows the delivery."""
import json
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "review"))

from agentlib import Agent  # noqa: E402
from fakegw import FakeGateway  # noqa: E402
from staffapi import Browser, add_users  # noqa: E402

BODY = '{"phone":"{phone}","text":"{text}","key":"{key}","sender":"CNAP"}'
SECRET = "Authorization: Bearer tok-0123456789-very-secret-9f3a"
PASSES = 80  # a bound on the delivery loop


def configure(hub, gw, timeout=1, attempts=60):
    p = hub.cli("notify-config", "--url", gw.url, "--body", BODY, "--auth-header", SECRET,
                "--timeout", str(timeout), "--retry-base-ms", "50", "--retry-cap-ms", "400",
                "--max-attempts", str(attempts), json=True)
    assert p["url"] == gw.url
    assert "very-secret" not in json.dumps(p) and p["auth_header"].endswith("9f3a")
    shown = hub.cli("notify-config").stdout
    assert "very-secret" not in shown and "tok-0123" not in shown


def notify_until_done(hub, passes=PASSES):
    """`mo-hub notify --once` until nothing is queued; the last counts"""
    out = None
    for _ in range(passes):
        out = hub.cli("notify", "--once", json=True)
        if out["queued"] == 0:
            return out
        time.sleep(0.1)
    raise AssertionError("messages still queued after %d passes: %r" % (passes, out))


def db_messages(hub):
    con = sqlite3.connect(os.path.join(hub.data, "hub.db"))
    try:
        return con.execute("SELECT key, case_id, event, seq, state, attempts, phone, text "
                           "FROM messages ORDER BY id").fetchall()
    finally:
        con.close()


def decide(b, number, decision, reason=None):
    body = {"decision": decision}
    if reason:
        body["reason"] = reason
    r = b.post("/api/cases/%s/decision" % number, body)
    assert r.status == 200, r
    return r.json()


def test_messages_delivered_exactly_once_through_a_bad_gateway(hub, tmp_path):
    gw = FakeGateway(fault_rate=0.5, seed=15, hang_s=2.0).start()
    try:
        add_users(hub, tmp_path)
        configure(hub, gw)
        a = Agent(tmp_path / "laptop")
        a.enroll(hub)
        yes, yes_id, p_yes = a.new_case(0, extra=["--messages-consent"])
        no, no_id, _ = a.new_case(1)
        rej, rej_id, p_rej = a.new_case(2, extra=["--messages-consent"])
        assert a.show(yes)["messages_consent"] is True
        assert a.show(no).get("messages_consent") in (None, False)
        # consent without a phone is refused on the laptop, nothing written
        bad = a.run("case", "new", "--service", "CIV-02", "--surname", "Мельник",
                    "--given-name", "Іван", "--birth-date", p_yes["birth_date"],
                    "--tax-id", p_yes["rnokpp"], "--consent", "--messages-consent",
                    check=False)
        assert bad.returncode != 0 and "phone" in bad.stderr, bad
        a.sync()

        b = Browser(hub.url)
        assert b.login("olena").status == 200
        for n in (yes, no, rej):
            assert b.get("/api/cases/" + n).json()["status"] == "received"
        decide(b, yes, "needs_info", "Додайте довідку з місця проживання")
        decide(b, no, "needs_info", "Додайте довідку з місця проживання")
        decide(b, rej, "rejected", "Послуга не надається за цією адресою")
        # the laptop amends and resubmits: received again, but no second "received"
        a.sync()
        for cid in (yes_id, no_id):
            a.run("case", "edit", cid, "--notes", "Довідку додано")
            a.run("case", "submit", cid)
        a.sync()
        for n in (yes, no):
            assert b.get("/api/cases/" + n).json()["status"] == "received"
        decide(b, yes, "approved")
        decide(b, no, "approved")

        rows = db_messages(hub)
        by_case = {}
        for key, cid, event, seq, state, attempts, phone, text in rows:
            by_case.setdefault(cid, []).append(event)
            assert len(text) <= 134 and phone.startswith("+380")
        assert by_case == {yes_id: ["received", "needs_info", "approved"],
                           rej_id: ["received", "rejected"]}, by_case
        expected = {r[0] for r in rows}
        assert len(expected) == 5

        # the gateway goes down for a while: passes fail, nothing is lost
        gw.stop()
        for _ in range(3):
            out = hub.cli("notify", "--once", json=True)
            assert out["sent"] == 0 and out["failed"] == 0
            time.sleep(0.45)
        assert out["queued"] == 5, out
        assert all(r[4] == "queued" and r[5] >= 1 for r in db_messages(hub))
        c = b.get("/api/cases/" + yes).json()
        assert {m["error"] for m in c["messages"]} == {"gateway_unreachable"}, c["messages"]
        gw.start()

        out = notify_until_done(hub)
        assert out["failed_total"] == 0 and out["sent_total"] == 5, out
        # exactly once, by key, and only what was queued
        keys = gw.delivered_keys()
        assert sorted(keys) == sorted(expected), (keys, expected)
        assert len(keys) == len(set(keys))
        assert gw.bad == []
        assert gw.auth == {SECRET.split(": ", 1)[1]}
        phones = {ph for _, ph, _ in gw.deliveries}
        assert phones == {p_yes["phone"], p_rej["phone"]}
        texts = [t for _, _, t in gw.deliveries]
        assert any(yes in t and "задоволено" in t and "Мобільний офіс №1" in t for t in texts)
        assert any(rej in t and "відмову" in t for t in texts)
        # the fault injection really happened, retries really were made
        assert {"500", "503", "429", "hang", "drop"} & set(gw.outcomes)
        assert sum(gw.requests.values()) > 5

        # the case page: every message sent, in the history too
        c = b.get("/api/cases/" + yes).json()
        assert [m["event"] for m in c["messages"]] == ["received", "needs_info", "approved"]
        assert all(m["state"] == "sent" and m["attempts"] >= 1 and m["sent_at"]
                   for m in c["messages"])
        hist = [h for h in c["history"] if h["kind"] == "message"]
        assert [h["event"] for h in hist] == ["received", "needs_info", "approved"]
        assert all(h["state"] == "sent" for h in hist)
        assert "phone" not in json.dumps(c["messages"])
        assert b.get("/api/cases/" + no).json()["messages"] == []
        # the annual report counts them (a supervisor's view)
        s = Browser(hub.url)
        assert s.login("petro").status == 200
        assert s.get("/api/reports/summary").json()["messages_sent"] == 5

        # another pass sends nothing again
        out = hub.cli("notify", "--once", json=True)
        assert out["sent"] == 0 and out["sent_total"] == 5
        assert len(gw.deliveries) == 5
    finally:
        gw.stop()


def test_replayed_batch_and_refused_number(hub, tmp_path):
    gw = FakeGateway(fault_rate=0.0).start()
    try:
        configure(hub, gw, attempts=3)
        d = hub.device()
        cid, ch = d.new_case(phone="+380501112233")
        ch["fields"]["messages_consent"] = True
        env = d.upload([ch])
        for _ in range(3):  # the same bytes again: acked, applied once
            r, header, payload = d.sync(env)
            assert r.status == 200 and payload["quarantined"] == []
        rows = db_messages(hub)
        assert [(r[1], r[2], r[3]) for r in rows] == [(cid, "received", 1)]
        # a gateway that refuses the number: failed at once, never retried
        gw.refuse.add("+380501112233")
        out = hub.cli("notify", "--once", json=True)
        assert out["failed"] == 1 and out["queued"] == 0, out
        row = db_messages(hub)[0]
        assert row[4] == "failed" and row[5] == 1
        assert gw.deliveries == []
        c = hub.cli("case", "show", cid, json=True)
        assert c["status"] == "received"
    finally:
        gw.stop()


def test_serve_notify_sends_within_a_bounded_wait(hub, tmp_path):
    gw = FakeGateway(fault_rate=0.3, seed=3, hang_s=1.5,
                     faults=("500", "429", "drop", "hang")).start()
    try:
        configure(hub, gw)
        hub.stop()
        hub.start(args=["--notify"])
        d = hub.device()
        ids = []
        changes = []
        for i in range(4):
            cid, ch = d.new_case(phone="+38067000000%d" % i)
            ch["fields"]["messages_consent"] = i % 2 == 0
            changes.append(ch)
            ids.append(cid)
        r, _, payload = d.send(changes)
        assert r.status == 200 and payload["quarantined"] == []
        deadline = time.time() + 60
        while time.time() < deadline and len(gw.deliveries) < 2:
            time.sleep(0.2)
        time.sleep(1.0)  # nothing more arrives
        assert sorted(ph for _, ph, _ in gw.deliveries) == ["+380670000000", "+380670000002"]
        keys = gw.delivered_keys()
        assert len(keys) == len(set(keys)) == 2
    finally:
        gw.stop()


def test_consent_by_edit_reaches_the_hub(hub, tmp_path):
    """the edit path: consent given later (CLI), refused without a phone"""
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    number, cid, p = a.new_case(5)
    a.run("case", "edit", cid, "--messages-consent")
    assert a.show(number)["messages_consent"] is True
    # a phone removed in the same edit leaves nobody to write to: refused, nothing changed
    bad = a.run("case", "edit", cid, "--phone", "", "--messages-consent", check=False)
    assert bad.returncode != 0, bad
    assert a.show(number)["applicant"]["phone"] == p["phone"]
    a.run("case", "edit", cid, "--no-messages-consent")
    assert a.show(number)["messages_consent"] is False
    a.run("case", "edit", cid, "--messages-consent")
    a.sync()
    h = hub.cli("case", "show", number, json=True)
    assert h["fields"]["messages_consent"] is True
    con = sqlite3.connect(os.path.join(hub.data, "hub.db"))
    try:
        rows = con.execute("SELECT event FROM messages WHERE case_id = ?", (cid,)).fetchall()
    finally:
        con.close()
    assert rows == [("received",)]
