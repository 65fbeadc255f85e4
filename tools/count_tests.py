#!/usr/bin/env python3
"""Count test cases from meson's testlog.json: cmocka binaries report their
cases ("[  PASSED  ] N test(s)."), pytest runs theirs ("3 passed, 1 failed"),
anything else (fuzz replays) counts as one case.  A meson test that failed
without a failed case in its output (a crash, a timeout) counts one failure.
Prints "N passed, M failed" last; exits 1 when anything failed or nothing ran.

  count_tests.py build/meson-logs/testlog.json [more testlog.json ...]
"""
import json
import re
import sys

CM_PASS = re.compile(r'^\[  PASSED  \] (\d+) test', re.M)
CM_FAIL = re.compile(r'^\[  FAILED  \] (\d+) test', re.M)
NODE_PASS = re.compile(r'^# pass (\d+)$', re.M)
NODE_FAIL = re.compile(r'^# fail (\d+)$', re.M)
PY_SUM = re.compile(r'^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s', re.M)


def count(entry):
    out = (entry.get('stdout') or '') + (entry.get('stderr') or '')
    ok = entry.get('result') in ('OK', 'EXPECTEDFAIL', 'SKIP')
    p = f = 0
    if CM_PASS.search(out) or CM_FAIL.search(out):
        p = sum(int(x) for x in CM_PASS.findall(out))
        f = sum(int(x) for x in CM_FAIL.findall(out))
    elif NODE_PASS.search(out):
        p = sum(int(x) for x in NODE_PASS.findall(out))
        f = sum(int(x) for x in NODE_FAIL.findall(out))
    else:
        m = PY_SUM.findall(out)
        if m:
            for part in m[-1].split(', '):
                n, word = part.split(' ', 1)
                if word.startswith('passed'):
                    p += int(n)
                elif word.startswith(('failed', 'error')):
                    f += int(n)
        else:
            return (1, 0) if ok else (0, 1)
    if not ok and f == 0:
        f = 1
    return p, f


def main():
    passed = failed = 0
    for path in sys.argv[1:]:
        try:
            lines = open(path, encoding='utf-8').read().splitlines()
        except OSError as e:
            print(f'cannot read {path}: {e}', file=sys.stderr)
            failed += 1
            continue
        for line in lines:
            if not line.strip():
                continue
            entry = json.loads(line)
            p, f = count(entry)
            if f:
                print(f"FAILED: {entry.get('name')} ({f} failed)", file=sys.stderr)
            passed += p
            failed += f
    print(f'{passed} passed, {failed} failed')
    return 1 if failed or passed == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
