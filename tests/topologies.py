"""Small landing zones built from the components, shared by tests and benchmarks."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from agentcore_egress.components import (
    PrivateVpc,
    TransitGatewayAttachmentAcceptance,
    TransitGatewayHub,
    TransitGatewaySpoke,
    account_provider,
)

HUB_ACCOUNT = "111111111111"
SPOKE_ACCOUNT = "222222222222"
ORGANIZATION = "arn:aws:organizations::111111111111:organization/o-exampleorg1"
AGENTCORE_CIDR = "10.255.0.0/16"


def vpc_args(second_octet: int, zones: Sequence[str] = ("eu-west-1a", "eu-west-1b")) -> dict:
    """A /16 with one /24 per zone: 10.<second_octet>.0.0/16."""
    return {
        "cidr_block": f"10.{second_octet}.0.0/16",
        "subnets": [
            {"name": zone[-1], "cidr_block": f"10.{second_octet}.{index}.0/24", "availability_zone": zone}
            for index, zone in enumerate(zones)
        ],
    }


def tgw_landing_zone(spokes: Sequence[tuple[str, int]], *, two_accounts: bool = True) -> dict:
    """A TGW hub in one account and ``spokes`` ((name, second octet) pairs) in another.

    Each spoke gets a PrivateVpc and a TransitGatewaySpoke through the spoke
    account's provider, and a TransitGatewayAttachmentAcceptance through the
    hub's, as the hub → spokes → hub acceptance stacks would create them.
    """
    hub_provider = account_provider(
        "hub", account_id=HUB_ACCOUNT, region="eu-west-1", role_arn=f"arn:aws:iam::{HUB_ACCOUNT}:role/deploy"
    )
    spoke_provider = (
        account_provider(
            "spokes", account_id=SPOKE_ACCOUNT, region="eu-west-1", role_arn=f"arn:aws:iam::{SPOKE_ACCOUNT}:role/deploy"
        )
        if two_accounts
        else hub_provider
    )
    hub = TransitGatewayHub(
        "hub",
        {"segments": ["spokes", "agentcore"], "share_with": [ORGANIZATION]},
        opts=pulumi.ResourceOptions(provider=hub_provider),
    )
    built = {}
    for name, octet in spokes:
        vpc = PrivateVpc(name, vpc_args(octet), opts=pulumi.ResourceOptions(provider=spoke_provider))
        spoke = TransitGatewaySpoke(
            f"{name}-spoke",
            {
                "transit_gateway_id": hub.transit_gateway_id,
                "vpc_id": vpc.vpc_id,
                "vpc_cidr": f"10.{octet}.0.0/16",
                "subnet_ids": vpc.attachment_subnet_ids,
                "route_table_ids": vpc.route_table_ids_by_subnet,
                "destination_cidrs": [AGENTCORE_CIDR],
            },
            opts=pulumi.ResourceOptions(provider=spoke_provider),
        )
        acceptance = TransitGatewayAttachmentAcceptance(
            f"{name}-acceptance",
            {
                "transit_gateway_attachment_id": spoke.attachment_id,
                "segment_route_table_ids": hub.route_table_ids_by_segment,
                "associate_with": "spokes",
                "propagate_to": ["agentcore"],
                "accept": two_accounts,
            },
            opts=pulumi.ResourceOptions(provider=hub_provider),
        )
        built[name] = {"vpc": vpc, "spoke": spoke, "acceptance": acceptance}
    return {"hub": hub, "spokes": built, "hub_provider": hub_provider, "spoke_provider": spoke_provider}
