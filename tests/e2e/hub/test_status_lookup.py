"""The citizen's status lookup by receipt (issue 15 item 2): a real mo-agent
makes a case and its status code offline, syncs, and the code from `case
show --json` finds the status through GET /api/public/status; a wrong code
and an unknown number answer the same 404 body; the 11th lookup of an
address in a minute is 429; the hash never reaches the staff API or the
unit's other laptops."""
import http.client
import json
import os
import re
import sqlite3
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent  # noqa: E402
from review.staffapi import Browser, add_users  # noqa: E402

CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$")


def lookup(hub, number, code, lang=None, source="127.0.0.1"):
    q = {"number": number, "code": code}
    if lang:
        q["lang"] = lang
    conn = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=60,
                                      source_address=(source, 0))
    try:
        conn.request("GET", "/api/public/status?" + urllib.parse.urlencode(q))
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def metric(hub, result):
    conn = http.client.HTTPConnection("127.0.0.1", hub.port, timeout=60)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    m = re.search(r'^mo_status_lookups_total\{result="%s"\} (\d+)$' % result, text, re.M)
    assert m, text
    return int(m.group(1))


def laptop_case(hub, tmp_path, name="laptop"):
    a = Agent(tmp_path / name)
    a.enroll(hub)
    number, cid, person = a.new_case(3, services=["PAS-02"])
    return a, number, cid, person


def test_code_from_case_show_finds_the_status(hub, tmp_path):
    a, number, cid, p = laptop_case(hub, tmp_path)
    c = a.show(cid)
    code = c["status_code"]
    assert CODE_RE.match(code), code
    assert "status_check" not in c  # the laptop shows the code, not the hash
    # the receipt: the code beside the number, and the QR link carries both
    html = a.run("receipt", cid).stdout
    assert code in html and number in html

    # before the sync the hub knows nothing: the same 404 as any unknown number
    st, _, before = lookup(hub, number, code)
    assert st == 404
    a.sync()
    st, h, body = lookup(hub, number, code)
    assert st == 200, body
    r = json.loads(body)
    assert r["number"] == number and r["status"] == "received"
    assert r["status_text"] == "Заяву отримано ЦНАП"
    assert re.match(r"^\d\d\.\d\d\.\d{4}$", r["updated"]), r["updated"]
    initials = "%s. %s. %s." % (p["surname"][0], p["given_name"][0], p["patronymic"][0])
    assert r["applicant"] == initials
    assert [s["code"] for s in r["services"]] == ["PAS-02"]
    assert r["services"][0]["status_text"] == "Заяву отримано ЦНАП"
    assert r["services"][0]["title"] not in ("", "PAS-02")  # the catalogue's words
    # nothing personal beyond the initials, nothing of the unit or the laptop
    text = body.decode().replace(number, "")
    for secret in (p["surname"], p["given_name"], p["rnokpp"], p["phone"][-7:],
                   p["birth_date"], "KR-T01", "Коваль", cid):
        assert secret not in text, secret
    assert set(r) == {"number", "status", "status_text", "updated", "applicant", "services"}
    assert h["content-type"].startswith("application/json")
    assert "set-cookie" not in h

    # typed sloppily: lower case, no dashes, spaces
    st, _, _ = lookup(hub, number, " " + code.replace("-", "").lower() + " ")
    assert st == 200
    # in English
    st, _, body = lookup(hub, number, code, lang="en")
    assert st == 200 and json.loads(body)["status_text"] == "Received by the CNAP"

    # a staff decision shows in plain words
    add_users(hub, tmp_path)
    b = Browser(hub.url)
    assert b.login("olena").status == 200
    assert b.post("/api/cases/%s/decision" % number, {"decision": "approved"}).status == 200
    st, _, body = lookup(hub, number, code)
    assert st == 200 and json.loads(body)["status_text"] == "Рішення позитивне"
    assert metric(hub, "found") == 4 and metric(hub, "not_found") == 1

    # the hub keeps only the check; the staff API, the CSV and the CLI never show it
    db = sqlite3.connect(os.path.join(hub.data, "hub.db"))
    (doc,) = db.execute("SELECT doc FROM cases WHERE id = ?", (cid,)).fetchone()
    (feed,) = db.execute("SELECT group_concat(fields) FROM feed WHERE entity = 'case' "
                         "AND entity_id = ?", (cid,)).fetchone()
    db.close()
    check = json.loads(doc)["status_check"]
    assert re.match(r"^scrypt\$14\$8\$1\$[0-9a-f]{64}$", check)
    assert code not in doc and code.replace("-", "") not in doc
    assert "status_check" not in feed
    staff = b.get("/api/cases/%s" % number)
    assert staff.status == 200 and staff.json()["number"] == number
    assert b"status_check" not in staff.body and check.encode() not in staff.body
    assert b"status_check" not in b.get("/api/cases").body
    assert "status_check" not in hub.cli("case", "show", number).stdout


def test_wrong_code_and_unknown_number_answer_alike(hub, tmp_path):
    a, number, cid, _ = laptop_case(hub, tmp_path)
    code = a.show(cid)["status_code"]
    a.sync()
    other = code[:-1] + ("0" if code[-1] != "0" else "1")
    answers = [lookup(hub, number, other),                     # one symbol off
               lookup(hub, number[:-1] + "9", code),           # no such number
               lookup(hub, "KR-T01A-2026-999999", other),
               lookup(hub, number, "not a code"),
               lookup(hub, cid, code),                         # an id is not a number
               lookup(hub, "", "")]
    for st, h, body in answers:
        assert st == 404, body
        assert body == answers[0][2]
        assert "retry-after" not in h
    err = json.loads(answers[0][2])["error"]
    assert err["code"] == "not_found"
    assert "не знайдено" in err["message"]
    assert metric(hub, "not_found") == len(answers) and metric(hub, "found") == 0


def test_eleventh_lookup_in_a_minute_is_rate_limited(hub, tmp_path):
    a, number, cid, _ = laptop_case(hub, tmp_path)
    code = a.show(cid)["status_code"]
    a.sync()
    for i in range(10):
        st, _, _ = lookup(hub, number, code if i % 2 else "AAAA-AAAA-AA")
        assert st in (200, 404)
    st, h, body = lookup(hub, number, code)  # the right code, too late
    assert st == 429, body
    assert json.loads(body)["error"]["code"] == "rate_limited"
    assert 1 <= int(h["retry-after"]) <= 60
    # another address is not held up by this one
    st, _, _ = lookup(hub, number, code, source="127.0.0.2")
    assert st == 200
    assert metric(hub, "limited") == 1
    assert metric(hub, "found") == 6 and metric(hub, "not_found") == 5


def test_other_laptops_of_the_unit_never_get_the_check(hub, tmp_path):
    a, number, cid, _ = laptop_case(hub, tmp_path)
    a.sync()
    b = Agent(tmp_path / "second")
    b.enroll(hub)
    b.sync()
    c = b.show(number)
    assert c["id"] == cid
    assert c["status_code"] is None and "status_check" not in c
    db = sqlite3.connect(os.path.join(b.data, "agent.db"))
    rows = db.execute("SELECT data FROM cases").fetchall()
    db.close()
    assert rows and all("status_check" not in d for (d,) in rows)


def test_a_renumbered_case_keeps_its_code_under_the_new_number(hub, tmp_path):
    """enroll --again renumbers the cases the hub never saw: the check is
    salted with the number, so the laptop makes it again for the new one"""
    import shutil
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    a.new_case(0)
    a.sync()
    backup = tmp_path / "backup"
    shutil.copytree(a.data, backup)
    lost_number = a.new_case(1)[0]                       # synced, then the disk dies
    a.sync()
    shutil.rmtree(a.data)
    shutil.copytree(backup, a.data)
    number, cid, _ = a.new_case(1, seed=9)
    assert number == lost_number
    code = a.show(cid)["status_code"]
    assert a.sync(check=False).returncode == 4
    a.run("enroll", "--again", "--hub", hub.url, "--token", hub.token())
    a.sync()
    c = a.show(cid)
    assert c["number"] != number and c["status_code"] == code
    st, _, body = lookup(hub, c["number"], code)
    assert st == 200, body
    assert json.loads(body)["number"] == c["number"]
    st, _, _ = lookup(hub, number, code)                 # the old number is the lost case's
    assert st == 404
