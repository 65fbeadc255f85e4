#!/usr/bin/env python3
"""bench/field_ui.py — the field workstation (`mo-agent ui`), issue 11 item 5.

  /usr/bin/python3 bench/field_ui.py [--n 10000] [--reps 30] [--build build] [--json FILE]

Measures, on a laptop store holding N applications (imported, then synced
once to a real mo-hub on loopback so the store looks like a working day's):
  * list and search response of the UI's API (GET /api/cases, client-side
    wall time over http.client, median and p90 of --reps requests each: the
    first page of the list, a surname, a case number, an RNOKPP, a phone);
  * the agent's resident memory (VmRSS, VmHWM) with the UI open after those;
  * time and key presses (besides the typed values) to record one
    single-service application by keyboard alone in headless Chromium
    (bench/field_ui_keys.mjs, playwright-core from tests/browser/).
Prints a JSON object and the Markdown rows for BENCHMARKS.md.  Nothing here
asserts a time; processes are started and stopped by PID.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e", "agent"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--json")
    ap.add_argument("--no-browser", action="store_true")
    o = ap.parse_args()
    os.environ.setdefault("MO_HUB", os.path.join(o.build, "hub", "mo-hub"))
    os.environ.setdefault("MO_AGENT", os.path.join(o.build, "agent", "mo-agent"))
    import conftest  # noqa: E402  (the Hub helper of the e2e suites)
    import agentlib  # noqa: E402
    import uilib  # noqa: E402

    res = {"n": o.n, "reps": o.reps}
    with tempfile.TemporaryDirectory(prefix="mo-bench-ui-") as td:
        hub = conftest.Hub(os.path.join(td, "hub"))
        os.makedirs(hub.data)
        hub.cli("init")
        hub.cli("unit", "add", "--code", conftest.UNIT, "--name", conftest.UNIT_NAME,
                "--kind", "truck")
        hub.start()
        ui = None
        try:
            a = agentlib.Agent(os.path.join(td, "laptop"))
            a.enroll(hub, operator="Bench")
            pin = os.path.join(td, "pin")
            with open(pin, "w") as f:
                f.write("2468\n")
            if a.run("operator", "add", "Bench Two", "--pin-file", pin, check=False).returncode:
                a.run("operator", "add", "Bench Two")
            lines = [agentlib.jsonl_line(i, seed=11) for i in range(o.n)]
            path = agentlib.write_jsonl(os.path.join(td, "cases.jsonl"), lines)
            t0 = time.time()
            a.run("case", "import", path, timeout=1800)
            res["import_s"] = round(time.time() - t0, 2)
            a.run("sync", timeout=1800)
            ui = uilib.FieldUI(a.data).start()
            ui.open_session()
            r = ui.request("POST", "/api/signin", {"name": "Bench Two", "pin": "2468"})
            assert r.status == 200, r.body
            p = lines[o.n // 2]["applicant"]
            every = ui.request("GET", "/api/cases?limit=10000").json
            number = every[len(every) // 3]["number"]  # the agent numbers imported cases
            queries = {
                "list (first 200)": "/api/cases",
                "search surname": "/api/cases?q=" + uilib.quote(p["surname"].lower()),
                "search number": "/api/cases?q=" + uilib.quote(number),
                "search RNOKPP": "/api/cases?q=" + p["rnokpp"],
                "search phone": "/api/cases?q=" + uilib.quote(p["phone"]),
            }
            res["api_ms"] = {}
            for name, q in queries.items():
                ms, rows = [], 0
                for _ in range(o.reps):
                    t = time.perf_counter()
                    r = ui.request("GET", q)
                    ms.append((time.perf_counter() - t) * 1000)
                    assert r.status == 200, (q, r.status)
                    rows = len(r.json)
                ms.sort()
                res["api_ms"][name] = {"median": round(statistics.median(ms), 1),
                                       "p90": round(ms[int(len(ms) * 0.9) - 1], 1),
                                       "rows": rows}
            with open("/proc/%d/status" % ui.proc.pid) as f:
                for line in f:
                    if line.startswith(("VmRSS:", "VmHWM:")):
                        res[line.split(":")[0].lower() + "_mib"] = round(int(line.split()[1]) / 1024, 1)
            if not o.no_browser:
                out = subprocess.run(
                    ["node", os.path.join(HERE, "field_ui_keys.mjs"), ui.url.replace("/?key=", "/?key=")],
                    capture_output=True, text=True, timeout=300,
                    env=dict(os.environ, NODE_PATH=os.path.join(ROOT, "tests", "browser",
                                                                "node_modules")),
                    cwd=os.path.join(ROOT, "tests", "browser"))
                if out.returncode == 0:
                    res["keyboard"] = json.loads(out.stdout.strip().splitlines()[-1])
                else:
                    res["keyboard"] = {"error": (out.stderr or out.stdout)[-500:]}
        finally:
            if ui:
                ui.stop()
            hub.stop()
    print(json.dumps(res, ensure_ascii=False, indent=1))
    if o.json:
        with open(o.json, "w") as f:
            json.dump(res, f, ensure_ascii=False, indent=1)
    print()
    print("| field UI (%d local cases) | figure |" % o.n)
    print("| --- | --- |")
    for name, v in res["api_ms"].items():
        print("| %s | median %.1f ms, p90 %.1f ms (%d rows; target < 100 ms) |" % (
            name, v["median"], v["p90"], v["rows"]))
    print("| agent RSS, UI open | %s MiB (peak %s MiB) |" % (res.get("vmrss_mib"), res.get("vmhwm_mib")))
    k = res.get("keyboard") or {}
    if "keys" in k:
        print("| one single-service application by keyboard | %d key presses besides the typed "
              "values, %.1f s in headless Chromium |" % (k["keys"], k["seconds"]))


if __name__ == "__main__":
    main()
