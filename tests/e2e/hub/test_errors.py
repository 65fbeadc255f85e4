"""Refusals of DESIGN.md §4: every error code with its HTTP status, and
that a refused request changes nothing."""
import hashlib
import json
import time
import zlib

import wire

TABLE = {
    "bad_token": 401, "unknown_device": 401, "bad_envelope": 400, "device_revoked": 403,
    "wrong_hub": 403, "seq_gap": 409, "too_large": 413, "seq_conflict": 409,
    "bad_compression": 400, "chain_broken": 409, "digest_mismatch": 422,
    "bad_payload": 422, "bad_signature": 401, "clock_skew": 400,
    # rate_limited (429) belongs to the review UI issue
}


def cases(hub):
    return hub.cli("case", "list", json=True)


def test_every_error_code_is_produced(hub):
    produced = {}

    def seen(r, code):
        assert r.status == TABLE[code] and r.code == code, (code, r)
        produced[code] = r.status

    # enrolment
    seen(wire.Device(hub.url).enroll("00" * 20), "bad_token")
    d = hub.device()
    _, c1 = d.new_case()
    # envelope framing and header
    env = d.upload([c1])
    seen(d.post(b"MOB2" + env[4:]), "bad_envelope")
    seen(d.post(wire.seal(wire.KIND_RESPONSE, {"hub": d.hub}, b"", d.key)), "bad_envelope")
    stranger = wire.Device(hub.url)
    stranger.hub = d.hub
    seen(stranger.post(stranger.pull()), "unknown_device")
    tampered = bytearray(env)
    tampered[-70] ^= 1  # a payload byte: the signature no longer holds
    seen(d.post(bytes(tampered)), "bad_signature")
    seen(d.post(d.upload([c1], hub="ab" * 16)), "wrong_hub")
    seen(d.post(d.upload([c1], hlc_=wire.hlc(wire.now_ms() + 25 * 3600 * 1000))),
         "clock_skew")
    seen(d.post(d.upload([c1], seq=2)), "seq_gap")
    # payload checks, all after the signature
    raw = json.dumps([c1]).encode()
    seen(d.post(d.upload([c1], stream=b"\x78\x9cnot zlib at all")), "bad_compression")
    seen(d.post(d.upload([c1], header_patch={"sha256": "00" * 32})), "digest_mismatch")
    seen(d.post(d.upload([c1], header_patch={"raw": (64 << 20) + 1})), "too_large")
    seen(d.post(d.upload([c1], raw_json=b'{"not": "an array"}')), "bad_payload")
    assert cases(hub) == []
    # the body cap itself
    r = wire.request_headers_only(hub.url, "POST", "/v1/sync", 9 << 20,
                                  {"Content-Type": wire.CONTENT_TYPE})
    assert (r.status, r.code) == (413, "too_large")
    # chain
    r, h, p = d.send([c1])
    assert r.status == 200
    _, c2 = d.new_case()
    seen(d.post(d.upload([c2], prev="cd" * 32)), "chain_broken")
    seen(d.post(d.upload([c2], seq=1, prev=wire.PREV_NONE)), "seq_conflict")
    hub.cli("device", "revoke", d.code)
    seen(d.post(d.upload([c2])), "device_revoked")
    assert len(cases(hub)) == 1
    assert set(produced) == set(TABLE), set(TABLE) - set(produced)
    m = hub.get("/metrics").body.decode()
    assert 'mo_batches_rejected_total{code="bad_signature"} 1' in m


def test_tampered_signature_applies_nothing(hub, device):
    _, c = device.new_case()
    env = bytearray(device.upload([c]))
    env[-1] ^= 0x40  # the signature itself
    r = device.post(bytes(env))
    assert (r.status, r.code) == (401, "bad_signature")
    assert cases(hub) == []
    # the untouched envelope is still seq 1: nothing moved the chain
    r, h, p = device.sync(device.upload([c]))
    assert r.status == 200 and h["ack"] == 1


def test_revoked_device_upload_and_pull_403(hub, device):
    assert device.sync(device.pull())[0].status == 200
    out = hub.cli("device", "revoke", device.id)
    assert device.code in out.stdout
    _, c = device.new_case()
    for env in (device.upload([c]), device.pull()):
        r = device.post(env)
        assert (r.status, r.code) == (403, "device_revoked")
    devs = hub.cli("device", "list", json=True)
    assert devs[0]["status"] == "revoked"
    assert hub.get("/metrics").body.decode().count("mo_devices_active 0") == 1


def test_enrol_bad_used_expired_token(hub):
    tok = hub.token()
    a = wire.Device(hub.url)
    assert a.enroll(tok).status == 200
    again = wire.Device(hub.url).enroll(tok)
    assert (again.status, again.code) == (401, "bad_token")
    short = hub.token(ttl="1s")
    time.sleep(1.3)
    late = wire.Device(hub.url).enroll(short)
    assert (late.status, late.code) == (401, "bad_token")
    assert [d["code"] for d in hub.cli("device", "list", json=True)] == ["KR-T01A"]
    # the same key twice is refused and does not burn the token
    tok2 = hub.token()
    dup = a.enroll(tok2)
    assert dup.status == 409
    b = wire.Device(hub.url)
    r = b.enroll(tok2)
    assert r.status == 200 and r.json()["device_code"] == "KR-T01B"
    j = r.json()
    assert j["unit"] == "KR-T01" and j["unit_kind"] == "truck"
    assert j["unit_name"] == "Мобільний офіс №1"


def test_clock_25h_ahead_refused_behind_is_fine(hub, device):
    _, c = device.new_case()
    ahead = wire.now_ms() + 25 * 3600 * 1000
    r = device.post(device.upload([c], hlc_=wire.hlc(ahead)))
    assert (r.status, r.code) == (400, "clock_skew")
    r = device.post(device.pull(hlc_=wire.hlc(ahead)))
    assert (r.status, r.code) == (400, "clock_skew")
    behind = wire.now_ms() - 30 * 24 * 3600 * 1000
    r, h, p = device.send([c], hlc_=wire.hlc(behind))
    assert r.status == 200 and h["ack"] == 1


def test_kind_2_sent_is_bad_envelope(hub, device):
    hdr = {"hub": device.hub, "device": device.id, "ack": 0, "cursor": 0, "count": 0,
           "raw": 2, "sha256": hashlib.sha256(b"{}").hexdigest(), "hlc": wire.hlc(),
           "time": "2026-01-01T00:00:00Z", "more": False}
    r = device.post(wire.seal(wire.KIND_RESPONSE, hdr, zlib.compress(b"{}"), device.key))
    assert (r.status, r.code) == (400, "bad_envelope")


def test_bomb_payload_refused_memory_bounded(hub, device):
    before = hub.rss_kib()
    bomb = zlib.compress(b"\0" * (512 << 20), 9)  # ~0.5 MiB inflating to 512 MiB
    claims = 40 << 20                            # within 100 x payload and 64 MiB
    one = {"first": 1, "last": 1, "count": 1}  # an upload carries 1 or more changes
    r = device.post(device.upload([], stream=bomb, header_patch=dict(one, raw=claims)))
    assert (r.status, r.code) == (422, "digest_mismatch")
    r = device.post(device.upload([], stream=bomb, header_patch=dict(one, raw=512 << 20)))
    assert (r.status, r.code) == (413, "too_large")
    after = hub.rss_kib()
    assert after - before < 200 * 1024, (before, after)
    assert hub.get("/v1/health").status == 200
