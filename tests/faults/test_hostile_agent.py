"""Hostile input to the agent (issue 7, item 7).

The agent is enrolled through a man-in-the-middle (fakehub.FakeHub) in front
of a real hub.  For each tampering the agent's sync must fail with a clear
message and apply nothing (cursor, acks, decisions unchanged); afterwards an
honest sync converges with nothing lost or duplicated."""

import json
import os
import time

import pytest

import gendata
import harness as H
from conftest import Agent
from fakehub import FakeHub
from test_crash import CODES, agent_consistent, final_check


def agent_state(agent):
	q = lambda sql: H.query(agent.db, sql)
	meta = dict(q("SELECT key, value FROM meta"))
	return {
		"cursor": meta.get("cursor"),
		"sent": q("SELECT count(*) FROM outbox WHERE sent = 1")[0][0],
		"acked": q("SELECT count(*) FROM batches WHERE acked_at IS NOT NULL")[0][0],
		"hub_events": q("SELECT count(*) FROM events WHERE origin = 'hub'")[0][0],
		"services": q("SELECT count(*) FROM services")[0][0],
	}


TIMEOUT_WORDS = ("timed out", "timeout", "too slow", "повільн", "час")
MODES = [
	# mode, what the agent must say (any of these, case-insensitive)
	pytest.param("badsig", ("signature", "підпис"), id="badsig"),
	pytest.param("otherkey", ("signature", "підпис"), id="otherkey"),
	pytest.param("cursor_back", ("cursor", "курсор"), id="cursor_back"),
	pytest.param("oversized", ("too large", "too big", "завелик", "size", "розмір"),
		     id="oversized"),
	pytest.param("redirect", ("redirect", "307", "перенаправ"), id="redirect"),
	pytest.param("stall", TIMEOUT_WORDS, id="stall"),
	pytest.param("stall_head", TIMEOUT_WORDS, id="stall_head",
		     marks=pytest.mark.skipif(not H.LONG, reason="long profile only (30 s)")),
]


@pytest.mark.parametrize("mode,words", MODES)
def test_agent_refuses_hostile_answer(hub, tmp, mode, words):
	fig = H.Figures("hostile_agent." + mode)
	rng = H.rng_for("hostile_agent." + mode)
	fake = FakeHub(hub.port, hub.key(), stall_secs=90 * H.SLOW).start()
	bad = []
	try:
		agent = Agent(tmp)
		agent.enroll(hub, url=fake.url)
		path = os.path.join(tmp, "in.jsonl")
		acked = gendata.write(path, rng, CODES, 10)
		assert agent.cli("case", "import", path).rc == 0
		r = agent.sync()
		assert r.rc == 0, r
		assert int(agent_state(agent)["cursor"] or 0) > 0, "first sync moved no cursor"
		fig.trials += 1
		acked += gendata.write(path, rng, CODES, 3, start=100)
		assert agent.cli("case", "import", path).rc == 0
		# a decision waits downstream, so "nothing applied" can fail
		cid = H.query(hub.db, "SELECT id FROM cases WHERE status = 'received' LIMIT 1")
		hub.cli("case", "decide", cid[0][0], "--decision", "approved", check=True)
		before = agent_state(agent)
		batches_before = H.query(hub.db, "SELECT count(*) FROM batches")[0][0]
		fake.mode = mode
		t0 = time.monotonic()
		r = agent.sync(timeout=150)
		secs = time.monotonic() - t0
		fake.mode = "pass"
		after = agent_state(agent)
		msg = (r.err.strip() or r.out.strip()).replace("\n", " / ")
		fig.notes["rc"] = r.rc
		fig.notes["secs"] = round(secs, 1)
		fig.notes["message"] = msg[:200]
		if r.rc == 0:
			fig.forged += 1
			bad.append(f"{mode}: sync succeeded on a tampered answer: {r}")
		if after != before:
			fig.forged += 1
			bad.append(f"{mode}: the agent applied something: {before} -> {after}")
		if r.rc == -999:
			bad.append(f"{mode}: the agent hung (killed after the test's timeout)")
		if mode == "redirect" and \
		   H.query(hub.db, "SELECT count(*) FROM batches")[0][0] != batches_before:
			fig.forged += 1
			bad.append("redirect: the agent followed the redirect to the hub")
		if mode == "oversized":
			fig.notes["oversized_read"] = str(fake.log[-1][2])
		agent_consistent(agent, fig, mode)
		# an honest link again: everything converges (final_check syncs through
		# the man in the middle, now passing answers unchanged)
		final_check(hub, agent, fig, acked)
	finally:
		fake.stop()
	fig.check()
	assert not bad, "\n".join(bad)
	assert any(w in msg.lower() for w in words), \
		f"{mode}: unclear message (want one of {words}): {msg!r}"
