"""Wrong clocks (issue 7, item 3).

The agent's wall clock is shifted with libfaketime (the agent has no fake
clock of its own; Debian package `faketime`).  Monotonic clocks stay real.

  * two laptops of one unit, one days behind or hours ahead, edit the same
    case: the hub and both laptops end with the value of the greatest
    (HLC, device), whatever the wall clocks said; nothing is lost or
    applied twice (dedup is by seq/prev, not by time);
  * a laptop days ahead: the hub answers clock_skew, the agent says plainly
    what to fix, and once the clock is right everything recorded meanwhile
    syncs."""

import json
import os

import pytest

import gendata
import harness as H
import mowire
from conftest import Agent
from test_crash import CODES, agent_consistent, final_check


def need_faketime(agent):
	env = H.faked_env(agent.env, "+0")
	if env is None:
		pytest.skip("libfaketime is missing and could not be installed "
			    "(Debian package `faketime`; add it to scripts/lib.sh MO_PACKAGES)")
	return env


def last_change(agent, case_id):
	"""(hlc int, notes) of the agent's last upsert of case_id that set notes."""
	rows = H.query(agent.db, "SELECT json FROM outbox WHERE entity = 'case' AND entity_id = ? "
		       "ORDER BY n", (case_id,))
	out = None
	for (j,) in rows:
		c = json.loads(H.unpacked(j))
		if "notes" in c.get("fields", {}):
			out = (int(c["hlc"], 16), c["fields"]["notes"])
	return out


def hub_notes(hub, case_id):
	return json.loads(H.query(hub.db, "SELECT doc FROM cases WHERE id = ?", (case_id,))[0][0]).get("notes")


def agent_notes(agent, case_id):
	r = H.query(agent.db, "SELECT data FROM cases WHERE id = ?", (case_id,))
	return json.loads(r[0][0]).get("notes") if r else None


@pytest.mark.parametrize("offset", ["-3d", "+20h"])
def test_skewed_laptop_merges_by_hlc(hub, tmp, offset):
	fig = H.Figures(f"clock.skew{offset}")
	rng = H.rng_for("clock" + offset)
	a = Agent(tmp, "skewed")
	b = Agent(tmp, "right")
	env_a = need_faketime(a)
	env_a = H.faked_env(a.env, offset)
	a.env = env_a
	a.enroll(hub)
	b.enroll(hub)
	rounds = H.trials(5, 40)
	path = os.path.join(tmp, "in.jsonl")
	acked = gendata.write(path, rng, CODES, 5)
	assert a.cli("case", "import", path).rc == 0
	r = a.sync()
	assert r.rc == 0, f"a laptop {offset} could not sync: {r}"
	# laptops edit only draft/submitted/needs_info cases: staff ask for more
	for cid in acked:
		hub.cli("case", "decide", cid, "--decision", "needs_info", "--reason", "clock test",
			check=True)
	assert a.sync().rc == 0
	assert b.sync().rc == 0
	wins = {"skewed": 0, "right": 0}
	diverged = 0
	for i in range(rounds):
		fig.trials += 1
		cid = rng.choice(acked)
		first, second = (a, b) if rng.random() < 0.5 else (b, a)
		for who in (first, second):
			r = who.cli("case", "edit", cid, "--notes", f"{os.path.basename(who.data)} {i}")
			assert r.rc == 0, f"edit on {who.data}: {r}"
		for who in (first, second, first):
			r = who.sync()
			assert r.rc == 0, r
		# the value HLC order defines: the greater (hlc, device id)
		ca, cb = last_change(a, cid), last_change(b, cid)
		dev = lambda ag: H.query(ag.db, "SELECT value FROM meta WHERE key = 'device'")[0][0]
		win = max((ca[0], dev(a), ca[1]), (cb[0], dev(b), cb[1]))
		wins[win[2].split()[0]] += 1
		got = hub_notes(hub, cid)
		if got != win[2]:
			fig.errors += 1
			fig.notes[f"round{i}"] = f"hub has {got!r}, HLC order says {win[2]!r}"
		for ag in (a, b):
			if agent_notes(ag, cid) != win[2]:
				# the laptops' own view: test_laptop_keeps_winning_edit
				diverged += 1
				fig.notes[f"diverged{i}_{os.path.basename(ag.data)}"] = (
					f"order={os.path.basename(first.data)}>{os.path.basename(second.data)} "
					f"has={agent_notes(ag, cid)!r} want={win[2]!r}")
	fig.notes["wins"] = json.dumps(wins).replace(" ", "")
	fig.notes["laptop_views_diverged"] = diverged
	acked += gendata.write(path, rng, CODES, 3, start=50)
	assert a.cli("case", "import", path).rc == 0
	final_check(hub, a, fig, acked, content=False)
	fig.check()
	assert fig.errors == 0, fig.line()


def test_clock_days_ahead_then_fixed(hub, tmp):
	fig = H.Figures("clock.days_ahead")
	rng = H.rng_for("clock.ahead")
	a = Agent(tmp)
	need_faketime(a)
	a.enroll(hub)
	path = os.path.join(tmp, "in.jsonl")
	acked = gendata.write(path, rng, CODES, 3)
	assert a.cli("case", "import", path).rc == 0
	assert a.sync().rc == 0
	ahead = H.faked_env(a.env, "+3d")
	# recorded while the clock is 3 days ahead
	acked += gendata.write(path, rng, CODES, 4, start=10)
	r = a.cli("case", "import", path, env=ahead)
	assert r.rc == 0, r
	num, cid = a.new_case(7, env=ahead)
	acked.append(cid)
	fig.trials = 1
	r = a.sync(env=ahead)
	msg = (r.err.strip() or r.out.strip())
	fig.notes["ahead_rc"] = r.rc
	fig.notes["ahead_message"] = msg[:150]
	assert r.rc != 0, "the hub accepted a batch 3 days ahead"
	assert "clock" in msg.lower() or "годинник" in msg.lower() or "час" in msg.lower(), msg
	agent_consistent(a, fig, "after clock_skew")
	assert len(H.query(hub.db, "SELECT id FROM cases")) == 3, "a skewed batch was applied"
	# the clock is fixed: everything syncs
	r = a.sync()
	fig.notes["fixed_rc"] = r.rc
	fig.notes["fixed_message"] = (r.err.strip() or r.out.strip())[:150]
	if r.rc != 0:
		fig.errors += 1
	missing = set(acked) - set(hub.case_ids())
	fig.notes["not_synced_after_fix"] = len(missing)
	fig.report()
	assert r.rc == 0, f"after the clock was fixed the agent still cannot sync: {r}"
	final_check(hub, a, fig, acked)
	fig.check()


def two_laptops_one_case(hub, tmp, rng, b_offset=None, creator="b", n=1):
	"""Laptops A and B of one unit; n cases created by `creator`, moved to
	needs_info by staff (so laptops may edit them), known to both."""
	a = Agent(tmp, "a")
	b = Agent(tmp, "b")
	if b_offset:
		need_faketime(b)
		b.env = H.faked_env(b.env, b_offset)
	a.enroll(hub)
	b.enroll(hub)
	maker = a if creator == "a" else b
	path = os.path.join(tmp, "in.jsonl")
	ids = gendata.write(path, rng, CODES, n)
	assert maker.cli("case", "import", path).rc == 0
	assert maker.sync().rc == 0
	for cid in ids:
		hub.cli("case", "decide", cid, "--decision", "needs_info", "--reason", "test",
			check=True)
	assert a.sync().rc == 0 and b.sync().rc == 0
	return a, b, ids


def test_laptop_keeps_winning_edit(hub, tmp):
	"""B edits a case, then A edits it (A's HLC is greater: it wins at the
	hub).  B syncs, then A: A's answer carries B's older edit.  Both laptops
	must end showing A's value, as the hub does.  No clock skew needed."""
	fig = H.Figures("clock.laptop_keeps_winning_edit")
	rng = H.rng_for("clock.converge")
	a, b, ids = two_laptops_one_case(hub, tmp, rng, creator="b", n=H.trials(3, 20))
	for i, cid in enumerate(ids):
		fig.trials += 1
		assert b.cli("case", "edit", cid, "--notes", f"older {i}").rc == 0
		assert a.cli("case", "edit", cid, "--notes", f"newer {i}").rc == 0
		for who in (b, a, b, a):
			assert who.sync().rc == 0
		views = {"hub": hub_notes(hub, cid), "a": agent_notes(a, cid), "b": agent_notes(b, cid)}
		bad = {k: v for k, v in views.items() if v != f"newer {i}"}
		if bad:
			fig.errors += 1
			fig.notes[f"case{i}"] = json.dumps(bad, ensure_ascii=False).replace(" ", "")
	fig.report()
	assert fig.errors == 0, fig.line()


def test_slow_laptop_edit_not_lost(hub, tmp):
	"""A laptop 3 days behind edits a case another laptop created (after it
	received it): the edit is causally later and must win at the hub."""
	fig = H.Figures("clock.slow_laptop_edit")
	rng = H.rng_for("clock.slow_edit")
	a, b, ids = two_laptops_one_case(hub, tmp, rng, b_offset="-3d", creator="a",
					 n=H.trials(3, 20))
	for i, cid in enumerate(ids):
		fig.trials += 1
		assert b.cli("case", "edit", cid, "--notes", f"slow laptop {i}").rc == 0
		assert b.sync().rc == 0
		assert a.sync().rc == 0
		views = {"hub": hub_notes(hub, cid), "a": agent_notes(a, cid), "b": agent_notes(b, cid)}
		bad = {k: v for k, v in views.items() if v != f"slow laptop {i}"}
		if bad:
			fig.lost += 1
			fig.notes[f"case{i}"] = json.dumps(bad, ensure_ascii=False).replace(" ", "")
	fig.check()
