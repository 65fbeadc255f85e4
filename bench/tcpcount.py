#!/usr/bin/python3
"""tcpcount.py — a counting TCP proxy, put in front of mo-hub for the benchmarks.

It counts what the peer's hub (../shared/peers/pouchdb/server.js) counts: TCP payload
bytes read from and written to the hub's clients (HTTP headers included, TCP/IP headers
excluded) and TCP connections accepted.  It also follows the HTTP/1.1 request and response
streams (Content-Length and chunked bodies) to count requests by kind
("POST /v1/sync", "PUT /v1/blobs", ...) and response statuses, and reads the envelope
framing of each POST /v1/sync body (DESIGN.md §4: magic, kind, H, header JSON, P) so the
benchmark can report the payload size P of an upload without trusting either program.

    tcpcount.py --listen 127.0.0.1:P --to 127.0.0.1:Q --control PATH.sock
                [--max-seconds 7200]

Control: a Unix socket (reachable from outside a network namespace).  Send one line,
get one JSON line back:  "stats"  counters since the last reset;  "reset";  "cut" — abort
every open connection (simulates a link cut);  "quit".
The proxy prints "tcpcount: listening ..." on stderr when it accepts connections, and its
final counters as JSON on stderr on SIGTERM/SIGINT.  Overhead: one asyncio copy per chunk.
"""
import argparse
import asyncio
import json
import os
import signal
import struct
import sys

MAX_HEAD = 65536            # request/response head larger than this: stop parsing that stream
MAX_ENV_HEAD = 8 + 4096 + 4  # envelope prefix needed to read magic..P
MAX_RECORDS = 5000          # envelope records kept (bounded memory)


class Counters:
    def __init__(self):
        self.reset()

    def reset(self):
        self.connections = 0
        self.req_bytes = 0
        self.resp_bytes = 0
        self.requests = 0
        self.by_kind = {}
        self.statuses = {}
        self.envelopes = []       # uploads/pulls seen (POST /v1/sync bodies)
        self.responses = []       # hub response envelopes (kind 2)
        self.parse_errors = 0

    def as_dict(self, open_conns):
        return {
            "connections": self.connections, "open": open_conns,
            "req_bytes": self.req_bytes, "resp_bytes": self.resp_bytes,
            "requests": self.requests, "by_kind": dict(self.by_kind),
            "statuses": dict(self.statuses), "envelopes": list(self.envelopes),
            "responses": list(self.responses), "parse_errors": self.parse_errors,
        }


C = Counters()


def kind_of(method, path):
    """'POST /v1/sync', 'PUT /v1/blobs', 'GET /metrics' — ids dropped."""
    p = path.split("?", 1)[0]
    seg = [s for s in p.split("/") if s]
    if len(seg) >= 2 and seg[0] == "v1":
        return f"{method} /v1/{seg[1]}"
    return f"{method} /{seg[0] if seg else ''}"


def parse_envelope(b):
    """Framing of an envelope prefix: dict with kind, H, P and a few header fields."""
    if len(b) < 8 or b[:4] != b"MOB1":
        return None
    kind = b[5]
    h = struct.unpack(">H", b[6:8])[0]
    if len(b) < 12 + h:
        return None
    p = struct.unpack(">I", b[8 + h:12 + h])[0]
    rec = {"kind": kind, "H": h, "P": p, "total": 12 + h + p + 64}
    try:
        hdr = json.loads(b[8:8 + h].decode("utf-8"))
        for k in ("seq", "count", "raw", "first", "last", "ack", "cursor", "more"):
            if k in hdr:
                rec[k] = hdr[k]
    except (ValueError, UnicodeDecodeError):
        rec["header_error"] = True
    return rec


class HttpFollower:
    """Follows one direction of an HTTP/1.1 connection; tolerant, gives up on confusion."""

    def __init__(self, is_request, pending):
        self.is_request = is_request
        self.pending = pending    # request methods/kinds waiting for their response
        self.buf = b""
        self.state = "head"
        self.left = 0             # body bytes left (content-length mode)
        self.chunked = False
        self.capture = None       # envelope prefix being captured
        self.capture_kind = None
        self.dead = False

    def feed(self, data):
        if self.dead:
            return
        self.buf += data
        try:
            self._run()
        except (ValueError, IndexError, UnicodeDecodeError):
            C.parse_errors += 1
            self.dead = True
            self.buf = b""

    def _body(self, chunk):
        if self.capture is not None and len(self.capture) < MAX_ENV_HEAD:
            self.capture += chunk[:MAX_ENV_HEAD - len(self.capture)]

    def _end_message(self):
        if self.capture is not None:
            rec = parse_envelope(self.capture)
            if rec is not None:
                lst = C.envelopes if self.is_request else C.responses
                if len(lst) < MAX_RECORDS:
                    lst.append(rec)
        self.capture = None
        self.state = "head"

    def _run(self):
        while True:
            if self.state == "head":
                i = self.buf.find(b"\r\n\r\n")
                if i < 0:
                    if len(self.buf) > MAX_HEAD:
                        raise ValueError("head too long")
                    return
                head = self.buf[:i].decode("latin-1").split("\r\n")
                self.buf = self.buf[i + 4:]
                first = head[0].split(" ")
                hdrs = {}
                for line in head[1:]:
                    k, _, v = line.partition(":")
                    hdrs[k.strip().lower()] = v.strip()
                self.chunked = "chunked" in hdrs.get("transfer-encoding", "").lower()
                self.left = int(hdrs.get("content-length", "0") or 0)
                self.capture = None
                if self.is_request:
                    method, path = first[0], first[1]
                    k = kind_of(method, path)
                    C.requests += 1
                    C.by_kind[k] = C.by_kind.get(k, 0) + 1
                    self.pending.append(method)
                    if k == "POST /v1/sync":
                        self.capture = b""
                else:
                    status = int(first[1])
                    if 100 <= status < 200:
                        continue        # 100 Continue: the real response follows
                    method = self.pending.pop(0) if self.pending else "GET"
                    C.statuses[str(status)] = C.statuses.get(str(status), 0) + 1
                    if method == "HEAD" or status in (204, 304):
                        self.left, self.chunked = 0, False
                    if "mobile-office" in hdrs.get("content-type", ""):
                        self.capture = b""
                if self.chunked:
                    self.state = "chunk-size"
                elif self.left > 0:
                    self.state = "body"
                else:
                    self._end_message()
            elif self.state == "body":
                if not self.buf:
                    return
                take = self.buf[:self.left]
                self.buf = self.buf[len(take):]
                self.left -= len(take)
                self._body(take)
                if self.left == 0:
                    self._end_message()
            elif self.state == "chunk-size":
                i = self.buf.find(b"\r\n")
                if i < 0:
                    if len(self.buf) > 1024:
                        raise ValueError("chunk size line")
                    return
                size = int(self.buf[:i].split(b";")[0], 16)
                self.buf = self.buf[i + 2:]
                if size == 0:
                    self.state = "trailers"
                else:
                    self.left = size
                    self.state = "chunk-data"
            elif self.state == "chunk-data":
                if len(self.buf) < 1:
                    return
                take = self.buf[:self.left]
                self.buf = self.buf[len(take):]
                self.left -= len(take)
                self._body(take)
                if self.left == 0:
                    self.state = "chunk-crlf"
            elif self.state == "chunk-crlf":
                if len(self.buf) < 2:
                    return
                self.buf = self.buf[2:]
                self.state = "chunk-size"
            elif self.state == "trailers":
                i = self.buf.find(b"\r\n")
                if i < 0:
                    return
                line = self.buf[:i]
                self.buf = self.buf[i + 2:]
                if not line:
                    self._end_message()


OPEN = set()


async def pump(reader, writer, is_request, follower):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if is_request:
                C.req_bytes += len(data)
            else:
                C.resp_bytes += len(data)
            follower.feed(data)
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError, asyncio.CancelledError):
        writer.transport.abort()


async def handle(creader, cwriter, target):
    C.connections += 1
    host, port = target
    try:
        sreader, swriter = await asyncio.open_connection(host, port)
    except OSError:
        cwriter.transport.abort()
        return
    pair = (cwriter, swriter)
    OPEN.add(pair)
    pending = []
    try:
        await asyncio.gather(
            pump(creader, swriter, True, HttpFollower(True, pending)),
            pump(sreader, cwriter, False, HttpFollower(False, pending)))
    finally:
        OPEN.discard(pair)
        for w in pair:
            w.close()


async def control(reader, writer, stop):
    try:
        line = (await reader.readline()).decode().strip()
        if line == "stats":
            out = C.as_dict(len(OPEN))
        elif line == "reset":
            C.reset()
            out = {"ok": True}
        elif line == "cut":
            n = len(OPEN)
            for pair in list(OPEN):
                for w in pair:
                    w.transport.abort()
            out = {"cut": n}
        elif line == "quit":
            out = {"ok": True}
            stop.set()
        else:
            out = {"error": f"unknown command {line!r}"}
        writer.write((json.dumps(out) + "\n").encode())
        await writer.drain()
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--listen", required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--control", required=True, help="Unix socket path")
    ap.add_argument("--max-seconds", type=float, default=7200)
    a = ap.parse_args()
    lh, lp = a.listen.rsplit(":", 1)
    th, tp = a.to.rsplit(":", 1)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    if os.path.exists(a.control):
        os.unlink(a.control)
    srv = await asyncio.start_server(lambda r, w: handle(r, w, (th, int(tp))), lh, int(lp),
                                     reuse_address=True, backlog=1024)
    ctl = await asyncio.start_unix_server(lambda r, w: control(r, w, stop), a.control)
    port = srv.sockets[0].getsockname()[1]
    print(f"tcpcount: listening on {lh}:{port} -> {a.to}", file=sys.stderr, flush=True)
    try:
        await asyncio.wait_for(stop.wait(), a.max_seconds)
    except asyncio.TimeoutError:
        pass
    srv.close()
    ctl.close()
    d = C.as_dict(len(OPEN))
    d.pop("envelopes")
    d.pop("responses")
    print(json.dumps({"tcpcount": d}), file=sys.stderr, flush=True)
    try:
        os.unlink(a.control)
    except OSError:
        pass


if __name__ == "__main__":
    asyncio.run(main())
