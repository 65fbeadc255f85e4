"""The link emulator itself: each knob does what it says (seeded, replayable)."""

import linkem


def test_linkem_selftest():
	r = linkem.selftest()
	print("[faults] linkem selftest:", r)
	assert r["delay"] >= 0.29 and r["rate"] >= 0.9 and r["loss_stalls"] > 0
