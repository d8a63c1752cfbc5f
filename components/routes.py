"""VPC routes towards a hub or a spoke, shared by the TGW and peering components, and the static routes of a hub's segments."""

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from . import validation
from .base import EgressComponent
from .errors import InputValidationError


def validate_route_tables(where: str, field: str, value: Any) -> Mapping[str, Any]:
    """Route tables come keyed (e.g. by subnet name) so that route names stay stable."""
    if not isinstance(value, Mapping) or not value:
        raise InputValidationError(
            where, field, value, "is empty", "map a stable key (such as the subnet name) to each route table id, e.g. {'a': vpc.route_table_ids_by_subnet['a']}"
        )
    for key in value:
        validation.resource_name(where, f"{field} key", key)
    return value


def validate_destinations(
    where: str, field: str, value: Any, own_cidr: Optional[str] = None, own_field: str = "vpc_cidr", own_secondary: Optional[Sequence[str]] = None
) -> list[ipaddress.IPv4Network]:
    """Destination CIDRs: well formed, each listed once, none the VPC's own block or inside it.

    AWS picks a VPC route by longest prefix match ("Route priority", https://docs.aws.amazon.com/vpc/latest/userguide/RouteTables.html#route-tables-priority),
    so a destination that *contains* the VPC's block (``0.0.0.0/0``, a summary such as ``10.0.0.0/8``)
    towards a Transit Gateway or a peering is the common, legitimate design: inside the VPC the local
    route is more specific and wins. What AWS refuses is a destination equal to the VPC's block (the
    local route holds it) or inside it: a route more specific than the local route must cover a whole
    subnet and go to a network interface, NAT gateway or Gateway Load Balancer endpoint, never to a
    Transit Gateway or a peering ("Subnet route tables", https://docs.aws.amazon.com/vpc/latest/userguide/subnet-route-tables.html).
    A route to a peering may be a summary too; the peering delivers only to the peer's own block
    (no transitive or edge-to-edge routing: https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html).
    A route table holds one route per destination, so a block listed twice is refused; blocks that
    merely nest (``10.0.0.0/8`` and ``10.40.0.0/16``) are distinct routes and allowed.

    ``own_secondary`` are the VPC's secondary blocks, judged as its primary one: the local route of each holds it, and AWS
    refuses to associate a block that is "the same or larger than a destination CIDR range in a route in any of the VPC
    route tables" ("IPv4 CIDR block association restrictions", https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
    """
    if not isinstance(value, (list, tuple)) or not value:
        raise InputValidationError(where, field, value, "is empty", "list the CIDR blocks to reach through the hub, e.g. ['10.40.0.0/16']")
    networks = [validation.cidr(where, f"{field}[{index}]", block) for index, block in enumerate(value)]
    first_index: dict[ipaddress.IPv4Network, int] = {}
    for index, network in enumerate(networks):
        if network in first_index:
            raise InputValidationError(where, f"{field}[{index}]", str(network), f"repeats {field}[{first_index[network]}]",
                                       "list each block once: a route table holds one route per destination")
        first_index[network] = index
    if own_cidr is not None:
        blocks = [validation.vpc_cidr(where, own_field, own_cidr)]
        blocks += [validation.vpc_cidr(where, f"{own_field.replace('cidr', 'secondary_cidrs')}[{i}]", block) for i, block in enumerate(own_secondary or [])]
        for index, network in enumerate(networks):
            own = next((block for block in blocks if network.subnet_of(block)), None)
            if own is not None:
                raise InputValidationError(
                    where,
                    f"{field}[{index}]",
                    str(network),
                    f"overlaps this VPC's own block {own} " + ("exactly" if network == own else "from inside"),
                    "route only to blocks outside the VPC (AWS refuses a route to a Transit Gateway or peering that is as specific as "
                    "the local route or more); a summary that contains the VPC, such as 0.0.0.0/0 or 10.0.0.0/8, is fine",
                )
    return networks


def add_routes(
    owner: EgressComponent,
    route_table_ids: Mapping[str, pulumi.Input[str]],
    destinations: Sequence[ipaddress.IPv4Network],
    depends_on: Sequence[pulumi.Resource] = (),
    **target: pulumi.Input[str],
) -> list[aws.ec2.Route]:
    """One ``{owner}-route-{table}-{cidr}`` per route table and destination, towards ``target``.

    ``target`` is the route's next hop, e.g. ``transit_gateway_id=…`` or
    ``vpc_peering_connection_id=…``.
    """
    return [
        aws.ec2.Route(
            owner.child_name(f"route-{key}-{validation.slug(str(destination))}"),
            route_table_id=table_id,
            destination_cidr_block=str(destination),
            opts=owner.child_options(depends_on=list(depends_on)),
            **target,
        )
        for key, table_id in route_table_ids.items()
        for destination in destinations
    ]


def validate_segment_routes(where: str, field: str, value: Any, segments: Sequence[str]) -> dict[str, list[ipaddress.IPv4Network]]:
    """Static routes of a Transit Gateway's segments, segment → destination blocks (None for none).

    A Transit Gateway route table holds one route per destination: a static route to a block it already holds is
    refused (CreateTransitGatewayRoute, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTransitGatewayRoute.html);
    a static route beside a propagated one of the same block is allowed and wins
    (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html, "Route evaluation order").
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputValidationError(where, field, value, "is not a mapping", "map a segment to its destination blocks, e.g. {'spokes': ['10.0.0.0/8']}")
    known = sorted(segments)
    parsed: dict[str, list[ipaddress.IPv4Network]] = {}
    for segment, destinations in value.items():
        if segment not in known:
            raise InputValidationError(where, f"{field} key", segment, f"is not a segment of the hub {known}", f"use one of {known}")
        if not isinstance(destinations, (list, tuple)) or not destinations:
            raise InputValidationError(where, f"{field}.{segment}", destinations, "is empty", "list the destination blocks, or leave the segment out")
        blocks = [validation.cidr(where, f"{field}.{segment}[{index}]", block) for index, block in enumerate(destinations)]
        repeated = next((block for index, block in enumerate(blocks) if block in blocks[:index]), None)
        if repeated is not None:
            raise InputValidationError(where, f"{field}.{segment}", str(repeated), "is listed twice",
                                       "list each block once: a Transit Gateway route table holds one route per destination")
        parsed[segment] = blocks
    return parsed


def add_segment_routes(
    owner: EgressComponent, role: str, route_table_ids: Mapping[str, pulumi.Input[str]], routes: Mapping[str, Sequence[ipaddress.IPv4Network]],
    **target: Any,
) -> list[aws.ec2transitgateway.Route]:
    """One ``{owner}-{role}-{segment}-{cidr}`` static route per segment and destination, towards ``target``
    (``blackhole=True`` or ``transit_gateway_attachment_id=…``)."""
    return [
        aws.ec2transitgateway.Route(
            owner.child_name(f"{role}-{segment}-{validation.slug(str(destination))}"),
            transit_gateway_route_table_id=route_table_ids[segment],
            destination_cidr_block=str(destination),
            opts=owner.child_options(),
            **target,
        )
        for segment, destinations in routes.items()
        for destination in destinations
    ]
