"""The network hub: a Transit Gateway that accepts nothing on its own, shared with RAM."""

from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import routes, validation
from .base import EgressComponent, merge_tags
from .errors import InputValidationError
from .resource_share import share_inside_organization

# AWS private ASN ranges for the Amazon side of a Transit Gateway.
_PRIVATE_ASNS = ((64512, 65534), (4200000000, 4294967294))


class TransitGatewayHubArgs(TypedDict):
    """Inputs of :class:`TransitGatewayHub`."""

    segments: list[str]
    """Route-table segments, e.g. ['spokes', 'agentcore']; one TGW route table each."""
    share_with: list[str]
    """RAM principals the TGW is shared with: account ids, OU ARNs and/or the organization ARN."""
    blackhole_routes: NotRequired[dict[str, list[str]]]
    """Segment → blocks its route table drops (static blackhole routes), e.g. {'spokes': ['10.0.0.0/8']}: a more specific
    propagated or static route still wins, so a summary blackhole drops only what nothing else routes."""
    security_group_referencing_support: NotRequired[bool]
    """Let security groups of VPCs attached here admit groups of other attached VPCs by reference (inbound rules only, one
    region; AWS's default is off)."""
    amazon_side_asn: NotRequired[int]
    """Private ASN of the Amazon side (64512-65534 or 4200000000-4294967294); AWS picks 64512 by default."""
    description: NotRequired[str]
    """Description of the Transit Gateway."""
    tags: NotRequired[dict[str, str]]
    """Tags added to every resource of the hub."""


class TransitGatewayHub(EgressComponent):
    """A Transit Gateway for hub-and-spoke reach from AgentCore into spoke VPCs.

    Shared attachments are never auto-accepted and nothing is associated with or
    propagated into a default route table: each spoke is accepted by a
    :class:`TransitGatewayAttachmentAcceptance` in the hub account and placed
    in a named segment, so joining the hub is a reviewed change in the hub's
    stack, not something any account in the share can do alone.
    """

    TYPE = "agentcore-egress:index:TransitGatewayHub"

    transit_gateway_id: pulumi.Output[str]
    """Id of the Transit Gateway."""
    transit_gateway_arn: pulumi.Output[str]
    """ARN of the Transit Gateway (what RAM shares)."""
    route_table_ids: pulumi.Output[dict[str, str]]
    """TGW route table id per segment name."""
    resource_share_arn: pulumi.Output[str]
    """ARN of the RAM share of the Transit Gateway."""

    def __init__(self, name: str, args: TransitGatewayHubArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        principals, blackholes = _validate(name, args)
        super().__init__(name, opts)
        tags = args.get("tags")

        tgw = aws.ec2transitgateway.TransitGateway(
            self.child_name("tgw"),
            description=args.get("description", f"agentcore-egress hub {name}"),
            amazon_side_asn=args.get("amazon_side_asn"),
            auto_accept_shared_attachments="disable",
            default_route_table_association="disable",
            default_route_table_propagation="disable",
            dns_support="enable",
            security_group_referencing_support="enable" if args.get("security_group_referencing_support") else None,
            tags=merge_tags(name, tags),
            opts=self.child_options(),
        )
        self.route_table_ids_by_segment: dict[str, pulumi.Output[str]] = {}
        for segment in args["segments"]:
            table = aws.ec2transitgateway.RouteTable(
                self.child_name(f"rt-{segment}"),
                transit_gateway_id=tgw.id,
                tags=merge_tags(f"{name}-{segment}", tags, Segment=segment),
                opts=self.child_options(),
            )
            self.route_table_ids_by_segment[segment] = table.id
        routes.add_segment_routes(self, "blackhole", self.route_table_ids_by_segment, blackholes, blackhole=True)
        share = share_inside_organization(self, "share", {"tgw": tgw.arn}, principals, tags)

        self.transit_gateway_id = tgw.id
        self.transit_gateway_arn = tgw.arn
        self.route_table_ids = pulumi.Output.all(**self.route_table_ids_by_segment)
        self.resource_share_arn = share.arn
        self.register_outputs(
            {
                "transit_gateway_id": self.transit_gateway_id,
                "transit_gateway_arn": self.transit_gateway_arn,
                "route_table_ids": self.route_table_ids,
                "resource_share_arn": self.resource_share_arn,
            }
        )


def _validate(name: str, args: TransitGatewayHubArgs) -> tuple[dict[str, str], dict]:
    where = f"TransitGatewayHub '{name}'"
    segments = args.get("segments")
    if not isinstance(segments, list) or not segments:
        raise InputValidationError(where, "segments", segments, "is empty", "name at least one segment, e.g. ['spokes']")
    seen: set[str] = set()
    for index, segment in enumerate(segments):
        validation.resource_name(where, f"segments[{index}]", segment)
        if segment in seen:
            raise InputValidationError(where, f"segments[{index}]", segment, "is a duplicate segment name", "name each segment once")
        seen.add(segment)
    asn = args.get("amazon_side_asn")
    if asn is not None and (
        not isinstance(asn, int) or isinstance(asn, bool) or not any(low <= asn <= high for low, high in _PRIVATE_ASNS)
    ):
        raise InputValidationError(
            where, "amazon_side_asn", asn, "is not a private ASN", "use 64512-65534 or 4200000000-4294967294, or leave it out"
        )
    principals = validation.principals(where, "share_with", args.get("share_with"))
    return principals, routes.validate_segment_routes(where, "blackhole_routes", args.get("blackhole_routes"), segments)
