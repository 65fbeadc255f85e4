"""Staff sign-in and accounts against the real mo-hub (issue 10 items 5, 6, 8):
throttling by login, by address and by both (api.c throttle_rule), login
CSRF, the account changes of `mo-hub user`, and the CSV export's guards.

A second client address is a loopback source address (127.0.0.2 ...): the
hub listens on 127.0.0.1 and sees each as its own client.  Every password
check is a real scrypt (N = 2^17, ~0.3 s), so the tests keep them few; no
test asserts a speed — the delays are read from Retry-After and from the
failure rows' own timestamps.
"""
import concurrent.futures
import csv
import http.client
import io
import json as jsonlib
import math
import os
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from edgelib import serve  # noqa: E402
from staffapi import PASSWORDS, Browser, Reply, staff, sync_cases  # noqa: E402,F401

# the rule of api.c: free failures, then the wait doubles from 1 s
FREE_PAIR, FREE_LOGIN, FREE_ADDRESS = 5, 10, 20


class From(Browser):
    """a Browser whose connections come from a chosen loopback address"""

    def __init__(self, url, source="127.0.0.1"):
        super().__init__(url)
        self.source = source

    def request(self, method, path, body=None, headers=None, csrf=True, cookie=True,
                ctype="application/json"):
        u = urllib.parse.urlparse(self.url)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60,
                                          source_address=(self.source, 0))
        h = dict(headers or {})
        data = b""
        if body is not None:
            data = body if isinstance(body, bytes) else jsonlib.dumps(body).encode()
            if ctype is not None:
                h.setdefault("Content-Type", ctype)
        if cookie and self.cookie:
            h["Cookie"] = "mo_session=" + self.cookie
        if csrf and self.csrf and method != "GET":
            h["X-CSRF-Token"] = self.csrf
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            raw = r.read()
            out = {k.lower(): v for k, v in r.getheaders()}
        finally:
            conn.close()
        sc = out.get("set-cookie")
        if sc:
            self.set_cookie = sc
            self.cookie = sc.split(";", 1)[0].split("=", 1)[1] or None
        return Reply(r.status, out, raw)

    def try_login(self, login, password=None, headers=None, ctype="application/json"):
        r = self.request("POST", "/api/login",
                         {"login": login, "password": password or PASSWORDS[login]},
                         headers=headers, ctype=ctype)
        if r.status == 200:
            self.csrf = r.json()["csrf_token"]
        return r


def password_checks(hub):
    """mo_password_checks_total of /metrics (open to this machine)"""
    r = From(hub.url).get("/metrics")
    assert r.status == 200, r
    for line in r.body.decode().splitlines():
        if line.startswith("mo_password_checks_total "):
            return int(line.split()[1])
    raise AssertionError("no mo_password_checks_total in /metrics")


def failures(st, login=None):
    """(address, at_ms) of the counted failures, oldest row first"""
    with st.db() as db:
        if login is None:
            return db.execute("SELECT address, at_ms FROM login_failures ORDER BY id").fetchall()
        return db.execute("SELECT address, at_ms FROM login_failures WHERE login = ? "
                          "ORDER BY id", (login,)).fetchall()


def pin(st):
    """date every counted failure to this instant, so the next attempt falls
    inside the wait however long the scrypts before it took (the wait runs
    from the latest failure's start, and a slow machine could outlast 1 s)"""
    with st.db() as db:
        db.execute("UPDATE login_failures SET at_ms = ?", (int(time.time() * 1000),))


def retry_after(r):
    assert r.status == 429 and r.code == "rate_limited", r
    assert r.json()["error"]["message"].startswith("Забагато"), r  # Ukrainian first
    return int(r.headers["retry-after"])


# ---- 1. wrong passwords slow one login down, not its owner elsewhere ----

def test_wrong_passwords_slow_the_login_down_but_not_from_another_address(staff):
    attacker, owner = From(staff.hub.url), From(staff.hub.url, "127.0.0.2")
    checks0 = password_checks(staff.hub)
    for _ in range(FREE_PAIR):
        r = attacker.try_login("olena", "wrong-password")
        assert r.status == 401 and r.code == "bad_login", r
    # the sixth attempt waits, even with the right password, and costs no scrypt
    pin(staff)
    first = retry_after(attacker.try_login("olena"))
    assert 1 <= first <= 2
    assert attacker.cookie is None
    assert password_checks(staff.hub) == checks0 + FREE_PAIR
    # the owner, at another address, signs in at once
    r = owner.try_login("olena")
    assert r.status == 200, r
    assert owner.get("/api/me").json()["login"] == "olena"
    # a delay, not a lock: after Retry-After one more check is allowed ...
    time.sleep(first + 0.2)
    assert attacker.try_login("olena", "wrong-password").status == 401
    # ... and the next wait is longer (doubling)
    pin(staff)
    second = retry_after(attacker.try_login("olena", "wrong-password"))
    assert second > first and second >= 2
    assert password_checks(staff.hub) == checks0 + FREE_PAIR + 2
    # every failure is one row, at the attacker's address; the owner's success
    # took back its own attempt and cleared nothing of the attacker's
    rows = failures(staff, "olena")
    assert len(rows) == FREE_PAIR + 1 and {a for a, _ in rows} == {"127.0.0.1"}, rows


def test_many_addresses_against_one_login_spare_its_known_address(staff):
    """more than FREE_LOGIN failures from several addresses delay the login
    from unknown addresses; where it signed in before it still gets in"""
    home = From(staff.hub.url, "127.0.0.2")
    assert home.try_login("olena").status == 200
    for source, k in (("127.0.0.1", 4), ("127.0.0.3", 4), ("127.0.0.4", 2)):
        b = From(staff.hub.url, source)
        for _ in range(k):  # under the pair limit at each address
            assert b.try_login("olena", "wrong-password").status == 401
    assert len(failures(staff, "olena")) == FREE_LOGIN
    # now every address where olena never signed in waits ...
    pin(staff)
    for source in ("127.0.0.4", "127.0.0.5"):
        assert retry_after(From(staff.hub.url, source).try_login("olena")) >= 1
    stranger = From(staff.hub.url, "127.0.0.5")
    # ... but not for another login
    assert stranger.try_login("petro").status == 200
    # the known address signs in at once, more than once
    for _ in range(2):
        r = From(staff.hub.url, "127.0.0.2").try_login("olena")
        assert r.status == 200, r


# ---- 2. failures from one address do not lock out another login ----

def test_twenty_failures_from_one_address_do_not_lock_out_another_login(staff):
    office = From(staff.hub.url)
    assert office.try_login("petro").status == 200  # petro works here
    with concurrent.futures.ThreadPoolExecutor(4) as pool:  # 20 guesses, 4 at a time
        replies = list(pool.map(lambda i: From(staff.hub.url).try_login(
            "guess%02d" % i, "wrong-password"), range(FREE_ADDRESS)))
    assert all(r.status == 401 and r.code == "bad_login" for r in replies), replies
    rows = failures(staff)
    assert len(rows) == FREE_ADDRESS and {a for a, _ in rows} == {"127.0.0.1"}
    # a login that did not sign in from this address waits a little ...
    pin(staff)
    wait = retry_after(From(staff.hub.url).try_login("boss"))
    assert wait == 1
    # one that did is not slowed by the flood
    pin(staff)
    r = From(staff.hub.url).try_login("petro")
    assert r.status == 200, r
    # boss is not delayed at all from elsewhere, and here it is a delay, not a lock
    assert From(staff.hub.url, "127.0.0.2").try_login("boss").status == 200
    time.sleep(wait + 0.2)
    r = From(staff.hub.url).try_login("boss")
    assert r.status == 200, r
    # the session made before the flood still works
    assert office.get("/api/me").status == 200


# ---- 3. parallel attempts cannot overrun the throttle ----

def test_forty_parallel_wrong_attempts_check_at_most_the_allowed_passwords(staff):
    n = 40
    checks0 = password_checks(staff.hub)
    gate = threading.Barrier(n, timeout=60)

    def attempt(_):
        gate.wait()
        return From(staff.hub.url).try_login("olena", "wrong-password")

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        replies = list(pool.map(attempt, range(n)))
    elapsed = time.monotonic() - t0
    statuses = sorted(r.status for r in replies)
    checked = statuses.count(401)
    refused = [r for r in replies if r.status == 429]
    assert checked + len(refused) == n, statuses
    assert all(r.code == "bad_login" for r in replies if r.status == 401)
    assert all(retry_after(r) >= 1 for r in refused)
    # every check is counted (metric) and remembered (a row) — and the
    # refusals are neither
    rows = failures(staff, "olena")
    assert password_checks(staff.hub) - checks0 == checked == len(rows)
    # the guarantee: 5 free, then each further check only after the doubled
    # wait since the latest failure; the rows' own clocks prove it held
    assert checked >= FREE_PAIR
    for i in range(FREE_PAIR, len(rows)):
        assert rows[i][1] - max(t for _, t in rows[:i]) >= 1000 << (i - FREE_PAIR), rows
    # hence, however slow the machine: extra k checks need 2^k - 1 seconds
    assert checked <= FREE_PAIR + int(math.log2(elapsed + 1)), (checked, elapsed)
    # the owner, elsewhere, is not kept out
    assert From(staff.hub.url, "127.0.0.2").try_login("olena").status == 200


# ---- 4. login CSRF: JSON only, from this site only ----

def test_sign_in_takes_only_json(staff):
    b = From(staff.hub.url)
    checks0 = password_checks(staff.hub)
    form = urllib.parse.urlencode({"login": "olena", "password": PASSWORDS["olena"]}).encode()
    for ctype, body in [("application/x-www-form-urlencoded", form),
                        ("multipart/form-data; boundary=x", None),
                        ("text/plain", None), ("text/plain;charset=UTF-8", None),
                        ("application/jsonp", None), ("application/json-patch+json", None),
                        (None, None)]:
        data = body if body is not None else jsonlib.dumps(
            {"login": "olena", "password": PASSWORDS["olena"]}).encode()
        r = b.request("POST", "/api/login", data, ctype=ctype)
        assert r.status == 400 and r.code == "bad_content_type", (ctype, r)
        assert r.json()["error"]["message"].startswith("Вхід приймає лише JSON"), r
        assert b.cookie is None and "set-cookie" not in r.headers
    # refused before the throttle and scrypt: nothing checked, nothing counted
    assert password_checks(staff.hub) == checks0
    assert failures(staff) == []
    for ctype in ["application/json", "application/json; charset=utf-8", "Application/JSON"]:
        r = From(staff.hub.url).try_login("olena", ctype=ctype)
        assert r.status == 200, (ctype, r)


def test_sign_in_from_another_site_is_refused(staff):
    here = "http://127.0.0.1:%d" % staff.hub.port
    checks0 = password_checks(staff.hub)
    for headers in [{"Origin": "http://evil.example"},
                    {"Origin": "https://127.0.0.1:%d" % staff.hub.port + ".evil.example"},
                    {"Origin": "http://127.0.0.1:%d" % (staff.hub.port + 1)},
                    {"Origin": "null"},
                    {"Origin": "127.0.0.1:%d" % staff.hub.port},  # no scheme
                    {"Sec-Fetch-Site": "cross-site"},
                    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site
                    {"Sec-Fetch-Site": "cross-site", "Origin": here},
                    {"Sec-Fetch-Site": "same-origin", "Origin": "http://evil.example"}]:
        b = From(staff.hub.url)
        r = b.try_login("olena", headers=headers)
        assert r.status == 403 and r.code == "cross_site", (headers, r)
        assert "Sign in from this server's own page" in r.json()["error"]["message"]
        assert b.cookie is None
    assert password_checks(staff.hub) == checks0 and failures(staff) == []
    # this site's own page, a browser's own navigation, and a non-browser client
    for headers in [{"Origin": here}, {"Origin": here.upper().replace("HTTP", "http")},
                    {"Sec-Fetch-Site": "same-origin", "Origin": here},
                    {"Sec-Fetch-Site": "none"}, {}]:
        r = From(staff.hub.url).try_login("olena", headers=headers)
        assert r.status == 200, (headers, r)


def test_forwarded_headers_count_only_from_a_trusted_proxy(staff):
    """X-Forwarded-For (the address throttled) and X-Forwarded-Host (the site
    an Origin must match) are believed only from a --trusted-proxy peer"""
    serve(staff.hub, "--trusted-proxy", "127.0.0.3")
    url = staff.hub.url
    # a client cannot pick a new address for every guess
    spoofer = From(url, "127.0.0.2")
    for i in range(FREE_PAIR):
        r = spoofer.try_login("olena", "wrong-password",
                              headers={"X-Forwarded-For": "203.0.113.%d" % (i + 1)})
        assert r.status == 401, r
    assert {a for a, _ in failures(staff, "olena")} == {"127.0.0.2"}
    pin(staff)
    r = spoofer.try_login("olena", headers={"X-Forwarded-For": "198.51.100.7"})
    assert retry_after(r) >= 1
    # nor vouch for another site's Origin
    r = spoofer.try_login("petro", headers={"Origin": "https://evil.example",
                                            "X-Forwarded-Host": "evil.example"})
    assert r.status == 403 and r.code == "cross_site", r
    # the trusted proxy is believed for both: its client's address ...
    proxy = From(url, "127.0.0.3")
    r = proxy.try_login("petro", "wrong-password",
                        headers={"X-Forwarded-For": "203.0.113.50"})
    assert r.status == 401, r
    assert failures(staff, "petro") == [("203.0.113.50", failures(staff, "petro")[0][1])]
    # ... so olena signs in through it although 127.0.0.2 is throttled for her
    r = proxy.try_login("olena", headers={"X-Forwarded-For": "203.0.113.51"})
    assert r.status == 200, r
    # ... and the public name of the site
    r = From(url, "127.0.0.3").try_login(
        "petro", headers={"Origin": "https://hub.cnap.example",
                          "X-Forwarded-Host": "hub.cnap.example",
                          "X-Forwarded-For": "203.0.113.50"})
    assert r.status == 200, r


# ---- 5. `mo-hub user` changes take effect at once ----

def audit_actions(st, login):
    with st.db() as db:
        return [tuple(r) for r in db.execute(
            "SELECT actor, action, coalesce(detail, '') FROM audit WHERE target = ? "
            "AND action LIKE 'user.%' ORDER BY id", (login,))]


def test_user_disable_ends_sessions_at_once_and_enable_lets_them_back(staff):
    laptop, phone = From(staff.hub.url), From(staff.hub.url, "127.0.0.2")
    other = staff.browser("petro")
    for b in (laptop, phone):
        assert b.try_login("olena").status == 200
    cid, _ = staff.cases[0]
    p = staff.hub.cli("user", "disable", "--login", "olena")
    assert "користувача olena вимкнено" in p.stdout  # Ukrainian unless --lang en
    for b in (laptop, phone):  # the old cookies, on the very next request
        for method, path, body in [("GET", "/api/me", None), ("GET", "/api/cases", None),
                                   ("POST", "/api/cases/%s/comments" % cid, {"text": "x"})]:
            r = b.request(method, path, body)
            assert r.status == 401 and r.code == "unauthenticated", (path, r)
    with staff.db() as db:
        assert db.execute("SELECT count(*) FROM sessions WHERE login = 'olena'"
                          ).fetchone()[0] == 0
    # the right password does not sign a disabled user in (same answer as a wrong one)
    r = From(staff.hub.url).try_login("olena")
    assert r.status == 401 and r.code == "bad_login", r
    assert other.get("/api/me").status == 200  # nobody else is signed out
    staff.hub.cli("user", "enable", "--login", "olena")
    b = From(staff.hub.url)
    assert b.try_login("olena").status == 200
    assert b.get("/api/me").json()["login"] == "olena"
    assert laptop.get("/api/me").status == 401  # an ended session stays ended
    assert audit_actions(staff, "olena") == [("cli", "user.disable", ""),
                                             ("cli", "user.enable", "")]


def test_user_passwd_ends_sessions_and_only_the_new_password_works(staff, tmp_path):
    a, b = From(staff.hub.url), From(staff.hub.url, "127.0.0.2")
    for x in (a, b):
        assert x.try_login("olena").status == 200
    other = staff.browser("petro")
    f = tmp_path / "new.pw"
    f.write_text("a-brand-new-pass-7\n")
    staff.hub.cli("user", "passwd", "--login", "olena", "--password-file", str(f))
    for x in (a, b):
        r = x.get("/api/me")
        assert r.status == 401 and r.code == "unauthenticated", r
    assert other.get("/api/me").status == 200
    assert From(staff.hub.url).try_login("olena").status == 401  # the old password
    c = From(staff.hub.url)
    assert c.try_login("olena", "a-brand-new-pass-7").status == 200
    assert c.get("/api/me").status == 200
    assert audit_actions(staff, "olena") == [("cli", "user.password", "")]
    # a password is not written to the audit or the log
    with staff.db() as db:
        assert "a-brand-new-pass-7" not in str(db.execute("SELECT * FROM audit").fetchall())
    assert "a-brand-new-pass-7" not in staff.hub.log()


def test_user_role_changes_what_an_open_session_may_do(staff):
    b = staff.browser("olena")  # a reviewer
    r = b.get("/api/export.csv")
    assert r.status == 403 and r.code == "forbidden", r
    staff.hub.cli("user", "role", "--login", "olena", "--role", "supervisor")
    assert b.get("/api/me").json()["role"] == "supervisor"  # the same cookie
    assert b.get("/api/export.csv").status == 200
    assert b.get("/api/admin/users").status == 403
    staff.hub.cli("user", "role", "--login", "olena", "--role", "admin")
    assert b.get("/api/admin/users").status == 200
    staff.hub.cli("user", "role", "--login", "olena", "--role", "reviewer")
    r = b.get("/api/export.csv")
    assert r.status == 403 and r.code == "forbidden", r
    assert [d for _, _, d in audit_actions(staff, "olena")] == ["supervisor", "admin",
                                                                "reviewer"]
    # an unknown role changes nothing
    p = staff.hub.cli("user", "role", "--login", "olena", "--role", "root", check=False)
    assert p.returncode != 0 and "reviewer, supervisor, admin" in p.stderr
    assert b.get("/api/me").json()["role"] == "reviewer"


def test_the_last_admin_cannot_be_disabled_or_demoted(staff):
    boss = staff.browser("boss")
    for args in (["disable", "--login", "boss"],
                 ["role", "--login", "boss", "--role", "supervisor"]):
        p = staff.hub.cli("user", *args, check=False)
        assert p.returncode != 0 and "last active admin" in p.stderr, (args, p.stderr)
    me = boss.get("/api/me")
    assert me.status == 200 and me.json()["role"] == "admin"
    assert audit_actions(staff, "boss") == []
    # with a second admin the first may go
    staff.hub.cli("user", "role", "--login", "petro", "--role", "admin")
    staff.hub.cli("user", "disable", "--login", "boss")
    assert boss.get("/api/me").status == 401


# ---- 6. the CSV export: ';' and the formula guard on every line ----

def test_csv_export_guards_every_line_of_a_multi_line_cell(staff):
    nasty = {
        "Рядок\n=1+1\n+2\n-3\n@SUM(A1)": "Рядок\n'=1+1\n'+2\n'-3\n'@SUM(A1)",
        "=a\n=b\n\n=c": "'=a\n'=b\n\n'=c",  # (a CR is refused on the wire)
        "Коваль; Петро\n＝HYPERLINK(1)": "Коваль; Петро\n'＝HYPERLINK(1)",
        "\n\n@x": "\n\n'@x",
        "a=b\nc+d": "a=b\nc+d",  # only a line's start is a formula
    }
    sync_cases(staff.device, [{"surname": k} for k in nasty])
    b = staff.browser("petro")
    for sep, delimiter in [("", ";"), ("?sep=comma", ",")]:
        r = b.get("/api/export.csv" + sep)
        assert r.status == 200 and r.body.startswith(b"\xef\xbb\xbf"), r
        text = r.body[3:].decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        width = len(rows[0])
        assert rows[0][4] == "Прізвище" and width >= 11
        assert len(rows) == 1 + len(staff.cases) + len(nasty)
        for row in rows[1:]:
            assert len(row) == width, row  # a ';' or ',' or line break never splits a cell
            for cell in row:
                for line in cell.replace("\r", "\n").split("\n"):
                    assert line[:1] not in ("=", "+", "-", "@", "\t") and \
                        not line.startswith(("＝", "＋", "－", "＠")), (cell, row)
        surnames = [row[4] for row in rows[1:]]
        for guarded in nasty.values():
            assert guarded in surnames, (guarded, surnames)
