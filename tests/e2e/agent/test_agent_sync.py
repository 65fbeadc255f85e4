"""mo-agent ↔ mo-hub: a day offline, then one sync; decisions come back."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent  # noqa: E402

N = 200


def hub_case(hub, key):
    return hub.cli("case", "show", key, json=True)


def test_offline_day_then_sync(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    me = a.enroll(hub)
    assert me["device_code"] == "KR-T01A" and me["unit"] == "KR-T01"
    hub.stop()

    # a day without network: 200 applications, some packages, some scans
    a.run("trip", "start", "--settlement", "с. Підлісне", "--kind", "village-stop")
    scan = tmp_path / "scan.pdf"
    cases = {}
    for i in range(N):
        services = ["PKG-BIRTH"] if i % 25 == 0 else ["PKG-ID14"] if i % 25 == 1 else None
        number, cid, p = a.new_case(i, services=services)
        cases[number] = (cid, p)
        if i % 20 == 5:
            scan.write_bytes(("скан паспорта %d\n" % i).encode() * (3000 + i))
            a.run("case", "attach", cid, str(scan), "--type", "passport")
    st = a.status()
    assert st["pending_changes"] == N + 1 + N // 20  # cases, the trip, attachments
    assert st["pending_blobs"] == N // 20
    fail = a.sync(check=False)
    assert fail.returncode == 3, fail
    assert "Everything is kept" in fail.stderr

    hub.start()
    out = a.sync(hub=hub)
    assert out.returncode == 0
    st = a.status()
    assert st["pending_changes"] == 0 and st["pending_blobs"] == 0
    assert st["quarantined"] == []

    listed = hub.cli("case", "list", json=True)
    assert len(listed) == N
    assert sorted(c["number"] for c in listed) == sorted(cases)
    assert len({c["id"] for c in listed}) == N
    for c in listed:
        assert c["id"] == cases[c["number"]][0]
        assert c["status"] == "received"

    # every field made it, for a sample across the day (packages and scans included)
    for number in sorted(cases)[::9] + sorted(cases)[:2] + [sorted(cases)[5]]:
        h = hub_case(hub, number)
        mine = a.show(number)
        for key, value in h["fields"].items():
            if key in ("services", "number"):
                continue
            assert mine[key] == value, (number, key)
        assert [s["code"] for s in h["services"]] == [s["code"] for s in mine["services"]]
        assert h["fields"]["applicant"]["surname"] == cases[number][1]["surname"]
        assert h["fields"]["applicant"]["rnokpp"] == cases[number][1]["rnokpp"]
        assert h["fields"]["operator"] == "Олена Коваль"
    first = sorted(cases)[0]
    assert hub_case(hub, first)["fields"]["package"] == "PKG-BIRTH"
    assert len(hub_case(hub, first)["services"]) > 3
    scanned = sorted(cases)[5]
    att = [x for x in hub_case(hub, scanned)["appends"] if x["entity"] == "attachment"]
    assert len(att) == 1
    sha = att[0]["fields"]["sha256"]
    assert any(sha in files for _, _, files in os.walk(hub.data)), "blob not at the hub"

    # sync twice: nothing duplicated
    out = a.run("sync", json=True)
    assert out["changes"] == 0
    assert len(hub.cli("case", "list", json=True)) == N

    # a reviewer's decision reaches the laptop on the next sync
    dec = sorted(cases)[10]
    hub.cli("case", "decide", dec, "--decision", "approved", "--reason", "Документи в порядку")
    a.sync()
    assert a.show(dec)["status"] == "approved"
    st = a.status()
    assert [d["number"] for d in st["decisions"]] == [dec]
    assert st["decisions"][0]["to"] == "approved"
    # news stays until the administrator marks it seen (CLI and UI alike)
    assert [d["number"] for d in a.status()["decisions"]] == [dec]
    inbox = a.run("inbox", json=True)
    assert [(x["number"], x["status"], x["kind"]) for x in inbox] == [(dec, "approved", "decision")]
    assert inbox[0]["reason"] == "Документи в порядку" and inbox[0]["surname"]
    text = Agent(a.data, lang="uk").run("inbox").stdout
    assert dec in text and "погоджено" in text and "Документи в порядку" in text, text
    assert a.run("inbox", "seen", "KR-T01A-2026-999999", check=False).returncode != 0
    assert len(a.run("inbox", json=True)) == 1  # a wrong number marks nothing
    assert a.run("inbox", "seen", check=False).returncode != 0  # which ones?
    a.run("inbox", "seen", dec)
    assert a.run("inbox", json=True) == [] and a.status()["decisions"] == []
    # the result handed to the citizen goes back up
    a.run("case", "issue", dec)
    a.sync()
    assert hub_case(hub, dec)["status"] == "issued"


def test_needs_info_edit_resubmit(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    number, cid, _ = a.new_case(1)
    a.sync()
    hub.cli("case", "decide", number, "--decision", "needs_info", "--reason",
            "Потрібна довідка про місце проживання")
    hub.cli("case", "comment", number, "--text", "Принесіть довідку з ЖЕКу")
    a.sync()
    mine = a.show(number)
    assert mine["status"] == "needs_info"
    assert [c["text"] for c in mine["comments"]] == ["Принесіть довідку з ЖЕКу"]
    assert {d["kind"] for d in a.status()["decisions"]} == {"decision", "comment"}
    assert any(h.get("reason") == "Потрібна довідка про місце проживання"
               for h in mine["history"])
    a.run("case", "edit", number, "--phone", "(050) 111-22-33", "--notes", "довідку додано")
    a.run("case", "submit", number)
    assert a.show(number)["status"] == "submitted"
    a.sync()
    h = hub_case(hub, number)
    assert h["status"] in ("submitted", "received")
    assert h["fields"]["applicant"]["phone"] == "+380501112233"
    assert h["fields"]["notes"] == "довідку додано"
    assert h["fields"]["applicant"]["surname"] == mine["applicant"]["surname"]  # kept
    assert a.status()["pending_changes"] == 0
    # the amendment is in the hub's case history: which field, old -> new, which laptop
    edits = {e["field"]: e for e in h["history"] if e["kind"] == "edited"}
    assert set(edits) == {"applicant.phone", "notes"}, h["history"]
    assert edits["applicant.phone"]["old"] == mine["applicant"]["phone"]
    assert edits["applicant.phone"]["new"] == "+380501112233"
    assert edits["notes"]["new"] == "довідку додано"
    assert edits["notes"]["actor"] == a.status()["device_code"]
    a.sync()  # nothing new: no second record of the same edit
    again = [e for e in hub_case(hub, number)["history"] if e["kind"] == "edited"]
    assert len(again) == 2


def test_two_operators_one_laptop(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub, operator="Олена Коваль")
    n1, _, _ = a.new_case(1)
    a.run("operator", "add", "Петро Іваненко")
    a.run("operator", "use", "Петро Іваненко")
    n2, _, _ = a.new_case(2)
    ops = a.run("operator", "list", json=True)
    assert [o["name"] for o in ops if o["current"]] == ["Петро Іваненко"]
    assert a.show(n1)["operator"] == "Олена Коваль"
    assert a.show(n2)["operator"] == "Петро Іваненко"
    bad = a.run("operator", "use", "Нікого Немає", check=False)
    assert bad.returncode == 1
    a.sync()
    assert hub_case(hub, n1)["fields"]["operator"] == "Олена Коваль"
    assert hub_case(hub, n2)["fields"]["operator"] == "Петро Іваненко"
    assert n1 != n2 and n1.startswith("KR-T01A-") and n2.startswith("KR-T01A-")
