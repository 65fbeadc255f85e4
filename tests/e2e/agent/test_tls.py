"""Transport (issue 10 item 7): personal data crosses a network only over TLS.

The hub serves TLS itself (`serve --tls-cert F --tls-key F`, libmicrohttpd
with GnuTLS); the laptop pins the centre's certificate authority at
enrolment (`enroll --ca-file F`) and checks every later connection with it.
A hub with a certificate from another authority is refused with a plain
message and nothing is marked sent; plain http:// to anything but this
machine is refused before a connection is made.  Certificates are made
with openssl at test time.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from agentlib import Agent  # noqa: E402
from edgelib import certs, serve  # noqa: E402

REFUSED = 4


def tls_hub(hub, p, cert="srv.pem", key="srv.key"):
    serve(hub, "--tls-cert", p[cert], "--tls-key", p[key])
    assert hub.url.startswith("https://127.0.0.1:"), hub.url
    return hub


def test_sync_over_tls_with_pinned_ca(hub, tmp_path):
    p = certs(tmp_path)
    tls_hub(hub, p)
    a = Agent(tmp_path / "laptop")
    me = a.run("enroll", "--hub", hub.url, "--token", hub.token(), "--operator", "Олена Коваль",
               "--ca-file", p["ca.pem"], json=True)
    assert me["device_code"] == "KR-T01A"
    number, _, _ = a.new_case(1)
    a.sync()
    assert a.status()["pending_changes"] == 0
    assert hub.cli("case", "show", number, json=True)["number"] == number

    # the same hub with a certificate of another authority: refused, nothing sent
    a.new_case(2)
    tls_hub(hub, p, "rogue.pem", "rogue.key")
    r = a.sync(check=False, hub=hub)
    assert r.returncode == REFUSED, (r.returncode, r.stderr)
    assert "certificate" in r.stderr and "Nothing was marked as sent" in r.stderr, r.stderr
    assert "SSL" not in r.stderr and "curl" not in r.stderr.lower(), r.stderr
    assert a.status()["pending_changes"] > 0

    # back to the right certificate: the pending application goes
    tls_hub(hub, p)
    a.sync(hub=hub)
    assert a.status()["pending_changes"] == 0


def test_unpinned_self_signed_hub_is_refused(hub, tmp_path):
    p = certs(tmp_path)
    tls_hub(hub, p)
    a = Agent(tmp_path / "laptop")
    # no --ca-file: the system bundle, which does not know the test CA
    r = a.run("enroll", "--hub", hub.url, "--token", hub.token(), "--operator", "Олена Коваль",
              check=False)
    assert r.returncode == REFUSED, (r.returncode, r.stderr)
    assert "certificate" in r.stderr, r.stderr
    assert hub.cli("device", "list", json=True) == []


def test_plain_http_to_a_network_address_is_refused(hub, tmp_path):
    # 192.0.2.1 is TEST-NET-1: the refusal comes before any connection
    a = Agent(tmp_path / "laptop")
    r = a.run("enroll", "--hub", "http://192.0.2.1:8080", "--token", "x" * 32,
              "--operator", "Олена Коваль", check=False)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "not encrypted" in r.stderr and "--insecure-http" in r.stderr, r.stderr
    uk = Agent(tmp_path / "laptop", lang="uk").run(
        "enroll", "--hub", "http://192.0.2.1:8080", "--token", "x" * 32,
        "--operator", "Олена Коваль", check=False)
    assert "без шифрування" in uk.stderr, uk.stderr

    # an enrolled laptop pointed at a plain network address: refused, kept
    a.enroll(hub)  # http://127.0.0.1: loopback is allowed
    a.new_case(1)
    r = a.sync("--hub", "http://192.0.2.1:8080", check=False)
    assert r.returncode == 1 and "not encrypted" in r.stderr, (r.returncode, r.stderr)
    assert a.status()["pending_changes"] > 0
    # back on loopback: goes
    a.sync("--hub", hub.url)
    assert a.status()["pending_changes"] == 0


def test_metrics_are_not_public_over_tls(hub, tmp_path):
    import ssl
    import urllib.request
    import urllib.error
    p = certs(tmp_path)
    serve(hub, "--tls-cert", p["srv.pem"], "--tls-key", p["srv.key"],
          "--metrics-token", "t0ken-for-the-scraper")
    ctx = ssl.create_default_context(cafile=p["ca.pem"])
    try:
        urllib.request.urlopen(hub.url + "/metrics", context=ctx, timeout=10)
        assert False, "metrics answered without the token"
    except urllib.error.HTTPError as e:
        assert e.code == 404
    req = urllib.request.Request(hub.url + "/metrics",
                                 headers={"Authorization": "Bearer t0ken-for-the-scraper"})
    with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
        assert r.status == 200 and b"mo_" in r.read()
