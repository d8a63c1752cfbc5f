"""The self-managed Resource Gateway's IP address type and its own security groups (lattice_resources[].ip_address_type,
security_groups): its subnets must have its address family, and the load balancer behind its configurations must admit it."""

import pytest

from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel
from agentcore_egress.planner.preconditions import precondition_findings
from landing_zones import TGW_EXAMPLE, assert_plans_clean_and_reachable, copy_zone, edit_stack, plan_json, refused_input, two_subnets

EKS_SUBNETS = ["10.30.0.0/24", "10.30.1.0/24"]


def findings(zone, rule):
    return [f for f in precondition_findings(LandingZoneModel(LandingZone.load(zone))) if f.policy == rule]


def gateway_with_its_own_group(config):
    """tools-mcp's Resource Gateway carries the ENI side of a group of its own, which the NLB admits by reference."""
    config["security_groups"] = [{"name": "rg-enis", "vpc": "eks", "eni_cidrs": EKS_SUBNETS, "backend_cidrs": EKS_SUBNETS}]
    config["lattice_resources"][0].pop("backend_cidrs")
    config["lattice_resources"][0]["security_groups"] = ["rg-enis"]
    config["load_balancers"][0].update(client_cidrs=[], client_groups=["rg-enis"])


def test_a_gateway_admitted_by_its_own_security_group_plans_clean_and_reachable(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", gateway_with_its_own_group)
    assert_plans_clean_and_reachable(capsys, zone)


def test_a_load_balancer_that_admits_neither_the_gateways_subnets_nor_its_group_is_found(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", gateway_with_its_own_group)
    edit_stack(zone, "tools-mcp", lambda c: c["load_balancers"][0].update(client_cidrs=["10.30.9.0/24"], client_groups=[]))
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    (finding,) = [f for f in result["cross_stack"] if f["policy"] == "precondition-resource-gateway"]
    assert (finding["stack"], finding["config_path"]) == ("tools-mcp", "lattice_resources[0].configurations[0]")
    assert "but not the ENIs of Resource Gateway 'mcp'" in finding["message"] and "Fix: add the subnets' blocks to its client_cidrs" in finding["message"]
    assert any(trace["verdict"] == "unreachable" for trace in result["reachability"])
    edit_stack(zone, "tools-mcp", lambda c: c["load_balancers"][0].update(client_groups=["rg-enis"]))
    assert findings(zone, "precondition-resource-gateway") == []


@pytest.mark.parametrize("address_type", ["IPV6", "DUALSTACK"])
def test_an_ipv6_gateway_in_ipv4_subnets_is_found_and_ipv4_clears_it(tmp_path, address_type):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", lambda c: c["lattice_resources"][0].update(ip_address_type=address_type))
    (finding,) = findings(zone, "precondition-resource-gateway")
    assert finding.config_path == "lattice_resources[0].ip_address_type" and "Fix: set ip_address_type: IPV4" in finding.message
    edit_stack(zone, "tools-mcp", lambda c: c["lattice_resources"][0].update(ip_address_type="IPV4"))
    assert findings(zone, "precondition-resource-gateway") == []


def test_a_gateway_group_of_another_vpc_is_found(tmp_path):
    def group_of_another_vpc(config):
        gateway_with_its_own_group(config)
        config["vpcs"].append({"name": "other", "cidr": "10.31.0.0/16", "subnets": two_subnets(31)})
        config["security_groups"][0]["vpc"] = "other"
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", group_of_another_vpc)
    found = {f.config_path: f.message for f in findings(zone, "precondition-security-group-vpc")}
    assert "Resource Gateway 'mcp' sits in VPC eks" in found["lattice_resources[0].security_groups[0]"]
    assert "no accepted peering or Transit Gateway joins VPC eks" in found["load_balancers[0].client_groups[0]"]


@pytest.mark.parametrize("change, words", [
    (lambda c: c["lattice_resources"][0].pop("backend_cidrs"), "gives the Resource Gateway no way out. Fix: "),
    (lambda c: c["lattice_resources"][0].update(security_groups=["rg-enis"]),
     "lattice_resources[0].security_groups[0]: 'rg-enis' is not one of this stack's security_groups [], declared or existing. Fix: "),
    (lambda c: c["lattice_resources"][0].update(ip_address_type="IPV5"),
     "lattice_resources[0].ip_address_type: 'IPV5' is invalid: Input should be 'IPV4', 'IPV6' or 'DUALSTACK'"),
])
def test_the_stack_file_refuses_a_gateway_it_cannot_build(capsys, tmp_path, change, words):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", change)
    err = refused_input(capsys, zone)
    assert words in err, err
