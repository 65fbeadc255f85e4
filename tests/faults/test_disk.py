"""Disk full (issue 7, item 4): the agent's data directory on a small tmpfs
that fills up.  A command that could not commit must say so (non-zero exit,
no case number printed) and store nothing; a command that printed a number
must have stored it; sync resumes once space is freed.  Needs root (mount);
skipped with the reason otherwise."""

import json
import os

import pytest

import gendata
import harness as H
from conftest import Agent, parse_new
from test_crash import CODES, agent_consistent, final_check


@pytest.fixture
def small_fs(tmp):
	if not H.is_root():
		pytest.skip("disk-full scenario needs root to mount a small tmpfs (CI runs as root)")
	mnt = os.path.join(tmp, "small")
	os.mkdir(mnt)
	err = H.mount_tmpfs(mnt, "6m")
	if err:
		pytest.skip(f"cannot mount a tmpfs here: {err}")
	try:
		yield mnt
	finally:
		H.kill_all_started()  # nothing of ours may keep the mount busy
		H.umount(mnt)


def fill(path):
	"""Fill the filesystem of `path` with a filler file; returns its path."""
	f = os.path.join(path, "filler")
	fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
	try:
		for size in (65536, 4096, 512, 64, 1):
			block = b"\0" * size
			for _ in range(10000):  # bounded
				try:
					if os.write(fd, block) < size:
						break
				except OSError:
					break
	finally:
		os.close(fd)
	return f


def free(filler, n):
	size = os.path.getsize(filler)
	os.truncate(filler, max(0, size - n))


class room:
	"""Free 1 MiB while the test itself reads the database (SQLite needs to
	create its -shm file even to read), then fill it again exactly."""

	def __init__(self, filler):
		self.filler = filler

	def __enter__(self):
		self.size = os.path.getsize(self.filler)
		os.truncate(self.filler, max(0, self.size - (1 << 20)))

	def __exit__(self, *a):
		fd = os.open(self.filler, os.O_WRONLY | os.O_APPEND)
		try:
			for _ in range(100000):
				left = self.size - os.fstat(fd).st_size
				if left <= 0:
					break
				try:
					os.write(fd, b"\0" * min(left, 65536))
				except OSError:
					break
		finally:
			os.close(fd)


def case_by_notes(agent, notes):
	rows = H.query(agent.db, "SELECT id, data FROM cases")
	return [r[0] for r in rows if json.loads(r[1]).get("notes") == notes]


def test_disk_full_never_claims_saved(hub, small_fs, tmp):
	fig = H.Figures("disk_full")
	rng = H.rng_for("disk_full")
	agent = Agent(small_fs, "agent")
	agent.enroll(hub)
	path = os.path.join(tmp, "in.jsonl")
	acked = gendata.write(path, rng, CODES, 10)
	assert agent.cli("case", "import", path).rc == 0
	assert agent.sync().rc == 0
	filler = fill(small_fs)
	n = H.trials(30, 300)
	saved = refused = 0
	messages = set()
	for i in range(n):
		fig.trials += 1
		free(filler, rng.choice([0, 0, 0, 2048, 8192, 32768]))
		notes = f"disk full {i}"
		r = agent.cli(
			"case", "new", "--service", "CIV-02", "--surname", "Коваль", "--given-name",
			"Олена", "--birth-date", "1953-07-23", "--tax-id",
			__import__("mowire").rnokpp(seq=i), "--consent", "--notes", notes, "--json")
		with room(filler):
			stored = case_by_notes(agent, notes)
		printed = None
		try:
			printed = parse_new(r.out)[1]
		except AssertionError:
			pass
		if r.rc == 0 and printed:
			saved += 1
			acked.append(printed)
			if printed not in stored:
				fig.lost += 1  # told "saved", not saved
		else:
			refused += 1
			messages.add((r.err.strip() or r.out.strip())[:100])
			if printed:
				fig.errors += 1  # a number printed, yet a failure exit
			if stored:
				fig.errors += 1  # refused, yet stored: the user will type it again
		if i % 5 == 4:  # sync attempts while the disk is full must not lose anything
			r = agent.sync()
			fig.notes["syncs_failed"] = fig.notes.get("syncs_failed", 0) + (r.rc != 0)
		with room(filler):
			agent_consistent(agent, fig, f"trial {i}")
	fig.notes.update(saved=saved, refused=refused,
			 messages=" | ".join(sorted(messages))[:300])
	# space is freed: sync resumes and everything acknowledged reaches the hub
	os.unlink(filler)
	final_check(hub, agent, fig, acked)
	fig.check()
	assert refused > 0, "the disk never filled up: the scenario tested nothing"
	assert fig.errors == 0, fig.line()
