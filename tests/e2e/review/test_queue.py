"""The queue, case page, decisions, documents, CSV export, reports and the UI
files, through the JSON API as the browser uses it."""
import csv
import hashlib
import io
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wire  # noqa: E402
from staffapi import Browser, staff, sync_cases  # noqa: E402,F401


def q(params):
    return "/api/cases?" + urllib.parse.urlencode(params)


def numbers(reply):
    assert reply.status == 200, reply
    return sorted(i["number"] for i in reply.json()["items"])


def test_cyrillic_search_is_case_insensitive(staff):
    b = staff.browser("olena")
    by_surname = {n: None for _, n in staff.cases}
    shev = staff.cases[0][1]
    for text in ["шевченко", "ШЕВЧЕНКО", "Шевченко", "шевч", "  шевченко  "]:
        assert numbers(b.get(q({"q": text}))) == [shev], text
    assert numbers(b.get(q({"q": "ґудзь"}))) == [staff.cases[2][1]]  # Ґ folds too
    assert numbers(b.get(q({"q": "гудзь"}))) == []  # but г is another letter
    # by number (whole or its tail) and by RNOKPP
    assert numbers(b.get(q({"q": shev}))) == [shev]
    assert numbers(b.get(q({"q": shev.lower()}))) == [shev]
    assert numbers(b.get(q({"q": shev.rsplit("-", 1)[1]}))) == [shev]
    rn = wire.rnokpp("1953-07-23")
    assert len(numbers(b.get(q({"q": rn})))) == len(by_surname)
    # several words: all must match (surname and given name)
    assert numbers(b.get(q({"q": "шевченко тарас"}))) == [shev]
    assert numbers(b.get(q({"q": "шевченко петро"}))) == []
    # FTS syntax is data, not a query
    for text in ['"', "*", "шев*ко OR 1", "NEAR(a b)", "-", "'; DROP TABLE cases; --"]:
        r = b.get(q({"q": text}))
        assert r.status == 200, (text, r)
    assert b.get(q({"q": "x" * 201})).status == 400
    # a correction from the laptop re-indexes the case
    d = staff.device
    r, _, p = d.send([d.change("case", staff.cases[0][0], "upsert",
                               {"applicant": {"surname": "Шевчук"}})])
    assert r.status == 200 and p["quarantined"] == []
    assert numbers(b.get(q({"q": "шевчук"}))) == [shev]
    assert numbers(b.get(q({"q": "шевченко"}))) == []


def test_filters_and_paging(staff):
    b = staff.browser("olena")
    all_ = b.get("/api/cases").json()
    assert all_["total"] == 6 and all_["page"] == 1 and all_["page_size"] == 50
    item = all_["items"][0]
    assert set(item) >= {"id", "number", "status", "unit", "created_at", "received_at",
                         "applicant", "services", "package"}
    assert set(item["applicant"]) == {"surname", "given_name", "patronymic", "rnokpp"}
    assert numbers(b.get(q({"service": "TAX-01"}))) == [staff.cases[1][1]]
    assert b.get(q({"status": "received"})).json()["total"] == 6
    assert b.get(q({"status": "approved"})).json()["total"] == 0
    assert b.get(q({"unit": "KR-T01"})).json()["total"] == 6
    assert b.get(q({"unit": "KR-C09"})).json()["total"] == 0
    assert b.get(q({"from": "2026-01-12", "to": "2026-01-12"})).json()["total"] == 6
    assert b.get(q({"from": "2026-01-13"})).json()["total"] == 0
    assert b.get(q({"to": "2026-01-11"})).json()["total"] == 0
    assert b.get(q({"page": 2})).json()["items"] == []
    for bad in [{"status": "nonsense"}, {"from": "12.01.2026"}, {"page": "0"},
                {"page": "x"}, {"unit": "a b"}]:
        r = b.get(q(bad))
        assert r.status == 400 and r.code == "bad_request", (bad, r)
    # paging over more than one page, newest first
    more = sync_cases(staff.device, [{"surname": "Петренко"}] * 50)
    p1, p2 = b.get(q({"page": 1})).json(), b.get(q({"page": 2})).json()
    assert p1["total"] == 56 and len(p1["items"]) == 50 and len(p2["items"]) == 6
    assert not {i["id"] for i in p1["items"]} & {i["id"] for i in p2["items"]}
    assert len(more) == 50


def test_case_page_decisions_and_comments(staff):
    b = staff.browser("olena")
    cid, number = staff.cases[1]
    c = b.get("/api/cases/" + number).json()
    assert c["id"] == cid and c["number"] == number and c["status"] == "received"
    assert c["applicant"]["surname"] == "Коваленко"
    assert [s["code"] for s in c["services"]] == ["PAS-01", "TAX-01"]
    assert all(s["title_uk"] and s["title_en"] and s["category"] for s in c["services"])
    assert c["received_at"] and c["trip"] is None and c["fee_uah"] == 345
    assert [h["kind"] for h in c["history"]][:1] == ["created"]
    assert b.get("/api/cases/no-such-case").status == 404
    # a reason is required for a refusal and a request for documents
    for d in ["rejected", "needs_info"]:
        r = b.post("/api/cases/%s/decision" % cid, {"decision": d})
        assert r.status == 422 and r.code == "missing_reason", r
    assert b.post("/api/cases/%s/decision" % cid, {"decision": "issued"}).status == 400
    assert b.post("/api/cases/%s/decision" % cid, {}).status == 400
    # per-service decisions, all or nothing
    r = b.post("/api/cases/%s/decision" % cid, {
        "reason": "без довідки", "services": [{"code": "PAS-01", "decision": "approved"},
                                             {"code": "NOPE-1", "decision": "rejected"}]})
    assert r.status == 404, r
    assert staff.case_status(number) == "received"
    r = b.post("/api/cases/%s/decision" % cid, {
        "reason": "немає довідки", "services": [{"code": "PAS-01", "decision": "approved"},
                                               {"code": "TAX-01", "decision": "rejected"}]})
    assert r.status == 200, r
    got = {s["code"]: s["status"] for s in r.json()["services"]}
    assert got == {"PAS-01": "approved", "TAX-01": "rejected"}
    # a decided service cannot be decided again from received
    r = b.post("/api/cases/%s/decision" % cid, {"decision": "approved"})
    assert r.status == 409 and r.code == "illegal_transition", r
    r = b.post("/api/cases/%s/comments" % cid, {"text": "Зателефонувати заявнику"})
    assert r.status == 201 and r.json()["author"] == "olena", r
    assert b.post("/api/cases/%s/comments" % cid, {"text": ""}).status == 400
    hist = b.get("/api/cases/" + cid).json()["history"]
    assert any(h["kind"] == "comment" and h["text"] == "Зателефонувати заявнику"
               and h["actor"] == "olena" for h in hist)
    assert any(h["kind"] == "transition" and h["to"] == "rejected"
               and h["reason"] == "немає довідки" for h in hist)
    audit = staff.browser("boss").get("/api/admin/audit").json()
    assert [a["action"] for a in audit if a["target"] == number][:2] == ["comment", "decision"]


def test_documents_are_served_with_their_type_and_nosniff(staff):
    d = staff.device
    cid, number = staff.cases[0]
    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108020000009077"
                        "53de0000000c4944415478da63f8ff3f000005fe02fea7d6a4ea000000004945"
                        "4e44ae426082")
    html = b"<script>alert(1)</script>"
    for data, mt, name in [(png, "image/png", "scan.png"), (html, "text/html", "x.html")]:
        sha = hashlib.sha256(data).hexdigest()
        assert d.blob_put(sha, data, 0, len(data)).status == 201
        r, _, p = d.send([d.change("attachment", wire.new_id(), "append", {
            "case": cid, "sha256": sha, "media_type": mt, "size": len(data), "name": name})])
        assert r.status == 200 and p["quarantined"] == []
    b = staff.browser("olena")
    r = b.get("/api/blobs/" + hashlib.sha256(png).hexdigest())
    assert r.status == 200 and r.body == png
    assert r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff"
    # markup is never shown inline in the UI's origin
    r = b.get("/api/blobs/" + hashlib.sha256(html).hexdigest())
    assert r.status == 200 and r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"].startswith("attachment")
    att = b.get("/api/cases/" + cid).json()["attachments"]
    assert {a["media_type"] for a in att} == {"image/png", "text/html"}
    assert all(a["present"] for a in att)
    assert b.get("/api/blobs/" + "0" * 64).status == 404
    assert b.get("/api/blobs/../hub.key").status in (400, 404)
    assert Browser(staff.hub.url).get("/api/blobs/" + hashlib.sha256(png).hexdigest()
                                      ).status == 401


def test_csv_export_bom_quoting_and_formula_injection(staff):
    sync_cases(staff.device, [
        {"surname": "=HYPERLINK(\"http://x\")"},
        {"surname": "О'Коннор, \"молодший\""},
        {"surname": "+380", "services": ("PAS-01", "TAX-01")},
        {"surname": "@SUM(A1)"},
        {"surname": "-2+3"},
        {"surname": "Бондар\n=cmd|' /C calc'!A0"},
    ])
    b = staff.browser("petro")
    r = b.get("/api/export.csv")
    assert r.status == 200, r
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.body.startswith(b"\xef\xbb\xbf")
    text = r.body[3:].decode("utf-8")
    assert text.endswith("\r\n") and "\r\n" in text.split("\n", 1)[0] + "\n"
    # ';' by default: Excel in the uk-UA locale splits on it
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    # the columns in words (hub/words.c), Ukrainian by default
    assert rows[0][:11] == ["Номер", "Статус", "Підрозділ", "Створено", "Прізвище", "Ім'я",
                            "По батькові", "РНОКПП", "Послуги", "Пакет", "Збір, грн"]
    assert len(rows) == 1 + 12
    # the formula guard holds for every line of a cell, not only its start
    for row in rows[1:]:
        for cell in row:
            for line in cell.replace("\r", "\n").split("\n"):
                assert not line[:1] in ("=", "+", "-", "@"), (cell, row)
    surnames = {row[4] for row in rows[1:]}
    assert "'=HYPERLINK(\"http://x\")" in surnames
    assert "О'Коннор, \"молодший\"" in surnames
    assert "'+380" in surnames and "'@SUM(A1)" in surnames and "'-2+3" in surnames
    assert "Шевченко" in surnames
    assert "Бондар\n'=cmd|' /C calc'!A0" in surnames  # a cell's second line is guarded too
    assert '"О\'Коннор, ""молодший"""' in text  # RFC 4180: quoted, quotes doubled
    assert any(row[8] == "PAS-01, TAX-01" for row in rows)
    # ',' on request, with the same quoting
    r = b.get("/api/export.csv?sep=comma")
    crow = list(csv.reader(io.StringIO(r.body[3:].decode("utf-8"), newline="")))
    assert crow[0][:2] == ["Номер", "Статус"] and len(crow) == 1 + 12
    assert b.get("/api/export.csv?sep=tab").status == 400
    # the filters of the queue apply
    r = b.get("/api/export.csv?" + urllib.parse.urlencode({"q": "шевченко"}))
    assert len(list(csv.reader(io.StringIO(r.body[3:].decode(), newline=""),
                               delimiter=";"))) == 2
    audit = staff.browser("boss").get("/api/admin/audit").json()
    exports = [a for a in audit if a["action"] == "export"]
    assert len(exports) == 3 and exports[0]["actor"] == "petro"  # a refused one is not an export
    assert "q=шевченко" in exports[0]["detail"]


def test_reports_summary(staff):
    b = staff.browser("olena")
    cid0, n0 = staff.cases[0]
    cid1, n1 = staff.cases[1]
    assert b.post("/api/cases/%s/decision" % cid0, {"decision": "approved"}).status == 200
    assert b.post("/api/cases/%s/decision" % cid1,
                  {"decision": "rejected", "reason": "неповний пакет"}).status == 200
    d = staff.device
    r, _, p = d.send([d.change("rating", wire.new_id(), "append",
                               {"case": cid0, "score": 5, "comment": "дякую"}),
                      d.change("rating", wire.new_id(), "append", {"case": cid1, "score": 2})])
    assert r.status == 200 and p["quarantined"] == []
    r = staff.browser("petro").get("/api/reports/summary")
    assert r.status == 200, r
    s = r.json()
    assert s["applications"] == 6
    assert s["citizens"] == 1  # the same RNOKPP on every test case
    assert s["services_total"] == 7
    assert s["decisions"]["approved"] == 1 and s["decisions"]["rejected"] == 1
    assert s["decisions"]["pending"] == 4
    assert abs(s["refusal_rate"] - 0.5) < 1e-9
    assert {c["category"] for c in s["by_category"]} and \
        sum(c["count"] for c in s["by_category"]) == 7
    assert {x["code"]: x["count"] for x in s["by_service"]}["CIV-02"] == 5
    assert s["per_unit"] == [{"unit": "KR-T01", "name": "Мобільний офіс №1",
                              "applications": 6, "citizens": 1}]
    assert s["per_month"] == [{"month": "2026-01", "applications": 6}]
    assert s["avg_hours_to_decision"] > 0
    assert s["ratings"] == {"count": 2, "average": 3.5, "by_score": [0, 1, 0, 0, 1]}
    s2 = staff.browser("petro").get("/api/reports/summary?from=2026-02-01").json()
    assert s2["applications"] == 0 and s2["refusal_rate"] == 0
    assert staff.browser("petro").get("/api/reports/summary?unit=KR-T01").json()[
        "applications"] == 6
    assert staff.browser("petro").get("/api/reports/summary?from=bad").status == 400


def test_the_ui_is_served_from_the_binary(staff):
    b = Browser(staff.hub.url)
    r = b.get("/")
    assert r.status == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert b"<script type=\"module\" src=\"/ui/app.js\">" in r.body
    csp = r.headers["content-security-policy"]
    assert csp == ("default-src 'self'; img-src 'self' data:; frame-src 'self'; "
                   "object-src 'none'")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-cache"
    for name, ctype in [("app.js", "text/javascript"), ("i18n.js", "text/javascript"),
                        ("charts.js", "text/javascript"), ("style.css", "text/css"),
                        ("index.html", "text/html")]:
        r = b.get("/ui/" + name)
        assert r.status == 200 and r.headers["content-type"].startswith(ctype), name
        src = os.path.join(os.environ.get("MO_SOURCE_ROOT", ""), "ui", name)
        if os.path.exists(src):
            assert r.body == open(src, "rb").read(), name
        etag = r.headers["etag"]
        r2 = b.get("/ui/" + name, headers={"If-None-Match": etag})
        assert r2.status == 304 and r2.body == b""
    for bad in ["/ui/", "/ui/../hub.db", "/ui/nope.js", "/ui/sub/app.js", "/hub.key"]:
        assert b.get(bad).status == 404, bad
    # JSON answers are never cached and run nothing
    r = b.get("/api/me")
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["content-security-policy"] == "default-src 'none'"
