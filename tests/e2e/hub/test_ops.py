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


def test_migrate_brings_an_older_database_up(tmp_path):
    h = Hub(tmp_path / "hub")
    h.cli("init")
    path = os.path.join(h.data, "hub.db")
    current = schema(path)
    assert current >= 9
    assert h.cli("migrate", json=True) == {"from": current, "to": current}
    assert "остання" in h.cli("migrate").stdout

    # an hub.db as the release before the last migration (019_catalogue.sql)
    # left it: services without their version, no kept catalogue versions
    db = sqlite3.connect(path)
    last = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    db.execute("DROP TABLE catalogue_versions")
    db.execute("ALTER TABLE services DROP COLUMN version")
    db.execute("PRAGMA user_version = %d" % (current - 1))
    db.commit()
    db.close()
    assert "catalogue_versions" in last

    # two processes upgrading at once (several hubs on one database): both
    # succeed and the migration is applied once
    procs = [subprocess.Popen([MO_HUB, "migrate", "--data", h.data, "--json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert schema(path) == current
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM catalogue_versions").fetchone()[0] == 0
    assert db.execute("SELECT min(version), max(version) FROM services").fetchone() == (1, 1)
    db.close()
    assert h.cli("migrate", json=True) == {"from": current, "to": current}


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
