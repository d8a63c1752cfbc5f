"""The hub side of a spoke's TGW attachment: accept it and place it in segments."""

from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import routes, validation
from .base import EgressComponent, merge_tags
from .errors import InputValidationError


class TransitGatewayAttachmentAcceptanceArgs(TypedDict):
    """Inputs of :class:`TransitGatewayAttachmentAcceptance`."""

    transit_gateway_attachment_id: pulumi.Input[str]
    """Id of the spoke's attachment (TransitGatewaySpoke.attachment_id, via a stack reference)."""
    segment_route_table_ids: dict[str, pulumi.Input[str]]
    """The hub's TGW route table id per segment (TransitGatewayHub.route_table_ids)."""
    associate_with: str
    """Segment whose route table the attachment is associated with: where its traffic is routed."""
    propagate_to: list[str]
    """Segments that learn the spoke's VPC block (the return path)."""
    static_routes: NotRequired[dict[str, list[str]]]
    """Segment → blocks its route table sends to this attachment by static route, e.g. {'agentcore': ['0.0.0.0/0']} for an
    inspection or egress VPC, or a block the attachment does not propagate there."""
    accept: NotRequired[bool]
    """Accept the attachment (default true); false for a spoke in the hub's own account, which needs no acceptance."""
    tags: NotRequired[dict[str, str]]
    """Tags of the accepted attachment."""


class TransitGatewayAttachmentAcceptance(EgressComponent):
    """Accept one spoke's attachment in the hub account and wire it into segments.

    The attachment is associated with exactly one segment's route table and
    propagates into the listed ones; nothing touches the default route tables,
    which the hub leaves off. Keep one of these per spoke in the hub acceptance
    stack: removing a spoke removes only its own acceptance.
    """

    TYPE = "agentcore-egress:index:TransitGatewayAttachmentAcceptance"

    attachment_id: pulumi.Output[str]
    """Id of the accepted attachment."""
    association_route_table_id: pulumi.Output[str]
    """TGW route table the attachment is associated with."""

    def __init__(
        self, name: str, args: TransitGatewayAttachmentAcceptanceArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        static_routes = _validate(name, args)
        super().__init__(name, opts)
        tables = args["segment_route_table_ids"]

        attachment_id: pulumi.Input[str] = args["transit_gateway_attachment_id"]
        if args.get("accept", True):
            accepter = aws.ec2transitgateway.VpcAttachmentAccepter(
                self.child_name("accepter"),
                transit_gateway_attachment_id=attachment_id,
                transit_gateway_default_route_table_association=False,
                transit_gateway_default_route_table_propagation=False,
                tags=merge_tags(name, args.get("tags")),
                opts=self.child_options(),
            )
            # Reading the id from the accepter orders association after acceptance.
            attachment_id = accepter.transit_gateway_attachment_id
        association = aws.ec2transitgateway.RouteTableAssociation(
            self.child_name("association"),
            transit_gateway_attachment_id=attachment_id,
            transit_gateway_route_table_id=tables[args["associate_with"]],
            replace_existing_association=True,
            opts=self.child_options(),
        )
        for segment in args["propagate_to"]:
            aws.ec2transitgateway.RouteTablePropagation(
                self.child_name(f"propagation-{segment}"),
                transit_gateway_attachment_id=attachment_id,
                transit_gateway_route_table_id=tables[segment],
                opts=self.child_options(),
            )

        routes.add_segment_routes(self, "route", tables, static_routes, transit_gateway_attachment_id=attachment_id)

        self.attachment_id = pulumi.Output.from_input(attachment_id)
        self.association_route_table_id = association.transit_gateway_route_table_id
        self.register_outputs(
            {"attachment_id": self.attachment_id, "association_route_table_id": self.association_route_table_id}
        )


def _validate(name: str, args: TransitGatewayAttachmentAcceptanceArgs) -> dict:
    where = f"TransitGatewayAttachmentAcceptance '{name}'"
    validation.require(where, args, "transit_gateway_attachment_id", "pass the spoke's attachment_id (from its stack reference)")
    tables = args.get("segment_route_table_ids")
    if not isinstance(tables, dict) or not tables:
        raise InputValidationError(
            where, "segment_route_table_ids", tables, "is empty", "pass the hub's route table id per segment (TransitGatewayHub.route_table_ids_by_segment)"
        )
    known = sorted(tables)
    segment = args.get("associate_with")
    if segment not in tables:
        raise InputValidationError(where, "associate_with", segment, f"is not a segment of the hub {known}", f"use one of {known}")
    propagate_to = args.get("propagate_to")
    if not isinstance(propagate_to, list) or not propagate_to:
        raise InputValidationError(
            where, "propagate_to", propagate_to, "is empty", "list the segments that must learn this spoke's routes, or the return path is missing"
        )
    for index, target in enumerate(propagate_to):
        if target not in tables:
            raise InputValidationError(where, f"propagate_to[{index}]", target, f"is not a segment of the hub {known}", f"use one of {known}")
    if len(set(propagate_to)) != len(propagate_to):
        raise InputValidationError(where, "propagate_to", propagate_to, "repeats a segment", "list each segment once")
    return routes.validate_segment_routes(where, "static_routes", args.get("static_routes"), known)
