#!/usr/bin/env python3
"""Static checks of deploy/scripts: shellcheck, and the parameter map against the template.

enable.sh passes connector.yaml's parameters from GS_PARAMETER_MAP (deploy/scripts/lib.sh). A
parameter added to the template but not to the map would silently take its default in every
account; one in the map but not in the template fails the StackSet. Both fail here instead.
"""
import os
import re
import shutil
import subprocess
import sys

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPTS = os.path.join(REPO, "deploy", "scripts")


class CfnLoader(yaml.SafeLoader):
    pass


CfnLoader.add_multi_constructor("!", lambda loader, tag, node: None)


def main():
    problems = []
    with open(os.path.join(REPO, "deploy", "cloudformation", "connector.yaml")) as f:
        template = set(yaml.load(f, Loader=CfnLoader)["Parameters"])
    lib = open(os.path.join(SCRIPTS, "lib.sh")).read()
    block = re.search(r"GS_PARAMETER_MAP=\((.*?)\n\)", lib, re.S).group(1)
    mapped = {line.strip().split(":")[0] for line in block.strip().splitlines()}
    for p in sorted(template - mapped):
        problems.append("connector.yaml parameter %s is not in lib.sh's GS_PARAMETER_MAP" % p)
    for p in sorted(mapped - template):
        problems.append("lib.sh maps %s, which connector.yaml does not have" % p)
    if shutil.which("shellcheck"):
        scripts = sorted(os.path.join(SCRIPTS, f) for f in os.listdir(SCRIPTS) if f.endswith(".sh"))
        r = subprocess.run(["shellcheck", "-x", *scripts], cwd=SCRIPTS, capture_output=True,
                           text=True)
        if r.returncode != 0:
            problems.append("shellcheck:\n" + r.stdout + r.stderr)
    else:
        problems.append("shellcheck is not installed (scripts/setup.sh installs it)")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
