"""harness — processes, temp dirs, seeds and figures for the fault suite.

Rules kept here so every scenario keeps them:
  * every process is started by this module and remembered by PID; it is
    killed by that PID only (never by name), and reaped;
  * every wait is bounded by a deadline;
  * every temp dir and mount is removed in a finally / fixture teardown;
  * every random choice comes from a random.Random seeded from MO_FAULTS_SEED
    (printed on failure so a run can be replayed).
"""

import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.path.join(HERE, "..", ".."))

PROFILE = os.environ.get("MO_FAULTS_PROFILE", "quick")
if PROFILE not in ("quick", "long"):
	PROFILE = "quick"
LONG = PROFILE == "long"


def _default_seed():
	s = os.environ.get("MO_FAULTS_SEED")
	if s:
		return int(s, 0)
	return int(time.time()) % 1000000


SEED = _default_seed()


def rng_for(name):
	"""A Random for one scenario: the run seed mixed with the scenario name,
	so scenarios do not shift each other's draws."""
	h = 0
	for ch in name:
		h = (h * 131 + ord(ch)) % (1 << 31)
	return random.Random(SEED * 1000003 + h)


def trials(quick, long):
	env = os.environ.get("MO_FAULTS_TRIALS")
	if env:
		return int(env)
	return long if LONG else quick


def find_exe(var, name):
	p = os.environ.get(var)
	if p and os.path.exists(p):
		return p
	for b in ("build-faults", "build", "build-asan"):
		c = os.path.join(SRCDIR, b, name.split("-")[1], name)
		if os.path.exists(c):
			return c
	return None


HUB_EXE = find_exe("MO_HUB", "mo-hub")
AGENT_EXE = find_exe("MO_AGENT", "mo-agent")

# Sanitizer builds are ~3x slower; scale waits by this.
SLOW = 3.0 if os.environ.get("MO_FAULTS_SLOW") or "asan" in (HUB_EXE or "") else 1.0


# ---- processes -------------------------------------------------------------

_live = {}  # pid -> Popen, everything we started and have not reaped


def spawn(args, **kw):
	kw.setdefault("stdin", subprocess.DEVNULL)
	p = subprocess.Popen(args, **kw)
	_live[p.pid] = p
	return p


def kill(p, sig=signal.SIGKILL, wait=10):
	"""Signal one process we started (by its PID) and reap it."""
	if p is None or p.poll() is not None:
		_live.pop(getattr(p, "pid", None), None)
		return p.returncode if p else None
	try:
		os.kill(p.pid, sig)
	except ProcessLookupError:
		pass
	try:
		p.wait(wait)
	except subprocess.TimeoutExpired:
		os.kill(p.pid, signal.SIGKILL)
		p.wait(5)
	_live.pop(p.pid, None)
	return p.returncode


def kill_all_started():
	for pid, p in list(_live.items()):
		kill(p)


class Result:
	def __init__(self, rc, out, err, secs):
		self.rc, self.out, self.err, self.secs = rc, out, err, secs

	@property
	def text(self):
		return self.out + self.err

	def json(self):
		return json.loads(self.out)

	def __repr__(self):
		return f"<rc={self.rc} {self.secs:.2f}s out={self.out[-400:]!r} err={self.err[-400:]!r}>"


def run(args, timeout=60, env=None, input=None, check=False):
	"""Run to completion with a deadline; on timeout the process is killed."""
	t0 = time.monotonic()
	p = spawn(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
		  stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL)
	try:
		out, err = p.communicate(input=input.encode() if isinstance(input, str) else input,
					 timeout=timeout * SLOW)
	except subprocess.TimeoutExpired:
		kill(p)
		out, err = p.communicate()
		r = Result(-999, out.decode(errors="replace"), err.decode(errors="replace"),
			   time.monotonic() - t0)
		if check:
			raise AssertionError(f"timed out after {timeout}s: {args}: {r}")
		return r
	_live.pop(p.pid, None)
	r = Result(p.returncode, out.decode(errors="replace"), err.decode(errors="replace"),
		   time.monotonic() - t0)
	if check and r.rc != 0:
		raise AssertionError(f"command failed: {args}: {r}")
	return r


def free_port():
	s = socket.socket()
	s.bind(("127.0.0.1", 0))
	port = s.getsockname()[1]
	s.close()
	return port


# ---- temp dirs and mounts --------------------------------------------------

def tempdir(prefix="mo-faults-"):
	return tempfile.mkdtemp(prefix=prefix)


def rmtree(path):
	if path and os.path.exists(path):
		shutil.rmtree(path, ignore_errors=True)


def is_root():
	return os.geteuid() == 0


def mount_tmpfs(path, size):
	"""Mount a tmpfs of `size` (e.g. '2m') at path; returns an error string or None."""
	r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", path],
			   capture_output=True, text=True, timeout=20)
	return None if r.returncode == 0 else (r.stderr.strip() or "mount failed")


def umount(path):
	for _ in range(5):
		r = subprocess.run(["umount", path], capture_output=True, text=True, timeout=20)
		if r.returncode == 0 or not os.path.ismount(path):
			return
		time.sleep(0.2)
	subprocess.run(["umount", "-l", path], capture_output=True, timeout=20)


# ---- databases -------------------------------------------------------------

def integrity(db):
	"""PRAGMA integrity_check of an SQLite file (read-only, WAL-aware)."""
	if not os.path.exists(db):
		return "missing"
	con = sqlite3.connect(db, timeout=10)
	try:
		rows = con.execute("PRAGMA integrity_check").fetchall()
		return ";".join(r[0] for r in rows)
	finally:
		con.close()


def query(db, sql, args=()):
	con = sqlite3.connect(db, timeout=10)
	try:
		return con.execute(sql, args).fetchall()
	finally:
		con.close()


_DICTS = None


def unpacked(v):
	"""An agent column kept deflated (the outbox's change JSON, a case's
	stamps: agent/store.c bind_packed) as text; text written by an older
	mo-agent is returned as it is."""
	global _DICTS
	if isinstance(v, str):
		return v
	if _DICTS is None:
		d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "proto", "dict")
		_DICTS = {}
		for n in os.listdir(d):
			raw = open(os.path.join(d, n), "rb").read()
			_DICTS[zlib.adler32(raw)] = raw
	dict_id = int.from_bytes(v[2:6], "big") if len(v) > 6 and v[1] & 0x20 else None
	z = zlib.decompressobj(zdict=_DICTS[dict_id]) if dict_id is not None else zlib.decompressobj()
	return (z.decompress(v) + z.flush()).decode()


def find_db(datadir):
	"""The SQLite file in a data dir (the first *.db / *.sqlite)."""
	for n in sorted(os.listdir(datadir)):
		if re.search(r"\.(db|sqlite3?)$", n):
			return os.path.join(datadir, n)
	return None


# ---- figures ---------------------------------------------------------------

FIGURES_FILE = os.environ.get("MO_FAULTS_FIGURES")


class Figures:
	"""trials, lost, duplicated, forged accepted, errors — printed, recorded
	to MO_FAULTS_FIGURES (JSON lines) for RELIABILITY.md, and asserted."""

	def __init__(self, scenario):
		self.scenario = scenario
		self.trials = 0
		self.lost = 0
		self.duplicated = 0
		self.forged = 0
		self.errors = 0
		self.notes = {}
		self.t0 = time.monotonic()

	def line(self):
		extra = " ".join(f"{k}={v}" for k, v in self.notes.items())
		return (f"[faults] {self.scenario}: profile={PROFILE} seed={SEED} trials={self.trials} "
			f"lost={self.lost} duplicated={self.duplicated} forged_accepted={self.forged} "
			f"errors={self.errors} secs={time.monotonic() - self.t0:.1f} {extra}").rstrip()

	def report(self):
		line = self.line()
		print(line, flush=True)
		if FIGURES_FILE:
			os.makedirs(os.path.dirname(os.path.abspath(FIGURES_FILE)), exist_ok=True)
			with open(FIGURES_FILE, "a") as f:
				f.write(json.dumps({"scenario": self.scenario, "profile": PROFILE,
						    "seed": SEED, "trials": self.trials,
						    "lost": self.lost, "duplicated": self.duplicated,
						    "forged_accepted": self.forged,
						    "errors": self.errors,
						    "secs": round(time.monotonic() - self.t0, 1),
						    **{k: v for k, v in self.notes.items()}},
						   ensure_ascii=False) + "\n")
		return line

	def check(self):
		line = self.report()
		assert self.lost == 0 and self.duplicated == 0 and self.forged == 0, (
			f"{line}\nreplay with MO_FAULTS_SEED={SEED} MO_FAULTS_PROFILE={PROFILE}")


# ---- fake clocks (libfaketime) ----------------------------------------------

FAKETIME_LIBS = ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
		 "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
		 "/usr/lib/faketime/libfaketime.so.1")


def faketime_lib(install=True):
	"""The libfaketime preload library; installs Debian's `faketime` package
	when missing and we are root (bounded).  None when unavailable."""
	for p in FAKETIME_LIBS:
		if os.path.exists(p):
			return p
	if not install or not is_root() or not shutil.which("apt-get"):
		return None
	env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
	try:
		r = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
				    "faketime"], env=env, capture_output=True, timeout=300)
		if r.returncode != 0:
			subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True,
				       timeout=300)
			subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
					"faketime"], env=env, capture_output=True, timeout=300)
	except (subprocess.TimeoutExpired, OSError):
		return None
	return faketime_lib(install=False)


def faked_env(base, offset):
	"""An environment whose processes see the wall clock shifted by offset
	(libfaketime syntax: '-3d', '+20h'); monotonic clocks stay real, so
	timeouts still work."""
	lib = faketime_lib()
	if lib is None:
		return None
	env = dict(base)
	env["LD_PRELOAD"] = (lib + " " + env.get("LD_PRELOAD", "")).strip()
	env["FAKETIME"] = offset
	env["FAKETIME_DONT_FAKE_MONOTONIC"] = "1"
	env["FAKETIME_NO_CACHE"] = "1"
	# an ASan build wants its runtime first; libfaketime only wraps clock calls
	opts = env.get("ASAN_OPTIONS", "")
	env["ASAN_OPTIONS"] = (opts + ":" if opts else "") + "verify_asan_link_order=0"
	return env
