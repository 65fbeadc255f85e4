"""Calls per application of the named functions, from a callgrind dump:
bench/callcount.py DUMP N FUNCTION... (used by bench/profile_apply)."""
import re, sys, collections
names = {}
calls = collections.Counter()
cur = None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"cfn=\((\d+)\)(?: (.*))?", line)
    if m:
        if m.group(2):
            names[m.group(1)] = m.group(2).strip()
        cur = names.get(m.group(1), m.group(1))
        continue
    m = re.match(r"calls=(\d+)", line)
    if m and cur:
        calls[cur] += int(m.group(1))
        cur = None
n = int(sys.argv[2])
for k in sys.argv[3:]:
    tot = sum(v for f, v in calls.items() if f == k or f.startswith(k + " ") or f.startswith(k + "'"))
    print("%-24s %8.1f calls per application" % (k, tot / n))
