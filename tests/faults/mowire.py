"""mowire — the §4 envelope of DESIGN.md, written from the text, for the fault suite.

Independent of libmoproto on purpose: the fault suite builds valid, subtly
invalid and hostile envelopes byte by byte.  Also used as the signer of a fake
hub (tests of the agent's checks).
"""

import base64
import hashlib
import json
import os
import struct
import time
import uuid
import zlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
								Ed25519PublicKey)

DOMAIN = b"mobile-office/v1\x00"
MAGIC = b"MOB1"
KIND_UPLOAD, KIND_RESPONSE, KIND_PULL = 1, 2, 3
PREV_NONE = "0" * 64
SIG_LEN = 64


# ---- keys ------------------------------------------------------------------

class Key:
	def __init__(self, priv=None):
		self.priv = priv or Ed25519PrivateKey.generate()
		self.pub = self.priv.public_key().public_bytes(serialization.Encoding.Raw,
							       serialization.PublicFormat.Raw)

	@classmethod
	def load(cls, path):
		with open(path, "rb") as f:
			return cls(serialization.load_pem_private_key(f.read(), None))

	@property
	def id(self):
		return device_id(self.pub)

	@property
	def pub_b64(self):
		return base64.b64encode(self.pub).decode()

	def sign(self, data):
		return self.priv.sign(data)


def device_id(pub):
	return hashlib.sha256(pub).digest()[:16].hex()


def verify(pub, data, sig):
	try:
		Ed25519PublicKey.from_public_bytes(pub).verify(sig, data)
		return True
	except Exception:
		return False


# ---- clocks ----------------------------------------------------------------

def hlc_now(ms=None, counter=0):
	ms = int(time.time() * 1000) if ms is None else ms
	return (ms << 16) | counter


def hlc_hex(h):
	return "%016x" % h


def iso_now(ms=None):
	ms = int(time.time() * 1000) if ms is None else ms
	return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


# ---- envelopes -------------------------------------------------------------

def frame(kind, header_bytes, payload_z, key=None, version=1, magic=MAGIC, sig=None):
	"""Raw framing; header_bytes and payload_z are used exactly as given."""
	body = (magic + bytes([version, kind]) + struct.pack(">H", len(header_bytes)) +
		header_bytes + struct.pack(">I", len(payload_z)) + payload_z)
	if sig is None:
		sig = key.sign(DOMAIN + body) if key else b"\0" * SIG_LEN
	return body + sig


def compress(raw, level=6, zdict=None):
	if zdict is None:
		return zlib.compress(raw, level)
	c = zlib.compressobj(level, zlib.DEFLATED, 15, 9, zlib.Z_DEFAULT_STRATEGY, zdict)
	return c.compress(raw) + c.flush()


def hjson(h):
	return json.dumps(h, separators=(",", ":"), ensure_ascii=False).encode()


def upload(key, hub, seq, prev, changes, cursor=0, hlc=None, raw_payload=None,
	   header_extra=None, kind=KIND_UPLOAD, zlevel=6):
	"""A signed kind-1 envelope carrying `changes` (a list) or raw_payload bytes."""
	raw = raw_payload if raw_payload is not None else json.dumps(
		changes, separators=(",", ":"), ensure_ascii=False).encode()
	ns = [c.get("n", 0) for c in changes] if changes else [0]
	h = {"hub": hub, "device": key.id, "seq": seq, "prev": prev,
	     "first": min(ns), "last": max(ns), "count": len(changes or []),
	     "raw": len(raw), "sha256": hashlib.sha256(raw).hexdigest(),
	     "hlc": hlc_hex(hlc if hlc is not None else hlc_now()), "schema": 1,
	     "cursor": cursor}
	if header_extra:
		h.update(header_extra)
	return frame(kind, hjson(h), compress(raw, zlevel), key)


def pull(key, hub, cursor=0, hlc=None):
	h = {"hub": hub, "device": key.id, "hlc": hlc_hex(hlc if hlc is not None else hlc_now()),
	     "schema": 1, "cursor": cursor}
	return frame(KIND_PULL, hjson(h), b"", key)


def response(key, hub, device, ack, cursor, payload_obj, hlc, more=False,
	     time_iso=None, header_extra=None, sig=None):
	"""A kind-2 envelope as the hub would send (for a fake hub)."""
	raw = json.dumps(payload_obj, separators=(",", ":"), ensure_ascii=False).encode()
	h = {"hub": hub, "device": device, "ack": ack, "cursor": cursor,
	     "count": len(payload_obj.get("changes", [])), "raw": len(raw),
	     "sha256": hashlib.sha256(raw).hexdigest(), "hlc": hlc_hex(hlc),
	     "time": time_iso or iso_now(), "more": more}
	if header_extra:
		h.update(header_extra)
	return frame(KIND_RESPONSE, hjson(h), compress(raw), key, sig=sig)


class Envelope:
	def __init__(self, kind, header, payload_z, sig, signed):
		self.kind, self.header, self.payload_z, self.sig, self.signed = (
			kind, header, payload_z, sig, signed)

	def verify(self, pub):
		return verify(pub, DOMAIN + self.signed, self.sig)

	def payload(self, zdicts=None):
		if not self.payload_z:
			return None
		return json.loads(inflate(self.payload_z, zdicts))


_DICTS = None


def shipped_dicts():
	"""{DICTID: bytes} of proto/dict/*.bin (the preset dictionaries both sides ship)."""
	global _DICTS
	if _DICTS is None:
		src = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
		_DICTS = {zlib.adler32(d): d for d in load_dicts(src)}
	return _DICTS


def inflate(z, zdicts=None):
	"""RFC 1950 inflate; an FDICT stream uses the dictionary its DICTID names."""
	if len(z) >= 6 and z[1] & 0x20:
		dictid = struct.unpack(">I", z[2:6])[0]
		table = {zlib.adler32(d): d for d in zdicts} if zdicts else shipped_dicts()
		if dictid not in table:
			raise ValueError("unknown DICTID %08x" % dictid)
		d = zlib.decompressobj(zdict=table[dictid])
	else:
		d = zlib.decompressobj()
	out = d.decompress(z)
	if not d.eof:
		raise ValueError("truncated zlib stream")
	return out


def parse(b):
	if len(b) < 12 + SIG_LEN or b[:4] != MAGIC:
		raise ValueError("not an envelope")
	kind = b[5]
	hl = struct.unpack(">H", b[6:8])[0]
	header = json.loads(b[8:8 + hl])
	pl = struct.unpack(">I", b[8 + hl:12 + hl])[0]
	pz = b[12 + hl:12 + hl + pl]
	sig = b[12 + hl + pl:12 + hl + pl + SIG_LEN]
	if len(b) != 12 + hl + pl + SIG_LEN:
		raise ValueError("bad length")
	return Envelope(kind, header, pz, sig, b[:12 + hl + pl])


def env_hash(b):
	return hashlib.sha256(b).hexdigest()


def load_dicts(srcdir):
	"""The shipped zlib dictionaries (proto/dict/*.bin)."""
	out = []
	d = os.path.join(srcdir, "proto", "dict")
	if os.path.isdir(d):
		for n in sorted(os.listdir(d)):
			if n.endswith(".bin"):
				with open(os.path.join(d, n), "rb") as f:
					out.append(f.read())
	return out


# ---- changes ---------------------------------------------------------------

def rnokpp(birth="1953-07-23", seq=1234, female=False):
	"""A valid RNOKPP for a birth date (days since 1899-12-31 + serial + check digit)."""
	import datetime
	days = (datetime.date.fromisoformat(birth) - datetime.date(1899, 12, 31)).days
	serial = seq % 1000
	sex = (seq // 1000) % 5 * 2 + (0 if female else 1)
	d9 = "%05d%03d%d" % (days, serial, sex)
	w = [-1, 5, 7, 9, 4, 6, 10, 5, 7]
	s = sum(int(c) * k for c, k in zip(d9, w))
	return d9 + str((s % 11) % 10)


def case_upsert(n, unit, device_code, number=None, case_id=None, hlc=None, surname="Шевченко",
		service="CIV-02", operator="Тест Оператор"):
	cid = case_id or str(uuid.uuid4())
	return {"n": n, "entity": "case", "id": cid, "op": "upsert",
		"hlc": hlc_hex(hlc if hlc is not None else hlc_now(counter=n)),
		"fields": {
			"number": number or "%s-2026-%06d" % (device_code, n),
			"unit": unit, "device": device_code, "trip": None, "operator": operator,
			"created_at": iso_now(), "channel": "mobile_office", "package": None,
			"services": [{"code": service, "status": "submitted"}],
			"applicant": {"surname": surname, "given_name": "Тарас",
				      "patronymic": "Григорович", "birth_date": "1953-07-23",
				      "rnokpp": rnokpp(), "phone": "+380977363668",
				      "address": {"region": "Київська", "settlement": "Біла Церква"},
				      "documents": [{"type": "id_card", "number": "665157583"}],
				      "mobility": None},
			"documents_presented": ["РНОКПП"], "consent": True, "fee_uah": 0,
			"notes": "fault suite"}}
