"""The seed's scenarios (examples/scenarios.py), end to end under the simulated AWS."""

import json
import re
import sys
from pathlib import Path

import pytest

from agentcore_egress.components import account_provider
from fake_cloud import deploy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import scenarios  # noqa: E402

TARGET = "aws:bedrock/agentcoreGatewayTarget:AgentcoreGatewayTarget"
SECURITY_GROUP_FIELDS = {
    "aws:lb/loadBalancer:LoadBalancer": "securityGroups",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "securityGroupIds",
    "aws:vpclattice/resourceGateway:ResourceGateway": "securityGroupIds",
}


def providers(*names):
    accounts = {"hub": "111111111111", "resource": "222222222222", "gateway": "333333333333"}
    return [account_provider(name, account_id=accounts[name], region="eu-west-1") for name in names]


SCENARIOS = {
    "a": lambda: scenarios.managed_private_api(),
    "b": lambda: scenarios.managed_eks_mcp(),
    "c": lambda: scenarios.managed_alb_rest(),
    "d": lambda: scenarios.self_managed_shared_rest(*providers("resource", "gateway")),
    "e": lambda: scenarios.managed_across_transit_gateway(*providers("hub", "resource", "gateway")),
}


def run(key):
    holder = {}

    def program():
        holder["built"] = SCENARIOS[key]()

    return deploy(program), holder["built"]


def provider_name(resource):
    return resource.provider.rsplit("::", 1)[0].split("::")[-1]


@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_every_listener_is_tls13_on_443_with_an_issued_public_certificate(key):
    d, _ = run(key)
    issued = {r.state["certificateArn"] for r in d.of_type("aws:acm/certificateValidation:CertificateValidation")}
    for listener in d.of_type("aws:lb/listener:Listener"):
        assert listener.inputs["port"] == 443 and listener.inputs["protocol"] in ("HTTPS", "TLS")
        assert listener.inputs["sslPolicy"].startswith("ELBSecurityPolicy-TLS13-")
        assert listener.inputs["certificateArn"] in issued
    for certificate in d.of_type("aws:acm/certificate:Certificate"):
        assert certificate.inputs["validationMethod"] == "DNS" and "certificateAuthorityArn" not in certificate.inputs


@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_security_groups_are_explicit_everywhere_and_never_a_default(key):
    d, _ = run(key)
    defaults = {r.state["defaultSecurityGroupId"] for r in d.of_type("aws:ec2/vpc:Vpc")}
    own_groups = {r.id for r in d.of_type("aws:ec2/securityGroup:SecurityGroup")}
    used = []
    for type_, field in SECURITY_GROUP_FIELDS.items():
        for resource in d.of_type(type_):
            assert 1 <= len(resource.inputs[field]) <= 5, resource.urn
            used.extend(resource.inputs[field])
    for target in d.of_type(TARGET):
        managed = target.inputs["privateEndpoint"].get("managedVpcResource")
        if managed:
            assert 1 <= len(managed["securityGroupIds"]) <= 5
            used.extend(managed["securityGroupIds"])
    assert used and set(used) <= own_groups and not set(used) & defaults
    for group in d.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for rule in group.inputs.get("ingress", []) + group.inputs.get("egress", []):
            assert rule["protocol"] == "tcp" and "0.0.0.0/0" not in rule["cidrBlocks"], group.urn


@pytest.mark.parametrize("key", sorted(SCENARIOS))
def test_target_endpoints_are_https(key):
    d, _ = run(key)
    for target in d.of_type(TARGET):
        mcp = target.inputs["targetConfiguration"]["mcp"]
        if "mcpServer" in mcp:
            assert mcp["mcpServer"]["endpoint"].startswith("https://")
        if "inlinePayload" in mcp.get("openApiSchema", {}):
            servers = json.loads(mcp["openApiSchema"]["inlinePayload"]["payload"])["servers"]
            assert all(server["url"].startswith("https://") for server in servers)


def test_a_private_api_url_in_the_schema_is_the_endpoint_specific_one():
    d, built = run("a")
    api, vpce = d.named("orders-api-api").id, d.named("orders-api-endpoint").id
    payload = d.named("orders-api-target").inputs["targetConfiguration"]["mcp"]["openApiSchema"]["inlinePayload"]["payload"]
    url = json.loads(payload)["servers"][0]["url"]
    assert url == f"https://{api}-{vpce}.execute-api.eu-west-1.amazonaws.com/prod"
    assert re.fullmatch(r"https://[a-z0-9]{10}-vpce-[0-9a-f]{17}\.execute-api\.eu-west-1\.amazonaws\.com/prod", url)
    endpoint_sg = d.named("orders-api-endpoint").inputs["securityGroupIds"]
    assert endpoint_sg == [d.named("orders-api-sgs-backend").id]


@pytest.mark.parametrize("key, host", [("b", "mcp.tools.example.com"), ("c", "orders.tools.example.com")])
def test_b_c_private_name_points_at_the_load_balancer_and_matches_the_certificate(key, host):
    d, built = run(key)
    balancer = next(iter(d.of_type("aws:lb/loadBalancer:LoadBalancer")))
    record = next(r for r in d.of_type("aws:route53/record:Record") if r.inputs["type"] == "A")
    assert record.inputs["name"] == host and record.inputs["aliases"][0]["name"] == balancer.state["dnsName"]
    assert d.of_type("aws:acm/certificate:Certificate")[0].inputs["domainName"] == host
    zone = d.of_type("aws:route53/zone:Zone")[0]
    assert zone.inputs["vpcs"][0]["vpcId"] == d.of_type("aws:ec2/vpc:Vpc")[0].id


def test_d_configuration_flows_from_gateway_to_share_to_target_in_another_account():
    d, built = run("d")
    gateway = d.named("billing-lattice-gateway")
    configuration = d.named("billing-lattice-config-billing")
    assert configuration.inputs["resourceGatewayIdentifier"] == gateway.id
    association = d.named("billing-lattice-share-resource-billing")
    assert association.inputs["resourceArn"] == configuration.state["arn"]
    assert d.named("billing-lattice-share-principal-333333333333").inputs["principal"] == "333333333333"
    target = d.named("billing-target")
    assert target.inputs["privateEndpoint"]["selfManagedLatticeResource"]["resourceConfigurationIdentifier"] == configuration.state["arn"]
    assert provider_name(target) == "gateway" and provider_name(gateway) == "resource"
    assert {provider_name(r) for r in d.of_type("aws:ram/resourceShare:ResourceShare")} == {"resource"}


def test_e_routes_both_ways_through_the_hub_and_the_target_sits_in_the_gateway_account():
    d, built = run("e")
    routes = {(provider_name(r), r.inputs["destinationCidrBlock"]) for r in d.of_type("aws:ec2/route:Route")}
    assert routes == {("resource", "10.250.0.0/16"), ("gateway", "10.24.0.0/16")}
    accepters = d.of_type("aws:ec2transitgateway/vpcAttachmentAccepter:VpcAttachmentAccepter")
    assert len(accepters) == 2 and {provider_name(a) for a in accepters} == {"hub"}
    propagations = {r.name: r.inputs["transitGatewayRouteTableId"] for r in d.of_type("aws:ec2transitgateway/routeTablePropagation:RouteTablePropagation")}
    tables = {r.name: r.id for r in d.of_type("aws:ec2transitgateway/routeTable:RouteTable")}
    assert propagations == {"payments-acceptance-propagation-agentcore": tables["hub-rt-agentcore"], "agentcore-acceptance-propagation-spokes": tables["hub-rt-spokes"]}
    target = d.named("payments-target").inputs["privateEndpoint"]["managedVpcResource"]
    assert target["vpcIdentifier"] == d.named("agentcore-vpc").id
    assert provider_name(d.named("payments-target")) == "gateway"
    association = d.named("payments-zone-association")
    assert provider_name(association) == "gateway" and association.inputs["vpcId"] == d.named("agentcore-vpc").id
    alb_ingress = d.named("payments-api-sg").inputs["ingress"][0]["cidrBlocks"]
    assert alb_ingress == ["10.250.0.0/24", "10.250.1.0/24"], "the ALB admits the gateway VPC's ENI subnets"
    component = d.of_type("agentcore-egress:index:GatewayTarget")[0]
    reuse_key = json.loads(d.component_outputs[component.urn]["reuse_key"])
    assert reuse_key["vpc"] == d.named("agentcore-vpc").id and reuse_key["security_groups"] == [d.named("payments-sgs-eni").id]
