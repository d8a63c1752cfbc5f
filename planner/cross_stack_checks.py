"""Checks that no single stack can make: they need every account's config at once.

- ``cross-stack-cidr-overlap``: VPCs overlap that a Transit Gateway route table or a peering joins.
- ``cross-stack-managed-path``: a managed-mode target's ENIs sit in a VPC of another account or
  region than the gateway's (managed mode is neither cross-account nor cross-region), or with no
  accepted TGW or peering path to its backend's VPC.
- ``cross-stack-lattice-share``: a self-managed target's Resource Configuration is missing, in
  another region than the gateway, or not shared with the gateway's account, OU or organization.
- ``cross-stack-share-outside-zone``: a RAM share names an account that no stack of the
  landing zone deploys (advisory: it may be deliberate).

Levels and descriptions live in :mod:`agentcore_egress.stacks.findings`; what AWS requires of cross-account relations
is in :mod:`.preconditions`.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from agentcore_egress.components.validation import ACCOUNT_ID

from agentcore_egress.stacks.findings import Finding, planner_finding
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel, VpcKey, vpc_key


def cross_stack_findings(model: LandingZoneModel) -> list[Finding]:
    return [*_overlaps(model), *_managed_paths(model), *_lattice_shares(model), *_shares_outside_zone(model)]


def _overlaps(model: LandingZoneModel) -> list[Finding]:
    """Overlapping VPC blocks, judged where a route can join them; blocks reused in isolated segments are fine.

    - On a Transit Gateway, when one of the hub's route tables joins the two spokes
      (:meth:`LandingZoneModel.tgw_route_table_joining`): AWS propagates only the block attached first ("If you attach
      a VPC with a CIDR range that overlaps the CIDR range of a VPC that is already attached, the new VPC CIDR range
      is not propagated", CreateTransitGatewayVpcAttachment, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTransitGatewayVpcAttachment.html),
      and inside a VPC its local route keeps the overlapping addresses. Segments whose route tables never reach both
      are how landing zones reuse a block (https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-isolated.html).
    - On a VPC peering, always: AWS does not peer VPCs whose IPv4 blocks overlap; the peering fails at once
      (https://docs.aws.amazon.com/vpc/latest/peering/create-vpc-peering-connection.html).

    The finding lands on the stack that introduces the overlap: for a Transit Gateway, the spoke deployed later in
    rollout order (a later wave; within a wave, the stack name sorting last; within a stack, the later entry), which
    is also the attachment whose block AWS drops; for a peering, the requester's ``peering_spokes`` entry (it reads
    the hub VPC's stack, so it always deploys after it).
    """
    findings = []
    for hub, all_members in sorted(model.hub_members.items()):
        members = [member for member in all_members if member[0] in model.vpcs]
        order = {member[0]: (model.rollout_position[member[0][0]], position) for position, member in enumerate(members)}
        for i, j in _overlapping_members([vpc for vpc, _ in members], model):
            join = model.tgw_route_table_joining(members[i][0], members[j][0])
            if join is None:
                continue
            (earlier, _), (later, path) = sorted((members[i], members[j]), key=lambda member: order[member[0]])
            findings.append(planner_finding(
                "cross-stack-cidr-overlap", later[0], path,
                f"{_overlap_of(model, later, earlier)} on the Transit Gateway of stack '{hub}', where {join}: AWS propagates only the block "
                f"attached first and each VPC keeps its own block on its local route; stack {later[0]} deploys after {earlier[0]}, so its "
                f"attachment introduces the overlap. Fix: renumber VPC {later[1]}, or place the two in segments whose route tables never reach both"))
    for name, stack in model.zone.stacks.items():
        for index, spoke in enumerate(stack.config.peering_spokes):
            requester, accepter = (name, spoke.vpc), (spoke.hub.stack, spoke.hub.vpc)
            if requester in model.vpcs and accepter in model.vpcs and _overlapping_members([requester, accepter], model):
                findings.append(planner_finding(
                    "cross-stack-cidr-overlap", name, f"peering_spokes[{index}]",
                    f"{_overlap_of(model, requester, accepter)}, and this entry peers them: AWS does not peer VPCs any of whose IPv4 blocks "
                    f"overlap, secondary blocks included (the peering fails at once). Fix: renumber VPC {requester[1]}"))
    return findings


def _overlap_of(model: LandingZoneModel, first: VpcKey, second: VpcKey) -> str:
    a, b = next((a, b) for a in model.vpcs[first].vpc.blocks for b in model.vpcs[second].vpc.blocks if _network(a).overlaps(_network(b)))
    return f"VPC {first[1]} (stack {first[0]}, {a}) overlaps VPC {second[1]} (stack {second[0]}, {b})"


def _overlapping_members(vpcs: list[VpcKey], model: LandingZoneModel) -> list[tuple[int, int]]:
    """Every (i, j), i < j, of ``vpcs`` where a block of one (primary or secondary: each is routed as the VPC's own, on its local
    route, and propagated into a Transit Gateway route table) overlaps a block of the other."""
    owners, networks = [], []
    for position, vpc in enumerate(vpcs):
        for block in model.vpcs[vpc].vpc.blocks:
            owners.append(position)
            networks.append(_network(block))
    return sorted({(owners[i], owners[j]) for i, j in overlapping_pairs(networks) if owners[i] != owners[j]})


def overlapping_pairs(networks: list) -> list[tuple[int, int]]:
    """Every (i, j), i < j, whose networks overlap, in that order: by a sweep over the sorted blocks, not every pair
    (400 spokes on one Transit Gateway are 80,000 pairs)."""
    pairs = []
    for version in {network.version for network in networks}:
        blocks = sorted((int(n.network_address), int(n.broadcast_address), i) for i, n in enumerate(networks) if n.version == version)
        open_blocks: list[tuple[int, int]] = []  # (last address, index) of the blocks that may still overlap the next
        for first, last, index in blocks:
            open_blocks = [(end, other) for end, other in open_blocks if end >= first]
            pairs += [(min(index, other), max(index, other)) for _, other in open_blocks]
            open_blocks.append((last, index))
    return sorted(pairs)


@lru_cache(maxsize=None)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """Parsed once per plan's process: a VPC is compared with every other VPC of its Transit Gateway."""
    return ipaddress.ip_network(cidr)


def _managed_paths(model: LandingZoneModel) -> list[Finding]:
    """AgentCore creates a managed Resource Gateway in the gateway's own account and region only; other VPCs
    are reached through an accepted Transit Gateway attachment or peering."""
    findings = []
    for name, stack in model.zone.stacks.items():
        account, region = stack.config.account.id, stack.config.account.region
        for index, target in enumerate(stack.config.targets):
            if not target.managed:
                continue
            path = f"targets[{index}].managed.vpc"
            source = vpc_key(name, target.managed.vpc)
            placed = model.vpcs.get(source)
            if placed and (placed.account, placed.region) != (account, region):
                findings.append(planner_finding(
                    "cross-stack-managed-path", name, path,
                    f"target '{target.name}': its VPC {source[1]} (stack {source[0]}) is in {placed.account}/{placed.region}, not the gateway's "
                    f"{account}/{region}: managed mode is neither cross-account nor cross-region. Fix: place the ENIs in a VPC of the gateway's "
                    "account and region joined to the backend by TGW or peering, or use a self-managed Lattice resource shared with RAM"))
                continue
            destination = model.backend_vpc(name, target)
            if destination and not model.connected(source, destination):
                findings.append(planner_finding(
                    "cross-stack-managed-path", name, path,
                    f"target '{target.name}': no accepted Transit Gateway attachment or peering joins its VPC {source[1]} (stack {source[0]}) "
                    f"to the backend's VPC {destination[1]} (stack {destination[0]}). Fix: attach both VPCs to the same hub and accept both "
                    "(tgw_spokes + tgw_acceptances), or peer them (peering_spokes + peering_acceptances)"))
    return findings


def _lattice_shares(model: LandingZoneModel) -> list[Finding]:
    """A self-managed target names a Resource Configuration the gateway's account can see: one the owner shares
    with RAM to that account, its OU or its organization, in the gateway's region (RAM shares are regional)."""
    findings = []
    for name, stack in model.zone.stacks.items():
        account, region = stack.config.account.id, stack.config.account.region
        for index, target in enumerate(stack.config.targets):
            lattice = target.lattice
            if not lattice:
                continue
            owner = model.config(lattice.stack)
            resource = model.item(lattice.stack, "lattice_resources", lattice.resource)
            if resource is None:
                continue
            configurations = sorted(c.name for c in resource.configurations)
            configuration = next((c for c in resource.configurations if c.name == lattice.configuration), None)
            if configuration is None:
                message = (f"target '{target.name}': Lattice resource '{resource.name}' of stack '{lattice.stack}' has no configuration "
                           f"'{lattice.configuration}'. Fix: use one of {configurations}")
                findings.append(planner_finding("cross-stack-lattice-share", name, f"targets[{index}].lattice.configuration", message))
            elif bool(configuration.children) != (lattice.child is not None) or configuration.endpoint(lattice.child) is None:
                children = [child.name for child in configuration.children]
                fix = f"name one of its children {children} in child" if children else "leave child out: it is not a group"
                findings.append(planner_finding(
                    "cross-stack-lattice-share", name, f"targets[{index}].lattice.child",
                    f"target '{target.name}': configuration '{lattice.configuration}' of stack '{lattice.stack}' has no child "
                    f"{lattice.child!r} to reach (a group configuration is reached through one of its children). Fix: {fix}"))
            elif owner.account.region != region:
                findings.append(planner_finding(
                    "cross-stack-lattice-share", name, f"targets[{index}].lattice",
                    f"target '{target.name}': Resource Configuration '{lattice.configuration}' of stack '{lattice.stack}' is in {owner.account.region}, "
                    f"the gateway in {region}: a RAM share is regional. Fix: create the Lattice resource in {region}, or the gateway in {owner.account.region}"))
            elif owner.account.id != account and not model.share_reaches(resource.share_with, account):
                findings.append(planner_finding(
                    "cross-stack-lattice-share", name, f"targets[{index}].lattice",
                    f"target '{target.name}': Resource Configuration '{lattice.configuration}' of stack '{lattice.stack}' is shared with "
                    f"{list(resource.share_with)}, which does not reach the gateway's account {account}. Fix: add '{account}' (or its OU or the "
                    f"landing zone's organization) to lattice_resources '{resource.name}'.share_with in stack '{lattice.stack}'"))
    return findings


def _shares_outside_zone(model: LandingZoneModel) -> list[Finding]:
    findings = []
    accounts = model.zone.accounts
    for name, path, principals in model.shares():
        for position, principal in enumerate(principals):
            if ACCOUNT_ID.match(principal) and principal not in accounts:
                findings.append(planner_finding(
                    "cross-stack-share-outside-zone", name, f"{path}[{position}]",
                    f"shares with account {principal}, which no stack of this landing zone deploys. "
                    "Fix: check the account id; add its stack if it belongs to the landing zone"))
    return findings
