"""Bad links (issue 7, item 2): mo-agent → linkem → mo-hub.

2G (32 kbit/s, 600 ms ± 200 ms, 7 % loss as RTO stalls), 3G (384 kbit/s,
150 ms, 2 % loss), links cut at random byte counts in the middle of a
transfer, a black hole, and a resumable blob upload that continues where the
cut left it.  Sync must converge (a few reruns allowed, as a user would),
with nothing lost or duplicated."""

import hashlib
import os
import time

import pytest

import gendata
import harness as H
import linkem
import mowire
from conftest import Agent
from test_crash import CODES, agent_consistent, final_check
from test_hostile_hub import blob_req


@pytest.fixture
def link(hub):
	em = linkem.LinkEm(hub.port, linkem.PROFILES["clean"], seed=H.SEED).start()
	try:
		yield em
	finally:
		em.stop()


@pytest.fixture
def lagent(tmp, hub, link):
	a = Agent(tmp)
	a.enroll(hub, url=link.url)
	return a


def converge(agent, fig, attempts=6, timeout=600):
	"""Run sync until it exits 0 (a user retrying); returns the attempts used."""
	for i in range(1, attempts + 1):
		r = agent.sync(timeout=timeout)
		if r.rc == 0:
			return i
		fig.notes["last_failure"] = (r.err.strip() or r.out.strip())[:120]
		agent_consistent(agent, fig, f"after failed sync {i}")
	raise AssertionError(f"sync did not converge in {attempts} attempts: {r}")


def attach(agent, case_id, path):
	r = agent.cli("case", "attach", case_id, path, "--type", "passport")
	assert r.rc == 0, r


def scan(rng, tmp, name, size):
	p = os.path.join(tmp, name)
	with open(p, "wb") as f:
		f.write(bytes(rng.getrandbits(8) for _ in range(size)) if size < 65536
			else os.urandom(size))
	return p


@pytest.mark.parametrize("profile,cases,scan_kib,budget", [
	("2g", 6, 8, 240), ("3g", 60, 200, 240)])
def test_sync_over_mobile_link(hub, link, lagent, tmp, profile, cases, scan_kib, budget):
	if H.LONG:
		cases *= 4
	fig = H.Figures(f"links.{profile}")
	rng = H.rng_for("links." + profile)
	path = os.path.join(tmp, "in.jsonl")
	acked = gendata.write(path, rng, CODES, cases)
	assert lagent.cli("case", "import", path).rc == 0
	attach(lagent, acked[0], scan(rng, tmp, "scan.bin", scan_kib * 1024))
	link.set_profile(linkem.PROFILES[profile])
	t0 = time.monotonic()
	n = converge(lagent, fig)
	secs = time.monotonic() - t0
	fig.trials = 1
	fig.notes.update(attempts=n, sync_secs=round(secs, 1), up_kib=link.stats.bytes_up // 1024,
			 down_kib=link.stats.bytes_down // 1024, stalls=link.stats.stalls,
			 connections=link.stats.connections, cases=cases)
	link.set_profile(linkem.PROFILES["clean"])
	final_check(hub, lagent, fig, acked)
	blobs = H.query(lagent.db, "SELECT count(*) FROM attachments WHERE uploaded = 0")[0][0]
	fig.lost += blobs
	fig.check()
	assert secs < budget * H.SLOW, f"{profile} sync took {secs:.0f}s"


def test_link_cut_mid_transfer(hub, link, lagent, tmp):
	"""The link is cut after a random number of bytes, again and again; every
	cut sync leaves both sides consistent, and the next one converges."""
	fig = H.Figures("links.cut")
	rng = H.rng_for("links.cut")
	n = H.trials(30, 500)
	path = os.path.join(tmp, "in.jsonl")
	# calibrate: bytes a sync of k cases moves over the link (both ways)
	acked = gendata.write(path, rng, CODES, 20, start=10 ** 6)
	assert lagent.cli("case", "import", path).rc == 0
	b0 = link.stats.bytes_up + link.stats.bytes_down
	assert lagent.sync().rc == 0
	per_case = (link.stats.bytes_up + link.stats.bytes_down - b0) / 20
	fig.notes["bytes_per_case"] = int(per_case)
	cut_failed = 0
	for i in range(n):
		fig.trials += 1
		k = rng.randrange(5, 60)
		acked += gendata.write(path, rng, CODES, k, start=i * 100)
		assert lagent.cli("case", "import", path).rc == 0
		# cut somewhere inside the sync's traffic, sometimes just after it
		link.set_profile(linkem.Profile(name="cut",
						cut_after=rng.randrange(50, int(per_case * k * 1.1) + 200)))
		r = lagent.sync(timeout=120)
		cut_failed += r.rc != 0
		agent_consistent(lagent, fig, f"trial {i}")
		if H.integrity(hub.db) != "ok":
			fig.errors += 1
		link.set_profile(linkem.PROFILES["clean"])
		if rng.random() < 0.5:
			converge(lagent, fig)
	fig.notes["cuts"] = link.stats.cuts
	fig.notes["syncs_failed_by_cut"] = cut_failed
	final_check(hub, lagent, fig, acked)
	fig.check()
	assert link.stats.cuts > 0, "no connection was cut"


def test_black_hole_given_up(hub, link, lagent, tmp):
	"""Packets vanish: the agent gives up within its configured timeouts
	(connect 10 s, below 20 B/s for 30 s), says so, and loses nothing."""
	fig = H.Figures("links.black_hole")
	rng = H.rng_for("links.blackhole")
	path = os.path.join(tmp, "in.jsonl")
	acked = gendata.write(path, rng, CODES, 5)
	assert lagent.cli("case", "import", path).rc == 0
	link.set_profile(linkem.PROFILES["blackhole"])
	t0 = time.monotonic()
	r = lagent.sync(timeout=180)
	secs = time.monotonic() - t0
	fig.trials = 1
	fig.notes.update(rc=r.rc, gave_up_secs=round(secs, 1),
			 message=(r.err.strip() or r.out.strip())[:150])
	agent_consistent(lagent, fig, "black hole")
	assert r.rc not in (0, -999), r
	link.set_profile(linkem.PROFILES["clean"])
	final_check(hub, lagent, fig, acked)
	fig.check()
	# 30 s low-speed window + the 10 s connect timeout at most, with slack
	assert secs < 45 * H.SLOW, f"gave up only after {secs:.0f}s"


def test_resumable_blob_continues(hub, link, lagent, tmp):
	"""A 3.5 MiB scan, the link cut after ~2.3 MiB: the hub keeps the whole
	chunks it got, and the next sync sends only the rest."""
	fig = H.Figures("links.blob_resume")
	rng = H.rng_for("links.blob")
	path = os.path.join(tmp, "in.jsonl")
	acked = gendata.write(path, rng, CODES, 1)
	assert lagent.cli("case", "import", path).rc == 0
	size = 3 * (1 << 20) + 512 * 1024
	blob = scan(rng, tmp, "big.bin", size)
	data = open(blob, "rb").read()
	sha = hashlib.sha256(data).hexdigest()
	attach(lagent, acked[0], blob)
	cut = rng.randrange(2 * (1 << 20) + 100 * 1024, 3 * (1 << 20) - 100 * 1024)
	link.set_profile(linkem.Profile(name="cut", cut_after=cut))
	r = lagent.sync(timeout=120)
	fig.trials = 1
	assert r.rc != 0, f"sync succeeded through a cut link: {r}"
	key = mowire.Key.load(os.path.join(lagent.data, "device.key"))
	st, _, hd = blob_req(hub, key, "HEAD", sha)
	hd = {k.lower(): v for k, v in hd.items()}
	held = int(hd.get("x-mo-offset", "0"))
	fig.notes.update(cut_at=cut, held_after_cut=held)
	assert st == 200 and held >= 2 * (1 << 20), (st, hd)
	link.set_profile(linkem.PROFILES["clean"])
	up0 = link.stats.bytes_up
	converge(lagent, fig)
	resent = link.stats.bytes_up - up0
	fig.notes["resent_bytes"] = resent
	final_check(hub, lagent, fig, acked)
	st, _, hd = blob_req(hub, key, "HEAD", sha)
	hd = {k.lower(): v for k, v in hd.items()}
	assert hd.get("x-mo-complete") == "1", hd
	stored = os.path.join(hub.data, "blobs", sha)
	if os.path.exists(stored):
		assert hashlib.sha256(open(stored, "rb").read()).hexdigest() == sha
	fig.check()
	# only the missing part (plus headers and the batch) went again
	assert resent < size - held + 128 * 1024, f"resent {resent} bytes, held {held} of {size}"
