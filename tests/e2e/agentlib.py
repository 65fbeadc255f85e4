"""Helpers for the mo-agent end-to-end tests (tests/e2e/agent/).

`Agent` runs the real mo-agent binary (env MO_AGENT) against a data
directory; `person()` and `jsonl_line()` make realistic, valid applicants
(RNOKPP with the right check digit and encoded birth date) deterministically,
so the tests never read anything outside the repository.
"""
import datetime
import json as jsonlib
import os
import random
import subprocess
import uuid


def _binary(env, *fallback):
    path = os.environ.get(env)
    if path:
        return path
    root = os.environ.get("MO_BUILD_ROOT") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "build")
    return os.path.join(root, *fallback)


MO_AGENT = _binary("MO_AGENT", "agent", "mo-agent")

SURNAMES = ["Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник",
            "Мельник", "Поліщук", "Савенко", "Лисенко", "Гнатюк", "Дорошенко"]
GIVEN = ["Олена", "Тарас", "Віра", "Петро", "Ганна", "Іван", "Марія", "Степан", "Оксана"]
PATRONYMIC = ["Іванівна", "Петрович", "Степанівна", "Тарасович", "Миколаївна"]
SERVICES = ["PAS-01", "PAS-02", "TAX-01", "RES-01", "SOC-03", "CIV-02", "PEN-01", "LAND-01"]
PACKAGES = {"PKG-BIRTH": ["CIV-01", "CIV-03", "SOC-01"], "PKG-ID14": ["PAS-01", "TAX-01"]}

WEIGHTS = [-1, 5, 7, 9, 4, 6, 10, 5, 7]


def rnokpp(birth_date, serial):
    """a valid RNOKPP for birth_date (YYYY-MM-DD); serial 0..9999"""
    d = datetime.date.fromisoformat(birth_date)
    days = (d - datetime.date(1899, 12, 31)).days
    digits = "%05d%04d" % (days, serial % 10000)
    check = sum(int(c) * w for c, w in zip(digits, WEIGHTS)) % 11 % 10
    return digits + str(check)


def person(i, seed=7):
    r = random.Random(seed * 1000003 + i)
    bd = datetime.date(1940, 1, 1) + datetime.timedelta(days=r.randrange(0, 60 * 365))
    bd = bd.isoformat()
    return {
        "surname": r.choice(SURNAMES), "given_name": r.choice(GIVEN),
        "patronymic": r.choice(PATRONYMIC), "birth_date": bd,
        "rnokpp": rnokpp(bd, r.randrange(10000)),
        "phone": "+38067%07d" % r.randrange(10 ** 7),
    }


def jsonl_line(i, seed=7, **override):
    """one application in the format of shared/data/gen.js"""
    r = random.Random(seed * 7919 + i)
    p = person(i, seed)
    pkg = None
    codes = [r.choice(SERVICES)]
    if i % 10 == 3:
        pkg = r.choice(sorted(PACKAGES))
        codes = PACKAGES[pkg]
    line = {
        "id": str(uuid.UUID(int=r.getrandbits(128), version=4)),
        "number": "VN-2026-%06d" % (i + 1), "office_id": str(uuid.uuid4()),
        "trip_id": str(uuid.uuid4()), "agent_id": "laptop-vn-01", "operator_id": "op-VN-1",
        "created_at": "2026-01-12T07:%02d:%02d.000Z" % (i // 60 % 60, i % 60),
        "channel": "mobile_office", "package": pkg, "service_codes": codes,
        "applicant": {
            "surname": p["surname"], "given_name": p["given_name"],
            "patronymic": p["patronymic"], "birth_date": p["birth_date"],
            "rnokpp": p["rnokpp"],
            "id_document": {"type": "id_card", "number": "%09d" % r.randrange(10 ** 9),
                            "issued": "2018-05-09"},
            "phone": p["phone"],
            "address": {"region": "Вінницька обл.", "hromada": "Тульчинська громада",
                        "settlement": "с. Підлісне", "postcode": "23048",
                        "street": "вул. Соборна", "house": str(r.randrange(1, 90)),
                        "apartment": None}},
        "documents_presented": ["паспорт", "РНОКПП"], "status": "submitted",
        "fee_amount": r.choice([0, 345, 780]), "fee_currency": "UAH",
        "notes": "Обслуговано вдома." if i % 7 == 0 else "",
        "status_history": [{"status": "submitted", "at": "2026-01-12T07:00:00.000Z",
                            "by": "op-VN-1"}],
    }
    line.update(override)
    return line


def write_jsonl(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(line if isinstance(line, str) else jsonlib.dumps(line, ensure_ascii=False))
            f.write("\n")
    return str(path)


class Agent:
    """one laptop: a data directory and the mo-agent binary"""

    def __init__(self, data, lang="en"):
        self.data = str(data)
        self.lang = lang

    def argv(self, *args, json=False):
        return [MO_AGENT, "--data", self.data, "--lang", self.lang] + \
            (["--json"] if json else []) + [str(a) for a in args]

    def run(self, *args, check=True, json=False, timeout=300, env=None):
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.run(self.argv(*args, json=json), capture_output=True, text=True,
                           timeout=timeout, env=e)
        if check and p.returncode != 0:
            raise AssertionError("mo-agent %s failed (%d): %s%s" % (
                " ".join(map(str, args)), p.returncode, p.stderr, p.stdout))
        if json and p.returncode == 0:
            return jsonlib.loads(p.stdout)
        return p

    def enroll(self, hub, operator="Олена Коваль"):
        return self.run("enroll", "--hub", hub.url, "--token", hub.token(),
                        "--operator", operator, json=True)

    def new_case(self, i, services=None, extra=(), seed=7):
        p = person(i, seed)
        args = ["case", "new"]
        for s in services or [SERVICES[i % len(SERVICES)]]:
            args += ["--service", s]
        args += ["--surname", p["surname"], "--given-name", p["given_name"],
                 "--patronymic", p["patronymic"], "--birth-date", p["birth_date"],
                 "--tax-id", p["rnokpp"], "--phone", p["phone"],
                 "--address", "с. Підлісне, вул. Соборна, %d" % (i % 90 + 1),
                 "--doc", "id_card:%09d" % (100000000 + i), "--presented", "паспорт",
                 "--consent", "--notes", "заява %d" % i, *extra]
        c = self.run(*args, json=True)
        return c["number"], c["id"], p

    def show(self, key):
        return self.run("case", "show", key, json=True)

    def status(self):
        return self.run("status", json=True)

    def sync(self, *extra, check=True, hub=None):
        args = ["sync", *extra] + (["--hub", hub.url] if hub else [])
        return self.run(*args, check=check)
