"""Shared helpers of the CloudFormation tests: load a template with its short tags, and walk
Fn::If branches."""

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEMPLATES = os.path.join(ROOT, "deploy", "cloudformation")
sys.path.insert(0, TEMPLATES)

import check_parameter_parity  # noqa: E402  (from deploy/cloudformation)

load_template = check_parameter_parity.load_template
NO_VALUE = {"Ref": "AWS::NoValue"}


def set_root(root):
    global ROOT, TEMPLATES
    ROOT = os.path.abspath(root)
    TEMPLATES = os.path.join(ROOT, "deploy", "cloudformation")


def template(name):
    return load_template(os.path.join(TEMPLATES, name))


def branches(value, conditions=()):
    """Yields (conditions, value) for every concrete value of `value` through Fn::If: the
    conditions are (name, True/False) pairs; AWS::NoValue branches are dropped."""
    if isinstance(value, dict) and list(value) == ["Fn::If"]:
        name, if_true, if_false = value["Fn::If"]
        yield from branches(if_true, conditions + ((name, True),))
        yield from branches(if_false, conditions + ((name, False),))
    elif value != NO_VALUE:
        yield conditions, value


def as_list(value):
    return value if isinstance(value, list) else [value]


def resources(tpl, resource_type):
    return {name: r for name, r in (tpl.get("Resources") or {}).items()
            if r.get("Type") == resource_type}


def walk(value):
    """Every dict, list and scalar inside `value`."""
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def references(value, name):
    """True when `value` refers to `name` (Ref, GetAtt, or ${name} in a Sub)."""
    for node in walk(value):
        if isinstance(node, dict):
            if node.get("Ref") == name:
                return True
            get_att = node.get("Fn::GetAtt")
            if isinstance(get_att, list) and get_att and get_att[0] == name:
                return True
            sub = node.get("Fn::Sub")
            text = sub[0] if isinstance(sub, list) else sub
            if isinstance(text, str) and ("${" + name + "}" in text or
                                          "${" + name + "." in text):
                return True
    return False
