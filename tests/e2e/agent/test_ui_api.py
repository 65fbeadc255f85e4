"""The field UI's JSON API over the agent's own functions: what the browser
does, without a browser.  Each change is checked through the CLI (the other
face of the same store)."""
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from agentlib import Agent, person  # noqa: E402
from uilib import FieldUI  # noqa: E402

OP, OP2, PIN = "Олена Коваль", "Петро Мельник", "4815"


@pytest.fixture
def laptop(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub, operator=OP)
    pin = tmp_path / "pin.txt"
    pin.write_text(PIN + "\n")
    a.run("operator", "add", OP2, "--pin-file", str(pin))
    a.run("operator", "pin", OP, "--pin-file", str(pin))
    return a


@pytest.fixture
def ui(laptop):
    u = FieldUI(laptop.data).start()
    u.open_session()
    try:
        yield u
    finally:
        assert u.stop() == 0


def application(i, **extra):
    p = person(i)
    d = {"services": ["SOC-03"], "surname": p["surname"], "given_name": p["given_name"],
         "patronymic": p["patronymic"], "birth_date": p["birth_date"], "rnokpp": p["rnokpp"],
         "phone": p["phone"], "address": "с. Підлісне, вул. Соборна, %d" % (i + 1),
         "consent": True, "documents_presented": ["паспорт"]}
    d.update(extra)
    return d


def test_trip_case_scan_rating_as_the_signed_in_operator(ui, laptop):
    ui.signin(OP2, PIN)
    trip = ui.api("POST", "trips", {"settlement": "с. Підлісне", "kind": "village-stop",
                                    "crew": [OP]})
    c = ui.api("POST", "cases", application(1))
    assert c["number"].startswith("KR-T01A-")
    shown = laptop.run("case", "show", c["number"], json=True)
    assert shown["id"] == c["id"]
    listed = laptop.run("case", "list", json=True)
    assert [x["operator"] for x in listed] == [OP2]  # not the CLI's current operator
    assert listed[0]["trip"] == trip["id"]
    # a scan: the same bytes twice are one attachment
    png = b"\x89PNG\r\n\x1a\n" + b"scan" * 1000
    hdr = {"Content-Type": "image/png", "X-File-Name": "%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82.png"}
    r1 = ui.request("POST", "/api/scan/" + c["id"], png, headers=hdr)
    assert r1.status == 200 and r1.json["duplicate"] is False, r1.body
    r2 = ui.request("POST", "/api/scan/" + c["id"], png, headers=hdr)
    assert r2.status == 200 and r2.json["duplicate"] is True
    att = laptop.run("case", "show", c["id"], json=True)["attachments"]
    assert len(att) == 1 and att[0]["name"] == "паспорт.png"
    assert att[0]["media_type"] == "image/png"
    # an empty scan is refused
    r = ui.request("POST", "/api/scan/" + c["id"], b"", headers=hdr)
    assert r.status == 422
    # the rating: 1..5 only
    ui.api("POST", "cases/%s/rate" % c["id"], {"score": 6}, expect=422)
    ui.api("POST", "cases/%s/rate" % c["id"], {"score": 5, "comment": "Дякую"})
    st = laptop.status()
    # trip + case + attachment + rating, nothing from the refused calls
    assert st["pending_changes"] == 4
    ended = ui.api("POST", "trips/end", {})
    assert ended["id"] == trip["id"]
    ui.api("POST", "trips/end", {}, expect=404)


def test_search_by_name_number_rnokpp_phone(ui):
    ui.signin(OP, PIN)
    made = [ui.api("POST", "cases", application(i)) for i in range(6)]
    p = person(3)
    for q in (p["surname"].upper(), p["surname"].lower(), made[3]["number"], p["rnokpp"],
              p["phone"]):
        rows = ui.api("GET", "cases?q=" + __import__("urllib.parse").parse.quote(q))
        assert made[3]["id"] in [r["id"] for r in rows], q
    assert len(ui.api("GET", "cases?status=submitted")) == 6
    assert ui.api("GET", "cases?status=draft") == []


def test_validation_refuses_and_writes_nothing(ui, laptop):
    ui.signin(OP, PIN)
    r = ui.request("POST", "/api/cases", application(1, phone="12345", consent=False))
    assert r.status == 422, r.body
    errs = r.json["errors"]
    assert errs and all(e["message"] for e in errs)
    assert laptop.status()["pending_changes"] == 0


def test_live_check_every_error_by_field(ui, laptop):
    """POST /api/cases/check: the agent's own rule, every error at once, each
    for its field, in the page's language; nothing is written"""
    ui.signin(OP, PIN)
    p = person(3)
    y, m, d = p["birth_date"].split("-")
    ui.api("POST", "lang", {"lang": "uk"})
    form = application(3, birth_date="01.01.1990", phone="12345", consent=False)
    del form["surname"]
    r = ui.request("POST", "/api/cases/check", form)
    assert r.status == 422, r.body
    by = {e["field"]: e for e in r.json["errors"]}
    assert set(by) == {"surname", "birth_date", "phone", "consent"}, by
    assert by["birth_date"]["label"] == "Дата народження"
    assert "%s.%s.%s" % (d, m, y) in by["birth_date"]["message"]
    assert "+380" in by["phone"]["message"]
    # the same answer refuses the application itself
    r = ui.request("POST", "/api/cases", form)
    assert r.status == 422 and len(r.json["errors"]) == 4, r.body
    # a clean form, with the date as people write it
    ok = ui.api("POST", "cases/check", application(3, birth_date="%s.%s.%s" % (d, m, y)))
    assert ok["ok"] is True and ok["errors"] == []
    # refused RNOKPP: the passport is asked for instead
    nr = application(3, no_rnokpp=True)
    del nr["rnokpp"]
    r = ui.request("POST", "/api/cases/check", nr)
    assert r.status == 422 and [e["field"] for e in r.json["errors"]] == ["documents"]
    nr["documents"] = [{"type": "passport", "number": "КА123456"}]
    c = ui.api("POST", "cases", nr)
    assert c["applicant"]["no_rnokpp"] is True and c["applicant"]["rnokpp"] is None
    ui.api("POST", "lang", {"lang": "en"})
    r = ui.request("POST", "/api/cases/check", dict(form, services=[]))
    assert "Choose at least one service." in [e["message"] for e in r.json["errors"]]
    assert laptop.status()["pending_changes"] == 1


def test_sync_from_the_page(ui, laptop, hub):
    ui.signin(OP, PIN)
    c = ui.api("POST", "cases", application(2))
    y = ui.api("POST", "sync", {})
    assert y["state"] in ("running", "done")
    assert y["changes_done"] <= y["changes_total"]
    for _ in range(300):  # bounded: at most ~60 s
        y = ui.api("GET", "sync")["sync"]
        assert y["changes_done"] <= y["changes_total"]
        if y["state"] != "running":
            break
        __import__("time").sleep(0.2)
    assert y["state"] == "done", y
    assert y["changes_done"] == y["changes_total"] == 1
    assert hub.cli("case", "show", c["number"], json=True)["number"] == c["number"]
    # the centre's decision lands in the inbox and stays there until marked seen
    hub.cli("case", "decide", c["number"], "--decision", "needs_info", "--reason", "Потрібна довідка")
    ui.api("POST", "sync", {})
    for _ in range(300):
        if ui.api("GET", "sync")["sync"]["state"] != "running":
            break
        __import__("time").sleep(0.2)
    inbox = ui.api("GET", "inbox")
    assert [(x["number"], x["status"], x["reason"]) for x in inbox] == \
        [(c["number"], "needs_info", "Потрібна довідка")]
    assert ui.api("GET", "inbox") == inbox  # looking is not marking
    assert [x["number"] for x in laptop.run("inbox", json=True)] == [c["number"]]
    ui.api("POST", "signout", {})
    r = ui.request("POST", "/api/inbox/" + c["id"] + "/seen", {})
    assert r.status in (401, 403), r.status  # nobody signed in: nothing marked
    assert len(ui.api("GET", "inbox")) == 1
    ui.signin(OP, PIN)
    assert ui.api("POST", "inbox/" + c["number"] + "/seen", {}) == []
    assert laptop.run("inbox", json=True) == []
    # no link: a plain sentence, no transport error text
    hub.stop()
    ui.api("POST", "sync", {})
    for _ in range(300):
        y = ui.api("GET", "sync")["sync"]
        if y["state"] != "running":
            break
        __import__("time").sleep(0.2)
    assert y["state"] == "failed"
    assert "Cannot reach the hub" in y["message"] or "Немає зв'язку" in y["message"]
    assert "curl" not in y["message"].lower() and "errno" not in y["message"].lower()
    hub.start()


def test_receipt_page_one_renderer_strict_csp(ui, laptop):
    """The UI's print view is the CLI's receipt: QR code as SVG, Kyiv time as
    dd.mm.yyyy hh:mm, service titles, signature lines; its style comes from
    /receipt.css, so the page's CSP allows no inline style or script."""
    import re
    ui.signin(OP, PIN)
    c = ui.api("POST", "cases", application(3))
    r = ui.request("GET", "/receipt/" + c["id"])
    assert r.status == 200, r.body
    csp = r.getheader("Content-Security-Policy")
    assert "unsafe-inline" not in csp and "script-src" not in csp, csp
    html = r.body.decode()
    assert c["number"] in html and '<svg class="qr"' in html
    assert '<link rel="stylesheet" href="/receipt.css">' in html and "<style" not in html
    assert re.search(r"\b\d\d\.\d\d\.20\d\d \d\d:\d\d\b", html), html[:600]
    assert "Citizen's signature" in html and "Administrator's signature" in html
    css = ui.request("GET", "/receipt.css")
    assert css.status == 200 and css.getheader("Content-Type").startswith("text/css")
    assert b"@page" in css.body
    a5 = ui.request("GET", "/receipt/" + c["id"] + "?paper=A5")
    assert a5.status == 200 and b"paper-a5" in a5.body
    assert ui.request("GET", "/receipt/" + c["id"] + "?paper=A3").status == 422
    # the CLI writes the same document, with its style inline (a file on its own)
    out = Path(laptop.data) / "r.html"
    laptop.run("receipt", c["number"], "--paper", "A5", "--out", str(out))
    cli = out.read_text(encoding="utf-8")
    assert '<svg class="qr"' in cli and "paper-a5" in cli and "<style>" in cli
    assert laptop.run("receipt", c["number"], "--paper", "A3", check=False).returncode != 0
