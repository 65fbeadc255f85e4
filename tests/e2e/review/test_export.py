"""Exports staff can use (issue 14, item 7): GET /api/export.xlsx read back
with openpyxl (a real reader: sheet, header, Cyrillic values, per-service
statuses in words, times as date cells in Kyiv local time, a summer and a
winter date) and the CSV (';' and a BOM, parsed by Python's csv), the same
columns and filters; the report's tables as a workbook.
"""
import csv
import datetime
import io
import os
import sys
import urllib.parse

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import wire  # noqa: E402
from staffapi import staff  # noqa: E402,F401

openpyxl = pytest.importorskip("openpyxl")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEAD_UK = ["Номер", "Статус", "Підрозділ", "Створено", "Прізвище", "Ім'я", "По батькові",
           "РНОКПП", "Послуги", "Пакет", "Збір, грн", "Виїзд", "Населений пункт",
           "Адміністратор", "Телефон", "Послуги та їх статуси", "Причина рішення",
           "Дата рішення", "Отримано центром"]


def kyiv(utc):
    """Kyiv local time of a naive UTC datetime, by the EU rule (test oracle)"""
    def last_sunday(y, m):
        d = datetime.datetime(y, m, 31, 1, 0)
        return d - datetime.timedelta(days=(d.weekday() + 1) % 7)
    summer = last_sunday(utc.year, 3) <= utc < last_sunday(utc.year, 10)
    return utc + datetime.timedelta(hours=3 if summer else 2)


@pytest.fixture
def cases(staff):  # noqa: F811
    """a summer case on a village trip (a package, decided per service) and a
    winter one, next to the six of the staff fixture"""
    d = staff.device
    trip = wire.new_id()
    trip_change = d.change("trip", trip, "upsert", {"unit": d.unit, "settlement": "с. Новоселиця",
                                                  "kind": "village-stop",
                                                  "started_at": "2026-07-01T06:00:00Z"})
    summer_id, summer = d.new_case(surname="Гнатюк", services=("PAS-01", "TAX-01"),
                                   phone="+380671112233")
    summer["fields"].update({"trip": trip, "operator": "Марія Бондар",
                             "created_at": "2026-07-01T12:00:00Z"})
    winter_id, winter = d.new_case(surname="Ярошенко")
    winter["fields"]["created_at"] = "2026-01-12T07:01:47.349Z"
    r, _, p = d.send([trip_change, summer, winter])
    assert r.status == 200 and p["quarantined"] == [], p
    olena = staff.browser("olena")
    r = olena.post("/api/cases/%s/decision" % summer_id, {
        "reason": "немає довідки про доходи",
        "services": [{"code": "PAS-01", "decision": "approved"},
                     {"code": "TAX-01", "decision": "rejected"}]})
    assert r.status == 200, r
    return {"summer": summer["fields"]["number"], "winter": winter["fields"]["number"]}


def workbook(reply):
    assert reply.status == 200, reply
    assert reply.headers["content-type"] == XLSX
    assert reply.headers["content-disposition"].startswith("attachment")
    assert reply.body[:2] == b"PK"  # a zip container, as .xlsx is
    return openpyxl.load_workbook(io.BytesIO(reply.body))


def near(a, b):
    return abs((a - b).total_seconds()) < 1


def test_xlsx_export(staff, cases):  # noqa: F811
    b = staff.browser("petro")
    before = datetime.datetime.utcnow()
    wb = workbook(b.get("/api/export.xlsx"))
    ws = wb.worksheets[0]
    assert ws.title == "Заяви"
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEAD_UK
    assert len(rows) == 1 + 8
    by = {r[0]: dict(zip(HEAD_UK, r)) for r in rows[1:]}
    s, w = by[cases["summer"]], by[cases["winter"]]
    assert s["Прізвище"] == "Гнатюк" and s["Ім'я"] == "Тарас"
    words = b.get("/api/words").json()["statuses"]
    status = b.get("/api/cases/" + cases["summer"]).json()["status"]
    assert s["Статус"] == words[status]  # the package's status, in words
    assert s["Послуги та їх статуси"] == "PAS-01: погоджено; TAX-01: відмовлено"
    assert s["Послуги"] == "PAS-01, TAX-01"
    assert s["Виїзд"] == "01.07.2026 · зупинка в селі"
    assert s["Населений пункт"] == "с. Новоселиця"
    assert s["Адміністратор"] == "Марія Бондар" and s["Телефон"] == "+380671112233"
    assert s["Причина рішення"] == "немає довідки про доходи"
    assert s["Збір, грн"] == 345 and isinstance(s["Збір, грн"], int)
    # times are date cells in Kyiv local time: summer +3, winter +2
    assert s["Створено"] == datetime.datetime(2026, 7, 1, 15, 0, 0)
    assert near(w["Створено"], datetime.datetime(2026, 1, 12, 9, 1, 47))
    assert w["Статус"] == "отримано центром" and w["Причина рішення"] is None
    assert w["Дата рішення"] is None
    now_kyiv = kyiv(before)
    for row in (s, w):
        assert isinstance(row["Отримано центром"], datetime.datetime)
        assert abs((row["Отримано центром"] - now_kyiv).total_seconds()) < 600, row
    assert abs((s["Дата рішення"] - now_kyiv).total_seconds()) < 600
    assert ws["D2"].number_format == "dd.mm.yyyy hh:mm"
    # a citizen's text is a text cell, never a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    # in English with lang=en
    en = workbook(b.get("/api/export.xlsx?lang=en")).worksheets[0]
    head = [c.value for c in en[1]]
    assert head[:2] == ["Number", "Status"] and "Services and their statuses" in head
    assert any("PAS-01: approved; TAX-01: rejected" == c.value for c in en["P"])
    # the queue's filters apply; a reviewer may not export
    one = workbook(b.get("/api/export.xlsx?" + urllib.parse.urlencode({"q": "гнатюк"})))
    assert one.worksheets[0].max_row == 2
    assert staff.browser("olena").get("/api/export.xlsx").status == 403
    assert b.get("/api/export.xlsx?status=nope").status == 400
    audit = staff.browser("boss").get("/api/admin/audit").json()
    assert [a["action"] for a in audit[:3]] == ["export"] * 3
    assert "q=гнатюк" in audit[0]["detail"] and "1 rows" in audit[0]["detail"]


def test_csv_export_columns_and_kyiv_times(staff, cases):  # noqa: F811
    b = staff.browser("petro")
    r = b.get("/api/export.csv")
    assert r.status == 200 and r.body.startswith(b"\xef\xbb\xbf"), r
    text = r.body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == HEAD_UK
    assert all(len(row) == len(HEAD_UK) for row in rows)
    by = {row[0]: dict(zip(HEAD_UK, row)) for row in rows[1:]}
    s, w = by[cases["summer"]], by[cases["winter"]]
    assert s["Створено"] == "01.07.2026 15:00" and w["Створено"] == "12.01.2026 09:01"
    assert s["Послуги та їх статуси"] == "PAS-01: погоджено; TAX-01: відмовлено"
    assert s["Виїзд"] == "01.07.2026 · зупинка в селі" and s["Населений пункт"] == "с. Новоселиця"
    assert s["Телефон"] == "'+380671112233"  # the formula guard holds
    assert s["Причина рішення"] == "немає довідки про доходи"
    got = datetime.datetime.strptime(s["Дата рішення"], "%d.%m.%Y %H:%M")
    assert abs((got - kyiv(datetime.datetime.utcnow())).total_seconds()) < 600
    assert "needs_info" not in text and "approved" not in text


def test_report_workbook(staff, cases):  # noqa: F811
    b = staff.browser("petro")
    wb = workbook(b.get("/api/reports/summary.xlsx"))
    names = wb.sheetnames
    assert names[0] == "Підсумок" and "Послуги за видами" in names
    assert "За типами підрозділів" in names
    summary = {r[0]: r[1] for r in wb["Підсумок"].iter_rows(values_only=True) if r[0]}
    report = b.get("/api/reports/summary").json()
    assert summary["Заяв"] == report["applications"] == 8
    assert summary["погоджено"] == report["decisions"]["approved"]
    services = list(wb["Послуги за видами"].iter_rows(values_only=True))
    assert services[0] == ("Код", "Послуга", "Кількість")
    assert {r[0]: r[2] for r in services[1:]} == {x["code"]: x["count"]
                                                  for x in report["by_service"]}
    assert all(r[1] and any("\u0400" <= ch <= "\u04ff" for ch in r[1]) for r in services[1:])
    kinds = list(wb["За типами підрозділів"].iter_rows(values_only=True))
    unit_kinds = b.get("/api/words").json()["unit_kinds"]
    assert kinds[0][0] == "Тип підрозділу"
    assert [r[0] for r in kinds[1:]] == [unit_kinds[k["kind"]] for k in report["per_unit_kind"]]
    en = workbook(b.get("/api/reports/summary.xlsx?lang=en"))
    assert en.sheetnames[0] == "Summary"
    assert staff.browser("olena").get("/api/reports/summary.xlsx").status == 403
    assert b.get("/api/reports/summary.xlsx?from=yesterday").status == 400
