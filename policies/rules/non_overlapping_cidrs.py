"""VPCs joined by the same Transit Gateway or by a peering do not overlap.

Why: routes are chosen by destination block. When two VPCs reachable from the
same place share addresses, the more specific or the local route wins and the
other VPC becomes unreachable from there, and AWS refuses peerings between
overlapping VPCs outright. It fails as a timeout from the Resource Gateway,
so we catch it before anything is built. Blocks of VPCs in other stacks can be
named in ``externalVpcCidrs`` (VPC id to block) so that overlaps with them are
found too.

Unset: a VPC's ``cidrBlock`` left out (IPAM allocation) cannot be compared.
Unknown (first preview): the ids of VPCs, attachments and Transit Gateways
created in the same stack are unknown, so VPCs and hubs are identified by the
resources their ids come from (property dependencies of ``vpcId``,
``peerVpcId``, ``transitGatewayId``) instead of by id; blocks are inputs and
known. A joined VPC whose id is unknown and comes from no resource of the
stack is "cannot verify at preview".
"""

import ipaddress
from itertools import combinations


from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs

from .. import resource_types as t
from ..properties import UNKNOWN, Unverified, of_type, read
from ..rule_declaration import GENERAL, STACK, RuleDeclaration, RuleDocs


def networks(value) -> list:
    """The block as a one-element list, none when it is unset, unknown or not a block."""
    try:
        return [ipaddress.ip_network(value, strict=False)] if isinstance(value, str) else []
    except ValueError:
        return []


def vpc_blocks(resources, external: dict[str, str]) -> dict[str, list]:
    """VPC key (:func:`vpc_key`) to its blocks: its ``cidrBlock`` and every secondary block associated with it
    (``VpcIpv4CidrBlockAssociation``), and the blocks ``external`` names for VPCs of other stacks (id to block)."""
    blocks: dict[str, list] = {vpc_id: networks(block) for vpc_id, block in external.items()}
    for vpc in of_type(resources, t.VPC):
        vpc_id = vpc_key(vpc, "id")
        if vpc_id and vpc_id is not UNKNOWN:
            blocks.setdefault(vpc_id, []).extend(networks(read(vpc.props, "cidrBlock")))
    for association in of_type(resources, t.VPC_CIDR_ASSOCIATION):
        vpc_id = vpc_key(association, "vpcId")
        if vpc_id and vpc_id is not UNKNOWN:
            blocks.setdefault(vpc_id, []).extend(networks(read(association.props, "cidrBlock")))
    return blocks


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config() or {}
    blocks = vpc_blocks(args.resources, config.get("externalVpcCidrs") or {})
    names = {vpc_key(vpc, "id"): (vpc.name, vpc.urn) for vpc in of_type(args.resources, t.VPC)}
    unverified = Unverified()

    groups: dict[str, set[str]] = {}
    for attachment in of_type(args.resources, t.TGW_VPC_ATTACHMENT):
        hub, vpc_id = vpc_key(attachment, "transitGatewayId"), vpc_key(attachment, "vpcId")
        if hub and vpc_id:
            groups.setdefault(f"Transit Gateway {hub}", set()).add(vpc_id)
        elif UNKNOWN in (hub, vpc_id):
            unverified.add(attachment.name, attachment.resource_type, "vpcId/transitGatewayId", "no resource of this stack says which one")
    for peering in of_type(args.resources, t.PEERING):
        ends = {vpc_key(peering, "vpcId"), vpc_key(peering, "peerVpcId")}
        if UNKNOWN in ends:
            unverified.add(peering.name, peering.resource_type, "vpcId/peerVpcId", "no resource of this stack says which one")
        elif all(ends):
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
    unverified.settle()


def vpc_key(resource, prop: str):
    """The id in ``prop``; when it is unknown (first preview), the URN of the resource it comes from (for ``id``: the
    resource's own URN); UNKNOWN if none says."""
    if prop == "id":
        own_id = read(resource.props, "id")
        return own_id if isinstance(own_id, str) and own_id and own_id is not UNKNOWN else resource.urn
    value = read(resource.props, prop)
    if value is not UNKNOWN:
        return value if isinstance(value, str) else None
    sources = [dep.urn for dep in (resource.property_dependencies or {}).get(prop, []) if dep.resource_type != "pulumi:pulumi:StackReference"]
    return sources[0] if len(sources) == 1 else UNKNOWN


RULE = RuleDeclaration(
    id="non-overlapping-cidrs",
    kind=GENERAL,
    description="VPCs joined by the same Transit Gateway or peering have non-overlapping CIDR blocks.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    tags=("network", "addressing"),
    remediation=(
        "Renumber one of the VPCs, or keep overlapping VPCs off the same Transit Gateway or peering; name VPCs of other"
        " stacks in externalVpcCidrs so they are compared too."
    ),
    options={"externalVpcCidrs": {"type": "object", "additionalProperties": {"type": "string"}, "default": {}}},
    validate=validate,
    judges=STACK,
    docs=RuleDocs(
        checks="VPCs attached to the same Transit Gateway, or peered, do not overlap",
        resource_types=(
            "`aws:ec2/vpc`, `vpcIpv4CidrBlockAssociation`, `ec2transitgateway/vpcAttachment`, `vpcPeeringConnection` "
            "(stack rule)"
        ),
        fix="renumber one VPC",
        configure="`externalVpcCidrs: {vpc-id: cidr}` for VPCs of other stacks",
        unset_unknown=(
            "unset block: not compared; unknown VPC/TGW ids: identified by their property dependencies (judged at "
            "preview); no dependency: *cannot verify at preview*"
        ),
        reference="stack rule, no automatic fix.",
    ),
)
