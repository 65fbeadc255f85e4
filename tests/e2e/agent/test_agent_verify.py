"""mo-agent checks every hub answer: a fake hub (tests/e2e/wire.py) forges
bad signatures and a cursor that goes backwards; the agent refuses them,
keeps its changes pending, and resends the identical frozen batch."""
import base64
import hashlib
import http.server
import json
import os
import sqlite3
import sys
import threading

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import wire  # noqa: E402
from agentlib import Agent  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402


class FakeHub:
    def __init__(self):
        self.key = Ed25519PrivateKey.generate()
        self.pub = wire.raw_public(self.key)
        self.id = wire.key_id(self.pub)
        self.mode = "good"
        self.cursor = 5
        self.quarantined = []
        self.changes = []
        self.seen = []  # request envelopes, in order
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path == "/v1/enroll":
                    req = json.loads(body)
                    dev = wire.key_id(base64.b64decode(req["public_key"]))
                    fake.device = dev
                    out = json.dumps({"hub": fake.id,
                                      "hub_public_key": base64.b64encode(fake.pub).decode(),
                                      "device": dev, "device_code": "KR-T01A",
                                      "unit": "KR-T01", "unit_name": "Фейк",
                                      "unit_kind": "truck"}).encode()
                    return self.reply(200, out, "application/json")
                fake.seen.append(body)
                if fake.mode == "skew":
                    err = {"error": {"code": "clock_skew", "message": "hlc ahead"}}
                    return self.reply(400, json.dumps(err).encode(), "application/json")
                if fake.mode == "down":
                    return self.reply(503, b"maintenance", "text/plain")
                return self.reply(200, fake.answer(body), wire.CONTENT_TYPE)

            def reply(self, status, body, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, env):
        kind, hdr, _, _, _ = wire.parse(env)
        payload = json.dumps({"quarantined": self.quarantined, "changes": self.changes},
                             ensure_ascii=False).encode()
        if self.mode == "notobject":
            payload = b"[1]"  # signed and digested, but not a response payload
        cursor = self.cursor - 3 if self.mode == "backwards" else self.cursor
        header = {"hub": self.id, "device": hdr["device"],
                  "ack": hdr.get("seq", 0), "cursor": cursor, "count": len(self.changes),
                  "raw": len(payload), "sha256": hashlib.sha256(payload).hexdigest(),
                  "hlc": hdr["hlc"], "time": "2026-01-12T08:00:00Z", "more": False}
        key = Ed25519PrivateKey.generate() if self.mode == "badsig" else self.key
        return wire.seal(wire.KIND_RESPONSE, header, wire.deflate(payload), key)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    f = FakeHub()
    yield f
    f.close()


def test_forged_and_stale_answers_are_refused(fake, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.run("enroll", "--hub", fake.url, "--token", "t", "--operator", "Олена Коваль")
    assert a.status()["cursor"] == 5  # the first pull was accepted
    number, cid, _ = a.new_case(1)

    fake.mode = "badsig"
    p = a.sync(check=False)
    assert p.returncode == 4 and "failed verification" in p.stderr, p.stderr
    assert a.status()["pending_changes"] == 1
    first_upload = fake.seen[-1]

    fake.mode = "backwards"
    p = a.sync(check=False)
    assert p.returncode == 4, p.stderr
    st = a.status()
    assert st["pending_changes"] == 1 and st["cursor"] == 5
    assert fake.seen[-1] == first_upload  # the frozen batch, byte for byte

    fake.mode = "good"
    fake.cursor = 9
    fake.quarantined = [{"n": 1, "code": "bad_value", "message": "applicant.phone: bad"}]
    a.sync()
    st = a.status()
    assert st["pending_changes"] == 0 and st["cursor"] == 9
    assert [(q["n"], q["code"], q["number"]) for q in st["quarantined"]] == \
        [(1, "bad_value", number)]
    assert fake.seen[-1] == first_upload
    kind, hdr, stream, _, _ = wire.parse(first_upload)
    assert kind == wire.KIND_UPLOAD and hdr["seq"] == 1 and hdr["prev"] == wire.PREV_NONE
    changes = json.loads(wire.inflate(stream))
    assert [c["n"] for c in changes] == [1] and changes[0]["id"] == cid
    assert list(changes[0]) == ["n", "entity", "id", "op", "hlc", "fields"]
    # the next batch chains to the first
    a.new_case(2)
    a.sync()
    kind, hdr, _, _, _ = wire.parse(fake.seen[-1])
    assert hdr["seq"] == 2 and hdr["prev"] == wire.envelope_hash(first_upload)
    assert hdr["first"] == 2 and hdr["last"] == 2
    text = a.run("status").stdout
    assert "bad_value" in text


def test_clock_skew_and_gateway_errors(fake, tmp_path):
    a = Agent(tmp_path / "laptop")
    a.run("enroll", "--hub", fake.url, "--token", "t", "--operator", "Олена Коваль")
    a.new_case(1)
    fake.mode = "skew"
    p = a.sync(check=False)
    assert p.returncode == 4 and "clock" in p.stderr, p.stderr
    p = Agent(a.data, lang="uk").sync(check=False)
    assert p.returncode == 4 and "Годинник" in p.stderr
    fake.mode = "down"
    p = a.sync(check=False)
    assert p.returncode == 3, p.stderr
    assert a.status()["pending_changes"] == 1
    fake.mode = "good"
    a.sync()
    assert a.status()["pending_changes"] == 0


def test_malformed_answer_keeps_its_reason(fake, tmp_path):
    """A signed answer whose payload is not an object fails in the decoder
    (bad_payload, not MO_EAUTH); the agent turns it into a refusal and the
    decoder's reason reaches the operator intact (agent/sync.c copied
    err->msg onto itself there: an overlapping snprintf)."""
    a = Agent(tmp_path / "laptop")
    a.run("enroll", "--hub", fake.url, "--token", "t", "--operator", "Олена Коваль")
    a.new_case(1)
    fake.mode = "notobject"
    p = a.sync(check=False)
    assert p.returncode == 4, p.stderr
    assert "failed verification (response payload is not an object)" in p.stderr, p.stderr
    assert a.status()["pending_changes"] == 1
    fake.mode = "good"
    a.sync()
    assert a.status()["pending_changes"] == 0


def test_unreadable_cursor_stops_the_sync(fake, tmp_path):
    """A cursor the store cannot read is not 0 (issue 10 item 10): with 0 the
    upload went out claiming cursor 0 and the stale-cursor check was skipped.
    The sync stops with a storage error and sends nothing."""
    a = Agent(tmp_path / "laptop")
    a.run("enroll", "--hub", fake.url, "--token", "t", "--operator", "Олена Коваль")
    a.new_case(1)
    db = sqlite3.connect(os.path.join(a.data, "agent.db"))
    with db:
        db.execute("UPDATE meta SET value = 'x5' WHERE key = 'cursor'")
    sent = len(fake.seen)
    p = a.sync(check=False)
    assert p.returncode == 5, p.stderr
    assert "cursor" in p.stderr, p.stderr
    assert len(fake.seen) == sent  # no batch, no pull
    with db:
        db.execute("UPDATE meta SET value = '5' WHERE key = 'cursor'")
    db.close()
    a.sync()
    assert a.status()["pending_changes"] == 0
