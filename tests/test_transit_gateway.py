import json

import pytest

from agentcore_egress.components import (
    InputValidationError,
    TransitGatewayAttachmentAcceptance,
    TransitGatewayHub,
    TransitGatewaySpoke,
)
from fake_cloud import deploy
from topologies import AGENTCORE_CIDR, HUB_ACCOUNT, ORGANIZATION, SPOKE_ACCOUNT, tgw_landing_zone

TGW = "aws:ec2transitgateway/transitGateway:TransitGateway"
ROUTE = "aws:ec2/route:Route"
ACCEPTER = "aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter"
ATTACHMENT = "aws:ec2transitgateway/vpcAttachment:VpcAttachment"
PROVIDER = "pulumi:providers:aws"


def hub_args(**overrides):
    args = {"segments": ["spokes", "agentcore"], "share_with": [ORGANIZATION]}
    args.update(overrides)
    return args


def test_hub_never_auto_accepts_and_uses_no_default_route_table():
    d = deploy(lambda: TransitGatewayHub("hub", hub_args()))
    tgw = d.named("hub-tgw").inputs
    assert tgw["autoAcceptSharedAttachments"] == "disable"
    assert tgw["defaultRouteTableAssociation"] == "disable"
    assert tgw["defaultRouteTablePropagation"] == "disable"


def test_hub_has_one_route_table_per_segment():
    d = deploy(lambda: {"tables": TransitGatewayHub("hub", hub_args()).route_table_ids})
    tables = d.of_type("aws:ec2transitgateway/routeTable:RouteTable")
    assert sorted(t.name for t in tables) == ["hub-rt-agentcore", "hub-rt-spokes"]
    tgw_id = d.named("hub-tgw").id
    assert tgw_id.startswith("tgw-") and all(t.inputs["transitGatewayId"] == tgw_id for t in tables)
    assert sorted(d.result["tables"]) == ["agentcore", "spokes"]


def test_hub_shares_the_tgw_inside_the_organization_only():
    principals = [ORGANIZATION, "arn:aws:organizations::111111111111:ou/o-exampleorg1/ou-ab12-cdef3456", SPOKE_ACCOUNT]
    d = deploy(lambda: TransitGatewayHub("hub", hub_args(share_with=principals)))
    share = d.named("hub-share")
    assert share.inputs["allowExternalPrincipals"] is False
    associated = d.of_type("aws:ram/principalAssociation:PrincipalAssociation")
    assert sorted(a.inputs["principal"] for a in associated) == sorted(principals)
    assert {a.name for a in associated} == {"hub-share-principal-o-exampleorg1", "hub-share-principal-ou-ab12-cdef3456", f"hub-share-principal-{SPOKE_ACCOUNT}"}
    resource = d.named("hub-share-resource-tgw")
    assert ":transit-gateway/tgw-" in resource.inputs["resourceArn"]


def test_spoke_attaches_and_routes_every_route_table_to_the_tgw():
    def program():
        spoke = TransitGatewaySpoke(
            "payments",
            {
                "transit_gateway_id": "tgw-0123456789abcdef0",
                "vpc_id": "vpc-0123",
                "vpc_cidr": "10.20.0.0/16",
                "subnet_ids": ["subnet-a", "subnet-b"],
                "route_table_ids": {"a": "rtb-a", "b": "rtb-b"},
                "destination_cidrs": [AGENTCORE_CIDR, "10.30.0.0/16"],
                "appliance_mode": True,
            },
        )
        return {"attachment": spoke.attachment_id}

    d = deploy(program)
    attachment = d.named("payments-attachment")
    assert attachment.inputs["subnetIds"] == ["subnet-a", "subnet-b"]
    assert attachment.inputs["applianceModeSupport"] == "enable"
    routes = d.of_type(ROUTE)
    assert sorted((r.inputs["routeTableId"], r.inputs["destinationCidrBlock"]) for r in routes) == [
        ("rtb-a", "10.255.0.0/16"), ("rtb-a", "10.30.0.0/16"), ("rtb-b", "10.255.0.0/16"), ("rtb-b", "10.30.0.0/16"),
    ]
    assert all(r.inputs["transitGatewayId"] == "tgw-0123456789abcdef0" for r in routes)
    assert all(attachment.urn in r.dependencies for r in routes), "a route to the TGW must wait for the attachment"
    assert d.result["attachment"].startswith("tgw-attach-")


def test_acceptance_accepts_then_associates_and_propagates():
    def program():
        TransitGatewayAttachmentAcceptance(
            "payments",
            {
                "transit_gateway_attachment_id": "tgw-attach-0abc",
                "segment_route_table_ids": {"spokes": "tgw-rtb-s", "agentcore": "tgw-rtb-a"},
                "associate_with": "spokes",
                "propagate_to": ["agentcore", "spokes"],
            },
        )

    d = deploy(program)
    accepter = d.named("payments-accepter")
    assert accepter.inputs["transitGatewayDefaultRouteTableAssociation"] is False
    assert accepter.inputs["transitGatewayDefaultRouteTablePropagation"] is False
    association = d.named("payments-association")
    assert association.inputs["transitGatewayRouteTableId"] == "tgw-rtb-s"
    assert accepter.urn in association.dependencies, "association must wait for acceptance"
    propagations = d.of_type("aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")
    assert sorted(p.inputs["transitGatewayRouteTableId"] for p in propagations) == ["tgw-rtb-a", "tgw-rtb-s"]
    assert all(accepter.urn in p.dependencies for p in propagations)


def test_same_account_acceptance_skips_the_accepter():
    def program():
        TransitGatewayAttachmentAcceptance(
            "local",
            {
                "transit_gateway_attachment_id": "tgw-attach-0abc",
                "segment_route_table_ids": {"spokes": "tgw-rtb-s"},
                "associate_with": "spokes",
                "propagate_to": ["spokes"],
                "accept": False,
            },
        )

    d = deploy(program)
    assert ACCEPTER not in d.types
    assert d.named("local-association").inputs["transitGatewayAttachmentId"] == "tgw-attach-0abc"


def test_two_accounts_compose_in_one_program_with_explicit_providers():
    d = deploy(lambda: tgw_landing_zone([("payments", 20), ("orders", 21)]))
    providers = {r.name: r for r in d.of_type(PROVIDER)}
    assert set(providers) == {"hub", "spokes"}
    assert json.loads(providers["hub"].inputs["allowedAccountIds"]) == [HUB_ACCOUNT]
    assert json.loads(providers["spokes"].inputs["allowedAccountIds"]) == [SPOKE_ACCOUNT]
    assert json.loads(providers["hub"].inputs["assumeRoles"])[0]["roleArn"] == f"arn:aws:iam::{HUB_ACCOUNT}:role/deploy"

    def provider_of(resource):
        # A provider reference is "<provider urn>::<provider id>".
        return resource.provider.rsplit("::", 1)[0].split("::")[-1]

    for resource in d.registrations:
        if not resource.custom or resource.type == PROVIDER:
            continue
        expected = "spokes" if resource.name.startswith(("payments-", "orders-")) and "-acceptance" not in resource.name else "hub"
        assert provider_of(resource) == expected, resource.urn
    accepters = d.of_type(ACCEPTER)
    attachments = {a.name: a for a in d.of_type(ATTACHMENT)}
    assert len(accepters) == 2
    for accepter in accepters:
        spoke = accepter.name.removesuffix("-acceptance-accepter")
        assert attachments[f"{spoke}-spoke-attachment"].urn in accepter.dependencies


def test_adding_removing_or_reordering_spokes_keeps_every_other_urn():
    def urns(spokes):
        d = deploy(lambda: tgw_landing_zone(spokes))
        return {r.urn for r in d.registrations}

    def owned_by(urn_set, spoke):
        return {u for u in urn_set if u.split("::")[-1].startswith(f"{spoke}-") or u.split("::")[-1] == spoke}

    base = urns([("payments", 20), ("orders", 21), ("billing", 22)])
    added = urns([("payments", 20), ("orders", 21), ("billing", 22), ("ledger", 23)])
    removed = urns([("payments", 20), ("billing", 22)])
    reordered = urns([("billing", 22), ("payments", 20), ("orders", 21)])
    assert added - owned_by(added, "ledger") == base
    assert removed == base - owned_by(base, "orders")
    assert reordered == base


@pytest.mark.parametrize(
    "args, field, words",
    [
        (hub_args(segments=[]), "segments", "is empty"),
        (hub_args(segments=["spokes", "spokes"]), "segments[1]", "duplicate segment"),
        (hub_args(segments=["Spokes!"]), "segments[0]", "not a usable name"),
        (hub_args(share_with=[]), "share_with", "is empty"),
        (hub_args(share_with=["12345"]), "share_with[0]", "not a RAM principal"),
        (hub_args(share_with=["arn:aws:iam::111111111111:root"]), "share_with[0]", "not a RAM principal"),
        (hub_args(share_with=[SPOKE_ACCOUNT, SPOKE_ACCOUNT]), "share_with[1]", "listed twice"),
        (hub_args(amazon_side_asn=65000 + 1000), "amazon_side_asn", "not a private ASN"),
    ],
)
def test_hub_refuses_bad_input(args, field, words):
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: TransitGatewayHub("hub", args))
    assert (error.value.field, error.value.component) == (field, "TransitGatewayHub 'hub'")
    assert words in str(error.value)


def spoke_args(**overrides):
    args = {
        "transit_gateway_id": "tgw-1",
        "vpc_id": "vpc-1",
        "vpc_cidr": "10.20.0.0/16",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "route_table_ids": {"a": "rtb-a"},
        "destination_cidrs": [AGENTCORE_CIDR],
    }
    args.update(overrides)
    return args


@pytest.mark.parametrize(
    "args, field, words",
    [
        (spoke_args(destination_cidrs=["10.20.128.0/17"]), "destination_cidrs[0]", "overlaps this VPC's own block 10.20.0.0/16 from inside"),
        (spoke_args(destination_cidrs=["10.20.0.0/16"]), "destination_cidrs[0]", "overlaps this VPC's own block 10.20.0.0/16 exactly"),
        (spoke_args(destination_cidrs=["10.40.0.0/16", "10.40.0.0/16"]), "destination_cidrs[1]", "repeats destination_cidrs[0]"),
        (spoke_args(destination_cidrs=["10.40.0.0/36"]), "destination_cidrs[0]", "not a CIDR block"),
        (spoke_args(destination_cidrs=[]), "destination_cidrs", "is empty"),
        (spoke_args(subnet_ids=[]), "subnet_ids", "is empty"),
        (spoke_args(subnet_ids=["subnet-a", "subnet-a"]), "subnet_ids", "repeats a subnet"),
        (spoke_args(route_table_ids={}), "route_table_ids", "is empty"),
        (spoke_args(transit_gateway_id=""), "transit_gateway_id", "is required"),
        (spoke_args(vpc_cidr="10.16.0.0/12"), "vpc_cidr", "not a valid VPC size"),
    ],
)
def test_spoke_refuses_bad_input(args, field, words):
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: TransitGatewaySpoke("payments", args))
    assert error.value.field == field
    assert words in str(error.value)


@pytest.mark.parametrize("destinations", [["0.0.0.0/0"], ["10.0.0.0/8"], ["10.0.0.0/8", "10.40.0.0/16"]])
def test_spoke_routes_a_summary_that_contains_its_own_block_to_the_hub(destinations):
    """Longest prefix match: inside the VPC its local route (10.20.0.0/16) is more specific than 0.0.0.0/0 or 10.0.0.0/8."""
    d = deploy(lambda: TransitGatewaySpoke("payments", spoke_args(destination_cidrs=destinations)))
    assert sorted(r.inputs["destinationCidrBlock"] for r in d.of_type(ROUTE)) == sorted(destinations)


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"associate_with": "nope"}, "associate_with", "not a segment of the hub"),
        ({"propagate_to": ["spokes", "nope"]}, "propagate_to[1]", "not a segment of the hub"),
        ({"propagate_to": []}, "propagate_to", "return path is missing"),
        ({"propagate_to": ["spokes", "spokes"]}, "propagate_to", "repeats a segment"),
        ({"segment_route_table_ids": {}}, "segment_route_table_ids", "is empty"),
    ],
)
def test_acceptance_refuses_unknown_segments(overrides, field, words):
    args = {
        "transit_gateway_attachment_id": "tgw-attach-1",
        "segment_route_table_ids": {"spokes": "tgw-rtb-s"},
        "associate_with": "spokes",
        "propagate_to": ["spokes"],
    }
    args.update(overrides)
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: TransitGatewayAttachmentAcceptance("payments", args))
    assert error.value.field == field
    assert words in str(error.value)
