"""The spoke side of a Transit Gateway: attach a VPC and route the hub's blocks to it."""

from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import routes, validation
from .base import EgressComponent, merge_tags
from .errors import InputValidationError


class TransitGatewaySpokeArgs(TypedDict):
    """Inputs of :class:`TransitGatewaySpoke`."""

    transit_gateway_id: pulumi.Input[str]
    """Id of the hub's Transit Gateway (shared to this account with RAM)."""
    vpc_id: pulumi.Input[str]
    """Id of the spoke VPC."""
    subnet_ids: list[pulumi.Input[str]]
    """Attachment subnets, one per availability zone (PrivateVpc.attachment_subnet_ids)."""
    route_table_ids: dict[str, pulumi.Input[str]]
    """Route tables of the spoke VPC that get routes to the hub, keyed by a stable name."""
    destination_cidrs: list[str]
    """CIDR blocks reached through the TGW, e.g. the AgentCore or other spoke VPCs."""
    vpc_cidr: NotRequired[str]
    """The spoke VPC's own block; when given, destinations equal to it or inside it are refused (0.0.0.0/0 or a summary containing it is fine: longest prefix match)."""
    vpc_secondary_cidrs: NotRequired[list[str]]
    """The VPC's secondary blocks (PrivateVpc secondary_cidr_blocks), judged as vpc_cidr is."""
    appliance_mode: NotRequired[bool]
    """Keep a flow on one AZ's attachment both ways (for stateful appliances); default off."""
    tags: NotRequired[dict[str, str]]
    """Tags added to every resource of the spoke."""


class TransitGatewaySpoke(EgressComponent):
    """Attach a spoke VPC to a shared Transit Gateway and route the listed blocks to it.

    Deployed by the spoke account's stack. The attachment stays pending until the
    hub account's :class:`TransitGatewayAttachmentAcceptance` accepts it and places
    it in a segment (the hub never auto-accepts), which is why the rollout order
    is hub, spokes, hub acceptance.
    """

    TYPE = "agentcore-egress:index:TransitGatewaySpoke"

    attachment_id: pulumi.Output[str]
    """Id of the TGW VPC attachment, for the hub's acceptance."""
    vpc_id: pulumi.Output[str]
    """Id of the attached VPC."""

    def __init__(self, name: str, args: TransitGatewaySpokeArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        destinations = _validate(name, args)
        super().__init__(name, opts)
        tags = args.get("tags")

        attachment = aws.ec2transitgateway.VpcAttachment(
            self.child_name("attachment"),
            transit_gateway_id=args["transit_gateway_id"],
            vpc_id=args["vpc_id"],
            subnet_ids=args["subnet_ids"],
            appliance_mode_support="enable" if args.get("appliance_mode") else "disable",
            dns_support="enable",
            tags=merge_tags(name, tags),
            opts=self.child_options(),
        )
        routes.add_routes(
            self, args["route_table_ids"], destinations, depends_on=[attachment], transit_gateway_id=args["transit_gateway_id"]
        )

        self.attachment_id = attachment.id
        self.vpc_id = attachment.vpc_id
        self.register_outputs({"attachment_id": self.attachment_id, "vpc_id": self.vpc_id})


def _validate(name: str, args: TransitGatewaySpokeArgs) -> list:
    where = f"TransitGatewaySpoke '{name}'"
    validation.require(where, args, "transit_gateway_id", "pass the hub's transit_gateway_id (from its stack reference)")
    validation.require(where, args, "vpc_id", "pass the id of the VPC to attach")
    subnet_ids = args.get("subnet_ids")
    if validation.is_known(subnet_ids) and (not isinstance(subnet_ids, list) or not subnet_ids):
        raise InputValidationError(
            where, "subnet_ids", subnet_ids, "is empty", "give one subnet per availability zone, e.g. PrivateVpc.attachment_subnet_ids"
        )
    plain = [subnet for subnet in subnet_ids if validation.is_known(subnet)] if isinstance(subnet_ids, list) else []
    if len(plain) != len(set(plain)):
        raise InputValidationError(where, "subnet_ids", subnet_ids, "repeats a subnet", "list each subnet once, one per availability zone")
    routes.validate_route_tables(where, "route_table_ids", args.get("route_table_ids"))
    return routes.validate_destinations(where, "destination_cidrs", args.get("destination_cidrs"), args.get("vpc_cidr"), own_secondary=args.get("vpc_secondary_cidrs"))
