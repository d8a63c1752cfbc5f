"""Subnets placed by AZ id (``vpcs[].subnets[].az_id``), the same physical zone in every account, as an alternative to the
zone's name, which each account maps its own way."""

import pytest

from agentcore_egress.components import InputValidationError, PrivateVpc
from agentcore_egress.stacks.aws_regions import AVAILABILITY_ZONE_IDS, AVAILABILITY_ZONE_LETTERS, availability_zone_ids
from fake_cloud import deploy
from landing_zones import TGW_EXAMPLE, assert_plans_clean_and_reachable, copy_zone, edit_stack, plan_json, refused_input

SUBNET = "aws:ec2/subnet:Subnet"


def test_every_zone_id_moto_describes_is_in_the_table():
    """Checks stacks/aws_regions.AVAILABILITY_ZONE_IDS against the describe-availability-zones data moto ships
    (moto.ec2.models.availability_zones_and_regions), for every region both know (most of them): each ZoneId moto answers for a
    region is one of the table's. moto lists a dozen regions as real accounts described them and derives the others' ids (az1
    to az3 of the region's short code), so for those this checks the short code. The table may hold more (zones only older
    accounts have, such as apne1-az3), as AWS's list does."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend  # a second and more: only this test's

    shared = sorted(set(RegionsAndZonesBackend.zones) & set(AVAILABILITY_ZONE_IDS))
    assert len(shared) >= 30, shared
    missing = {region: sorted({zone.zone_id for zone in RegionsAndZonesBackend.zones[region]} - set(availability_zone_ids(region)))
               for region in shared}
    assert {region: ids for region, ids in missing.items() if ids} == {}


def test_the_zone_names_and_the_zone_ids_cover_the_same_regions():
    assert set(AVAILABILITY_ZONE_IDS) == set(AVAILABILITY_ZONE_LETTERS)


def vpc_by_ids(*zones):
    return {"cidr_block": "10.20.0.0/16", "subnets": [
        {"name": name, "cidr_block": f"10.20.{index}.0/24", **zone} for index, (name, zone) in enumerate(zip("abc", zones))]}


def test_private_vpc_places_a_subnet_by_its_az_id_and_attaches_one_subnet_per_zone():
    def program():
        vpc = PrivateVpc("payments", vpc_by_ids(
            {"availability_zone_id": "euw1-az1"}, {"availability_zone_id": "euw1-az2"}, {"availability_zone_id": "euw1-az1"}))
        return {"subnet_ids": vpc.subnet_ids, "attachment_subnet_ids": vpc.attachment_subnet_ids}
    deployment = deploy(program)
    subnet = deployment.named("payments-subnet-a")
    assert subnet.inputs["availabilityZoneId"] == "euw1-az1" and "availabilityZone" not in subnet.inputs
    assert deployment.result["attachment_subnet_ids"] == deployment.result["subnet_ids"][:2]


@pytest.mark.parametrize("zones, field, words", [
    (({"availability_zone_id": "euw1-az1"}, {"availability_zone_id": "euw1-az1"}), "subnets", "puts every subnet in one availability zone"),
    (({"availability_zone_id": "euw1-az1"}, {"availability_zone": "eu-west-1b"}), "subnets", "mixes zone names and AZ ids"),
    (({"availability_zone_id": "euw1-az1"}, {"availability_zone_id": "use1-az2"}), "subnets", "spans regions"),
    (({"availability_zone_id": "euw1-1"}, {"availability_zone_id": "euw1-az2"}), "subnets[0].availability_zone_id", "is not an AZ id"),
    (({"availability_zone_id": "euw1-az1", "availability_zone": "eu-west-1a"}, {"availability_zone_id": "euw1-az2"}), "subnets[0]",
     "needs exactly one of availability_zone and availability_zone_id"),
])
def test_zones_aws_would_refuse_or_plan_cannot_compare_are_refused_by_the_component(zones, field, words):
    with pytest.raises(InputValidationError) as raised:
        deploy(lambda: PrivateVpc("payments", vpc_by_ids(*zones)))
    assert raised.value.field == field and words in str(raised.value) and "Fix:" in str(raised.value)


def by_ids(ids):
    """The stack's first VPC places its subnets by AZ id, in order."""
    def change(config):
        for subnet, zone_id in zip(config["vpcs"][0]["subnets"], ids):
            subnet.pop("az")
            subnet["az_id"] = zone_id
    return change


def test_a_zone_of_subnets_by_az_id_plans_clean_and_reachable(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-payments", by_ids(["euw1-az1", "euw1-az2"]))
    edit_stack(zone, "agentcore", by_ids(["euw1-az3", "euw1-az1"]))
    assert_plans_clean_and_reachable(capsys, zone)


@pytest.mark.parametrize("change, words", [
    (by_ids(["euw1-az1", "euw1-az4"]), "vpcs[0].subnets[1].az_id: 'euw1-az4' is not an AZ id of eu-west-1, which has euw1-az1, euw1-az2, euw1-az3. Fix:"),
    (by_ids(["euw1-az1", "use1-az4"]), "is an AZ id of us-east-1, not of the account's region eu-west-1. Fix: use one of euw1-az1"),
    (by_ids(["euw1-az1"]), "vpcs[0].subnets: ['euw1-az1', 'eu-west-1b'] mixes zone names (az) and AZ ids (az_id)"),
    (lambda c: c["vpcs"][0]["subnets"][0].update(az_id="euw1-az1"), "needs exactly one of az and az_id"),
])
def test_an_az_id_the_region_lacks_or_a_subnet_plan_cannot_place_is_bad_input(capsys, tmp_path, change, words):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-payments", change)
    err = refused_input(capsys, zone)
    assert words in err and "Fix:" in err, err


def test_the_attachment_takes_an_address_in_the_first_subnet_of_each_zone_given_by_id(capsys, tmp_path):
    """A /27 holds 27 addresses: the ALB's 8, the interface endpoint's one, a Resource Gateway's 18 per ENI and the Transit Gateway
    attachment's one do not fit, in subnet b as in subnet a, b being the first (and only) subnet of its zone."""
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")

    def crowded(config):
        config["vpcs"][0]["subnets"] = [{"name": name, "cidr": f"10.20.{index}.0/27", "az_id": f"euw1-az{index + 1}"} for index, name in enumerate("ab")]
        config["lattice_resources"] = [{"name": "orders", "vpc": "payments", "backend_cidrs": ["10.20.0.0/27", "10.20.1.0/27"],
                                        "ipv4_addresses_per_eni": 18, "share_with": ["444444444444"],
                                        "configurations": [{"name": "orders", "domain": "orders.tools.example.com", "ports": ["443"]}]}]
    edit_stack(zone, "tools-payments", crowded)
    code, result, err = plan_json(capsys, zone)
    assert result, err
    rooms = sorted(f["config_path"] for f in result["cross_stack"] if f["policy"] == "precondition-subnet-room")
    assert rooms == ["vpcs[0].subnets[0].cidr", "vpcs[0].subnets[1].cidr"], (rooms, err)
