"""Fees and payments (issue 15 item 4), end to end on a real hub and agent.

A laptop records payments offline (kopecks, never floats) and syncs them;
the hub applies each once, only for its own unit's cases, and shows expected
(the catalogue's fees) vs paid.  A bank statement is imported whatever its
separator, decimal sign and column order, matched by the case number in the
purpose, idempotently by the bank's id, bad lines reported by number with
nothing of them stored; the reconciliation report lists paid, unpaid,
overpaid and unmatched with their sums.
"""
import json
import os
import sqlite3
import sys

import wire
from agentlib import Agent

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "review"))
from staffapi import Browser, add_users  # noqa: E402

OTHER = "KR-C02"
FEE = {"PAS-01": 34500, "PAS-02": 78000, "CIV-05": 8500, "CIV-02": 0}


def db(hub):
    return sqlite3.connect(os.path.join(hub.data, "hub.db"))


def supervisor(hub, tmp_path):
    add_users(hub, tmp_path)
    b = Browser(hub.url)
    assert b.login("petro").status == 200
    return b


def case_api(b, ref):
    r = b.get("/api/cases/" + ref)
    assert r.status == 200, r
    return r.json()


def wire_cases(device, specs):
    """new cases of device in one batch: [(id, number)]"""
    out, changes = [], []
    for services in specs:
        cid, ch = device.new_case(services=services)
        changes.append(ch)
        out.append((cid, ch["fields"]["number"]))
    r, h, p = device.send(changes)
    assert r.status == 200 and p["quarantined"] == [], p
    return out


def payment(device, case_id, kop, method="cash", receipt=None, pid=None):
    f = {"case": case_id, "amount_kop": kop, "method": method,
         "paid_at": "2026-12-02T09:15:00Z"}
    if receipt:
        f["receipt"] = receipt
    return device.change("payment", pid or wire.new_id(), "append", f)


# ---- the laptop -------------------------------------------------------------

def test_agent_records_payments_offline_and_the_hub_shows_expected_vs_paid(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    number, cid, _ = a.new_case(1, services=["PAS-01", "CIV-05"])
    shown = a.show(cid)["payment"]
    assert shown == {"expected_kop": 34500 + 8500, "paid_kop": 0, "items": []}
    before = a.status()["pending_changes"]

    # wrong amounts and methods are refused in words, nothing queued
    for amount, method, word in [("1,505", "cash", "two decimals"), ("-5", "cash", "negative"),
                                 ("abc", "cash", "cannot be read"), ("0", "cash", "zero"),
                                 ("10 000 000,01", "cash", "at most"),
                                 ("10", "barter", "cash, card or bank")]:
        p = a.run("case", "pay", cid, "--amount", amount, "--method", method, check=False)
        assert p.returncode != 0, (amount, method)
        assert word in p.stderr, (amount, p.stderr)
    uk = Agent(a.data, lang="uk").run("case", "pay", cid, "--amount", "1,505", "--method",
                                      "cash", check=False)
    assert uk.returncode != 0 and "два знаки після коми" in uk.stderr, uk.stderr
    assert a.status()["pending_changes"] == before

    # offline: two payments (a cash part and a card part), decimal comma and point
    p = Agent(a.data, lang="uk").run("case", "pay", number, "--amount", "300,50", "--method",
                                     "cash", "--receipt", "К-17")
    assert "300,50 грн" in p.stdout and "готівка" in p.stdout, p.stdout
    a.run("case", "pay", cid, "--amount", "225.00", "--method", "card", "--receipt", "T-88",
          "--at", "2026-12-02T10:00:00Z")
    shown = a.show(cid)["payment"]
    assert shown["paid_kop"] == 30050 + 22500 and len(shown["items"]) == 2
    assert [i["method"] for i in shown["items"]] == ["cash", "card"] or \
        sorted(i["method"] for i in shown["items"]) == ["card", "cash"]
    text = a.run("case", "show", cid).stdout
    assert "expected 430,00" in text and "paid 525,50" in text, text
    assert a.status()["pending_changes"] == before + 2

    a.sync()
    a.sync()  # a second sync sends nothing twice
    b = supervisor(hub, tmp_path)
    pay = case_api(b, number)["payment"]
    assert pay["expected_kop"] == 43000 and pay["paid_kop"] == 52550
    assert sorted((i["amount_kop"], i["method"], i["receipt"]) for i in pay["items"]) == [
        (22500, "card", "T-88"), (30050, "cash", "К-17")]
    assert all(i["source"] == "device" for i in pay["items"])
    with db(hub) as c:
        assert c.execute("SELECT count(*) FROM payments").fetchone()[0] == 2
        # append-only: the database itself refuses an edit
        try:
            c.execute("UPDATE payments SET amount_kop = 1")
            raise AssertionError("an update went through")
        except sqlite3.IntegrityError:
            pass
    hist = [e for e in case_api(b, number)["history"] if e["kind"] == "payment"]
    assert len(hist) == 2 and any("300,50 грн" in (e.get("text") or "") for e in hist), hist


def test_a_payment_is_applied_once_and_only_for_the_senders_unit(hub, tmp_path):
    a = hub.device()
    [(cid, number)] = wire_cases(a, [("PAS-02",)])
    pid = wire.new_id()
    ch = payment(a, cid, 78000, "bank", "ПП-1", pid=pid)
    r, h, p = a.send([ch])
    assert p["quarantined"] == []
    # the same change id again in a later batch (a laptop that re-sends) is one payment
    again = payment(a, cid, 78000, "bank", "ПП-1", pid=pid)
    r, h, p = a.send([again])
    assert r.status == 200 and p["quarantined"] == []
    with db(hub) as c:
        assert c.execute("SELECT count(*), sum(amount_kop) FROM payments").fetchone() == (1, 78000)

    # another unit's laptop may not pay (or see) this case; an unknown case is not_found
    hub.cli("unit", "add", "--code", OTHER, "--name", "Кейс 2", "--kind", "case")
    o = hub.device(OTHER)
    foreign = payment(o, cid, 100)
    unknown = payment(o, wire.new_id(), 100)
    r, h, p = o.send([foreign, unknown])
    assert r.status == 200
    assert [(q["n"], q["code"]) for q in p["quarantined"]] == [
        (foreign["n"], "forbidden"), (unknown["n"], "not_found")]
    assert number not in json.dumps(p)
    with db(hub) as c:
        assert c.execute("SELECT count(*) FROM payments").fetchone()[0] == 1
    b = supervisor(hub, tmp_path)
    assert case_api(b, cid)["payment"]["paid_kop"] == 78000


# ---- bank statements ----------------------------------------------------------

def import_json(hub, path):
    return hub.cli("payments", "import", str(path), json=True)


def test_bank_statement_import(hub, tmp_path):
    a = hub.device()
    cases = wire_cases(a, [("PAS-01",), ("PAS-02",), ("CIV-05",), ("PAS-01",)])
    (c1, n1), (c2, n2), (c3, n3), (c4, n4) = cases
    # `;`, decimal comma, a BOM, CRLF, the header in another order, extra columns,
    # a quoted purpose with the separator in it, the number in lower case
    f1 = tmp_path / "vyp1.csv"
    f1.write_bytes(("\ufeffID;Сума грн;Amount;Purpose;Date;Платник\r\n"
                    "T-1;x;345,00;Оплата за заяву %s, Шевченко;02.12.2026;Шевченко Т.\r\n"
                    "T-2;x;100,00;\"Збір; заява %s\";2026-12-02;Коваль\r\n"
                    "T-3;x;50,00;Благодійний внесок;03.12.2026;Хтось\r\n"
                    "T-4;x;12,345;Заява %s;03.12.2026;Помилка\r\n"
                    "T-5;x;10,00;Заява %s;31.02.2026;Помилка\r\n"
                    ";x;10,00;Заява %s;03.12.2026;Помилка\r\n"
                    "T-7;x;-85,00;Заява %s;03.12.2026;Повернення\r\n"
                    "\r\n"
                    "T-8;x;85,00;заява %s;03.12.2026 14:05;Мельник\r\n"
                    % (n1, n2.lower(), n3, n3, n3, n3, n3)).encode())
    out = import_json(hub, f1)
    assert set(out) == {"matched", "unmatched", "skipped", "bad", "lines"}
    assert (out["matched"], out["unmatched"], out["skipped"], out["bad"]) == (3, 1, 0, 4), out
    bad = {l["line"]: l["reason"] for l in out["lines"] if l["result"] == "bad"}
    assert bad == {5: "money_decimals", 6: "bank_date", 7: "bank_no_id", 8: "money_negative"}
    matched = {l["id"]: l["number"] for l in out["lines"] if l["result"] == "matched"}
    assert matched == {"T-1": n1, "T-2": n2, "T-8": n3}
    with db(hub) as c:
        rows = dict(c.execute("SELECT txn_id, case_id FROM bank_rows").fetchall())
        assert rows == {"T-1": c1, "T-2": c2, "T-3": None, "T-8": c3}  # nothing of bad lines
        assert c.execute("SELECT count(*) FROM payments WHERE source = 'bank'").fetchone()[0] == 3
        assert c.execute("SELECT amount_kop FROM payments WHERE id = 'bank:T-2'").fetchone() == (
            10000,)

    # the same statement again: everything seen is skipped, the bad lines are still bad
    again = import_json(hub, f1)
    assert (again["matched"], again["unmatched"], again["skipped"], again["bad"]) == (0, 0, 4, 4)

    # `,` separated with a decimal point, lower-case header; in words, Ukrainian then English
    f2 = tmp_path / "vyp2.csv"
    f2.write_text("date,purpose,id,amount\n"
                  "2026-12-04,\"Оплата, заява %s\",T-20,345.00\n"
                  "2026-12-04,Заява %s,T-21,\"1 000.00\"\n"
                  "2026-12-04,Заява %s,T-22,abc\n" % (n4, n2, n4))
    p = hub.cli("payments", "import", str(f2))
    assert "зараховано 2" in p.stdout and "з помилками 1" in p.stdout, p.stdout
    assert "рядок 4" in p.stdout and "сума записана незрозуміло" in p.stdout, p.stdout
    p = hub.cli("payments", "import", str(f2), "--lang", "en")
    assert "line 4" in p.stdout and "the amount cannot be read" in p.stdout, p.stdout
    assert "0 matched" in p.stdout and "2 skipped" in p.stdout, p.stdout

    # a statement without the needed columns is refused whole, in words
    f3 = tmp_path / "vyp3.csv"
    f3.write_text("date;amount;text\n02.12.2026;10,00;Заява %s\n" % n1)
    p = hub.cli("payments", "import", str(f3), check=False)
    assert p.returncode != 0 and "бракує стовпців" in p.stderr, p.stderr
    f4 = tmp_path / "big.csv"
    with open(f4, "wb") as f:
        f.write(b"date;amount;purpose;id\n")
        f.write(b"02.12.2026;1,00;" + b"x" * (9 << 20) + b";BIG\n")
    p = hub.cli("payments", "import", str(f4), check=False)
    assert p.returncode != 0 and "завелика" in p.stderr, p.stderr
    with db(hub) as c:
        assert c.execute("SELECT count(*) FROM bank_rows").fetchone()[0] == 6

    b = supervisor(hub, tmp_path)
    assert case_api(b, n2)["payment"]["paid_kop"] == 10000 + 100000
    assert case_api(b, n1)["payment"] == {
        "expected_kop": 34500, "paid_kop": 34500,
        "items": case_api(b, n1)["payment"]["items"]}


# ---- the reconciliation report ------------------------------------------------

def test_reconciliation_report(hub, tmp_path):
    a = hub.device()
    # paid exactly, unpaid (part paid), overpaid, never paid, and a free service
    cases = wire_cases(a, [("PAS-01",), ("PAS-02",), ("CIV-05",), ("PAS-01",), ("CIV-02",)])
    (c1, n1), (c2, n2), (c3, n3), (c4, n4), (c5, n5) = cases
    r, h, p = a.send([payment(a, c1, 34500), payment(a, c2, 50000, "card"),
                      payment(a, c3, 10000)])
    assert p["quarantined"] == []
    f = tmp_path / "v.csv"
    f.write_text("id;date;amount;purpose\nB-1;02.12.2026;12,34;без номера\n"
                 "B-2;03.12.2026;1 000,00;помилковий платіж\n")
    assert import_json(hub, f)["unmatched"] == 2

    hub.cli("unit", "add", "--code", OTHER, "--name", "Кейс 2", "--kind", "case")
    o = hub.device(OTHER)
    [(oc, on)] = wire_cases(o, [("PAS-02",)])

    b = supervisor(hub, tmp_path)
    r = b.get("/api/reports/payments?unit=KR-T01")
    assert r.status == 200, r
    rep = r.json()
    nums = {k: [i["number"] for i in rep[k]["items"]] for k in ("paid", "unpaid", "overpaid")}
    assert nums == {"paid": [n1], "unpaid": sorted([n2, n4]), "overpaid": [n3]}, nums
    assert n5 not in json.dumps(rep) and on not in json.dumps(rep)
    assert rep["paid"]["count"] == 1 and rep["paid"]["paid_kop"] == 34500
    assert rep["unpaid"]["due_kop"] == (78000 - 50000) + 34500
    assert rep["overpaid"]["excess_kop"] == 10000 - 8500
    assert rep["unmatched"]["count"] == 2 and rep["unmatched"]["amount_kop"] == 1234 + 100000
    assert [i["id"] for i in rep["unmatched"]["items"]] == ["B-1", "B-2"]
    [u] = rep["per_unit"]
    assert u == {"unit": "KR-T01", "cases": 4, "expected_kop": 34500 + 78000 + 8500 + 34500,
                 "paid_kop": 34500 + 50000 + 10000, "paid": 1, "unpaid": 2, "overpaid": 1}
    # every unit, and a date range that holds none of the statement's rows
    rep = b.get("/api/reports/payments").json()
    assert {u["unit"] for u in rep["per_unit"]} == {"KR-T01", OTHER}
    assert on in [i["number"] for i in rep["unpaid"]["items"]]
    rep = b.get("/api/reports/payments?from=2026-12-03&to=2026-12-03").json()
    assert [i["id"] for i in rep["unmatched"]["items"]] == ["B-2"]
    assert b.get("/api/reports/payments?from=02.12.2026").status == 400
    # a reviewer does not see the money report
    r2 = Browser(hub.url)
    assert r2.login("olena").status == 200
    assert r2.get("/api/reports/payments").status == 403
