"""linkem — a userspace link emulator for the fault suite.

The kernel here has no netem, so bad links are emulated by a TCP proxy on
loopback that sits between mo-agent and mo-hub.  Everything random is drawn
from one seeded random.Random, so a failing run can be replayed.

What a profile models (per direction, per segment of at most `mss` bytes):

  delay_ms, jitter_ms  one-way delay, uniformly jittered; segments never
                       overtake each other (TCP delivers in order)
  rate_kbit            a rate cap: each segment occupies the link for
                       len*8/rate seconds (0 = unlimited)
  loss                 probability that a segment is "lost"; TCP would
                       retransmit it after one RTO, so loss is modelled as a
                       stall of rto_ms (drawn from rto_min_ms..rto_max_ms),
                       repeated with probability `loss` again (bounded)
  cut_after            the link goes down once this many bytes have crossed it
                       (both directions, all connections together, counted from
                       set_profile): the connection carrying the last byte is
                       closed on both sides, and later connections are closed
                       at once, until the next set_profile; None = never
  blackhole            accept and swallow: never connect upstream, never
                       answer, never close (until the emulator stops)
  buffer               bytes queued per direction before the reader stops
                       reading (so the sender sees back-pressure, as on a
                       real link with a modest buffer)

The emulator runs its own asyncio loop in a daemon thread, so synchronous
pytest code can drive it:

    with LinkEm(upstream_port, PROFILES["2g"], seed=7) as link:
        agent.sync(hub_url=link.url)
        print(link.stats)

Self-test: /usr/bin/python3 tests/faults/linkem.py
"""

import asyncio
import dataclasses
import random
import socket
import threading
import time

MSS = 1460


@dataclasses.dataclass
class Profile:
	name: str = "clean"
	delay_ms: float = 0.0
	jitter_ms: float = 0.0
	rate_kbit: float = 0.0
	loss: float = 0.0
	rto_min_ms: float = 200.0
	rto_max_ms: float = 1000.0
	cut_after: int | None = None
	blackhole: bool = False
	buffer: int = 32 * 1024
	mss: int = MSS

	def replace(self, **kw):
		return dataclasses.replace(self, **kw)


# The profiles the issue names.  2G: ~32 kbit/s, 600 ms with jitter, 7 %
# loss; 3G: ~384 kbit/s, 150 ms, 2 % loss.
PROFILES = {
	"clean": Profile(),
	"2g": Profile(name="2g", delay_ms=600, jitter_ms=200, rate_kbit=32, loss=0.07),
	"3g": Profile(name="3g", delay_ms=150, jitter_ms=40, rate_kbit=384, loss=0.02),
	"blackhole": Profile(name="blackhole", blackhole=True),
}


@dataclasses.dataclass
class Stats:
	connections: int = 0
	bytes_up: int = 0      # client → upstream
	bytes_down: int = 0    # upstream → client
	segments: int = 0
	stalls: int = 0
	stall_ms: float = 0.0
	cuts: int = 0
	swallowed: int = 0     # bytes eaten by a black hole
	upstream_errors: int = 0
	refused: int = 0       # connections closed at once while the link was down

	def as_dict(self):
		return dataclasses.asdict(self)


class _Direction:
	"""One direction of one connection: reader → timed queue → writer."""

	def __init__(self, em, conn, reader, writer, up):
		self.em = em
		self.conn = conn
		self.reader = reader
		self.writer = writer
		self.up = up
		self.queue = asyncio.Queue()
		self.queued = 0
		self.room = asyncio.Event()
		self.room.set()
		self.last_departure = 0.0
		self.link_free = 0.0

	def _schedule(self, n):
		"""Departure time (loop clock, seconds) of a segment of n bytes."""
		p = self.em.profile
		rng = self.em.rng
		now = asyncio.get_running_loop().time()
		t = now + (p.delay_ms + rng.uniform(-p.jitter_ms, p.jitter_ms)) / 1000.0
		if p.rate_kbit > 0:
			start = max(now, self.link_free)
			self.link_free = start + n * 8.0 / (p.rate_kbit * 1000.0)
			t = max(t, self.link_free + p.delay_ms / 1000.0)
		# a lost segment waits one RTO, maybe more than once (bounded)
		for _ in range(6):
			if p.loss <= 0 or rng.random() >= p.loss:
				break
			rto = rng.uniform(p.rto_min_ms, p.rto_max_ms)
			self.em.stats.stalls += 1
			self.em.stats.stall_ms += rto
			t += rto / 1000.0
		t = max(t, self.last_departure)  # in order
		self.last_departure = t
		return t

	async def pump_in(self):
		p = self.em.profile
		try:
			while True:
				data = await self.reader.read(p.mss)
				if not data:
					break
				for i in range(0, len(data), p.mss):
					seg = data[i:i + p.mss]
					while self.queued >= p.buffer:
						self.room.clear()
						await self.room.wait()
					self.queued += len(seg)
					self.em.stats.segments += 1
					await self.queue.put((self._schedule(len(seg)), seg))
		except (ConnectionError, OSError):
			pass
		await self.queue.put((None, None))

	async def pump_out(self):
		loop = asyncio.get_running_loop()
		try:
			while True:
				t, seg = await self.queue.get()
				if seg is None:
					break
				delay = t - loop.time()
				if delay > 0:
					await asyncio.sleep(delay)
				self.queued -= len(seg)
				self.room.set()
				if not self.conn.account(seg, self.up):
					return
				self.writer.write(seg if self.conn.cut_left is None else seg[:self.conn.last_len])
				await self.writer.drain()
				if self.conn.cut_now:
					self.conn.cut()
					return
			# the sender closed its side: half-close ours
			if self.writer.can_write_eof():
				self.writer.write_eof()
		except (ConnectionError, OSError):
			self.conn.cut()


class _Conn:
	def __init__(self, em, cr, cw):
		self.em = em
		self.cr, self.cw = cr, cw
		self.ur = self.uw = None
		self.cut_now = False
		self.last_len = 0
		self.closed = False

	@property
	def cut_left(self):
		return self.em.cut_left

	def account(self, seg, up):
		"""Count a segment; returns False if the link is already cut."""
		if self.closed:
			return False
		n = len(seg)
		if self.em.cut_left is not None:
			if self.em.cut_left <= 0:
				self.cut()
				return False
			n = min(n, self.em.cut_left)
			self.em.cut_left -= n
			self.last_len = n
			if self.em.cut_left <= 0:
				self.cut_now = True
		if up:
			self.em.stats.bytes_up += n
		else:
			self.em.stats.bytes_down += n
		return True

	def cut(self):
		if self.closed:
			return
		self.closed = True
		if self.cut_now:
			self.em.stats.cuts += 1
		for w in (self.cw, self.uw):
			if w is not None:
				try:
					w.transport.abort()
				except Exception:
					pass

	async def run(self):
		p = self.em.profile
		if self.em.cut_left is not None and self.em.cut_left <= 0:
			self.em.stats.refused += 1  # the link is down
			self.cw.transport.abort()
			return
		if p.blackhole:
			try:
				while True:
					data = await self.cr.read(65536)
					if not data:
						break
					self.em.stats.swallowed += len(data)
			except (ConnectionError, OSError):
				pass
			# a black hole never answers and never closes: hold the
			# connection until the emulator stops
			await self.em._stop.wait()
			return
		try:
			self.ur, self.uw = await asyncio.open_connection("127.0.0.1", self.em.upstream_port)
		except OSError:
			self.em.stats.upstream_errors += 1
			self.cw.transport.abort()
			return
		up = _Direction(self.em, self, self.cr, self.uw, True)
		down = _Direction(self.em, self, self.ur, self.cw, False)
		tasks = [asyncio.ensure_future(c) for c in
			 (up.pump_in(), up.pump_out(), down.pump_in(), down.pump_out())]
		try:
			await asyncio.gather(*tasks[1::2])  # both writers done
		finally:
			for t in tasks:
				t.cancel()
			await asyncio.gather(*tasks, return_exceptions=True)
			for w in (self.cw, self.uw):
				try:
					w.close()
				except Exception:
					pass


class LinkEm:
	"""A seeded TCP proxy 127.0.0.1:<port> → 127.0.0.1:<upstream_port>."""

	def __init__(self, upstream_port, profile=None, seed=0):
		self.upstream_port = upstream_port
		self.profile = profile or PROFILES["clean"]
		self.cut_left = self.profile.cut_after
		self.rng = random.Random(seed)
		self.seed = seed
		self.stats = Stats()
		self.port = None
		self._loop = None
		self._thread = None
		self._server = None
		self._conns = set()
		self._ready = threading.Event()
		self._error = None

	@property
	def url(self):
		return f"http://127.0.0.1:{self.port}"

	def set_profile(self, profile):
		"""New connections (and segments not yet scheduled) use profile; a cut
		budget starts afresh."""
		self.profile = profile
		self.cut_left = profile.cut_after

	def start(self):
		self._thread = threading.Thread(target=self._main, name="linkem", daemon=True)
		self._thread.start()
		if not self._ready.wait(10):
			raise RuntimeError("linkem did not start")
		if self._error:
			raise self._error
		return self

	def _main(self):
		self._loop = asyncio.new_event_loop()
		try:
			self._loop.run_until_complete(self._serve())
		except Exception as e:  # reported to start()
			self._error = e
			self._ready.set()
		finally:
			self._loop.close()

	async def _serve(self):
		self._stop = asyncio.Event()
		sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
		sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		sock.bind(("127.0.0.1", 0))
		self._server = await asyncio.start_server(self._accept, sock=sock)
		self.port = sock.getsockname()[1]
		self._ready.set()
		await self._stop.wait()
		self._server.close()
		for c in list(self._conns):
			c.cut()
		tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
		for t in tasks:
			t.cancel()
		await asyncio.gather(*tasks, return_exceptions=True)

	async def _accept(self, reader, writer):
		self.stats.connections += 1
		c = _Conn(self, reader, writer)
		self._conns.add(c)
		try:
			await c.run()
		finally:
			self._conns.discard(c)
			if self.profile.blackhole or c.closed:
				try:
					writer.transport.abort()
				except Exception:
					pass

	def cut_all(self):
		"""Cut every open connection now (a link that drops mid-transfer)."""
		if self._loop is None:
			return
		def _do():
			for c in list(self._conns):
				c.cut_now = True
				c.cut()
		self._loop.call_soon_threadsafe(_do)

	def stop(self):
		if self._loop is not None and self._thread is not None and self._thread.is_alive():
			self._loop.call_soon_threadsafe(self._stop.set)
			self._thread.join(10)

	def __enter__(self):
		return self.start()

	def __exit__(self, *exc):
		self.stop()


# ---- self-test -------------------------------------------------------------

class _EchoServer:
	"""A threaded echo server on 127.0.0.1:0 for the self-test."""

	def __init__(self):
		self.sock = socket.socket()
		self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		self.sock.bind(("127.0.0.1", 0))
		self.sock.listen(16)
		self.sock.settimeout(0.2)
		self.port = self.sock.getsockname()[1]
		self.running = True
		self.thread = threading.Thread(target=self._run, daemon=True)
		self.thread.start()

	def _run(self):
		while self.running:
			try:
				c, _ = self.sock.accept()
			except (socket.timeout, OSError):
				continue
			threading.Thread(target=self._echo, args=(c,), daemon=True).start()

	@staticmethod
	def _echo(c):
		c.settimeout(30)
		try:
			while True:
				d = c.recv(65536)
				if not d:
					break
				c.sendall(d)
		except OSError:
			pass
		finally:
			c.close()

	def close(self):
		self.running = False
		self.thread.join(2)
		self.sock.close()


def _roundtrip(port, payload, timeout=60):
	"""Send payload, read the echo back; returns (bytes received, seconds)."""
	t0 = time.monotonic()
	s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
	got = bytearray()
	try:
		s.settimeout(timeout)
		sent = 0
		s.setblocking(True)
		# send and receive interleaved so the echo never deadlocks
		while len(got) < len(payload):
			if sent < len(payload):
				sent += s.send(payload[sent:sent + 4096])
				if sent == len(payload):
					s.shutdown(socket.SHUT_WR)
			s.settimeout(0.05 if sent < len(payload) else timeout)
			try:
				d = s.recv(65536)
			except socket.timeout:
				if sent < len(payload):
					continue
				break
			if not d:
				break
			got += d
	except OSError:
		pass
	finally:
		s.close()
	return bytes(got), time.monotonic() - t0


def selftest():
	"""Checks that each knob does what it says; raises AssertionError if not."""
	echo = _EchoServer()
	results = {}
	try:
		data = bytes(random.Random(1).randrange(256) for _ in range(20000))
		with LinkEm(echo.port, PROFILES["clean"], seed=1) as em:
			got, dt = _roundtrip(em.port, data)
			assert got == data, "clean link corrupted data"
			results["clean"] = dt
		# delay: one round trip costs at least 2 × delay
		with LinkEm(echo.port, Profile(delay_ms=150), seed=1) as em:
			got, dt = _roundtrip(em.port, b"x" * 10)
			assert got == b"x" * 10
			assert dt >= 0.29, f"delay not applied ({dt:.3f}s)"
			results["delay"] = dt
		# rate: 8000 bytes each way at 64 kbit/s ≈ 1 s per direction, pipelined
		with LinkEm(echo.port, Profile(rate_kbit=64), seed=1) as em:
			got, dt = _roundtrip(em.port, data[:8000])
			assert got == data[:8000], "rate-capped link corrupted data"
			assert dt >= 0.9, f"rate cap not applied ({dt:.3f}s)"
			results["rate"] = dt
		# loss: stalls are drawn and counted, data still arrives intact
		with LinkEm(echo.port, Profile(loss=0.3, rto_min_ms=20, rto_max_ms=40), seed=3) as em:
			got, dt = _roundtrip(em.port, data)
			assert got == data, "lossy link corrupted data"
			assert em.stats.stalls > 0, "no stall drawn with loss 0.3"
			results["loss_stalls"] = em.stats.stalls
		# same seed → same stalls (replayable)
		counts = []
		for _ in range(2):
			with LinkEm(echo.port, Profile(loss=0.3, rto_min_ms=1, rto_max_ms=2), seed=42) as em:
				_roundtrip(em.port, data[:8000])
				counts.append(em.stats.stalls)
		assert counts[0] == counts[1], f"seeded stalls differ: {counts}"
		# cut after N bytes: exactly N bytes cross, then both sides close
		with LinkEm(echo.port, Profile(cut_after=5000), seed=1) as em:
			got, dt = _roundtrip(em.port, data, timeout=5)
			assert em.stats.bytes_up + em.stats.bytes_down == 5000, em.stats
			assert len(got) < len(data), "cut link delivered everything"
			assert em.stats.cuts == 1, em.stats
			results["cut_received"] = len(got)
			# the link stays down: a new connection is closed at once
			got2, _ = _roundtrip(em.port, b"again", timeout=5)
			assert got2 == b"" and em.stats.refused == 1, em.stats
			em.set_profile(PROFILES["clean"])  # and comes back
			got3, _ = _roundtrip(em.port, b"back", timeout=5)
			assert got3 == b"back"
		# black hole: nothing comes back; the client gives up on its own timeout
		with LinkEm(echo.port, PROFILES["blackhole"], seed=1) as em:
			got, dt = _roundtrip(em.port, b"hello", timeout=0.5)
			assert got == b"", "black hole answered"
			assert em.stats.swallowed == 5
			assert dt >= 0.45, f"black hole closed the connection ({dt:.3f}s)"
			results["blackhole"] = dt
		# upstream down: the client's connection is closed, not hung
		with LinkEm(1, PROFILES["clean"], seed=1) as em:
			got, dt = _roundtrip(em.port, b"hello", timeout=5)
			assert got == b"" and dt < 4
	finally:
		echo.close()
	return results


if __name__ == "__main__":
	print(selftest())
