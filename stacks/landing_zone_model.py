"""The landing zone as one model: who owns which VPC where, who is joined to whom, which backend a
target reaches, and which managed Resource Gateway AgentCore will give it.

Read from every stack's validated config, before anything is simulated. Cross-stack checks,
preconditions, topology, preflight and plan all read this one model, so the
answer to "which VPC is ``{stack, vpc}``", "are these two VPCs joined" or "which load balancer
does ``https://orders.tools.example.com`` reach" is computed in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Optional
from urllib.parse import urlparse

from agentcore_egress.components.reuse_key import managed_reuse_key
from agentcore_egress.components.validation import ORGANIZATION_ARN, OU_ARN
from agentcore_egress.stacks.config_schema import StackConfig, Subnet, Target, Vpc, is_security_group_id

from .landing_zone import LandingZone

VpcKey = tuple[str, str]
"""(stack, vpc name): a VPC of the landing zone."""


def vpc_key(stack: str, ref: Any) -> VpcKey:
    """The VPC a config reference names: this stack's (a name) or another stack's (``{stack, vpc}``)."""
    return (stack, ref) if isinstance(ref, str) else (ref.stack, ref.vpc)


@dataclass(frozen=True)
class PlacedVpc:
    """A declared VPC with the account and region of the stack that creates it."""

    stack: str
    account: str
    region: str
    vpc: Vpc


@dataclass(frozen=True)
class TgwPlacement:
    """Where the hub places a spoke's attachment (its ``tgw_acceptances`` entry): the segment whose route table it
    is associated with (where its traffic is routed) and the segments whose route tables learn its block."""

    association: str
    propagations: frozenset[str]


@dataclass(frozen=True)
class TgwStaticRoute:
    """A static route of a hub's segment route table: to a spoke's attachment, or a blackhole (``spoke`` None)."""

    destination: str
    spoke: Optional[VpcKey]
    stack: str
    path: str
    """Key path of the entry in ``stack``'s file that declares it."""
    peering: Optional[tuple[str, str]] = None
    """For a route over a Transit Gateway peering: (requester hub stack, peering name); ``spoke`` is then None."""


@dataclass(frozen=True)
class TgwPeeringLink:
    """A peering one hub requests to another hub's Transit Gateway, with the ``tgw_peerings`` entries of its two sides
    ((stack, index), None where the landing zone has none)."""

    requester_hub: str
    name: str
    accepter_hub: str
    path: str
    """Key path of the request in the requester hub's file (``transit_gateway_hub.peerings[i]``)."""
    accepter_side: Optional[tuple[str, int]] = None
    requester_side: Optional[tuple[str, int]] = None


@dataclass(frozen=True)
class Backend:
    """What a target reaches: ``kind`` is the config section (``private_apis`` or ``load_balancers``)."""

    kind: str
    stack: str
    name: str


def existing_vpc(name: str, discovered: dict[str, Any]) -> Vpc:
    """A snapshot's VPC as a declared one reads (its subnets named by their ids), for the checks that compare VPCs: its facts
    were read from AWS, not written by a user, so they are taken as they are."""
    subnets = [Subnet.model_construct(name=subnet_id, cidr=subnet["cidr"], az=subnet["availability_zone"])
               for subnet_id, subnet in sorted(discovered.get("subnets", {}).items())]
    return Vpc.model_construct(name=name, cidr=discovered["cidr_block"], secondary_cidrs=list(discovered.get("secondary_cidr_blocks", [])), subnets=subnets)


class LandingZoneModel:
    """One landing zone's relations, computed once from its stacks' configs."""

    def __init__(self, zone: LandingZone, existing: Optional[dict[str, dict[str, Any]]] = None) -> None:
        self.zone = zone
        self.existing = existing or {}
        """Each stack's checked snapshot of its existing resources, by stack (what ``plan`` read; none elsewhere)."""

    def config(self, stack: str) -> StackConfig:
        return self.zone.stacks[stack].config

    def account(self, stack: str) -> str:
        return self.config(stack).account.id

    def region(self, stack: str) -> str:
        return self.config(stack).account.region

    def item(self, stack: str, section: str, name: str) -> Any:
        """The entry called ``name`` of a list section (``private_names``, ``load_balancers``…) of ``stack``, or None."""
        return next((item for item in getattr(self.config(stack), section) if item.name == name), None)

    @cached_property
    def vpcs(self) -> dict[VpcKey, PlacedVpc]:
        """Every VPC of the landing zone: those the stacks declare, and the existing ones their snapshots describe."""
        declared = {
            (name, vpc.name): PlacedVpc(name, stack.config.account.id, stack.config.account.region, vpc)
            for name, stack in self.zone.stacks.items()
            for vpc in stack.config.vpcs
        }
        return declared | {
            (name, local): PlacedVpc(name, self.account(name), self.region(name), existing_vpc(local, vpc))
            for name, snapshot in self.existing.items()
            for local, vpc in (snapshot.get("existing", {}).get("vpcs") or {}).items()
        }

    # -- joins ---------------------------------------------------------------------------------

    @cached_property
    def hub_members(self) -> dict[str, list[tuple[VpcKey, str]]]:
        """Hub stack → (spoke VPC, key path of its ``tgw_spokes`` entry), in stack order."""
        members: dict[str, list[tuple[VpcKey, str]]] = {}
        for name, stack in self.zone.stacks.items():
            for index, spoke in enumerate(stack.config.tgw_spokes):
                members.setdefault(spoke.hub_stack, []).append(((name, spoke.vpc), f"tgw_spokes[{index}]"))
        return members

    @cached_property
    def tgw_acceptances(self) -> dict[VpcKey, tuple[str, int]]:
        """Spoke VPC → (stack, index) of the ``tgw_acceptances`` entry that accepts its attachment."""
        return {
            (acceptance.spoke.stack, acceptance.spoke.vpc): (name, index)
            for name, stack in self.zone.stacks.items()
            for index, acceptance in enumerate(stack.config.tgw_acceptances)
        }

    @cached_property
    def tgw_placements(self) -> dict[VpcKey, TgwPlacement]:
        """Spoke VPC → its place in the hub's route tables; a spoke no entry accepts is in none (the hub turns off
        the default route table association and propagation)."""
        return {
            (acceptance.spoke.stack, acceptance.spoke.vpc): TgwPlacement(acceptance.associate_with, frozenset(acceptance.propagate_to))
            for stack in self.zone.stacks.values()
            for acceptance in stack.config.tgw_acceptances
        }

    @cached_property
    def tgw_static_routes(self) -> dict[tuple[str, str], list[TgwStaticRoute]]:
        """(hub stack, segment) → the static routes of its route table: the hub's blackhole routes, then each acceptance's routes
        to its spoke's attachment, in stack order."""
        routes: dict[tuple[str, str], list[TgwStaticRoute]] = {}
        for name, stack in self.zone.stacks.items():
            hub = stack.config.transit_gateway_hub
            for index, route in enumerate(hub.blackhole_routes if hub else []):
                routes.setdefault((name, route.segment), []).append(
                    TgwStaticRoute(route.destination, None, name, f"transit_gateway_hub.blackhole_routes[{index}]"))
            for index, acceptance in enumerate(stack.config.tgw_acceptances):
                for position, route in enumerate(acceptance.static_routes):
                    routes.setdefault((acceptance.hub_stack or name, route.segment), []).append(TgwStaticRoute(
                        route.destination, (acceptance.spoke.stack, acceptance.spoke.vpc), name, f"tgw_acceptances[{index}].static_routes[{position}]"))
        for key, route in self._tgw_peering_static_routes():
            routes.setdefault(key, []).append(route)
        return routes

    def _tgw_peering_static_routes(self) -> Iterable[tuple[tuple[str, str], TgwStaticRoute]]:
        """((hub stack, segment), route) of every static route over a Transit Gateway peering, in stack order."""
        for name, stack in self.zone.stacks.items():
            for index, side in enumerate(stack.config.tgw_peerings):
                for position, route in enumerate(side.static_routes):
                    yield (side.hub_stack or name, route.segment), TgwStaticRoute(
                        route.destination, None, name, f"tgw_peerings[{index}].static_routes[{position}]", (side.peering.stack, side.peering.name))

    @cached_property
    def tgw_peerings(self) -> dict[tuple[str, str], TgwPeeringLink]:
        """(requester hub stack, peering name) → the peering with the entries of its two sides."""
        links = {
            (name, peering.name): TgwPeeringLink(name, peering.name, peering.peer_stack, f"transit_gateway_hub.peerings[{index}]")
            for name, stack in self.zone.stacks.items() if stack.config.transit_gateway_hub
            for index, peering in enumerate(stack.config.transit_gateway_hub.peerings)
        }
        for name, stack in self.zone.stacks.items():
            for index, side in enumerate(stack.config.tgw_peerings):
                key = (side.peering.stack, side.peering.name)
                if key in links:
                    which = "requester_side" if side.requester else "accepter_side"
                    links[key] = replace(links[key], **{which: getattr(links[key], which) or (name, index)})
        return links

    def tgw_peering_side(self, entry: tuple[str, int]) -> Any:
        """The ``tgw_peerings`` entry at (stack, index)."""
        return self.config(entry[0]).tgw_peerings[entry[1]]

    def hub_of(self, spoke: VpcKey) -> Optional[str]:
        """The hub stack whose Transit Gateway ``spoke`` attaches to, if any."""
        return next((hub for hub, members in self.hub_members.items() if spoke in {key for key, _ in members}), None)

    def _joined_over_tgw_peering(self, a: VpcKey, b: VpcKey) -> bool:
        """Whether the two VPCs are accepted spokes of two hubs joined by a peering that both sides place (accepter and requester)."""
        hubs = (self.hub_of(a), self.hub_of(b))
        if None in hubs or not (self.attachment_accepted(hubs[0], a) and self.attachment_accepted(hubs[1], b)):
            return False
        return any({link.requester_hub, link.accepter_hub} == set(hubs) and link.accepter_side and link.requester_side
                   for link in self.tgw_peerings.values())

    def tgw_route_table_joining(self, a: VpcKey, b: VpcKey) -> Optional[str]:
        """How one of the hub's route tables joins two of its spokes, in words; None when none does (isolated segments).

        A Transit Gateway routes an attachment's traffic by the one route table it is associated with, which holds the
        blocks of the attachments propagating into it (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html).
        Two spokes are joined when one's association table learns the other's block, or when both propagate into one
        table (whatever is associated with it reaches both), or when one's association table has a static route to the
        other's attachment."""
        first, second = self.tgw_placements.get(a), self.tgw_placements.get(b)
        if first is None or second is None:
            return None
        shared = sorted(first.propagations & second.propagations)
        if shared:
            return f"both propagate into the route table of segment '{shared[0]}'"
        for source, placement, other in ((a, first, second), (b, second, first)):
            if placement.association in other.propagations:
                return f"the route table of segment '{placement.association}', which {source[1]} (stack {source[0]}) is associated with, learns the other's block"
        hub = next((hub for hub, members in self.hub_members.items() if a in {key for key, _ in members}), None)
        for source, placement, other in ((a, first, b), (b, second, a)):
            if any(route.spoke == other for route in self.tgw_static_routes.get((hub, placement.association), [])):
                return (f"the route table of segment '{placement.association}', which {source[1]} (stack {source[0]}) is associated with, "
                        f"has a static route to the other's attachment")
        return None

    @cached_property
    def rollout_position(self) -> dict[str, tuple[int, str]]:
        """Stack → (wave, name): the order ``rollout`` deploys the stacks in, the stacks of a wave by name."""
        return {name: (wave, name) for wave, names in enumerate(self.zone.waves()) for name in names}

    @cached_property
    def peering_acceptances(self) -> dict[VpcKey, tuple[str, int]]:
        """Requesting VPC → (stack, index) of the ``peering_acceptances`` entry that accepts its peering."""
        return {
            (acceptance.spoke.stack, acceptance.spoke.vpc): (name, index)
            for name, stack in self.zone.stacks.items()
            for index, acceptance in enumerate(stack.config.peering_acceptances)
        }

    def accepted_peer(self, spoke: VpcKey) -> Optional[VpcKey]:
        """The hub VPC whose owner accepts ``spoke``'s peering, if one does."""
        found = self.peering_acceptances.get(spoke)
        if found is None:
            return None
        stack, index = found
        return vpc_key(stack, self.config(stack).peering_acceptances[index].hub_vpc)

    def attachment_accepted(self, hub: str, spoke: VpcKey) -> bool:
        """Whether the hub accepts ``spoke``'s attachment: explicitly, or by AWS itself for a VPC of the hub's own account."""
        placed = self.vpcs.get(spoke)
        return spoke in self.tgw_acceptances or (placed is not None and placed.account == self.account(hub))

    def connected(self, a: VpcKey, b: VpcKey) -> bool:
        """Whether an accepted TGW attachment pair, an accepted peering, or two accepted attachments to peered hubs join the two VPCs."""
        if a == b:
            return True
        for hub, members in self.hub_members.items():
            keys = {key for key, _ in members}
            if {a, b} <= keys and self.attachment_accepted(hub, a) and self.attachment_accepted(hub, b):
                return True
        return self.accepted_peer(a) == b or self.accepted_peer(b) == a or self._joined_over_tgw_peering(a, b)

    # -- targets and backends ------------------------------------------------------------------

    def backend_of(self, stack: str, target: Target) -> Optional[Backend]:
        """The private API or load balancer a target reaches, when the landing zone declares it.

        A host name is resolved through the landing zone's private names, preferring the one whose
        zone is on the VPC of the target's ENIs.
        """
        endpoint = target.endpoint
        if endpoint.private_api:
            return Backend("private_apis", endpoint.private_api.stack, endpoint.private_api.name)
        source = vpc_key(stack, target.managed.vpc) if target.managed else None
        return self.balancer_named(urlparse(endpoint.mcp_server or endpoint.openapi_server or "").hostname, source)

    def balancer_named(self, host: Optional[str], source: Optional[VpcKey]) -> Optional[Backend]:
        """The load balancer a host name leads to through the landing zone's private names, preferring the one whose zone is
        on ``source`` (the VPC the name is resolved from); None when no private name has it."""
        candidates = [
            (vpc_key(name, private_name.vpc) != source, name, private_name)
            for name, other in sorted(self.zone.stacks.items())
            for private_name in other.config.private_names
            if host and private_name.record == host
        ]
        if not candidates:
            return None
        _, name, private_name = min(candidates, key=lambda candidate: candidate[0])
        balancer = private_name.load_balancer
        if isinstance(balancer, str):
            return Backend("load_balancers", name, balancer)
        return Backend("load_balancers", balancer.stack, balancer.name)

    def backend_vpc(self, stack: str, target: Target) -> Optional[VpcKey]:
        """The VPC of the backend a target reaches, when the landing zone declares it."""
        backend = self.backend_of(stack, target)
        if backend is None:
            return None
        item = self.item(backend.stack, backend.kind, backend.name)
        return (backend.stack, item.vpc) if item else None

    def managed_reuse_key(self, stack: str, target: Target) -> Optional[str]:
        """The reuse key AgentCore will see for a managed target (as :func:`managed_reuse_key` computes it from
        the created ids), from config names: the program gives the ENIs every subnet of the VPC, no tags."""
        if target.managed is None:
            return None
        key = vpc_key(stack, target.managed.vpc)
        placed = self.vpcs.get(key)
        subnets = [f"{key[0]}/{key[1]}/{subnet.name}" for subnet in placed.vpc.subnets] if placed else [f"{key[0]}/{key[1]}/*"]
        groups = [group if is_security_group_id(group) else f"{stack}/{group}" for group in target.managed.security_groups]
        return managed_reuse_key(f"{key[0]}/{key[1]}", subnets, groups, None, target.managed.ip_type)

    def managed_reuse_keys_in(self, vpc: VpcKey) -> set[str]:
        """The distinct managed Resource Gateways AgentCore will create in ``vpc``, one per reuse key."""
        return set(self._managed_reuse_keys.get(vpc, ()))

    @cached_property
    def _managed_reuse_keys(self) -> dict[VpcKey, set[str]]:
        """Every VPC's reuse keys, found in one pass (asked for each VPC, a pass each grew with the square of the zone)."""
        keys: dict[VpcKey, set[str]] = {}
        for name, stack in self.zone.stacks.items():
            for target in stack.config.targets:
                if target.managed:
                    keys.setdefault(vpc_key(name, target.managed.vpc), set()).add(self.managed_reuse_key(name, target))
        return keys

    # -- the organization and RAM shares ---------------------------------------------------------

    def shares(self) -> list[tuple[str, str, list[str]]]:
        """(stack, key path, principals) of every RAM share the landing zone declares."""
        shares = []
        for name, stack in self.zone.stacks.items():
            if stack.config.transit_gateway_hub:
                shares.append((name, "transit_gateway_hub.share_with", list(stack.config.transit_gateway_hub.share_with)))
            shares.extend((name, f"lattice_resources[{i}].share_with", list(r.share_with)) for i, r in enumerate(stack.config.lattice_resources))
        return shares

    @cached_property
    def _accounts(self) -> set[str]:
        """Every stack's account, gathered once (a share is checked for each stack of the zone)."""
        return self.zone.accounts

    def transit_gateway_shared_with(self, hub_stack: str, spoke: VpcKey) -> Optional[list[str]]:
        """The principals the Transit Gateway that ``spoke`` attaches to is shared with: the hub's ``share_with``, or, for an
        existing Transit Gateway, the principals its snapshot's active RAM shares have associated; None when not known
        (no snapshot read, or a gateway whose shares another account owns)."""
        hub = self.config(hub_stack)
        if hub.transit_gateway_hub is not None:
            return list(hub.transit_gateway_hub.share_with)
        name = next((s.transit_gateway for s in self.config(spoke[0]).tgw_spokes if s.vpc == spoke[1]), None)
        gateway = ((self.existing.get(hub_stack) or {}).get("existing", {}).get("transit_gateways") or {}).get(name)
        if gateway is None or gateway.get("owner_account") != hub.account.id:
            return None
        return sorted({principal for share in gateway.get("shares", {}).values() if str(share.get("status")).upper() == "ACTIVE"
                       for principal, status in share.get("principals", {}).items() if str(status).upper() == "ASSOCIATED"})

    def share_reaches(self, principals: Iterable[str], account: str) -> bool:
        """Whether a RAM share to ``principals`` reaches ``account``: the account itself, the landing zone's organization
        (every stack's account is in it), or an OU whose accounts ``organization.units`` lists it among."""
        organization = self.zone.organization
        for principal in principals:
            if principal == account:
                return True
            if organization is None:
                continue
            if ORGANIZATION_ARN.match(principal) and principal.endswith(f"/{organization.id}"):
                return account in self._accounts or account == organization.management_account
            if OU_ARN.match(principal) and f"/{organization.id}/" in principal and account in organization.units.get(principal.rsplit("/", 1)[-1], []):
                return True
        return False


def resource_key_path(urn: str, registrations: Iterable[Any], key_paths: dict[str, str]) -> str:
    """The key path of the config entry whose component created the resource ``urn`` ("" for none).

    ``key_paths`` is what the account program recorded while it named components (``"GatewayTarget::mcp"`` →
    ``"targets[2]"``); the resource's outermost component among them is the entry it was built from.
    """
    return resource_key_paths(registrations, key_paths)(urn)


def resource_key_paths(registrations: Iterable[Any], key_paths: dict[str, str]) -> Callable[[str], str]:
    """:func:`resource_key_path` of many resources of one stack, its registrations indexed once (a stack of a
    thousand targets has a finding or a trace on each)."""
    by_urn = {registration.urn: registration for registration in registrations}

    def key_path(urn: str) -> str:
        current, path = by_urn.get(urn), ""
        while current is not None:
            path = key_paths.get(f"{current.type.rsplit(':', 1)[-1]}::{current.name}", path)
            current = by_urn.get(current.parent)
        return path

    return key_path
