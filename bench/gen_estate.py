#!/usr/bin/env python3
"""Writes a large API estate as Amazon API Gateway REST access logs: N distinct gateway-templated
endpoints (distinct `resourcePath`s) over several APIs and stages, for the dashboard benchmark
(bench/dashboard_bench.mjs).

  gen_estate.py OUTDIR [--endpoints 10000] [--apis 12] [--seed 1] [--now-ms MS] [--lines-per-file 40000]

Each line is an access-log JSON event in the format of bench/accuracy's REST stages (the console
JSON format extended with apiId, stage, domainName, path, userAgent, requestTimeEpoch, latencies):
`resourcePath` is the resource template, `path` the concrete `$context.path` (`/<stage>/...`).
Every endpoint gets 1-40 requests (Zipf-like), spread over the 60 days before --now-ms (default:
now), so the estate has new, active and long-unseen endpoints. Files: OUTDIR/estate-NNN.log, plus
OUTDIR/estate.json (endpoint count, requests, files). Deterministic for a given seed and now.
Python 3 standard library only.
"""
import argparse
import json
import os
import random
import time
import uuid

RESOURCES = [
    "users", "accounts", "orders", "invoices", "payments", "customers", "products", "carts", "shipments",
    "addresses", "subscriptions", "plans", "coupons", "reviews", "tickets", "comments", "projects", "tasks",
    "teams", "members", "roles", "permissions", "devices", "sessions", "tokens", "webhooks", "events",
    "reports", "exports", "imports", "files", "images", "videos", "playlists", "albums", "tracks", "posts",
    "threads", "messages", "notifications", "channels", "workspaces", "vehicles", "drivers", "routes",
    "stores", "warehouses", "inventory", "suppliers", "contracts", "claims", "policies", "quotes", "leads",
    "campaigns", "segments", "audiences", "metrics", "alerts", "incidents", "deployments", "builds",
    "releases", "artifacts", "repositories", "branches", "commits", "pipelines", "jobs", "runs", "logs",
]
ACTIONS = ["status", "history", "summary", "settings", "preview", "download", "approve", "cancel",
           "refund", "archive", "restore", "verify", "export", "sync", "stats", "audit", "lock", "unlock"]
METHODS = ["GET", "GET", "GET", "POST", "PUT", "PATCH", "DELETE"]
API_NAMES_STAGES = [["prod"], ["prod", "staging"], ["v1"], ["prod", "dev"], ["live"], ["prod"], ["v2", "v1"], ["prod"]]
REGIONS = ["eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2"]
AGENTS = ["okhttp/4.12.0", "python-requests/2.31.0", "axios/1.6.7", "Go-http-client/2.0", "curl/8.5.0",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def api_id(r):
    return "".join(r.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))


def clf_time(ms):
    t = time.gmtime(ms // 1000)
    return f"{t.tm_mday:02d}/{MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"


def templates(r):
    """Yields distinct (method, resource template) pairs, shallow ones first, then deeper nestings."""
    seen = set()
    res = RESOURCES[:]
    r.shuffle(res)

    def emit(tmpl, methods):
        for m in methods:
            if (m, tmpl) not in seen:
                seen.add((m, tmpl))
                yield m, tmpl

    for a in res:
        yield from emit(f"/{a}", ["GET", "POST"])
        yield from emit(f"/{a}/{{{a[:-1]}Id}}", ["GET", "PUT", "PATCH", "DELETE"])
    for a in res:
        for act in ACTIONS:
            yield from emit(f"/{a}/{{{a[:-1]}Id}}/{act}", [r.choice(METHODS)])
    for a in res:
        for b in res:
            if a != b:
                yield from emit(f"/{a}/{{{a[:-1]}Id}}/{b}", ["GET", "POST"])
                yield from emit(f"/{a}/{{{a[:-1]}Id}}/{b}/{{{b[:-1]}Id}}", ["GET", "DELETE"])
    for a in res:
        for b in res:
            for act in ACTIONS:
                if a != b:
                    yield from emit(f"/{a}/{{{a[:-1]}Id}}/{b}/{{{b[:-1]}Id}}/{act}", [r.choice(METHODS)])


def concrete(tmpl, r):
    out = []
    for seg in tmpl.split("/"):
        if seg.startswith("{"):
            kind = r.random()
            out.append(str(r.randint(1, 99999)) if kind < 0.6 else (str(uuid.UUID(int=r.getrandbits(128), version=4)) if kind < 0.85
                       else "".join(r.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(12))))
        else:
            out.append(seg)
    return "/".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--endpoints", type=int, default=10000)
    ap.add_argument("--apis", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--now-ms", type=int, default=0, help="the estate's now (default: the clock)")
    ap.add_argument("--days", type=int, default=60, help="traffic spread over this many days before now")
    ap.add_argument("--lines-per-file", type=int, default=40000)
    args = ap.parse_args(argv)
    r = random.Random(args.seed)
    now = args.now_ms or int(time.time() * 1000)
    os.makedirs(args.outdir, exist_ok=True)

    # APIs and their stages; endpoints are split over them unevenly (a few big APIs).
    stages = []
    for i in range(args.apis):
        aid = api_id(r)
        region = REGIONS[i % len(REGIONS)]
        for st in API_NAMES_STAGES[i % len(API_NAMES_STAGES)]:
            stages.append((aid, st, region))
    weights = [1.0 / (k + 1) ** 0.7 for k in range(len(stages))]
    per_stage = [[] for _ in stages]
    gens = [templates(random.Random(args.seed * 1000 + k)) for k in range(len(stages))]
    for _ in range(args.endpoints):
        for _attempt in range(len(stages)):
            k = r.choices(range(len(stages)), weights)[0]
            try:
                per_stage[k].append(next(gens[k]))
                break
            except StopIteration:
                weights[k] = 0.0
        else:
            raise SystemExit("the templates ran out: raise --apis")

    events = []
    for k, eps in enumerate(per_stage):
        aid, st, region = stages[k]
        domain = f"{aid}.execute-api.{region}.amazonaws.com"
        for rank, (method, tmpl) in enumerate(eps):
            n = max(1, min(40, int(40 / (1 + rank % 97) ** 0.8 * r.random()) + 1))
            # Most endpoints stay active; some stopped 8-60 days ago; some are new.
            roll = r.random()
            if roll < 0.12:
                hi, lo = now - r.randint(8, args.days) * 86400000, None
            elif roll < 0.2:
                hi, lo = now, now - r.randint(1, 6) * 86400000
            else:
                hi, lo = now, None
            lo = lo if lo is not None else now - args.days * 86400000
            lo = min(lo, hi - 3600000)
            for _ in range(n):
                t = r.randint(lo, hi - 1000)
                status = 200 if r.random() < 0.93 else r.choice([400, 401, 403, 404, 404, 409, 429, 500, 502, 504])
                lat = int(r.lognormvariate(3.5, 0.8)) + 1
                rid = str(uuid.UUID(int=r.getrandbits(128), version=4))
                events.append((t, {
                    "requestId": rid, "extendedRequestId": rid[:8].upper() + "=", "apiId": aid, "stage": st,
                    "domainName": domain, "ip": f"{r.randint(11, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                    "userAgent": r.choice(AGENTS), "requestTime": clf_time(t), "requestTimeEpoch": str(t),
                    "httpMethod": method, "resourcePath": tmpl, "path": f"/{st}{concrete(tmpl, r)}", "protocol": "HTTP/1.1",
                    "status": str(status), "responseLength": str(r.randint(2, 5000)), "responseLatency": str(lat),
                    "integrationLatency": str(max(1, lat - 2)), "integrationStatus": str(status), "errorMessage": "-"}))
    events.sort(key=lambda e: e[0])
    files = []
    for i in range(0, len(events), args.lines_per_file):
        name = f"estate-{len(files):03d}.log"
        with open(os.path.join(args.outdir, name), "w") as f:
            for _, e in events[i:i + args.lines_per_file]:
                f.write(json.dumps(e, separators=(",", ":")) + "\n")
        files.append(name)
    summary = {"endpoints": args.endpoints, "requests": len(events), "stages": len(stages),
               "apis": args.apis, "now_ms": now, "files": files}
    with open(os.path.join(args.outdir, "estate.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
