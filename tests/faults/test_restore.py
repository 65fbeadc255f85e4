"""Restored laptop (issue 7, item 5).

A laptop is restored from a backup made before its last sync: its seq and
prev are behind the hub's.  Its next batch reuses a seq the hub already
applied with other bytes: the hub must answer 409 seq_conflict (or
chain_broken), flag the device, apply nothing of the fork; the laptop must
keep what it recorded since the restore and say what happened.

Recovery path (DESIGN.md §4: "for instance re-enrolment under a new device
code"; nothing of either branch lost): the restored laptop is enrolled again
with a fresh token; it gets a new device id and code, keeps its store, and
sends its unacknowledged changes as the new device.  Cases the hub already
has (same UUID) must not be duplicated; cases recorded after the restore
must arrive exactly once."""

import os
import shutil

import pytest

import gendata
import harness as H
from conftest import Agent
from test_crash import CODES, agent_consistent


def setup_fork(hub, tmp, rng):
	"""Returns (agent, backup_ids, lost_branch_ids, after_restore_ids, sync result)."""
	agent = Agent(tmp)
	agent.enroll(hub)
	path = os.path.join(tmp, "in.jsonl")
	before = gendata.write(path, rng, CODES, 5)
	assert agent.cli("case", "import", path).rc == 0
	assert agent.sync().rc == 0
	backup = os.path.join(tmp, "backup")
	shutil.copytree(agent.data, backup)          # the backup (no process running)
	branch = gendata.write(path, rng, CODES, 4, start=100)
	assert agent.cli("case", "import", path).rc == 0
	assert agent.sync().rc == 0                   # synced, then the laptop dies
	shutil.rmtree(agent.data)
	shutil.copytree(backup, agent.data)           # restored from the backup
	after = gendata.write(path, rng, CODES, 3, start=200)
	assert agent.cli("case", "import", path).rc == 0
	r = agent.sync()
	return agent, before, branch, after, r


def test_restored_laptop_fork_detected(hub, tmp):
	fig = H.Figures("restore.fork_detected")
	rng = H.rng_for("restore")
	hub_batches = lambda: H.query(hub.db, "SELECT count(*) FROM batches")[0][0]
	agent, before, branch, after, r = setup_fork(hub, tmp, rng)
	fig.trials = 1
	msg = (r.err.strip() or r.out.strip())
	fig.notes["rc"] = r.rc
	fig.notes["message"] = msg[:200]
	ids = hub.case_ids()
	fig.duplicated += len(ids) - len(set(ids))
	fig.lost += len(set(before + branch) - set(ids))
	if set(after) & set(ids):
		fig.forged += 1  # part of the forked chain was applied
	flag = H.query(hub.db, "SELECT flag FROM devices")
	fig.notes["device_flag"] = ",".join(str(f[0]) for f in flag)
	# the restored laptop keeps what it recorded since the restore
	held = {x[0] for x in H.query(agent.db, "SELECT id FROM cases")}
	fig.lost += len(set(after) - held)
	agent_consistent(agent, fig, "after fork")
	fig.check()
	assert r.rc != 0, f"a forked laptop synced without complaint: {r}"
	assert any(c in msg for c in ("seq_conflict", "chain_broken")) or \
		"conflict" in msg.lower() or "конфлікт" in msg.lower(), msg
	assert any(f[0] for f in flag), "the forked device was not flagged for staff"


def test_restored_laptop_recovers(hub, tmp):
	fig = H.Figures("restore.recovery")
	rng = H.rng_for("restore.recover")
	agent, before, branch, after, r = setup_fork(hub, tmp, rng)
	assert r.rc != 0
	fig.trials = 1
	r = agent.cli("enroll", "--hub", hub.url, "--token", hub.token(), "--operator",
		      "Олена Коваль")
	fig.notes["reenroll_rc"] = r.rc
	fig.notes["reenroll_message"] = (r.err.strip() or r.out.strip())[:200]
	assert r.rc == 0, f"re-enrolment refused: {r}"
	r = agent.sync()
	assert r.rc == 0, f"sync after re-enrolment failed: {r}"
	rows = H.query(hub.db, "SELECT id, number FROM cases")
	ids = [x[0] for x in rows]
	numbers = [x[1] for x in rows]
	fig.lost += len(set(before + branch + after) - set(ids))
	fig.duplicated += len(ids) - len(set(ids)) + len(numbers) - len(set(numbers))
	fig.check()
