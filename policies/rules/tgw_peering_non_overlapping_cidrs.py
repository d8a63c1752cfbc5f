"""VPCs behind two Transit Gateways joined by a peering attachment do not overlap.

Why: a TGW peering attachment joins two routing domains (often two regions or
two accounts' hubs), and routes between them are static routes by destination
block. When a VPC behind one hub shares addresses with a VPC behind the other,
the local attachment's route wins and the remote VPC is unreachable from there,
failing as a timeout from the Resource Gateway. ``non-overlapping-cidrs``
compares VPCs of one hub; this rule compares across a peering. Hubs and VPCs are
matched through property dependencies (``transitGatewayId``,
``peerTransitGatewayId``, ``vpcId``), so it decides at a first preview. A
VPC's blocks are its ``cidrBlock`` and its secondary blocks
(``VpcIpv4CidrBlockAssociation``), counted as ``non-overlapping-cidrs`` counts
them (one helper, :func:`.non_overlapping_cidrs.vpc_blocks`); blocks
behind a hub of another stack are named in ``externalTransitGatewayCidrs``
(TGW id to blocks). If a peering's hub is neither known nor a dependency, the
rule says it cannot verify at preview (advisory).
"""

from itertools import product


from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs

from .. import resource_types as t
from ..properties import CannotVerify, UNKNOWN, of_type, read
from .non_overlapping_cidrs import networks, vpc_blocks, vpc_key
from ..rule_declaration import GENERAL, STACK, RuleDeclaration, RuleDocs


def _hub_key(resource, prop: str):
    """The hub a property names: the TGW resource it depends on (its URN), else the literal id."""
    hubs = [dep.urn for dep in resource.property_dependencies.get(prop, []) if dep.resource_type == t.TRANSIT_GATEWAY]
    if hubs:
        return hubs[0]
    value = read(resource.props, prop)
    return value if isinstance(value, str) and value is not UNKNOWN else None


def _blocks_behind_hubs(args: StackValidationArgs, config: dict) -> dict:
    """Hub key (TGW URN or id) to [(VPC name, network)], from VPC attachments and config."""
    vpcs = {vpc.urn: vpc for vpc in of_type(args.resources, t.VPC)}
    vpcs_by_id = {read(vpc.props, "id"): vpc for vpc in vpcs.values() if isinstance(read(vpc.props, "id"), str)}
    blocks_by_vpc = vpc_blocks(args.resources, {})
    behind: dict = {}
    for hub_id, blocks in (config.get("externalTransitGatewayCidrs") or {}).items():
        behind.setdefault(hub_id, []).extend((f"external ({hub_id})", n) for block in blocks for n in networks(block))
    for hub in of_type(args.resources, t.TRANSIT_GATEWAY):
        hub_id = read(hub.props, "id")
        if isinstance(hub_id, str) and hub_id in behind:
            behind.setdefault(hub.urn, []).extend(behind[hub_id])
    for attachment in of_type(args.resources, t.TGW_VPC_ATTACHMENT):
        hub = _hub_key(attachment, "transitGatewayId")
        vpc = next((dep for dep in attachment.property_dependencies.get("vpcId", []) if dep.urn in vpcs), None) or vpcs_by_id.get(read(attachment.props, "vpcId"))
        if hub is None or vpc is None:
            continue
        behind.setdefault(hub, []).extend((vpc.name, network) for network in blocks_by_vpc.get(vpc_key(vpc, "id"), []))
    return behind


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = args.get_config() or {}
    behind = _blocks_behind_hubs(args, config)
    undecided = []
    for peering in of_type(args.resources, t.TGW_PEERING_ATTACHMENT):
        ends = (_hub_key(peering, "transitGatewayId"), _hub_key(peering, "peerTransitGatewayId"))
        if None in ends:
            undecided.append(peering.name)
            continue
        for (first, a), (second, b) in product(behind.get(ends[0], []), behind.get(ends[1], [])):
            if a.overlaps(b):
                report_violation(
                    f"PeeringAttachment '{peering.name}': VPC '{first}' ({a}) overlaps VPC '{second}' ({b}) across the peered "
                    "Transit Gateways: routes between them are ambiguous. Fix: renumber one VPC, or do not route between them",
                    peering.urn,
                )
    if undecided:
        raise CannotVerify.because(f"TGW peering attachment(s) {undecided}: a Transit Gateway id is unknown and no dependency names it; "
                                    "checked again at update")


RULE = RuleDeclaration(
    id="tgw-peering-non-overlapping-cidrs",
    kind=GENERAL,
    description="VPCs attached to two Transit Gateways joined by a TGW peering attachment have non-overlapping CIDR blocks.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    tags=("transit-gateway", "network", "addressing"),
    remediation=(
        "Renumber one of the overlapping VPCs, or do not route between them across the peering; name the blocks behind "
        "a hub of another stack in externalTransitGatewayCidrs. No automatic fix: addresses cannot change in place."
    ),
    options={"externalTransitGatewayCidrs": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}, "default": {}}},
    validate=validate,
    judges=STACK,
    docs=RuleDocs(
        checks=(
            "VPCs attached to two Transit Gateways joined by a TGW peering attachment do not overlap, counting their "
            "secondary blocks as `non-overlapping-cidrs` does"
        ),
        resource_types=(
            "`aws:ec2transitgateway/peeringAttachment`, `vpcAttachment`, `aws:ec2/vpc`, `vpcIpv4CidrBlockAssociation` "
            "(stack rule)"
        ),
        fix="renumber one VPC",
        configure="`externalTransitGatewayCidrs: {tgw-id: [cidr…]}` for hubs of other stacks",
        unset_unknown=(
            "hubs and VPCs matched through property dependencies (decides at a first preview); blocks of hubs in other "
            "stacks from config; unknown blocks with no dependency: *cannot verify at preview*"
        ),
        reference="stack rule, no automatic fix.",
    ),
)
