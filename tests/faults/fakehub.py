"""fakehub — a man-in-the-middle in front of a real mo-hub, for the agent's checks.

In mode "pass" it forwards every request to the real hub and returns its
answer unchanged.  The other modes tamper with the answer to POST /v1/sync:

  badsig     flip one bit of the hub's signature
  otherkey   re-sign the answer with a key that is not the pinned hub key
  cursor_back re-sign (with the real hub key) an answer whose cursor is
             below the one the agent sent
  oversized  answer 200 with a body far beyond any envelope (streamed, bounded)
  redirect   307 to the real hub's /v1/sync (the agent must not follow it)
  stall      send the headers and half the body, then nothing (bounded)
  stall_head accept the request, never answer (bounded)

Everything runs in a daemon thread; stop() ends it, and every stall is
bounded by `stall_secs` so no test can hang.
"""

import http.client
import http.server
import json
import socketserver
import threading
import time

import mowire


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
	daemon_threads = True
	allow_reuse_address = True


class FakeHub:
	def __init__(self, upstream_port, hub_key, stall_secs=120):
		self.upstream_port = upstream_port
		self.hub_key = hub_key
		self.mode = "pass"
		self.stall_secs = stall_secs
		self.stop_event = threading.Event()
		self.log = []  # (mode, path, status)
		self.tampered = 0
		fh = self

		class Handler(http.server.BaseHTTPRequestHandler):
			protocol_version = "HTTP/1.1"

			def log_message(self, *a):
				pass

			def _body(self):
				n = int(self.headers.get("Content-Length") or 0)
				return self.rfile.read(n) if n else b""

			def _forward(self, method, body):
				c = http.client.HTTPConnection("127.0.0.1", fh.upstream_port, timeout=60)
				try:
					hdrs = {k: v for k, v in self.headers.items()
						if k.lower() not in ("host", "connection")}
					c.request(method, self.path, body=body if method != "HEAD" else None,
						  headers=hdrs)
					r = c.getresponse()
					return r.status, r.getheaders(), r.read()
				finally:
					c.close()

			def _send(self, status, headers, body, head=False):
				self.send_response(status)
				for k, v in headers:
					if k.lower() in ("content-length", "connection", "transfer-encoding",
							 "date", "server"):
						continue
					self.send_header(k, v)
				self.send_header("Content-Length", str(len(body)))
				self.end_headers()
				if not head:
					self.wfile.write(body)

			def do_HEAD(self):
				st, h, b = self._forward("HEAD", None)
				self._send(st, h, b"", head=True)

			def do_PUT(self):
				st, h, b = self._forward("PUT", self._body())
				self._send(st, h, b)

			def do_GET(self):
				st, h, b = self._forward("GET", None)
				self._send(st, h, b)

			def do_POST(self):
				body = self._body()
				mode = fh.mode if self.path.startswith("/v1/sync") else "pass"
				if mode == "redirect":
					fh.tampered += 1
					self.send_response(307)
					self.send_header("Location",
							 f"http://127.0.0.1:{fh.upstream_port}{self.path}")
					self.send_header("Content-Length", "0")
					self.end_headers()
					fh.log.append((mode, self.path, 307))
					return
				if mode == "stall_head":
					fh.tampered += 1
					fh.log.append((mode, self.path, None))
					fh.stop_event.wait(fh.stall_secs)
					self.close_connection = True
					return
				if mode == "oversized":
					fh.tampered += 1
					total = 100 << 20
					self.send_response(200)
					self.send_header("Content-Type", "application/vnd.mobile-office.batch")
					self.send_header("Content-Length", str(total))
					self.end_headers()
					chunk = b"MOB1" + b"\0" * (64 * 1024 - 4)
					sent = 0
					try:
						while sent < total and not fh.stop_event.is_set():
							self.wfile.write(chunk)
							sent += len(chunk)
					except OSError:
						pass
					fh.log.append((mode, self.path, f"sent {sent}"))
					self.close_connection = True
					return
				st, h, b = self._forward("POST", body)
				if st == 200 and mode != "pass":
					b = fh.tamper(mode, body, b)
					fh.tampered += 1
				if mode == "stall" and st == 200:
					self.send_response(st)
					for k, v in h:
						if k.lower() not in ("content-length", "connection", "date",
								     "server", "transfer-encoding"):
							self.send_header(k, v)
					self.send_header("Content-Length", str(len(b)))
					self.end_headers()
					self.wfile.write(b[:len(b) // 2])
					self.wfile.flush()
					fh.log.append((mode, self.path, "stalled"))
					fh.stop_event.wait(fh.stall_secs)
					self.close_connection = True
					return
				fh.log.append((mode, self.path, st))
				self._send(st, h, b)

		self.server = _Server(("127.0.0.1", 0), Handler)
		self.port = self.server.server_address[1]
		self.thread = threading.Thread(target=self.server.serve_forever,
					       kwargs={"poll_interval": 0.1}, daemon=True)

	@property
	def url(self):
		return f"http://127.0.0.1:{self.port}"

	def tamper(self, mode, request, answer):
		env = mowire.parse(answer)
		if mode == "badsig":
			b = bytearray(answer)
			b[-10] ^= 0x01
			return bytes(b)
		if mode == "stall":
			return answer
		payload = env.payload()
		h = dict(env.header)
		key = self.hub_key
		if mode == "otherkey":
			key = mowire.Key()
		elif mode == "cursor_back":
			req = mowire.parse(request)
			h["cursor"] = max(0, req.header.get("cursor", 0) - 1)
			payload = {"quarantined": payload.get("quarantined", []), "changes": []}
		raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
		import hashlib
		h["raw"] = len(raw)
		h["sha256"] = hashlib.sha256(raw).hexdigest()
		h["count"] = len(payload.get("changes", []))
		return mowire.frame(mowire.KIND_RESPONSE, mowire.hjson(h), mowire.compress(raw), key)

	def start(self):
		self.thread.start()
		return self

	def stop(self):
		self.stop_event.set()
		self.server.shutdown()
		self.server.server_close()
		self.thread.join(10)

	def __enter__(self):
		return self.start()

	def __exit__(self, *a):
		self.stop()
