"""mo-agent under faults: SIGKILL mid-sync, hub down, revoked laptop."""
import hashlib
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent, jsonl_line, write_jsonl  # noqa: E402

N_KILL = 1000
KILLS = 20


def test_sigkill_during_sync(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    src = write_jsonl(tmp_path / "day.jsonl", (jsonl_line(i) for i in range(N_KILL)))
    res = a.run("case", "import", src, json=True)
    assert res["added"] == N_KILL and res["bad"] == 0
    # three 3 MiB scans: uploaded in 1 MiB chunks, so kills land mid-file too
    shas = []
    for k in range(3):
        scan = tmp_path / ("scan%d.tif" % k)
        data = random.Random(k).randbytes(3 << 20)
        scan.write_bytes(data)
        shas.append(hashlib.sha256(data).hexdigest())
        a.run("case", "attach", jsonl_line(k)["id"], str(scan), "--type", "passport")

    # small batches so a kill can land between any two round trips
    rng = random.Random(20260112)
    argv = a.argv("--batch-changes", "10", "sync")
    killed = 0
    for _ in range(KILLS):
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.12))
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            killed += 1
        p.wait(timeout=60)
        if a.status()["pending_changes"] == 0:
            break
    print("killed %d times" % killed)
    assert killed >= KILLS // 2
    t0 = time.time()
    a.run("--batch-changes", "10", "sync")
    st = a.status()
    assert st["pending_changes"] == 0, st
    assert st["quarantined"] == [], st["quarantined"]
    listed = hub.cli("case", "list", json=True)
    assert len(listed) == N_KILL
    assert len({c["id"] for c in listed}) == N_KILL
    assert len({c["number"] for c in listed}) == N_KILL
    assert time.time() - t0 < 120
    # nothing pending, nothing twice: another sync sends nothing
    assert a.run("sync", json=True)["changes"] == 0
    assert len(hub.cli("case", "list", json=True)) == N_KILL
    held = {f for _, _, files in os.walk(hub.data) for f in files}
    assert set(shas) <= held, "a blob is missing at the hub"
    assert st["pending_blobs"] == 0


def test_hub_down_then_back(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.enroll(hub)
    number, cid, _ = a.new_case(3)
    hub.stop()
    t0 = time.time()
    p = a.sync(check=False)
    assert p.returncode == 3, (p.returncode, p.stderr)
    assert time.time() - t0 < 20, "a dead link must fail in seconds"
    assert "Cannot reach the hub" in p.stderr
    uk = Agent(a.data, lang="uk").sync(check=False)
    assert uk.returncode == 3 and "Немає зв'язку" in uk.stderr
    st = a.status()
    assert st["pending_changes"] == 1  # nothing lost
    assert a.show(number)["id"] == cid
    hub.start()
    a.sync(hub=hub)
    assert a.status()["pending_changes"] == 0
    assert [c["number"] for c in hub.cli("case", "list", json=True)] == [number]


def test_revoked_laptop(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    me = a.enroll(hub)
    number, _, _ = a.new_case(4)
    hub.cli("device", "revoke", me["device_code"])
    p = a.sync(check=False)
    assert p.returncode == 4, (p.returncode, p.stderr)
    assert "revoked" in p.stderr
    st = a.status()
    assert st["revoked"] is True
    assert st["pending_changes"] == 1  # kept, never thrown away
    assert a.run("sync", check=False).returncode == 4


def test_not_enrolled(tmp_path):
    a = Agent(tmp_path / "laptop")
    p = a.run("case", "list", check=False)
    assert p.returncode == 2
    assert "not enrolled" in p.stderr


def test_bad_token_then_enrol(hub, tmp_path):
    a = Agent(tmp_path / "laptop")
    p = a.run("enroll", "--hub", hub.url, "--token", "0" * 40, "--operator", "Олена Коваль",
              check=False)
    assert p.returncode == 4 and "token was refused" in p.stderr, p.stderr
    assert a.run("status", check=False).returncode == 2
    me = a.enroll(hub)  # the key made by the first attempt is reused
    assert me["device_code"] == "KR-T01A"
    assert oct(os.stat(os.path.join(a.data, "device.key")).st_mode & 0o777) == "0o600"
    assert oct(os.stat(os.path.join(a.data, "agent.db")).st_mode & 0o077) == "0o0"
    p = a.run("enroll", "--hub", hub.url, "--token", hub.token(), "--operator", "X Y",
              check=False)
    assert p.returncode == 1 and "already enrolled" in p.stderr
