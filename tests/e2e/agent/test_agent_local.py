"""mo-agent on its own: import, validation, search, receipt, trips."""
import json
import os
import sys
import time


sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent, jsonl_line, person, write_jsonl  # noqa: E402


def test_import_bad_lines_and_reimport(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    lines = [jsonl_line(i) for i in range(40)]
    bad_rnokpp = dict(lines[4]["applicant"])
    bad_rnokpp["rnokpp"] = bad_rnokpp["rnokpp"][:9] + str((int(bad_rnokpp["rnokpp"][9]) + 1) % 10)
    lines[4] = dict(lines[4], applicant=bad_rnokpp)                 # line 5
    lines[9] = "{not json"                                           # line 10
    lines[14] = dict(lines[14], service_codes=["NOPE-99"])           # line 15
    no_surname = dict(lines[19]["applicant"])
    del no_surname["surname"]
    lines[19] = dict(lines[19], applicant=no_surname)                # line 20
    lines[24] = dict(lines[24], consent=False)                       # line 25
    lines[29] = dict(lines[29], id=lines[28]["id"])                  # line 30: same id again
    src = write_jsonl(tmp_path / "in.jsonl", lines)

    p = a.run("case", "import", src, check=False)
    assert p.returncode == 1
    for n in (5, 10, 15, 20, 25):
        assert "line %d:" % n in p.stderr, p.stderr
    assert "check digit" in p.stderr
    assert "34 added, 1 skipped (already present), 5 bad" in p.stdout

    p2 = a.run("case", "import", src, json=True, check=False)
    out = json.loads(p2.stdout)
    assert out["added"] == 0 and out["skipped"] == 35
    assert [b["line"] for b in out["bad_lines"]] == [5, 10, 15, 20, 25]
    cases = a.run("case", "list", json=True)
    assert len(cases) == 34
    assert a.status()["pending_changes"] == 34
    # the imported id is the case's identity
    assert a.show(lines[0]["id"])["id"] == lines[0]["id"]

    clean = write_jsonl(tmp_path / "clean.jsonl", [jsonl_line(i) for i in range(100, 110)])
    assert a.run("case", "import", clean, json=True)["added"] == 10
    again = a.run("case", "import", clean, json=True)
    assert again["added"] == 0 and again["skipped"] == 10 and again["bad"] == 0

    a.sync()
    assert len(hub.cli("case", "list", json=True)) == 44


def test_import_ten_thousand(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    src = write_jsonl(tmp_path / "big.jsonl", (jsonl_line(i) for i in range(10000)))
    t0 = time.time()
    res = a.run("case", "import", src, json=True)
    dt = time.time() - t0
    assert res["added"] == 10000
    # speed is measured by bench/, never asserted here
    print("imported 10000 lines in %.2f s" % dt)
    assert len(a.run("case", "list", json=True)) == 10000


def test_validation_names_field_and_stores_nothing(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    p = person(1)
    base = ["case", "new", "--service", "PAS-02", "--surname", p["surname"],
            "--given-name", p["given_name"], "--birth-date", p["birth_date"], "--consent"]
    wrong = p["rnokpp"][:9] + str((int(p["rnokpp"][9]) + 1) % 10)
    r = a.run(*base, "--tax-id", wrong, check=False)
    assert r.returncode == 1 and "check digit" in r.stderr
    r = Agent(a.data, lang="uk").run(*base, "--tax-id", wrong, check=False)
    assert r.returncode == 1 and "Контрольна цифра" in r.stderr and "«РНОКПП»" in r.stderr
    other = ["case", "new", "--service", "PAS-02", "--surname", p["surname"],
             "--given-name", p["given_name"], "--birth-date", "1990-01-01", "--consent",
             "--tax-id", p["rnokpp"]]
    r = a.run(*other, check=False)
    assert r.returncode == 1 and "date of birth" in r.stderr
    r = a.run("case", "new", "--service", "NOPE-1", *base[4:], "--tax-id", p["rnokpp"],
              check=False)
    assert r.returncode == 1 and "no such service" in r.stderr and "NOPE-1" in r.stderr
    noconsent = [x for x in base if x != "--consent"]
    r = a.run(*noconsent, "--tax-id", p["rnokpp"], check=False)
    assert r.returncode == 1 and "consent" in r.stderr
    assert a.run("case", "list", json=True) == []
    assert a.status()["pending_changes"] == 0
    # a draft may wait for consent; submitting it may not
    d = a.run(*noconsent, "--tax-id", p["rnokpp"], "--draft", json=True)
    assert d["status"] == "draft" and d["number"].startswith("KR-T01A-")
    assert a.run("case", "submit", d["id"], check=False).returncode == 1
    a.run("case", "edit", d["id"], "--consent")
    assert a.run("case", "submit", d["id"], json=True)["status"] == "submitted"


def test_every_error_at_once_with_paper_form_names(hub, tmp_path):
    """one run shows every problem, by the words of the paper form, and
    says which birth date the RNOKPP encodes (as 15.03.1948)"""
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    p = person(2)
    y, m, d = p["birth_date"].split("-")
    r = Agent(a.data, lang="uk").run(
        "case", "new", "--service", "NOPE-1", "--given-name", p["given_name"],
        "--birth-date", "01.01.1990", "--tax-id", p["rnokpp"], "--phone", "12345",
        check=False)
    assert r.returncode == 1, r.stderr
    err = r.stderr
    for label in ("«Послуги»", "«Прізвище»", "«Дата народження»", "«Телефон»",
                  "«Згода на обробку персональних даних»"):
        assert label in err, (label, err)
    assert "%s.%s.%s" % (d, m, y) in err, err           # the date the number encodes
    assert "NOPE-1" in err
    for internal in ("birth_date", "tax_id", "surname", "consent", "rnokpp_"):
        assert internal not in err, (internal, err)
    assert len([ln for ln in err.splitlines() if ln.startswith("  «")]) == 5, err
    # entirely in English when asked
    r = a.run("case", "new", "--service", "PAS-02", "--tax-id", p["rnokpp"], check=False)
    assert r.returncode == 1 and "«Surname»" in r.stderr and "«Date of birth»" in r.stderr
    assert "Заяву" not in r.stderr and "Прізвище" not in r.stderr
    assert a.run("case", "list", json=True) == []

    # a sentence a person understands, in one language; --json keeps the data
    out = Agent(a.data, lang="uk").run(
        "case", "new", "--service", "PAS-02", "--surname", p["surname"], "--given-name",
        p["given_name"], "--birth-date", p["birth_date"], "--tax-id", p["rnokpp"],
        "--consent").stdout
    assert out.startswith("Заяву ") and "записано" in out and "mo-agent receipt" in out
    assert "780 грн" in out and "подано" in out and "submitted" not in out, out
    out = a.run("case", "new", "--service", "PAS-02", "--surname", p["surname"],
                "--given-name", p["given_name"], "--birth-date", p["birth_date"],
                "--tax-id", p["rnokpp"], "--consent").stdout
    assert out.startswith("Application ") and "780 UAH" in out and "Заяв" not in out, out
    for c in a.run("case", "list", json=True):
        a.run("case", "cancel", c["id"], "--reason", "тест")
    # dd.mm.yyyy is accepted and stored as ISO
    c = a.run("case", "new", "--service", "PAS-02", "--surname", p["surname"],
              "--given-name", p["given_name"], "--birth-date", "%s.%s.%s" % (d, m, y),
              "--tax-id", p["rnokpp"], "--consent", json=True)
    assert a.show(c["id"])["applicant"]["birth_date"] == p["birth_date"]

    # refused an RNOKPP: a passport is required instead, and the hub accepts it
    base = ["case", "new", "--service", "PAS-02", "--surname", "Коваль", "--given-name",
            "Марія", "--birth-date", "15.03.1948", "--consent", "--no-rnokpp"]
    r = Agent(a.data, lang="uk").run(*base, check=False)
    assert r.returncode == 1 and "паспорта" in r.stderr and "«РНОКПП»" not in r.stderr
    r = Agent(a.data, lang="uk").run(*base, "--tax-id", p["rnokpp"],
                                     "--doc", "passport:КА123456", check=False)
    assert r.returncode == 1 and "«РНОКПП»" in r.stderr
    c = a.run(*base, "--doc", "passport:КА123456", json=True)
    app = a.show(c["id"])["applicant"]
    assert app["no_rnokpp"] is True and app["rnokpp"] is None
    assert app["birth_date"] == "1948-03-15"
    a.sync()
    st = a.status()
    assert st["pending_changes"] == 0 and not st.get("quarantined"), st


def test_service_list_search(hub, tmp_path):
    """the catalogue by a piece of the Ukrainian title in any case, or a code
    prefix; a package lists its members with titles"""
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    everything = a.run("service", "list", json=True)
    assert len(everything) > 20
    codes = lambda r: [x["code"] for x in r]  # noqa: E731
    # "СМЕРТІ" in capitals finds «Державна реєстрація смерті»
    r = a.run("service", "list", "--search", "РЕЄСТРАЦІЯ СМЕРТІ", json=True)
    assert "CIV-02" in codes(r) and all("смерті" in x["title"].lower() for x in r)
    assert codes(a.run("service", "list", "--search", "pas-0", json=True))[:1] == ["PAS-01"]
    assert all(c.startswith("PAS-0") or "pas-0" in t.lower() for c, t in
               [(x["code"], x["title"]) for x in a.run("service", "list", "--search", "PAS-0",
                                                         json=True)])
    loss = [x for x in a.run("service", "list", "--search", "втрата", json=True)
            if x["code"] == "PKG-LOSS"][0]
    assert [m["code"] for m in loss["members"]] == ["CIV-02", "SOC-04", "RES-02", "PEN-02",
                                                     "CRT-02"]
    assert all(m["title"] for m in loss["members"])
    assert a.run("service", "list", "--search", "ґґґ-немає", json=True) == []
    out = Agent(a.data, lang="uk").run("service", "list", "--search", "смерті").stdout
    assert "CIV-02" in out and "Державна реєстрація смерті" in out
    out = Agent(a.data, lang="uk").run("service", "list", "--search", "ґґґ").stdout
    assert "не знайдено" in out


def test_edit_adds_to_lists(hub, tmp_path):
    """amending adds the documents brought later; it never drops the first ones"""
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    number, cid, p = a.new_case(4)
    before = a.show(cid)
    assert before["documents_presented"] == ["паспорт"]
    a.run("case", "edit", cid, "--presented", "довідка про доходи", "--presented", "паспорт",
          "--doc", "passport:КА654321")
    after = a.show(cid)
    assert after["documents_presented"] == ["паспорт", "довідка про доходи"]
    docs = after["applicant"]["documents"]
    assert [d["type"] for d in docs] == ["id_card", "passport"], docs
    assert docs[0] == before["applicant"]["documents"][0]
    a.sync()
    assert a.status()["pending_changes"] == 0


def test_edit_services_only_while_draft(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    number, cid, _ = a.new_case(5, services=["PAS-02"], extra=["--draft"])
    assert a.show(cid)["fee_uah"] == 780
    a.run("case", "edit", cid, "--service", "CIV-02")
    c = a.show(cid)
    assert [x["code"] for x in c["services"]] == ["CIV-02"] and c["fee_uah"] == 0, c
    a.run("case", "submit", cid)
    r = Agent(a.data, lang="uk").run("case", "edit", cid, "--service", "PAS-02", check=False)
    assert r.returncode == 1 and "змінювати не можна" in r.stderr, r.stderr
    assert [x["code"] for x in a.show(cid)["services"]] == ["CIV-02"]
    a.sync()
    st = a.status()
    assert st["pending_changes"] == 0 and st["quarantined"] == [], st
    assert [x["code"] for x in hub.cli("case", "show", number, json=True)["services"]] == \
        ["CIV-02"]


def test_cyrillic_search_and_json(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    p = person(5)
    r = a.run("case", "new", "--service", "PKG-BIRTH", "--surname", "Шевченко",
              "--given-name", "Тарас", "--patronymic", "Григорович", "--birth-date",
              p["birth_date"], "--tax-id", p["rnokpp"], "--consent", json=True)
    assert r["status"] == "submitted" and r["package"] == "PKG-BIRTH"
    assert len(r["services"]) > 3 and all(s["status"] == "submitted" for s in r["services"])
    a.new_case(6)
    for q in ("шевченко", "ШЕВЧЕНКО", "Шевч", "тарас шевченко"):
        found = a.run("case", "list", "--search", q, json=True)
        assert [c["number"] for c in found] == [r["number"]], q
        assert {"id", "number", "status"} <= set(found[0])
    assert a.run("case", "list", "--search", "іваненко", json=True) == []
    assert a.run("case", "show", r["number"], json=True)["id"] == r["id"]
    text = a.run("case", "list", "--search", "шевченко").stdout
    assert "Шевченко" in text


def test_trip_receipt_rate_cancel(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    t = a.run("trip", "start", "--settlement", "смт Шпиків", "--kind", "idp-settlement",
              json=True)
    assert a.run("trip", "start", "--settlement", "x", check=False).returncode == 1
    number, cid, p = a.new_case(8)
    assert a.show(number)["trip"] == t["id"]
    out = tmp_path / "r.html"
    Agent(a.data, lang="uk").run("receipt", number, "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert number in html and p["surname"] in html and "Олена Коваль" in html
    a.run("case", "rate", number, "5", "--comment", "Дякую!")
    assert a.run("case", "rate", number, "6", check=False).returncode == 1
    n2, _, _ = a.new_case(9, extra=["--draft"])
    assert a.run("case", "cancel", n2, check=False).returncode == 1  # reason required
    a.run("case", "cancel", n2, "--reason", "Заявник передумав")
    assert a.show(n2)["status"] == "cancelled"
    out = Agent(a.data, lang="uk").run("trip", "end").stdout
    assert out.startswith("Виїзд завершено ") and "київським часом" in out, out
    assert "Trip" not in out and "-" not in out.split("(")[0], out  # no UUID, one language
    trips = a.run("trip", "list", json=True)
    assert trips[0]["ended_at"] is not None and trips[0]["cases"] == 2
    a.sync()
    st = a.status()
    assert st["pending_changes"] == 0 and st["quarantined"] == [], st
    assert hub.cli("case", "show", n2, json=True)["status"] == "cancelled"


def test_cancel_submitted_before_first_sync(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    number, _, _ = a.new_case(10)
    a.run("case", "cancel", number, "--reason", "Заявник передумав")
    a.sync()
    st = a.status()
    assert st["quarantined"] == [], st["quarantined"]
    assert hub.cli("case", "show", number, json=True)["status"] == "cancelled"


def test_unit_phone_from_the_hub_on_the_receipt(hub, tmp_path):
    """The unit's phone is set at the hub (mo-hub unit add --phone), reaches the
    laptop at enrolment and is printed on the citizen's receipt."""
    r = hub.cli("unit", "add", "--code", "KR-C09", "--name", "Мобільний кейс №9",
                "--kind", "case", "--phone", "12345", check=False)
    assert r.returncode != 0 and "phone" in (r.stderr + r.stdout)
    assert "KR-C09" not in hub.cli("unit", "list").stdout  # refused: nothing added
    hub.cli("unit", "add", "--code", "KR-C09", "--name", "Мобільний кейс №9", "--kind", "case",
            "--phone", "(067) 123-45-67")
    a = Agent(tmp_path / "laptop")
    a.run("enroll", "--hub", hub.url, "--token", hub.token("KR-C09"), "--operator", "Олена Коваль")
    number, _, _ = a.new_case(1)
    out = tmp_path / "r.html"
    a.run("receipt", number, "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert "+380671234567" in html and "Мобільний кейс №9" in html
