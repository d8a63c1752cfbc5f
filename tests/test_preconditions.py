"""Every AWS precondition of a cross-account landing zone: one small break of a bundled landing zone per
precondition, planned (exit code 1, the finding in the JSON at the stack and key path to change), then
the fix the finding names, after which the landing-zone model finds nothing of that rule."""

import json

import pytest

from agentcore_egress.cli.main import main
from agentcore_egress.planner.cross_stack_checks import cross_stack_findings
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel
from agentcore_egress.planner.preconditions import precondition_findings
from landing_zones import (PEERING_EXAMPLE, TGW_EXAMPLE, accept_tgw_share_invitations, copy_zone, edit_stack, invitations_only, two_subnets,
                           write_stack)

ORG = "arn:aws:organizations::111111111111:organization/o-exampleorg1"
OTHER_ORG = "arn:aws:organizations::999999999999:organization/o-otherorg123"


def subnets(region, octet):
    return [{"name": "a", "cidr": f"10.{octet}.0.0/24", "az": f"{region}a"}, {"name": "b", "cidr": f"10.{octet}.1.0/24", "az": f"{region}b"}]


def move_to(region):
    def change(config):
        config["account"]["region"] = region
        for vpc in config.get("vpcs", []):
            for subnet in vpc["subnets"]:
                subnet["az"] = region + subnet["az"][-1]
    return change


def set_in(path, value):
    """A change that sets config[path[0]][path[1]]… = value."""
    def change(config):
        target = config
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def observer_stacks(zone):
    """A VPC of a fifth account (its own network stack) associated with the agentcore account's private zone."""
    write_stack(zone, "observer-network", {"account": {"id": "555555555555", "region": "eu-west-1"},
                                           "vpcs": [{"name": "obs", "cidr": "10.77.0.0/16", "subnets": subnets("eu-west-1", 77)}]})
    write_stack(zone, "observer", {"account": {"id": "555555555555", "region": "eu-west-1"}, "zone_associations": [
        {"name": "orders", "private_name": {"stack": "agentcore", "name": "orders"}, "vpc": {"stack": "observer-network", "vpc": "obs"}}]})


def second_orders_zone(config):
    config["private_names"].append({**config["private_names"][0], "name": "orders-again", "record": "orders-again.tools.example.com"})


def managed_vpc_in_another_region(zone):
    write_stack(zone, "agentcore-us", {"account": {"id": "444444444444", "region": "us-east-1"},
                                       "vpcs": [{"name": "enis", "cidr": "10.251.0.0/16", "subnets": subnets("us-east-1", 251)}]})
    edit_stack(zone, "agentcore", lambda c: c["targets"][1]["managed"].update(vpc={"stack": "agentcore-us", "vpc": "enis"}))


def subnets_of_size(stack, vpc_octet, prefix):
    """Shrink the two subnets of ``stack``'s first VPC to /prefix blocks."""
    return lambda zone: edit_stack(zone, stack, lambda c: c["vpcs"][0].update(subnets=two_subnets(vpc_octet, prefix)))


def certificate_arn_of(region, account):
    """tools-payments' ALB takes an existing certificate of ``region`` and ``account`` instead of the one its stack requests."""
    def change(config):
        config["load_balancers"][0].pop("certificate", None)
        config["load_balancers"][0]["certificate_arn"] = f"arn:aws:acm:{region}:{account}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    return lambda zone: edit_stack(zone, "tools-payments", change)


def second_vpc_with_its_own_group(config):
    config["vpcs"].append({"name": "sandbox", "cidr": "10.251.0.0/16", "subnets": two_subnets(251)})
    config["security_groups"].append({"name": "sandbox", "vpc": "sandbox", "eni_cidrs": ["10.251.0.0/24"], "backend_cidrs": ["10.20.0.0/24"]})
    config["targets"][0]["managed"].update(security_groups=["sandbox"])


# case: (zone, break, fix, rule, stack whose file changes, key path)
CASES = {
    "tgw-not-shared-with-the-spoke": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "network-hub", set_in(["transit_gateway_hub", "share_with"], ["444444444444"])),
        lambda z: edit_stack(z, "network-hub", set_in(["transit_gateway_hub", "share_with"], ["444444444444", "222222222222"])),
        "precondition-tgw-attachment", "tools-payments", "tgw_spokes[0].hub_stack"),
    "tgw-spoke-in-another-region": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "tools-payments", move_to("eu-west-2")),
        lambda z: edit_stack(z, "tools-payments", move_to("eu-west-1")),
        "precondition-tgw-attachment", "tools-payments", "tgw_spokes[0].hub_stack"),
    "tgw-attachment-never-accepted": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "network-hub-acceptance", lambda c: c["tgw_acceptances"].pop(0)),
        lambda z: copy_zone(TGW_EXAMPLE, z),
        "precondition-tgw-attachment", "tools-payments", "tgw_spokes[0]"),
    "tgw-accepted-by-another-account": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "network-hub-acceptance", lambda c: c["account"].update(
            id="555555555555", role_arn="arn:aws:iam::555555555555:role/pulumi-deploy")),
        lambda z: edit_stack(z, "network-hub-acceptance", lambda c: c["account"].update(
            id="111111111111", role_arn="arn:aws:iam::111111111111:role/pulumi-deploy")),
        "precondition-tgw-attachment", "network-hub-acceptance", "tgw_acceptances[0]"),
    "peering-never-accepted": (
        PEERING_EXAMPLE, lambda z: edit_stack(z, "agentcore", lambda c: c.pop("peering_acceptances")),
        lambda z: copy_zone(PEERING_EXAMPLE, z),
        "precondition-peering", "tools-app", "peering_spokes[0]"),
    "peering-dns-before-acceptance": (
        PEERING_EXAMPLE, lambda z: (edit_stack(z, "agentcore", lambda c: c.pop("peering_acceptances")),
                                    edit_stack(z, "tools-app", lambda c: c["peering_spokes"][0].update(accepted=True))),
        lambda z: copy_zone(PEERING_EXAMPLE, z),
        "precondition-peering", "tools-app", "peering_spokes[0].accepted"),
    "lattice-shared-with-another-organization": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "tools-mcp", lambda c: c["lattice_resources"][0].update(share_with=[OTHER_ORG])),
        lambda z: edit_stack(z, "tools-mcp", lambda c: c["lattice_resources"][0].update(share_with=[ORG])),
        "precondition-ram-organization", "tools-mcp", "lattice_resources[0].share_with[0]"),
    "organization-sharing-not-enabled": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "network-hub", lambda c: c["organization"].update(ram_sharing_enabled=False)),
        lambda z: edit_stack(z, "network-hub", lambda c: c["organization"].update(ram_sharing_enabled=True)),
        "precondition-ram-organization", "network-hub", "transit_gateway_hub.share_with[0]"),
    "share-invitation-never-accepted": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "network-hub", lambda c: c["organization"].update(ram_sharing_enabled=False)),
        lambda z: (edit_stack(z, "network-hub", lambda c: c["transit_gateway_hub"].update(share_with=["222222222222", "444444444444"])),
                   edit_stack(z, "agentcore", lambda c: c["share_acceptances"][0].update(organization_sharing=False)),
                   accept_tgw_share_invitations(z)),
        "precondition-ram-organization", "agentcore", "share_acceptances[0].organization_sharing"),
    "tgw-share-invitation-never-accepted": (
        TGW_EXAMPLE, invitations_only,
        lambda z: (accept_tgw_share_invitations(z), edit_stack(z, "agentcore", lambda c: c["share_acceptances"][0].update(organization_sharing=False))),
        "precondition-ram-organization", "tools-payments", "tgw_spokes[0]"),
    "tgw-share-accepted-without-an-invitation": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "tools-payments", lambda c: c["tgw_spokes"][0].update(accept_share_invitation=True)),
        lambda z: copy_zone(TGW_EXAMPLE, z),
        "precondition-ram-organization", "tools-payments", "tgw_spokes[0].accept_share_invitation"),
    "share-accepted-without-an-invitation": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "agentcore", lambda c: c["share_acceptances"][0].update(organization_sharing=False)),
        lambda z: edit_stack(z, "agentcore", lambda c: c["share_acceptances"][0].update(organization_sharing=True)),
        "precondition-ram-organization", "agentcore", "share_acceptances[0].organization_sharing"),
    "shared-configuration-nobody-accepts": (
        TGW_EXAMPLE, lambda z: (edit_stack(z, "network-hub", lambda c: c["organization"].update(ram_sharing_enabled=False)),
                                edit_stack(z, "agentcore", lambda c: c.pop("share_acceptances"))),
        lambda z: (edit_stack(z, "network-hub", lambda c: c["transit_gateway_hub"].update(share_with=["222222222222", "444444444444"])),
                   edit_stack(z, "agentcore", lambda c: c.update(share_acceptances=[
                       {"name": "mcp", "lattice": {"stack": "tools-mcp", "name": "mcp"}, "organization_sharing": False}])),
                   accept_tgw_share_invitations(z)),
        "precondition-ram-organization", "agentcore", "targets[2].lattice"),
    "organization-not-declared": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "network-hub", lambda c: c.pop("organization")),
        lambda z: copy_zone(TGW_EXAMPLE, z),
        "precondition-ram-organization", "network-hub", "transit_gateway_hub.share_with[0]"),
    "zone-association-not-authorized": (
        TGW_EXAMPLE, observer_stacks,
        lambda z: edit_stack(z, "agentcore", lambda c: c["private_names"][0].update(authorize=[{"stack": "observer-network", "vpc": "obs"}])),
        "precondition-zone-association", "observer", "zone_associations[0].private_name"),
    "two-private-zones-of-one-name-on-a-vpc": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "agentcore", second_orders_zone),
        lambda z: edit_stack(z, "agentcore", lambda c: c["private_names"][1].update(zone="orders-again.tools.example.com")),
        "precondition-zone-association", "agentcore", "private_names[1].vpc"),
    "certificate-in-another-region": (
        TGW_EXAMPLE, certificate_arn_of("us-east-1", "222222222222"), certificate_arn_of("eu-west-1", "222222222222"),
        "precondition-certificate-region", "tools-payments", "load_balancers[0].certificate_arn"),
    "certificate-of-another-account": (
        TGW_EXAMPLE, certificate_arn_of("eu-west-1", "333333333333"), certificate_arn_of("eu-west-1", "222222222222"),
        "precondition-certificate-region", "tools-payments", "load_balancers[0].certificate_arn"),
    "lattice-configuration-in-another-region": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "tools-mcp", move_to("eu-west-2")),
        lambda z: edit_stack(z, "tools-mcp", move_to("eu-west-1")),
        "cross-stack-lattice-share", "agentcore", "targets[2].lattice"),
    # a /28 has 11 usable addresses; the Resource Gateway takes 16 per ENI by default, the NLB one: 8 per ENI leaves room.
    "resource-gateway-without-room-in-a-28": (
        TGW_EXAMPLE, subnets_of_size("tools-mcp", 30, 28),
        lambda z: edit_stack(z, "tools-mcp", lambda c: c["lattice_resources"][0].update(ipv4_addresses_per_eni=8)),
        "precondition-subnet-room", "tools-mcp", "vpcs[0].subnets[0].cidr"),
    # an ALB needs /27 subnets (8 free addresses); its interface endpoint and TGW attachment fit beside it in a /27.
    "alb-in-a-28": (
        TGW_EXAMPLE, subnets_of_size("tools-payments", 20, 28), subnets_of_size("tools-payments", 20, 27),
        "precondition-subnet-room", "tools-payments", "vpcs[0].subnets[0].cidr"),
    # the agentcore stack's groups for a second VPC of its own, used by a target whose ENIs stay in the first one
    "target-with-a-security-group-of-another-vpc": (
        TGW_EXAMPLE, lambda z: edit_stack(z, "agentcore", second_vpc_with_its_own_group),
        lambda z: edit_stack(z, "agentcore", lambda c: c["targets"][0]["managed"].update(vpc="sandbox")),
        "precondition-security-group-vpc", "agentcore", "targets[0].managed.security_groups[0]"),
    "managed-target-vpc-in-another-region": (
        TGW_EXAMPLE, managed_vpc_in_another_region,
        lambda z: edit_stack(z, "agentcore", lambda c: c["targets"][1]["managed"].update(vpc="agentcore")),
        "cross-stack-managed-path", "agentcore", "targets[1].managed.vpc"),
}


def plan_json(capsys, zone):
    code = main(["plan", str(zone), "--format", "json", "--quiet"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else None, captured.err


def model_findings(zone):
    model = LandingZoneModel(LandingZone.load(zone))
    return precondition_findings(model) + cross_stack_findings(model)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_precondition_blocks_the_plan_and_its_fix_clears_it(capsys, tmp_path, case):
    source, breaker, fixer, rule, stack, path = CASES[case]
    zone = copy_zone(source, tmp_path / "zone")
    breaker(zone)
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    found = [f for f in result["cross_stack"] if f["policy"] == rule]
    assert any(f["level"] == "mandatory" and f["stack"] == stack and f["config_path"] == path for f in found), found
    fixer(zone)
    assert [f for f in model_findings(zone) if f.policy == rule] == []


def test_the_bundled_landing_zones_meet_every_precondition():
    for zone in (TGW_EXAMPLE, PEERING_EXAMPLE):
        assert model_findings(zone) == []


def test_policy_config_sets_a_precondition_level(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "network-hub", lambda c: c["organization"].update(ram_sharing_enabled=False))
    config = tmp_path / "pack.json"
    config.write_text(json.dumps({"precondition-ram-organization": "advisory"}))
    code = main(["plan", str(zone), "--format", "json", "--quiet", "--policy-pack-config", str(config)])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {f["level"] for f in result["cross_stack"] if f["policy"] == "precondition-ram-organization"} == {"advisory"}


def test_the_organization_is_declared_once(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "agentcore", lambda c: c.update(organization={"id": "o-exampleorg1", "management_account": "111111111111"}))
    assert main(["plan", str(zone)]) == 2
    assert "agentcore-egress:organization: is declared again (first in" in capsys.readouterr().err
