#!/usr/bin/env python3
"""moto_server with the StackSet semantics the deployment scripts rely on and moto 5.2 lacks.

Usage: moto_stacksets.py PORT_FILE [REQUEST_LOG]

Starts moto's threaded server on a free loopback port, writes the port to PORT_FILE and serves
until killed. moto (5.2.1) ignores two documented StackSet behaviours that decide which accounts
get the connector, so without them the end-to-end test could not tell a right deployment from a
wrong one. This file adds them, following the CloudFormation API reference:

- CreateStackInstances' DeploymentTargets.AccountFilterType (INTERSECTION: only the listed
  accounts inside the OUs; DIFFERENCE: the OUs' accounts except the listed ones).
- DeleteStackInstances' DeploymentTargets.OrganizationalUnitIds (service-managed StackSets are
  deleted by OU; moto reads only Accounts, so nothing was deleted).

And one S3 fix: moto enforces bucket-policy statements but ignores their Condition, so the
scripts' "deny unless TLS" statement denied every upload. Statements with a Condition are left
out of moto's evaluation (the test reads the policy document itself).

Every other call is moto's own. REQUEST_LOG, when given, receives one JSON line per
CloudFormation call (action and its parameters) so that the test can check what was asked.
"""
import json
import socket
import sys
import time

from moto.server import ThreadedMotoServer
from moto.cloudformation import models as cfn_models
from moto.cloudformation import responses as cfn_responses


def _org_accounts(org_backend, ou_ids):
    """Accounts under the OUs (or roots) and their child OUs, at any depth."""
    wanted = set(ou_ids)
    for root in getattr(org_backend, "roots", []) or []:
        if root.id in wanted:
            wanted.add(root.id)
    changed = True
    while changed:
        changed = False
        for ou in org_backend.ou:
            if ou.parent_id in wanted and ou.id not in wanted:
                wanted.add(ou.id)
                changed = True
    return [a.id for a in org_backend.accounts if a.parent_id in wanted]


def _filter(accounts, targets):
    listed = set(targets.get("Accounts", []) or [])
    kind = targets.get("AccountFilterType", "NONE")
    if kind == "INTERSECTION":
        return [a for a in accounts if a in listed]
    if kind == "DIFFERENCE":
        return [a for a in accounts if a not in listed]
    return accounts


_original_create = cfn_models.StackInstances.create_instances


def create_instances(self, accounts, regions, parameters, deployment_targets, permission_model):
    ous = deployment_targets.get("OrganizationalUnitIds", []) if deployment_targets else []
    if not ous:
        return _original_create(self, accounts, regions, parameters, deployment_targets,
                                permission_model)
    targets = _filter(_org_accounts(self.org_backend, ous), deployment_targets)
    existing = {(i.account_id, i.region_name) for i in self.stack_instances}
    new = []
    for region in regions:
        for account in targets:
            if (account, region) in existing:
                continue
            new += _original_create(self, [account], [region], parameters, {}, permission_model)
    return new


_original_delete_response = cfn_responses.CloudFormationResponse.delete_stack_instances


def delete_stack_instances(self):
    params = self._get_params()
    targets = params.get("DeploymentTargets") or {}
    if targets.get("OrganizationalUnitIds") and not params.get("Accounts"):
        name = self._get_param("StackSetName")
        regions = self._get_param("Regions", [])
        stackset = self.cloudformation_backend.describe_stack_set(name)
        accounts = _filter(_org_accounts(stackset.instances.org_backend,
                                         targets["OrganizationalUnitIds"]), targets)
        stackset.delete_stack_instances(accounts, regions)
        from moto.core.responses import ActionResult
        return ActionResult({"OperationId": stackset.operations[-1]["OperationId"]})
    return _original_delete_response(self)


def get_permission(self, action, resource):
    from moto.iam.access_control import IAMPolicy, PermissionResult
    if self.policy is None:
        return PermissionResult.NEUTRAL
    policy = json.loads(self.policy.decode())
    policy["Statement"] = [st for st in policy.get("Statement", []) if "Condition" not in st]
    return IAMPolicy(json.dumps(policy)).is_action_permitted(action, resource)


def _logged(name, method, log):
    def wrapper(self):
        if log is not None:
            params = self._get_params()
            params.pop("TemplateBody", None)
            log.write(json.dumps({"action": name, "params": params}, default=str) + "\n")
            log.flush()
        return method(self)
    return wrapper


def main():
    port_file = sys.argv[1]
    log = open(sys.argv[2], "a") if len(sys.argv) > 2 else None
    cfn_models.StackInstances.create_instances = create_instances
    from moto.s3.models import FakeBucket
    FakeBucket.get_permission = get_permission
    cfn_responses.CloudFormationResponse.delete_stack_instances = delete_stack_instances
    for name in ("create_stack_set", "update_stack_set", "delete_stack_set",
                 "create_stack_instances", "delete_stack_instances"):
        method = getattr(cfn_responses.CloudFormationResponse, name)
        setattr(cfn_responses.CloudFormationResponse, name, _logged(name, method, log))

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    with open(port_file + ".tmp", "w") as f:
        f.write(str(port))
    import os
    os.rename(port_file + ".tmp", port_file)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
