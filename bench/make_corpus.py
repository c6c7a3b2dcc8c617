#!/usr/bin/env python3
"""Writes a synthetic API Gateway access-log corpus: one CloudWatch message per line.

Deterministic for a given --seed. The mix follows what gatescope meets in practice:
  50% REST console JSON (extended with path, stage, apiId, domainName, latencies, userAgent)
  30% HTTP API JSON (routeKey, requestTimeEpoch in ms; some "$default" routes)
  10% Wallarm connector JSON ($context.path with the stage prefix, no template)
  10% REST console CLF
  ~0.5% malformed lines (truncated JSON, stray text, non-access-log JSON)
Concrete paths come from a fixed sample of ids per template, so the number of distinct
endpoints and paths is bounded whatever --events is, and is all reached by ~100k events: the
memory of a consumer that keys on them must then be flat in the event count from there on.

  python3 bench/make_corpus.py --events 1000000 --out FILE [--seed 1] [--gzip]
"""

import argparse
import base64
import gzip
import random
import sys
import time

REGION = "us-east-1"
STAGES = ("prod", "dev")
STAGE_WEIGHTS = (85, 15)
# Distinct ids (so concrete paths) of the most popular parameterized template; the others get
# fewer in proportion to their popularity, at least MIN_IDS, so that every (stage, method,
# concrete path) is seen many times by 100k events. The dev stage sees only DEV_IDS of them.
MAX_IDS = 256
MIN_IDS = 4
DEV_IDS = 4
CHUNK = 20000          # Events per write: large writes, bounded memory.
BASE_EPOCH_S = 1698414057  # 27/Oct/2023:13:40:57 +0000.

# Five APIs, ~60 templates. REST templates feed the REST JSON, CLF and Wallarm lines; HTTP
# templates feed HTTP API lines. An HTTP template marked default=True is served by the
# "$default" route, so its lines carry only the concrete path.
REST_APIS = {
    "k7x2mq9p4z": [  # Pet store.
        "GET /pets", "POST /pets", "GET /pets/{petId}", "PUT /pets/{petId}",
        "DELETE /pets/{petId}", "GET /pets/{petId}/photos", "POST /pets/{petId}/photos",
        "GET /owners/{ownerId}", "GET /owners/{ownerId}/pets", "PATCH /owners/{ownerId}",
        "GET /health", "GET /stores/{storeId}/inventory",
    ],
    "3fh8wq1lzd": [  # Accounts.
        "POST /login", "POST /logout", "GET /users", "POST /users", "GET /users/{userId}",
        "PATCH /users/{userId}", "DELETE /users/{userId}", "GET /users/{userId}/orders",
        "GET /users/{userId}/orders/{orderId}", "GET /users/{userId}/sessions",
        "DELETE /users/{userId}/sessions/{sessionId}", "PUT /users/{userId}/avatar",
        "GET /accounts/{accountId}/invoices", "GET /accounts/{accountId}/invoices/{invoiceId}",
    ],
    "p0rt4l9xq2": [  # Catalog.
        "GET /products", "GET /products/{productId}", "POST /products",
        "PUT /products/{productId}", "DELETE /products/{productId}",
        "GET /products/{productId}/reviews", "POST /products/{productId}/reviews",
        "GET /categories", "GET /categories/{categoryId}/products", "GET /search",
        "GET /files/{proxy+}", "GET /v1/prices/{sku}",
    ],
}
HTTP_APIS = {
    "n5vb7c2kd8": [  # Orders.
        "GET /orders", "POST /orders", "GET /orders/{id}", "PATCH /orders/{id}",
        "DELETE /orders/{id}", "POST /orders/{id}/cancel", "GET /orders/{id}/items",
        "GET /orders/{id}/items/{itemId}", "GET /customers/{customerId}", "POST /payments",
        "GET /payments/{paymentId}",
    ],
    "w9e4r7t2y6": [  # Webhooks, plus a legacy backend behind "$default" (marked with *).
        "POST /webhooks/stripe", "POST /webhooks/github", "GET /status",
        "*GET /legacy/reports/{reportId}", "*GET /legacy/export/{jobId}", "*POST /legacy/jobs",
        "*GET /legacy/users/{userId}/profile", "*PUT /legacy/users/{userId}/profile",
        "*DELETE /legacy/cache/{key}", "*GET /legacy/ping", "*PATCH /legacy/jobs/{jobId}",
    ],
}

USER_AGENTS = (
    ("curl/8.4.0", 20), ("okhttp/4.12.0", 15), ("python-requests/2.31.0", 15),
    ("Go-http-client/2.0", 10), ("axios/1.6.0", 10), ("PostmanRuntime/7.34.0", 5),
    ("Amazon CloudFront", 5), ("aws-sdk-java/2.21.0", 5),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/119.0.0.0 Safari/537.36", 4),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", 3),
)

# (status, weight); "ok" becomes the template's success status (201 for POST, 204 for DELETE).
STATUSES = (("ok", 880), ("400", 25), ("401", 15), ("403", 15), ("404", 30), ("429", 15),
            ("500", 12), ("502", 8))
# Statuses API Gateway answers itself, without calling the integration.
GATEWAY_ERRORS = {"401": "Unauthorized", "403": "Missing Authentication Token",
                  "429": "Too Many Requests"}
OTHER_ERRORS = {"500": "Internal server error", "502": "Internal server error"}

KINDS = ("rest_json", "http_json", "wallarm", "rest_clf", "malformed")
KIND_WEIGHTS = (4975, 2985, 995, 995, 50)

# UUID v4 variant nibble (8, 9, a or b) from any hex digit.
VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def make_id_pool(rng, n=1000):
    """Mixed id styles, as real paths carry numbers, UUIDs and slugs."""
    pool = []
    for i in range(n):
        style = i % 4
        if style < 2:
            pool.append(str(rng.randrange(1, 10 ** rng.randrange(2, 8))))
        elif style == 2:
            h = rng.randbytes(16).hex()
            pool.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
        else:
            pool.append("".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(3)) +
                        "-" + str(rng.randrange(100, 9999)))
    return pool


def concretize(template, pool, rng):
    """Replaces each {param} of `template` with ids from `pool`; {proxy+} spans segments."""
    out = []
    for seg in template.split("/"):
        if seg == "{proxy+}":
            out.append(f"docs/{rng.choice(pool)}.pdf")
        elif seg.startswith("{"):
            out.append(rng.choice(pool))
        else:
            out.append(seg)
    return "/".join(out)


class Template:
    def __init__(self, api_id, spec, rng):
        self.default_route = spec.startswith("*")
        self.method, self.path = spec.lstrip("*").split(" ", 1)
        self.api_id = api_id
        self.domain = f"{api_id}.execute-api.{REGION}.amazonaws.com"
        self.route_key = "$default" if self.default_route else f"{self.method} {self.path}"
        self.concrete = [self.path]  # Replaced by draw_ids() when the path has parameters.
        self.n_dev = 1
        self.ok = {"POST": "201", "DELETE": "204"}.get(self.method, "200")
        self.size = rng.choice((48, 120, 184, 512, 1400, 4096))  # Typical body size.

    def draw_ids(self, pool, rng, n):
        if "{" in self.path:
            self.concrete = [concretize(self.path, pool, rng) for _ in range(n)]
            self.n_dev = min(DEV_IDS, n)


def weighted(rng, items, weights, k):
    return rng.choices(items, weights=weights, k=k)


def zipf_weights(n, s=0.9):
    return [1.0 / (r + 1) ** s for r in range(n)]


class Generator:
    def __init__(self, seed):
        self.rng = rng = random.Random(seed)
        pool = make_id_pool(rng)
        self.rest = [Template(a, s, rng) for a, specs in REST_APIS.items() for s in specs]
        self.http = [Template(a, s, rng) for a, specs in HTTP_APIS.items() for s in specs]
        # Popularity: a shuffled Zipf, so that the hot endpoints are not all the first listed.
        self.rest_w = zipf_weights(len(self.rest))
        self.http_w = zipf_weights(len(self.http))
        rng.shuffle(self.rest_w)
        rng.shuffle(self.http_w)
        for templates, weights in ((self.rest, self.rest_w), (self.http, self.http_w)):
            for t, w in zip(templates, weights):
                t.draw_ids(pool, rng, max(MIN_IDS, round(MAX_IDS * w / max(weights))))
        self.ips = [f"{rng.choice((3, 18, 34, 52, 54, 81, 100, 172, 198, 203))}."
                    f"{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                    for _ in range(2000)]
        self.t_ms = BASE_EPOCH_S * 1000
        self.clf_second = -1
        self.clf_text = ""

    def clf_time(self, t_ms):
        s = t_ms // 1000
        if s != self.clf_second:  # Many events share a second: format each second once.
            tm = time.gmtime(s)
            self.clf_second = s
            self.clf_text = (f"{tm.tm_mday:02d}/{MONTHS[tm.tm_mon - 1]}/{tm.tm_year}:"
                             f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} +0000")
        return self.clf_text

    def chunk(self, n):
        """Returns (text, malformed_count) for n events."""
        rng = self.rng
        kinds = weighted(rng, KINDS, KIND_WEIGHTS, n)
        if self.t_ms == BASE_EPOCH_S * 1000:
            kinds[0] = "rest_json"  # A clean first line, for tools that sniff the format.
        statuses = weighted(rng, [s for s, _ in STATUSES], [w for _, w in STATUSES], n)
        stages = weighted(rng, STAGES, STAGE_WEIGHTS, n)
        uas = weighted(rng, [u for u, _ in USER_AGENTS], [w for _, w in USER_AGENTS], n)
        rest_t = weighted(rng, self.rest, self.rest_w, n)
        http_t = weighted(rng, self.http, self.http_w, n)
        uuids = rng.randbytes(16 * n).hex()
        ext_ids = base64.urlsafe_b64encode(rng.randbytes(12 * n)).decode()
        rand = rng.random
        ips, nips = self.ips, len(self.ips)
        lines = []
        malformed = 0
        for i in range(n):
            kind = kinds[i]
            self.t_ms += int(rand() * 60)
            t_ms = self.t_ms
            when = self.clf_time(t_ms)
            h = uuids[32 * i:32 * i + 32]
            request_id = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{VARIANT[h[16]]}{h[17:20]}-{h[20:]}"
            ext_id = ext_ids[16 * i:16 * i + 15] + "="
            ip = ips[int(rand() * nips)]
            tpl = http_t[i] if kind == "http_json" else rest_t[i]
            stage = stages[i]
            n_ids = len(tpl.concrete) if stage == "prod" else tpl.n_dev
            path = tpl.concrete[int(rand() * n_ids)]
            status = statuses[i]
            if status == "ok":
                status = tpl.ok
            if status in GATEWAY_ERRORS:
                integ_latency, integ_status = "-", "-"
                latency = 1 + int(rand() * 6)
                length = 40 + int(rand() * 30)
                error = GATEWAY_ERRORS[status]
            else:
                lat = int(rng.lognormvariate(3.4, 0.9))
                if status == "502":
                    lat = 29000 if rand() < 0.3 else lat
                integ_latency, integ_status = str(lat), status
                latency = lat + 1 + int(rand() * 12)
                length = 0 if status == "204" else int(tpl.size * (0.5 + rand()))
                error = OTHER_ERRORS.get(status, "-")

            if kind == "rest_json" or (kind == "malformed" and rand() < 0.5):
                line = (f'{{ "requestId":"{request_id}", "extendedRequestId":"{ext_id}",'
                        f'"ip": "{ip}", "caller":"-", "user":"-", "requestTime":"{when}", '
                        f'"httpMethod":"{tpl.method}", "resourcePath":"{tpl.path}", '
                        f'"status":"{status}", "protocol":"HTTP/1.1", '
                        f'"responseLength":"{length}", "path":"/{stage}{path}", '
                        f'"stage":"{stage}", "apiId":"{tpl.api_id}", '
                        f'"domainName":"{tpl.domain}", "responseLatency":"{latency}", '
                        f'"integrationLatency":"{integ_latency}", "userAgent":"{uas[i]}" }}')
                if kind == "malformed":  # Cut short, as a broken forwarder would.
                    line = line[:20 + int(rand() * (len(line) - 40))]
            elif kind == "http_json":
                route_key = tpl.route_key
                protocol = "HTTP/2.0" if rand() < 0.2 else "HTTP/1.1"
                line = (f'{{"requestId":"{ext_id}", "ip": "{ip}", "requestTime":"{when}", '
                        f'"requestTimeEpoch":"{t_ms}", "httpMethod":"{tpl.method}", '
                        f'"routeKey":"{route_key}", "path":"/{stage}{path}", '
                        f'"status":"{status}", "protocol":"{protocol}", '
                        f'"responseLength":"{length}", "stage":"{stage}", '
                        f'"apiId":"{tpl.api_id}", "integrationLatency":"{integ_latency}", '
                        f'"responseLatency":"{latency}"}}')
            elif kind == "wallarm":
                line = (f'{{ "requestId": "{request_id}", "httpMethod": "{tpl.method}", '
                        f'"path": "/{stage}{path}", "protocol": "HTTP/1.1", '
                        f'"status": "{status}", "responseLength": "{length}", '
                        f'"requestTime": "{when}", "requestTimeEpoch": "{t_ms}", '
                        f'"responseLatency": "{latency}", '
                        f'"integrationLatency": "{integ_latency}", '
                        f'"integrationStatus": "{integ_status}", "errorMessage": "{error}", '
                        f'"stage": "{stage}", "domainName": "{tpl.domain}", '
                        f'"sourceIp": "{ip}", "userAgent": "{uas[i]}" }}')
            elif kind == "rest_clf":
                line = (f'{ip} - - [{when}]"{tpl.method} {tpl.path} HTTP/1.1" {status} '
                        f'{length} {request_id} {ext_id}')
            else:  # Malformed, not JSON-shaped: stray text or a non-access-log object.
                if rand() < 0.5:
                    line = f"{when} ERROR connection reset by peer (worker {int(rand() * 64)})"
                else:
                    line = f'{{"level":"info","msg":"cache warmed","ms":{int(rand() * 900)}}}'
            if kind == "malformed":
                malformed += 1
            lines.append(line)
        lines.append("")
        return "\n".join(lines), malformed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gzip", action="store_true", help="gzip the output (level 1, fast)")
    args = ap.parse_args()

    start = time.monotonic()
    gen = Generator(args.seed)
    raw_bytes = malformed = 0
    opener = (lambda p: gzip.open(p, "wb", compresslevel=1)) if args.gzip else (
        lambda p: open(p, "wb"))
    with opener(args.out) as out:
        left = args.events
        while left > 0:
            n = min(CHUNK, left)
            text, bad = gen.chunk(n)
            data = text.encode()
            out.write(data)
            raw_bytes += len(data)
            malformed += bad
            left -= n
    secs = time.monotonic() - start
    avg = raw_bytes / args.events if args.events else 0
    print(f"make_corpus: {args.events} events ({malformed} malformed), {raw_bytes} bytes "
          f"(avg {avg:.0f}/event) -> {args.out} in {secs:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
