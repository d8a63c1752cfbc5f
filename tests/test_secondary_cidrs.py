"""VPC secondary CIDR blocks: associated by PrivateVpc, refused where AWS refuses them, and counted as the VPC's own blocks by
routes, overlap checks and reachability."""

import ipaddress

import pytest

from agentcore_egress.components import InputValidationError, PrivateVpc
from agentcore_egress.components.vpc_blocks import secondary_blocks
from fake_cloud import deploy
from landing_zones import TGW_EXAMPLE, add_tgw_spoke_stack, assert_plans_clean_and_reachable, copy_zone, edit_stack, plan_json, refused_input

ASSOCIATION = "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation"
PAYMENTS_SUBNETS = ["10.21.0.0/24", "10.21.1.0/24"]


@pytest.mark.parametrize("primary, secondary, allowed", [
    ("10.20.0.0/16", "10.21.0.0/16", True),          # the primary's own RFC 1918 range
    ("10.20.0.0/16", "100.64.0.0/16", True),         # the shared address space, with any primary
    ("10.20.0.0/16", "192.168.0.0/20", False),       # another RFC 1918 range
    ("10.20.0.0/16", "172.16.0.0/16", False),
    ("10.20.0.0/16", "198.19.0.0/16", False),
    ("10.0.0.0/16", "10.0.0.0/16", False),           # overlaps the primary
    ("10.1.0.0/16", "10.0.0.0/16", False),           # primary inside 10.0.0.0/15: no block of 10.0.0.0/16
    ("10.2.0.0/16", "10.0.0.0/16", True),
    ("172.20.0.0/16", "172.31.0.0/16", False),       # 172.31.0.0/16 beside a 172.16.0.0/12 primary
    ("172.20.0.0/16", "172.21.0.0/16", True),
    ("192.168.0.0/20", "10.20.0.0/16", False),
    ("198.19.0.0/16", "100.64.0.0/16", True),
    ("198.19.0.0/16", "10.20.0.0/16", False),
    ("100.64.0.0/16", "198.19.0.0/16", False),
    ("100.64.0.0/16", "100.65.0.0/16", True),
])
def test_a_secondary_block_comes_from_a_range_aws_allows_beside_the_primary(primary, secondary, allowed):
    check = lambda: secondary_blocks("PrivateVpc 'x'", "secondary_cidr_blocks", [secondary], ipaddress.ip_network(primary))  # noqa: E731
    if allowed:
        assert check() == [ipaddress.ip_network(secondary)]
    else:
        with pytest.raises(InputValidationError, match=r"secondary_cidr_blocks\[0\].*Fix: "):
            check()


def vpc_args(secondaries):
    return {"cidr_block": "10.20.0.0/16", "secondary_cidr_blocks": secondaries, "subnets": [
        {"name": "a", "cidr_block": "10.20.0.0/24", "availability_zone": "eu-west-1a"},
        {"name": "b", "cidr_block": "10.21.0.0/24", "availability_zone": "eu-west-1b"}]}


def test_private_vpc_associates_each_secondary_block_before_the_subnets_in_it():
    deployment = deploy(lambda: PrivateVpc("payments", vpc_args(["10.21.0.0/16"])))
    (association,) = deployment.of_type(ASSOCIATION)
    assert (association.name, association.inputs["cidrBlock"]) == ("payments-cidr-10-21-0-0-16", "10.21.0.0/16")
    assert association.parent == deployment.named("payments").urn
    assert association.urn in deployment.named("payments-subnet-b").dependencies
    assert association.urn not in deployment.named("payments-subnet-a").dependencies


@pytest.mark.parametrize("secondaries, field, words", [
    ([], "subnets[1].cidr_block", "outside the VPC's blocks 10.20.0.0/16"),
    (["10.21.0.0/16", "10.22.0.0/16", "10.23.0.0/16", "10.24.0.0/16", "10.25.0.0/16"], "secondary_cidr_blocks", "lists 5 secondary blocks"),
    (["10.21.0.0/16", "10.21.0.0/17"], "secondary_cidr_blocks", "overlaps"),
])
def test_private_vpc_refuses_blocks_aws_would_not_associate(secondaries, field, words):
    with pytest.raises(InputValidationError) as raised:
        deploy(lambda: PrivateVpc("payments", vpc_args(secondaries)))
    assert raised.value.field == field and words in str(raised.value)


def payments_in_a_secondary_block(zone, agentcore_routes=("10.20.0.0/16", "10.21.0.0/16")):
    """tools-payments grew into a secondary block 10.21.0.0/16, where its subnets (and so its ALB and API endpoint) now sit;
    agentcore routes ``agentcore_routes`` to the Transit Gateway and lets its ENIs reach the new subnets."""
    def grow(config):
        vpc = config["vpcs"][0]
        vpc["secondary_cidrs"] = ["10.21.0.0/16"]
        for subnet, block in zip(vpc["subnets"], PAYMENTS_SUBNETS):
            subnet["cidr"] = block
        config["security_groups"][0]["backend_cidrs"] = PAYMENTS_SUBNETS
        config["load_balancers"][0].update(target_cidrs=PAYMENTS_SUBNETS, target_ips=["10.21.0.10", "10.21.1.10"])
    edit_stack(zone, "tools-payments", grow)

    def route(config):
        config["tgw_spokes"][0]["destinations"] = list(agentcore_routes)
        config["security_groups"][0]["backend_cidrs"] = PAYMENTS_SUBNETS
    edit_stack(zone, "agentcore", route)


def test_a_backend_in_a_secondary_block_plans_clean_and_reachable(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    payments_in_a_secondary_block(zone)
    assert_plans_clean_and_reachable(capsys, zone)


def test_a_route_to_the_primary_block_only_leaves_the_secondary_unreachable(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    payments_in_a_secondary_block(zone, agentcore_routes=("10.20.0.0/16",))
    code, result, _ = plan_json(capsys, zone)
    assert code == 1
    broken = [trace for trace in result["reachability"] if trace["verdict"] == "unreachable"]
    hops = [trace["hops"][-1] for trace in broken]
    assert hops and all("has no route to 10.21." in hop["detail"] and hop["fix"].startswith("add a route to 10.21.0.0/16") for hop in hops), hops


def test_a_secondary_block_that_overlaps_a_joined_spoke_is_found_and_its_renumbering_clears_it(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    add_tgw_spoke_stack(zone, "tools-reporting", {"id": "222222222222", "region": "eu-west-1"}, "reporting", 40)
    edit_stack(zone, "tools-reporting", lambda c: c["vpcs"][0].update(secondary_cidrs=["10.20.0.0/16"]))
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    (finding,) = [f for f in result["cross_stack"] if f["policy"] == "cross-stack-cidr-overlap"]
    assert (finding["stack"], finding["config_path"]) == ("tools-reporting", "tgw_spokes[0]")
    assert "VPC reporting (stack tools-reporting, 10.20.0.0/16) overlaps VPC payments (stack tools-payments, 10.20.0.0/16)" in finding["message"]
    edit_stack(zone, "tools-reporting", lambda c: c["vpcs"][0].update(secondary_cidrs=["10.41.0.0/16"]))
    code, result, err = plan_json(capsys, zone)
    assert code == 0, err


@pytest.mark.parametrize("change, words", [
    (lambda vpc: vpc.update(secondary_cidrs=["192.168.0.0/20"]),
     "vpcs[0].secondary_cidrs[0]: '192.168.0.0/20' comes from 192.168.0.0/16, which AWS refuses as a secondary block of a VPC whose primary block is 10.20.0.0/16. Fix: "),
    (lambda vpc: vpc.update(secondary_cidrs=[f"10.{octet}.0.0/16" for octet in range(21, 26)]), "lists 5 secondary blocks. Fix: list at most 4"),
    (lambda vpc: vpc["subnets"][1].update(cidr="10.21.1.0/24"),
     "vpcs[0].subnets[1].cidr: '10.21.1.0/24' is outside the VPC's blocks 10.20.0.0/16. Fix: "),
])
def test_the_stack_file_refuses_secondary_blocks_aws_would_not_associate(capsys, tmp_path, change, words):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-payments", lambda c: change(c["vpcs"][0]))
    err = refused_input(capsys, zone)
    assert words in err, err


def test_a_route_into_a_secondary_block_is_refused_as_one_into_the_primary(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "agentcore", lambda c: c["vpcs"][0].update(secondary_cidrs=["10.20.0.0/16"]))
    err = refused_input(capsys, zone)
    assert "destination_cidrs[0]: '10.20.0.0/16' overlaps this VPC's own block 10.20.0.0/16 exactly" in err and "Fix: " in err, err
