#!/usr/bin/env python3
"""Runs the accuracy benchmark: for each spec, generates traffic in every mode, runs
`gatescope discover` on it, scores the OpenAPI output and prints one table.
Used by run_accuracy.sh and accuracy_test.py (standard library only).

  runner.py [GATESCOPE_BIN] [REQUESTS] [--specs a,b] [--modes m1,m2] [--seed S] [--json FILE] [--keep DIR]
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True   # keep the source tree (tests/fixtures too) free of __pycache__
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import score as scoring  # noqa: E402

# The integration each API sits behind (the gateway logs differ: Lambda proxy events vs HTTP
# backends). crAPI and Discourse are servers behind a load balancer; RealWorld as Lambda.
SPECS = {"crapi": "http", "discourse": "http", "realworld-conduit": "lambda"}
MODES = ("proxy", "templated", "http-default")
DEFAULT_BIN = os.path.normpath(os.path.join(HERE, "..", "..", "build", "apps", "gatescope"))


def run_discover(gatescope, workdir):
    """discover on one mode's files; returns the inventory summary plus the stderr summary."""
    with open(os.path.join(workdir, "truth.json"), encoding="utf-8") as f:
        inputs = json.load(f)["inputs"]
    cmd = [gatescope, "discover", "--no-progress", "--openapi", os.path.join(workdir, "out.json"),
           "--inventory", os.path.join(workdir, "inventory.json")] + [os.path.join(workdir, i) for i in inputs]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.monotonic() - t0
    info = {"exit": p.returncode, "seconds": round(secs, 2), "stderr": p.stderr.strip().splitlines()}
    try:
        with open(os.path.join(workdir, "inventory.json"), encoding="utf-8") as f:
            info["summary"] = json.load(f).get("summary") or {}
    except (OSError, ValueError):
        info["summary"] = {}
    return info


def bench_spec(gatescope, spec, requests, seed, modes, root, integration):
    """Generates, discovers and scores one spec in the given modes; returns one result per mode."""
    spec_path = os.path.join(HERE, "specs", spec + ".json")
    out = os.path.join(root, spec)
    t0 = time.monotonic()
    gen = subprocess.run([sys.executable, os.path.join(HERE, "traffic_from_spec.py"), spec_path, out,
                          "--mode", ",".join(modes), "--requests", str(requests), "--seed", str(seed),
                          "--integration", integration, "--jobs", "2"], capture_output=True, text=True)
    gen_secs = time.monotonic() - t0
    if gen.returncode != 0:
        raise RuntimeError(f"traffic_from_spec.py failed on {spec}: {gen.stderr}")
    dirs = {m: (out if len(modes) == 1 else os.path.join(out, m)) for m in modes}
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        disc = dict(zip(modes, pool.map(lambda m: run_discover(gatescope, dirs[m]), modes)))
    results = []
    for m in modes:
        res = scoring.score(spec_path, os.path.join(dirs[m], "truth.json"), os.path.join(dirs[m], "out.json"))
        d = disc[m]
        s = d["summary"]
        with open(os.path.join(dirs[m], "truth.json"), encoding="utf-8") as f:
            truth = json.load(f)
        res["discover"] = {"exit": d["exit"], "seconds": d["seconds"], "events_read": s.get("events_read"),
                           "events_dropped": s.get("events_dropped"), "dropped_by_reason": s.get("dropped_by_reason"),
                           "execution_unknown_lines": s.get("execution_unknown_lines"),
                           "execution_requests_partial": sum(v for k, v in s.items() if k.startswith("execution_requests_partial")),
                           "stderr": d["stderr"][-6:]}
        res["generated_events"] = truth.get("events")
        if m == "templated":   # self-check: the spec itself, scored as if discover had written it
            o = scoring.score(spec_path, os.path.join(dirs[m], "truth.json"), spec_path)
            res["oracle"] = {"endpoint_f1": o["endpoints"]["f1"], "query_recall": (o.get("query") or {}).get("recall"),
                             "body_precision": o["bodies"]["all"]["precision"], "body_recall": o["bodies"]["all"]["recall"]}
        res["integration"] = truth["api"].get("integration")
        results.append(res)
    return results, gen_secs, time.monotonic() - t0


def f3(x):
    return "  -  " if x is None else f"{x:.3f}"


def table(results):
    head = ("spec", "mode", "endpoint P", "R", "F1", "over-gen", "over-spec", "query P", "R", "body P", "R", "valid", "drops")
    rows = []
    for r in results:
        if r.get("error"):
            rows.append((r["spec"].rsplit(".", 1)[0], r["mode"], "ERROR", "", "", "", "", "", "", "", "", "no", "-"))
            continue
        e, q, b = r["endpoints"], r.get("query"), (r.get("bodies") or {}).get("all")
        fp, fn = r["false_positives"], r["false_negatives"]
        og = f"{fp['over_general']}/{fn['over_general']}"
        os_ = f"{fp['over_specific']}/{fn['over_specific']}"
        d = r.get("discover") or {}
        rows.append((r["spec"].rsplit(".", 1)[0], r["mode"], f3(e["precision"]), f3(e["recall"]), f3(e["f1"]), og, os_,
                     f3(q and q["precision"]), f3(q and q["recall"]), f3(b and b["precision"]), f3(b and b["recall"]),
                     {True: "yes", False: "NO", None: "?"}[r.get("valid")], str(d.get("events_dropped", "?"))))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    out = [line(head), line(["-" * w for w in widths])] + [line(r) for r in rows]
    out.append("over-gen / over-spec: produced templates that generalise / specialise a spec one (FP) / spec "
               "operations reached only that way (FN). Body P/R: request and response properties together; "
               "recall over untruncated bodies.")
    return "\n".join(out)


def run(gatescope, requests, seed=1, specs=None, modes=MODES, keep=None, log=sys.stderr):
    specs = specs or list(SPECS)
    root = keep or tempfile.mkdtemp(prefix="gs-accuracy-")
    results, timings = [], {}
    try:
        for spec in specs:
            res, gen_secs, total = bench_spec(gatescope, spec, requests, seed, list(modes), root, SPECS.get(spec, "auto"))
            timings[spec] = {"generate_seconds": round(gen_secs, 1), "total_seconds": round(total, 1),
                             "discover_seconds": {r["mode"]: r["discover"]["seconds"] for r in res}}
            disc = ", ".join(f"{r['mode']} {r['discover']['seconds']} s" for r in res)
            print(f"  {spec}: {requests} requests/mode, generated in {gen_secs:.1f} s, total {total:.1f} s "
                  f"(discover {disc})", file=log)
            for r in res:
                d = r["discover"]
                if d["exit"] != 0 or d["events_dropped"] or d["execution_unknown_lines"] or d["execution_requests_partial"]:
                    print(f"  WARNING {spec}/{r['mode']}: discover exit {d['exit']}, dropped {d['events_dropped']} "
                          f"{d['dropped_by_reason']}, unknown lines {d['execution_unknown_lines']}, "
                          f"partial requests {d['execution_requests_partial']}", file=log)
            results += res
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return results, timings


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gatescope", nargs="?", default=DEFAULT_BIN)
    ap.add_argument("requests", nargs="?", type=int, default=20000)
    ap.add_argument("--specs", default=",".join(SPECS))
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write every metric to this file")
    ap.add_argument("--keep", help="keep the generated logs and outputs under this directory")
    ap.add_argument("--details", action="store_true", help="print each run's full report (examples of errors)")
    args = ap.parse_args(argv)
    if not os.access(args.gatescope, os.X_OK):
        sys.exit(f"gatescope binary not found or not executable: {args.gatescope}")
    t0 = time.monotonic()
    results, timings = run(args.gatescope, args.requests, args.seed, args.specs.split(","), args.modes.split(","), args.keep)
    if args.details:
        for r in results:
            scoring.print_report(r)
    print(table(results))
    print(f"total {time.monotonic() - t0:.1f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"requests": args.requests, "seed": args.seed, "timings": timings, "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
