#!/usr/bin/env python3
"""End to end: deploy/scripts/{enable,disable,destroy}.sh against moto_server.

Usage: deploy_scripts_test.py GATESCOPE_BINARY

Runs the real scripts with the real AWS CLI against moto (with the StackSet semantics of
moto_stacksets.py), then reads back, through the AWS APIs, what they created: the buckets and
their artifacts and policies, the StackSet and its instances in each account and region, and
each instance's Lambda function, whose environment must pass the connector's own check
(`gatescope ship --check-env`). A bad .env must stop before any AWS call: that case points the
CLI at a listener that records connections.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
SCRIPTS = os.path.join(REPO, "deploy", "scripts")
TEMPLATE = os.path.join(REPO, "deploy", "cloudformation", "connector.yaml")
GATESCOPE = None
ADMIN = "123456789012"  # moto's default account
SECRET = "s3cr3t-Value-That-Must-Not-Leak"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    """moto_stacksets.py on a free port, stopped at the end."""

    def __init__(self, work):
        self.port_file = os.path.join(work, "moto.port")
        self.request_log = os.path.join(work, "cloudformation-requests.jsonl")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "moto_stacksets.py"), self.port_file,
             self.request_log], stdout=subprocess.DEVNULL, stderr=open(
                 os.path.join(work, "moto.log"), "w"))
        deadline = time.time() + 60
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("moto_stacksets.py did not start; see moto.log")
            time.sleep(0.1)
        self.url = "http://127.0.0.1:" + open(self.port_file).read().strip()

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def requests(self, action):
        if not os.path.exists(self.request_log):
            return []
        with open(self.request_log) as f:
            return [r["params"] for r in map(json.loads, f) if r["action"] == action]


class ConnectionRecorder:
    """A TCP listener that only counts connections: nothing may reach it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


class DeployScriptsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="gs-deploy-")
        cls.moto = Moto(cls.work)
        cls.zip = os.path.join(cls.work, "gatescope-lambda-x86_64.zip")
        with zipfile.ZipFile(cls.zip, "w") as z:
            z.writestr("bootstrap", "#!/bin/sh\n")

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        if os.environ.get("GS_KEEP_WORK"):
            print("work dir kept:", cls.work)
        else:
            shutil.rmtree(cls.work, ignore_errors=True)

    # --- helpers -----------------------------------------------------------------------------

    def env(self, endpoint=None, credentials=None):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("AWS_") or k.startswith("GATESCOPE_"):
                del e[k]
        e.update({
            "AWS_ENDPOINT_URL": endpoint or self.moto.url,
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_PAGER": "",
            "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "GATESCOPE_BIN": GATESCOPE, "GATESCOPE_POLL_SECONDS": "1",
        })
        if credentials:
            e.update(credentials)
        return e

    def aws(self, *args, region="us-east-1", credentials=None, check=True):
        r = subprocess.run(["aws", "--output", "json", "--region", region, *args],
                           env=self.env(credentials=credentials), capture_output=True, text=True)
        if check and r.returncode != 0:
            self.fail("aws %s failed: %s" % (" ".join(args), r.stderr))
        return json.loads(r.stdout) if r.stdout.strip() else {}

    def as_account(self, account):
        """Credentials for `account` (moto maps assumed-role credentials to the role's account)."""
        c = self.aws("sts", "assume-role", "--role-arn",
                     "arn:aws:iam::%s:role/gatescope-test" % account, "--role-session-name", "gatescope-test")
        c = c["Credentials"]
        return {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                "AWS_SESSION_TOKEN": c["SessionToken"]}

    def write_env(self, name, settings):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        base = {
            "GATESCOPE_COLLECTOR_URL": "https://inventory.gatescope.test/v1/batches",
            "GATESCOPE_OAUTH_TOKEN_URL": "https://inventory.gatescope.test/oauth2/token",
            "GATESCOPE_OAUTH_CLIENT_ID": "connector",
            "GATESCOPE_OAUTH_CLIENT_SECRET": SECRET,
            "GATESCOPE_LAMBDA_ZIP": self.zip,
            "GATESCOPE_PREFERRED_REGION": "us-east-1",
            "GATESCOPE_BUCKET_PREFIX": "gs-art-" + name,
            "GATESCOPE_STACKSET_NAME": "gatescope-" + name,
        }
        base.update(settings)
        files = base.pop("files", {})
        for fname, text in files.items():
            with open(os.path.join(d, fname), "w") as f:
                f.write(text)
        path = os.path.join(d, ".env")
        with open(path, "w") as f:
            f.write("# test .env\n")
            for k, v in base.items():
                f.write("%s='%s'\n" % (k, v))
        return path

    def run_script(self, script, env_file, *args, endpoint=None, expect_ok=True):
        r = subprocess.run(["bash", os.path.join(SCRIPTS, script), "--env", env_file, *args],
                           env=self.env(endpoint=endpoint), capture_output=True, text=True,
                           timeout=600, stdin=subprocess.DEVNULL)
        self.assertNotIn(SECRET, r.stdout + r.stderr, "the client secret was printed")
        if expect_ok and r.returncode != 0:
            self.fail("%s failed (%d):\n%s" % (script, r.returncode, r.stderr[-4000:]))
        return r

    def active_stack_sets(self):
        # Filtered here: moto ignores list-stack-sets' --status.
        sets = self.aws("cloudformation", "list-stack-sets")["Summaries"]
        return [s["StackSetName"] for s in sets if s["Status"] == "ACTIVE"]

    def instances(self, stackset):
        out = self.aws("cloudformation", "list-stack-instances", "--stack-set-name", stackset)
        return sorted((s["Account"], s["Region"], s["Status"]) for s in out["Summaries"])

    def bucket_keys(self, bucket, region):
        out = self.aws("s3api", "list-objects-v2", "--bucket", bucket, region=region)
        return sorted(o["Key"] for o in out.get("Contents", []))

    def function_env(self, account, region):
        creds = self.as_account(account) if account != ADMIN else None
        f = self.aws("lambda", "get-function-configuration", "--function-name",
                     "gatescope-connector", region=region, credentials=creds)
        return f["Environment"]["Variables"]

    def assert_connector_accepts(self, variables):
        """The connector's own configuration check accepts the environment the stack set."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATESCOPE_")}
        env.update({k: str(v) for k, v in variables.items()})
        if env.get("GATESCOPE_AUTH", "oauth2") == "oauth2":
            # moto does not create AWS::SecretsManager::Secret, so the stack's reference to it
            # comes out empty; give the connector the ARN the real stack would.
            env.setdefault("GATESCOPE_OAUTH_CLIENT_SECRET_ARN",
                           "arn:aws:secretsmanager:us-east-1:%s:secret:gatescope-AbCdEf" % ADMIN)
        env["AWS_REGION"] = "us-east-1"
        r = subprocess.run([GATESCOPE, "ship", "--check-env"], env=env, capture_output=True,
                           text=True)
        self.assertEqual(r.returncode, 0, "connector rejects the stack's environment: " +
                         r.stdout + r.stderr)

    # --- tests -------------------------------------------------------------------------------

    def test_bad_env_stops_before_any_aws_call(self):
        recorder = ConnectionRecorder()
        env_file = self.write_env("bad", {
            "GATESCOPE_REGIONS": "us-east-1,mars-north-1",
            "GATESCOPE_REST_ENABLED": "false", "GATESCOPE_HTTP_ENABLED": "false",
            "GATESCOPE_REFRESH_SCHEDULE": "rate(5 fortnights)",
            "GATESCOPE_CONTENT_TYPE_REGEX": "json(",
        })
        for script in ("enable.sh", "disable.sh", "destroy.sh"):
            r = self.run_script(script, env_file, "--yes", endpoint=recorder.url, expect_ok=False)
            self.assertNotEqual(r.returncode, 0, script)
            for key in ("GATESCOPE_REGIONS", "GATESCOPE_REST_ENABLED",
                        "GATESCOPE_REFRESH_SCHEDULE", "GATESCOPE_CONTENT_TYPE_REGEX"):
                self.assertIn(key, r.stderr, script)
        self.assertEqual(recorder.connections, 0, "a bad .env reached AWS")

    def test_self_managed_enable_update_regions_disable_destroy(self):
        other = "111111111111"
        apis = [{"region": "us-east-1", "api_id": "a1b2c3d4e5", "stage": "prod"},
                {"region": "eu-west-1", "api_id": "f6g7h8i9j0", "stage": "live",
                 "account_id": other}]
        settings = {
            "GATESCOPE_REGIONS": "us-east-1,eu-west-1",
            "GATESCOPE_ACCOUNTS_FILE": "accounts.csv",
            "GATESCOPE_DISCOVER": "false", "GATESCOPE_APIS_FILE": "apis.json",
            "GATESCOPE_COLLECTION": "pull", "GATESCOPE_PULL_SCHEDULE": "rate(2 minutes)",
            "GATESCOPE_LOG_RETENTION_DAYS": "14", "GATESCOPE_LOG_LEVEL": "debug",
            "GATESCOPE_MANAGE_BUCKETS": "true", "GATESCOPE_AUTO_CONFIRM_UPLOAD": "true",
            "GATESCOPE_AUTO_CONFIRM_STACKSET": "true", "GATESCOPE_AUTO_DELETE_ARTIFACTS": "true",
            "files": {"accounts.csv": "%s,%s\n" % (ADMIN, other), "apis.json": json.dumps(apis)},
        }
        env_file = self.write_env("self", settings)
        name, prefix = "gatescope-self", "gs-art-self"
        self.run_script("enable.sh", env_file)

        # Buckets per region, with the artifacts, readable by the two accounts only.
        for region in ("us-east-1", "eu-west-1"):
            keys = self.bucket_keys("%s-%s" % (prefix, region), region)
            self.assertEqual([k.split("/")[0] for k in keys], ["apis", "lambda", "templates"])
            policy = json.loads(self.aws("s3api", "get-bucket-policy", "--bucket",
                                         "%s-%s" % (prefix, region), region=region)["Policy"])
            read = [s for s in policy["Statement"] if s["Effect"] == "Allow"][0]
            self.assertEqual(sorted(read["Principal"]["AWS"]),
                             ["arn:aws:iam::%s:root" % a for a in (other, ADMIN)])
        ss = self.aws("cloudformation", "describe-stack-set", "--stack-set-name", name)["StackSet"]
        self.assertEqual(ss["PermissionModel"], "SELF_MANAGED")
        self.assertEqual(self.instances(name), sorted(
            (a, r, "CURRENT") for a in (ADMIN, other) for r in ("us-east-1", "eu-west-1")))
        params = {p["ParameterKey"]: p.get("ParameterValue") for p in ss["Parameters"]}
        self.assertEqual(params["Collection"], "pull")
        self.assertEqual(params["PullSchedule"], "rate(2 minutes)")

        # Each instance's function carries the .env's settings, and the connector accepts them.
        for account in (ADMIN, other):
            for region in ("us-east-1", "eu-west-1"):
                variables = self.function_env(account, region)
                self.assertEqual(variables["GATESCOPE_COLLECTOR_URL"],
                                 "https://inventory.gatescope.test/v1/batches")
                self.assertEqual(variables["GATESCOPE_COLLECTION"], "pull")
                self.assertEqual(variables["GATESCOPE_LOG_LEVEL"], "debug")
                self.assertTrue(variables["GATESCOPE_APIS"].startswith(
                    "s3://%s-%s/apis/" % (prefix, region)), variables["GATESCOPE_APIS"])
                self.assertNotIn(SECRET, json.dumps(variables))
                self.assert_connector_accepts(variables)

        # Running it again changes nothing but the StackSet's update.
        creates = len(self.moto.requests("create_stack_instances"))
        self.run_script("enable.sh", env_file)
        self.assertEqual(len(self.moto.requests("create_stack_instances")), creates)

        # Region change: eu-west-1 out, eu-central-1 in.
        settings["GATESCOPE_REGIONS"] = "us-east-1,eu-central-1"
        apis[1]["region"] = "eu-central-1"  # a listed API outside the regions is a problem
        settings["files"]["apis.json"] = json.dumps(apis)
        env_file = self.write_env("self", settings)
        self.run_script("enable.sh", env_file)
        self.assertEqual(self.instances(name), sorted(
            (a, r, "CURRENT") for a in (ADMIN, other) for r in ("us-east-1", "eu-central-1")))

        # Disable HTTP APIs only: the StackSet keeps its instances, with HttpEnabled=false.
        self.run_script("disable.sh", env_file, "--http")
        ss = self.aws("cloudformation", "describe-stack-set", "--stack-set-name", name)["StackSet"]
        params = {p["ParameterKey"]: p.get("ParameterValue") for p in ss["Parameters"]}
        self.assertEqual((params["RestEnabled"], params["HttpEnabled"]), ("true", "false"))
        self.assertEqual(len(self.instances(name)), 4)

        # Destroy: instances, StackSet and (AUTO_DELETE_ARTIFACTS) the managed buckets.
        self.run_script("destroy.sh", env_file)
        self.assertNotIn(name, self.active_stack_sets())
        for region in ("us-east-1", "eu-west-1", "eu-central-1"):
            r = subprocess.run(["aws", "s3api", "head-bucket", "--bucket",
                                "%s-%s" % (prefix, region), "--region", region],
                               env=self.env(), capture_output=True)
            self.assertNotEqual(r.returncode, 0, "bucket in %s survived destroy" % region)

    def test_organization_with_account_filter(self):
        org = self.aws("organizations", "create-organization", "--feature-set", "ALL")
        org_id = org["Organization"]["Id"]
        root = self.aws("organizations", "list-roots")["Roots"][0]["Id"]
        ou = self.aws("organizations", "create-organizational-unit", "--parent-id", root,
                      "--name", "workloads")["OrganizationalUnit"]["Id"]
        accounts = []
        for n in ("a", "b", "c"):
            st = self.aws("organizations", "create-account", "--email", n + "@gatescope.test",
                          "--account-name", "gs-" + n)["CreateAccountStatus"]
            accounts.append(st["AccountId"])
            self.aws("organizations", "move-account", "--account-id", st["AccountId"],
                     "--source-parent-id", root, "--destination-parent-id", ou)
        excluded = accounts[1]
        env_file = self.write_env("org", {
            "GATESCOPE_REGIONS": "us-west-2,ap-southeast-2",
            "GATESCOPE_ORGANIZATION_DEPLOYMENT": "true",
            "GATESCOPE_ORGANIZATIONAL_UNITS_FILE": "ous.csv",
            "GATESCOPE_ACCOUNT_FILTER_FILE": "filter.csv",
            "GATESCOPE_ACCOUNT_FILTER_TYPE": "DIFFERENCE",
            "GATESCOPE_HTTP_ENABLED": "false",
            "files": {"ous.csv": ou + "\n", "filter.csv": excluded + "\n"},
        })
        self.run_script("enable.sh", env_file, "--yes")
        name = "gatescope-org"
        ss = self.aws("cloudformation", "describe-stack-set", "--stack-set-name", name,
                      region="us-east-1")["StackSet"]
        self.assertEqual(ss["PermissionModel"], "SERVICE_MANAGED")
        create = self.moto.requests("create_stack_set")[-1]
        self.assertEqual(create["AutoDeployment"]["Enabled"], True)
        self.assertEqual(create["ManagedExecution"]["Active"], True)
        targets = self.moto.requests("create_stack_instances")[-1]["DeploymentTargets"]
        self.assertEqual(targets["AccountFilterType"], "DIFFERENCE")
        kept = [a for a in accounts if a != excluded]
        self.assertEqual(self.instances(name), sorted(
            (a, r, "CURRENT") for a in kept for r in ("us-west-2", "ap-southeast-2")))
        policy = json.loads(self.aws("s3api", "get-bucket-policy", "--bucket",
                                     "gs-art-org-us-west-2", region="us-west-2")["Policy"])
        read = [s for s in policy["Statement"] if s["Effect"] == "Allow"][0]
        self.assertEqual(read["Condition"]["StringEquals"]["aws:PrincipalOrgID"], org_id)
        variables = self.function_env(kept[0], "ap-southeast-2")
        self.assertEqual(variables["GATESCOPE_HTTP_ENABLED"], "false")
        self.assert_connector_accepts(variables)

        # disable --all removes every instance and keeps the StackSet; destroy (buckets kept,
        # as AUTO_DELETE_ARTIFACTS is off) removes the StackSet.
        self.run_script("disable.sh", env_file, "--all", "--yes")
        self.assertEqual(self.instances(name), [])
        self.run_script("destroy.sh", env_file, "--yes")
        self.assertNotIn(name, self.active_stack_sets())
        self.assertTrue(self.bucket_keys("gs-art-org-us-west-2", "us-west-2"))

    def test_upload_only(self):
        env_file = self.write_env("upload", {
            "GATESCOPE_REGIONS": "ca-central-1", "GATESCOPE_CREATE_STACKSET": "false",
        })
        r = self.run_script("enable.sh", env_file, "--yes")
        self.assertIn("https://gs-art-upload-us-east-1.s3.us-east-1.amazonaws.com/templates/",
                      r.stderr)
        self.assertTrue(self.bucket_keys("gs-art-upload-ca-central-1", "ca-central-1"))
        # The preferred region hosts the template even though it is not a target.
        self.assertIn("templates", [k.split("/")[0] for k in
                                    self.bucket_keys("gs-art-upload-us-east-1", "us-east-1")])
        self.assertNotIn("gatescope-upload", self.active_stack_sets())

    def test_unconfirmed_change_stops_without_a_terminal(self):
        env_file = self.write_env("confirm", {"GATESCOPE_REGIONS": "us-east-2"})
        r = self.run_script("enable.sh", env_file, expect_ok=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not confirmed", r.stderr)
        r = subprocess.run(["aws", "s3api", "head-bucket", "--bucket", "gs-art-confirm-us-east-2",
                            "--region", "us-east-2"], env=self.env(), capture_output=True)
        self.assertNotEqual(r.returncode, 0, "a bucket was created without confirmation")


if __name__ == "__main__":
    GATESCOPE = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
