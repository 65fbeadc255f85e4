"""wire.py — an independent Python implementation of the mobile-office sync
protocol v1 (DESIGN.md §4), written from the text of the contract only:
envelope framing, Ed25519 signatures, zlib with preset dictionaries, the
blob request signature, enrolment.  End-to-end tests use it to talk to the
real mo-hub, so it doubles as a check that the C code follows the written
contract.  Standard library + `cryptography` only.
"""
import base64
import glob
import hashlib
import http.client
import json
import os
import struct
import time
import urllib.parse
import uuid
import zlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey, Ed25519PublicKey)

MAGIC = b"MOB1"
VERSION = 1
DOMAIN = b"mobile-office/v1\x00"
KIND_UPLOAD, KIND_RESPONSE, KIND_PULL = 1, 2, 3
PREV_NONE = "0" * 64
SCHEMA = 1
CONTENT_TYPE = "application/vnd.mobile-office.batch"


# ---- identity -------------------------------------------------------------

def raw_public(key):
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)


def key_id(pub):
    """device / hub id: hex of the first 16 bytes of SHA-256 of the raw key"""
    return hashlib.sha256(pub).digest()[:16].hex()


def now_ms():
    return int(time.time() * 1000)


def hlc(ms=None, counter=0):
    ms = now_ms() if ms is None else ms
    return "%016x" % ((ms << 16) | counter)


def hlc_ms(h):
    return int(h, 16) >> 16


# ---- zlib with preset dictionaries ----------------------------------------

def _source_root():
    return os.environ.get("MO_SOURCE_ROOT") or os.path.abspath(
        os.path.join(os.path.dirname(__file__), "..", ".."))


def dictionaries():
    """{DICTID (Adler-32): bytes} of the shipped proto/dict/*.bin"""
    out = {}
    for path in sorted(glob.glob(os.path.join(_source_root(), "proto", "dict", "*.bin"))):
        data = open(path, "rb").read()
        out[zlib.adler32(data) & 0xffffffff] = data
    return out


def deflate(data, zdict=None, level=6):
    if zdict is None:
        c = zlib.compressobj(level)
    else:
        c = zlib.compressobj(level, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, zdict)
    return c.compress(data) + c.flush()


def inflate(stream, limit=64 << 20):
    """RFC 1950 with FDICT resolved from the shipped dictionaries"""
    if len(stream) < 2:
        raise ValueError("short zlib stream")
    zdict = None
    if stream[1] & 0x20:
        dict_id = struct.unpack(">I", stream[2:6])[0]
        zdict = dictionaries().get(dict_id)
        if zdict is None:
            raise ValueError("unknown DICTID %08x" % dict_id)
    d = zlib.decompressobj(zdict=zdict) if zdict is not None else zlib.decompressobj()
    out = d.decompress(stream, limit + 1)
    if len(out) > limit:
        raise ValueError("inflates past the limit")
    if not d.eof or d.unused_data:
        raise ValueError("truncated or trailing bytes")
    return out


# ---- envelope -------------------------------------------------------------

def frame(kind, header, payload_stream, version=VERSION, magic=MAGIC):
    """the signed part: bytes [0, 12+H+P)"""
    h = header if isinstance(header, bytes) else json.dumps(
        header, separators=(",", ":"), ensure_ascii=False).encode()
    return (magic + bytes([version, kind]) + struct.pack(">H", len(h)) + h +
            struct.pack(">I", len(payload_stream)) + payload_stream)


def sign(key, body):
    return key.sign(DOMAIN + body)


def seal(kind, header, payload_stream, key):
    body = frame(kind, header, payload_stream)
    return body + sign(key, body)


def envelope_hash(env):
    return hashlib.sha256(env).hexdigest()


def parse(env):
    """(kind, header dict, payload stream, signed bytes, signature)"""
    if len(env) < 12 + 64 or env[:4] != MAGIC or env[4] != VERSION:
        raise ValueError("not an envelope")
    kind = env[5]
    hlen = struct.unpack(">H", env[6:8])[0]
    header = json.loads(env[8:8 + hlen].decode())
    plen = struct.unpack(">I", env[8 + hlen:12 + hlen])[0]
    payload = env[12 + hlen:12 + hlen + plen]
    signed = env[:12 + hlen + plen]
    sig = env[12 + hlen + plen:]
    if len(sig) != 64:
        raise ValueError("bad length")
    return kind, header, payload, signed, sig


def decode_response(env, hub_pub):
    """verify a kind-2 answer with the pinned hub key; (header, payload obj)"""
    kind, header, stream, signed, sig = parse(env)
    if kind != KIND_RESPONSE:
        raise ValueError("kind %d is not a response" % kind)
    Ed25519PublicKey.from_public_bytes(hub_pub).verify(sig, DOMAIN + signed)
    raw = inflate(stream)
    if len(raw) != header["raw"] or hashlib.sha256(raw).hexdigest() != header["sha256"]:
        raise ValueError("response digest mismatch")
    payload = json.loads(raw.decode())
    if header["count"] != len(payload["changes"]):
        raise ValueError("count disagrees with the payload")
    return header, payload


# ---- HTTP -----------------------------------------------------------------

class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body.decode())

    @property
    def code(self):
        """the error code of an error body, or None"""
        try:
            return self.json()["error"]["code"]
        except Exception:
            return None

    def __repr__(self):
        return "Reply(%d, %r)" % (self.status, self.body[:300])


def request(url, method, path, body=b"", headers=None, timeout=60):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


# ---- changes --------------------------------------------------------------

def rnokpp(birth_date, serial=1234):
    """a valid RNOKPP for a birth date (digits 1-5: days since 1899-12-31)"""
    import datetime
    days = (datetime.date.fromisoformat(birth_date) - datetime.date(1899, 12, 31)).days
    d = "%05d%04d" % (days, serial)
    w = [-1, 5, 7, 9, 4, 6, 10, 5, 7]
    check = sum(int(c) * k for c, k in zip(d, w)) % 11 % 10
    return d + str(check)


def new_id():
    return str(uuid.uuid4())


def case_fields(unit, device_code, number, status="submitted", services=("CIV-02",),
                surname="Шевченко", phone="+380977363668"):
    """every field of a new case, in the canonical order of TEAM.md"""
    return {
        "number": number, "unit": unit, "device": device_code, "trip": None,
        "operator": "Олена Коваль", "created_at": "2026-01-12T07:01:47.349Z",
        "channel": "mobile_office", "package": None,
        "services": [{"code": s, "status": status} for s in services],
        "applicant": {
            "surname": surname, "given_name": "Тарас", "patronymic": "Григорович",
            "birth_date": "1953-07-23", "rnokpp": rnokpp("1953-07-23"),
            "phone": phone,
            "address": {"region": "Київська", "hromada": "Бучанська",
                        "settlement": "Ворзель", "postcode": "08296",
                        "street": "Яблунева", "house": "23", "apartment": None},
            "documents": [{"type": "id_card", "number": "665157583",
                           "issued": "2016-06-05"}],
            "mobility": None},
        "documents_presented": ["РНОКПП"], "consent": True, "fee_uah": 345,
        "notes": "виїзд додому",
    }


# ---- a device -------------------------------------------------------------

class Device:
    """A field laptop as the contract describes it: key, chain, counters."""

    def __init__(self, url=None):
        self.key = Ed25519PrivateKey.generate()
        self.pub = raw_public(self.key)
        self.id = key_id(self.pub)
        self.url = url
        self.seq = 0          # last acked batch
        self.prev = PREV_NONE  # hash of the last acked batch envelope
        self.n = 0            # last change number used
        self.cursor = 0
        self.hub = None
        self.hub_pub = None
        self.code = None
        self.unit = None
        self.cases = 0

    # enrolment
    def enroll(self, token, url=None, hostname="laptop-1", operator="Олена Коваль"):
        self.url = url or self.url
        body = json.dumps({"token": token, "public_key": base64.b64encode(self.pub).decode(),
                           "hostname": hostname, "operator": operator}).encode()
        r = request(self.url, "POST", "/v1/enroll", body,
                    {"Content-Type": "application/json"})
        if r.status == 200:
            j = r.json()
            self.hub, self.code, self.unit = j["hub"], j["device_code"], j["unit"]
            self.hub_pub = base64.b64decode(j["hub_public_key"])
            assert key_id(self.hub_pub) == self.hub
        return r

    # changes
    def change(self, entity, id, op, fields, hlc_=None):
        self.n += 1
        return {"n": self.n, "entity": entity, "id": id, "op": op,
                "hlc": hlc_ or hlc(counter=self.n & 0xffff), "fields": fields}

    def new_case(self, status="submitted", **kw):
        self.cases += 1
        number = "%s-2026-%06d" % (self.code, self.cases)
        cid = new_id()
        return cid, self.change("case", cid, "upsert",
                                case_fields(self.unit, self.code, number, status, **kw))

    # envelopes
    def upload(self, changes, seq=None, prev=None, hub=None, hlc_=None, dict_id="default",
               raw_json=None, header_patch=None, stream=None):
        """a kind-1 envelope for the next batch (or the given seq/prev)"""
        raw = raw_json if raw_json is not None else json.dumps(
            changes, separators=(",", ":"), ensure_ascii=False).encode()
        zdict = None
        if dict_id == "default":
            ds = dictionaries()
            zdict = next(iter(ds.values())) if ds else None
        payload = stream if stream is not None else deflate(raw, zdict)
        first = changes[0]["n"] if changes else 0
        last = changes[-1]["n"] if changes else 0
        header = {"hub": hub or self.hub, "device": self.id,
                  "seq": self.seq + 1 if seq is None else seq,
                  "prev": self.prev if prev is None else prev,
                  "first": first, "last": last, "count": len(changes), "raw": len(raw),
                  "sha256": hashlib.sha256(raw).hexdigest(), "hlc": hlc_ or hlc(),
                  "schema": SCHEMA, "cursor": self.cursor}
        if header_patch:
            header.update(header_patch)
        return seal(KIND_UPLOAD, header, payload, self.key)

    def pull(self, hub=None, hlc_=None, cursor=None):
        header = {"hub": hub or self.hub, "device": self.id, "hlc": hlc_ or hlc(),
                  "schema": SCHEMA, "cursor": self.cursor if cursor is None else cursor}
        return seal(KIND_PULL, header, b"", self.key)

    def post(self, env):
        return request(self.url, "POST", "/v1/sync", env, {"Content-Type": CONTENT_TYPE})

    def sync(self, env):
        """post an envelope; on 200 verify the answer, advance chain and cursor"""
        r = self.post(env)
        if r.status != 200:
            return r, None, None
        header, payload = decode_response(r.body, self.hub_pub)
        kind, req, _, _, _ = parse(env)
        assert header["hub"] == self.hub and header["device"] == self.id
        assert int(header["hlc"], 16) >= int(req["hlc"], 16)
        assert header["cursor"] >= self.cursor, "cursor moved backwards"
        if kind == KIND_UPLOAD and header["ack"] == req["seq"] and req["seq"] == self.seq + 1:
            self.seq = req["seq"]
            self.prev = envelope_hash(env)
        self.cursor = header["cursor"]
        return r, header, payload

    def send(self, changes, **kw):
        return self.sync(self.upload(changes, **kw))

    # blobs
    def blob_headers(self, method, sha, body=b"", content_range=None, t=None, nonce=None,
                     hub=None):
        t = str(now_ms() if t is None else t)
        nonce = nonce or os.urandom(16).hex()
        msg = DOMAIN + ("blob\n%s\n%s\n%s\n%s\n%s\n%s\n%s" % (
            method, sha, content_range or "", t, nonce, self.hub if hub is None else hub,
            hashlib.sha256(body).hexdigest())).encode()
        h = {"X-MO-Device": self.id, "X-MO-Time": t, "X-MO-Nonce": nonce,
             "X-MO-Signature": base64.b64encode(self.key.sign(msg)).decode()}
        if content_range:
            h["Content-Range"] = content_range
        return h

    def blob_head(self, sha, **kw):
        return request(self.url, "HEAD", "/v1/blobs/" + sha, b"",
                       self.blob_headers("HEAD", sha, **kw))

    def blob_put(self, sha, data, start, total, **kw):
        rng = "bytes %d-%d/%d" % (start, start + len(data) - 1, total)
        return request(self.url, "PUT", "/v1/blobs/" + sha, data,
                       self.blob_headers("PUT", sha, data, rng, **kw))


def request_headers_only(url, method, path, length, headers=None, timeout=10):
    """send only the headers of a request announcing `length` body bytes and
    read the answer: a capped endpoint must refuse before reading the body"""
    import socket
    u = urllib.parse.urlparse(url)
    s = socket.create_connection((u.hostname, u.port), timeout=timeout)
    try:
        head = "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (
            method, path, u.hostname, length)
        head += "".join("%s: %s\r\n" % kv for kv in (headers or {}).items()) + "\r\n"
        s.sendall(head.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        top, _, body = data.partition(b"\r\n\r\n")
        lines = top.split(b"\r\n")
        status = int(lines[0].split()[1])
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.decode().partition(":")
            hdrs[k.strip().lower()] = v.strip()
        need = int(hdrs.get("content-length", "0"))
        while len(body) < need:
            chunk = s.recv(4096)
            if not chunk:
                break
            body += chunk
        return Reply(status, hdrs, body)
    finally:
        s.close()
