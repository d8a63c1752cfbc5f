"""The policy pack through its gRPC analyzer interface, as the Pulumi engine drives it.

The pack runs as ``python __main__.py`` in ``policies/`` (a subprocess that
prints its port); programs run under the simulated AWS, and their recorded
registrations are sent as ``Analyze`` (inputs) and ``AnalyzeStack`` (outputs,
parents, dependencies) requests.
"""

import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from agentcore_egress.planner.policy_analyzer import PolicyAnalyzer, default_pack_dir
from agentcore_egress.components import PrivateVpc, TargetSecurityGroups, account_provider
from agentcore_egress.policies.rules import RULES
from fake_cloud import deploy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import scenarios  # noqa: E402

REPO_POLICIES = Path(__file__).resolve().parents[1] / "policies"


@pytest.fixture(scope="module")
def pack():
    with PolicyAnalyzer(REPO_POLICIES) as analyzer:
        yield analyzer


@pytest.fixture
def fresh_config(pack):
    """Each test starts from the pack's defaults and leaves them behind."""
    pack.configure({})
    yield pack
    pack.configure({})


def verdicts(findings, level=None):
    return sorted({(f.policy, f.urn.rsplit("::", 1)[-1]) for f in findings if level is None or f.level == level})


def test_the_installed_pack_is_the_repository_pack():
    assert (default_pack_dir() / "__main__.py").read_text() == (REPO_POLICIES / "__main__.py").read_text()


def test_analyzer_info_lists_every_rule_with_its_level_and_config_schema(pack):
    info = pack.info()
    assert info.name == "agentcore-egress" and info.supportsConfig
    policies = {policy.name: policy for policy in info.policies}
    assert list(policies) == [rule.name for rule in RULES]
    levels = {name: policy.enforcementLevel for name, policy in policies.items()}
    advisory = ("tgw-no-default-route-tables", "scoped-resource-gateway-egress", "required-tags", "default-security-group-adopted")
    assert all(levels[name] == 0 for name in advisory)
    assert all(level == 1 for name, level in levels.items() if name not in advisory)
    assert "allowedPolicies" in policies["modern-tls"].configSchema.properties
    assert "defaultSecurityGroupIds" in policies["no-default-security-group"].configSchema.properties


def mixed_program():
    """Components plus hand-written resources, compliant and violating."""
    hub = account_provider("hub", account_id="111111111111", region="eu-west-1")
    vpc = PrivateVpc("tools", scenarios_vpc(), opts=pulumi.ResourceOptions(provider=hub))
    TargetSecurityGroups("path", {"vpc_id": vpc.vpc_id, "eni_cidrs": ["10.40.0.0/24"], "backend_cidrs": ["10.40.1.0/24"]}, opts=pulumi.ResourceOptions(provider=hub))
    # Compliant, written by hand.
    aws.ec2transitgateway.TransitGateway("raw-hub", auto_accept_shared_attachments="disable", default_route_table_association="disable", default_route_table_propagation="disable")
    aws.ram.ResourceShare("raw-share", allow_external_principals=False)
    # Violating, written by hand.
    aws.ec2transitgateway.TransitGateway("open-hub", auto_accept_shared_attachments="enable", default_route_table_association="disable", default_route_table_propagation="disable")
    aws.ram.ResourceShare("open-share", allow_external_principals=True)  # left out, pulumi-aws sends false
    aws.ec2.Instance("legacy", ami="ami-1", instance_type="t3.micro", vpc_security_group_ids=[vpc.default_security_group_id])
    # Legitimate: an internet-facing load balancer that no AgentCore path reaches (internal-load-balancers is an AgentCore-path rule).
    aws.lb.LoadBalancer("public-alb", internal=False, security_groups=["sg-web"], subnets=["subnet-a", "subnet-b"])


def scenarios_vpc():
    return {
        "cidr_block": "10.40.0.0/16",
        "subnets": [
            {"name": "a", "cidr_block": "10.40.0.0/24", "availability_zone": "eu-west-1a"},
            {"name": "b", "cidr_block": "10.40.1.0/24", "availability_zone": "eu-west-1b"},
        ],
    }


def test_raw_and_component_resources_get_exactly_the_expected_verdicts(fresh_config):
    d = deploy(mixed_program)
    assert verdicts(fresh_config.analyze(d.registrations)) == [
        ("no-default-security-group", "legacy"),
        ("ram-inside-organization", "open-share"),
        ("tgw-no-auto-accept", "open-hub"),
    ]


SCENARIOS = {
    "a": lambda: scenarios.managed_private_api(),
    "b": lambda: scenarios.managed_eks_mcp(),
    "c": lambda: scenarios.managed_alb_rest(),
    "d": lambda: scenarios.self_managed_shared_rest(
        account_provider("resource", account_id="222222222222", region="eu-west-1"), account_provider("gateway", account_id="333333333333", region="eu-west-1")
    ),
    "e": lambda: scenarios.managed_across_transit_gateway(
        account_provider("hub", account_id="111111111111", region="eu-west-1"),
        account_provider("resource", account_id="222222222222", region="eu-west-1"),
        account_provider("gateway", account_id="333333333333", region="eu-west-1"),
    ),
}


def run_scenario(key):
    return deploy(lambda: (SCENARIOS[key](), None)[1])


@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_every_seed_scenario_passes_the_pack(fresh_config, key):
    d = run_scenario(key)
    findings = fresh_config.analyze(d.registrations)
    assert findings == [], [f.message for f in findings]


def _break(d, name, inputs=None, state=None, drop_dependency=None):
    resource = d.named(name)
    # The edited dicts, not the protobufs the engine first received, are what the pack must see.
    resource.inputs_proto = resource.state_proto = None
    resource.inputs.update(inputs or {})
    resource.state.update({**(inputs or {}), **(state or {})})
    if drop_dependency:
        resource.property_dependencies.pop(drop_dependency, None)
    return d


def _target_managed(d, name, **changes):
    endpoint = dict(d.named(name).inputs["privateEndpoint"])
    endpoint["managedVpcResource"] = {**endpoint["managedVpcResource"], **changes}
    return _break(d, name, {"privateEndpoint": endpoint})


BROKEN = {
    "modern-tls": ("c", lambda d: _break(d, "orders-listener", {"sslPolicy": "ELBSecurityPolicy-2016-08"})),
    "listener-certificates-from-stack": ("c", lambda d: _break(d, "orders-listener", {"certificateArn": "arn:aws:acm:eu-west-1:1:certificate/other"}, drop_dependency="certificateArn")),
    "public-ca-certificates": ("c", lambda d: _break(d, "orders-cert-cert", {"certificateAuthorityArn": "arn:aws:acm-pca:eu-west-1:1:certificate-authority/x"}) and _break(d, "orders-listener", drop_dependency="certificateArn", inputs={"certificateArn": "arn:aws:acm:eu-west-1:1:certificate/allowed"})),
    "explicit-security-groups": ("a", lambda d: _target_managed(d, "orders-api-target", securityGroupIds=[])),
    "target-security-group-limit": ("a", lambda d: _target_managed(d, "orders-api-target", securityGroupIds=[f"sg-{i}" for i in range(6)])),
    "no-default-security-group": ("b", lambda d: _target_managed(d, "mcp-target", securityGroupIds=[d.named("eks-vpc").state["defaultSecurityGroupId"]])),
    "internal-load-balancers": ("b", lambda d: _break(d, "mcp-lb", {"internal": False})),
    "https-target-endpoints": ("b", lambda d: _break(d, "mcp-target", {"targetConfiguration": {"mcp": {"mcpServer": {"endpoint": "http://mcp.tools.example.com/mcp"}}}})),
    "private-api-gateway": ("a", lambda d: _break(d, "orders-api-api", {"endpointConfiguration": {"types": "REGIONAL"}})),
    "ram-inside-organization": ("d", lambda d: _break(d, "billing-lattice-share", {"allowExternalPrincipals": True})),
    "scoped-resource-gateway-egress": ("d", lambda d: _break(d, "billing-lattice-sg", {"egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]})),
    "tgw-no-auto-accept": ("e", lambda d: _break(d, "hub-tgw", {"autoAcceptSharedAttachments": "enable"})),
    "tgw-no-default-route-tables": ("e", lambda d: _break(d, "hub-tgw", {"defaultRouteTablePropagation": "enable"})),
    "non-overlapping-cidrs": ("e", lambda d: _break(d, "agentcore-vpc", {"cidrBlock": "10.24.0.0/16"})),
    "path-security-group-ingress": ("c", lambda d: _break(d, "orders-sgs-backend", {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]})),
    "https-only-path-listeners": ("c", lambda d: _break(d, "orders-listener", {"protocol": "HTTP", "port": 80, "certificateArn": None, "sslPolicy": None})),
    "default-security-group-adopted": ("a", lambda d: _break(d, "tools-default-sg", {"vpcId": "vpc-of-another-stack"}, drop_dependency="vpcId")),
}


def test_every_rule_has_a_broken_variant():
    # required-tags is inert without config; TGW peering needs two hubs (tests/test_pack_scope.py breaks it).
    assert set(BROKEN) | {"required-tags", "tgw-peering-non-overlapping-cidrs"} == {rule.name for rule in RULES}


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_each_broken_variant_draws_exactly_its_rule(fresh_config, rule):
    key, breaker = BROKEN[rule]
    d = breaker(run_scenario(key))
    if rule == "public-ca-certificates":
        fresh_config.configure({"listener-certificates-from-stack": {"allowedCertificateArns": ["arn:aws:acm:eu-west-1:1:certificate/allowed"]}})
    findings = fresh_config.analyze(d.registrations)
    assert {f.policy for f in findings} == {rule}, [f.message for f in findings]
    assert all(f.urn for f in findings if f.policy != "non-overlapping-cidrs")


def test_configuration_changes_levels_and_options(fresh_config):
    broken = BROKEN["modern-tls"][1](run_scenario("c"))
    assert {f.level for f in fresh_config.analyze(broken.registrations)} == {"mandatory"}
    fresh_config.configure({"modern-tls": "advisory"})
    assert {f.level for f in fresh_config.analyze(broken.registrations)} == {"advisory"}
    fresh_config.configure({"modern-tls": "disabled"})
    assert fresh_config.analyze(broken.registrations) == []
    fresh_config.configure({"modern-tls": {"allowedPolicies": ["ELBSecurityPolicy-2016-08"]}})
    assert fresh_config.analyze(broken.registrations) == []

    clean = run_scenario("c")
    assert [f.policy for f in fresh_config.analyze(clean.registrations)] == ["modern-tls"], "an explicit list replaces the defaults"
    fresh_config.configure({})
    assert fresh_config.analyze(clean.registrations) == []
    fresh_config.configure({"required-tags": {"requiredTags": ["cost-center"]}})
    tagged = fresh_config.analyze(clean.registrations)
    assert tagged and {f.policy for f in tagged} == {"required-tags"} and {f.level for f in tagged} == {"advisory"}
    fresh_config.configure({"required-tags": {"enforcementLevel": "mandatory", "requiredTags": ["cost-center"]}})
    assert {f.level for f in fresh_config.analyze(clean.registrations)} == {"mandatory"}
