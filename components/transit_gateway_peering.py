"""A peering between two hubs' Transit Gateways: the requester's attachment, and each side's acceptance and static routes.

AWS routes over a Transit Gateway peering attachment by static routes only: nothing propagates over it, and it carries
traffic once the accepter Transit Gateway's owner accepted it, in the accepter's region
(https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html,
https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering-accept-reject.html). Each side associates the attachment with one of
its route tables and adds static routes to it (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering-add-route.html).
"""

from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import routes, validation
from .base import EgressComponent, merge_tags


class TransitGatewayPeeringArgs(TypedDict):
    """Inputs of :class:`TransitGatewayPeering`."""

    transit_gateway_id: pulumi.Input[str]
    """Id of the requester's Transit Gateway (TransitGatewayHub.transit_gateway_id)."""
    peer_transit_gateway_id: pulumi.Input[str]
    """Id of the accepter's Transit Gateway, in its account and region."""
    peer_account_id: pulumi.Input[str]
    """Account that owns the accepter's Transit Gateway (and accepts the peering)."""
    peer_region: pulumi.Input[str]
    """Region of the accepter's Transit Gateway: another one, or the requester's own (AWS peers both)."""
    tags: NotRequired[dict[str, str]]
    """Tags of the peering attachment."""


class TransitGatewayPeering(EgressComponent):
    """The requester's side of a Transit Gateway peering: the peering attachment, pending until the accepter's owner accepts
    it (:class:`TransitGatewayPeeringSide` with ``accept``)."""

    TYPE = "agentcore-egress:index:TransitGatewayPeering"

    attachment_id: pulumi.Output[str]
    """Id of the peering attachment (the same on both sides)."""

    def __init__(self, name: str, args: TransitGatewayPeeringArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        where = f"TransitGatewayPeering '{name}'"
        for field in ("transit_gateway_id", "peer_transit_gateway_id", "peer_account_id", "peer_region"):
            validation.require(where, args, field, "pass the other hub's value from its stack reference")
        super().__init__(name, opts)
        attachment = aws.ec2transitgateway.PeeringAttachment(
            self.child_name("attachment"),
            transit_gateway_id=args["transit_gateway_id"],
            peer_transit_gateway_id=args["peer_transit_gateway_id"],
            peer_account_id=args["peer_account_id"],
            peer_region=args["peer_region"],
            tags=merge_tags(name, args.get("tags")),
            opts=self.child_options(),
        )
        self.attachment_id = attachment.id
        self.register_outputs({"attachment_id": self.attachment_id})


class TransitGatewayPeeringSideArgs(TypedDict):
    """Inputs of :class:`TransitGatewayPeeringSide`."""

    transit_gateway_attachment_id: pulumi.Input[str]
    """Id of the peering attachment (TransitGatewayPeering.attachment_id, via a stack reference)."""
    segment_route_table_ids: dict[str, pulumi.Input[str]]
    """This side's hub's TGW route table id per segment (TransitGatewayHub.route_table_ids)."""
    associate_with: str
    """Segment whose route table the peering attachment is associated with: where traffic arriving over it is routed."""
    static_routes: NotRequired[dict[str, list[str]]]
    """Segment → blocks behind the other hub its route table sends over the peering, e.g. {'agentcore': ['10.60.0.0/16']}."""
    accept: NotRequired[bool]
    """Accept the peering first (the accepter's side; default false): the requester's side is created once it is accepted."""
    tags: NotRequired[dict[str, str]]
    """Tags of the accepted attachment."""


class TransitGatewayPeeringSide(EgressComponent):
    """One hub's side of a Transit Gateway peering: on the accepter's side its acceptance, on both its association with one
    segment's route table and the segments' static routes to it, created after the association."""

    TYPE = "agentcore-egress:index:TransitGatewayPeeringSide"

    attachment_id: pulumi.Output[str]
    """Id of the peering attachment, once accepted on this side."""

    def __init__(self, name: str, args: TransitGatewayPeeringSideArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        static_routes = _validate(name, args)
        super().__init__(name, opts)
        tables = args["segment_route_table_ids"]
        attachment_id: pulumi.Input[str] = args["transit_gateway_attachment_id"]
        if args.get("accept", False):
            accepter = aws.ec2transitgateway.PeeringAttachmentAccepter(
                self.child_name("accepter"), transit_gateway_attachment_id=attachment_id, tags=merge_tags(name, args.get("tags")),
                opts=self.child_options(),
            )
            # Reading the id from the accepter orders the association after the acceptance.
            attachment_id = accepter.transit_gateway_attachment_id
        association = routes.associate_with_segment(self, attachment_id, tables, args["associate_with"])
        # Routes read the id from the association: the attachment is associated before routes point at it.
        routes.add_segment_routes(self, "route", tables, static_routes, transit_gateway_attachment_id=association.transit_gateway_attachment_id)
        self.attachment_id = pulumi.Output.from_input(attachment_id)
        self.register_outputs({"attachment_id": self.attachment_id})


def _validate(name: str, args: TransitGatewayPeeringSideArgs) -> dict:
    where = f"TransitGatewayPeeringSide '{name}'"
    validation.require(where, args, "transit_gateway_attachment_id", "pass the peering's attachment_id (from the requester hub's stack reference)")
    known = routes.validate_segment_association(where, args)
    return routes.validate_segment_routes(where, "static_routes", args.get("static_routes"), known)
