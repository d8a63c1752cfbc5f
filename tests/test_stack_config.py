"""Stack config: the schema's messages, and the per-account program as the Pulumi CLI runs it."""

import json
import runpy

import pulumi
import pytest

from agentcore_egress.stacks.config_schema import ConfigError, load_stack_file, parse
from fake_cloud import deploy
from landing_zones import PEERING_EXAMPLE, TGW_EXAMPLE

ACCOUNT = {"id": "222222222222", "region": "eu-west-1"}
VPC = {"name": "payments", "cidr": "10.20.0.0/16", "subnets": [
    {"name": "a", "cidr": "10.20.0.0/24", "az": "eu-west-1a"}, {"name": "b", "cidr": "10.20.1.0/24", "az": "eu-west-1b"}]}
SOURCE = "stacks/Pulumi.spoke-payments.yaml"


def problems(raw):
    with pytest.raises(ConfigError) as error:
        parse(raw, SOURCE)
    return error.value.problems


@pytest.mark.parametrize("file", sorted(TGW_EXAMPLE.glob("Pulumi.*.yaml")) + sorted(PEERING_EXAMPLE.glob("Pulumi.*.yaml")), ids=lambda p: p.name)
def test_bundled_stack_files_are_valid(file):
    config = load_stack_file(file)
    assert config.account.id.isdigit()


def test_a_bad_cidr_names_file_key_value_and_fix():
    bad = {**VPC, "cidr": "10.0.0.0/33"}
    assert problems({"account": ACCOUNT, "vpcs": [VPC, bad]}) == [
        "stacks/Pulumi.spoke-payments.yaml: agentcore-egress:vpcs[1].cidr: '10.0.0.0/33' is not a CIDR block. "
        "Fix: give an IPv4 block such as '10.20.0.0/16'"
    ]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"vpcs": [VPC]}, "agentcore-egress:account: is required. Fix: add it"),
        ({"account": {**ACCOUNT, "id": "2222"}}, "agentcore-egress:account.id: '2222' is not an AWS account id. Fix: give the 12-digit account id"),
        ({"account": ACCOUNT, "vpc": [VPC]}, "agentcore-egress:vpc: is not a known key"),
        ({"account": ACCOUNT, "vpcs": [{**VPC, "subnets": VPC["subnets"][:1]}]}, "agentcore-egress:vpcs[0].subnets: [{'name': 'a'"),
        ({"account": ACCOUNT, "tgw_spokes": [{"vpc": "payments", "hub_stack": "network-hub", "destinations": ["10.250.0.0/16"]}]},
         "agentcore-egress:tgw_spokes[0].vpc: 'payments' is not one of this stack's vpcs []"),
        ({"account": ACCOUNT, "vpcs": [VPC], "security_groups": [{"name": "sg", "vpc": {"stack": "Bad Stack", "vpc": "x"}, "eni_cidrs": ["10.0.0.0/24"], "backend_cidrs": ["10.0.1.0/24"]}]},
         "agentcore-egress:security_groups[0].vpc.stack: 'Bad Stack' is not a usable name"),
        ({"account": ACCOUNT, "gateway": {"name": "agents"}, "targets": [{"name": "t", "endpoint": {"mcp_server": "https://x.example.com"}}]},
         "agentcore-egress:targets[0]: {'name': 't'"),
        ({"account": ACCOUNT, "gateway": {"name": "agents"}, "targets": [{"name": "t", "lattice": {"stack": "s", "resource": "r", "configuration": "c"}, "endpoint": {"mcp_server": "http://x"}}]},
         "agentcore-egress:targets[0].endpoint.mcp_server: 'http://x' is not an https:// URL"),
        ({"account": ACCOUNT, "targets": [{"name": "t", "lattice": {"stack": "s", "resource": "r", "configuration": "c"}, "endpoint": {"mcp_server": "https://x.example.com"}}]},
         "agentcore-egress:targets: ['t'] need a gateway"),
    ],
)
def test_bad_config_messages(raw, expected):
    found = problems(raw)
    assert any(f"{SOURCE}: {expected}" in problem for problem in found), found


def test_a_value_that_fits_no_member_of_a_union_is_reported_once():
    raw = {"account": ACCOUNT, "vpcs": [VPC], "security_groups": [{"name": "sg", "vpc": 42, "eni_cidrs": ["10.0.0.0/24"], "backend_cidrs": ["10.0.1.0/24"]}]}
    found = problems(raw)
    assert len([p for p in found if "security_groups[0].vpc" in p]) == 1


def test_referenced_stacks_are_the_rollout_dependencies():
    agentcore = load_stack_file(TGW_EXAMPLE / "Pulumi.agentcore.yaml")
    assert agentcore.referenced_stacks() == {"network-hub", "tools-payments", "tools-mcp"}
    assert load_stack_file(TGW_EXAMPLE / "Pulumi.network-hub.yaml").referenced_stacks() == set()


def run_cli_program(stack, config):
    """Run stacks/__main__.py the way `pulumi up --stack <stack>` does, under mocks."""
    pulumi.runtime.set_all_config({f"agentcore-egress:{key}": json.dumps(value) for key, value in config.items()})
    try:
        return deploy(lambda: runpy.run_path(str(TGW_EXAMPLE / "__main__.py")), stack=stack)
    finally:
        pulumi.runtime.set_all_config({})


def test_the_cli_program_builds_the_sections_of_its_stack_and_exports_them(tmp_path):
    d = run_cli_program("tools-payments", {"account": ACCOUNT, "vpcs": [VPC]})
    types = {r.type for r in d.registrations}
    assert "agentcore-egress:index:PrivateVpc" in types
    assert not {"agentcore-egress:index:TransitGatewayHub", "agentcore-egress:index:AgentCoreGateway"} & types
    provider = d.named("tools-payments")
    assert json.loads(provider.inputs["allowedAccountIds"]) == ["222222222222"]


def test_the_cli_program_stops_on_bad_config_with_the_message():
    with pytest.raises(pulumi.RunError) as error:
        run_cli_program("tools-payments", {"account": ACCOUNT, "vpcs": [{**VPC, "cidr": "10.0.0.0/33"}]})
    assert "stacks/Pulumi.tools-payments.yaml: agentcore-egress:vpcs[0].cidr: '10.0.0.0/33' is not a CIDR block" in str(error.value)
