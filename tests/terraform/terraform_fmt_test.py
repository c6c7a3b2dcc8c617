#!/usr/bin/env python3
"""`terraform fmt -check` over deploy/terraform (CI's formatting gate for the Terraform module).

Usage: terraform_fmt_test.py REPO_ROOT TOOLS_DIR

- With `terraform` on PATH: `terraform fmt -check -recursive -diff deploy/terraform`, and the
  same check of each *.tfvars.example (terraform fmt skips that extension) through stdin.
- Else with the npm packages of TOOLS_DIR installed (CMake installs them in the build directory
  when npm is found): @cdktf/hcl-tools' format(), which is hclwrite.Format, the formatter
  `terraform fmt` applies.
- Else: exit 77 (CTest SKIP_RETURN_CODE) with a message: never a silent pass.
"""
import os
import shutil
import subprocess
import sys

SKIP = 77


def hcl_files(root):
    out = []
    for d, _, names in os.walk(root):
        if "/.terraform" in d:
            continue
        out += [os.path.join(d, n) for n in names
                if n.endswith((".tf", ".tfvars", ".tftest.hcl", ".tfvars.example"))]
    return sorted(out)


def main():
    repo, tools = sys.argv[1], sys.argv[2]
    tf_root = os.path.join(repo, "deploy", "terraform")
    files = hcl_files(tf_root)
    if not files:
        print(f"FAIL: no Terraform files under {tf_root}")
        return 1
    terraform = shutil.which("terraform")
    if terraform:
        # No CLI configuration: its absence only prints a warning, and a user's must not matter.
        env = dict(os.environ, TF_CLI_CONFIG_FILE=os.devnull, TF_IN_AUTOMATION="1")
        r = subprocess.run([terraform, "fmt", "-check", "-recursive", "-diff", tf_root],
                           env=env, capture_output=True, text=True, timeout=60)
        failed = r.returncode != 0
        if failed:
            print(r.stdout + r.stderr)
        for f in (f for f in files if f.endswith(".tfvars.example")):
            text = open(f, encoding="utf-8").read()
            r = subprocess.run([terraform, "fmt", "-"], input=text, env=env,
                               capture_output=True, text=True, timeout=60)
            if r.returncode != 0 or r.stdout != text:
                print(f"{f}: not formatted (terraform fmt - < {f})\n{r.stderr}")
                failed = True
        print(f"terraform fmt: {len(files)} files {'NOT formatted' if failed else 'formatted'}")
        return 1 if failed else 0
    node = shutil.which("node")
    if node and os.path.isdir(os.path.join(tools, "node_modules", "@cdktf", "hcl-tools")):
        tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hcl_tool.cjs")
        r = subprocess.run([node, tool, tools, "fmt", *files], capture_output=True, text=True,
                           timeout=60)
        print(r.stdout + r.stderr)
        print(f"hclwrite.Format (no terraform on PATH): {len(files)} files "
              f"{'formatted' if r.returncode == 0 else 'NOT formatted'}")
        return 0 if r.returncode == 0 else 1
    print("SKIPPED: neither terraform on PATH nor the npm package @cdktf/hcl-tools in "
          f"{tools} (configure with npm available); deploy/terraform formatting NOT checked")
    return SKIP


if __name__ == "__main__":
    sys.exit(main())
