"""Security groups admitted by reference instead of by CIDR (load_balancers[].client_groups): matched by AWS in the same VPC,
across a peering in one region, and across a Transit Gateway only once its security group referencing support is on."""

import pytest

from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel
from agentcore_egress.planner.preconditions import precondition_findings
from landing_zones import TGW_EXAMPLE, add_tgw_spoke_stack, assert_plans_clean_and_reachable, copy_zone, edit_stack, plan_json, refused_input, two_subnets, write_stack

RULE = "precondition-security-group-vpc"
REPORTING = {"id": "555555555555", "region": "eu-west-1"}
REPORTING_CLIENTS = {"name": "reporting-clients", "vpc": "reporting", "eni_cidrs": ["10.40.0.0/24", "10.40.1.0/24"],
                     "backend_cidrs": ["10.20.0.0/24", "10.20.1.0/24"]}


def reference_findings(zone):
    return [f for f in precondition_findings(LandingZoneModel(LandingZone.load(zone))) if f.policy == RULE]


def payments_admits(*groups):
    return lambda config: config["load_balancers"][0].update(client_groups=list(groups))


def reporting_spoke(zone):
    """A reporting app of a fifth account, on the hub's spokes segment, whose clients' group the orders ALB admits by reference."""
    add_tgw_spoke_stack(zone, "tools-reporting", REPORTING, "reporting", 40)
    edit_stack(zone, "tools-reporting", lambda c: c.update(security_groups=[REPORTING_CLIENTS]))
    edit_stack(zone, "tools-payments", payments_admits({"stack": "tools-reporting", "name": "reporting-clients"}))


def test_a_group_of_the_same_vpc_is_admitted_by_reference(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-payments", payments_admits("orders-api-endpoint"))
    assert_plans_clean_and_reachable(capsys, zone)


def test_a_reference_across_a_transit_gateway_needs_its_referencing_support(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    reporting_spoke(zone)
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    (finding,) = [f for f in result["cross_stack"] if f["policy"] == RULE]
    assert (finding["level"], finding["stack"], finding["config_path"]) == ("mandatory", "tools-payments", "load_balancers[0].client_groups[0]")
    assert ("has security group referencing support disabled" in finding["message"]
            and "Fix: set transit_gateway_hub.security_group_referencing_support: enable in stack 'network-hub'" in finding["message"])
    edit_stack(zone, "network-hub", lambda c: c["transit_gateway_hub"].update(security_group_referencing_support="enable"))
    assert reference_findings(zone) == []


def test_a_group_of_a_vpc_nothing_joins_is_found(tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    write_stack(zone, "tools-reporting", {"account": REPORTING, "security_groups": [REPORTING_CLIENTS],
                                          "vpcs": [{"name": "reporting", "cidr": "10.40.0.0/16", "subnets": two_subnets(40)}]})
    edit_stack(zone, "tools-payments", payments_admits({"stack": "tools-reporting", "name": "reporting-clients"}))
    (finding,) = reference_findings(zone)
    assert "no accepted peering or Transit Gateway joins VPC payments" in finding.message and "Fix: admit the clients' subnet blocks" in finding.message


@pytest.mark.parametrize("change, words", [
    (payments_admits("reporting-clients"), "load_balancers[0].client_groups[0]: 'reporting-clients' is not one of this stack's security_groups"),
    (lambda c: c["load_balancers"][0].update(client_cidrs=[]), "load_balancers[0]: "),
])
def test_a_load_balancer_admits_declared_clients(capsys, tmp_path, change, words):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-payments", change)
    err = refused_input(capsys, zone)
    assert words in err and "Fix:" in err, err
