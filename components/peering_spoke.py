"""The spoke side of hub-and-spoke VPC peering: request, route, resolve the hub's names."""

from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import routes, validation
from .base import EgressComponent, merge_tags


class PeeringSpokeArgs(TypedDict):
    """Inputs of :class:`PeeringSpoke`."""

    vpc_id: pulumi.Input[str]
    """Id of the spoke VPC (the requester)."""
    hub_vpc_id: pulumi.Input[str]
    """Id of the hub VPC (the accepter)."""
    hub_account_id: pulumi.Input[str]
    """Account id of the hub VPC."""
    hub_region: pulumi.Input[str]
    """Region of the hub VPC; may differ from the spoke's (inter-region peering)."""
    hub_cidrs: list[str]
    """Blocks of the hub VPC to route over the peering."""
    route_table_ids: dict[str, pulumi.Input[str]]
    """Route tables of the spoke VPC that get routes to the hub, keyed by a stable name."""
    vpc_cidr: NotRequired[str]
    """The spoke VPC's own block; when given, hub blocks equal to it or inside it are refused (a summary containing it is fine)."""
    vpc_secondary_cidrs: NotRequired[list[str]]
    """The VPC's secondary blocks (PrivateVpc secondary_cidr_blocks), judged as vpc_cidr is."""
    peering_accepted: NotRequired[bool]
    """Set once the hub's PeeringAcceptance is deployed: turns on resolution of the hub's private DNS names,
    which AWS only allows on an active peering."""
    tags: NotRequired[dict[str, str]]
    """Tags added to every resource of the spoke."""


class PeeringSpoke(EgressComponent):
    """Request a peering from a spoke VPC to the hub VPC and route the hub's blocks over it.

    Deployed by the spoke account's stack; the hub account accepts with
    :class:`PeeringAcceptance`. Each account sets the DNS option of its own side
    (AWS requires that across accounts), so private names resolve both ways once
    both stacks have run with the peering accepted.
    """

    TYPE = "agentcore-egress:index:PeeringSpoke"

    peering_connection_id: pulumi.Output[str]
    """Id of the VPC peering connection, for the hub's acceptance."""

    def __init__(self, name: str, args: PeeringSpokeArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        destinations = _validate(name, args)
        super().__init__(name, opts)

        peering = aws.ec2.VpcPeeringConnection(
            self.child_name("peering"),
            vpc_id=args["vpc_id"],
            peer_vpc_id=args["hub_vpc_id"],
            peer_owner_id=args["hub_account_id"],
            peer_region=args["hub_region"],
            tags=merge_tags(name, args.get("tags"), Side="requester"),
            opts=self.child_options(),
        )
        # AWS accepts routes to a peering still pending acceptance; they carry traffic once it is active.
        routes.add_routes(self, args["route_table_ids"], destinations, vpc_peering_connection_id=peering.id)
        if args.get("peering_accepted"):
            aws.ec2.PeeringConnectionOptions(
                self.child_name("dns"),
                vpc_peering_connection_id=peering.id,
                requester=aws.ec2.PeeringConnectionOptionsRequesterArgs(allow_remote_vpc_dns_resolution=True),
                opts=self.child_options(),
            )

        self.peering_connection_id = peering.id
        self.register_outputs({"peering_connection_id": self.peering_connection_id})


def _validate(name: str, args: PeeringSpokeArgs) -> list:
    where = f"PeeringSpoke '{name}'"
    validation.require(where, args, "vpc_id", "pass the id of the spoke VPC")
    validation.require(where, args, "hub_vpc_id", "pass the hub VPC id (from the hub's stack reference)")
    for field, check in (("hub_account_id", validation.account_id), ("hub_region", validation.region)):
        if validation.is_known(args.get(field)):
            check(where, field, args.get(field))
    routes.validate_route_tables(where, "route_table_ids", args.get("route_table_ids"))
    return routes.validate_destinations(where, "hub_cidrs", args.get("hub_cidrs"), args.get("vpc_cidr"), own_secondary=args.get("vpc_secondary_cidrs"))
