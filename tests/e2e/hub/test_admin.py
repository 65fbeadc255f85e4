"""The admin CLI and the plain HTTP endpoints."""
import json
import os
import re
import sqlite3
import subprocess

from conftest import MO_HUB, Hub


def test_data_dir_required(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MO_HUB_DATA"}
    p = subprocess.run([MO_HUB, "unit", "list"], capture_output=True, text=True, env=env,
                       cwd=tmp_path)
    assert p.returncode != 0 and "--data" in p.stderr
    assert not os.path.exists(tmp_path / "hub-data")
    env["MO_HUB_DATA"] = str(tmp_path / "h")
    assert subprocess.run([MO_HUB, "init"], env=env).returncode == 0
    assert os.path.exists(tmp_path / "h" / "hub.key")


def test_init_refuses_existing_and_admin_user(tmp_path):
    pw = tmp_path / "pw"
    pw.write_text("correct horse battery\n")
    h = Hub(tmp_path / "hub")
    h.cli("init", "--admin-password-file", str(pw))
    assert oct(os.stat(os.path.join(h.data, "hub.key")).st_mode & 0o777) == "0o600"
    p = h.cli("init", check=False)
    assert p.returncode != 0 and "exists" in p.stderr
    pw2 = tmp_path / "pw2"
    pw2.write_text("another secret")
    h.cli("user", "add", "--login", "olena", "--role", "reviewer", "--password-file", str(pw2))
    assert h.cli("user", "add", "--login", "x", "--role", "boss", "--password-file", str(pw2),
                 check=False).returncode != 0
    db = sqlite3.connect(os.path.join(h.data, "hub.db"))
    rows = dict(db.execute("SELECT login, password_hash FROM users"))
    db.close()
    assert set(rows) == {"admin", "olena"}
    assert re.fullmatch(r"scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+",
                        rows["olena"])
    assert rows["admin"] != rows["olena"] and "secret" not in rows["olena"]


def test_tokens_units_devices(hub):
    tok = hub.token()
    assert re.fullmatch(r"[0-9a-f]{40}", tok)
    p = hub.cli("enroll-token", "--unit", "NOPE", check=False)
    assert p.returncode != 0 and p.stdout == ""
    units = hub.cli("unit", "list", json=True)
    assert units == [{"code": "KR-T01", "name": "Мобільний офіс №1", "kind": "truck",
                      "created_at": units[0]["created_at"], "devices": 0}]
    assert hub.cli("unit", "add", "--code", "KR-T01", "--name", "x", "--kind", "bus",
                   check=False).returncode != 0
    assert hub.cli("unit", "add", "--code", "X1", "--name", "x", "--kind", "boat",
                   check=False).returncode != 0
    a, b = hub.device(), hub.device()
    devs = hub.cli("device", "list", json=True)
    assert [d["code"] for d in devs] == ["KR-T01A", "KR-T01B"]
    assert {d["id"] for d in devs} == {a.id, b.id}
    assert all(d["flagged"] is False for d in devs)
    # the database holds only the hash of a token
    db = sqlite3.connect(os.path.join(hub.data, "hub.db"))
    hashes = [r[0] for r in db.execute("SELECT hash FROM enroll_tokens")]
    db.close()
    assert tok not in hashes and len(hashes) == 3


def test_health_and_metrics(hub, device):
    r = hub.get("/v1/health")
    assert r.status == 200
    j = r.json()
    assert j["status"] == "ok" and j["hub"] == device.hub and j["devices_active"] == 1
    _, c = device.new_case()
    _, bad = device.new_case()
    bad["fields"]["fee_uah"] = -5
    r, h, p = device.send([c, bad])
    assert r.status == 200 and len(p["quarantined"]) == 1
    device.post(device.upload([c], seq=9))
    m = hub.get("/metrics")
    assert m.status == 200 and m.headers["content-type"].startswith("text/plain")
    text = m.body.decode()
    for line in ["mo_batches_applied_total 1", 'mo_batches_rejected_total{code="seq_gap"} 1',
                 "mo_changes_quarantined_total 1", "mo_devices_active 1",
                 'mo_apply_seconds_bucket{le="+Inf"} 1', "mo_apply_seconds_count 1"]:
        assert line in text.splitlines(), line
    bytes_in = int(re.search(r"^mo_bytes_in_total (\d+)$", text, re.M).group(1))
    bytes_out = int(re.search(r"^mo_bytes_out_total (\d+)$", text, re.M).group(1))
    assert bytes_in > 1000 and bytes_out > 100
    assert hub.get("/nope").status == 404
    assert hub.get("/v1/sync").status == 405


def test_restart_keeps_state(hub, device):
    cid, c = device.new_case()
    assert device.send([c])[0].status == 200
    assert hub.stop() == 0
    hub.start()
    device.url = hub.url
    _, c2 = device.new_case()
    r, h, p = device.send([c2])
    assert r.status == 200 and h["ack"] == 2
    assert len(hub.cli("case", "list", json=True)) == 2
