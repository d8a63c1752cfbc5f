"""Nothing uses a VPC's default security group, and managed default security groups have no rules.

Why: the default security group is shared by everything in the VPC that was
given no group, so rules added for one path open it for all of them, and an
ENI placed in it (as a managed-mode AgentCore target without security groups
would be) inherits whatever it allows. We lock default groups down to no rules
(PrivateVpc does) and give every ENI a group of its own. Default groups are
recognised from every VPC's ``defaultSecurityGroupId`` in the stack and from
``defaultSecurityGroupIds`` in the pack configuration (for VPCs of other stacks).

Unset: ``ingress``/``egress`` of ``ec2.DefaultSecurityGroup`` left out means no
rules (the Terraform provider removes every rule when it adopts the group).
Unknown (first preview of a new stack): the VPC's ``defaultSecurityGroupId``
and every id derived from it are unknown, so the value cannot be compared; the
rule decides from the property dependencies instead (AnalyzeStack carries them;
Analyze, and so a resource policy, does not):

- a security-group property (``securityGroupIds``, ``securityGroups``,
  ``securityGroupId``, ``sourceSecurityGroupId``, ``referencedSecurityGroupId``…)
  that depends on an ``ec2.Vpc`` or an ``ec2.DefaultSecurityGroup`` *is* the
  default group: nothing else a VPC gives is a security group id → violation;
- nested in a wider property (a target's ``privateEndpoint``, which also takes
  the VPC's id): a violation when it holds more unknown group ids than the
  property depends on security groups, and depends on a VPC;
- from resources of other kinds: compliant when each unknown id can come from
  a security group or from a resource that names groups of its own (those are
  judged on it); more unknown ids than that, and one may be the default group
  AWS gave a resource that names none (a Redshift cluster created without
  ``vpcSecurityGroupIds``): "cannot verify at preview" (advisory);
- an unknown id with no dependency at all (nothing in this program says where
  it comes from): "cannot verify at preview" (advisory).
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any


from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs

from .. import resource_types as t
from ..properties import UNKNOWN, Unverified, dependency_types, message, of_type, plain, read
from ..rule_declaration import GENERAL, STACK, RuleDeclaration, RuleDocs


_SECURITY_GROUP_KEY = re.compile(r"securitygroup", re.IGNORECASE)
_DEFAULT_SOURCES = (t.VPC, t.DEFAULT_SECURITY_GROUP)


def _security_group_references(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(property path, id or UNKNOWN) for every id under a key that names security groups."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if _SECURITY_GROUP_KEY.search(key) and key != "defaultSecurityGroupId":
                for found in ([item] if not isinstance(item, (list, tuple)) else item):
                    if isinstance(found, str) or found is UNKNOWN:
                        yield child, found
            else:
                yield from _security_group_references(item, child)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _security_group_references(item, f"{path}[{index}]")


def _top(prop: str) -> str:
    """The top-level property of a property path (``privateEndpoint`` of ``privateEndpoint.managedVpcResource…``)."""
    return re.split(r"[.\[]", prop, maxsplit=1)[0]


def _names_its_groups(resource) -> bool:
    """Whether a resource names security groups of its own, known or from resources of the stack (judged on it by this
    rule); one that names none may have been put in its VPC's default group by AWS and hand that on (a Redshift
    cluster's ``vpcSecurityGroupIds``, computed when it is given none)."""
    dependencies = resource.property_dependencies or {}
    return any(group is not UNKNOWN or dependencies.get(_top(prop))
               for prop, group in _security_group_references(plain(resource.props)))


def _unknown_is_default(resource, top: str, nested: bool, unknown_count: int) -> Any:
    """True / False when the dependencies of ``top`` decide whether unknown ids are a default group, else None."""
    dependencies = (resource.property_dependencies or {}).get(top, [])
    types = [dependency.resource_type for dependency in dependencies]
    if t.DEFAULT_SECURITY_GROUP in types:
        return True
    if not types:
        return None
    if t.VPC in types:
        return (unknown_count > types.count(t.SECURITY_GROUP)) if nested else True
    providers = sum(1 for dependency in dependencies if dependency.resource_type == t.SECURITY_GROUP or _names_its_groups(dependency))
    return False if unknown_count <= providers else None


def _check_unknowns(resource, references: list[tuple[str, Any]], report, unverified: Unverified) -> None:
    by_top: dict[str, list[str]] = {}
    for prop, group in references:
        if group is UNKNOWN:
            by_top.setdefault(_top(prop), []).append(prop)
    for top, props in by_top.items():
        nested = any(prop.split("[")[0] != top for prop in props)
        verdict = _unknown_is_default(resource, top, nested, len(props))
        if verdict is None:
            unverified.add(resource.name, resource.resource_type, props[0], f"no resource of this stack that it depends on says where {top} comes from")
        elif verdict:
            report(message(resource.name, resource.resource_type, props[0], UNKNOWN,
                           f"it comes from {'a VPC' if t.VPC in dependency_types(resource, top) else 'an adopted default security group'} "
                           "of this stack and from no security group: it is the VPC's default security group",
                           "create a security group for this resource, scoped to its port (TargetSecurityGroups)"),
                   resource.urn)


def _check_default_group_rules(resource, report, unverified: Unverified) -> None:
    for direction in ("ingress", "egress"):
        rules = read(resource.props, direction)
        if rules is UNKNOWN:
            unverified.add(resource.name, resource.resource_type, direction, "computed by another resource")
        elif rules:
            report(message(resource.name, resource.resource_type, direction, rules, "the VPC's default security group must allow nothing",
                           f"remove every {direction} rule (manage it with ingress=[] and egress=[])"), resource.urn)


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    defaults = set((args.get_config() or {}).get("defaultSecurityGroupIds", []))
    for vpc in of_type(args.resources, t.VPC):
        default = read(vpc.props, "defaultSecurityGroupId")
        if isinstance(default, str):
            defaults.add(default)
    unverified = Unverified()
    for resource in args.resources:
        if resource.resource_type == t.DEFAULT_SECURITY_GROUP:
            _check_default_group_rules(resource, report_violation, unverified)
            continue
        if resource.resource_type == t.VPC:
            continue
        references = list(_security_group_references(plain(resource.props)))
        for prop, group in references:
            if group in defaults:
                report_violation(
                    message(resource.name, resource.resource_type, prop, group, "it is a VPC's default security group",
                            "create a security group for this resource, scoped to its port (TargetSecurityGroups)"),
                    resource.urn,
                )
        _check_unknowns(resource, references, report_violation, unverified)
    unverified.settle()


RULE = RuleDeclaration(
    id="no-default-security-group",
    kind=GENERAL,
    description="No resource references a VPC's default security group; managed default security groups have no rules.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    controls=("EC2.2",),
    tags=("security-groups", "network"),
    remediation=(
        "Give the resource a security group of its own; adopt each VPC's default security group with "
        "aws.ec2.DefaultSecurityGroup(vpc_id=..., ingress=[], egress=[]) (PrivateVpc does)."
    ),
    options={"defaultSecurityGroupIds": {"type": "array", "items": {"type": "string"}, "default": []}},
    validate=validate,
    judges=STACK,
    docs=RuleDocs(
        checks=(
            "nothing references a VPC's default security group (from any VPC's `defaultSecurityGroupId` in the stack, "
            "or from config); `aws:ec2/defaultSecurityGroup` has no rules"
        ),
        resource_types="all (stack rule)",
        fix="give the resource its own group; adopt default groups with `ingress=[]`, `egress=[]`",
        configure="`defaultSecurityGroupIds: [sg-…]` for VPCs of other stacks",
        unset_unknown=(
            "unset default-group rules: none (compliant); unknown group id: decided by dependencies (depends on an "
            "`ec2.Vpc`/`DefaultSecurityGroup` and on no security group → violation at preview); no dependency, or more "
            "unknown ids than the security groups and the group-naming resources it comes from (a Redshift cluster "
            "given no `vpcSecurityGroupIds` hands on the VPC's default group): *cannot verify at preview*"
        ),
        reference="stack rule, no automatic fix.",
    ),
)
