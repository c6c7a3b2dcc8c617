#!/usr/bin/env python3
"""Runs `gatescope discover --openapi/--openapi-dir` on several inputs and checks every
document with openapi-spec-validator, the reference validator for OpenAPI 3.1."""
import json
import pathlib
import subprocess
import sys
import tempfile

from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

gatescope, fixtures = sys.argv[1], pathlib.Path(sys.argv[2])
access = sorted(str(p) for p in (fixtures / "access").glob("*.log") if p.name != "custom-format.log")
cases = [[p] for p in access] + [
    access,  # Everything in one document.
    [str(fixtures / "containers" / "lambda-event.json")],
    [str(fixtures / "containers" / "filter-log-events-2pages.json")],
]
# Execution logs: the real samples, and each generated fixture with the log group its truth
# names (which gives the API id and stage).
samples = sorted(str(p) for p in (fixtures / "execution" / "samples").iterdir()
                 if not p.name.endswith(".ndjson"))
cases += [[p] for p in samples] + [samples + access]
for truth in sorted((fixtures / "execution" / "generated").glob("*.truth.json")):
    stem = truth.name[: -len(".truth.json")]
    data = next(p for p in truth.parent.glob(stem + ".*") if not p.name.endswith(".truth.json"))
    cases.append(["--log-group", json.loads(truth.read_text())["log_group"], str(data)])

checked = failed = 0
with tempfile.TemporaryDirectory() as tmp:
    for i, inputs in enumerate(cases):
        out = pathlib.Path(tmp) / f"doc{i}.json"
        outdir = pathlib.Path(tmp) / f"dir{i}"
        for flag, target in (("--openapi", out), ("--openapi-dir", outdir)):
            run = subprocess.run([gatescope, "discover", "--no-progress", flag, str(target), *inputs],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                print(f"FAIL discover {inputs}: exit {run.returncode}: {run.stderr}")
                failed += 1
        for doc in [out, *sorted(outdir.glob("*.json"))]:
            try:
                spec, _ = read_from_filename(str(doc))
                validate(spec)
                assert spec["openapi"].startswith("3.1"), spec["openapi"]
                checked += 1
            except Exception as e:  # Report every invalid document, not just the first.
                print(f"FAIL {doc.name} from {[pathlib.Path(p).name for p in inputs]}: {e}")
                failed += 1
print(f"{checked} passed, {failed} failed")
sys.exit(1 if failed or checked < len(cases) else 0)
