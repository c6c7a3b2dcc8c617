#!/usr/bin/env python3
"""Validates gatescope.transaction/v1 lines against docs/schemas/transaction.v1.schema.json.

Usage: transaction_schema_test.py SCHEMA WRITER FIXTURES_DIR

Checks every line of tests/fixtures/**/*.golden.ndjson and every line the writer binary
(transform_ndjson_writer: fixture transactions through the transformer, raw, and hand-built)
produces, then that the schema rejects lines it must reject (no "format", a wrong enum value,
an undocumented field, an empty string, a malformed id).
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import jsonschema


def main():
    schema_path, writer, fixtures = sys.argv[1:4]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    lines = []
    goldens = sorted(glob.glob(os.path.join(fixtures, "**", "*.golden.ndjson"), recursive=True))
    if not goldens:
        sys.exit("no *.golden.ndjson under " + fixtures)
    for path in goldens:
        with open(path, encoding="utf-8") as f:
            lines += [(path, l) for l in f.read().splitlines() if l.strip()]

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "transactions.ndjson")
        env = dict(os.environ, GS_FIXTURES=fixtures)
        subprocess.run([writer, out], check=True, env=env)
        with open(out, encoding="utf-8") as f:
            produced = [l for l in f.read().splitlines() if l.strip()]
    if len(produced) < 100:
        sys.exit("writer produced only %d lines" % len(produced))
    lines += [("writer", l) for l in produced]

    failures = 0
    for origin, line in lines:
        doc = json.loads(line)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:3]:
            failures += 1
            print("%s: %s at %s (id=%s)" % (origin, e.message[:200], list(e.path), doc.get("id")))
    if failures:
        sys.exit("%d schema violations" % failures)

    # Every indicator body the transformer wrote says so, and coverage headers are present.
    transformed = [json.loads(l) for l in produced]
    if not any(d.get("request_body", {}).get("indicator") for d in transformed):
        sys.exit("no indicator body among the writer's transactions")

    base = json.loads(produced[0])
    bad_lines = {
        "missing format": {k: v for k, v in base.items() if k != "format"},
        "wrong format": dict(base, format="gatescope.transaction/v2"),
        "unknown coverage": dict(base, coverage="partial"),
        "undocumented field": dict(base, surprise=1),
        "empty string": dict(base, method=""),
        "malformed id": dict(base, id="XYZ"),
        "negative status": dict(base, status=-1),
    }
    for name, doc in bad_lines.items():
        if validator.is_valid(doc):
            sys.exit("schema accepted a line with " + name)
    print("validated %d lines; %d invalid lines rejected" % (len(lines), len(bad_lines)))


if __name__ == "__main__":
    main()
