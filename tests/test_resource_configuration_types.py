"""Resource Configurations other than SINGLE: a GROUP with CHILD configurations (shared as one, each child reached through the
group's gateway) and an ARN configuration (an AWS resource by its ARN, no ports)."""

import pytest

from agentcore_egress.components import SharedLatticeResource
from agentcore_egress.planner.cross_stack_checks import cross_stack_findings
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel
from fake_cloud import deploy
from landing_zones import TGW_EXAMPLE, assert_plans_clean_and_reachable, copy_zone, edit_stack, refused_input

CONFIGURATION = "aws:vpclattice/resourceConfiguration:ResourceConfiguration"
DATABASE = "arn:aws:rds:eu-west-1:333333333333:cluster:reports"


def test_a_group_shares_its_children_through_one_gateway_and_an_arn_configuration_has_no_ports():
    def program():
        SharedLatticeResource("tools", {
            "vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0a", "subnet-0b"], "backend_cidrs": ["10.30.0.0/24"],
            "share_with": ["444444444444"], "configurations": [
                {"name": "apis", "port_ranges": ["443"], "children": [
                    {"name": "mcp", "domain_name": "mcp.tools.example.com"}, {"name": "orders", "ip_address": "10.30.0.7", "port_ranges": ["8443"]}]},
                {"name": "reports", "arn": DATABASE}]})
    deployment = deploy(program)
    group, database = deployment.named("tools-config-apis"), deployment.named("tools-config-reports")
    mcp, orders = deployment.named("tools-config-apis-mcp"), deployment.named("tools-config-apis-orders")
    gateway = deployment.named("tools-gateway").id
    assert (group.inputs["type"], group.inputs["resourceGatewayIdentifier"], group.inputs["portRanges"]) == ("GROUP", gateway, ["443"])
    assert "resourceConfigurationDefinition" not in group.inputs
    assert all(child.inputs["type"] == "CHILD" and child.inputs["resourceConfigurationGroupId"] == group.id
               and "resourceGatewayIdentifier" not in child.inputs for child in (mcp, orders))
    assert (mcp.inputs["portRanges"], orders.inputs["portRanges"]) == (["443"], ["8443"])
    assert (database.inputs["type"], database.inputs["resourceConfigurationDefinition"]) == ("ARN", {"arnResource": {"arn": DATABASE}})
    assert "portRanges" not in database.inputs and len(deployment.of_type(CONFIGURATION)) == 4
    shared = {r.name for r in deployment.of_type("aws:ram/resourceAssociation:ResourceAssociation")}
    assert shared == {"tools-share-resource-apis", "tools-share-resource-reports"}


def mcp_as_a_group_child(config):
    """tools-mcp exposes its MCP server as the child 'mcp' of a group 'tools' (room for more tools behind one share)."""
    config["lattice_resources"][0]["configurations"] = [
        {"name": "tools", "ports": ["443"], "children": [{"name": "mcp", "domain": "mcp.tools.example.com"}]}]


def lattice_findings(zone):
    return [f for f in cross_stack_findings(LandingZoneModel(LandingZone.load(zone))) if f.policy == "cross-stack-lattice-share"]


def test_a_target_reaching_a_group_child_plans_clean_and_reachable(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", mcp_as_a_group_child)
    edit_stack(zone, "agentcore", lambda c: c["targets"][2]["lattice"].update(configuration="tools", child="mcp"))
    assert_plans_clean_and_reachable(capsys, zone)


def test_a_target_naming_a_group_without_a_child_is_found_and_the_child_clears_it(tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", mcp_as_a_group_child)
    edit_stack(zone, "agentcore", lambda c: c["targets"][2]["lattice"].update(configuration="tools"))
    (finding,) = lattice_findings(zone)
    assert finding.config_path == "targets[2].lattice.child" and "Fix: name one of its children ['mcp'] in child" in finding.message
    edit_stack(zone, "agentcore", lambda c: c["targets"][2]["lattice"].update(child="mcp"))
    assert lattice_findings(zone) == []


@pytest.mark.parametrize("configuration, words", [
    ({"name": "reports", "arn": DATABASE, "ports": ["5432"]}, "gives ports to an ARN configuration. Fix: leave ports out"),
    ({"name": "tools", "children": [{"name": "mcp", "domain": "mcp.tools.example.com"}]}, "has no ports. Fix: "),
    ({"name": "tools", "ports": ["443"], "domain": "mcp.tools.example.com", "children": [{"name": "mcp", "ip": "10.30.0.50"}]},
     "sets ['domain', 'children'] of domain, ip, arn, children. Fix: "),
])
def test_the_stack_file_refuses_a_configuration_aws_would_not_create(capsys, tmp_path, configuration, words):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", lambda c: c["lattice_resources"][0].update(configurations=[configuration]))
    assert words in refused_input(capsys, zone)
