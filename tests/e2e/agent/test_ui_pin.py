"""Operators' PINs on a shared laptop: the UI's sign-in checks the PIN with
the one rule of operator.c (scrypt hash, a growing wait after wrong PINs),
and the CLI sets it.  Before this, the sign-in checked only the name."""
import os
import sqlite3
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from agentlib import Agent  # noqa: E402
from uilib import FieldUI  # noqa: E402

OP, OP2, PIN = "Олена Коваль", "Петро Мельник", "4815"


@pytest.fixture
def laptop(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub, operator=OP)
    pin = tmp_path / "pin.txt"
    pin.write_text(PIN + "\n")
    a.run("operator", "pin", OP, "--pin-file", str(pin))
    a.run("operator", "add", OP2)  # no PIN
    return a


@pytest.fixture
def ui(laptop):
    u = FieldUI(laptop.data).start()
    u.open_session()
    try:
        yield u
    finally:
        assert u.stop() == 0


def signin(ui, name, pin):
    return ui.request("POST", "/api/signin", {"name": name, "pin": pin})


def operators(laptop):
    db = [f for f in os.listdir(laptop.data) if f.endswith(".db")][0]
    con = sqlite3.connect(os.path.join(laptop.data, db))
    try:
        return {r[0]: r[1:] for r in con.execute(
            "SELECT name, coalesce(pin_hash, ''), pin_failures FROM operators")}
    finally:
        con.close()


def test_wrong_pin_refused_right_pin_works(ui, laptop):
    r = signin(ui, OP, "0000")
    assert r.status == 401 and r.json["error"]["code"] == "bad_pin"
    assert ui.request("GET", "/api/session").json["operator"] == ""
    r = signin(ui, OP, PIN)
    assert r.status == 200 and r.json["operator"] == OP
    assert operators(laptop)[OP][1] == 0  # the right PIN clears the count


def test_unknown_operator_answers_as_a_wrong_pin(ui):
    r = signin(ui, "Хтось Інший", PIN)
    assert r.status == 401 and r.json["error"]["code"] == "bad_pin"


def test_operator_without_pin_cannot_sign_in(ui):
    r = signin(ui, OP2, "")
    assert r.status == 401 and r.json["error"]["code"] == "no_pin"
    assert "PIN" in r.json["error"]["message"]
    r = signin(ui, OP2, "1234")
    assert r.status == 401 and r.json["error"]["code"] == "no_pin"


def test_guessing_is_slowed_even_for_the_right_pin(ui, laptop):
    for _ in range(3):
        assert signin(ui, OP, "1111").status == 401
    r = signin(ui, OP, PIN)  # inside the wait nothing is checked, not even the right PIN
    assert r.status == 429 and r.json["error"]["code"] == "rate_limited", r.body
    assert operators(laptop)[OP][1] == 3
    assert ui.request("GET", "/api/session").json["operator"] == ""


def test_pin_is_stored_hashed_never_in_clear(laptop):
    h, _ = operators(laptop)[OP]
    assert h.startswith("scrypt$") and PIN not in h


def test_cli_refuses_a_bad_pin_and_writes_nothing(laptop, tmp_path):
    before = operators(laptop)
    for bad in ("12", "12345678901234", "12a4", "4815 "):
        f = tmp_path / "bad.txt"
        f.write_text(bad + "\n")
        p = laptop.run("operator", "pin", OP, "--pin-file", str(f), check=False)
        assert p.returncode == 1, (bad, p.stderr)
        assert "PIN" in p.stderr
    p = laptop.run("operator", "add", "Нова Людина", "--pin-file", str(tmp_path / "missing"),
                   check=False)
    assert p.returncode == 1
    assert operators(laptop) == before
