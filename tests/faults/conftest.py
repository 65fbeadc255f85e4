"""Fixtures of the fault suite: a real mo-hub, real mo-agents, all on loopback.

Every process is started through harness.spawn and killed by its PID; every
data dir lives under one temp dir per test, removed at teardown.
"""

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness as H  # noqa: E402
import mowire  # noqa: E402


def pytest_report_header(config):
	return (f"fault suite: profile={H.PROFILE} seed={H.SEED} (replay: MO_FAULTS_SEED={H.SEED}) "
		f"hub={H.HUB_EXE} agent={H.AGENT_EXE}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
	outcome = yield
	rep = outcome.get_result()
	if rep.failed:
		rep.sections.append(("fault suite seed",
				     f"replay with MO_FAULTS_SEED={H.SEED} MO_FAULTS_PROFILE={H.PROFILE}"))


def pytest_sessionfinish(session, exitstatus):
	H.kill_all_started()


need_bins = pytest.mark.skipif(not (H.HUB_EXE and H.AGENT_EXE),
			       reason="mo-hub / mo-agent not built (set MO_HUB and MO_AGENT)")


# ---- the hub ---------------------------------------------------------------

class Hub:
	"""A real mo-hub: `init` once, then `serve` on 127.0.0.1:<port>."""

	def __init__(self, root, name="hub"):
		self.data = os.path.join(root, name)
		self.proc = None
		self.port = None
		self.log = os.path.join(root, name + ".log")
		self._logf = None
		r = self.cli("init", timeout=60)
		assert r.rc == 0, f"mo-hub init failed: {r}"
		self.units = set()

	@property
	def url(self):
		return f"http://127.0.0.1:{self.port}"

	@property
	def db(self):
		return H.find_db(self.data)

	def cli(self, *args, timeout=60, check=False):
		return H.run([H.HUB_EXE, *args, "--data", self.data], timeout=timeout, check=check)

	def start(self, port=None):
		"""serve; waits for 'listening on http://HOST:PORT' in its log (bounded).
		Output goes to a file, never a pipe nobody reads."""
		assert self.proc is None or self.proc.poll() is not None
		want = port if port is not None else (self.port or 0)
		self._logf = open(self.log, "ab")
		offset = self._logf.tell()
		self.proc = H.spawn([H.HUB_EXE, "serve", "--data", self.data, "--listen",
				     f"127.0.0.1:{want}"], stdout=self._logf, stderr=self._logf)
		deadline = time.monotonic() + 20 * H.SLOW
		while time.monotonic() < deadline:
			with open(self.log, "rb") as f:
				f.seek(offset)
				m = re.search(rb"listening on http://[^:\s]+:(\d+)", f.read())
			if m:
				self.port = int(m.group(1))
				return self
			if self.proc.poll() is not None:
				break
			time.sleep(0.01)
		H.kill(self.proc)
		raise AssertionError(f"mo-hub serve did not start: {self.tail()}")

	def stop(self, sig=None):
		import signal
		if self.proc is not None:
			H.kill(self.proc, sig or signal.SIGTERM, wait=20 * H.SLOW)
			self.proc = None
		if self._logf:
			self._logf.close()
			self._logf = None

	def crash(self):
		"""SIGKILL, as a power cut would."""
		self.stop(__import__("signal").SIGKILL)

	def alive(self):
		return self.proc is not None and self.proc.poll() is None

	def tail(self, n=2000):
		try:
			with open(self.log, "rb") as f:
				return f.read()[-n:].decode(errors="replace")
		except OSError:
			return ""

	def add_unit(self, code="KR-T01", kind="truck"):
		if code not in self.units:
			self.cli("unit", "add", "--code", code, "--name", "Тестовий " + code, "--kind",
				 kind, check=True)
			self.units.add(code)

	def token(self, unit="KR-T01"):
		self.add_unit(unit)
		r = self.cli("enroll-token", "--unit", unit, check=True)
		return r.out.strip().splitlines()[-1].strip()

	def hub_id(self):
		return mowire.Key.load(os.path.join(self.data, "hub.key")).id

	def key(self):
		return mowire.Key.load(os.path.join(self.data, "hub.key"))

	def health(self, timeout=5):
		try:
			with urllib.request.urlopen(self.url + "/v1/health", timeout=timeout) as r:
				return r.status
		except urllib.error.HTTPError as e:
			return e.code
		except Exception:
			return None

	def post(self, path, body, headers=None, timeout=30, method="POST", source=None):
		"""(status, body bytes, headers) of one request; never raises on HTTP
		errors.  A hub that answers before reading the whole body (and closes)
		is fine: the answer is still read.  status None: no answer at all."""
		return http_request(self.port, method, path, body, headers, timeout * H.SLOW, source)

	def enroll_key(self, unit="KR-T01", key=None):
		"""Enrol a Python-held device key; returns (key, enrolment JSON)."""
		key = key or mowire.Key()
		body = json.dumps({"token": self.token(unit), "public_key": key.pub_b64,
				   "hostname": "faults", "operator": "Тест"}).encode()
		st, b, _ = self.post("/v1/enroll", body, {"Content-Type": "application/json"})
		assert st in (200, 201), (st, b)
		return key, json.loads(b)

	# what the hub holds
	def cases(self):
		return H.query(self.db, "SELECT id, number, status, doc FROM cases")

	def case_ids(self):
		return [r[0] for r in H.query(self.db, "SELECT id FROM cases")]


def http_request(port, method, path, body=None, headers=None, timeout=30, source=None):
	import http.client
	import socket
	hdrs = {"Host": f"127.0.0.1:{port}", "Connection": "close"}
	if headers is None:
		headers = {"Content-Type": "application/vnd.mobile-office.batch"}
	hdrs.update(headers)
	if body is not None:
		hdrs["Content-Length"] = str(len(body))
	head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in hdrs.items())
	try:
		s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
					     source_address=source)
	except OSError:
		return None, b"", {}
	try:
		try:
			s.sendall(head.encode() + b"\r\n" + (body or b""))
		except (BrokenPipeError, ConnectionResetError):
			pass
		r = http.client.HTTPResponse(s, method=method)
		try:
			r.begin()
		except (ConnectionError, http.client.HTTPException, OSError):
			return None, b"", {}  # includes a timeout: no answer
		try:
			data = r.read() if method != "HEAD" else b""
		except (ConnectionError, http.client.IncompleteRead, OSError):
			data = b""
		return r.status, data, dict(r.getheaders())
	finally:
		s.close()


# ---- the agent -------------------------------------------------------------

class Agent:
	def __init__(self, root, name="agent", lang="en"):
		self.root = root
		self.data = os.path.join(root, name)
		self.lang = lang
		self.env = dict(os.environ)
		self.env.pop("MO_FAKE_NOW_MS", None)

	@property
	def db(self):
		return H.find_db(self.data)

	def argv(self, *args):
		return [H.AGENT_EXE, *args, "--data", self.data, "--lang", self.lang]

	def cli(self, *args, timeout=120, check=False, env=None):
		return H.run(self.argv(*args), timeout=timeout, check=check, env=env or self.env)

	def spawn(self, *args, env=None):
		return H.spawn(self.argv(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
			       env=env or self.env)

	def enroll(self, hub, unit="KR-T01", url=None, operator="Олена Коваль"):
		r = self.cli("enroll", "--hub", url or hub.url, "--token", hub.token(unit),
			     "--operator", operator, timeout=60)
		assert r.rc == 0, f"enroll failed: {r}"
		return r

	def new_case(self, i=0, surname="Шевченко", check=True, extra=(), env=None):
		"""case new; returns (number, id) or the Result when check=False."""
		args = ["case", "new", "--service", "CIV-02", "--surname", surname,
			"--given-name", "Тарас", "--patronymic", "Григорович",
			"--birth-date", "1953-07-23", "--tax-id", mowire.rnokpp(seq=i % 1000),
			"--consent", "--notes", f"fault suite {i}", "--json", *extra]
		r = self.cli(*args, timeout=60, env=env)
		if not check:
			return r
		assert r.rc == 0, f"case new failed: {r}"
		return parse_new(r.out)

	def sync(self, timeout=300, url=None, env=None):
		args = ["sync"]
		if url:
			args += ["--hub", url]
		return self.cli(*args, timeout=timeout, env=env)

	def case_list(self):
		r = self.cli("case", "list", "--json", timeout=60)
		assert r.rc == 0, f"case list failed: {r}"
		return json.loads(r.out)

	def status(self):
		r = self.cli("status", "--json", timeout=60)
		assert r.rc == 0, f"status failed: {r}"
		return json.loads(r.out)


def parse_new(out):
	"""(number, id) as printed by `mo-agent case new --json` (the sentence
	without --json names the number only)."""
	try:
		o = json.loads(out)
	except ValueError:
		o = None
	assert isinstance(o, dict) and o.get("number") and o.get("id"), \
		f"cannot read case new output: {out!r}"
	return o["number"], o["id"]


# ---- fixtures --------------------------------------------------------------

@pytest.fixture
def tmp():
	d = H.tempdir()
	try:
		yield d
	finally:
		H.kill_all_started()
		H.rmtree(d)


@pytest.fixture
def hub(tmp):
	if not (H.HUB_EXE and H.AGENT_EXE):
		pytest.skip("mo-hub / mo-agent not built (set MO_HUB and MO_AGENT)")
	h = Hub(tmp)
	h.add_unit("KR-T01")
	h.start()
	try:
		yield h
	finally:
		h.stop()


@pytest.fixture
def agent(tmp, hub):
	a = Agent(tmp)
	a.enroll(hub)
	return a
