"""Helpers for the network-edge tests (hub/test_edges*.py, agent/test_tls*.py).

`serve(hub, *args)` restarts the fixture's hub with extra `serve` options
(the fixture's teardown still stops it by PID and checks its exit status);
`raw()` opens a socket from a chosen loopback source address; `certs()`
makes a CA and a server certificate for 127.0.0.1 with openssl, at test
time, in the test's temp directory.
"""
import os
import selectors
import socket
import struct
import subprocess
import time

from conftest import MO_HUB

LEGIT_ADDR = "127.0.0.1"  # the laptop that must still sync
SLOW_ADDR = "127.0.0.2"   # where the slow or hostile clients come from


def serve(hub, *args, timeout=30):
    """(re)start hub's server with extra options; sets hub.url/port (and
    hub.metrics_port when --metrics-listen is given)"""
    hub.stop()
    hub._log = open(os.path.join(hub.data, "serve.log"), "ab")
    hub.proc = subprocess.Popen(
        [MO_HUB, "serve", "--data", hub.data, "--listen", "127.0.0.1:0", *map(str, args)],
        stdout=subprocess.PIPE, stderr=hub._log)
    sel = selectors.DefaultSelector()
    sel.register(hub.proc.stdout, selectors.EVENT_READ)
    deadline = time.time() + timeout
    out = b""
    want = 2 if "--metrics-listen" in args else 1
    while time.time() < deadline and out.count(b"\n") < want:
        if not sel.select(timeout=max(0.0, deadline - time.time())):
            break
        ch = hub.proc.stdout.read1(1)
        if not ch:
            break
        out += ch
    sel.close()
    lines = out.decode().splitlines()
    assert lines and lines[0].startswith("listening on "), \
        "serve did not start: %r\n%s" % (out, hub.log()[-2000:])
    hub.url = lines[0][len("listening on "):]
    hub.port = int(hub.url.rsplit(":", 1)[1])
    hub.metrics_port = int(lines[1].rsplit(" ", 1)[1]) if want == 2 else None
    return hub


def status_kib(pid, field):
    """VmRSS / VmHWM of a process, KiB"""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def raw(port, source=SLOW_ADDR, timeout=10):
    """a TCP connection to the hub from a chosen loopback address"""
    return socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                    source_address=(source, 0))


def head(path, length, extra=""):
    return ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/vnd.mobile-office.batch\r\n"
            "Content-Length: %d\r\n%s\r\n" % (path, length, extra)).encode()


def answer(s, limit=65536):
    """read an HTTP answer until the headers and the announced body are in,
    or the peer closes; b"" when it closed without a word"""
    data = b""
    while len(data) < limit:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
        if b"\r\n\r\n" in data:
            hdr, _, body = data.partition(b"\r\n\r\n")
            for line in hdr.split(b"\r\n"):
                if line.lower().startswith(b"content-length:") and \
                        len(body) >= int(line.split(b":")[1]):
                    return data
    return data


def closed_by_peer(s, wait):
    """True when the hub closes s within `wait` seconds (bounded)"""
    s.settimeout(wait)
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def prefix(header_json, payload_len, kind=1):
    """the framing up to and including P (DESIGN.md §4), from the text"""
    return (b"MOB1" + bytes([1, kind]) + struct.pack(">H", len(header_json)) + header_json +
            struct.pack(">I", payload_len))


def certs(d):
    """a CA, a server certificate for 127.0.0.1 signed by it, and a second
    (rogue) CA with a certificate for 127.0.0.1 too; paths in a dict"""
    d = str(d)
    p = {k: os.path.join(d, k) for k in (
        "ca.pem", "ca.key", "srv.pem", "srv.key", "rogue-ca.pem", "rogue-ca.key",
        "rogue.pem", "rogue.key", "ext.cnf", "csr")}
    with open(p["ext.cnf"], "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")

    def run(*a):
        subprocess.run(["openssl", *a], check=True, capture_output=True, timeout=60)

    for ca, key, cn in (("ca.pem", "ca.key", "mo test CA"),
                        ("rogue-ca.pem", "rogue-ca.key", "rogue CA")):
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", p[key], "-out", p[ca], "-days", "2", "-subj", "/CN=" + cn)
    for crt, key, ca, cakey in (("srv.pem", "srv.key", "ca.pem", "ca.key"),
                                ("rogue.pem", "rogue.key", "rogue-ca.pem", "rogue-ca.key")):
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", p[key], "-out", p["csr"], "-subj", "/CN=127.0.0.1")
        run("x509", "-req", "-in", p["csr"], "-CA", p[ca], "-CAkey", p[cakey],
            "-CAcreateserial", "-out", p[crt], "-days", "2", "-extfile", p["ext.cnf"])
    return p
