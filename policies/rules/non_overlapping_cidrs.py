"""VPCs joined by the same Transit Gateway or by a peering do not overlap.

Why: routes are chosen by destination block. When two VPCs reachable from the
same place share addresses, the more specific or the local route wins and the
other VPC becomes unreachable from there, and AWS refuses peerings between
overlapping VPCs outright. It fails as a timeout from the Resource Gateway,
so we catch it before anything is built. Blocks of VPCs in other stacks can be
named in ``externalVpcCidrs`` (VPC id to block) so that overlaps with them are
found too.
"""

import ipaddress
from itertools import combinations

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from .. import resource_types as t
from ..properties import UNKNOWN, of_type, read

NAME = "non-overlapping-cidrs"

# Pack metadata (kind, severity, Security Hub control, remediation), applied where the pack is assembled.
from pulumi_policy import Severity  # noqa: E402

from ..rule_assembly import GENERAL, RuleMetadata  # noqa: E402

METADATA = RuleMetadata(
    kind=GENERAL,
    severity=Severity.MEDIUM,
    tags=("network", "addressing"),
    remediation_steps=(
        'Renumber one of the VPCs, or keep overlapping VPCs off the same Transit Gateway or peering; name VPCs of other stacks in externalVpcCidrs so they are compared too.'
    ),
)


def _networks(value) -> list:
    try:
        return [ipaddress.ip_network(value, strict=False)] if isinstance(value, str) else []
    except ValueError:
        return []


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config() or {}
    blocks: dict[str, list] = {vpc_id: _networks(block) for vpc_id, block in (config.get("externalVpcCidrs") or {}).items()}
    names: dict[str, tuple[str, str]] = {}
    for vpc in of_type(args.resources, t.VPC):
        vpc_id = read(vpc.props, "id")
        if not isinstance(vpc_id, str):
            continue
        blocks.setdefault(vpc_id, []).extend(_networks(read(vpc.props, "cidrBlock")))
        names[vpc_id] = (vpc.name, vpc.urn)
    for association in of_type(args.resources, t.VPC_CIDR_ASSOCIATION):
        vpc_id = read(association.props, "vpcId")
        if isinstance(vpc_id, str):
            blocks.setdefault(vpc_id, []).extend(_networks(read(association.props, "cidrBlock")))

    groups: dict[str, set[str]] = {}
    for attachment in of_type(args.resources, t.TGW_VPC_ATTACHMENT):
        hub, vpc_id = read(attachment.props, "transitGatewayId"), read(attachment.props, "vpcId")
        if isinstance(hub, str) and isinstance(vpc_id, str):
            groups.setdefault(f"Transit Gateway {hub}", set()).add(vpc_id)
    for peering in of_type(args.resources, t.PEERING):
        ends = {read(peering.props, "vpcId"), read(peering.props, "peerVpcId")}
        if UNKNOWN not in ends and all(isinstance(end, str) for end in ends):
            groups[f"peering '{peering.name}'"] = ends

    reported: set[tuple[str, str]] = set()
    for joined_by, members in sorted(groups.items()):
        for first, second in combinations(sorted(members), 2):
            if (first, second) in reported:
                continue
            for a in blocks.get(first, []):
                for b in blocks.get(second, []):
                    if a.overlaps(b):
                        reported.add((first, second))
                        name, urn = names.get(first) or names.get(second) or (first, "")
                        report_violation(
                            f"VPC '{name}': cidrBlock {a} ({first}) overlaps {b} ({second}), both joined by {joined_by}: "
                            "routes between them are ambiguous. Fix: renumber one VPC, or keep them off the same hub",
                            urn or None,
                        )


policy = StackValidationPolicy(
    name=NAME,
    description="VPCs joined by the same Transit Gateway or peering have non-overlapping CIDR blocks.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={"externalVpcCidrs": {"type": "object", "additionalProperties": {"type": "string"}, "default": {}}}
    ),
    validate=validate,
)
