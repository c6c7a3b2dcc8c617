#!/usr/bin/env python3
"""Writes realistic Amazon API Gateway logs of traffic against an OpenAPI 3.0/3.1 spec, plus a
ground-truth file, for the discovery accuracy benchmark (see README.md here).

  traffic_from_spec.py SPEC OUTDIR --mode proxy|templated|http-default [--requests N] [--seed S]
                       [--day-start-ms MS]   (the day the traffic spreads over; default 2025-03-11)

--mode takes one mode, a comma-separated list or `all`; with more than one, each mode goes to
OUTDIR/<mode>/ and all modes carry the very same traffic (same requests, ids and times).

  proxy         REST API whose only resource is ANY /{proxy+}: access-log JSON lines with
                resourcePath "/{proxy+}" and the concrete $context.path (stage prefix included),
                plus REST execution logs with full request/response data tracing (subscription
                payloads), each event cut at 1 KB exactly as API Gateway does.
  templated     the same traffic on a REST API with one resource per spec path: resourcePath and
                the execution log's resource carry the spec template.
  http-default  HTTP API with only the $default route: access-log JSON lines only (routeKey
                "$default"), so no headers, query strings or bodies.

Files: OUTDIR/access.log (one access-log event per line, as exported), OUTDIR/execution.ndjson
(REST modes: CloudWatch subscription payloads, one per line), OUTDIR/access-log-format.txt (the
stage's format string), OUTDIR/truth.json. Deterministic for a given spec, seed and size.

REST execution lines are produced by tests/fixtures/execution/generate.py (its `emit`, `Lines`
1 KB cut, event ids and filter-log-events shapes); this file only supplies the request models.
"""
import argparse
import base64
import heapq
import json
import math
import os
import random
import re
import sys

sys.dont_write_bytecode = True   # keep the source tree (tests/fixtures too) free of __pycache__
import uuid
import zlib
from bisect import bisect
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "fixtures", "execution"))

import generate as gen  # noqa: E402  (tests/fixtures/execution/generate.py)
import vocab as V  # noqa: E402
from speclib import JsonMap, Spec, esc, normalize_template, value_pointers  # noqa: E402

MODES = ("proxy", "templated", "http-default")
DAY_START_MS = 1741651200000          # 2025-03-11T00:00:00Z: the day the traffic is spread over
T0_OFFSET = DAY_START_MS - gen.ERA_T0["2023"]   # generate.py counts t0 from its 2023 era origin
LIMIT = gen.LIMIT                     # 1024: execution-log event text after "(<id>) "
REQ_BODY_LABEL = "Method request body before transformations: "
RESP_BODY_LABEL = "Method response body after transformations: "
MISSING = object()

REST_ACCESS_FORMAT = (
    '{"requestId":"$context.requestId","extendedRequestId":"$context.extendedRequestId",'
    '"apiId":"$context.apiId","stage":"$context.stage","domainName":"$context.domainName",'
    '"ip":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent",'
    '"requestTime":"$context.requestTime","requestTimeEpoch":"$context.requestTimeEpoch",'
    '"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","path":"$context.path",'
    '"protocol":"$context.protocol","status":"$context.status","responseLength":"$context.responseLength",'
    '"responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency",'
    '"integrationStatus":"$context.integrationStatus","errorMessage":"$context.error.message"}')
HTTP_ACCESS_FORMAT = (
    '{"requestId":"$context.requestId","apiId":"$context.apiId","stage":"$context.stage",'
    '"domainName":"$context.domainName","ip":"$context.identity.sourceIp",'
    '"userAgent":"$context.identity.userAgent","requestTime":"$context.requestTime",'
    '"requestTimeEpoch":"$context.requestTimeEpoch","httpMethod":"$context.httpMethod",'
    '"routeKey":"$context.routeKey","path":"$context.path","protocol":"$context.protocol",'
    '"status":"$context.status","responseLength":"$context.responseLength",'
    '"responseLatency":"$context.responseLatency","integrationLatency":"$context.integrationLatency",'
    '"integrationStatus":"$context.integrationStatus","errorMessage":"$context.error.message"}')
CTX_VAR = re.compile(r"\$context\.[A-Za-z0-9_.]*[A-Za-z0-9_]")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PATH_SAFE = "-._~!$&'()*+,;=:@%"


def h01(*parts):
    """A stable number in [0, 1) from strings (per-property probabilities, per-op latencies)."""
    return zlib.crc32("\x1f".join(map(str, parts)).encode()) / 2 ** 32


class Zipf:
    """Ranks 0..n-1 with P(k) ~ 1/(k+1)^s."""

    def __init__(self, n, s):
        acc, self.cum = 0.0, []
        for k in range(n):
            acc += 1.0 / (k + 1) ** s
            self.cum.append(acc)

    def draw(self, r):
        return min(bisect(self.cum, r.random() * self.cum[-1]), len(self.cum) - 1)


def clf_time(ms):
    y, mo, d = gen.civil(ms // 86400000)
    t = gen.iso(ms)[11:19]
    return f"{d:02d}/{MONTHS[mo - 1]}/{y}:{t} +0000"


# ----------------------------------------------------------------------------- values
class Values:
    """Realistic scalar values chosen from a name (property, parameter) and a schema."""

    def __init__(self, r):
        self.r = r
        self._kinds, self._gen = {}, self._generators()

    # --- building blocks
    def hexs(self, n):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    def alnum(self, n, alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"):
        return "".join(self.r.choices(alphabet, k=n))

    def uuid(self):
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def b64(self, nbytes, urlsafe=False):
        raw = self.r.getrandbits(8 * nbytes).to_bytes(nbytes, "big")
        return (base64.urlsafe_b64encode(raw) if urlsafe else base64.b64encode(raw)).decode()

    def ip(self):
        r = self.r
        return f"{r.choice([24, 31, 37, 46, 62, 73, 81, 86, 89, 92, 98, 104, 109, 151, 172, 176, 185, 188, 195, 203, 212])}." \
               f"{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

    def first(self):
        return self.r.choice(V.FIRST_NAMES)

    def last(self):
        return self.r.choice(V.LAST_NAMES)

    def person(self):
        return f"{self.first().capitalize()} {self.last().capitalize()}"

    def username(self):
        r, f, l = self.r, self.first(), self.last()
        style = r.random()
        if style < 0.22:
            return f
        if style < 0.38:
            return f[0] + l
        if style < 0.50:
            return f"{f}_{l[0]}"
        if style < 0.62:
            return f"{f}{r.randint(1960, 2008)}"
        if style < 0.72:
            return f"{f}.{l}"
        if style < 0.82:
            return f"{f}{r.randint(1, 99)}"
        if style < 0.88:
            return f"{f}-{l}"
        if style < 0.93:
            return f"{f.capitalize()}{l.capitalize()}"
        return f"{f}_{l}"

    def email(self, user=None):
        r = self.r
        local = user or r.choice([f"{self.first()}.{self.last()}", self.username(), f"{self.first()}{r.randint(1, 999)}"])
        return f"{local.lower()}@{r.choice(V.EMAIL_DOMAINS)}"

    def title(self):
        r = self.r
        t = r.choice(V.TITLE_TEMPLATES).format(n=r.choice(V.NOUNS), a=r.choice(V.ADJECTIVES), k=r.randint(3, 15),
                                               t=r.choice(V.TECH), t2=r.choice(V.TECH), v=r.choice(V.VERBS))
        return t[0].upper() + t[1:]

    def slug(self, title=None):
        s = re.sub(r"[^a-z0-9]+", "-", (title or self.title()).lower()).strip("-")
        x = self.r.random()
        if x < 0.15:
            s += f"-{self.r.randint(1, 9)}"
        elif x < 0.30:
            s += "-" + self.alnum(6, "abcdefghijklmnopqrstuvwxyz0123456789")
        return s

    def sentence(self, lo=6, hi=18):
        w = self.r.choices(V.SENTENCE_WORDS, k=self.r.randint(lo, hi))
        return (" ".join(w)).capitalize() + self.r.choice([".", ".", ".", "?", "!"])

    def paragraph(self):
        return " ".join(self.sentence() for _ in range(self.r.randint(1, 4)))

    def dt(self, spread_days=700):
        ms = DAY_START_MS - int(self.r.random() * spread_days * 86400000)
        return gen.iso(ms)

    def filename(self, style=None):
        r = self.r
        t = gen.iso(DAY_START_MS - r.randint(0, 400) * 86400000 - r.randint(0, 86399999))
        d, hms = t[:10], t[11:19].replace(":", "")
        styles = [
            f"backup-{d}.tar.gz", f"discourse-{d}-{hms}-v{gen.iso(DAY_START_MS - r.randint(400, 900) * 86400000 - r.randint(0, 86399999))[:19].replace('-', '').replace(':', '').replace('T', '')}.tar.gz",
            f"forum-{d}-{hms[:4]}.sql.gz", f"site-backup-{d}.zip"]
        return styles[style % len(styles)] if style is not None else r.choice(styles)

    def upload_name(self):
        r = self.r
        return r.choice([f"IMG_{r.randint(1000, 9999)}.jpg", f"photo-{r.randint(1, 300)}.png", f"Screenshot {gen.iso(DAY_START_MS)[:10]} at {r.randint(1, 12)}.{r.randint(10, 59)}.{r.randint(10, 59)}.png",
                         f"video_{r.randint(100, 999)}.mp4", f"scan{r.randint(1, 40)}.pdf", "avatar.png"])

    def url(self, key=""):
        r = self.r
        if "avatar" in key:
            return f"/user_avatar/forum.example.com/{self.username()}/{{size}}/{r.randint(10, 99999)}_2.png"
        if "image" in key or "picture" in key or "logo" in key or "icon" in key:
            return f"https://cdn.example.com/images/{self.hexs(12)}.{r.choice(['png', 'jpg', 'webp'])}"
        return r.choice([f"https://example.com/{self.slug()}", f"https://www.{r.choice(V.NOUNS)}.com/",
                         f"https://docs.example.org/{r.choice(V.TECH)}/{self.slug()}"])

    def vin(self):
        return "".join(self.r.choices("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", k=17))

    def shaped_like(self, example):
        """A random value of the same shape as an example id ('tiSTSUzh4BwtvYSLWPsqu9' -> 22 chars)."""
        ex = str(example)
        if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", ex.lower()):
            return self.uuid()
        if ex.isdigit():
            return str(self.r.randint(1, 10 ** max(2, len(ex))))
        alpha = ""
        if any(c.islower() for c in ex):
            alpha += "abcdefghijkmnopqrstuvwxyz"
        if any(c.isupper() for c in ex):
            alpha += "ABCDEFGHJKLMNPQRSTUVWXYZ"
        if any(c.isdigit() for c in ex):
            alpha += "23456789"
        out = "".join(c if not c.isalnum() else self.r.choice(alpha or "abcdef0123456789") for c in ex)
        return out

    # --- by name and schema
    PERSON_CTX = re.compile(r"user|author|profile|owner|member|mechanic|poster|person|customer|contact")
    DATE_KEY = re.compile(r"(_at|_on|^date|_date|time|^created|^updated|expires|last_seen|^before$|^after$)")

    def string_kind(self, k, fmt, person, ex):
        """What a string named k (lower case) with format fmt holds."""
        if fmt == "date-time" or (not fmt and self.DATE_KEY.search(k) and "timezone" not in k and "times" not in k):
            return "datetime"
        if fmt == "date":
            return "date"
        if fmt == "email" or "email" in k:
            return "email"
        if fmt == "uuid" or k in ("uuid", "guid"):
            return "uuid"
        if fmt in ("uri", "url") or k.endswith("url") or k.endswith("_link") or k.endswith("template") or \
                k in ("link", "href", "website", "image", "avatar", "picture", "photo", "logo", "icon", "thumbnail"):
            return "url"
        if fmt == "ipv4" or k in ("ip", "ip_address", "ipaddress", "registration_ip_address"):
            return "ip"
        if fmt == "byte":
            return "byte"
        if fmt == "decimal" or k in ("price", "amount"):
            return "decimal"
        if fmt == "binary":
            return "upload"
        if fmt == "password" or "password" in k:
            return "password"
        if "username" in k or k in ("login", "author", "acting_username", "target_username", "attending_user", "favorited"):
            return "username"
        if k in ("full_name", "display_name", "fullname", "real_name") or (k == "name" and person):
            return "person"
        if k in ("nickname", "nick", "handle", "screen_name"):
            return "username"
        if k in ("latitude", "lat"):
            return "lat"
        if k in ("longitude", "lng", "lon"):
            return "lng"
        if k in ("first_name", "firstname"):
            return "first"
        if k in ("last_name", "lastname", "surname"):
            return "last"
        if k in ("slug",) or k.endswith("_slug"):
            return "slug"
        if k in ("title", "subject", "fancy_title", "topic_title", "headline"):
            return "title"
        if k in ("raw", "body", "content", "bio_raw"):
            return "paragraph"
        if k in ("message", "description", "bio", "details", "excerpt", "text", "comment", "reason", "problem_details",
                 "note", "notes", "summary", "blurb", "about", "reply"):
            return "sentence"
        if k in ("cooked", "bio_cooked", "html") or k.endswith("_html"):
            return "html"
        if "token" in k or k in ("secret", "api_key", "key", "nonce", "signature", "csrf"):
            return "token"
        if k in ("otp", "pin", "pincode", "code_otp"):
            return "pin"
        if k in ("phone", "number", "phone_number", "mobile"):
            return "phone"
        if k == "vin":
            return "vin"
        if "color" in k or "colour" in k:
            return "color"
        if k in ("locale", "language", "lang"):
            return "locale"
        if "timezone" in k or k == "tz":
            return "timezone"
        if k in ("city", "location"):
            return "city"
        if k in ("country", "country_code"):
            return "country"
        if k in ("currency",):
            return "currency"
        if k in ("status", "state"):
            return "status"
        if "filename" in k or k in ("file", "file_name", "original_filename"):
            return "upload"
        if k in ("provider", "auth_provider"):
            return "provider"
        if k.endswith("_id") or k == "id" or k.endswith("id"):
            return "shaped" if isinstance(ex, str) and len(ex) >= 12 and ex.isalnum() else "numstr"
        if "code" in k:
            return "code"
        if "tag" in k:
            return "tag"
        if k in ("name", "model", "make", "type", "kind", "category", "group", "role"):
            return "label"
        if k in ("version", "app_version"):
            return "version"
        if isinstance(ex, str) and ex:
            return "example"
        return "words"

    def string(self, key, schema, ptr=""):
        r = self.r
        fmt = (schema.get("format") or "").lower()
        ex = schema.get("example")
        if ex is not None and isinstance(ex, str) and r.random() < 0.2:
            return ex
        k = key.lower()
        person = k in ("name", "full_name", "display_name", "fullname") and bool(self.PERSON_CTX.search(ptr.lower()))
        ck = (k, fmt, person, ex if isinstance(ex, str) else None)
        kind = self._kinds.get(ck)
        if kind is None:
            kind = self._kinds[ck] = self.string_kind(k, fmt, person, ex)
        return self._gen[kind](k, ex)

    def _generators(self):
        r = self.r
        return {
            "datetime": lambda k, ex: self.dt(), "date": lambda k, ex: self.dt()[:10],
            "email": lambda k, ex: self.email(), "uuid": lambda k, ex: self.uuid(), "url": lambda k, ex: self.url(k),
            "ip": lambda k, ex: self.ip(), "byte": lambda k, ex: self.b64(r.randint(6, 24)),
            "decimal": lambda k, ex: f"{r.randint(1, 500)}.{r.choice(['00', '50', '99', '25'])}",
            "upload": lambda k, ex: self.upload_name(),
            "password": lambda k, ex: r.choice([f"{r.choice(V.NOUNS).capitalize()}{r.randint(10, 2025)}!",
                                                self.alnum(r.randint(10, 16)), f"{self.first()}{r.randint(100, 999)}#{r.choice(V.NOUNS)}"]),
            "username": lambda k, ex: self.username(), "person": lambda k, ex: self.person(),
            "first": lambda k, ex: self.first().capitalize(), "last": lambda k, ex: self.last().capitalize(),
            "slug": lambda k, ex: self.slug(), "title": lambda k, ex: self.title(),
            "paragraph": lambda k, ex: self.paragraph(), "sentence": lambda k, ex: self.sentence(),
            "html": lambda k, ex: f"<p>{self.sentence()}</p>", "token": lambda k, ex: self.hexs(r.choice([32, 40, 64])),
            "pin": lambda k, ex: f"{r.randint(0, 9999):04d}", "phone": lambda k, ex: f"{r.randint(6, 9)}{r.randint(0, 999999999):09d}",
            "vin": lambda k, ex: self.vin(), "color": lambda k, ex: self.hexs(6),
            "lat": lambda k, ex: f"{r.uniform(-60, 70):.6f}", "lng": lambda k, ex: f"{r.uniform(-150, 150):.6f}",
            "locale": lambda k, ex: r.choice(["en", "en_GB", "de", "fr", "es", "pt_BR", "ja", "zh_CN"]),
            "timezone": lambda k, ex: r.choice(["America/New_York", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "UTC", "America/Los_Angeles"]),
            "city": lambda k, ex: r.choice(V.CITIES).capitalize(),
            "country": lambda k, ex: r.choice(["US", "GB", "DE", "FR", "IN", "BR", "JP", "CA"]),
            "currency": lambda k, ex: r.choice(["USD", "EUR", "GBP"]),
            "status": lambda k, ex: r.choice(["active", "pending", "completed", "delivered", "returned", "open", "closed"]),
            "provider": lambda k, ex: r.choice(["google_oauth2", "github", "facebook", "twitter", "discord", "apple", "oidc"]),
            "shaped": lambda k, ex: self.shaped_like(ex), "numstr": lambda k, ex: str(r.randint(1, 99999)),
            "code": lambda k, ex: f"{r.choice(['TRAC', 'MECH', 'PROMO', 'SAVE'])}{r.randint(10, 999)}",
            "tag": lambda k, ex: r.choice(V.TAGS),
            "label": lambda k, ex: r.choice([r.choice(V.NOUNS).capitalize(), f"{r.choice(V.ADJECTIVES).capitalize()} {r.choice(V.NOUNS)}",
                                             r.choice(V.TECH).capitalize()]),
            "version": lambda k, ex: f"{r.randint(1, 4)}.{r.randint(0, 20)}.{r.randint(0, 9)}",
            "example": lambda k, ex: ex if r.random() < 0.3 else self.shaped_like(ex) if len(ex) >= 8 and ex.isalnum()
            else " ".join(r.choices(V.SENTENCE_WORDS, k=r.randint(1, 3))),
            "words": lambda k, ex: r.choice([" ".join(r.choices(V.SENTENCE_WORDS, k=r.randint(1, 3))), r.choice(V.NOUNS), self.title()]),
        }

    def integer(self, key, schema):
        r, k = self.r, key.lower()
        lo, hi = schema.get("minimum"), schema.get("maximum")
        ex = schema.get("example")
        if isinstance(ex, int) and not isinstance(ex, bool) and r.random() < 0.15:
            v = ex
        elif k in ("limit", "per_page", "page_size", "size"):
            v = r.choice([10, 20, 25, 30, 50, 100])
        elif k == "offset":
            v = r.choice([0, 0, 0, 10, 20, 30, 50, 100, 200])
        elif k in ("page",):
            v = min(int(r.expovariate(0.4)), 40)
        elif "count" in k or k.startswith("num_") or k in ("views", "likes", "posts", "reads", "score", "total"):
            v = int(r.expovariate(1 / 40))
        elif k in ("trust_level",):
            v = r.randint(0, 4)
        elif k in ("status", "status_code", "code"):
            v = r.choice([200, 200, 200, 200, 201, 400, 403, 404, 500])
        elif k in ("year",):
            v = r.randint(2012, 2025)
        elif k.endswith("id") or k.endswith("_ids") or k == "id":
            v = int(math.exp(r.uniform(0, math.log(200000))))
        elif "level" in k or "position" in k or "order" in k or "priority" in k:
            v = r.randint(0, 10)
        else:
            v = int(r.expovariate(1 / 50))
        if isinstance(lo, (int, float)) and v < lo:
            v = int(lo) + r.randint(0, 3)
        if isinstance(hi, (int, float)) and v > hi:
            v = int(hi) - r.randint(0, min(3, max(0, int(hi) - int(lo or 0))))
        return v

    def number(self, key, schema):
        r, k = self.r, key.lower()
        if k.endswith("id") or k.endswith("_ids") or any(x in k for x in ("count", "number_of", "repeats", "quantity", "year", "age", "status")):
            return self.integer(key, schema)    # JSON numbers that are whole in practice
        if k in ("lat", "latitude"):
            return round(r.uniform(-60, 70), 6)
        if k in ("lng", "lon", "longitude"):
            return round(r.uniform(-150, 150), 6)
        v = round(r.uniform(0, 500), 2) if any(x in k for x in ("price", "amount", "credit", "cost", "balance")) \
            else round(r.expovariate(1 / 20), 3)
        lo, hi = schema.get("minimum"), schema.get("maximum")
        if isinstance(lo, (int, float)) and v < lo:
            v = lo
        if isinstance(hi, (int, float)) and v > hi:
            v = hi
        return v


# ----------------------------------------------------------------------------- bodies
class Bodies:
    """JSON values from JSON Schemas: $ref, allOf, oneOf/anyOf (one picked), nullable and 3.1 type
    lists, enums, formats, examples; optional properties appear with a probability fixed per
    property; arrays hold 0-4 items.

    Every log line that shows a body is cut at 1 KB, so generation stops once about BUDGET
    characters exist (the body is then known to be cut in the logs): what the logs show is
    exactly the prefix a complete generation would have given. `stopped` tells the caller."""
    BUDGET = 1300

    def __init__(self, spec, r, values, salt):
        self.spec, self.r, self.v, self.salt = spec, r, values, salt
        self.size, self.stopped = 0, False
        self._merged, self._plans = {}, {}

    def body(self, schema, ctx):
        """(value, stopped) of one body."""
        self.size, self.stopped = 0, False
        v = self.value(schema, "", "", ctx)
        return ({} if v is MISSING else v), self.stopped

    def scalar(self, key, v):
        self.size += len(key) + (len(v) if isinstance(v, str) else 5) + 4
        return v

    def merged(self, schema, stack):
        """Resolves $ref and folds allOf into one schema (properties and required united); cached."""
        key = (id(schema), stack)
        hit = self._merged.get(key)
        if hit is None:
            hit = self._merged[key] = self._merge(schema, stack)
        return hit

    def _merge(self, schema, stack):
        schema, stack = self.spec.resolve(schema, stack)
        if not isinstance(schema, dict):
            return schema, stack
        if "allOf" not in schema:
            return schema, stack
        out = {k: v for k, v in schema.items() if k != "allOf"}
        props, req = dict(out.get("properties") or {}), list(out.get("required") or [])
        for sub in schema["allOf"]:
            sub, _ = self.merged(sub, stack)
            if not isinstance(sub, dict):
                continue
            for k, v in sub.items():
                if k == "properties":
                    props.update(v)
                elif k == "required":
                    req += v
                elif k not in out:
                    out[k] = v
        if props:
            out["properties"] = props
            out.setdefault("type", "object")
        if req:
            out["required"] = req
        return out, stack

    def object_plan(self, schema, ptr, ctx):
        """[(name, schema, pointer, probability of being present)] of an object schema."""
        req = set(schema.get("required") or [])
        plan = []
        for name, sub in (schema.get("properties") or {}).items():
            subr = self.spec.deref(sub)
            if isinstance(subr, dict) and ((ctx == "request" and subr.get("readOnly")) or (ctx == "response" and subr.get("writeOnly"))):
                continue
            p = ptr + "/" + esc(name)
            plan.append((name, sub, p, 1.0 if name in req else 0.2 + 0.75 * h01(self.salt, p, "present")))
        return plan

    def node(self, schema, ptr, ctx, stack):
        """What value() needs to know about one schema at one pointer, computed once."""
        schema, stack = self.merged(schema, stack)
        if schema is None:
            return None
        if not isinstance(schema, dict) or not schema:
            return {"t": "any", "stack": stack, "schema": {}}
        n = {"schema": schema, "stack": stack}
        for alt in ("oneOf", "anyOf"):
            if schema.get(alt):
                rest = {k: v for k, v in schema.items() if k != alt}
                choices = []
                for pick in schema[alt]:
                    if rest.get("properties"):
                        pick, _ = self.merged(pick, stack)
                        if isinstance(pick, dict):
                            pick = dict(pick, properties={**rest["properties"], **(pick.get("properties") or {})},
                                        required=list(rest.get("required") or []) + list(pick.get("required") or []))
                    choices.append(pick)
                n.update(t="alt", choices=choices)
                return n
        types = schema.get("type")
        types = [types] if isinstance(types, str) else list(types or [])
        nullable = "null" in types or schema.get("nullable") is True
        types = [t for t in types if t != "null"]
        n["pnull"] = (0.1 + 0.4 * h01(self.salt, ptr, "null")) if nullable else 0.0
        if "const" in schema:
            n["t"], n["const"] = "const", schema["const"]
            return n
        enum = [e for e in schema.get("enum") or [] if e is not None]
        if enum:
            n["t"], n["enum"] = "enum", enum
            return n
        t = types[0] if types else ("object" if "properties" in schema else "array" if "items" in schema else "string")
        n["t"] = t
        if t == "object":
            n["plan"] = self.object_plan(schema, ptr, ctx)
            ap = schema.get("additionalProperties")
            n["map"] = ap if not schema.get("properties") and isinstance(ap, dict) and ap else None
        elif t == "array":
            n["lo"] = int(schema.get("minItems") or 0)
            items = schema.get("items")
            n["items"] = items if isinstance(items, dict) else {}
        elif t == "boolean":
            n["ptrue"] = h01(self.salt, ptr, "true")
        return n

    def value(self, schema, key, ptr, ctx, stack=(), depth=0):
        r = self.r
        ck = (id(schema), ptr, ctx, stack)
        n = self._plans.get(ck, MISSING)
        if n is MISSING:
            n = self._plans[ck] = self.node(schema, ptr, ctx, stack)
        if n is None:
            return MISSING
        t, stack = n["t"], n["stack"]
        if t == "any":
            return self.scalar(key, self.v.string(key, {}, ptr) if r.random() < 0.7 else self.v.integer(key, {}))
        if t == "alt":
            choices = n["choices"]
            pick = choices[0] if r.random() < 0.6 else r.choice(choices)
            return self.value(pick, key, ptr, ctx, stack, depth + 1)
        if n["pnull"] and r.random() < n["pnull"]:
            return self.scalar(key, None)
        if t == "const":
            return self.scalar(key, n["const"])
        if t == "enum":
            enum = n["enum"]
            return self.scalar(key, enum[min(int(r.expovariate(1.2)), len(enum) - 1)])
        schema = n["schema"]
        if t == "object":
            obj = {}
            if depth > 9:
                return obj
            self.size += len(key) + 4
            for name, sub, p, prob in n["plan"]:
                if self.size > self.BUDGET:
                    self.stopped = True
                    break
                if prob >= 1.0 or r.random() < prob:
                    v = self.value(sub, name, p, ctx, stack, depth + 1)
                    if v is not MISSING:
                        obj[name] = v
            ap = n["map"]
            if ap is not None:
                obj = JsonMap()
                for _ in range(r.randint(0, 3)):
                    k2 = str(r.randint(1, 500)) if r.random() < 0.5 else r.choice(V.TAGS)
                    v = self.value(ap, k2, ptr + "/" + esc(k2), ctx, stack, depth + 1)
                    if v is not MISSING:
                        obj[k2] = v
            return obj
        if t == "array":
            if depth > 9:
                return []
            lo = n["lo"]
            cnt = r.randint(lo, max(lo, 4))
            items, out, ip = n["items"], [], ptr + "/items"
            self.size += len(key) + 4
            for _ in range(cnt):
                if self.size > self.BUDGET:
                    self.stopped = True
                    break
                v = self.value(items, key, ip, ctx, stack, depth + 1)
                if v is not MISSING:
                    out.append(v)
            return out
        if t == "integer":
            return self.scalar(key, self.v.integer(key, schema))
        if t == "number":
            return self.scalar(key, self.v.number(key, schema))
        if t == "boolean":
            ex = schema.get("example")
            if isinstance(ex, bool) and r.random() < 0.2:
                return self.scalar(key, ex)
            return self.scalar(key, r.random() < n["ptrue"])
        s = self.v.string(key, schema, ptr)
        lo, hi = schema.get("minLength"), schema.get("maxLength")
        if isinstance(hi, int) and len(s) > hi:
            s = s[:hi]
        if isinstance(lo, int) and len(s) < lo:
            s += self.v.alnum(lo - len(s))
        return self.scalar(key, s)


# ----------------------------------------------------------------------------- path parameters
class Pool:
    """Values of one path parameter (shared by the operations of the same resource), drawn Zipf-like."""

    def __init__(self, values, s, r):
        self.values, self.zipf, self.r = values, Zipf(len(values), s), r

    def draw(self):
        return self.values[self.zipf.draw(self.r)]


def param_kind(name, schema, example, prefix):
    k = name.lower()
    t = schema.get("type")
    t = [x for x in t if x != "null"][0] if isinstance(t, list) else t
    if schema.get("enum"):
        return "enum"
    if schema.get("format") == "uuid" or (isinstance(example, str) and re.fullmatch(r"[0-9a-fA-F-]{36}", example)):
        return "uuid"
    if t in ("integer", "number"):
        return "int"
    if "filename" in k or k in ("file", "file_name"):
        return "filename"
    if "token" in k or k in ("key", "secret", "code"):
        return "token"
    if k == "provider":
        return "provider"
    if "username" in k or k in ("user", "login", "author", "handle"):
        return "username"
    if "slug" in k:
        return "category" if "categor" in prefix.lower() or prefix.startswith("/c/") else "slug"
    if k.endswith("external_id"):
        return "external_id"
    if k == "id" or k.endswith("_id") or k.endswith("id"):
        if isinstance(example, str) and len(example) >= 12 and example.isalnum():
            return "shaped"
        return "int"
    if k in ("name", "tag", "group", "category"):
        pl = prefix.lower()
        return "tag" if "tag" in pl else "group" if "group" in pl else "category" if "categor" in pl or pl.startswith("/c/") else "word"
    return "shaped" if isinstance(example, str) and len(example) >= 8 else "word"


def make_pool(kind, schema, example, uses, r, values):
    if kind == "enum":
        vals = [str(e).lower() if isinstance(e, bool) else str(e) for e in schema["enum"] if e is not None]
        r.shuffle(vals)
        return Pool(vals, r.uniform(0.5, 1.0), r)
    if kind == "provider":
        vals = ["google_oauth2", "github", "facebook", "twitter", "discord", "apple", "oidc", "saml", "linkedin",
                "microsoft_office365", "gitlab", "yahoo", "cognito", "auth0", "okta", "keycloak", "azure_ad", "wordpress",
                "patreon", "steam"]
        r.shuffle(vals)
        return Pool(vals, 1.3, r)
    size = max(20, min(2000, int(uses * r.uniform(0.15, 0.6))))
    s = r.uniform(0.6, 1.15)
    if kind == "token":      # one-time tokens: mostly fresh
        size, s = max(20, min(2000, uses)), 0.05
    seen, vals = set(), []
    if kind == "int":
        top = max(size * 2, int(10 ** r.uniform(2, 5.5)))
    ext_style = r.choice(["numeric", "uuid", "prefixed", "hex"])
    style = [r.randrange(4), r.randrange(4)]         # a site names its files one or two ways
    tok_hex = r.random() < 0.6
    for _ in range(size * 3):
        if len(vals) >= size:
            break
        if kind == "int":
            v = str(r.randint(1, top))
        elif kind == "uuid":
            v = values.uuid()
        elif kind == "filename":
            v = values.filename(style[0] if r.random() < 0.8 else style[1])
        elif kind == "token":
            v = values.hexs(32) if tok_hex else values.b64(24, urlsafe=True).rstrip("=")
        elif kind == "username":
            v = values.username()
        elif kind == "slug":
            v = values.slug()
        elif kind == "category":
            v = r.choice(V.TAGS) if len(vals) < len(V.TAGS) * 0.7 else f"{r.choice(V.TAGS)}-{r.choice(V.NOUNS)}"
        elif kind == "external_id":
            v = {"numeric": lambda: str(r.randint(1000, 9999999)), "uuid": values.uuid,
                 "prefixed": lambda: "usr_" + values.alnum(14), "hex": lambda: values.hexs(24)}[ext_style]()
        elif kind == "tag":
            v = r.choice(V.TAGS) if len(vals) < len(V.TAGS) * 0.8 else f"{r.choice(V.TECH)}-{r.choice(V.TAGS)}"
        elif kind == "group":
            v = r.choice(V.GROUP_NAMES) if len(vals) < len(V.GROUP_NAMES) * 0.8 else f"{r.choice(V.NOUNS)}-{r.choice(['team', 'club', 'group', 'squad'])}"
        elif kind == "shaped":
            v = values.shaped_like(example)
        else:
            v = r.choice([r.choice(V.NOUNS), r.choice(V.TECH), f"{r.choice(V.ADJECTIVES)}-{r.choice(V.NOUNS)}"])
        if v not in seen:
            seen.add(v)
            vals.append(v)
    if example is not None and not isinstance(example, (dict, list)) and str(example) not in seen:
        vals.insert(r.randint(0, len(vals)), str(example))   # the spec's example: one value among others
    return Pool(vals, s, r)


# ----------------------------------------------------------------------------- clients and headers
class Client:
    __slots__ = ("kind", "ua", "ip", "lang", "accept", "ctype", "compact", "country", "extra", "mobile")


def make_clients(n, r, vals, app):
    out = []
    for _ in range(n):
        c = Client()
        x = r.random()
        c.kind = "browser" if x < 0.42 else "mobile" if x < 0.62 else "script" if x < 0.9 else "tool"
        c.ip, c.country = vals.ip(), r.choice(["US", "US", "US", "GB", "DE", "IN", "FR", "BR", "CA", "JP", "NL", "PL"])
        c.lang = r.choice(["en-US,en;q=0.9", "en-GB,en;q=0.9", "de-DE,de;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9,en;q=0.8",
                           "en-US,en;q=0.9,es;q=0.8", "pt-BR,pt;q=0.9", "ja,en-US;q=0.9"])
        c.extra, c.mobile, c.compact = [], False, True
        if c.kind == "browser":
            c.ua = r.choice(V.BROWSER_UAS)
            c.mobile = "Mobile" in c.ua
            c.accept = r.choice(["application/json, text/plain, */*", "*/*", "application/json"])
            c.ctype = "application/json" if "text/plain" not in c.accept else r.choice(["application/json", "application/json;charset=UTF-8"])
        elif c.kind == "mobile":
            c.ua = r.choice([f"{app}/{r.randint(1, 5)}.{r.randint(0, 20)}.{r.randint(0, 9)} (iPhone; iOS {r.randint(16, 18)}.{r.randint(0, 4)}; Scale/3.00)",
                             "okhttp/4.12.0", "okhttp/4.9.3", f"{app}/{r.randint(100, 400)} CFNetwork/1568.100.1 Darwin/24.0.0",
                             "Dart/3.5 (dart:io)", f"{app.lower()}-android/{r.randint(1, 5)}.{r.randint(0, 20)}.{r.randint(0, 9)}"])
            c.mobile = True
            c.accept = r.choice(["application/json", "*/*", "application/json, text/plain, */*"])
            c.ctype = "application/json; charset=utf-8" if "okhttp" in c.ua else "application/json"
        elif c.kind == "script":
            c.ua = r.choice(V.SCRIPT_UAS)
            c.accept = "*/*" if "python" in c.ua.lower() or "Go-http" in c.ua else r.choice(["application/json", "application/json, text/plain, */*"])
            c.ctype = "application/json"
            c.compact = "python" not in c.ua.lower()      # json.dumps() default separators: ", " and ": "
            if r.random() < 0.3:
                c.extra.append(("x-correlation-id", None))
        else:
            c.ua = r.choice(V.TOOL_UAS)
            c.accept = "*/*"
            c.ctype = "application/json"
            c.compact = r.random() < 0.5
            if c.ua.startswith("Postman"):
                c.extra += [("Postman-Token", None), ("Cache-Control", "no-cache")]
        out.append(c)
    return out


# ----------------------------------------------------------------------------- the traffic model
class Api:
    def __init__(self, name, r, vals, integration):
        self.name = name
        self.id = "".join(r.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=10))
        self.stage = r.choice(["prod", "v1", "live", "production"])
        self.region = r.choice(["us-east-1", "eu-west-1", "eu-central-1", "us-west-2", "ap-southeast-2"])
        self.acct = str(r.randint(100000000000, 999999999999))
        self.integration = integration
        self.endpoint = r.choice(["EDGE", "REGIONAL"])
        self.domain = f"{self.id}.execute-api.{self.region}.amazonaws.com"
        self.http_id = "".join(r.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=10))
        self.http_domain = f"{self.http_id}.execute-api.{self.region}.amazonaws.com"
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:20]
        self.fn = f"{slug}-api-AppFunction-{vals.alnum(12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}"
        self.backend = f"http://internal-{slug[:12]}-alb-{r.randint(100000000, 999999999)}.{self.region}.elb.amazonaws.com"

    def gen_api(self, mode):
        """The API dict generate.py's emit() expects."""
        return gen.api(self.id, self.stage, self.region, self.acct, self.fn if self.integration == "lambda" else None,
                       [], backend=self.backend if self.integration == "http" else None)


def day_times(n, r):
    """n request times (ms) over one day, busier in the afternoon (UTC), sorted."""
    hours = [0.25 + 0.75 * (1 + math.sin((h - 9) / 24 * 2 * math.pi)) / 2 for h in range(24)]
    z, cum = 0.0, []
    for w in hours:
        z += w
        cum.append(z)
    out = []
    for _ in range(n):
        h = min(bisect(cum, r.random() * z), 23)
        out.append(DAY_START_MS + h * 3600000 + int(r.random() * 3600000))
    out.sort()
    return out


def allocate(n_total, weights, minimum):
    """Largest-remainder split of n_total over weights, each at least `minimum`."""
    n = len(weights)
    rest = max(0, n_total - minimum * n)
    z = sum(weights)
    raw = [rest * w / z for w in weights]
    counts = [minimum + int(x) for x in raw]
    left = n_total - sum(counts)
    for i in sorted(range(n), key=lambda i: raw[i] - int(raw[i]), reverse=True)[:max(0, left)]:
        counts[i] += 1
    return counts


def response_choices(spec, op, r, salt):
    """[(status, weight, response object)] from the spec's responses: mostly the 2xx."""
    resp = op.get("responses") or {}
    out = []
    codes = [c for c in resp if re.fullmatch(r"[1-5]\d\d", str(c))]
    two = [c for c in codes if str(c).startswith("2")]
    for c in codes:
        obj = spec.deref(resp[c]) or {}
        if str(c).startswith("2"):
            w = 90.0 if c == two[0] else 6.0
        elif str(c).startswith("3"):
            w = 90.0 if not two else 2.0
        elif str(c).startswith("4"):
            w = 0.5 + 3.5 * h01(salt, op.get("operationId"), c)
        else:
            w = 0.1 + 0.5 * h01(salt, op.get("operationId"), c)
        out.append((int(c), w, obj))
    if not out:
        out = [(200, 1.0, spec.deref(resp.get("default")) or {})]
    return out


def pick_media(content):
    """(media type as sent, schema, is_json) for a response/request content map."""
    if not content:
        return None, None, False
    for mt in content:
        if mt.split(";")[0].strip().lower() == "application/json" or mt.endswith("+json"):
            return mt, (content[mt] or {}).get("schema"), True
    mt = next(iter(content))
    return mt, (content[mt] or {}).get("schema"), False


class Traffic:
    """Builds every request of the benchmark once; the renderers turn it into each mode's logs."""

    def __init__(self, spec_path, n_requests, seed, noise_share, gw_error_share, integration):
        self.spec_path = spec_path
        self.spec = Spec.load(spec_path)
        self.name = os.path.basename(spec_path).rsplit(".", 1)[0]
        salt = f"{seed}:{self.name}"
        self.salt = salt
        self.r = r = random.Random(f"traffic:{salt}")
        self.vals = Values(r)
        self.bodies = Bodies(self.spec, r, self.vals, salt)
        if integration == "auto":
            integration = "lambda" if zlib.crc32(self.name.encode()) % 2 else "http"
        info = self.spec.doc.get("info") or {}
        self.api = Api(info.get("title") or self.name, r, self.vals, integration)
        self.app = re.sub(r"[^A-Za-z]", "", (info.get("title") or self.name).split()[0]) or "App"
        self.ops = self.spec.operations()
        self.n_noise = int(round(n_requests * noise_share))
        n_api = n_requests - self.n_noise
        if n_api < 5 * len(self.ops):
            sys.exit(f"{n_requests} requests: need at least {5 * len(self.ops) + self.n_noise} for {len(self.ops)} operations")
        # Popularity: Zipf over a random order in which reads tend to come first.
        bias = {"GET": 1.0, "POST": 0.45, "PUT": 0.35, "PATCH": 0.35, "DELETE": 0.2}
        order = sorted(range(len(self.ops)), key=lambda i: r.random() * bias.get(self.ops[i][0], 0.2), reverse=True)
        s = r.uniform(0.9, 1.2)
        weights = [0.0] * len(self.ops)
        for rank, i in enumerate(order):
            weights[i] = 1.0 / (rank + 1) ** s
        self.counts = allocate(n_api, weights, 5)
        self.gw_error_share = gw_error_share
        self._prepare_ops()
        self.clients = make_clients(max(40, n_requests // 35), r, self.vals, self.app)
        self.client_zipf = Zipf(len(self.clients), 1.05)
        self.streams = [self.vals.hexs(32) for _ in range(6)]
        self.proxy_res_id = self.vals.alnum(6, "abcdefghijklmnopqrstuvwxyz0123456789")
        self.requests, self._tokens = [], {}
        self._build(n_requests)

    # --- per-operation preparation: pools, statuses, latency
    def _prepare_ops(self):
        r, spec = self.r, self.spec
        uses, meta = {}, []
        for i, (method, tmpl, op, params) in enumerate(self.ops):
            for p in params:
                if p["in"] == "path":
                    key = self.pool_key(tmpl, p)
                    uses[key] = uses.get(key, 0) + self.counts[i]
        self.pools = {}
        for i, (method, tmpl, op, params) in enumerate(self.ops):
            m = {"path": [], "query": [], "header": [], "responses": response_choices(spec, op, r, self.salt)}
            for p in params:
                schema = spec.deref(p.get("schema")) or {}
                example = p.get("example", schema.get("example"))
                if p["in"] == "path":
                    prefix = tmpl[:tmpl.find("{" + p["name"] + "}")]
                    key = self.pool_key(tmpl, p)
                    if key not in self.pools:
                        kind = param_kind(p["name"], schema, example, prefix)
                        self.pools[key] = make_pool(kind, schema, example, uses[key], r, self.vals)
                    m["path"].append((p["name"], self.pools[key]))
                elif p["in"] == "query":
                    prob = 1.0 if p.get("required") else 0.08 + 0.7 * h01(self.salt, tmpl, method, p["name"])
                    m["query"].append((p["name"], schema, example, prob))
                elif p["in"] == "header":
                    m["header"].append((p["name"], schema, example, 1.0 if p.get("required") else 0.5))
            rb = spec.deref(op.get("requestBody"))
            m["body"] = None
            if rb and rb.get("content"):
                mt, schema, is_json = pick_media(rb["content"])
                always = rb.get("required") or method in ("POST", "PUT", "PATCH")
                m["body"] = (mt, schema, is_json, 1.0 if always else 0.2 + 0.3 * h01(self.salt, tmpl, method, "body"))
            m["latency"] = math.exp(r.uniform(math.log(12), math.log(260)))
            m["res_id"] = self.vals.alnum(6, "abcdefghijklmnopqrstuvwxyz0123456789")
            m["secured"] = bool(op.get("security", spec.doc.get("security")))
            meta.append(m)
        self.meta = meta

    def pool_key(self, tmpl, p):
        """Operations on one resource share its parameter's values; usernames come from one user base."""
        schema = self.spec.deref(p.get("schema")) or {}
        prefix = tmpl[:tmpl.find("{" + p["name"] + "}")]
        if param_kind(p["name"], schema, p.get("example", schema.get("example")), prefix) == "username":
            return ("*users*", "username")
        return (prefix, p["name"])

    def query_value(self, name, schema, example):
        r, k = self.r, name.lower()
        t = schema.get("type")
        t = [x for x in t if x != "null"][0] if isinstance(t, list) else t
        enum = [e for e in schema.get("enum") or [] if e is not None]
        if example is not None and not isinstance(example, (dict, list)) and r.random() < 0.15:
            v = example
        elif enum:
            v = enum[min(int(r.expovariate(1.0)), len(enum) - 1)]
        elif t == "boolean" or k in ("ascending", "asc", "show_emails", "stats", "include_details"):
            v = r.choice(["true", "false"])
        elif t in ("integer", "number"):
            v = self.vals.integer(name, schema)
        elif k == "q" or k == "query" or k == "search" or k == "term":
            v = r.choice([r.choice(V.TECH), f"{r.choice(V.TECH)} {r.choice(V.NOUNS)}", f"{r.choice(V.NOUNS)} {r.choice(V.SENTENCE_WORDS)}",
                          f"@{self.vals.username()}", f"#{r.choice(V.TAGS)} {r.choice(V.NOUNS)}", f"tags:{r.choice(V.TAGS)}"])
        elif k in ("order", "sort", "order_by"):
            v = r.choice(["created", "activity", "views", "posts", "likes", "op_likes", "category", "posters"])
        elif k == "period":
            v = r.choice(["all", "yearly", "quarterly", "monthly", "weekly", "daily"])
        elif k == "filter":
            v = r.choice(["4,5", "5", "4", "1", "1,2", "6,7"])
        elif k == "tag":
            v = r.choice(V.TAGS)
        elif k in ("mechanic_code",):
            v = f"TRAC_MECH{r.randint(1, 9)}"
        else:
            v = self.vals.string(name, schema)
        if isinstance(v, bool):
            v = "true" if v else "false"
        return str(v)

    def headers_for(self, c, m, body_ctype, t_ms):
        """Method request headers as API Gateway logs them (Authorization left out: generate.py README)."""
        r, vals, a = self.r, self.vals, self.api
        edge = a.endpoint == "EDGE"
        tsec = t_ms // 1000
        root = f"1-{tsec:08x}-{vals.hexs(24)}"
        h = [("Host", a.domain), ("User-Agent", c.ua), ("Accept", c.accept),
             ("X-Amzn-Trace-Id", f"Root={root}"), ("X-Forwarded-Port", "443"), ("X-Forwarded-Proto", "https")]
        if edge:
            h.append(("X-Forwarded-For", f"{c.ip}, {r.choice(['15.158', '130.176', '64.252', '70.132', '3.172'])}.{r.randint(0, 255)}.{r.randint(1, 254)}"))
            h += [("CloudFront-Forwarded-Proto", "https"), ("CloudFront-Is-Desktop-Viewer", "false" if c.mobile else "true"),
                  ("CloudFront-Is-Mobile-Viewer", "true" if c.mobile else "false"), ("CloudFront-Is-SmartTV-Viewer", "false"),
                  ("CloudFront-Is-Tablet-Viewer", "false"), ("CloudFront-Viewer-ASN", str(r.choice([7922, 3320, 2856, 16509, 15169, 701, 3215]))),
                  ("CloudFront-Viewer-Country", c.country), ("Via", f"2.0 {vals.hexs(32)}.cloudfront.net (CloudFront)"),
                  ("X-Amz-Cf-Id", vals.b64(42, urlsafe=True)[:54] + "==")]
        else:
            h.append(("X-Forwarded-For", c.ip))
        if c.kind == "browser":
            h += [("Accept-Encoding", "gzip, deflate, br, zstd"), ("Accept-Language", c.lang),
                  ("origin", f"https://www.{self.app.lower()}.example.com"), ("referer", f"https://www.{self.app.lower()}.example.com/"),
                  ("sec-fetch-dest", "empty"), ("sec-fetch-mode", "cors"), ("sec-fetch-site", "same-site")]
            if "Chrome" in c.ua:
                h += [("sec-ch-ua", '"Not(A:Brand";v="99", "Google Chrome";v="133", "Chromium";v="133"'),
                      ("sec-ch-ua-mobile", "?1" if c.mobile else "?0"), ("sec-ch-ua-platform", '"Android"' if c.mobile else '"Windows"')]
        elif c.kind == "mobile":
            h += [("Accept-Encoding", "gzip"), ("Accept-Language", c.lang.split(",")[0])]
        elif c.kind == "script":
            h.append(("Accept-Encoding", "gzip, deflate" if "python" in c.ua.lower() else "gzip"))
            if "python" in c.ua.lower():
                h.append(("Connection", "keep-alive"))
        for name, value in c.extra:
            h.append((name, value or vals.uuid()))
        for name, schema, example, prob in m["header"]:
            if r.random() < prob:
                k = name.lower()
                if k == "accept":
                    h = [x for x in h if x[0] != "Accept"] + [("Accept", str(example or "*/*"))]
                elif "key" in k:
                    h.append((name, vals.hexs(64)))
                elif "username" in k:
                    h.append((name, r.choice(["system", "admin", vals.username()])))
                else:
                    h.append((name, self.query_value(name, schema, example)))
        if body_ctype:
            h.append(("Content-Type", body_ctype))
        if c.kind != "tool":
            r.shuffle(h)
        return h, root

    def multipart(self, c, schema, stack=()):
        r, vals = self.r, self.vals
        boundary = ("----WebKitFormBoundary" + vals.alnum(16)) if c.kind == "browser" else vals.hexs(32)
        schema = self.spec.deref(schema) or {}
        parts = []
        for name, sub in (schema.get("properties") or {"file": {"type": "string", "format": "binary"}}).items():
            sub = self.spec.deref(sub) or {}
            if sub.get("format") == "binary":
                fname = vals.upload_name()
                ctype = {"jpg": "image/jpeg", "png": "image/png", "mp4": "video/mp4", "pdf": "application/pdf"}.get(fname.rsplit(".", 1)[-1], "application/octet-stream")
                data = "\ufffd" * 3 + "".join(r.choices("\ufffd\ufffd\ufffdABCDEFGHIJ0123456789abcdef!#$%&()*+,-.:;<=>?@[]^_`{|}~ ", k=r.randint(900, 3000)))
                parts.append(f'Content-Disposition: form-data; name="{name}"; filename="{fname}"\r\nContent-Type: {ctype}\r\n\r\n{data}')
            else:
                parts.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{vals.string(name, sub)}')
        body = "".join(f"--{boundary}\r\n{p}\r\n" for p in parts) + f"--{boundary}--\r\n"
        return body, f"multipart/form-data; boundary={boundary}"

    def _build(self, n_requests):
        r = self.r
        plan = [i for i, n in enumerate(self.counts) for _ in range(n)] + [-1] * self.n_noise
        r.shuffle(plan)
        times = day_times(len(plan), r)
        rids = set()
        for t_ms, oi in zip(times, plan):
            c = self.clients[self.client_zipf.draw(r)]
            q = self._noise(c, t_ms) if oi < 0 else self._request(oi, c, t_ms)
            while q["rid"] in rids:
                q["rid"] = self.vals.uuid()
            rids.add(q["rid"])
            self.requests.append(q)

    def _ids(self):
        vals = self.vals
        return dict(rid=vals.uuid(), ext=vals.b64(11).rstrip("=")[:15] + "=", lrid=vals.uuid(),
                    http_rid=vals.alnum(8) + "IAM" + self.r.choice("EFG") + vals.alnum(3) + "=")

    def _request(self, oi, c, t_ms):
        r, vals, spec = self.r, self.vals, self.spec
        method, tmpl, op, params = self.ops[oi]
        m = self.meta[oi]
        pp, path = {}, tmpl
        for name, pool in m["path"]:
            v = pool.draw()
            pp[name] = v
            path = path.replace("{" + name + "}", quote(v, safe=PATH_SAFE.replace("%", "")), 1)
        query = [(name, self.query_value(name, schema, ex)) for name, schema, ex, prob in m["query"] if r.random() < prob]
        body = body_ct = None
        req_json = None
        if m["body"] and r.random() < m["body"][3]:
            mt, schema, is_json, _ = m["body"]
            if is_json:
                req_json, stopped = self.bodies.body(schema, "request")
                body = json.dumps(req_json, separators=(",", ":") if c.compact else (", ", ": "))
                body_ct = c.ctype
            elif mt.startswith("multipart/"):
                body, body_ct = self.multipart(c, schema)
            else:
                body, body_ct = vals.sentence(), mt
        statuses = m["responses"]
        cum = self._cum(statuses)
        st, _, robj = statuses[min(bisect(cum, r.random() * cum[-1]), len(statuses) - 1)]
        mt, schema, is_json = pick_media(robj.get("content"))
        resp_json, resp_len = None, None
        if st in (204, 304) or method == "HEAD" or mt is None:
            resp, resp_ct = "", None
        elif is_json or (mt == "*/*" and (self.spec.deref(schema) or {}).get("type") in ("object", "array")):
            resp_json, stopped = self.bodies.body(schema, "response") if schema else ({}, False)
            resp, resp_ct, is_json = json.dumps(resp_json, separators=(",", ":")), "application/json", True
            if stopped:   # the rest of a body the logs cut anyway: only its length is needed
                resp_len = int(len(resp.encode()) * r.uniform(1.5, 12))
        elif mt == "text/calendar":
            resp, resp_ct = self._ics(), "text/calendar"
        elif mt in ("", "*/*") and (self.spec.deref(schema) or {}).get("format") == "binary":
            resp = "\ufffdPNG\r\n\x1a\n" + "".join(r.choices("\ufffd\ufffdIHDRabcdefghijklmnop0123456789", k=r.randint(400, 1500)))
            resp_ct = "image/png"
        else:
            resp, resp_ct = ("Internal Server Error" if st >= 500 else vals.sentence()), (mt if mt not in ("", "*/*") else "text/plain")
        kind = "ok"
        if r.random() < self.gw_error_share:
            kind = "fn_error" if self.api.integration == "lambda" and r.random() < 0.6 else "timeout"
        lat = max(2, int(m["latency"] * math.exp(r.gauss(0, 0.45))))
        if self.api.integration == "lambda" and r.random() < 0.01:
            lat += r.randint(250, 1800)    # cold start
        headers, root = self.headers_for(c, m, body_ct, t_ms)
        q = dict(op=oi, method=method, template=tmpl, path=path, pp=pp, query=query, headers=headers, root=root,
                 body=body, body_ct=body_ct, req_json=req_json, status=st, resp=resp, resp_ct=resp_ct, resp_json=resp_json,
                 resp_len=resp_len or len(resp.encode()),
                 req_ptrs=value_pointers(req_json) if req_json is not None else None,
                 resp_ptrs=value_pointers(resp_json) if resp_json is not None else None,
                 kind=kind, latency=lat, t=t_ms, ip=c.ip, ua=c.ua, noise=False, stream=r.choice(self.streams),
                 overhead=r.randint(1, 14))
        q.update(self._ids())
        return q

    def _cum(self, statuses):
        acc, out = 0.0, []
        for _, w, _ in statuses:
            acc += w
            out.append(acc)
        return out

    def _ics(self):
        ev = "".join(f"BEGIN:VEVENT\r\nUID:{self.vals.uuid()}\r\nDTSTART:{self.vals.dt(30).replace('-', '').replace(':', '')[:15]}Z\r\n"
                     f"SUMMARY:{self.vals.title()}\r\nEND:VEVENT\r\n" for _ in range(self.r.randint(0, 4)))
        return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Discourse//EN\r\n{ev}END:VCALENDAR\r\n"

    def _noise(self, c, t_ms):
        r, vals = self.r, self.vals
        x = r.random()
        if x < 0.7:
            path = r.choice(V.SCANNER_PATHS)
        elif x < 0.85:
            path = "/" + "/".join(r.choice(V.SCANNER_WORDS) for _ in range(r.randint(1, 3)))
        else:
            path = f"/{r.choice(V.SCANNER_WORDS)}/{r.choice([str(r.randint(1, 99999)), vals.hexs(8), vals.uuid()])}"
        if any(re.fullmatch(re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(t)), path) for _, t, _, _ in self.ops):
            path = "/.env"
        method = "GET" if r.random() < 0.85 else r.choice(["POST", "HEAD", "PUT", "OPTIONS"])
        ua = r.choice(V.SCANNER_UAS)
        a = self.api
        root = f"1-{t_ms // 1000:08x}-{vals.hexs(24)}"
        h = [("Host", a.domain), ("User-Agent", ua), ("Accept", "*/*"), ("X-Forwarded-For", vals.ip()),
             ("X-Forwarded-Port", "443"), ("X-Forwarded-Proto", "https"), ("X-Amzn-Trace-Id", f"Root={root}")]
        body = body_ct = None
        if method in ("POST", "PUT"):
            body = r.choice(['<?xml version="1.0"?><methodCall><methodName>system.listMethods</methodName><params></params></methodCall>',
                             "username=admin&password=admin", '{"username":"admin","password":"admin"}'])
            body_ct = "text/xml" if body.startswith("<") else "application/x-www-form-urlencoded" if "&" in body else "application/json"
            h.append(("Content-Type", body_ct))
        resp = "" if method == "HEAD" else self.not_found_body()
        q = dict(op=-1, method=method, template=None, path=path, pp={}, query=[], headers=h, root=root,
                 body=body, body_ct=body_ct, req_json=None, status=404, resp=resp, resp_ct="application/json",
                 resp_json=None, resp_len=len(resp), req_ptrs=None, resp_ptrs=None, kind="ok", latency=r.randint(2, 30), t=t_ms, ip=h[3][1], ua=ua, noise=True,
                 stream=r.choice(self.streams), overhead=r.randint(1, 6))
        q.update(self._ids())
        return q

    def sectoken(self, t_ms):
        """The Lambda integration's X-Amz-Security-Token: the role's session token, renewed hourly."""
        hour = t_ms // 3600000
        if hour not in self._tokens:
            rr = random.Random(f"{self.salt}:token:{hour}")
            self._tokens[hour] = "IQoJb3JpZ2luX2Vj" + base64.b64encode(rr.getrandbits(8 * 660).to_bytes(660, "big")).decode()
        return self._tokens[hour]

    def not_found_body(self):
        return {"crapi": '{"message":"Not Found"}', "discourse": '{"errors":["The requested URL or resource could not be found."],"error_type":"not_found"}'}.get(
            self.name, '{"errors":{"body":["Not Found"]}}')


# ----------------------------------------------------------------------------- rendering
def access_line(fmt, values):
    return CTX_VAR.sub(lambda mo: str(values.get(mo.group(0)[len("$context."):], "-")), fmt)


def render_access(tr, mode):
    a, lines = tr.api, []
    http = mode == "http-default"
    fmt = HTTP_ACCESS_FORMAT if http else REST_ACCESS_FORMAT
    for q in tr.requests:
        status, err, istatus, ilat = q["status"], "-", str(q["status"]), q["latency"]
        resp_len, rlat = q["resp_len"], q["latency"] + q["overhead"]
        if q["kind"] == "timeout":   # 504 for REST and HTTP APIs (AWS knowledge center "api-gateway-504-errors")
            status, istatus, ilat, rlat = 504, "-", "-", (30000 if http else 29000) + q["overhead"]
            err = "Endpoint request timed out"
            resp_len = len(json.dumps({"message": err}, separators=(", ", ": ")))
        elif q["kind"] == "fn_error":
            status, istatus = (500 if http else 502), "200"
            err = "Internal Server Error" if http else "Internal server error"
            resp_len = len(json.dumps({"message": err}, separators=(", ", ": ")))
        resource = "/{proxy+}" if mode == "proxy" else normalize_rest_resource(q["template"])
        if mode == "templated" and q["noise"]:   # no resource matches: API Gateway answers itself
            status, istatus, ilat, err, resource = 403, "-", "-", "Missing Authentication Token", "-"
            rlat = q["overhead"]
            resp_len = len('{"message":"Missing Authentication Token"}')
        vals = {
            "requestId": q["http_rid"] if http else q["rid"], "extendedRequestId": q["http_rid"] if http else q["ext"],
            "apiId": a.http_id if http else a.id, "stage": "$default" if http else a.stage,
            "domainName": a.http_domain if http else a.domain, "identity.sourceIp": q["ip"], "identity.userAgent": q["ua"],
            "requestTime": clf_time(q["t"]), "requestTimeEpoch": q["t"], "httpMethod": q["method"],
            "resourcePath": resource, "routeKey": "$default",
            "path": q["path"] if http else f"/{a.stage}{q['path']}", "protocol": "HTTP/1.1", "status": status,
            "responseLength": resp_len, "responseLatency": rlat,
            "integrationLatency": ilat, "integrationStatus": istatus, "error.message": err}
        lines.append(access_line(fmt, vals))
    return lines, fmt


def normalize_rest_resource(template):
    """A spec path as an API Gateway REST resource path: no trailing slash."""
    if template is None:
        return "-"
    return template.rstrip("/") or "/"


class PatchedLines(gen.Lines):
    """generate.py's Lines with a per-request text hook applied before the 1 KB cut."""
    hook = None

    def add(self, text, facts=(), dt=0):
        if PatchedLines.hook:
            text = PatchedLines.hook(text)
        return super().add(text, facts, dt)


def make_hook(q, integration):
    ct = q["resp_ct"]
    full_len = q["resp_len"]
    shown_len = len(q["resp"])

    def hook(text):
        if full_len != shown_len and text.startswith("Endpoint response headers: "):
            text = text.replace(f"Content-Length={shown_len},", f"Content-Length={full_len},", 1)
        if ct and ct != "application/json":
            if text.startswith("Method response headers: "):
                text = text.replace("Content-Type=application/json", f"Content-Type={ct}", 1)
            elif text.startswith("Endpoint response headers: ") and integration == "http":
                text = text.replace("Content-Type=application/json; charset=utf-8", f"Content-Type={ct}", 1)
            elif text.startswith("Endpoint response body before transformations: ") and integration == "lambda":
                text = text.replace('"headers":{"Content-Type":"application/json"}', '"headers":{"Content-Type":%s}' % json.dumps(ct), 1)
        if integration == "http" and (text.startswith("Endpoint request URI: ") or text.startswith("Sending request to ")) and "?" in text:
            head, qs = text.split("?", 1)   # the backend URI carries the query string URL-encoded
            text = head + "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in q["query"])
        return text
    return hook


def fast_g_hash(s):
    """generate.py's ETag hash, same shape (length-hash), computed with zlib instead of a Python loop."""
    return f"{len(s):x}-{zlib.crc32(s.encode()):08x}"


def render_execution(tr, mode, out):
    """Writes the REST execution logs to the open file `out` as CloudWatch subscription payloads
    (one JSON document per line). Returns ({requestId: generate.truth_of(...)}, event count).

    Each request's lines come from generate.emit(); events are ordered and numbered as
    generate.build_events() does (by timestamp, stream, request; ids timestamp<<144 | stream<<100 |
    per-stream counter), but streamed: requests arrive by start time, so an event older than the
    next request's start is final."""
    a = tr.api
    api = a.gen_api(mode)
    stream_idx = {st: i for i, st in enumerate(tr.streams)}
    facts_by_rid, heap, seq = {}, [], {}
    open_by_stream, n_events = {}, 0

    def flush_payload(p):
        out.write(json.dumps(p, separators=(",", ":"), ensure_ascii=False))
        out.write("\n")

    def emit_event(ts, st, rid, text):
        nonlocal n_events
        n_events += 1
        seq[st] = seq.get(st, 0) + 1
        eid = str((ts << 144) | (stream_idx[st] << 100) | seq[st])
        # Deliveries leave about every second of log time, whichever stream they carry.
        for other, p in list(open_by_stream.items()):
            if ts - p["logEvents"][0]["timestamp"] > 1000:
                flush_payload(p)
                del open_by_stream[other]
        cur = open_by_stream.get(st)
        if cur is not None and len(cur["logEvents"]) >= 64:
            flush_payload(cur)
            cur = None
        if cur is None:   # a subscription delivery: one stream, consecutive events
            cur = open_by_stream[st] = {"messageType": "DATA_MESSAGE", "owner": a.acct, "logGroup": api["group"],
                                        "logStream": st, "subscriptionFilters": ["gatescope-ship"], "logEvents": []}
        cur["logEvents"].append({"id": eid, "timestamp": ts, "message": f"({rid}) {text}"})

    orig_lines, orig_hash = gen.Lines, gen.g_hash
    gen.Lines, gen.g_hash = PatchedLines, fast_g_hash
    try:
        for idx, q in enumerate(tr.requests):
            if mode == "templated" and q["noise"]:
                continue   # 403 Missing Authentication Token: no resource, no execution trace (chosen, see README)
            while heap and heap[0][0] < q["t"]:
                ts, _, _, _, st, rid, text = heapq.heappop(heap)
                emit_event(ts, st, rid, text)
            if mode == "proxy":
                resource, decl, pp, res_id = "/{proxy+}", "ANY", {"proxy": q["path"][1:]}, tr.proxy_res_id
            else:
                resource, decl, pp, res_id = normalize_rest_resource(q["template"]), q["method"], q["pp"], tr.meta[q["op"]]["res_id"]
            m = dict(rid=q["rid"], ext=q["ext"], era="2023", api=api, kind=q["kind"], method=q["method"], decl=decl,
                     resource=resource, res_id=res_id, path=q["path"], pp=pp, query=q["query"], headers=q["headers"],
                     body=q["body"], resp=q["resp"], status=q["status"], root=q["root"], lrid=q["lrid"],
                     t0=q["t"] - gen.ERA_T0["2023"], latency=q["latency"], auth_id="", token="", principal="",
                     sectoken=tr.sectoken(q["t"]), sig=q["lrid"][-6:], epilogue_ms=0, stream=q["stream"])
            needs_hook = (q["resp_ct"] not in (None, "application/json") or q["resp_len"] != len(q["resp"])
                          or (a.integration == "http" and q["query"]))
            PatchedLines.hook = make_hook(q, a.integration) if needs_hook else None
            items = gen.emit(m).items
            PatchedLines.hook = None
            facts_by_rid[q["rid"]] = gen.truth_of(m, items, False)
            si = stream_idx[q["stream"]]
            for j, (dt, text, _, _) in enumerate(items):
                heapq.heappush(heap, (q["t"] + dt, si, idx, j, q["stream"], q["rid"], text))
        while heap:
            ts, _, _, _, st, rid, text = heapq.heappop(heap)
            emit_event(ts, st, rid, text)
        for p in sorted(open_by_stream.values(), key=lambda p: p["logEvents"][0]["timestamp"]):
            flush_payload(p)
    finally:
        gen.Lines, gen.g_hash = orig_lines, orig_hash
        PatchedLines.hook = None
    return facts_by_rid, n_events


# ----------------------------------------------------------------------------- truth
def build_truth(tr, mode, facts_by_rid, files):
    ops = []
    spec = tr.spec
    per_op = [dict(method=m, template=t, requests=0, statuses={}, query_sent=set(), query_logged=set(),
                   request_pointers=set(), request_pointers_any=set(), request_bodies=0, request_bodies_truncated=0,
                   responses={}, sample_paths=[]) for m, t, _, _ in tr.ops]
    not_endpoints = {}
    exec_logs = mode != "http-default"
    for q in tr.requests:
        if q["noise"]:
            st = 403 if mode == "templated" else 404
            key = (q["method"], q["path"])
            not_endpoints.setdefault(key, {"method": q["method"], "path": q["path"], "status": st, "requests": 0})["requests"] += 1
            continue
        o = per_op[q["op"]]
        o["requests"] += 1
        if len(o["sample_paths"]) < 40 and q["path"] not in o["sample_paths"]:
            o["sample_paths"].append(q["path"])
        st = q["status"] if q["kind"] == "ok" else {"timeout": 504,
                                                     "fn_error": 500 if mode == "http-default" else 502}[q["kind"]]
        o["statuses"][str(st)] = o["statuses"].get(str(st), 0) + 1
        for k, _ in q["query"]:
            o["query_sent"].add(k)
        f = facts_by_rid.get(q["rid"]) if exec_logs else None
        if f:
            o["query_logged"].update(f["query"].keys())
        if q["req_json"] is not None:
            ptrs = q["req_ptrs"]
            o["request_pointers_any"] |= ptrs
            o["request_bodies"] += 1
            cut = len(REQ_BODY_LABEL + q["body"]) > LIMIT
            o["request_bodies_truncated"] += cut
            if exec_logs and not cut:
                o["request_pointers"] |= ptrs
        if q["kind"] == "ok" and q["resp_json"] is not None:
            rs = o["responses"].setdefault(str(st), dict(pointers=set(), pointers_any=set(), bodies=0, truncated=0))
            ptrs = q["resp_ptrs"]
            rs["pointers_any"] |= ptrs
            rs["bodies"] += 1
            cut = len(RESP_BODY_LABEL + q["resp"]) > LIMIT
            rs["truncated"] += cut
            if exec_logs and not cut:
                rs["pointers"] |= ptrs
    for o in per_op:
        o["query_sent"] = sorted(o["query_sent"])
        o["query_logged"] = sorted(o["query_logged"])
        o["request_pointers"] = sorted(o["request_pointers"])
        o["request_pointers_any"] = sorted(o["request_pointers_any"])
        o["statuses"] = dict(sorted(o["statuses"].items()))
        for rs in o["responses"].values():
            rs["pointers"], rs["pointers_any"] = sorted(rs["pointers"]), sorted(rs["pointers_any"])
        o["responses"] = dict(sorted(o["responses"].items()))
        o["normalized"] = normalize_template(o["template"])
        ops.append(o)
    a = tr.api
    http = mode == "http-default"
    return {
        "format": "gatescope.accuracy-truth/v1",
        "spec": os.path.basename(tr.spec_path), "mode": mode, "seed": tr.seed, "requests": len(tr.requests),
        "api": {"kind": "http" if http else "rest", "api_id": a.http_id if http else a.id,
                "stage": "$default" if http else a.stage, "integration": None if http else a.integration,
                "endpoint_type": "REGIONAL" if http else a.endpoint,
                "execution_log_group": None if http else f"API-Gateway-Execution-Logs_{a.id}/{a.stage}"},
        "inputs": files,
        "observable": {"query": exec_logs, "bodies": exec_logs},
        "operations": ops,
        "not_endpoints": sorted(not_endpoints.values(), key=lambda x: (x["path"], x["method"])),
        "gateway_errors": sum(1 for q in tr.requests if q["kind"] != "ok"),
    }


# ----------------------------------------------------------------------------- main
def write_mode(tr, mode, outdir):
    os.makedirs(outdir, exist_ok=True)
    files = ["access.log"]
    access, fmt = render_access(tr, mode)
    with open(os.path.join(outdir, "access.log"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(access) + "\n")
    with open(os.path.join(outdir, "access-log-format.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(fmt + "\n")
    facts, n_exec = {}, 0
    if mode != "http-default":
        with open(os.path.join(outdir, "execution.ndjson"), "w", encoding="utf-8", newline="\n") as f:
            facts, n_exec = render_execution(tr, mode, f)
        files.append("execution.ndjson")
    truth = build_truth(tr, mode, facts, files)
    truth["events"] = {"access": len(access), "execution": n_exec}
    with open(os.path.join(outdir, "truth.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(truth, f, indent=1)
        f.write("\n")
    return truth


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("spec")
    ap.add_argument("outdir")
    ap.add_argument("--mode", default="proxy", help="proxy, templated, http-default, a comma-separated list, or all")
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--noise", type=float, default=0.02, help="share of scanner requests to paths in no spec (0.02)")
    ap.add_argument("--gateway-errors", type=float, default=0.004,
                    help="share of requests failing in the gateway: integration timeout, Lambda error (0.004)")
    ap.add_argument("--integration", default="auto", choices=["auto", "lambda", "http"],
                    help="REST integration behind the API (auto: fixed per spec)")
    ap.add_argument("--jobs", type=int, default=0, help="modes written in parallel (default: CPU count)")
    ap.add_argument("--day-start-ms", type=int, default=DAY_START_MS,
                    help="unix ms at which the day the traffic spreads over starts (default 1741651200000, "
                         "2025-03-11T00:00:00Z); other generated dates are relative to it")
    args = ap.parse_args(argv)
    set_day_start(args.day_start_ms)
    modes = list(MODES) if args.mode == "all" else [m.strip() for m in args.mode.split(",") if m.strip()]
    for m in modes:
        if m not in MODES:
            ap.error(f"unknown mode {m!r}")
    tr = Traffic(args.spec, args.requests, args.seed, args.noise, args.gateway_errors, args.integration)
    tr.seed = args.seed
    jobs = [(m, args.outdir if len(modes) == 1 else os.path.join(args.outdir, m)) for m in modes]
    n_jobs = max(1, min(args.jobs or os.cpu_count() or 1, len(jobs)))
    if n_jobs > 1 and hasattr(os, "fork"):
        global _TRAFFIC
        _TRAFFIC = tr   # inherited by the forked workers: the traffic is built once
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(n_jobs) as pool:
            summaries = pool.map(_write_job, jobs)
    else:
        summaries = [summary(write_mode(tr, m, out), m, out) for m, out in jobs]
    for line in summaries:
        print(f"{os.path.basename(args.spec)} {line}", file=sys.stderr)
    return 0


_TRAFFIC = None


def set_day_start(ms):
    """Moves the traffic's day (and every date derived from it) to start at `ms` (unix ms)."""
    global DAY_START_MS, T0_OFFSET
    DAY_START_MS = int(ms)
    T0_OFFSET = DAY_START_MS - gen.ERA_T0["2023"]


def summary(t, m, out):
    return (f"{m}: {t['requests']} requests, {len(t['operations'])} operations, {len(t['not_endpoints'])} noise paths, "
            f"{t['events']['access']} access + {t['events']['execution']} execution events -> {out}")


def _write_job(job):
    m, out = job
    return summary(write_mode(_TRAFFIC, m, out), m, out)

if __name__ == "__main__":
    sys.exit(main())
