"""Nothing uses a VPC's default security group, and managed default security groups have no rules.

Why: the default security group is shared by everything in the VPC that was
given no group, so rules added for one path open it for all of them, and an
ENI placed in it (as a managed-mode AgentCore target without security groups
would be) inherits whatever it allows. We lock default groups down to no rules
(PrivateVpc does) and give every ENI a group of its own. Default groups are
recognised from every VPC's ``defaultSecurityGroupId`` in the stack and from
``defaultSecurityGroupIds`` in the pack configuration (for VPCs of other stacks).
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from .. import resource_types as t
from ..properties import UNKNOWN, message, of_type, plain, read

NAME = "no-default-security-group"

# Pack metadata (kind, severity, Security Hub control, remediation), applied where the pack is assembled.
from pulumi_policy import Severity  # noqa: E402

from ..rule_assembly import GENERAL, RuleMetadata  # noqa: E402

METADATA = RuleMetadata(
    kind=GENERAL,
    severity=Severity.HIGH,
    controls=("EC2.2",),
    tags=("security-groups", "network"),
    remediation_steps=(
        "Give the resource a security group of its own; adopt each VPC's default security group with aws.ec2.DefaultSecurityGroup(vpc_id=..., ingress=[], egress=[]) (PrivateVpc does)."
    ),
)
_SECURITY_GROUP_KEY = re.compile(r"securitygroup", re.IGNORECASE)


def _security_group_references(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(property path, id) for every string under a key that names security groups."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if _SECURITY_GROUP_KEY.search(key) and key != "defaultSecurityGroupId":
                for found in ([item] if isinstance(item, str) else item if isinstance(item, (list, tuple)) else []):
                    if isinstance(found, str):
                        yield child, found
            else:
                yield from _security_group_references(item, child)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _security_group_references(item, f"{path}[{index}]")


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    defaults = set((args.get_config() or {}).get("defaultSecurityGroupIds", []))
    for vpc in of_type(args.resources, t.VPC):
        default = read(vpc.props, "defaultSecurityGroupId")
        if isinstance(default, str):
            defaults.add(default)
    for resource in args.resources:
        if resource.resource_type == t.DEFAULT_SECURITY_GROUP:
            for direction in ("ingress", "egress"):
                rules = read(resource.props, direction)
                if rules is not UNKNOWN and rules:
                    report_violation(
                        message(resource.name, resource.resource_type, direction, rules, "the VPC's default security group must allow nothing",
                                f"remove every {direction} rule (manage it with ingress=[] and egress=[])"),
                        resource.urn,
                    )
            continue
        if resource.resource_type == t.VPC or not defaults:
            continue
        for prop, group in _security_group_references(plain(resource.props)):
            if group in defaults:
                report_violation(
                    message(resource.name, resource.resource_type, prop, group, "it is a VPC's default security group",
                            "create a security group for this resource, scoped to its port (TargetSecurityGroups)"),
                    resource.urn,
                )


policy = StackValidationPolicy(
    name=NAME,
    description="No resource references a VPC's default security group; managed default security groups have no rules.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={"defaultSecurityGroupIds": {"type": "array", "items": {"type": "string"}, "default": []}}
    ),
    validate=validate,
)
