#!/usr/bin/env python3
"""check_parameter_parity.py passes on the real templates and catches drift on mutated copies
(a pass-through removed, an AllowedValues changed, a Default changed, an extra pass-through, a
NoEcho dropped, a rule changed), so that it is proven to fail when it should.

Usage: parameter_parity_test.py REPO_ROOT
"""

import os
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import cfn_template  # noqa: E402

SCRIPT = None


def run_check(connector, wrapper):
    return subprocess.run([sys.executable, SCRIPT, connector, wrapper], capture_output=True,
                          text=True, check=False)


class ParameterParityTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.connector = os.path.join(cfn_template.TEMPLATES, "connector.yaml")
        cls.wrapper = os.path.join(cfn_template.TEMPLATES, "connector-stackset.yaml")
        with open(cls.connector, encoding="utf-8") as f:
            cls.connector_text = f.read()
        with open(cls.wrapper, encoding="utf-8") as f:
            cls.wrapper_text = f.read()
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def mutated_wrapper(self, old, new, count=1):
        self.assertEqual(self.wrapper_text.count(old), count, f"mutation anchor {old!r}")
        return self.write("wrapper.yaml", self.wrapper_text.replace(old, new))

    def assert_fails_with(self, connector, wrapper, *expected):
        result = run_check(connector, wrapper)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        for line in expected:
            self.assertIn(line, result.stderr)
        # One line per problem, each naming what is wrong.
        for line in result.stderr.splitlines():
            self.assertTrue(line.strip(), result.stderr)

    def test_real_templates_agree(self):
        result = run_check(self.connector, self.wrapper)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")

    def test_default_paths(self):
        result = subprocess.run([sys.executable, SCRIPT], capture_output=True, text=True,
                                check=False)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_every_connector_parameter_is_passed(self):
        connector = cfn_template.template("connector.yaml")
        wrapper = cfn_template.template("connector-stackset.yaml")
        (stackset,) = cfn_template.resources(wrapper, "AWS::CloudFormation::StackSet").values()
        passed = {p["ParameterKey"] for p in stackset["Properties"]["Parameters"]}
        self.assertEqual(passed, set(connector["Parameters"]))
        self.assertGreaterEqual(len(passed), 30)

    def test_removed_pass_through_fails(self):
        wrapper = self.mutated_wrapper(
            "        - {ParameterKey: LogLevel, ParameterValue: !Ref LogLevel}\n", "")
        self.assert_fails_with(self.connector, wrapper,
                               "LogLevel: connector parameter not passed through to the StackSet")

    def test_changed_allowed_values_fails(self):
        wrapper = self.mutated_wrapper("AllowedValues: [x86_64, arm64]",
                                       "AllowedValues: [x86_64]")
        self.assert_fails_with(self.connector, wrapper, "LambdaArchitecture: AllowedValues differs")

    def test_changed_connector_side_fails(self):
        # Drift in the other direction: the connector gains a value the wrapper lacks.
        old = "AllowedValues: [error, warning, info, debug, trace]"
        self.assertEqual(self.connector_text.count(old), 1)
        connector = self.write("connector.yaml", self.connector_text.replace(
            old, "AllowedValues: [error, warning, info, debug, trace, verbose]"))
        self.assert_fails_with(connector, self.wrapper, "LogLevel: AllowedValues differs")

    def test_changed_default_and_range_fail(self):
        wrapper = self.mutated_wrapper("    Default: 256\n    MinValue: 128\n",
                                       "    Default: 512\n    MinValue: 64\n")
        self.assert_fails_with(self.connector, wrapper, "LambdaMemoryMb: Default differs",
                               "LambdaMemoryMb: MinValue differs")

    def test_changed_pattern_fails(self):
        old = "AllowedPattern: '^([1-9][0-9]{0,2}|1000)?$'"
        wrapper = self.mutated_wrapper(old, "AllowedPattern: '^[0-9]*$'")
        self.assert_fails_with(self.connector, wrapper,
                               "ReservedConcurrency: AllowedPattern differs")

    def test_dropped_no_echo_fails(self):
        wrapper = self.mutated_wrapper("    NoEcho: true\n", "")
        self.assert_fails_with(self.connector, wrapper, "OAuthClientSecret: NoEcho differs")

    def test_parameter_missing_from_wrapper_fails(self):
        # The declaration gone (and so its pass-through): named once, as not declared.
        start = self.wrapper_text.index("  OAuthScope:\n")
        end = self.wrapper_text.index("  RestEnabled:\n")
        text = self.wrapper_text[:start] + self.wrapper_text[end:]
        text = text.replace("        - {ParameterKey: OAuthScope, ParameterValue: !Ref OAuthScope}\n",
                            "")
        self.assert_fails_with(self.connector, self.write("wrapper.yaml", text),
                               "OAuthScope: connector parameter not declared by the wrapper")

    def test_extra_pass_through_fails(self):
        wrapper = self.mutated_wrapper(
            "        - {ParameterKey: LogLevel, ParameterValue: !Ref LogLevel}\n",
            "        - {ParameterKey: LogLevel, ParameterValue: !Ref LogLevel}\n"
            "        - {ParameterKey: Regions, ParameterValue: !Ref MaxConcurrentPercentage}\n")
        self.assert_fails_with(self.connector, wrapper,
                               "Regions: passed to the StackSet but not a connector parameter")

    def test_pass_through_of_another_value_fails(self):
        wrapper = self.mutated_wrapper(
            "{ParameterKey: LogLevel, ParameterValue: !Ref LogLevel}",
            "{ParameterKey: LogLevel, ParameterValue: debug}")
        self.assert_fails_with(self.connector, wrapper, "LogLevel: passed as 'debug'")

    def test_changed_rule_fails(self):
        wrapper = self.mutated_wrapper(
            "AssertDescription: RestEnabled and HttpEnabled cannot both be false",
            "AssertDescription: something else")
        self.assert_fails_with(self.connector, wrapper, "rule SomeApiTypeEnabled: differs")

    def test_unreadable_template_exits_2(self):
        result = run_check(self.write("bad.yaml", "a: [unclosed\n"), self.wrapper)
        self.assertEqual(result.returncode, 2, result.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        cfn_template.set_root(sys.argv.pop(1))
    SCRIPT = os.path.join(cfn_template.TEMPLATES, "check_parameter_parity.py")
    unittest.main(verbosity=2)
