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
from agentcore_egress.stacks.config_schema import Organization, StackConfig, Subnet, Target, Vpc, is_security_group_id

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
class ExistingAttachment:
    """A VPC attachment that a snapshot shows on an existing Transit Gateway, with its place in the route tables named as
    segments (``association`` "" when it is in none of them)."""

    id: str
    vpc_id: str
    owner: str
    """The account of the attached VPC."""
    vpc: Optional[VpcKey]
    """The existing VPC it attaches, when a stack's snapshot names it."""
    blocks: tuple[str, ...]
    """The attached VPC's blocks: the named VPC's, or else those the gateway's route tables learned from it (propagated routes)."""
    available: bool
    """Whether it is in state ``available`` (accepted, carrying traffic)."""
    placement: TgwPlacement
    routed_to: frozenset[str]
    """Segments whose route table has a static route to it."""


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


def _dns_name(name: Optional[str]) -> str:
    """A DNS name as compared: lower case, without the trailing dot, nor the ``dualstack.`` an alias to a load balancer may carry."""
    name = (name or "").rstrip(".").lower()
    return name.removeprefix("dualstack.")


def _placements_joining(first: tuple[str, TgwPlacement], second: tuple[str, TgwPlacement]) -> Optional[str]:
    """How two attachments' route tables join them by propagation, in words (each named by its label); None when they do not."""
    shared = sorted(first[1].propagations & second[1].propagations)
    if shared:
        return f"both propagate into the route table of segment '{shared[0]}'"
    for (label, placement), (_, other) in ((first, second), (second, first)):
        if placement.association and placement.association in other.propagations:
            return f"the route table of segment '{placement.association}', which {label} is associated with, learns the other's block"
    return None


def existing_shared_with(gateway: dict[str, Any]) -> list[str]:
    """The principals a snapshot's existing Transit Gateway is shared with: those associated with its active RAM shares."""
    return sorted({principal for share in gateway.get("shares", {}).values() if str(share.get("status")).upper() == "ACTIVE"
                   for principal, status in share.get("principals", {}).items() if str(status).upper() == "ASSOCIATED"})


def existing_model_facts(snapshot: dict[str, Any]) -> dict[str, Any]:
    """What the model reads of a stack's snapshot (its VPCs, its Transit Gateways' owners, shares and propagated routes), in a
    form that compares by value: drift (live/existing_drift.py) reports a difference that changes it."""
    existing = snapshot.get("existing") or {}
    return {"vpcs": {local: existing_vpc(local, vpc).model_dump() for local, vpc in (existing.get("vpcs") or {}).items()},
            "transit_gateways": {name: [gateway.get("owner_account"), existing_shared_with(gateway),
                                        {segment: table.get("propagated_routes") for segment, table in (gateway.get("route_tables") or {}).items()}]
                                 for name, gateway in (existing.get("transit_gateways") or {}).items()}}


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
        joined = _placements_joining((f"{a[1]} (stack {a[0]})", first), (f"{b[1]} (stack {b[0]})", second))
        if joined:
            return joined
        hub = next((hub for hub, members in self.hub_members.items() if a in {key for key, _ in members}), None)
        for source, placement, other in ((a, first, b), (b, second, a)):
            if any(route.spoke == other for route in self.tgw_static_routes.get((hub, placement.association), [])):
                return (f"the route table of segment '{placement.association}', which {source[1]} (stack {source[0]}) is associated with, "
                        f"has a static route to the other's attachment")
        return None

    @cached_property
    def existing_vpc_keys(self) -> dict[str, VpcKey]:
        """VPC id → the existing VPC a snapshot names with it."""
        return {vpc["id"]: (name, local) for name, snapshot in self.existing.items()
                for local, vpc in (snapshot.get("existing", {}).get("vpcs") or {}).items()}

    def existing_attachments(self, hub_stack: str, gateway: str) -> list[ExistingAttachment]:
        """The VPC attachments that ``hub_stack``'s snapshot shows on its existing Transit Gateway ``gateway``; none without a snapshot."""
        found = ((self.existing.get(hub_stack) or {}).get("existing", {}).get("transit_gateways") or {}).get(gateway) or {}
        tables = found.get("route_tables") or {}

        def segments(key: str, attachment: str) -> list[str]:
            return sorted(segment for segment, table in tables.items() if attachment in (table.get(key) or {}))

        def routed(key: str, ident: str) -> list[tuple[str, str]]:
            """(segment, destination) of each route of ``key`` (static or propagated) to the attachment ``ident``."""
            return [(segment, destination) for segment, table in tables.items() for destination, route in (table.get(key) or {}).items()
                    if ident in ((route.get("attachments") or []) if isinstance(route, dict) else route)]

        attachments = []
        for ident, attachment in sorted((found.get("attachments") or {}).items()):
            if attachment.get("resource_type") != "vpc":
                continue
            vpc = self.existing_vpc_keys.get(attachment.get("resource_id") or "")
            blocks = self.vpcs[vpc].vpc.blocks if vpc else sorted({destination for _, destination in routed("propagated_routes", ident)})
            attachments.append(ExistingAttachment(
                ident, attachment.get("resource_id") or "", attachment.get("resource_owner") or "", vpc, tuple(blocks),
                attachment.get("state") == "available", TgwPlacement(next(iter(segments("associations", ident)), ""), frozenset(segments("propagations", ident))),
                frozenset(segment for segment, _ in routed("routes", ident))))
        return attachments

    def existing_route_table_joining(self, hub_stack: str, spoke: VpcKey, attachment: ExistingAttachment) -> Optional[str]:
        """How one of an existing Transit Gateway's route tables joins a spoke our stacks attach to it and an attachment it
        has already, in words (as :meth:`tgw_route_table_joining` for two spokes); None when none does."""
        placement = self.tgw_placements.get(spoke)
        if placement is None:
            return None
        ours, theirs = f"{spoke[1]} (stack {spoke[0]})", f"attachment {attachment.id}"
        joined = _placements_joining((ours, placement), (theirs, attachment.placement))
        if joined:
            return joined
        if placement.association in attachment.routed_to:
            return f"the route table of segment '{placement.association}', which {ours} is associated with, has a static route to {theirs}"
        if any(route.spoke == spoke for route in self.tgw_static_routes.get((hub_stack, attachment.placement.association), [])):
            return f"the route table of segment '{attachment.placement.association}', which {theirs} is associated with, has a static route to {ours}"
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
        return (self.accepted_peer(a) == b or self.accepted_peer(b) == a or self._joined_over_tgw_peering(a, b)
                or self.joined_on_existing_gateway(a, b))

    def joined_on_existing_gateway(self, a: VpcKey, b: VpcKey) -> bool:
        """Whether one of the two is a spoke our stacks attach to an existing Transit Gateway, accepted, and the other is
        attached to that gateway already (its snapshot shows the attachment available)."""
        for spoke, other in ((a, b), (b, a)):
            for entry in self.config(spoke[0]).tgw_spokes if spoke[0] in self.zone.stacks else []:
                if entry.vpc != spoke[1] or entry.transit_gateway is None or not self.attachment_accepted(entry.hub_stack, spoke):
                    continue
                if any(attachment.vpc == other and attachment.available for attachment in self.existing_attachments(entry.hub_stack, entry.transit_gateway)):
                    return True
        return False

    # -- targets and backends ------------------------------------------------------------------

    def backend_of(self, stack: str, target: Target) -> Optional[Backend]:
        """The private API or load balancer a target reaches, when the landing zone declares it or a snapshot holds it.

        A host name is resolved through the landing zone's private names and existing private zones' records
        (:meth:`balancer_named`), preferring one whose zone is on the VPC of the target's ENIs.
        """
        endpoint = target.endpoint
        if endpoint.private_api:
            return Backend("private_apis", endpoint.private_api.stack, endpoint.private_api.name)
        source = vpc_key(stack, target.managed.vpc) if target.managed else None
        return self.balancer_named(urlparse(endpoint.mcp_server or endpoint.openapi_server or "").hostname, source)

    def balancer_named(self, host: Optional[str], source: Optional[VpcKey]) -> Optional[Backend]:
        """The load balancer a host name leads to through the landing zone's private names, or through the records of an existing
        private zone (an alias to, or a CNAME of, an existing load balancer's DNS name), preferring a name whose zone is on
        ``source`` (the VPC the name is resolved from), then a declared name; None when neither has it."""
        candidates = [(vpc_key(name, private_name.vpc) != source, 0, name, private_name.load_balancer)
                      for name, private_name in self.private_names_by_record.get(host, []) if host]
        candidates += [(not on_source, 1, *balancer) for on_source, balancer in self.existing_records_naming(host, source)]
        if not candidates:
            return None
        _, _, name, balancer = min(candidates, key=lambda candidate: candidate[:2])
        if isinstance(balancer, str):
            return Backend("load_balancers", name, balancer)
        return Backend("load_balancers", balancer.stack, balancer.name)

    @cached_property
    def private_names_by_record(self) -> dict[str, list[tuple[str, Any]]]:
        """A host name → (stack, its private name) of each declared private name for it, the stacks by name: each target looks
        its host up here (walking every stack's names for every target made a plan of 2,000 spokes quadratic)."""
        index: dict[str, list[tuple[str, Any]]] = {}
        for name, stack in sorted(self.zone.stacks.items()):
            for private_name in stack.config.private_names:
                index.setdefault(private_name.record, []).append((name, private_name))
        return index

    @cached_property
    def existing_records_by_name(self) -> dict[str, list[tuple[frozenset[str], list[str]]]]:
        """A DNS name → (ids of the VPCs its zone is associated with, the names the record gives) of each record of an existing
        private zone, in the snapshots' order."""
        index: dict[str, list[tuple[frozenset[str], list[str]]]] = {}
        for snapshot in self.existing.values():
            for zone in (snapshot.get("existing", {}).get("private_zones") or {}).values():
                vpc_ids = frozenset(vpc.get("vpc_id") for vpc in zone.get("vpcs", []))
                for key, record in (zone.get("records") or {}).items():
                    names = [(record.get("alias") or {}).get("dns_name"), *(record.get("values") or [])]
                    index.setdefault(_dns_name(key.split(" ")[0]), []).append((vpc_ids, names))
        return index

    @cached_property
    def existing_balancers_by_dns_name(self) -> dict[str, VpcKey]:
        """An existing load balancer's DNS name (lower case, no trailing dot) → (stack, local name) of it in a snapshot."""
        return {_dns_name(balancer.get("dns_name")): (name, local) for name, snapshot in self.existing.items()
                for local, balancer in (snapshot.get("existing", {}).get("load_balancers") or {}).items() if balancer.get("dns_name")}

    def existing_records_naming(self, host: Optional[str], source: Optional[VpcKey]) -> list[tuple[bool, VpcKey]]:
        """(whether the zone is associated with ``source``, (stack, load balancer name)) for each record of an existing private
        zone that gives ``host`` an existing load balancer: an alias to its DNS name, or a CNAME of it."""
        if not host:
            return []
        source_id = next((ident for ident, key in self.existing_vpc_keys.items() if key == source), None)
        found = []
        for vpc_ids, names in self.existing_records_by_name.get(_dns_name(host), []):
            on_source = source_id is not None and source_id in vpc_ids
            found += [(on_source, self.existing_balancers_by_dns_name[_dns_name(n)]) for n in names
                      if _dns_name(n) in self.existing_balancers_by_dns_name]
        return found

    def backend_vpc(self, stack: str, target: Target) -> Optional[VpcKey]:
        """The VPC of the backend a target reaches, when the landing zone declares it or a snapshot holds it (an existing
        load balancer in an existing VPC)."""
        backend = self.backend_of(stack, target)
        if backend is None:
            return None
        item = self.item(backend.stack, backend.kind, backend.name)
        if item is not None:
            return (backend.stack, item.vpc)
        existing = ((self.existing.get(backend.stack) or {}).get("existing", {}).get(backend.kind) or {}).get(backend.name) or {}
        return self.existing_vpc_keys.get(existing.get("vpc_id") or "")

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
    def _organization(self) -> Optional[Organization]:
        """The landing zone's organization, looked up once (it scans the stacks; a check asks per RAM share)."""
        return self.zone.organization

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
        return existing_shared_with(gateway)

    def share_reaches(self, principals: Iterable[str], account: str) -> bool:
        """Whether a RAM share to ``principals`` reaches ``account``: the account itself, the landing zone's organization
        (every stack's account is in it), or an OU whose accounts ``organization.units`` lists it among."""
        organization = self._organization
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
