"""A misbehaving SMS gateway for the status-message tests (the one fake the
project allows: a real HTTP server on 127.0.0.1, port 0).

Per request it picks at random (seeded) one of: accept (200), 500, 503,
429, hang past the client's timeout without answering, or accept the
message and then drop the connection before answering (the client cannot
know it was delivered).  Like the providers' idempotency support, it dedups
by the `Idempotency-Key` header: a key it already delivered is answered 200
again but never delivered twice.  `deliveries` records each first delivery;
`requests` counts every attempt by key.  Phones in `refuse` always get 400.

`stop()` closes the listening socket (the gateway is down: connections are
refused) and `start()` binds the same port again.
"""
import json
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("500", "503", "429", "hang", "drop")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that gave up mid-answer is the point of this server


class FakeGateway:
    def __init__(self, fault_rate=0.5, seed=15, hang_s=2.5, faults=FAULTS):
        self.fault_rate = fault_rate
        self.faults = faults
        self.hang_s = hang_s
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.deliveries = []      # [(key, phone, text)] in order, first delivery only
        self.delivered = {}       # key -> body (dict)
        self.requests = {}        # key -> attempts seen
        self.outcomes = []        # what each request got
        self.auth = set()         # Authorization headers seen
        self.bad = []             # malformed requests
        self.refuse = set()
        self.port = 0
        self.server = None
        self.thread = None

    # ---- lifecycle ----
    def start(self):
        gw = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                gw._handle(self)

        self.server = _Server(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
            self.thread.join(timeout=10)

    @property
    def url(self):
        return "http://127.0.0.1:%d/api/sms/send" % self.port

    # ---- one request ----
    def _pick(self):
        with self.lock:
            if self.rng.random() < self.fault_rate:
                return self.rng.choice(self.faults)
            return "ok"

    def _answer(self, h, status, obj):
        data = json.dumps(obj).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def _deliver(self, key, body):
        with self.lock:
            if key in self.delivered:
                return False
            self.delivered[key] = body
            self.deliveries.append((key, body.get("phone"), body.get("text")))
            return True

    def _handle(self, h):
        n = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(n) if 0 < n <= 65536 else b""
        key = h.headers.get("Idempotency-Key") or ""
        try:
            body = json.loads(raw.decode())
        except ValueError:
            body = None
        with self.lock:
            self.auth.add(h.headers.get("Authorization"))
            self.requests[key] = self.requests.get(key, 0) + 1
            if not key or not isinstance(body, dict) or body.get("key") != key \
                    or "application/json" not in (h.headers.get("Content-Type") or ""):
                self.bad.append((key, raw[:200]))
        if body is None or not key:
            self._answer(h, 400, {"error": "bad request"})
            return
        if body.get("phone") in self.refuse:
            with self.lock:
                self.outcomes.append("400")
            self._answer(h, 400, {"error": "invalid recipient"})
            return
        mode = self._pick()
        with self.lock:
            self.outcomes.append(mode)
        if mode == "ok":
            new = self._deliver(key, body)
            self._answer(h, 200, {"status": "accepted" if new else "duplicate"})
        elif mode in ("500", "503", "429"):
            self._answer(h, int(mode), {"error": "try later"})
        elif mode == "hang":
            time.sleep(self.hang_s)
            h.close_connection = True
            self._drop(h)
        else:  # accepted, then the line goes dead before the answer
            self._deliver(key, body)
            h.close_connection = True
            self._drop(h)

    @staticmethod
    def _drop(h):
        try:
            h.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ---- what the tests read ----
    def delivered_keys(self):
        with self.lock:
            return [k for k, _, _ in self.deliveries]
