"""The case history tells the truth (issue 14, item 5): field edits from a
real agent with old -> new as the hub held them before the merge, the
administrator's name as the laptop recorded it with the laptop's code, the
creation on the laptop and the receipt by the hub as two entries, ratings
with their score, one entry per attachment; a re-synced or re-sent batch
adds nothing, and an applied change is one history row however many fields
it changed (issue 12's per-application cost).
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent  # noqa: E402
from staffapi import Browser, add_users  # noqa: E402


def case_of(hub, key):
    b = Browser(hub.url)
    assert b.login("olena").status == 200
    r = b.get("/api/cases/" + key)
    assert r.status == 200, r
    return r.json()


def edited_rows(hub, case_id):
    import sqlite3
    with sqlite3.connect(os.path.join(hub.data, "hub.db")) as db:
        return db.execute("SELECT reason FROM events WHERE case_id = ? AND kind = 'edited'",
                          (case_id,)).fetchall()


def test_history_from_a_real_agent(hub, tmp_path):
    add_users(hub, tmp_path)
    a = Agent(tmp_path / "laptop")
    me = a.enroll(hub, operator="Олена Коваль")
    code = me["device_code"]
    number, cid, p = a.new_case(3)
    scan = tmp_path / "pasport.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    a.run("case", "attach", number, str(scan), "--type", "passport")
    a.run("case", "rate", number, "4", "--comment", "Дуже зручно")
    a.sync()
    first = case_of(hub, number)
    kinds = [e["kind"] for e in first["history"]]
    # the creation on the laptop, then its receipt by the hub: two entries
    assert kinds[:2] == ["created", "arrived"], kinds
    created, arrived = first["history"][0], first["history"][1]
    assert created["at"] == first["created_at"]
    assert created["by"] == "Олена Коваль" and created["device"] == code
    assert created["who"] == "Олена Коваль (%s)" % code
    assert arrived["at"] >= created["at"] and arrived["device"] == code
    # one entry per attachment: name, type, size; the rating with its score
    att = [e for e in first["history"] if e["kind"] == "attachment"]
    assert len(att) == 1, first["history"]
    assert att[0]["name"] == "pasport.png" and att[0]["document"] == "passport"
    assert att[0]["size"] == scan.stat().st_size and att[0]["media_type"] == "image/png"
    rating = [e for e in first["history"] if e["kind"] == "rating"]
    assert [(r["score"], r["comment"]) for r in rating] == [(4, "Дуже зручно")]

    # documents requested; another administrator on the same laptop edits two
    # fields in one change and sends it back
    b = Browser(hub.url)
    assert b.login("olena").status == 200
    r = b.post("/api/cases/%s/decision" % first["id"],
               {"decision": "needs_info", "reason": "Потрібен новий номер телефону"})
    assert r.status == 200, r
    a.sync()
    a.run("operator", "add", "Петро Іваненко")
    a.run("operator", "use", "Петро Іваненко")
    old_phone = a.show(number)["applicant"]["phone"]
    a.run("case", "edit", number, "--phone", "(050) 333-44-55", "--notes", "уточнено")
    a.run("case", "submit", number)
    a.sync()
    c = case_of(hub, number)
    edits = {e["field"]: e for e in c["history"] if e["kind"] == "edited"}
    assert set(edits) == {"applicant.phone", "notes"}, c["history"]
    assert edits["applicant.phone"]["old"] == old_phone  # what the hub held before
    assert edits["applicant.phone"]["new"] == "+380503334455"
    assert edits["notes"]["old"] == "заява 3" and edits["notes"]["new"] == "уточнено"
    for e in edits.values():
        assert e["by"] == "Петро Іваненко" and e["device"] == code and e["actor"] == code
        assert e["who"] == "Петро Іваненко (%s)" % code
    # the creator stays the creator
    assert c["operator"] == "Олена Коваль"
    assert c["history"][0]["who"] == "Олена Коваль (%s)" % code
    # one row for the applied change, not one per field
    assert len(edited_rows(hub, cid)) == 1
    # in time order
    ats = [e["at"] for e in c["history"]]
    assert [x[:19] for x in ats] == sorted(x[:19] for x in ats), ats

    # nothing new on a second sync
    a.sync()
    again = case_of(hub, number)
    assert again["history"] == c["history"]
    assert len(edited_rows(hub, cid)) == 1
    # the CLI shows the same entries, in words (Ukrainian unless --lang en)
    shown = hub.cli("case", "show", number, json=True)
    assert [e["kind"] for e in shown["history"]] == [e["kind"] for e in c["history"]]
    text = hub.cli("case", "show", number).stdout
    assert "зміна на ноутбуці  Петро Іваненко (%s)  Телефон: %s → +380503334455" % (
        code, old_phone) in text, text
    assert "створено на ноутбуці  Олена Коваль (%s)" % code in text
    assert "оцінка  Олена Коваль (%s)  4 з 5 — Дуже зручно" % code in text
    assert "скан документа" in text and "pasport.png (паспорт," in text
    assert "edited" not in text and "transition" not in text
    assert re.search(r"^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}  ", text, re.M), text
    en = hub.cli("case", "show", number, "--lang", "en").stdout
    assert "edited on the laptop  Петро Іваненко (%s)  Phone: " % code in en, en


def test_a_resent_batch_adds_nothing(hub, device, tmp_path):
    add_users(hub, tmp_path)
    cid, ch = device.new_case()
    r, _, _ = device.send([ch])
    assert r.status == 200
    number = ch["fields"]["number"]
    edit = device.change("case", cid, "upsert",
                         {"applicant": {"phone": "+380671112233", "surname": "Шевчук"},
                          "edited_by": "Марія Левченко"})
    env = device.upload([edit])
    r, header, payload = device.sync(env)
    assert r.status == 200 and payload["quarantined"] == [], payload
    c = case_of(hub, number)
    edits = {e["field"]: e for e in c["history"] if e["kind"] == "edited"}
    assert edits["applicant.phone"]["old"] == "+380977363668"
    assert edits["applicant.phone"]["new"] == "+380671112233"
    assert edits["applicant.surname"]["old"] == "Шевченко"
    assert edits["applicant.surname"]["who"] == "Марія Левченко (%s)" % device.code
    # the same envelope again (a lost answer): acknowledged, nothing recorded twice
    r = device.post(env)
    assert r.status == 200, r
    assert case_of(hub, number)["history"] == c["history"]
    assert len(edited_rows(hub, cid)) == 1
    # the same values again in a new batch: merged to no difference, no entry
    same = device.change("case", cid, "upsert", {"applicant": {"phone": "+380671112233"}})
    r, _, payload = device.send([same])
    assert r.status == 200 and payload["quarantined"] == []
    assert len(edited_rows(hub, cid)) == 1
    # an edit without edited_by names the operator the laptop enrolled with
    other = device.change("case", cid, "upsert", {"notes": "нова примітка"})
    r, _, _ = device.send([other])
    c = case_of(hub, number)
    note = [e for e in c["history"] if e["kind"] == "edited" and e["field"] == "notes"]
    assert note and note[0]["by"] == "Олена Коваль" and note[0]["old"] == "виїзд додому"


def test_pre_018_edit_rows_still_read(hub, device, tmp_path):
    """an edit recorded one field per row (before this change) reads the same"""
    import json
    import sqlite3
    add_users(hub, tmp_path)
    cid, ch = device.new_case()
    device.send([ch])
    with sqlite3.connect(os.path.join(hub.data, "hub.db")) as db:
        db.execute("INSERT INTO events(case_id, kind, reason, actor, hlc, at) "
                   "VALUES (?, 'edited', ?, ?, 1, '2026-12-02T12:05:00.000Z')",
                   (cid, json.dumps({"field": "applicant.phone", "old": "+380671112233",
                                     "new": "+380503334455"}), device.code))
    c = case_of(hub, ch["fields"]["number"])
    e = [x for x in c["history"] if x["kind"] == "edited"]
    assert len(e) == 1 and e[0]["field"] == "applicant.phone"
    assert (e[0]["old"], e[0]["new"]) == ("+380671112233", "+380503334455")
    assert e[0]["who"] == device.code
