"""Crashes (issue 7, item 1): SIGKILL of mo-agent during recording, import and
sync, and of mo-hub during apply.  Quick profile >= 50 trials each, long
profile >= 1,000.

After every kill: PRAGMA integrity_check is ok on the side that was killed.
At the end of each scenario (a clean sync): every case the agent
acknowledged to its user (printed its number, or finished the import) is at
the hub exactly once with its content; every case the agent holds is at the
hub; every hub decision reached the agent exactly once."""

import json
import os
import signal
import statistics
import subprocess
import time

import pytest

import gendata
import harness as H
from conftest import Agent, parse_new

CODES = gendata.catalogue_codes(H.SRCDIR)


def timed(agent, *args):
	t0 = time.monotonic()
	r = agent.cli(*args)
	return r, time.monotonic() - t0


def kill_after(p, delay):
	"""SIGKILL p after `delay` seconds (or when it ends first); returns
	(killed, stdout, stderr)."""
	try:
		out, err = p.communicate(timeout=delay)
		H._live.pop(p.pid, None)
		return False, out.decode(errors="replace"), err.decode(errors="replace")
	except subprocess.TimeoutExpired:
		pass
	H.kill(p, signal.SIGKILL)
	out, err = p.communicate()
	return True, out.decode(errors="replace"), err.decode(errors="replace")


def agent_consistent(agent, fig, where):
	"""integrity_check ok; every case has its outbox record; outbox gapless."""
	ic = H.integrity(agent.db)
	if ic != "ok":
		fig.errors += 1
		raise AssertionError(f"{where}: agent integrity_check: {ic}")
	# (sets in Python: outbox has no index on entity_id, a NOT EXISTS is O(n²))
	cases = {r[0] for r in H.query(agent.db, "SELECT id FROM cases WHERE origin != 'hub'")}
	queued = {r[0] for r in H.query(agent.db, "SELECT entity_id FROM outbox WHERE entity = 'case'")}
	orphan = len(cases - queued)
	if orphan:
		fig.lost += orphan
		raise AssertionError(f"{where}: {orphan} case(s) without an outbox record (never synced)")
	n, mx = H.query(agent.db, "SELECT count(*), coalesce(max(n), 0) FROM outbox")[0]
	if n != mx:
		fig.errors += 1
		raise AssertionError(f"{where}: outbox numbers have gaps ({n} rows, max {mx})")


def hub_consistent(hub, fig, where):
	ic = H.integrity(hub.db)
	if ic != "ok":
		fig.errors += 1
		raise AssertionError(f"{where}: hub integrity_check: {ic}")


def final_check(hub, agent, fig, acked, content=True):
	"""Clean sync, then: acked ⊆ hub, agent == hub (no loss), each once, same
	content; decisions exactly once on the agent."""
	for _ in range(3):
		r = agent.sync()
		if r.rc == 0:
			break
	assert r.rc == 0, f"final sync failed: {r}"
	r2 = agent.sync()
	assert r2.rc == 0, r2
	hub_consistent(hub, fig, "final")
	agent_consistent(agent, fig, "final")
	hub_rows = H.query(hub.db, "SELECT id, number, doc FROM cases")
	hub_ids = [r[0] for r in hub_rows]
	hub_docs = {r[0]: json.loads(r[2]) for r in hub_rows}
	numbers = [r[1] for r in hub_rows]
	agent_rows = H.query(agent.db, "SELECT id, number, data FROM cases WHERE origin != 'hub'")
	agent_ids = {r[0] for r in agent_rows}
	fig.duplicated += len(numbers) - len(set(numbers))
	fig.duplicated += len(hub_ids) - len(set(hub_ids))
	# lost: acknowledged but not at the hub, or held by the agent but not at the hub
	missing = (set(acked) | agent_ids) - set(hub_ids)
	fig.lost += len(missing)
	# content: surname and notes as the agent holds them
	differ = 0
	for cid, number, data in agent_rows:
		if cid not in hub_docs:
			continue
		a, h = json.loads(data), hub_docs[cid]
		if (a.get("notes") != h.get("notes") or
		    a.get("applicant", {}).get("surname") != h.get("applicant", {}).get("surname")):
			differ += 1
	if content:
		fig.lost += differ
	fig.notes["hub_cases"] = len(hub_ids)
	fig.notes["acked"] = len(set(acked))
	fig.notes["content_differs"] = differ
	# decisions: every hub transition of this unit's cases, once on the agent
	# (the hub's `received` is addressed to the sender through its ack, so
	# its feed row names the sending laptop as origin)
	feed = H.query(hub.db, "SELECT entity_id, fields FROM feed WHERE entity = 'case' AND "
		       "op = 'transition' AND (origin IS NULL OR "
		       "json_extract(fields, '$.to') = 'received')")
	want = {}
	for cid, fields in feed:
		to = json.loads(fields).get("to")
		want[(cid, to)] = want.get((cid, to), 0) + 1
	got = {}
	for cid, to in H.query(agent.db, "SELECT case_id, to_status FROM events WHERE "
			       "origin = 'hub' AND kind = 'decision'"):
		got[(cid, to)] = got.get((cid, to), 0) + 1
	dec_lost = sum(1 for k in want if k not in got)
	dec_dup = sum(max(0, got[k] - want.get(k, 0)) for k in got)
	fig.lost += dec_lost
	fig.duplicated += dec_dup
	fig.notes["decisions"] = sum(want.values())
	fig.notes["decisions_lost"] = dec_lost
	fig.notes["decisions_dup"] = dec_dup
	return missing


def calibrate(fn, n=3):
	ds = []
	for _ in range(n):
		ds.append(fn())
	return statistics.median(ds)


# ---------------------------------------------------------------------------

def test_kill_agent_during_recording(hub, agent):
	fig = H.Figures("crash.agent_recording")
	rng = H.rng_for("crash.recording")
	n = H.trials(50, 1000)
	acked = []

	def one():
		t0 = time.monotonic()
		num, cid = agent.new_case(0)
		acked.append(cid)
		return time.monotonic() - t0
	dur = calibrate(one)
	fig.notes["case_new_ms"] = round(dur * 1000, 1)
	killed = 0
	for i in range(n):
		fig.trials += 1
		p = agent.spawn("case", "new", "--service", "CIV-02", "--surname", "Коваль",
				"--given-name", "Олена", "--birth-date", "1953-07-23", "--tax-id",
				__import__("mowire").rnokpp(seq=i), "--consent", "--notes",
				f"crash {i}", "--json")
		was_killed, out, err = kill_after(p, rng.uniform(0, dur * 1.3))
		killed += was_killed
		if not was_killed and p.returncode != 0:
			fig.errors += 1
		try:  # acknowledged to the user: it printed the number
			acked.append(parse_new(out)[1])
		except AssertionError:
			pass
		agent_consistent(agent, fig, f"trial {i}")
		if i % 10 == 9:  # sync now and then, so recording races nothing stale
			agent.sync()
	fig.notes["killed"] = killed
	final_check(hub, agent, fig, acked)
	fig.check()


def test_kill_agent_during_import(hub, agent, tmp):
	fig = H.Figures("crash.agent_import")
	rng = H.rng_for("crash.import")
	n = H.trials(50, 1000)
	lines = 20
	path = os.path.join(tmp, "in.jsonl")
	gendata.write(path, rng, CODES, lines, start=10 ** 6)
	r, dur = timed(agent, "case", "import", path)
	assert r.rc == 0, r
	acked = [json.loads(line)["id"] for line in open(path, encoding="utf-8")]
	fig.notes["import_ms"] = round(dur * 1000, 1)
	killed = 0
	for i in range(n):
		fig.trials += 1
		ids = gendata.write(path, rng, CODES, lines, start=i * lines)
		p = agent.spawn("case", "import", path)
		was_killed, out, err = kill_after(p, rng.uniform(0, dur * 1.3))
		killed += was_killed
		agent_consistent(agent, fig, f"trial {i}")
		# the user runs the import again: it completes, adding only what is missing
		r = agent.cli("case", "import", path)
		if r.rc != 0:
			fig.errors += 1
			raise AssertionError(f"trial {i}: import after a crash failed: {r}")
		held = {x[0] for x in H.query(agent.db, "SELECT id FROM cases")}
		fig.lost += len(set(ids) - held)
		acked += ids
		if i % 10 == 9:
			agent.sync()
	fig.notes["killed"] = killed
	final_check(hub, agent, fig, acked)
	fig.check()


def test_kill_agent_during_sync(hub, agent, tmp):
	fig = H.Figures("crash.agent_sync")
	rng = H.rng_for("crash.sync")
	n = H.trials(50, 1000)
	path = os.path.join(tmp, "in.jsonl")
	acked = gendata.write(path, rng, CODES, 60, start=0)
	assert agent.cli("case", "import", path).rc == 0
	t0 = time.monotonic()
	assert agent.sync().rc == 0
	dur = max(time.monotonic() - t0, 0.05)
	fig.notes["sync_ms"] = round(dur * 1000, 1)
	killed = 0
	decided = 0
	for i in range(n):
		fig.trials += 1
		ids = gendata.write(path, rng, CODES, rng.randrange(1, 30), start=1000 + i * 30)
		assert agent.cli("case", "import", path).rc == 0
		acked += ids
		# decisions at the hub on cases it holds, to flow down during the sync
		held = H.query(hub.db, "SELECT id FROM cases WHERE status = 'received' "
			       "ORDER BY id LIMIT 3")
		for (cid,) in held[:rng.randrange(0, 3)]:
			d = rng.choice(["approved", "rejected", "needs_info", "in_review"])
			r = hub.cli("case", "decide", cid, "--decision", d, "--reason", "faults")
			decided += r.rc == 0
		p = agent.spawn("sync")
		was_killed, out, err = kill_after(p, rng.uniform(0, dur * 1.5))
		killed += was_killed
		if not was_killed and p.returncode != 0:
			fig.errors += 1
		agent_consistent(agent, fig, f"trial {i}")
	fig.notes["killed"] = killed
	fig.notes["decided"] = decided
	final_check(hub, agent, fig, acked)
	fig.check()


def test_kill_hub_during_apply(hub, agent, tmp):
	fig = H.Figures("crash.hub_apply")
	rng = H.rng_for("crash.hub")
	n = H.trials(50, 1000)
	path = os.path.join(tmp, "in.jsonl")
	acked = gendata.write(path, rng, CODES, 100, start=0)
	assert agent.cli("case", "import", path).rc == 0
	t0 = time.monotonic()
	assert agent.sync().rc == 0
	dur = max(time.monotonic() - t0, 0.05)
	fig.notes["sync_ms"] = round(dur * 1000, 1)
	port = hub.port
	killed_mid = 0
	for i in range(n):
		fig.trials += 1
		ids = gendata.write(path, rng, CODES, rng.randrange(10, 60), start=1000 + i * 100)
		assert agent.cli("case", "import", path).rc == 0
		acked += ids
		if rng.random() < 0.3:
			held = H.query(hub.db, "SELECT id FROM cases WHERE status = 'received' LIMIT 1")
			if held:
				hub.cli("case", "decide", held[0][0], "--decision", "approved")
		t0 = time.monotonic()
		p = agent.spawn("sync")
		time.sleep(rng.uniform(0, dur * 1.2))
		before = p.poll() is None
		hub.crash()
		killed_mid += before
		t1 = time.monotonic()
		kill_after(p, 60 * H.SLOW)  # the agent sees the hub vanish: it must not hang
		t2 = time.monotonic()
		hub_consistent(hub, fig, f"trial {i}")
		agent_consistent(agent, fig, f"trial {i}")
		t3 = time.monotonic()
		hub.start(port)
		t4 = time.monotonic()
		if rng.random() < 0.5:  # sometimes the agent retries at once
			r = agent.sync()
			if r.rc != 0:
				fig.errors += 1
		t5 = time.monotonic()
		for k, v in (("t_kill", t1 - t0), ("t_agent_exit", t2 - t1), ("t_check", t3 - t2),
			     ("t_restart", t4 - t3), ("t_resync", t5 - t4)):
			fig.notes[k] = round(fig.notes.get(k, 0) + v, 2)
	fig.notes["killed_during_sync"] = killed_mid
	final_check(hub, agent, fig, acked)
	fig.check()
