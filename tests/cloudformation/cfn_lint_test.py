#!/usr/bin/env python3
"""cfn-lint on every template in deploy/cloudformation: any error, warning or informational
finding fails the test.

Informational rules are on (-c I) and none is ignored: the one that fired (I3011, stateful
resources without an explicit DeletionPolicy) is answered in the templates with explicit
policies. Linted for every region (--regions ALL_REGIONS), as the StackSet deploys connector.yaml
to any of them, so a resource type or runtime missing in some region is caught.

Usage: cfn_lint_test.py REPO_ROOT
"""

import glob
import os
import shutil
import subprocess
import sys


def main(argv):
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
    templates = sorted(glob.glob(os.path.join(root, "deploy", "cloudformation", "*.yaml")) +
                       glob.glob(os.path.join(root, "deploy", "cloudformation", "*.yml")) +
                       glob.glob(os.path.join(root, "deploy", "cloudformation", "*.json")))
    if not templates:
        print("FAIL: no template found in deploy/cloudformation")
        print("0 passed, 1 failed")
        return 1
    cfn_lint = shutil.which("cfn-lint")
    if cfn_lint is None:
        print("FAIL: cfn-lint is not on PATH (the machine image provides it through pip)")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for template in templates:
        cmd = [cfn_lint, "--format", "parseable", "-c", "I", "--non-zero-exit-code",
               "informational", "--regions", "ALL_REGIONS", "-t", template]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        findings = (result.stdout + result.stderr).strip()
        name = os.path.relpath(template, root)
        if result.returncode != 0 or findings:
            failed += 1
            print(f"FAIL: cfn-lint {name} (exit {result.returncode})\n{findings}")
        else:
            passed += 1
            print(f"ok: cfn-lint {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
