"""Operations: mo-hub backup (a consistent copy while serving) and mo-hub migrate."""
import os
import shutil
import sqlite3
import subprocess
import threading

from conftest import MO_HUB, Hub


def cases_in(path):
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return db.execute("SELECT count(*) FROM cases").fetchone()[0]
    finally:
        db.close()


def test_backup_while_batches_commit(hub, device, tmp_path):
    """every copy taken under load is whole: it passes SQLite's check, holds
    between the cases acknowledged before and after it, and restores a hub"""
    stop = threading.Event()
    acked = []
    errors = []

    def writer():
        try:
            while not stop.is_set() and len(acked) < 300:
                batch = [device.new_case()[1] for _ in range(10)]
                r, header, _ = device.send(batch)
                if r.status != 200 or header["ack"] != device.seq:
                    errors.append(r)
                    return
                acked.append(len(batch))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    copies = []
    try:
        for i in range(60):
            if not t.is_alive():
                break
            before = sum(acked)
            to = tmp_path / ("copy-%d.db" % i)
            p = hub.cli("backup", "--to", str(to), json=True)
            after = sum(acked)
            assert p["to"] == str(to) and p["bytes"] == os.path.getsize(to) > 0
            assert oct(os.stat(to).st_mode & 0o777) == "0o600"
            n = cases_in(to)
            # a batch is one transaction: a copy holds whole batches only
            assert before <= n <= after + 10 and n % 10 == 0, (before, n, after)
            assert not os.path.exists(str(to) + ".part")
            copies.append((to, n))
    finally:
        stop.set()
        t.join(timeout=60)
    assert not errors, errors
    counts = [n for _, n in copies]
    # the copies were taken while batches kept committing
    assert counts == sorted(counts) and len(set(counts)) >= 3, counts

    # the last copy and the hub key restore a hub that answers with its cases
    to, n = copies[-1]
    restored = Hub(tmp_path / "restored")
    os.makedirs(restored.data, mode=0o700)
    shutil.copy(os.path.join(hub.data, "hub.key"), os.path.join(restored.data, "hub.key"))
    shutil.copy(to, os.path.join(restored.data, "hub.db"))
    listed = restored.cli("case", "list", json=True)
    assert len(listed) == n


def test_backup_never_overwrites_and_says_why(hub, tmp_path):
    to = tmp_path / "copy.db"
    to.write_bytes(b"yesterday's copy")
    p = hub.cli("backup", "--to", str(to), check=False)
    assert p.returncode == 1 and "вже існує" in p.stderr, p.stderr
    assert to.read_bytes() == b"yesterday's copy"
    p = hub.cli("backup", "--to", str(to), "--lang", "en", check=False)
    assert p.returncode == 1 and "already exists" in p.stderr
    p = hub.cli("backup", check=False)
    assert p.returncode == 2 and "--to" in p.stderr
    p = hub.cli("backup", "--to", str(tmp_path / "no" / "such" / "dir.db"), check=False)
    assert p.returncode == 1 and not os.path.exists(tmp_path / "no")
    ok = tmp_path / "fresh.db"
    out = hub.cli("backup", "--to", str(ok)).stdout
    assert "hub.key" in out and str(ok) in out


def schema(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


OLD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data",
                   "hub-schema-9")


def old_hub(tmp_path, name):
    """a copy of a hub that mo-hub 1994c92 made (schema 9: init and one unit)"""
    h = Hub(tmp_path / name)
    shutil.copytree(OLD, h.data)
    os.chmod(h.data, 0o700)
    return h


def test_migrate_brings_an_older_database_up(tmp_path):
    fresh = Hub(tmp_path / "fresh")
    fresh.cli("init")
    current = schema(os.path.join(fresh.data, "hub.db"))
    assert current > 9
    assert fresh.cli("migrate", json=True) == {"from": current, "to": current}
    assert "остання" in fresh.cli("migrate").stdout

    h = old_hub(tmp_path, "old")
    path = os.path.join(h.data, "hub.db")
    assert schema(path) == 9
    out = h.cli("migrate").stdout
    assert "9 → %d" % current in out, out
    assert schema(path) == current
    # what was there is still there, and the hub works on it
    assert [u["code"] for u in h.cli("unit", "list", json=True)] == ["KR-T01"]
    db = sqlite3.connect(path)
    triggers = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    db.close()
    assert "events_attention" not in triggers and "events_resubmitted" in triggers
    assert h.cli("migrate", json=True) == {"from": current, "to": current}


def test_two_hubs_upgrading_one_database_at_once(tmp_path):
    """several hub processes started on one database after an upgrade: each
    migration is applied once, and both processes succeed"""
    h = old_hub(tmp_path, "old")
    path = os.path.join(h.data, "hub.db")
    procs = [subprocess.Popen([MO_HUB, "migrate", "--data", h.data, "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    current = schema(path)
    assert current > 9
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("SELECT count(*) FROM public_lookups").fetchone()[0] == 0
    db.close()


def test_a_newer_database_is_refused(tmp_path):
    h = Hub(tmp_path / "hub")
    h.cli("init")
    path = os.path.join(h.data, "hub.db")
    current = schema(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = %d" % (current + 3))
    db.commit()
    db.close()
    p = h.cli("migrate", check=False)
    assert p.returncode == 1 and "новіша" in p.stderr, p.stderr
    assert schema(path) == current + 3
