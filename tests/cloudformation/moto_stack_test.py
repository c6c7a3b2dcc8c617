#!/usr/bin/env python3
"""Deploys deploy/cloudformation/connector.yaml into moto (moto_server on a loopback port):
directly with CreateStack in several parameter combinations, and through a self-managed
StackSet as enable.sh does, and checks what moto creates.

moto's CloudFormation skips the resource types it does not implement (it logs "No Moto
CloudFormation support for ..."): AWS::S3::BucketPolicy, AWS::SQS::QueuePolicy,
AWS::SecretsManager::Secret, AWS::Lambda::EventInvokeConfig, AWS::Scheduler::Schedule and
AWS::CloudFormation::StackSet (so the wrapper cannot be exercised here: connector-stackset.yaml
is covered by cfn-lint and the parity and policy tests). This test keeps the template
deployable there, which the end-to-end tests depend on, and checks the resources moto does make.

Usage: moto_stack_test.py REPO_ROOT
"""

import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import zipfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
PREFIX = "gstest"

try:
    import boto3
except ImportError:  # reported by the test below rather than as a crash
    boto3 = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Moto:
    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=1).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("moto_server did not come up:\n" + self.output())
                time.sleep(0.2)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def reset(self):
        req = urllib.request.Request(self.endpoint + "/moto-api/reset", method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id="x", aws_secret_access_key="x")


def params(**overrides):
    values = {"ArtifactBucketPrefix": PREFIX, "LambdaZipKey": "lambda/gatescope-0123.zip",
              "CollectorUrl": "https://collector.example/v1/batches",
              "OAuthTokenUrl": "https://auth.example/oauth2/token", "OAuthClientId": "client",
              "OAuthClientSecret": "s3cr3t-value"}
    values.update(overrides)
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


@unittest.skipIf(boto3 is None or shutil.which("moto_server") is None,
                 "boto3 or moto_server missing")
class ConnectorInMotoTest(unittest.TestCase):
    moto = None

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(ROOT, "deploy", "cloudformation", "connector.yaml"),
                  encoding="utf-8") as f:
            cls.body = f.read()
        cls.moto = Moto()

    @classmethod
    def tearDownClass(cls):
        if cls.moto:
            cls.moto.stop()

    def setUp(self):
        self.moto.reset()
        self.cfn = self.moto.client("cloudformation")
        self.s3 = self.moto.client("s3")
        self.lam = self.moto.client("lambda")
        self.logs = self.moto.client("logs")
        self.iam = self.moto.client("iam")
        self.sqs = self.moto.client("sqs")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("bootstrap", "#!/bin/sh\n")
        self.s3.create_bucket(Bucket=f"{PREFIX}-{REGION}")
        self.s3.put_object(Bucket=f"{PREFIX}-{REGION}", Key="lambda/gatescope-0123.zip",
                           Body=buf.getvalue())

    def create(self, name, parameters):
        self.stack_id = self.cfn.create_stack(
            StackName=name, TemplateBody=self.body, Parameters=parameters,
            Capabilities=["CAPABILITY_NAMED_IAM"])["StackId"]
        stack = self.wait(self.stack_id, "CREATE_IN_PROGRESS")
        self.assertEqual(stack["StackStatus"], "CREATE_COMPLETE",
                         f"{stack.get('StackStatusReason')}\n{self.moto.output()[-3000:]}")
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}

    def wait(self, name, transient):
        for _ in range(100):
            stack = self.cfn.describe_stacks(StackName=name)["Stacks"][0]
            if stack["StackStatus"] != transient:
                return stack
            time.sleep(0.1)
        self.fail(f"{name} stays {transient}")

    def resources(self, name):
        summaries = self.cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
        return {r["LogicalResourceId"]: r for r in summaries if r["LogicalResourceId"]}

    def role_names(self):
        return {r["RoleName"] for r in self.iam.list_roles()["Roles"]}

    def log_groups(self):
        return {g["logGroupName"]: g.get("retentionInDays")
                for g in self.logs.describe_log_groups()["logGroups"]}

    def test_push_oauth2_defaults(self):
        outputs = self.create("gatescope-push", params())
        self.assertEqual(outputs["FunctionArn"],
                         f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:gatescope-connector")
        config = self.lam.get_function_configuration(FunctionName="gatescope-connector")
        self.assertEqual(config["Runtime"], "provided.al2023")
        self.assertEqual(config["Handler"], "bootstrap")
        self.assertEqual(config["Architectures"], ["x86_64"])
        self.assertEqual(config["MemorySize"], 256)
        self.assertEqual(config["Timeout"], 300)
        self.assertEqual(config["Role"], f"arn:aws:iam::{ACCOUNT}:role/gatescope-connector-{REGION}")
        env = config["Environment"]["Variables"]
        self.assertNotIn("s3cr3t-value", str(env))
        self.assertEqual(env["GATESCOPE_COLLECTION"], "push")
        self.assertEqual(env["GATESCOPE_AUTH"], "oauth2")
        # GATESCOPE_OAUTH_CLIENT_SECRET_ARN refers to the secret, which moto does not create
        # (so it leaves the variable out); policy_test checks the template's side.
        self.assertNotIn("GATESCOPE_CHECKPOINT", env)
        self.assertNotIn("GATESCOPE_APIS", env)
        self.assertEqual(env["GATESCOPE_SPILL"], f"s3://{outputs['StateBucketName']}/spill/")
        self.assertEqual(env["GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN"],
                         f"arn:aws:iam::{ACCOUNT}:role/gatescope-apigw-cloudwatch-{REGION}")
        self.assertEqual(self.log_groups(), {"/aws/lambda/gatescope-connector": 30,
                                             "/aws/apigateway/gatescope-access": 30})
        self.assertEqual(self.role_names(), {f"gatescope-connector-{REGION}",
                                             f"gatescope-scheduler-{REGION}",
                                             f"gatescope-apigw-cloudwatch-{REGION}"})
        self.assertTrue(outputs["FailureQueueUrl"].endswith("/gatescope-connector-failures"))
        attrs = self.sqs.get_queue_attributes(QueueUrl=outputs["FailureQueueUrl"],
                                              AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["MessageRetentionPeriod"], "1209600")
        self.assertEqual(attrs.get("SqsManagedSseEnabled"), "true")
        bucket = outputs["StateBucketName"]
        self.assertRegex(bucket, rf"^gatescope-state-{ACCOUNT}-{REGION}-[0-9a-f]{{8}}$")
        # moto applies the bucket's encryption but not its public access block (policy_test
        # checks that one in the template).
        encryption = self.s3.get_bucket_encryption(Bucket=bucket)
        self.assertEqual(encryption["ServerSideEncryptionConfiguration"]["Rules"][0]
                         ["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], "AES256")
        policy = self.lam.get_policy(FunctionName="gatescope-connector")["Policy"]
        self.assertIn("logs.amazonaws.com", policy)
        self.assertIn("LogsInvokePermission", self.resources("gatescope-push"))

        # Deleting the stack keeps the state bucket (DeletionPolicy Retain) and frees every
        # fixed name, so that the stack can be created again (destroy.sh, then enable.sh).
        self.cfn.delete_stack(StackName="gatescope-push")
        self.assertEqual(self.wait(self.stack_id, "DELETE_IN_PROGRESS")["StackStatus"],
                         "DELETE_COMPLETE")
        self.assertIn(bucket, {b["Name"] for b in self.s3.list_buckets()["Buckets"]})
        self.assertEqual(self.role_names(), set())
        self.assertEqual(self.log_groups(), {})
        outputs_again = self.create("gatescope-push-again", params())
        self.assertNotEqual(outputs_again["StateBucketName"], bucket)

    def test_pull_without_auth_with_given_roles(self):
        self.s3.put_object(Bucket=f"{PREFIX}-{REGION}", Key="apis/apis-0123.json", Body=b"[]")
        role = self.iam.create_role(
            RoleName="precreated", AssumeRolePolicyDocument=(
                '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
                '{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}'))["Role"]["Arn"]
        self.create("gatescope-pull", params(
            AuthMode="none", OAuthTokenUrl="", OAuthClientId="", OAuthClientSecret="",
            Collection="pull", Discover="false", ApisKey="apis/apis-0123.json",
            RestEnabled="false", HttpAccessLogsExist="true", LambdaArchitecture="arm64",
            LambdaMemoryMb="512", LambdaTimeoutSeconds="60", ReservedConcurrency="5",
            LambdaRoleArn=role, SchedulerRoleArn=role, LogRetentionDays="7",
            ContentTypeRegex="json"))
        config = self.lam.get_function_configuration(FunctionName="gatescope-connector")
        self.assertEqual(config["Role"], role)
        # (moto ignores Architectures from a template; the parameter is accepted.)
        self.assertEqual(config["MemorySize"], 512)
        env = config["Environment"]["Variables"]
        for absent in ("GATESCOPE_OAUTH_TOKEN_URL", "GATESCOPE_OAUTH_CLIENT_ID",
                       "GATESCOPE_OAUTH_CLIENT_SECRET_ARN", "GATESCOPE_OAUTH_SCOPE",
                       "GATESCOPE_APIGATEWAY_CLOUDWATCH_ROLE_ARN", "GATESCOPE_STATIC_FILE_REGEX"):
            self.assertNotIn(absent, env)
        self.assertEqual(env["GATESCOPE_AUTH"], "none")
        self.assertEqual(env["GATESCOPE_APIS"], f"s3://{PREFIX}-{REGION}/apis/apis-0123.json")
        self.assertEqual(env["GATESCOPE_CONTENT_TYPE_REGEX"], "json")
        self.assertTrue(env["GATESCOPE_CHECKPOINT"].endswith("/checkpoints/"))
        concurrency = self.lam.get_function_concurrency(FunctionName="gatescope-connector")
        self.assertEqual(concurrency.get("ReservedConcurrentExecutions"), 5)
        self.assertEqual(self.role_names(), {"precreated"})  # every role was given
        self.assertEqual(self.log_groups(), {"/aws/lambda/gatescope-connector": 7})
        self.assertNotIn("LogsInvokePermission", self.resources("gatescope-pull"))

    def test_through_a_self_managed_stackset(self):
        # As enable.sh does: the StackSet names the instance's stack StackSet-<name>-<uuid>.
        self.cfn.create_stack_set(StackSetName="gatescope-connector", TemplateBody=self.body,
                                  Parameters=params(), Capabilities=["CAPABILITY_NAMED_IAM"],
                                  PermissionModel="SELF_MANAGED")
        self.cfn.create_stack_instances(StackSetName="gatescope-connector", Accounts=[ACCOUNT],
                                        Regions=[REGION])
        for _ in range(100):
            instances = self.cfn.list_stack_instances(
                StackSetName="gatescope-connector")["Summaries"]
            if instances and instances[0]["Status"] != "OUTDATED":
                break
            time.sleep(0.1)
        self.assertEqual(len(instances), 1)
        self.assertEqual(instances[0]["Status"], "CURRENT", instances)
        self.assertEqual(instances[0]["StackInstanceStatus"]["DetailedStatus"], "SUCCEEDED")
        self.lam.get_function_configuration(FunctionName="gatescope-connector")
        self.assertIn(f"gatescope-connector-{REGION}", self.role_names())
        self.assertIn("gatescope-connector-failures",
                      " ".join(self.sqs.list_queues().get("QueueUrls", [])))


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        ROOT = os.path.abspath(sys.argv.pop(1))
    if boto3 is None or shutil.which("moto_server") is None:
        print("FAIL: moto_server and boto3 are needed (pip moto[server], on the machine image)")
        sys.exit(1)
    unittest.main(verbosity=2)
