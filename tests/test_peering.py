import pulumi
import pytest

from agentcore_egress.components import InputValidationError, PeeringAcceptance, PeeringSpoke, PrivateVpc, account_provider
from fake_cloud import deploy
from topologies import HUB_ACCOUNT, SPOKE_ACCOUNT, vpc_args

ROUTE = "aws:ec2/route:Route"
OPTIONS = "aws:ec2/peeringConnectionOptions:PeeringConnectionOptions"


def spoke_args(**overrides):
    args = {
        "vpc_id": "vpc-spoke",
        "vpc_cidr": "10.20.0.0/16",
        "hub_vpc_id": "vpc-hub",
        "hub_account_id": HUB_ACCOUNT,
        "hub_region": "us-east-1",
        "hub_cidrs": ["10.255.0.0/16"],
        "route_table_ids": {"a": "rtb-a", "b": "rtb-b"},
    }
    args.update(overrides)
    return args


def acceptance_args(**overrides):
    args = {
        "peering_connection_id": "pcx-0123",
        "route_table_ids": {"a": "rtb-hub-a"},
        "spoke_cidrs": ["10.20.0.0/16"],
        "hub_vpc_cidr": "10.255.0.0/16",
    }
    args.update(overrides)
    return args


def test_spoke_requests_cross_account_cross_region_peering_and_routes_to_the_hub():
    d = deploy(lambda: {"pcx": PeeringSpoke("payments", spoke_args()).peering_connection_id})
    peering = d.named("payments-peering").inputs
    assert (peering["vpcId"], peering["peerVpcId"], peering["peerOwnerId"], peering["peerRegion"]) == (
        "vpc-spoke", "vpc-hub", HUB_ACCOUNT, "us-east-1",
    )
    assert not peering.get("autoAccept"), "cross-account peerings cannot be auto-accepted by the requester"
    routes = d.of_type(ROUTE)
    assert sorted(r.inputs["routeTableId"] for r in routes) == ["rtb-a", "rtb-b"]
    assert all(r.inputs["vpcPeeringConnectionId"] == d.result["pcx"] for r in routes)
    assert all(r.inputs["destinationCidrBlock"] == "10.255.0.0/16" for r in routes)


def test_spoke_turns_on_dns_resolution_of_the_hub_once_accepted():
    pending = deploy(lambda: PeeringSpoke("payments", spoke_args()))
    assert OPTIONS not in pending.types, "AWS refuses peering options on a connection that is not active yet"
    accepted = deploy(lambda: PeeringSpoke("payments", spoke_args(peering_accepted=True)))
    options = accepted.named("payments-dns").inputs
    assert options["requester"]["allowRemoteVpcDnsResolution"] is True
    assert "accepter" not in options, "each account may only set its own side across accounts"


def test_acceptance_accepts_routes_back_and_resolves_the_spokes_names():
    d = deploy(lambda: PeeringAcceptance("payments", acceptance_args()))
    accepter = d.named("payments-accepter")
    assert accepter.inputs["autoAccept"] is True and accepter.inputs["vpcPeeringConnectionId"] == "pcx-0123"
    route = d.named("payments-route-a-10-20-0-0-16")
    assert route.inputs["vpcPeeringConnectionId"] == "pcx-0123" and route.inputs["routeTableId"] == "rtb-hub-a"
    assert accepter.urn in route.dependencies
    options = d.named("payments-dns")
    assert options.inputs["accepter"]["allowRemoteVpcDnsResolution"] is True and "requester" not in options.inputs
    assert accepter.urn in options.dependencies, "options can only be set on an accepted peering"


def test_hub_and_spoke_peering_across_accounts_and_regions_in_one_program():
    def program():
        hub_provider = account_provider("hub", account_id=HUB_ACCOUNT, region="us-east-1")
        spoke_provider = account_provider("spoke", account_id=SPOKE_ACCOUNT, region="eu-west-1")
        hub_vpc = PrivateVpc("hub", vpc_args(255, ("us-east-1a", "us-east-1b")), opts=pulumi.ResourceOptions(provider=hub_provider))
        spoke_vpc = PrivateVpc("payments", vpc_args(20), opts=pulumi.ResourceOptions(provider=spoke_provider))
        spoke = PeeringSpoke(
            "payments-peering",
            {
                "vpc_id": spoke_vpc.vpc_id,
                "vpc_cidr": "10.20.0.0/16",
                "hub_vpc_id": hub_vpc.vpc_id,
                "hub_account_id": HUB_ACCOUNT,
                "hub_region": "us-east-1",
                "hub_cidrs": ["10.255.0.0/16"],
                "route_table_ids": spoke_vpc.route_table_ids_by_subnet,
                "peering_accepted": True,
            },
            opts=pulumi.ResourceOptions(provider=spoke_provider),
        )
        PeeringAcceptance(
            "payments-acceptance",
            {
                "peering_connection_id": spoke.peering_connection_id,
                "route_table_ids": hub_vpc.route_table_ids_by_subnet,
                "spoke_cidrs": ["10.20.0.0/16"],
                "hub_vpc_cidr": "10.255.0.0/16",
            },
            opts=pulumi.ResourceOptions(provider=hub_provider),
        )

    d = deploy(program)
    providers = {r.name: r for r in d.of_type("pulumi:providers:aws")}
    assert providers["hub"].inputs["region"] == "us-east-1" and providers["spoke"].inputs["region"] == "eu-west-1"

    def provider_name(resource):
        return resource.provider.rsplit("::", 1)[0].split("::")[-1]

    assert provider_name(d.named("payments-acceptance-accepter")) == "hub"
    assert provider_name(d.named("payments-peering-peering")) == "spoke"
    assert {provider_name(r) for r in d.of_type(ROUTE) if r.name.startswith("payments-acceptance-")} == {"hub"}
    assert {provider_name(r) for r in d.of_type(ROUTE) if r.name.startswith("payments-peering-")} == {"spoke"}
    assert len(d.of_type(ROUTE)) == 4
    assert d.named("payments-peering-peering").urn in d.named("payments-acceptance-accepter").dependencies


@pytest.mark.parametrize(
    "args, field, words",
    [
        (spoke_args(hub_account_id="1111"), "hub_account_id", "not an AWS account id"),
        (spoke_args(hub_region="mars-1"), "hub_region", "not an AWS region"),
        (spoke_args(hub_cidrs=["10.20.0.0/24"]), "hub_cidrs[0]", "overlaps this VPC's own block"),
        (spoke_args(hub_cidrs=[]), "hub_cidrs", "is empty"),
        (spoke_args(route_table_ids={"A B": "rtb-1"}), "route_table_ids key", "not a usable name"),
        (spoke_args(hub_vpc_id=None), "hub_vpc_id", "is required"),
    ],
)
def test_spoke_refuses_bad_input(args, field, words):
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: PeeringSpoke("payments", args))
    assert error.value.field == field and words in str(error.value)


def test_a_summary_route_to_the_peering_that_contains_both_vpcs_is_accepted():
    """AWS accepts a route to a peering wider than the peer's block; the peering delivers to the peer's block only."""
    d = deploy(lambda: (PeeringSpoke("payments", spoke_args(hub_cidrs=["10.0.0.0/8"])),
                        PeeringAcceptance("payments", acceptance_args(spoke_cidrs=["0.0.0.0/0"]))))
    assert sorted(r.inputs["destinationCidrBlock"] for r in d.of_type(ROUTE)) == ["0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/8"]


@pytest.mark.parametrize(
    "args, field, words",
    [
        (acceptance_args(spoke_cidrs=["10.255.1.0/24"]), "spoke_cidrs[0]", "overlaps this VPC's own block"),
        (acceptance_args(spoke_cidrs=["10.255.0.0/16"]), "spoke_cidrs[0]", "overlaps this VPC's own block 10.255.0.0/16 exactly"),
        (acceptance_args(route_table_ids=[]), "route_table_ids", "is empty"),
        (acceptance_args(peering_connection_id=""), "peering_connection_id", "is required"),
    ],
)
def test_acceptance_refuses_bad_input(args, field, words):
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: PeeringAcceptance("payments", args))
    assert error.value.field == field and words in str(error.value)
