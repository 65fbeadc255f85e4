"""gendata — seeded applications as JSON Lines in the format of
shared/data/gen.js (the format `mo-agent case import` reads).  Written here so
the suite does not read ../shared at run time."""

import json
import uuid

import mowire

SERVICES = ["CIV-02", "RES-01", "PAS-01", "SOC-01", "LAND-01"]
SURNAMES = ["Шевченко", "Коваль", "Бондаренко", "Ткаченко", "Кравченко", "Олійник",
	    "Мельник", "Поліщук", "Лисенко", "Гнатюк"]
GIVEN = ["Тарас", "Олена", "Іван", "Марія", "Петро", "Оксана", "Андрій", "Наталія"]


def catalogue_codes(srcdir):
	"""Single (non-package) service codes of the seed catalogue."""
	try:
		with open(f"{srcdir}/schema/catalogue.json") as f:
			cat = json.load(f)
		return [s["code"] for s in cat["services"] if not s["code"].startswith("PKG-")
			and not s.get("members")]
	except (OSError, ValueError, KeyError):
		return ["CIV-02"]


def application(rng, codes, i):
	birth = "%04d-%02d-%02d" % (rng.randrange(1930, 2005), rng.randrange(1, 13),
				    rng.randrange(1, 29))
	return {
		"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
		"number": "VN-2026-%06d" % i,
		"office_id": "00000000-0000-4000-8000-000000000000",
		"trip_id": None,
		"agent_id": "laptop-faults",
		"operator_id": "op-faults",
		"created_at": "2026-01-12T07:01:47.349Z",
		"channel": "mobile_office",
		"package": None,
		"service_codes": [rng.choice(codes)],
		"applicant": {
			"surname": rng.choice(SURNAMES), "given_name": rng.choice(GIVEN),
			"patronymic": "Іванович", "birth_date": birth,
			"rnokpp": mowire.rnokpp(birth, rng.randrange(100000)),
			"phone": "+38097%07d" % rng.randrange(10 ** 7),
			"address": {"region": "Київська", "hromada": "Білоцерківська",
				    "settlement": "Біла Церква", "postcode": "09100",
				    "street": "Шевченка", "house": str(rng.randrange(1, 200)),
				    "apartment": None},
		},
		"documents_presented": ["паспорт", "РНОКПП"],
		"status": "submitted",
		"fee_amount": 0, "fee_currency": "UAH",
		"notes": "faults %d %08x" % (i, rng.getrandbits(32)),
		"status_history": [{"status": "submitted", "at": "2026-01-12T07:01:47.349Z",
				    "by": "op-faults"}],
	}


def write(path, rng, codes, n, start=0):
	"""Write n applications; returns their ids in order."""
	ids = []
	with open(path, "w", encoding="utf-8") as f:
		for i in range(start, start + n):
			a = application(rng, codes, i)
			ids.append(a["id"])
			f.write(json.dumps(a, ensure_ascii=False) + "\n")
	return ids
