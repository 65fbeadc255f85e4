"""POST /v1/sync: apply exactly once, replay, fork, gap, chain, quarantine."""
import json

import wire


def case_list(hub, **filters):
    args = ["case", "list"]
    for k, v in filters.items():
        args += ["--" + k, v]
    return hub.cli(*args, json=True)


def test_first_pull_gets_catalogue(hub, device):
    r, h, p = device.sync(device.pull())
    assert r.status == 200, r
    assert h["ack"] == 0 and h["count"] == len(p["changes"]) > 0
    codes = {c["id"] for c in p["changes"] if c["entity"] == "service"}
    assert "CIV-02" in codes and "PKG-BIRTH" in codes
    pkg = next(c for c in p["changes"] if c["id"] == "PKG-BIRTH")
    assert pkg["fields"]["members"] and pkg["op"] == "upsert"
    # a second pull from the new cursor brings nothing again
    r, h2, p2 = device.sync(device.pull())
    assert h2["count"] == 0 and h2["cursor"] == h["cursor"]


def test_upload_applies_and_hub_receives(hub, device):
    cid, ch = device.new_case()
    r, h, p = device.send([ch])
    assert r.status == 200, r
    assert h["ack"] == 1 and p["quarantined"] == []
    cases = case_list(hub)
    assert [c["id"] for c in cases] == [cid]
    assert cases[0]["status"] == "received"
    assert cases[0]["number"] == ch["fields"]["number"]
    # neither its own upsert nor the hub's `received` move is echoed to the
    # sender (the ack says it: every applied case is received) ...
    assert [c for c in p["changes"] if c["id"] == cid] == []
    # ... but another laptop of the same unit gets both
    mate = hub.device()
    r, h, p = mate.sync(mate.pull())
    theirs = [c for c in p["changes"] if c["id"] == cid]
    assert [(c["op"], c["fields"].get("to")) for c in theirs] == [("upsert", None),
                                                                  ("transition", "received")]
    shown = hub.cli("case", "show", ch["fields"]["number"], json=True)
    assert shown["fields"]["applicant"]["surname"] == "Шевченко"
    assert [e["to"] for e in shown["history"] if e["kind"] == "transition"] == ["received"]


def test_draft_stays_draft_until_submitted(hub, device):
    cid, ch = device.new_case(status="draft")
    r, h, p = device.send([ch])
    assert r.status == 200
    assert case_list(hub)[0]["status"] == "draft"
    t = device.change("case", cid, "transition", {"from": "draft", "to": "submitted"})
    r, h, p = device.send([t])
    assert r.status == 200 and p["quarantined"] == []
    assert case_list(hub)[0]["status"] == "received"


def test_replay_identical_bytes_same_ack_nothing_twice(hub, device):
    cid, ch = device.new_case()
    bad = device.change("comment", wire.new_id(), "append",
                        {"case": wire.new_id(), "text": "до неіснуючої справи"})
    env = device.upload([ch, bad])
    r1 = device.post(env)
    r2 = device.post(env)
    assert r1.status == r2.status == 200
    h1, p1 = wire.decode_response(r1.body, device.hub_pub)
    h2, p2 = wire.decode_response(r2.body, device.hub_pub)
    assert h1["ack"] == h2["ack"] == 1
    assert p1["quarantined"] == p2["quarantined"]
    assert [q["n"] for q in p1["quarantined"]] == [bad["n"]]
    assert len(case_list(hub)) == 1
    q = hub.cli("quarantine", "list", json=True)
    assert len(q) == 1, "a replay must not quarantine again"


def test_fork_same_seq_other_bytes_409_and_flagged(hub, device):
    _, a = device.new_case()
    r, h, p = device.send([a])
    assert r.status == 200
    device.seq, device.prev = 0, wire.PREV_NONE  # a laptop restored from a backup
    device.n = 0
    _, b = device.new_case()
    r = device.post(device.upload([b]))
    assert r.status == 409 and r.code == "seq_conflict"
    devs = hub.cli("device", "list", json=True)
    assert devs[0]["flagged"] is True and devs[0]["flag"] == "seq_conflict"
    assert len(case_list(hub)) == 1


def test_gap_409_with_expected(hub, device):
    _, a = device.new_case()
    r = device.post(device.upload([a], seq=3))
    assert r.status == 409 and r.code == "seq_gap"
    assert r.json()["error"]["expected"] == 1
    assert case_list(hub) == []


def test_chain_broken(hub, device):
    _, a = device.new_case()
    assert device.send([a])[0].status == 200
    _, b = device.new_case()
    r = device.post(device.upload([b], prev="ab" * 32))
    assert r.status == 409 and r.code == "chain_broken"
    assert len(case_list(hub)) == 1


def test_one_invalid_change_quarantined_rest_applied(hub, device):
    c1, a = device.new_case()
    _, bad = device.new_case()
    bad["fields"]["applicant"]["rnokpp"] = "1234567890"  # wrong check digit
    c3, b = device.new_case()
    r, h, p = device.send([a, bad, b])
    assert r.status == 200
    assert [(q["n"], q["code"]) for q in p["quarantined"]] == [(bad["n"], "bad_value")]
    assert {c["id"] for c in case_list(hub)} == {c1, c3}
    assert h["ack"] == 1


def test_quarantine_reasons(hub, device):
    other = hub.cli("unit", "add", "--code", "KR-C02", "--name", "Кейс 2", "--kind", "case")
    assert other.returncode == 0
    cid, ok = device.new_case()
    _, foreign = device.new_case()
    foreign["fields"]["unit"] = "KR-C02"
    svc = device.change("service", "CIV-02", "upsert", {"code": "CIV-02", "fee_uah": 1})
    ghost = device.change("case", wire.new_id(), "transition",
                          {"from": "draft", "to": "submitted"})
    illegal = device.change("case", cid, "transition", {"from": "received", "to": "approved"})
    unknown = device.change("spaceship", wire.new_id(), "upsert", {"x": 1})
    r, h, p = device.send([ok, foreign, svc, ghost, illegal, unknown])
    assert r.status == 200, r
    got = {q["n"]: q["code"] for q in p["quarantined"]}
    assert got == {foreign["n"]: "forbidden", svc["n"]: "forbidden",
                   ghost["n"]: "not_found", illegal["n"]: "illegal_transition",
                   unknown["n"]: "unknown_entity"}
    shown = hub.cli("case", "show", cid, json=True)
    assert shown["status"] == "received"
    assert [q["code"] for q in shown["quarantined"]] == ["illegal_transition"]


def test_lww_field_merge_between_two_laptops(hub):
    a = hub.device()
    b = hub.device()
    assert (a.code, b.code) == ("KR-T01A", "KR-T01B")
    cid, ch = a.new_case()
    t0 = wire.hlc_ms(ch["hlc"])
    assert a.send([ch])[0].status == 200
    # b corrects the surname later, a adds a phone with an older clock
    fix = b.change("case", cid, "upsert", {"applicant": {"surname": "Шевчук"}},
                   hlc_=wire.hlc(t0 + 5000))
    old = a.change("case", cid, "upsert",
                   {"applicant": {"surname": "Стара", "phone": "0671234567"}},
                   hlc_=wire.hlc(t0 + 1000))
    r, h, pb = b.send([fix])
    assert r.status == 200
    seen_by_b = list(pb["changes"])
    r, h, p = a.send([old])
    assert r.status == 200 and p["quarantined"] == []
    f = hub.cli("case", "show", cid, json=True)["fields"]["applicant"]
    assert f["surname"] == "Шевчук"          # newer HLC wins
    assert f["phone"] == "+380671234567"     # another key of the object survives
    assert f["given_name"] == "Тарас"
    # b learns a's case and the phone, not its own correction
    r, h, p = b.sync(b.pull())
    seen_by_b += p["changes"]
    ups = [c for c in seen_by_b if c["id"] == cid and c["op"] == "upsert"]
    assert len(ups) == 2 and "surname" not in ups[1]["fields"]["applicant"]


def test_big_batch_applies_in_one_go(hub, device):
    import time
    changes = [device.new_case()[1] for _ in range(1000)]
    t = time.time()
    r, h, p = device.send(changes)
    took = time.time() - t
    assert r.status == 200 and h["ack"] == 1 and p["quarantined"] == []
    assert len(case_list(hub, status="received")) == 1000
    print('1000-change batch round trip: %.2f s' % took)  # speed: bench/, not asserted
    m = hub.get("/metrics").body.decode()
    assert "mo_batches_applied_total 1" in m


def test_concurrent_devices_and_racing_retries(hub):
    from concurrent.futures import ThreadPoolExecutor
    devices = [hub.device() for _ in range(4)]

    def work(d):
        acks = []
        for _ in range(5):
            r, h, p = d.send([d.new_case()[1], d.new_case()[1]])
            assert r.status == 200, r
            acks.append(h["ack"])
        return acks

    with ThreadPoolExecutor(4) as ex:
        assert list(ex.map(work, devices)) == [[1, 2, 3, 4, 5]] * 4
    assert len(case_list(hub)) == 40
    # the same batch sent four times at once applies once, every copy acked
    d = devices[0]
    env = d.upload([d.new_case()[1]])
    with ThreadPoolExecutor(4) as ex:
        replies = list(ex.map(lambda _: d.post(env), range(4)))
    assert [r.status for r in replies] == [200] * 4
    assert {wire.decode_response(r.body, d.hub_pub)[0]["ack"] for r in replies} == {6}
    assert len(case_list(hub)) == 41


def test_a_pull_that_changes_nothing_writes_nothing(hub, device):
    """a laptop asking "anything new?" costs the hub no write and no fsync;
    an upload is one transaction with its answer (issue 12, item 4)"""
    import os
    import sqlite3
    db = sqlite3.connect(os.path.join(hub.data, "hub.db"))
    version = lambda: db.execute("PRAGMA data_version").fetchone()[0]
    seen = lambda: db.execute("SELECT last_seen_at, cursor FROM devices WHERE id = ?",
                              (device.id,)).fetchone()
    r, h, p = device.sync(device.pull())  # the first visit is recorded
    r, h, p = device.sync(device.pull())  # and the cursor it was given
    assert r.status == 200 and seen() == (seen()[0], device.cursor) and seen()[0]
    v0, s0 = version(), seen()
    for _ in range(3):
        r, h2, p = device.sync(device.pull())
        assert r.status == 200 and h2["hlc"] >= h["hlc"]
    assert version() == v0, "a pull that changed nothing wrote to the database"
    assert seen() == s0
    # news for the unit: the pull that moves the cursor is recorded
    cid, c = device.new_case()
    device.send([c])
    hub.cli("case", "comment", cid, "--text", "нове")
    v1 = version()
    r, h, p = device.sync(device.pull())
    assert [ch["fields"]["text"] for ch in p["changes"] if ch["entity"] == "comment"] == ["нове"]
    r, h, p = device.sync(device.pull())  # reports the new cursor
    assert version() != v1 and seen()[1] == device.cursor
    db.close()


def test_group_commit_one_transaction_each_answer_as_alone(hub):
    """batches of several laptops waiting for the writer are applied in one
    transaction; each answer is what it would be applied alone, one after the
    other; a batch that fails inside the group takes no other with it"""
    import os
    import sqlite3
    import threading
    import time
    devices = [hub.device() for _ in range(6)]
    for d in devices:  # the catalogue first, so the answers below carry only cases
        d.sync(d.pull())
        d.sync(d.pull())
    metric = lambda name: int(next(l.split()[1] for l in hub.get("/metrics").body.decode()
                                   .splitlines() if l.startswith(name + " ")))
    commits0, applied0 = metric("mo_apply_commits_total"), metric("mo_batches_applied_total")
    envs = []
    for d in devices:
        cid, c = d.new_case()
        envs.append((cid, d.upload([c])))
    # an admin's transaction holds the write lock: the first batch waits in
    # BEGIN, the others queue behind it; the last laptop is revoked meanwhile
    admin = sqlite3.connect(os.path.join(hub.data, "hub.db"), timeout=10)
    admin.isolation_level = None
    admin.execute("BEGIN IMMEDIATE")
    replies = [None] * len(devices)

    def send(i):
        replies[i] = devices[i].post(envs[i][1])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(devices))]
    threads[0].start()
    time.sleep(0.5)
    for t in threads[1:]:
        t.start()
    time.sleep(1.5)
    admin.execute("UPDATE devices SET status = 'revoked' WHERE id = ?", (devices[-1].id,))
    admin.execute("COMMIT")
    for t in threads:
        t.join(30)
    admin.close()
    assert (replies[-1].status, replies[-1].code) == (403, "device_revoked")
    seen = {}
    for i, (d, r) in enumerate(zip(devices[:-1], replies[:-1])):
        assert r.status == 200, r
        h, p = wire.decode_response(r.body, d.hub_pub)
        assert h["ack"] == 1 and p["quarantined"] == []
        seen[i] = {ch["id"] for ch in p["changes"] if ch["entity"] == "case"}
    assert metric("mo_batches_applied_total") - applied0 == 5
    # the first alone; the others queued behind it, grouped (as many as the
    # request threads they landed on allow: usually one group of four)
    assert 2 <= metric("mo_apply_commits_total") - commits0 < 5
    # as if applied one after the other: of two laptops, exactly one saw the other's case
    ids = {i: envs[i][0] for i in seen}
    for i in seen:
        for k in seen:
            if i < k:
                assert (ids[k] in seen[i]) != (ids[i] in seen[k]), (i, k, seen)
    assert envs[-1][0] not in set().union(*seen.values())
    assert len(case_list(hub)) == 5
