#!/usr/bin/env python3
"""JsonToYaml round trip: every OpenAPI document `gatescope discover` exports from the fixtures,
and documents full of strings a YAML writer gets wrong, must read back with yaml.safe_load as
exactly the JSON they came from; and the YAML form of the exported documents must pass
openapi-spec-validator (which reads YAML).

usage: yaml_writer_test.py GATESCOPE JSON_TO_YAML_TOOL FIXTURES_DIR"""
import json
import math
import pathlib
import subprocess
import sys
import tempfile

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

gatescope, tool, fixtures = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])

NASTY = [
    "", " ", "  x", "x ", "true", "True", "TRUE", "false", "yes", "Yes", "no", "NO", "on", "Off",
    "y", "Y", "n", "N", "null", "Null", "~", "-", "--", "---", "...", "- x", "-x", "? x", "?",
    ":", "a:", "a: b", "a:b", "http://x:80/a#b", "a #b", "a#b", "#", "[", "]", "{", "}", "[a, b]",
    "{a: b}", ",", "&a", "*a", "!a", "!!str", "|", "|-", ">", ">-", "'", "''", "\"", "\"\"", "%",
    "%YAML 1.2", "@", "`", "<<", "=", "0", "00", "007", "0.", ".0", "1.5", "-1", "+1", "1e3",
    "1E+3", "1_000", "0x1F", "0o17", "0b101", "1:30", "190:20:30", ".inf", "-.INF", ".nan",
    "2023-11-14", "2023-11-14T22:13:20Z", "2001-12-14 21:59:43.10 -5", "\t", "a\tb", "a\nb",
    "a\n", "\n", "\r\n", "a\\b", "\\", "\x00", "\x01\x02\x1f", "\x7f", "\x80\x85\x9f", "\xa0",
    "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\ud7ff", "\ue000", "caf\u00e9",
    "\U0001F600", "\u0000x", "x" * 2000, "/pets/{petId+}", "$default", "$connect",
    "GET /pets/{id}", "application/json; charset=utf-8", "a, b", "a,b", "a - b", "a -b",
    "1 2", "e", "E", "inf", "nan", "NaN", "=x", "<x>", "a'b", 'a"b', "a: ", " #", "a #",
]
NUMBERS = [0, -0, 1, -1, 2**53, 2**63 - 1, -(2**63), 2**64 - 1, 0.5, -2.5, 1e300, 1.5e-7,
           -1e-300, 123456.789, 1.0, 0.1]


def nasty_documents():
    doc = {"strings": NASTY, "numbers": NUMBERS, "bools": [True, False, None],
           "keys": {s: i for i, s in enumerate(NASTY)},
           "nested": [[[]], [{}], [[1, [2, {"a": [3]}]]], {"x": {"y": {"z": []}}}],
           "long keys": {"k" * 1500: {"k" * 1100: ["v"]}}}
    yield "nasty", doc
    yield "list", NASTY
    yield "scalar-string", "yes"
    yield "scalar-number", 1e300
    yield "empty-object", {}
    yield "empty-array", []
    for i, s in enumerate(NASTY[:40]):
        yield f"top-string-{i}", s


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(b, (int, float)) and not isinstance(b, bool) and (
            a == b or (math.isnan(a) and math.isnan(b)))
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    return type(a) is type(b) and a == b


def exported_documents(tmp):
    access = sorted(str(p) for p in (fixtures / "access").glob("*.log")
                    if p.name != "custom-format.log")
    samples = sorted(str(p) for p in (fixtures / "execution" / "samples").iterdir()
                     if not p.name.endswith(".ndjson"))
    cases = [[p] for p in access] + [[p] for p in samples] + [
        access + samples, [str(fixtures / "containers" / "lambda-event.json")]]
    docs = []
    for i, inputs in enumerate(cases):
        out = tmp / f"all{i}.json"
        outdir = tmp / f"dir{i}"
        for flag, target in (("--openapi", out), ("--openapi-dir", outdir)):
            run = subprocess.run([gatescope, "discover", "--no-progress", flag, str(target), *inputs],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                raise SystemExit(f"discover {inputs} failed: {run.stderr}")
        docs += [out, *sorted(outdir.glob("*.json"))]
    return docs


failed = 0
checked = 0
with tempfile.TemporaryDirectory() as tmpname:
    tmp = pathlib.Path(tmpname)
    files = []
    for name, doc in nasty_documents():
        path = tmp / f"{name}.json"
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        files.append(path)
    exported = exported_documents(tmp)
    files += exported
    subprocess.run([tool, *map(str, files)], check=True)
    for path in files:
        expected = json.loads(path.read_text(encoding="utf-8"))
        text = pathlib.Path(str(path) + ".yaml").read_text(encoding="utf-8")
        try:
            actual = yaml.safe_load(text)
        except yaml.YAMLError as e:
            print(f"FAIL {path.name}: YAML error: {e}")
            failed += 1
            continue
        if not same(expected, actual):
            # Name the first differing item.
            if isinstance(expected, dict) and isinstance(actual, dict):
                for k in expected:
                    if k not in actual or not same(expected[k], actual.get(k)):
                        print(f"  key {k!r}: {str(expected[k])[:200]!r} != {str(actual.get(k))[:200]!r}")
                        break
            elif isinstance(expected, list) and isinstance(actual, list):
                for i, (x, y) in enumerate(zip(expected, actual)):
                    if not same(x, y):
                        print(f"  item {i}: {x!r} != {y!r}")
                        break
            print(f"FAIL {path.name}: round trip differs")
            failed += 1
        checked += 1
    for path in exported:
        yaml_path = pathlib.Path(str(path) + ".yaml")
        try:
            spec, _ = read_from_filename(str(yaml_path))
            validate(spec)
        except Exception as e:  # Report every invalid document, not just the first.
            print(f"FAIL {yaml_path.name}: openapi-spec-validator: {e}")
            failed += 1
print(f"{checked} round trips ({len(exported)} exported documents), {failed} failed")
sys.exit(1 if failed or checked == 0 else 0)
