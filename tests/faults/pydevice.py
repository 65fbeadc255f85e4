"""PyDevice — an enrolled device driven from Python (mowire), for tests that
need exact control of the bytes a device sends."""

import json

import mowire


class PyDevice:
	def __init__(self, hub, unit="KR-T01", key=None):
		self.hub = hub
		self.key, self.enrolment = hub.enroll_key(unit, key)
		self.hub_id = self.enrolment["hub"]
		import base64
		self.hub_pub = base64.b64decode(self.enrolment["hub_public_key"])
		self.unit = self.enrolment.get("unit", unit)
		self.code = self.enrolment.get("device_code", "KR-T01A")
		self.seq = 0
		self.prev = mowire.PREV_NONE
		self.n = 0
		self.cursor = 0
		self.source = None  # (addr, 0): connect from another loopback address

	def case(self, **kw):
		self.n += 1
		return mowire.case_upsert(self.n, self.unit, self.code, **kw)

	def build(self, changes, seq=None, prev=None, **kw):
		return mowire.upload(self.key, self.hub_id, self.seq + 1 if seq is None else seq,
				     self.prev if prev is None else prev, changes, cursor=self.cursor,
				     **kw)

	def post(self, body, timeout=30):
		return self.hub.post("/v1/sync", body, timeout=timeout, source=self.source)

	def send(self, body, timeout=30):
		"""Post an envelope built by build(); on 200 verify the answer and
		advance seq/prev/cursor.  Returns (status, answer header or error, payload)."""
		st, b, _ = self.post(body, timeout=timeout)
		if st != 200:
			return st, error_of(b), None
		env = mowire.parse(b)
		assert env.kind == mowire.KIND_RESPONSE, env.kind
		assert env.verify(self.hub_pub), "hub answer does not verify with the pinned key"
		payload = env.payload()
		self.seq = env.header["ack"]
		self.prev = mowire.env_hash(body)
		self.cursor = env.header["cursor"]
		return st, env.header, payload

	def sync_one(self, **kw):
		"""One valid case; returns its id."""
		c = self.case(**kw)
		st, h, p = self.send(self.build([c]))
		assert st == 200, (st, h)
		assert h["ack"] == self.seq
		return c["id"]


def error_of(b):
	try:
		e = json.loads(b)["error"]
		return {"code": e.get("code"), "message": e.get("message"), **e}
	except Exception:
		return {"code": None, "raw": b[:200]}
