"""mo-agent: a laptop restored from a backup recovers with `enroll --again`
(docs/recovery.md); concurrent edits keep the winner on both laptops."""
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent  # noqa: E402


def test_restored_laptop_recovers_with_new_numbers(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    before = [a.new_case(i)[0] for i in range(2)]
    a.sync()
    backup = tmp_path / "backup"
    shutil.copytree(a.data, backup)
    lost = [a.new_case(i)[0] for i in range(2, 4)]      # synced, then the disk dies
    a.sync()
    shutil.rmtree(a.data)
    shutil.copytree(backup, a.data)
    after = [a.new_case(i, seed=9)[:2] for i in range(2, 4)]  # same numbers as `lost`
    assert [n for n, _ in after] == lost

    r = a.sync(check=False)
    assert r.returncode == 4, r
    assert "seq_conflict" in r.stderr and "enroll --again" in r.stderr, r.stderr

    r = a.run("enroll", "--again", "--hub", hub.url, "--token", hub.token())
    me = a.status()
    assert "KR-T01B" in r.stdout, r.stdout    # a new device code
    for old, _ in after:
        assert old in r.stdout, r.stdout      # receipts to reissue are named
    a.sync()
    held = {c["number"]: c["id"] for c in hub.cli("case", "list", json=True)}
    assert len(held) == 6, held
    for number in before + lost:
        assert number in held
    for _, cid in after:
        assert cid in held.values()
        num = a.show(cid)["number"]
        assert num in held and not num.startswith("KR-T01A-"), num
    assert me["pending_changes"] == 0         # enroll's first sync already sent them


def test_laptop_keeps_its_winning_edit(hub, tmp_path):
    a = Agent(tmp_path / "a")
    b = Agent(tmp_path / "b")
    a.enroll(hub)
    b.enroll(hub)
    number, cid, _ = b.new_case(1)
    b.sync()
    hub.cli("case", "decide", cid, "--decision", "needs_info", "--reason", "docs")
    a.sync()
    b.sync()
    b.run("case", "edit", cid, "--notes", "older")
    a.run("case", "edit", cid, "--notes", "newer")
    for who in (b, a, b, a):
        who.sync()
    assert hub.cli("case", "show", cid, json=True)["fields"]["notes"] == "newer"
    assert a.show(cid)["notes"] == "newer"   # B's older edit came down to A: ignored
    assert b.show(cid)["notes"] == "newer"
