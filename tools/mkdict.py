#!/usr/bin/env python3
"""mkdict.py — build the preset zlib dictionary proto/dict/case-v1.bin.

The dictionary (DESIGN.md §4, RFC 1950 FDICT) is a plain byte file that
both sides ship; a stream names it by its Adler-32 (DICTID).  It is built
from applications shaped exactly like the canonical `case` upsert change of
TEAM.md, because that is what a one-application batch carries.

Rebuild (from the repository root; needs node and python3 only):

    /usr/bin/python3 tools/mkdict.py \\
        --gen ../shared/data/gen.js --out proto/dict/case-v1.bin

It runs `node gen.js --n 2000 --seed 7` (seed 7 on purpose: the benchmark
uses seed 42, and the dictionary must not be trained on the data it is
measured with), converts each application to the canonical change, and
prints the deflate sizes (level 9) of held-out seed-42 applications with and
without the dictionary.  The output is deterministic: the same gen.js gives
the same file.  `--measure-only` measures an existing dictionary.

CHANGING THE FILE CHANGES ITS DICTID: a new dictionary must get a new name
(case-v2.bin) and be shipped beside the old one, so hubs keep inflating the
batches that laptops already sealed with the old one.

Method (a small version of zstd's COVER trainer):
  * count, for every 8-byte string (d-mer), in how many samples it occurs;
  * candidate segments are the distinct 64-byte windows of the samples;
    a segment's score is the sum of the counts of its distinct d-mers;
  * greedily take the best segment (lazy re-scoring with a heap), trim its
    ends where the d-mers are already covered, zero the counts of its
    d-mers (so no content is taken twice), until the budget is full;
  * write the segments in reverse order of choice: the most valuable end up
    at the END of the dictionary, closest to the data, where zlib's matches
    are cheapest and where they stay inside the 32 KiB window longest.
"""
import argparse
import hashlib
import heapq
import json
import os
import subprocess
import sys
import zlib

D = 8          # d-mer length
K = 64         # segment (window) length
STEP = 2       # window start positions considered
BUDGET = 32 * 1024 - 1024  # leave room so the data itself stays in the window

OPERATORS = ['Олена Коваль', 'Ірина Шевченко', 'Наталія Бондаренко', 'Оксана Ткаченко',
             'Тетяна Кравченко', 'Світлана Олійник', 'Андрій Мельник', 'Юлія Савченко',
             'Марія Руденко', 'Віктор Лисенко', 'Галина Марченко', 'Людмила Поліщук']


def _hex16(s):
    return hashlib.sha256(s.encode()).hexdigest()


def canonical(rec, i):
    """An application of gen.js as the canonical case upsert change (TEAM.md)."""
    office = rec['number'].split('-')[0]
    laptop = int(rec['agent_id'].rsplit('-', 1)[1])
    unit = '%s-T%02d' % (office, laptop)
    device = unit + 'AB'[i % 2]
    number = '%s-%s' % (device, rec['number'].split('-', 1)[1])
    op = OPERATORS[int(_hex16(rec['operator_id'])[:8], 16) % len(OPERATORS)]
    # HLC of the creation time: ms << 16 | a small counter
    from datetime import datetime, timezone
    t = datetime.strptime(rec['created_at'], '%Y-%m-%dT%H:%M:%S.%fZ')
    ms = int(t.replace(tzinfo=timezone.utc).timestamp() * 1000)
    hlc = '%016x' % (ms << 16 | (i % 3))
    a = rec['applicant']
    doc = a.get('id_document')
    applicant = {
        'surname': a['surname'], 'given_name': a['given_name'],
        'patronymic': a['patronymic'], 'birth_date': a['birth_date'],
        'rnokpp': a['rnokpp'], 'phone': a.get('phone'),
        'address': a['address'],
        'documents': [doc] if doc else [],
        'mobility': None,
    }
    fields = {
        'number': number, 'unit': unit, 'device': device,
        'trip': rec.get('trip_id'), 'operator': op,
        'created_at': rec['created_at'], 'channel': rec['channel'],
        'package': rec['package'],
        'services': [{'code': c, 'status': 'submitted'} for c in rec['service_codes']],
        'applicant': applicant,
        'documents_presented': rec['documents_presented'],
        'consent': True, 'fee_uah': rec['fee_amount'], 'notes': rec['notes'],
    }
    ch = {'n': i % 500 + 1, 'entity': 'case', 'id': rec['id'], 'op': 'upsert',
          'hlc': hlc, 'fields': fields}
    return json.dumps(ch, ensure_ascii=False, separators=(',', ':')).encode()


def batch(rec, i):
    """A one-application upload payload: a JSON array of one change."""
    return b'[' + canonical(rec, i) + b']'


def gen(genjs, n, seed, start=0):
    out = subprocess.run(['node', genjs, '--n', str(n), '--seed', str(seed),
                          '--start', str(start)],
                         check=True, capture_output=True).stdout
    return [json.loads(line) for line in out.decode().splitlines() if line.strip()]


def train(samples, budget):
    freq = {}
    for s in samples:
        for m in dict.fromkeys(s[i:i + D] for i in range(len(s) - D + 1)):
            freq[m] = freq.get(m, 0) + 1

    def score(seg):
        return sum(freq.get(m, 0) for m in dict.fromkeys(
            seg[i:i + D] for i in range(len(seg) - D + 1)))

    seen = set()
    heap = []
    order = 0
    for s in samples:
        for i in range(0, max(1, len(s) - K + 1), STEP):
            seg = s[i:i + K]
            if seg in seen:
                continue
            seen.add(seg)
            sc = score(seg)
            if sc > 0:
                heap.append((-sc, order, seg))
                order += 1
    heapq.heapify(heap)
    picked, size = [], 0
    while heap and size < budget:
        neg, o, seg = heapq.heappop(heap)
        sc = score(seg)
        if sc <= 0:
            continue
        if heap and sc < -heap[0][0]:
            heapq.heappush(heap, (-sc, o, seg))  # stale: re-queue with its new score
            continue
        # trim the ends whose d-mers are already covered or unique
        lo, hi = 0, len(seg) - D
        while lo <= hi and freq.get(seg[lo:lo + D], 0) <= 1:
            lo += 1
        while hi >= lo and freq.get(seg[hi:hi + D], 0) <= 1:
            hi -= 1
        if lo > hi:
            continue
        seg = seg[lo:hi + D]
        for i in range(len(seg) - D + 1):
            freq[seg[i:i + D]] = 0
        seg = seg[:budget - size]
        picked.append(seg)
        size += len(seg)
    # most valuable last: nearest to the data
    return b''.join(reversed(picked))


def measure(d, tests):
    plain, withd = [], []
    for t in tests:
        c = zlib.compressobj(9)
        plain.append(len(c.compress(t) + c.flush()))
        c = zlib.compressobj(9, zdict=d) if d else zlib.compressobj(9)
        withd.append(len(c.compress(t) + c.flush()))
    return plain, withd


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--gen', default=os.path.join(root, '..', 'shared', 'data', 'gen.js'))
    ap.add_argument('--out', default=os.path.join(root, 'proto', 'dict', 'case-v1.bin'))
    ap.add_argument('--n', type=int, default=2000)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--budget', type=int, default=BUDGET)
    ap.add_argument('--measure-only', action='store_true')
    a = ap.parse_args()

    if a.measure_only:
        d = open(a.out, 'rb').read()
    else:
        recs = gen(a.gen, a.n, a.seed)
        samples = [canonical(r, i) for i, r in enumerate(recs)]
        d = train(samples, a.budget)
        assert len(d) <= 32 * 1024
        with open(a.out, 'wb') as f:
            f.write(d)
    tests = [batch(r, i) for i, r in enumerate(gen(a.gen, 200, 42))]
    plain, withd = measure(d, tests)
    print('dictionary %s: %d bytes, DICTID %08x' % (a.out, len(d), zlib.adler32(d)))
    print('one application (seed 42, #0): raw %d B, deflate-9 %d B, with dictionary %d B'
          % (len(tests[0]), plain[0], withd[0]))
    print('200 applications (seed 42): mean raw %.0f B, deflate-9 %.0f B, with dictionary '
          '%.0f B (max %d B)' % (sum(map(len, tests)) / len(tests), sum(plain) / len(plain),
                                  sum(withd) / len(withd), max(withd)))


if __name__ == '__main__':
    sys.exit(main())
