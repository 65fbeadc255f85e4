"""One language at a time (issue 14, item 6): the hub's codes in words from
one table (hub/words.c) — GET /api/words for the review UI, the error
answers of the API, the CSV export, the reports and the CLI — Ukrainian by
default, English with lang=en / --lang en / MO_LANG=en."""
import csv
import io
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from staffapi import Browser, staff  # noqa: E402,F401

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from conftest import MO_HUB  # noqa: E402

CYRILLIC = set(chr(c) for c in range(0x400, 0x500))


def cyrillic(s):
    return any(ch in CYRILLIC for ch in s)


def test_words_are_public_and_in_either_language(staff):
    anon = Browser(staff.hub.url)
    uk = anon.get("/api/words")
    assert uk.status == 200, uk
    w = uk.json()
    assert w["lang"] == "uk"
    for key in ("statuses", "categories", "unit_kinds", "trip_kinds", "audit_actions",
                "documents", "errors"):
        assert w[key] and all(cyrillic(v) for v in w[key].values()), key
    assert w["statuses"]["needs_info"] == "потрібні документи"
    assert w["statuses"]["in_review"] == "на розгляді"
    assert w["unit_kinds"]["truck"] == "мобільний офіс (вантажівка)"
    assert w["trip_kinds"]["home-visit"].startswith("виїзд додому")
    assert w["categories"]["social"] == "соціальний захист"
    assert set(w["statuses"]) == {"draft", "submitted", "received", "in_review", "approved",
                                  "issued", "rejected", "needs_info", "cancelled"}
    en = anon.get("/api/words?lang=en").json()
    assert en["lang"] == "en" and en["statuses"]["needs_info"] == "needs documents"
    assert not any(cyrillic(v) for k in en if k != "lang" for v in en[k].values())
    assert set(en["errors"]) == set(w["errors"])
    # the same table for a signed-in reviewer: nothing in it depends on who asks
    assert staff.browser("olena").get("/api/words").json() == w


def test_an_illegal_move_is_refused_in_words(staff):
    b = staff.browser("olena")
    cid, number = staff.cases[0]
    r = b.post("/api/cases/%s/decision" % cid, {"decision": "rejected", "reason": "немає довідки"})
    assert r.status == 200, r
    r = b.post("/api/cases/%s/decision" % cid, {"decision": "approved"})
    assert r.status == 409 and r.code == "illegal_transition", r
    e = r.json()["error"]
    assert e["message"] == "staff cannot move from rejected to approved"  # the hub's detail
    assert e["text"] == "Статус не можна змінити з «відмовлено» на «погоджено».", e
    r = b.post("/api/cases/%s/decision?lang=en" % cid, {"decision": "approved"})
    assert r.status == 409
    assert r.json()["error"]["text"] == \
        "The status cannot change from “rejected” to “approved”."
    # a missing reason, a missing case: plain words too
    r = b.post("/api/cases/%s/decision" % staff.cases[1][0], {"decision": "rejected"})
    assert r.code == "missing_reason" and "причина" in r.json()["error"]["text"], r
    r = b.get("/api/cases/nope?lang=en")
    assert r.status == 404 and r.json()["error"]["text"].startswith("There is no such"), r
    # bulk results carry the same words
    r = b.post("/api/cases/bulk-decide", {"ids": [cid], "decision": "approved"})
    res = r.json()["results"][0]
    assert not res["ok"] and res["error"]["text"].startswith("Статус не можна змінити"), res


def test_csv_headers_and_statuses_in_words(staff):
    b = staff.browser("petro")
    olena = staff.browser("olena")
    cid, number = staff.cases[2]
    assert olena.post("/api/cases/%s/decision" % cid, {"decision": "needs_info",
                                                        "reason": "фото"}).status == 200

    def rows(query):
        r = b.get("/api/export.csv" + query)
        assert r.status == 200 and r.body.startswith(b"\xef\xbb\xbf"), r
        text = r.body[3:].decode("utf-8")
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))

    uk = rows("")
    assert uk[0][:4] == ["Номер", "Статус", "Підрозділ", "Створено"]
    status = {row[0]: row[1] for row in uk[1:]}
    assert status[number] == "потрібні документи"
    assert set(status.values()) == {"потрібні документи", "отримано центром"}, status
    en = rows("?lang=en")
    assert en[0][:4] == ["Number", "Status", "Unit", "Created"]
    assert {row[0]: row[1] for row in en[1:]}[number] == "needs documents"
    assert "needs_info" not in b.get("/api/export.csv").body.decode("utf-8-sig")


def test_reports_label_categories(staff):
    b = staff.browser("petro")
    uk = b.get("/api/reports/summary").json()
    cats = uk["by_category"]
    assert cats and all(cyrillic(x["label"]) for x in cats), cats
    en = b.get("/api/reports/summary?lang=en").json()["by_category"]
    assert [x["category"] for x in en] == [x["category"] for x in cats]
    assert not any(cyrillic(x["label"]) for x in en), en


def run_hub(hub, *args, env=None):
    return subprocess.run([MO_HUB, *args, "--data", hub.data], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, **(env or {})))


def test_the_cli_speaks_ukrainian_unless_asked(staff):
    hub = staff.hub
    env = {"MO_LANG": "", "LANG": "C.UTF-8"}
    p = run_hub(hub, "--help", env=env)
    assert p.returncode == 0 and p.stdout.startswith("використання: mo-hub"), p.stdout
    p = run_hub(hub, "--help", "--lang", "en", env=env)
    assert p.stdout.startswith("usage: mo-hub"), p.stdout
    p = run_hub(hub, "--help", env={"MO_LANG": "en"})
    assert p.stdout.startswith("usage: mo-hub"), p.stdout
    cid, number = staff.cases[3]
    assert run_hub(hub, "case", "decide", number, "--decision", "rejected", "--reason", "x",
                   env=env).returncode == 0
    p = run_hub(hub, "case", "decide", number, "--decision", "approved", env=env)
    assert p.returncode == 1
    assert p.stderr == ("mo-hub: помилка: Статус не можна змінити з «відмовлено» на «погоджено». "
                        "(staff cannot move from rejected to approved)\n"), p.stderr
    p = run_hub(hub, "case", "decide", number, "--decision", "approved", "--lang=en", env=env)
    assert p.stderr.startswith("mo-hub: error: The status cannot change from “rejected”"), p.stderr
    p = run_hub(hub, "case", "show", number, env=env)
    assert "статус: відмовлено" in p.stdout, p.stdout
    p = run_hub(hub, "frob", env=env)
    assert p.returncode == 2 and "невідома команда «frob»" in p.stderr, p.stderr
    p = run_hub(hub, "unit", "add", "--code", "X", env=env)
    assert "потрібен параметр --name" in p.stderr, p.stderr
    # --json is for scripts: the same codes in either language
    uk = run_hub(hub, "case", "show", number, "--json", env=env).stdout
    en = run_hub(hub, "case", "show", number, "--json", "--lang", "en", env=env).stdout
    assert uk == en and "\"status\":\t\"rejected\"" in uk
