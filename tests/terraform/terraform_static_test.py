#!/usr/bin/env python3
"""Static checks of deploy/terraform and deploy/docker (no provider, no network).

Usage: terraform_static_test.py REPO_ROOT TOOLS_DIR

`terraform validate` needs the AWS provider, which cannot be downloaded here; these checks
stand in for the policies that matter. The HCL is parsed by @cdktf/hcl2json (installed in
TOOLS_DIR by CMake; expressions come out as "${...}" strings); without node or the package
the test exits 77 (CTest SKIP_RETURN_CODE) with a message.

Checks: every variable has a description and a type, every output a description; the Lambda
environment holds only variables the connector knows (kVariables of
src/connector/connector_config.cc plus the deployment spec's extra list) and no secret; the
ECS task's environment only known GATESCOPE_SERVER_* settings and no secret (secrets come
through `secrets`); the ALB's security group admits 80/443 only and the task's the container
port from the ALB's group only; the rest of the contract's shape (runtime, on-failure
destination, TLS-only bucket, /readyz, ...); the Dockerfile agrees with scripts/setup.sh.
"""
import json
import os
import re
import shutil
import subprocess
import sys

SKIP = 77
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
    return cond


def load_hcl(repo, tools):
    node = shutil.which("node")
    if not node or not os.path.isdir(os.path.join(tools, "node_modules", "@cdktf", "hcl2json")):
        return None
    root = os.path.join(repo, "deploy", "terraform")
    files = sorted(os.path.join(d, n) for d, _, ns in os.walk(root) for n in ns
                   if n.endswith(".tf") and "/.terraform" not in d)
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hcl_tool.cjs")
    r = subprocess.run([node, tool, tools, "json", *files], capture_output=True, text=True,
                       timeout=60)
    if r.returncode != 0:
        print(r.stderr)
        sys.exit(1)
    parsed = json.loads(r.stdout)
    # Group by directory (a Terraform module is a directory).
    modules = {}
    for path, doc in parsed.items():
        mod = modules.setdefault(os.path.relpath(os.path.dirname(path), root),
                                 {"variable": {}, "output": {}, "locals": {}, "resource": {},
                                  "data": {}, "module": {}, "files": {}})
        mod["files"][os.path.basename(path)] = open(path, encoding="utf-8").read()
        for kind in ("variable", "output", "module"):
            for name, blocks in doc.get(kind, {}).items():
                mod[kind][name] = blocks[0]
        for block in doc.get("locals", []):
            mod["locals"].update(block)
        for kind in ("resource", "data"):
            for rtype, byname in doc.get(kind, {}).items():
                for name, blocks in byname.items():
                    mod[kind][f"{rtype}.{name}"] = blocks[0]
    return modules


def expr(v):
    """The text of an attribute: expressions without their "${...}" wrapper."""
    if isinstance(v, str):
        m = re.fullmatch(r"\$\{(.*)\}", v, re.S)
        return m.group(1) if m else v
    return json.dumps(v)


def resolve_locals(text, module, seen=()):
    """`text` with each local.NAME it mentions followed by that local's text (recursively)."""
    out = [text]
    for name in sorted(set(re.findall(r"\blocal\.([A-Za-z0-9_]+)", text))):
        if name in seen or name not in module["locals"]:
            continue
        out.append(resolve_locals(expr(module["locals"][name]), module, seen + (name,)))
    return "\n".join(out)


def map_keys(text):
    """Keys of the map literals in an expression: NAME = value, or "NAME" = value."""
    return set(re.findall(r"(?m)(?:^|[{,(\s])\"?([A-Z][A-Z0-9_]*)\"?\s*=(?!=)", text))


def refs_var(text, name):
    return re.search(rf"\bvar\.{re.escape(name)}(?![A-Za-z0-9_])", text) is not None


def known_connector_variables(repo):
    cc = open(os.path.join(repo, "src", "connector", "connector_config.cc"), encoding="utf-8").read()
    body = re.search(r"kVariables\s*=\s*\{(.*?)\n\};", cc, re.S)
    names = set(re.findall(r"\"(GATESCOPE_[A-Z0-9_]+)\"", body.group(1))) if body else set()
    check(len(names) > 20, "could not read kVariables from src/connector/connector_config.cc")
    # The connector itself is the authority: it rejects any other GATESCOPE_* name at start.
    check("GATESCOPE_OAUTH_CLIENT_SECRET_ARN" in names,
          "the connector does not know GATESCOPE_OAUTH_CLIENT_SECRET_ARN")
    return names


def known_server_settings(repo):
    cc = open(os.path.join(repo, "src", "server", "server_config.cc"), encoding="utf-8").read()
    names = set(re.findall(r"\"(GATESCOPE_SERVER_[A-Z0-9_]+)\"", cc))
    check(len(names) > 10, "could not read the settings of src/server/server_config.cc")
    return names


# A name that holds a secret itself (GATESCOPE_TOKEN, ..._CLIENT_SECRET); not ..._SECRET_ARN,
# ..._TOKEN_URL or ..._TOKEN_LIFETIME_SECONDS.
SECRET_NAME = re.compile(r"(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|CLIENTS_JSON)$")


def check_variables_and_outputs(modules):
    for mname, mod in modules.items():
        for name, v in mod["variable"].items():
            check(str(v.get("description", "")).strip() != "",
                  f"{mname}: variable {name} has no description")
            check("type" in v, f"{mname}: variable {name} has no type")
            if re.search(r"(secret|password|clients_json)$", name):
                check(v.get("sensitive") is True, f"{mname}: variable {name} is not sensitive")
        for name, o in mod["output"].items():
            check(str(o.get("description", "")).strip() != "",
                  f"{mname}: output {name} has no description")


def check_connector(mod, known):
    sensitive = {n for n, v in mod["variable"].items() if v.get("sensitive") is True}
    fn = mod["resource"].get("aws_lambda_function.connector")
    if not check(fn is not None, "connector: aws_lambda_function.connector missing"):
        return
    check(fn.get("runtime") == "provided.al2023", "connector: runtime is not provided.al2023")
    check("filebase64sha256(var.lambda_zip)" in expr(fn.get("source_code_hash", "")),
          "connector: source_code_hash is not filebase64sha256(var.lambda_zip)")
    check(mod["variable"]["function_name"].get("default") == "gatescope-connector",
          "connector: the function is not named gatescope-connector by default")
    env = resolve_locals(expr(fn["environment"][0]["variables"]), mod)
    keys = {k for k in map_keys(env) if k.startswith("GATESCOPE_")}
    check(keys, "connector: no GATESCOPE_* key found in the Lambda environment")
    for k in sorted(keys - known):
        failures.append(f"connector: Lambda environment key {k} is not a connector variable "
                        "(kVariables or docs/specs/deployment.md's extra list)")
    for k in ("GATESCOPE_COLLECTOR_URL", "GATESCOPE_OAUTH_CLIENT_SECRET_ARN",
              "GATESCOPE_COLLECTION", "GATESCOPE_SPILL", "GATESCOPE_DISCOVER"):
        check(k in keys, f"connector: Lambda environment lacks {k}")
    check(re.search(r"GATESCOPE_COLLECTION\s*=\s*\"push\"", env),
          "connector: GATESCOPE_COLLECTION is not push")
    check(re.search(r"GATESCOPE_SPILL\s*=\s*\"s3://\$\{local\.state_bucket\}/spill/\"", env),
          "connector: GATESCOPE_SPILL is not s3://<state bucket>/spill/")
    # No secret in the environment: no secret-like key, no sensitive input, no secret value.
    for k in sorted(keys):
        check(not SECRET_NAME.search(k), f"connector: Lambda environment has secret key {k}")
    for v in sorted(sensitive):
        check(not refs_var(env, v), f"connector: Lambda environment refers to sensitive var.{v}")
    check("secret_string" not in env and "aws_secretsmanager_secret_version" not in env,
          "connector: Lambda environment holds a secret's value")

    ds = mod["resource"].get("aws_lambda_function_event_invoke_config.connector", {})
    dest = ds.get("destination_config", [{}])[0].get("on_failure", [{}])[0].get("destination", "")
    check("aws_sqs_queue." in dest, "connector: no SQS on-failure destination")
    secret = mod["resource"].get("aws_secretsmanager_secret_version.oauth", {})
    check(refs_var(expr(secret.get("secret_string", "")), "oauth_client_secret"),
          "connector: the client secret is not stored in Secrets Manager")

    sub = mod["resource"].get("aws_cloudwatch_log_subscription_filter.connector", {})
    check("aws_lambda_function.connector.arn" in expr(sub.get("destination_arn", "")),
          "connector: subscription filters do not target the function")
    check(sub.get("name") == "gatescope-connector" or "local.filter_name" in expr(sub.get("name", "")),
          "connector: subscription filter not named gatescope-connector")
    check(mod["locals"].get("filter_name") == "gatescope-connector",
          "connector: filter name is not gatescope-connector")
    perm = mod["resource"].get("aws_lambda_permission.logs", {})
    check(perm.get("principal") == "logs.amazonaws.com" and "source_arn" in perm,
          "connector: no lambda permission for logs.amazonaws.com scoped by source_arn")

    pab = mod["resource"].get("aws_s3_bucket_public_access_block.state", {})
    for k in ("block_public_acls", "block_public_policy", "ignore_public_acls",
              "restrict_public_buckets"):
        check(pab.get(k) is True, f"connector: state bucket public access block: {k} not true")
    check("aws_s3_bucket_server_side_encryption_configuration.state" in mod["resource"],
          "connector: state bucket not encrypted")
    bucket_policy = json.dumps(mod["data"].get("aws_iam_policy_document.state_bucket", {}))
    check("aws:SecureTransport" in bucket_policy and '"Deny"' in bucket_policy,
          "connector: state bucket policy does not deny non-TLS access")
    lc = json.dumps(mod["resource"].get("aws_s3_bucket_lifecycle_configuration.state", {}))
    check('"spill/"' in lc and "expiration" in lc, "connector: no spill/ expiry")
    sched = mod["resource"].get("aws_scheduler_schedule.refresh", {})
    target = sched.get("target", [{}])[0]
    check(re.fullmatch(r"jsonencode\(\{\s*gatescope\s*=\s*\"refresh\"\s*\}\)",
                       expr(target.get("input", ""))),
          'connector: the refresh schedule input is not {"gatescope":"refresh"}')
    check(mod["variable"]["enable_refresh"].get("default") is False,
          "connector: the refresh schedule is not off by default")
    check(mod["variable"]["log_group_names"].get("type") == "${list(string)}",
          "connector: log_group_names is not list(string)")
    check("api_gateway_log_group_arn" in mod["output"],
          "connector: no api_gateway_log_group_arn output")


def check_iam(modules):
    # Allow statements never grant every action.
    for mname, mod in modules.items():
        for name, doc in mod["data"].items():
            if not name.startswith("aws_iam_policy_document."):
                continue
            statements = list(doc.get("statement", []))
            for dyn in doc.get("dynamic", {}).get("statement", []) if isinstance(doc.get("dynamic"), dict) else []:
                statements += dyn.get("content", [])
            for st in statements:
                actions = st.get("actions", [])
                if isinstance(actions, list) and any(a in ("*", "s3:*") for a in actions):
                    check(st.get("effect") == "Deny",
                          f"{mname}: {name} allows {actions} (only a Deny may)")


def rules_of(mod, rtype, sg):
    return {n: r for n, r in mod["resource"].items()
            if n.startswith(rtype + ".") and f"aws_security_group.{sg}" in expr(r.get("security_group_id", ""))}


def check_server(mod, settings):
    sensitive = {n for n, v in mod["variable"].items() if v.get("sensitive") is True}
    for name in ("aws_security_group.alb", "aws_security_group.task"):
        sg = mod["resource"].get(name, {})
        check("ingress" not in sg and "egress" not in sg,
              f"server: {name} has inline rules (use aws_vpc_security_group_*_rule)")
    check(not any(n.startswith("aws_security_group_rule.") for n in mod["resource"]),
          "server: aws_security_group_rule used (use aws_vpc_security_group_*_rule)")
    alb_in = rules_of(mod, "aws_vpc_security_group_ingress_rule", "alb")
    check(alb_in, "server: no ingress rule on the ALB's security group")
    for n, r in alb_in.items():
        check(r.get("ip_protocol") == "tcp" and r.get("from_port") == r.get("to_port")
              and r.get("from_port") in (80, 443),
              f"server: {n} opens more than 80/443 on the ALB")
    task_in = rules_of(mod, "aws_vpc_security_group_ingress_rule", "task")
    check(task_in, "server: no ingress rule on the task's security group")
    for n, r in task_in.items():
        check(expr(r.get("referenced_security_group_id", "")) == "aws_security_group.alb.id",
              f"server: {n} admits something other than the ALB's security group")
        check(not any(k in r for k in ("cidr_ipv4", "cidr_ipv6", "prefix_list_id")),
              f"server: {n} admits an address range")
        check(expr(r.get("from_port", "")) == "var.container_port"
              and expr(r.get("to_port", "")) == "var.container_port",
              f"server: {n} opens more than the container port")
    svc = mod["resource"].get("aws_ecs_service.server", {})
    net = svc.get("network_configuration", [{}])[0]
    check(expr(net.get("security_groups", "")) in ('["${aws_security_group.task.id}"]',)
          or net.get("security_groups") == ["${aws_security_group.task.id}"],
          "server: the service does not run in the task security group only")
    check(net.get("assign_public_ip") is False, "server: tasks get public addresses")
    check(svc.get("launch_type") == "FARGATE", "server: not on Fargate")
    tg = mod["resource"].get("aws_lb_target_group.this", {})
    check(tg.get("health_check", [{}])[0].get("path") == "/readyz",
          "server: target group health check is not /readyz")
    check("aws_acm_certificate_validation.this" in mod["resource"]
          and "aws_route53_record.alias" in mod["resource"],
          "server: no DNS-validated certificate or alias record")
    http = json.dumps(mod["resource"].get("aws_lb_listener.http", {}))
    check("HTTPS" in http and "redirect" in http, "server: HTTP does not redirect to HTTPS")
    check(re.search(r"/v1/batches", expr(mod["output"].get("collector_url", {}).get("value", ""))),
          "server: collector_url output is not <base>/v1/batches")
    check("warning" in mod["output"], "server: no warning output for plain HTTP")

    td = mod["resource"].get("aws_ecs_task_definition.server", {})
    cd = expr(td.get("container_definitions", ""))
    m = re.search(r"(?m)^\s*environment\s*=\s*(.*)$", cd)
    if check(m, "server: container definition has no environment"):
        env = resolve_locals(m.group(1), mod)
        keys = {k for k in map_keys(env) if k.startswith("GATESCOPE_")}
        # Keys of var.server_environment are checked by its validation; read them too.
        validation = json.dumps(mod["variable"]["server_environment"].get("validation", []))
        keys |= set(re.findall(r"GATESCOPE_SERVER_[A-Z0-9_]+", validation))
        for k in sorted(keys):
            check(k in settings, f"server: environment key {k} is not a server setting")
            check(not SECRET_NAME.search(k), f"server: environment has secret key {k}")
        for v in sorted(sensitive):
            check(not refs_var(env, v), f"server: task environment refers to sensitive var.{v}")
        check("GATESCOPE_SERVER_CLIENTS_FILE" in keys, "server: no GATESCOPE_SERVER_CLIENTS_FILE")
    secrets = resolve_locals(re.search(r"(?m)^\s*secrets\s*=\s*(.*)$", cd).group(1), mod)
    check('"GS_CLIENTS_JSON"' in secrets and "valueFrom" in secrets,
          "server: the clients file does not come from Secrets Manager (secrets: GS_CLIENTS_JSON)")
    check('"GATESCOPE_SERVER_STORE", valueFrom = var.postgres_url_secret_arn' in secrets,
          "server: the PostgreSQL URL is not passed as a secret")
    ap = mod["resource"].get("aws_efs_access_point.data", {})
    check(ap.get("posix_user", [{}])[0].get("uid") == 10001, "server: EFS access point uid is not 10001")
    fs = mod["resource"].get("aws_efs_file_system.data", {})
    check(fs.get("encrypted") is True, "server: EFS not encrypted")


def check_example(mod):
    conn = mod["module"].get("connector", {})
    check(expr(conn.get("collector_url", "")) == "module.server.collector_url",
          "example: the connector's collector_url is not the server's")
    check(expr(conn.get("oauth_token_url", "")) == "module.server.token_url",
          "example: the connector's token URL is not the server's")
    versions = mod["files"].get("versions.tf", "")
    check(re.search(r'required_version\s*=\s*">= 1\.5"', versions), "example: terraform >= 1.5")
    check(re.search(r'version\s*=\s*"~> 5\.0"', versions), "example: hashicorp/aws ~> 5.0")


def check_docker(repo):
    path = os.path.join(repo, "deploy", "docker", "Dockerfile")
    text = open(path, encoding="utf-8").read()
    setup = open(os.path.join(repo, "scripts", "setup.sh"), encoding="utf-8").read()
    block = re.search(r"packages=\((.*?)\n\)", setup, re.S).group(1)
    setup_packages = set(" ".join(re.sub(r"#.*", "", line) for line in block.splitlines()).split())
    stages = re.split(r"(?m)^FROM ", text)
    check(len(stages) == 3, "docker: not a two-stage build")
    build_packages = set(re.findall(r"\b((?:lib|zlib)[a-z0-9+.-]*-dev|nlohmann-json3-dev)\b", stages[1]))
    for p in sorted(build_packages - setup_packages):
        failures.append(f"docker: build package {p} is not in scripts/setup.sh")
    for p in sorted({p for p in setup_packages if p.endswith("-dev")} - build_packages
                    - {"libgtest-dev", "libgmock-dev", "libbenchmark-dev", "libclang-rt-14-dev"}):
        failures.append(f"docker: setup.sh's {p} is missing from the build stage")
    check(stages[2].startswith("debian:bookworm-slim"), "docker: runtime is not debian:bookworm-slim")
    check("-dev" not in stages[2], "docker: a -dev package in the runtime stage")
    check(re.search(r"(?m)^USER 10001", stages[2]), "docker: runtime does not run as uid 10001")
    check(re.search(r"(?m)^ENTRYPOINT .*gatescope-entrypoint", stages[2]), "docker: no entrypoint")
    entry = open(os.path.join(repo, "deploy", "docker", "entrypoint.sh"), encoding="utf-8").read()
    check(re.search(r"(?m)^exec gatescope serve \"\$@\"$", entry),
          "docker: the entrypoint does not exec gatescope serve")


def main():
    repo, tools = sys.argv[1], sys.argv[2]
    modules = load_hcl(repo, tools)
    if modules is None:
        print(f"SKIPPED: node or the npm package @cdktf/hcl2json in {tools} is missing "
              "(configure with npm available); deploy/terraform NOT checked")
        return SKIP
    for want in ("modules/connector", "modules/server", "examples/single-account"):
        if not check(want in modules, f"deploy/terraform/{want} missing"):
            break
    else:
        check_variables_and_outputs(modules)
        check_connector(modules["modules/connector"], known_connector_variables(repo))
        check_server(modules["modules/server"], known_server_settings(repo))
        check_example(modules["examples/single-account"])
        check_iam(modules)
    check_docker(repo)
    for f in failures:
        print("FAIL:", f)
    n = sum(len(m["variable"]) for m in modules.values())
    print(f"{len(modules)} modules, {n} variables: {'OK' if not failures else f'{len(failures)} problems'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
