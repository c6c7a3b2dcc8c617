#!/usr/bin/env python3
"""CI check of discovery accuracy: runs the benchmark (bench/accuracy/README.md) at a bounded
size and fails when a target is missed.

  accuracy_test.py GATESCOPE_BIN

GS_ACCURACY_REPORT_ONLY=1 prints the same report and always exits 0.
"""
import os
import sys

sys.dont_write_bytecode = True   # keep the source tree (tests/fixtures too) free of __pycache__
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import runner  # noqa: E402

# ---- targets --------------------------------------------------------------------------------
REQUESTS = 4000           # requests per spec and mode (every operation still gets >= 5)
SEED = 1
MIN_ENDPOINT_F1 = {       # per mode; None: reported, not enforced
    "proxy": 0.97,
    "templated": 1.0,
    "http-default": None,
}
# Targets not met yet, with the floor that guards against regressions until they are. Printed on
# every run. discourse/proxy: five enum values (/admin/users/list/{flag}.json), three category
# slugs and a few group names are vocabulary words too few to merge (see the closing note of
# issue 4); do not lower a floor to pass.
KNOWN_GAPS = {
    "discourse/proxy": 0.89,
}
MIN_BODY_RECALL = 0.95    # request + response properties, over untruncated bodies (modes with bodies)
MIN_VALID_SHARE = 1.0     # share of OpenAPI documents openapi-spec-validator accepts
MAX_DROPPED_EVENTS = 0    # discover must parse every generated event
# ---------------------------------------------------------------------------------------------


def check(results):
    failures = []
    valid = [r.get("valid") is True for r in results]
    share = sum(valid) / len(valid) if valid else 0.0
    if share < MIN_VALID_SHARE:
        bad = [f"{r['spec']}/{r['mode']}: {r.get('validation_error') or r.get('error')}" for r, v in zip(results, valid) if not v]
        failures.append(f"valid documents {share:.0%} < {MIN_VALID_SHARE:.0%}: " + "; ".join(bad))
    for r in results:
        name = f"{r['spec'].rsplit('.', 1)[0]}/{r['mode']}"
        if r.get("error"):
            failures.append(f"{name}: {r['error']}")
            continue
        target = MIN_ENDPOINT_F1.get(r["mode"])
        f1 = r["endpoints"]["f1"] or 0.0
        if target is not None and f1 < target:
            floor = KNOWN_GAPS.get(name)
            if floor is not None and f1 >= floor:
                print(f"known gap: {name}: endpoint F1 {f1:.3f} < target {target} (floor {floor})")
            else:
                failures.append(f"{name}: endpoint F1 {f1:.3f} < {target}")
        bodies = (r.get("bodies") or {}).get("all")
        if bodies is not None:
            recall = bodies["recall"]
            if recall is not None and recall < MIN_BODY_RECALL:
                failures.append(f"{name}: body-property recall {recall:.3f} < {MIN_BODY_RECALL}")
        oracle = r.get("oracle")
        if oracle and any(v is not None and v < 1.0 for v in oracle.values()):
            failures.append(f"{name}: self-check failed, the spec scored against its own truth gives {oracle} "
                            "(generator or score.py bug)")
        d = r.get("discover") or {}
        if d.get("exit") != 0:
            failures.append(f"{name}: discover exited {d.get('exit')}: {' | '.join(d.get('stderr') or [])}")
        dropped = d.get("events_dropped") or 0
        if dropped > MAX_DROPPED_EVENTS:
            failures.append(f"{name}: discover dropped {dropped} events {d.get('dropped_by_reason')}")
    return failures


def main(argv):
    if len(argv) != 2:
        sys.exit("usage: accuracy_test.py GATESCOPE_BIN")
    report_only = os.environ.get("GS_ACCURACY_REPORT_ONLY") == "1"
    t0 = time.monotonic()
    results, _ = runner.run(argv[1], REQUESTS, SEED)
    print(runner.table(results))
    failures = check(results)
    print(f"{len(results)} runs in {time.monotonic() - t0:.0f} s")
    if failures:
        print(("targets missed (GS_ACCURACY_REPORT_ONLY=1: not failing):" if report_only else "FAIL: targets missed:"))
        for f in failures:
            print("  " + f)
        return 0 if report_only else 1
    print("all accuracy targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
