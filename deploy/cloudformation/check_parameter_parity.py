#!/usr/bin/env python3
"""Checks that connector-stackset.yaml passes every connector.yaml parameter through unchanged.

A wrapper parameter whose constraints differ from the connector's lets a bad value through the
wrapper stack, to fail later and separately in every stack instance (or rejects a good one).
So this fails (exit 1, one line per problem on stderr) when:
  - a connector parameter is not declared by the wrapper, or not passed to the StackSet as
    {ParameterKey: X, ParameterValue: !Ref X};
  - the wrapper passes a parameter the connector does not declare;
  - Type, Default, AllowedValues, AllowedPattern, MinValue, MaxValue, MinLength, MaxLength,
    NoEcho or ConstraintDescription differ;
  - a connector rule (Rules) is missing from the wrapper or differs there.
Exit 0 when the two agree, 2 when a template cannot be read.

Usage: check_parameter_parity.py [CONNECTOR_YAML [STACKSET_YAML]]
(defaults: the two templates next to this script). Needs PyYAML (Debian python3-yaml).
"""

import os
import sys

import yaml

CONSTRAINTS = ("Type", "Default", "AllowedValues", "AllowedPattern", "MinValue", "MaxValue",
               "MinLength", "MaxLength", "NoEcho", "ConstraintDescription")

SHORT_TAGS = ("Ref", "Sub", "If", "GetAtt", "Equals", "Not", "And", "Or", "Select", "Split",
              "Join", "FindInMap", "Condition", "Base64", "Cidr", "GetAZs", "ImportValue",
              "Contains", "EachMemberEquals", "EachMemberIn", "RefAll", "ValueOf", "ValueOfAll",
              "Transform", "ToJsonString", "Length")


class CfnLoader(yaml.SafeLoader):
    """A safe loader that turns CloudFormation's short tags into their long (JSON) form."""


def _long_form(tag):
    # !Ref and !Condition keep their names; every other tag is an Fn:: function. !GetAtt's
    # "A.B" string form becomes ["A", "B"], as CloudFormation reads it.
    key = tag if tag in ("Ref", "Condition") else "Fn::" + tag

    def construct(loader, node):
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if tag == "GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {key: value}

    return construct


for _tag in SHORT_TAGS:
    CfnLoader.add_constructor("!" + _tag, _long_form(_tag))


def load_template(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=CfnLoader)  # noqa: S506 (CfnLoader is a SafeLoader)


def normalise(value):
    # CloudFormation reads every parameter attribute as a string ("30" and 30 are the same
    # Default; NoEcho true and "true" the same), so compare them that way.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def stackset_pass_through(wrapper):
    """Returns ({key: value}, problems) for the StackSet resource's Parameters."""
    problems = []
    stacksets = [(name, r) for name, r in (wrapper.get("Resources") or {}).items()
                 if r.get("Type") == "AWS::CloudFormation::StackSet"]
    if len(stacksets) != 1:
        return {}, [f"wrapper: expected one AWS::CloudFormation::StackSet, found {len(stacksets)}"]
    name, resource = stacksets[0]
    passed = {}
    for i, item in enumerate((resource.get("Properties") or {}).get("Parameters") or []):
        key = item.get("ParameterKey") if isinstance(item, dict) else None
        if not key:
            problems.append(f"wrapper: {name} Parameters[{i}] has no ParameterKey")
            continue
        if key in passed:
            problems.append(f"wrapper: {key} is passed twice")
        passed[key] = item.get("ParameterValue")
    return passed, problems


def check(connector_path, wrapper_path):
    connector = load_template(connector_path)
    wrapper = load_template(wrapper_path)
    problems = []
    inner = connector.get("Parameters") or {}
    outer = wrapper.get("Parameters") or {}
    passed, found = stackset_pass_through(wrapper)
    problems += found

    for key, spec in inner.items():
        if key not in outer:
            problems.append(f"{key}: connector parameter not declared by the wrapper")
            continue
        if key not in passed:
            problems.append(f"{key}: connector parameter not passed through to the StackSet")
        elif passed[key] != {"Ref": key}:
            problems.append(f"{key}: passed as {passed[key]!r}, expected !Ref {key}")
        for attribute in CONSTRAINTS:
            a = normalise(spec.get(attribute))
            b = normalise(outer[key].get(attribute))
            if a != b:
                problems.append(f"{key}: {attribute} differs: connector {a!r}, wrapper {b!r}")
    for key in passed:
        if key not in inner:
            problems.append(f"{key}: passed to the StackSet but not a connector parameter")

    outer_rules = wrapper.get("Rules") or {}
    for name, rule in (connector.get("Rules") or {}).items():
        if name not in outer_rules:
            problems.append(f"rule {name}: in the connector but not in the wrapper")
        elif outer_rules[name] != rule:
            problems.append(f"rule {name}: differs between the connector and the wrapper")
    return problems


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    connector_path = argv[1] if len(argv) > 1 else os.path.join(here, "connector.yaml")
    wrapper_path = argv[2] if len(argv) > 2 else os.path.join(here, "connector-stackset.yaml")
    try:
        problems = check(connector_path, wrapper_path)
    except (OSError, yaml.YAMLError, AttributeError) as e:
        print(f"check_parameter_parity: cannot read the templates: {e}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"parameter parity: {len(load_template(connector_path).get('Parameters') or {})} "
          "connector parameters passed through with identical constraints")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
