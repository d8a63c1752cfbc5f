"""VPC routes towards a hub or a spoke, shared by the TGW and peering components."""

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
    where: str, field: str, value: Any, own_cidr: Optional[str] = None, own_field: str = "vpc_cidr"
) -> list[ipaddress.IPv4Network]:
    """Destination CIDRs: well formed, not repeated, overlapping neither each other nor the VPC itself.

    A destination that overlaps the VPC's own block can never win against the
    VPC's local route, so traffic would silently stay in the VPC.
    """
    if not isinstance(value, (list, tuple)) or not value:
        raise InputValidationError(where, field, value, "is empty", "list the CIDR blocks to reach through the hub, e.g. ['10.40.0.0/16']")
    networks = [validation.cidr(where, f"{field}[{index}]", block) for index, block in enumerate(value)]
    validation.no_overlaps(where, field, [(f"{field}[{index}]", network) for index, network in enumerate(networks)])
    if own_cidr is not None:
        own = validation.vpc_cidr(where, own_field, own_cidr)
        for index, network in enumerate(networks):
            if network.overlaps(own):
                raise InputValidationError(
                    where,
                    f"{field}[{index}]",
                    str(network),
                    f"overlaps this VPC's own block {own}",
                    "route only to other VPCs' blocks; the VPC's local route always wins inside it",
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
