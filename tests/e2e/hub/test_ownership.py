"""Ownership at the hub (issue 10 items 3, 4, 6, 10): what a laptop may claim.

A laptop can be malicious: it must not take another laptop's case number,
pose as another device or a staff member, reach another unit's trips or
documents, replay a captured blob request, leave gaps in its change numbers,
or fill the hub's disk.  Each test here failed on the hub before the fix.
"""
import hashlib
import os
import sqlite3
import stat

import wire

OTHER = "KR-C02"


def quarantined(p):
    return [(q["n"], q["code"]) for q in p["quarantined"]]


def q_text(p):
    return " ".join(q.get("message", "") + " " + q.get("reason", "") for q in p["quarantined"])


def show(hub, ref):
    return hub.cli("case", "show", ref, json=True)


def other_unit(hub):
    hub.cli("unit", "add", "--code", OTHER, "--name", "Мобільний кейс №2", "--kind", "case")
    return hub.device(OTHER)


# ---- item 3: case numbers belong to their device ----------------------------

def test_new_case_number_must_start_with_the_senders_code(hub):
    a, b = hub.device(), hub.device()
    assert a.code != b.code
    cid, c = a.new_case()
    c["fields"]["number"] = b.code + "-2026-000002"  # the other laptop's next number
    r, h, p = a.send([c])
    assert r.status == 200 and quarantined(p) == [(c["n"], "bad_value")]
    assert hub.cli("case", "show", cid, check=False).returncode != 0
    # the real owner then creates it, and a decision by number reaches it alone
    bid, bc = b.new_case()
    bc["fields"]["number"] = b.code + "-2026-000002"
    r, h, p = b.send([bc])
    assert p["quarantined"] == []
    assert show(hub, b.code + "-2026-000002")["id"] == bid


def test_case_numbers_are_unique_and_never_change(hub):
    a = hub.device()
    cid, c = a.new_case()
    r, h, p = a.send([c])
    assert p["quarantined"] == []
    number = c["fields"]["number"]
    # a second case under the same number is kept aside
    cid2, c2 = a.new_case()
    c2["fields"]["number"] = number
    r, h, p = a.send([c2])
    assert quarantined(p) == [(c2["n"], "bad_value")]
    assert "already in use" in q_text(p)
    assert show(hub, number)["id"] == cid
    # an edit may not renumber a case
    e = a.change("case", cid, "upsert", {"number": a.code + "-2026-000777"})
    r, h, p = a.send([e])
    assert quarantined(p) == [(e["n"], "bad_value")]
    assert show(hub, cid)["number"] == number


def test_the_hub_sets_device_and_comment_author(hub):
    a = hub.device()
    cid, c = a.new_case()
    c["fields"]["device"] = "KR-T01Z"
    r, h, p = a.send([c])
    assert p["quarantined"] == []
    doc = show(hub, cid)
    assert doc["fields"]["device"] == a.code, doc["fields"].get("device")
    # an edit cannot move the case to another device either
    e = a.change("case", cid, "upsert", {"device": "KR-T01Z", "notes": "примітка"})
    r, h, p = a.send([e])
    assert show(hub, cid)["fields"]["device"] == a.code
    # a laptop's comment is the laptop's, never a staff login it names
    m = a.change("comment", wire.new_id(), "append",
                 {"case": cid, "text": "рішення погоджено", "author": "boss"})
    r, h, p = a.send([m])
    assert p["quarantined"] == []
    doc = show(hub, cid)
    actors = [e["actor"] for e in doc["history"] if e["kind"] == "comment"]
    assert actors == [a.code + " \u00b7 boss"], actors
    assert [x["fields"]["author"] for x in doc["appends"]] == [a.code + " \u00b7 boss"]


def test_refusals_do_not_name_other_units_cases(hub):
    a = hub.device()
    cid, c = a.new_case()
    a.send([c])
    number = c["fields"]["number"]
    x = other_unit(hub)
    e = x.change("case", cid, "upsert", {"notes": "чуже"})
    m = x.change("comment", wire.new_id(), "append", {"case": cid, "text": "?"})
    t = x.change("case", cid, "transition", {"from": "received", "to": "cancelled"})
    r, h, p = x.send([e, m, t])
    assert [q for _, q in quarantined(p)] == ["forbidden"] * 3
    assert number not in q_text(p) and a.code not in q_text(p), q_text(p)
    assert number not in str(hub.cli("quarantine", "list", json=True))


def test_a_case_cannot_name_another_units_trip(hub):
    x = other_unit(hub)
    trip = wire.new_id()
    r, h, p = x.send([x.change("trip", trip, "upsert",
                               {"unit": OTHER, "settlement": "Ворзель", "kind": "village-stop"})])
    assert p["quarantined"] == []
    a = hub.device()
    cid, c = a.new_case()
    c["fields"]["trip"] = trip
    r, h, p = a.send([c])
    assert quarantined(p) == [(c["n"], "forbidden")]


# ---- item 4: documents belong to the unit that uploaded them -----------------

def upload(dev, data):
    sha = hashlib.sha256(data).hexdigest()
    r = dev.blob_put(sha, data, 0, len(data))
    assert r.status == 201, (r.status, r.body[:200])
    return sha


def attachment(dev, cid, sha, size):
    return dev.change("attachment", wire.new_id(), "append",
                      {"case": cid, "sha256": sha, "media_type": "image/jpeg", "size": size,
                       "name": "паспорт.jpg"})


def test_another_units_blob_is_unknown_and_unusable(hub):
    a = hub.device()
    x = other_unit(hub)
    data = os.urandom(50000)
    sha = upload(a, data)
    # the other unit learns nothing: it answers as for a blob nobody has
    r = x.blob_head(sha)
    assert r.status == 200 and r.headers["x-mo-complete"] == "0"
    assert r.headers["x-mo-offset"] == "0"
    # ...and a case of its own cannot name it
    cid, c = x.new_case()
    r, h, p = x.send([c, attachment(x, cid, sha, len(data))])
    assert quarantined(p) == [(c["n"] + 1, "forbidden")]
    # a blob nobody uploaded: not_found
    ghost = hashlib.sha256(b"never sent").hexdigest()
    r, h, p = x.send([attachment(x, cid, ghost, 10)])
    assert [q for _, q in quarantined(p)] == ["not_found"]
    # a PUT that only names the hash gets nothing: the bytes must come
    r = x.blob_put(sha, data[:1000], 0, len(data))
    assert r.status == 200 and r.headers["x-mo-complete"] == "0"
    # with every byte, verified, the unit has it (stored once)
    r = x.blob_put(sha, data[1000:], 1000, len(data))
    assert r.status == 201
    assert x.blob_head(sha).headers["x-mo-complete"] == "1"
    r, h, p = x.send([attachment(x, cid, sha, len(data))])
    assert p["quarantined"] == []
    assert open(os.path.join(hub.data, "blobs", sha), "rb").read() == data
    assert os.listdir(os.path.join(hub.data, "blobs", "partial")) == []
    # a device of the same unit shares what its unit uploaded
    a2 = hub.device()
    assert a2.blob_head(sha).headers["x-mo-complete"] == "1"


def test_quota_for_blobs_no_case_names_yet(hub):
    hub.stop()
    hub.start(args=["--blob-quota", "1"])  # 1 MiB per laptop
    a = hub.device()
    one = os.urandom(600 * 1024)
    sha1 = upload(a, one)
    two = os.urandom(600 * 1024)
    sha2 = hashlib.sha256(two).hexdigest()
    r = a.blob_put(sha2, two[:1000], 0, len(two))
    assert (r.status, r.code) == (507, "over_quota")
    assert not os.listdir(os.path.join(hub.data, "blobs", "partial"))
    # once a case names the first, it no longer counts
    cid, c = a.new_case()
    r, h, p = a.send([c, attachment(a, cid, sha1, len(one))])
    assert p["quarantined"] == []
    assert upload(a, two) == sha2
    # the quota is the laptop's: another laptop is not held back by it
    b = hub.device()
    upload(b, os.urandom(600 * 1024))


def test_unfinished_and_unnamed_blobs_expire(hub):
    hub.stop()
    hub.start(env={"MO_HUB_BLOB_EXPIRY": "1"})
    a = hub.device()
    data = os.urandom(3000)
    sha = hashlib.sha256(data).hexdigest()
    assert a.blob_put(sha, data[:1000], 0, len(data)).status == 200
    kept = os.urandom(2000)
    ksha = upload(a, kept)
    cid, c = a.new_case()
    r, h, p = a.send([c, attachment(a, cid, ksha, len(kept))])
    assert p["quarantined"] == []
    lone = upload(a, os.urandom(2000))
    partial = os.path.join(hub.data, "blobs", "partial", a.id + "." + sha)
    assert os.path.exists(partial)
    import time
    time.sleep(2.2)
    upload(a, os.urandom(100))  # a PUT runs the sweep
    assert not os.path.exists(partial)
    assert not os.path.exists(os.path.join(hub.data, "blobs", lone))
    assert a.blob_head(lone).headers["x-mo-complete"] == "0"
    # what a case names stays
    assert os.path.exists(os.path.join(hub.data, "blobs", ksha))
    assert a.blob_head(ksha).headers["x-mo-complete"] == "1"


# ---- item 6: a captured blob request cannot be replayed ---------------------

def test_blob_request_replay_and_other_hub_refused(hub):
    a = hub.device()
    data = os.urandom(2000)
    sha = hashlib.sha256(data).hexdigest()
    rng = "bytes 0-999/2000"
    h = a.blob_headers("PUT", sha, data[:1000], rng)
    r = wire.request(hub.url, "PUT", "/v1/blobs/" + sha, data[:1000], h)
    assert r.status == 200
    r = wire.request(hub.url, "PUT", "/v1/blobs/" + sha, data[:1000], h)
    assert (r.status, r.code) == (401, "bad_signature")
    # signed for another hub
    h = a.blob_headers("HEAD", sha, hub="0" * 32)
    r = wire.request(hub.url, "HEAD", "/v1/blobs/" + sha, b"", h)
    assert r.status == 401
    # no nonce at all
    h = a.blob_headers("HEAD", sha)
    del h["X-MO-Nonce"]
    r = wire.request(hub.url, "HEAD", "/v1/blobs/" + sha, b"", h)
    assert r.status == 401


# ---- item 10: change numbers, damaged feed rows, files ------------------------

def test_change_numbers_without_gaps_across_batches(hub):
    a = hub.device()
    cid, c = a.new_case()
    r, h, p = a.send([c])
    assert r.status == 200
    a.n += 5  # skip numbers: a gap between batches
    cid2, c2 = a.new_case()
    r, _, _ = a.send([c2])
    assert (r.status, r.code) == (422, "bad_payload")
    # last must be first + count - 1, and an upload carries changes
    a.n -= 6
    cid3, c3 = a.new_case()
    r, _, _ = a.send([c3], header_patch={"last": c3["n"] + 3})
    assert (r.status, r.code) == (400, "bad_envelope")
    r, _, _ = a.send([], header_patch={"first": c3["n"], "last": c3["n"] - 1, "count": 0})
    assert (r.status, r.code) == (400, "bad_envelope")
    # the right next number goes through
    r, h, p = a.send([c3])
    assert r.status == 200 and h["ack"] == 2 and p["quarantined"] == []


def test_a_damaged_feed_row_never_blocks_a_unit(hub):
    a = hub.device()
    cid, c = a.new_case()
    a.send([c])
    hub.cli("case", "decide", cid, "--decision", "in_review", "--by", "admin", check=False)
    hub.cli("case", "comment", cid, "--text", "перше")
    hub.cli("case", "comment", cid, "--text", "друге")
    db = sqlite3.connect(os.path.join(hub.data, "hub.db"))
    rows = db.execute("SELECT seq FROM feed WHERE entity = 'comment' ORDER BY seq").fetchall()
    assert len(rows) >= 2
    db.execute("UPDATE feed SET fields = '{broken' WHERE seq = ?", (rows[0][0],))
    db.commit()
    db.close()
    b = hub.device()
    r, h, p = b.sync(b.pull())
    assert r.status == 200, (r.status, r.body[:200])
    texts = [ch["fields"].get("text") for ch in p["changes"] if ch["entity"] == "comment"]
    assert "друге" in texts and "перше" not in texts
    assert h["cursor"] >= rows[1][0]
    assert "cannot be parsed" in hub.log()


def test_hub_files_are_private(hub):
    for name in ("hub.db", "hub.key"):
        path = os.path.join(hub.data, name)
        if os.path.exists(path):
            assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, name
    for name in ("hub.db-wal", "hub.db-shm"):
        path = os.path.join(hub.data, name)
        if os.path.exists(path):
            assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, name
    assert stat.S_IMODE(os.stat(hub.data).st_mode) & 0o077 == 0
