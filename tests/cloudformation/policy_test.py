#!/usr/bin/env python3
"""Policy checks over deploy/cloudformation (standing in for cfn-guard, which is not available
here): least privilege, no secret in the Lambda environment, a locked-down state bucket, log
retention, failure destinations, conditions, and the Lambda environment against the names the
connector knows (src/connector/connector_config.cc) plus the deployment spec's list.

Usage: policy_test.py REPO_ROOT
"""

import os
import re
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import cfn_template  # noqa: E402
from cfn_template import as_list, branches, references, resources, walk  # noqa: E402

# The only actions allowed on Resource "*", each because it has no resource type in the
# Service Authorization Reference (an ARN there is ignored or refused):
UNSCOPABLE_ACTIONS = {
    # CloudWatch Logs vended-log delivery, which API Gateway checks the caller may set up when
    # it turns on HTTP API access logs (apigateway developer guide, "Configuring logging for an
    # HTTP API"): deliveries have no ARN the caller can name beforehand.
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
    # The account-level CloudWatch Logs resource policy the delivery adds to: no ARN.
    "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
}


def policy_documents(tpl):
    """Yields (where, conditions, statement) for every statement of every identity policy
    (inline role policies, AWS::IAM::Policy, AWS::IAM::ManagedPolicy), through Fn::If."""
    for name, res in (tpl.get("Resources") or {}).items():
        props = res.get("Properties") or {}
        docs = []
        if res["Type"] == "AWS::IAM::Role":
            docs = [(f"{name}/{p['PolicyName']}", p["PolicyDocument"])
                    for p in props.get("Policies") or []]
        elif res["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            docs = [(name, props["PolicyDocument"])]
        for where, doc in docs:
            for item in as_list(doc["Statement"]):
                for conditions, statement in branches(item):
                    yield where, conditions, statement


def resource_policy_statements(tpl):
    for name, res in (tpl.get("Resources") or {}).items():
        if res["Type"] in ("AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy"):
            for statement in as_list(res["Properties"]["PolicyDocument"]["Statement"]):
                yield name, res, statement


def resource_values(statement):
    values = []
    for item in as_list(statement.get("Resource")):
        values += [v for _, v in branches(item)]
    return values


def connector_variables(root):
    """The GATESCOPE_* names of kVariables in src/connector/connector_config.cc."""
    with open(os.path.join(root, "src", "connector", "connector_config.cc"),
              encoding="utf-8") as f:
        text = f.read()
    match = re.search(r"kVariables\s*=\s*\{(.*?)\n\};", text, re.S)
    assert match, "kVariables table not found in connector_config.cc"
    return set(re.findall(r'\{"(GATESCOPE_[A-Z0-9_]+)"', match.group(1)))


def spec_extra_variables(root):
    """The names of the deployment spec's paragraph "The connector variables the stack sets
    beyond those of docs/specs/connector.md: ..." (up to the next heading or the end)."""
    with open(os.path.join(root, "docs", "specs", "deployment.md"), encoding="utf-8") as f:
        text = f.read()
    start = text.index("The connector variables the stack sets beyond those of")
    end = text.find("\n#", start)
    paragraph = text[start:end if end != -1 else len(text)]
    return set(re.findall(r"GATESCOPE_[A-Z0-9_]+", paragraph))


class ConnectorPolicyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tpl = cfn_template.template("connector.yaml")
        cls.res = cls.tpl["Resources"]
        cls.statements = list(policy_documents(cls.tpl))
        (cls.function_name, cls.function), = resources(
            cls.tpl, "AWS::Lambda::Function").items()
        cls.env = cls.function["Properties"]["Environment"]["Variables"]

    def test_has_policy_statements(self):
        self.assertGreater(len(self.statements), 10)

    def test_no_wildcard_actions(self):
        for where, _, statement in self.statements:
            for action in as_list(statement["Action"]):
                self.assertNotEqual(action, "*", where)
                self.assertFalse(action.endswith(":*"), f"{where}: {action}")
                self.assertNotIn("*", action, f"{where}: {action}")
            self.assertNotIn("NotAction", statement, where)
            self.assertNotIn("NotResource", statement, where)

    def test_only_allow_statements_in_identity_policies(self):
        for where, _, statement in self.statements:
            self.assertEqual(statement["Effect"], "Allow", where)

    def test_star_resource_only_for_unscopable_actions(self):
        seen = set()
        for where, _, statement in self.statements:
            if "*" in resource_values(statement):
                for action in as_list(statement["Action"]):
                    self.assertIn(action, UNSCOPABLE_ACTIONS, f"{where}: {action} on '*'")
                    seen.add(action)
        # The list stays minimal: every action on it is used.
        self.assertEqual(seen, UNSCOPABLE_ACTIONS)

    def test_arns_scoped_to_partition_region_account(self):
        for where, _, statement in self.statements:
            for value in resource_values(statement):
                if value == "*" or isinstance(value, dict) and set(value) & {"Ref", "Fn::GetAtt"}:
                    continue
                self.assertIsInstance(value, dict, f"{where}: literal resource {value!r}")
                sub = value["Fn::Sub"]
                self.assertIsInstance(sub, str, where)
                if sub.startswith("arn:"):
                    self.assertTrue(sub.startswith("arn:${AWS::Partition}:"), f"{where}: {sub}")
                    service = sub.split(":")[2]
                    if service == "logs":
                        self.assertIn(":${AWS::Region}:${AWS::AccountId}:", sub, where)
                    if service == "apigateway":
                        self.assertIn(":${AWS::Region}::/", sub, where)
                    if service == "s3":
                        self.assertIn("${AWS::Region}", sub, where)
        # No hard-coded partition anywhere (GovCloud, China).
        for node in walk(self.tpl["Resources"]):
            if isinstance(node, str):
                self.assertNotIn("arn:aws:", node)

    def test_apigateway_changes_only_when_the_flags_ask(self):
        for where, conditions, statement in self.statements:
            actions = as_list(statement["Action"])
            if "apigateway:PATCH" in actions:
                self.assertIn(conditions, [(("RestLoggingManaged", True),),
                                           (("HttpLoggingManaged", True),)], where)
            for action in actions:
                if action.startswith("apigateway:"):
                    self.assertIn(action, ("apigateway:GET", "apigateway:PATCH"), where)
        conds = self.tpl["Conditions"]
        self.assertEqual(conds["RestLoggingManaged"],
                         {"Fn::And": [{"Fn::Equals": [{"Ref": "RestEnabled"}, "true"]},
                                      {"Fn::Equals": [{"Ref": "RestExecutionLogsExist"}, "false"]}]})
        self.assertEqual(conds["HttpLoggingManaged"],
                         {"Fn::And": [{"Fn::Equals": [{"Ref": "HttpEnabled"}, "true"]},
                                      {"Fn::Equals": [{"Ref": "HttpAccessLogsExist"}, "false"]}]})

    def test_subscription_actions_only_in_push(self):
        for where, conditions, statement in self.statements:
            if any("SubscriptionFilter" in a for a in as_list(statement["Action"])):
                self.assertEqual(conditions, (("IsPush", True),), where)

    def test_pass_role_is_narrow(self):
        found = 0
        for where, _, statement in self.statements:
            if "iam:PassRole" in as_list(statement["Action"]):
                found += 1
                self.assertEqual(as_list(statement["Action"]), ["iam:PassRole"], where)
                self.assertNotIn("*", resource_values(statement), where)
                self.assertEqual(statement["Condition"],
                                 {"StringEquals": {"iam:PassedToService": "apigateway.amazonaws.com"}})
                for value in resource_values(statement):
                    self.assertTrue(references(value, "ApiGatewayCloudWatchRole") or
                                    references(value, "ApiGatewayCloudWatchRoleArn"), where)
        self.assertGreaterEqual(found, 1)

    def test_secret_read_only_on_the_stack_secret(self):
        for where, _, statement in self.statements:
            actions = as_list(statement["Action"])
            if any(a.startswith("secretsmanager:") for a in actions):
                self.assertEqual(actions, ["secretsmanager:GetSecretValue"], where)
                self.assertEqual(resource_values(statement), [{"Ref": "OAuthClientSecretValue"}])

    def test_s3_access_is_the_state_bucket_and_the_api_list(self):
        for where, _, statement in self.statements:
            for action in as_list(statement["Action"]):
                if not action.startswith("s3:"):
                    continue
                self.assertIn(action, ("s3:GetObject", "s3:PutObject", "s3:ListBucket"), where)
                for value in resource_values(statement):
                    state = references(value, "StateBucket")
                    apis = (isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str) and
                            value["Fn::Sub"].endswith(
                                ":s3:::${ArtifactBucketPrefix}-${AWS::Region}/apis/*"))
                    self.assertTrue(state or (apis and action == "s3:GetObject"),
                                    f"{where}: {action} on {value}")

    def test_no_describe_regions(self):
        for where, _, statement in self.statements:
            self.assertNotIn("ec2:DescribeRegions", as_list(statement["Action"]), where)

    def test_secret_never_in_the_lambda_environment(self):
        for key, value in self.env.items():
            self.assertFalse(references(value, "OAuthClientSecret"), key)
            self.assertNotIn(key, ("GATESCOPE_OAUTH_CLIENT_SECRET", "GATESCOPE_OAUTH_CLIENT_SECRET_FILE",
                                   "GATESCOPE_TOKEN"))
        # The parameter is used only to fill the secret (and in conditions and rules).
        for name, res in self.res.items():
            if references(res.get("Properties"), "OAuthClientSecret"):
                self.assertEqual(res["Type"], "AWS::SecretsManager::Secret", name)
        self.assertFalse(references(self.tpl.get("Outputs"), "OAuthClientSecret"))
        self.assertTrue(self.tpl["Parameters"]["OAuthClientSecret"]["NoEcho"])
        self.assertEqual(self.env["GATESCOPE_OAUTH_CLIENT_SECRET_ARN"],
                         {"Fn::If": ["StoreOAuthClientSecret", {"Ref": "OAuthClientSecretValue"},
                                     cfn_template.NO_VALUE]})

    def test_state_bucket_locked_down(self):
        (name, bucket), = resources(self.tpl, "AWS::S3::Bucket").items()
        props = bucket["Properties"]
        self.assertEqual(props["PublicAccessBlockConfiguration"],
                         {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                          "IgnorePublicAcls": True, "RestrictPublicBuckets": True})
        rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        self.assertIn(rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"], ("AES256", "aws:kms"))
        self.assertEqual(bucket["DeletionPolicy"], "Retain")
        self.assertEqual(bucket["UpdateReplacePolicy"], "Retain")
        spill = [r for r in props["LifecycleConfiguration"]["Rules"] if r.get("Prefix") == "spill/"]
        self.assertEqual(len(spill), 1)
        self.assertEqual(spill[0]["ExpirationInDays"], 30)
        self.assertEqual(spill[0]["Status"], "Enabled")
        # A bucket policy on it denies every request without TLS, on the bucket and its objects.
        denied = []
        for pname, res, statement in resource_policy_statements(self.tpl):
            if res["Type"] == "AWS::S3::BucketPolicy" and references(res["Properties"]["Bucket"], name):
                if (statement["Effect"] == "Deny" and statement["Principal"] == "*" and
                        statement["Action"] in ("s3:*", ["s3:*"]) and
                        statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}):
                    denied += as_list(statement["Resource"])
        self.assertTrue(any(r == {"Fn::GetAtt": [name, "Arn"]} for r in denied), denied)
        self.assertTrue(any(isinstance(r, dict) and r.get("Fn::Sub") == "${%s.Arn}/*" % name
                            for r in denied), denied)

    def test_every_log_group_has_retention(self):
        groups = resources(self.tpl, "AWS::Logs::LogGroup")
        self.assertGreaterEqual(len(groups), 2)
        for name, group in groups.items():
            self.assertEqual(group["Properties"].get("RetentionInDays"), {"Ref": "LogRetentionDays"},
                             name)
        names = [g["Properties"]["LogGroupName"] for g in groups.values()]
        self.assertIn("/aws/lambda/" + self.function["Properties"]["FunctionName"], names)
        self.assertIn({"Ref": "HttpAccessLogGroupName"}, names)
        self.assertEqual(self.res["HttpAccessLogGroup"]["Condition"], "HttpLoggingManaged")
        # The function waits for its log group, so it never logs before the retention is set.
        self.assertIn(self.function.get("DependsOn"), ("FunctionLogGroup", ["FunctionLogGroup"]))

    def test_async_failures_go_to_a_queue(self):
        (name, config), = resources(self.tpl, "AWS::Lambda::EventInvokeConfig").items()
        props = config["Properties"]
        self.assertEqual(props["FunctionName"], {"Ref": self.function_name})
        self.assertEqual(props["MaximumRetryAttempts"], 2)
        self.assertEqual(props["MaximumEventAgeInSeconds"], 21600)
        destination = props["DestinationConfig"]["OnFailure"]["Destination"]
        queue_name = destination["Fn::GetAtt"][0]
        queue = self.res[queue_name]
        self.assertEqual(queue["Type"], "AWS::SQS::Queue")
        self.assertEqual(queue["Properties"]["QueueName"], "gatescope-connector-failures")
        self.assertTrue(queue["Properties"]["SqsManagedSseEnabled"])
        self.assertEqual(queue["Properties"]["MessageRetentionPeriod"], 14 * 24 * 3600)
        # The execution role may send there (Lambda uses it for destinations).
        self.assertTrue(any("sqs:SendMessage" in as_list(s["Action"]) and
                            resource_values(s) == [{"Fn::GetAtt": [queue_name, "Arn"]}]
                            for _, _, s in self.statements))

    def test_schedules(self):
        schedules = resources(self.tpl, "AWS::Scheduler::Schedule")
        by_input = {s["Properties"]["Target"]["Input"]: s for s in schedules.values()}
        self.assertEqual(set(by_input), {'{"gatescope":"refresh"}', "{}"})
        self.assertNotIn("Condition", by_input['{"gatescope":"refresh"}'])
        self.assertEqual(by_input["{}"].get("Condition"), "IsPull")
        self.assertEqual(self.tpl["Conditions"]["IsPull"],
                         {"Fn::Equals": [{"Ref": "Collection"}, "pull"]})
        for schedule in schedules.values():
            target = schedule["Properties"]["Target"]
            self.assertEqual(target["Arn"], {"Fn::GetAtt": [self.function_name, "Arn"]})
        # The scheduler role may invoke this function only.
        scheduler = self.res["SchedulerRole"]["Properties"]["Policies"]
        statements = [s for p in scheduler for s in as_list(p["PolicyDocument"]["Statement"])]
        self.assertEqual(statements, [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                                       "Resource": {"Fn::GetAtt": [self.function_name, "Arn"]}}])

    def test_logs_permission_only_in_push_and_scoped(self):
        permissions = resources(self.tpl, "AWS::Lambda::Permission")
        self.assertEqual(len(permissions), 1)
        (permission,) = permissions.values()
        self.assertEqual(permission["Condition"], "IsPush")
        props = permission["Properties"]
        self.assertEqual(props["Principal"], "logs.amazonaws.com")
        self.assertEqual(props["SourceArn"], {
            "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"})
        self.assertEqual(props["SourceAccount"], {"Ref": "AWS::AccountId"})

    def test_function_shape(self):
        props = self.function["Properties"]
        self.assertEqual(props["FunctionName"], "gatescope-connector")
        self.assertEqual(props["Runtime"], "provided.al2023")
        self.assertEqual(props["Handler"], "bootstrap")
        self.assertEqual(props["Architectures"], [{"Ref": "LambdaArchitecture"}])
        self.assertEqual(props["Code"], {"S3Bucket": {"Fn::Sub": "${ArtifactBucketPrefix}-${AWS::Region}"},
                                         "S3Key": {"Ref": "LambdaZipKey"}})
        self.assertEqual(props["ReservedConcurrentExecutions"],
                         {"Fn::If": ["HasReservedConcurrency", {"Ref": "ReservedConcurrency"},
                                     cfn_template.NO_VALUE]})

    def test_named_resources_and_regional_iam_names(self):
        name_property = {"AWS::Lambda::Function": "FunctionName", "AWS::SQS::Queue": "QueueName",
                         "AWS::IAM::Role": "RoleName", "AWS::Logs::LogGroup": "LogGroupName",
                         "AWS::Scheduler::Schedule": "Name", "AWS::S3::Bucket": "BucketName"}
        for name, res in self.res.items():
            prop = name_property.get(res["Type"])
            if prop:
                self.assertIn(prop, res["Properties"], name)
            if res["Type"] == "AWS::IAM::Role":
                role_name = res["Properties"]["RoleName"]["Fn::Sub"]
                self.assertIn("${AWS::Region}", role_name, name)

    def test_lambda_environment_names_are_known_to_the_connector(self):
        known = connector_variables(cfn_template.ROOT)
        extra = spec_extra_variables(cfn_template.ROOT)
        self.assertIn("GATESCOPE_COLLECTOR_URL", known)
        self.assertIn("GATESCOPE_OAUTH_CLIENT_SECRET_ARN", extra)
        unknown = set(self.env) - known - extra
        self.assertEqual(unknown, set(), "not in kVariables nor in the spec's extra list")
        # And the stack sets every variable the spec says it sets.
        self.assertEqual(extra - set(self.env), set())

    def test_pull_only_variables(self):
        self.assertEqual(self.env["GATESCOPE_CHECKPOINT"],
                         {"Fn::If": ["IsPull", {"Fn::Sub": "s3://${StateBucket}/checkpoints/"},
                                     cfn_template.NO_VALUE]})
        self.assertEqual(self.env["GATESCOPE_SPILL"], {"Fn::Sub": "s3://${StateBucket}/spill/"})

    def test_outputs(self):
        outputs = self.tpl["Outputs"]
        self.assertTrue(references(outputs["FunctionArn"], self.function_name))
        self.assertTrue(references(outputs["StateBucketName"], "StateBucket"))
        self.assertTrue(references(outputs["FailureQueueUrl"], "FailureQueue"))


class StackSetPolicyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tpl = cfn_template.template("connector-stackset.yaml")
        (cls.stackset,) = resources(cls.tpl, "AWS::CloudFormation::StackSet").values()
        cls.props = cls.stackset["Properties"]

    def test_managed_execution_and_capabilities(self):
        self.assertEqual(self.props["ManagedExecution"], {"Active": True})
        self.assertEqual(self.props["Capabilities"], ["CAPABILITY_NAMED_IAM"])

    def test_operation_preferences_defaults(self):
        params = self.tpl["Parameters"]
        prefs = self.props["OperationPreferences"]
        for key, default in (("MaxConcurrentPercentage", 25), ("FailureTolerancePercentage", 10),
                             ("RegionConcurrencyType", "PARALLEL"),
                             ("ConcurrencyMode", "SOFT_FAILURE_TOLERANCE")):
            self.assertEqual(prefs[key], {"Ref": key})
            self.assertEqual(params[key]["Default"], default)
        self.assertIn("reports SUCCEEDED", params["FailureTolerancePercentage"]["Description"])
        self.assertIn("list-stack-instances", params["FailureTolerancePercentage"]["Description"])

    def test_permission_models(self):
        self.assertEqual(self.props["PermissionModel"], {"Ref": "PermissionModel"})
        self.assertEqual(self.tpl["Parameters"]["PermissionModel"]["AllowedValues"],
                         ["SERVICE_MANAGED", "SELF_MANAGED"])
        # Service-managed only: auto-deployment, CallAs; self-managed only: the two roles.
        for key in ("AutoDeployment", "CallAs"):
            self.assertEqual(self.props[key]["Fn::If"][0], "ServiceManaged", key)
            self.assertEqual(self.props[key]["Fn::If"][2], cfn_template.NO_VALUE, key)
        for key in ("AdministrationRoleARN", "ExecutionRoleName"):
            self.assertEqual(self.props[key]["Fn::If"][0], "ServiceManaged", key)
            self.assertEqual(self.props[key]["Fn::If"][1], cfn_template.NO_VALUE, key)
        (group,) = self.props["StackInstancesGroup"]
        service, self_managed = group["DeploymentTargets"]["Fn::If"][1:]
        self.assertEqual(group["DeploymentTargets"]["Fn::If"][0], "ServiceManaged")
        self.assertEqual(set(service), {"OrganizationalUnitIds", "AccountFilterType", "Accounts"})
        self.assertEqual(set(self_managed), {"Accounts"})


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        cfn_template.set_root(sys.argv.pop(1))
    unittest.main(verbosity=2)
