"""The hub side of a spoke's VPC peering: accept it, route back, resolve the spoke's names."""

from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import routes, validation
from .base import EgressComponent, merge_tags


class PeeringAcceptanceArgs(TypedDict):
    """Inputs of :class:`PeeringAcceptance`."""

    peering_connection_id: pulumi.Input[str]
    """Id of the spoke's peering connection (PeeringSpoke.peering_connection_id, via a stack reference)."""
    route_table_ids: dict[str, pulumi.Input[str]]
    """Route tables of the hub VPC that get the return routes, keyed by a stable name."""
    spoke_cidrs: list[str]
    """Blocks of the spoke VPC to route back over the peering."""
    hub_vpc_cidr: NotRequired[str]
    """The hub VPC's own block; when given, spoke blocks equal to it or inside it are refused (a summary containing it is fine)."""
    hub_vpc_secondary_cidrs: NotRequired[list[str]]
    """The VPC's secondary blocks (PrivateVpc secondary_cidr_blocks), judged as hub_vpc_cidr is."""
    tags: NotRequired[dict[str, str]]
    """Tags of the accepted peering."""


class PeeringAcceptance(EgressComponent):
    """Accept one spoke's peering in the hub account, add the return routes, turn on DNS.

    Use the hub account's provider, in the hub VPC's region: for an
    inter-region peering the accepter must act in the accepter's region.
    Return routes are half of every path: without them the spoke's requests
    arrive and the answers are dropped.
    """

    TYPE = "agentcore-egress:index:PeeringAcceptance"

    peering_connection_id: pulumi.Output[str]
    """Id of the accepted peering connection."""

    def __init__(self, name: str, args: PeeringAcceptanceArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        destinations = _validate(name, args)
        super().__init__(name, opts)

        accepter = aws.ec2.VpcPeeringConnectionAccepter(
            self.child_name("accepter"),
            vpc_peering_connection_id=args["peering_connection_id"],
            auto_accept=True,
            tags=merge_tags(name, args.get("tags"), Side="accepter"),
            opts=self.child_options(),
        )
        routes.add_routes(self, args["route_table_ids"], destinations, vpc_peering_connection_id=accepter.id)
        aws.ec2.PeeringConnectionOptions(
            self.child_name("dns"),
            vpc_peering_connection_id=accepter.id,
            accepter=aws.ec2.PeeringConnectionOptionsAccepterArgs(allow_remote_vpc_dns_resolution=True),
            opts=self.child_options(),
        )

        self.peering_connection_id = accepter.id
        self.register_outputs({"peering_connection_id": self.peering_connection_id})


def _validate(name: str, args: PeeringAcceptanceArgs) -> list:
    where = f"PeeringAcceptance '{name}'"
    validation.require(where, args, "peering_connection_id", "pass the spoke's peering_connection_id (from its stack reference)")
    routes.validate_route_tables(where, "route_table_ids", args.get("route_table_ids"))
    return routes.validate_destinations(where, "spoke_cidrs", args.get("spoke_cidrs"), args.get("hub_vpc_cidr"), "hub_vpc_cidr", args.get("hub_vpc_secondary_cidrs"))
