"""Other sections name existing resources exactly as declared ones; the program reads them by lookup and never owns them."""

import pytest

from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.simulation.monitor import run_program
from agentcore_egress.simulation.simulated_aws import SimulatedAws
from agentcore_egress.stacks.account_program import build
from agentcore_egress.stacks.config_schema import parse
from agentcore_egress.stacks.errors import ConfigError
from landing_zones import two_subnets, write_stack

ACCOUNT = {"id": "222222222222", "region": "eu-west-1"}
VPC, SUBNETS, TABLE = "vpc-0a1b2c3d4e5f60718", ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60712"], "rtb-0a1b2c3d4e5f60718"
GROUP, ZONE = "sg-0a1b2c3d4e5f60718", "Z0123456789ABCDEFGHIJ"
BALANCER = "arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer/app/orders/0123456789abcdef"
CERTIFICATE = "arn:aws:acm:eu-west-1:222222222222:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
EXISTING = {"vpcs": {"tools": VPC}, "security_groups": {"tools-enis": GROUP}, "private_zones": {"internal": ZONE},
            "load_balancers": {"orders": BALANCER}, "certificates": {"orders": CERTIFICATE},
            "transit_gateways": {"core": {"id": "tgw-0a1b2c3d4e5f60718", "route_tables": {"spokes": "tgw-rtb-0a1b2c3d4e5f60718"}}}}
SNAPSHOT = {"stack": "tools", "existing": {
    "vpcs": {"tools": {"id": VPC, "owner_account": ACCOUNT["id"], "cidr_block": "10.20.0.0/16", "secondary_cidr_blocks": [],
                       "subnets": {SUBNETS[0]: {"cidr": "10.20.0.0/24", "availability_zone": "eu-west-1a"},
                                   SUBNETS[1]: {"cidr": "10.20.1.0/24", "availability_zone": "eu-west-1b"}},
                       "route_tables": {TABLE: {"main": True, "subnets": [], "routes": {"10.20.0.0/16": {"target": "local", "state": "active"}}}}}},
    "security_groups": {"tools-enis": {"id": GROUP, "name": "enis", "vpc_id": VPC, "ingress": [], "egress": []}},
    "private_zones": {"internal": {"id": ZONE, "name": "tools.example.com.", "private": True, "vpcs": [{"vpc_id": VPC}], "records": {}}},
    "load_balancers": {"orders": {"arn": BALANCER, "name": "orders", "type": "application", "dns_name": "internal-orders-1.eu-west-1.elb.amazonaws.com",
                                  "vpc_id": VPC, "subnets": {SUBNETS[0]: "eu-west-1a"}, "security_groups": [], "listeners": {}, "target_groups": {}}},
    "transit_gateways": {"core": {"id": "tgw-0a1b2c3d4e5f60718", "route_tables": {"spokes": {"id": "tgw-rtb-0a1b2c3d4e5f60718"}}}},
}}


def config(**sections):
    return {"account": ACCOUNT, "existing": EXISTING, **sections}


USES = {
    "security_groups": [{"name": "backend", "vpc": "tools", "eni_cidrs": ["10.50.0.0/16"], "backend_cidrs": ["10.20.0.0/16"]}],
    "load_balancers": [{"name": "payments", "kind": "alb", "vpc": "tools", "certificate": "orders", "client_cidrs": ["10.50.0.0/16"],
                        "target_cidrs": ["10.20.0.0/24"], "target_ips": ["10.20.0.10"]}],
    "private_names": [{"name": "orders", "zone": "internal", "record": "orders.tools.example.com", "vpc": "tools", "load_balancer": "orders"},
                      {"name": "payments", "zone": "internal", "record": "payments.tools.example.com", "vpc": "tools", "load_balancer": "payments"}],
    "lattice_resources": [{"name": "mcp", "vpc": "tools", "backend_cidrs": ["10.20.0.0/24"], "share_with": ["333333333333"],
                           "configurations": [{"name": "mcp", "domain": "mcp.tools.example.com", "ports": ["443"]}]}],
    "private_apis": [{"name": "payments", "vpc": "tools", "security_group": "tools-enis"}],
    "gateway": {"name": "tools"},
    "targets": [{"name": "orders", "managed": {"vpc": "tools", "security_groups": ["tools-enis"]},
                 "endpoint": {"mcp_server": "https://orders.tools.example.com/mcp"}}],
    "tgw_acceptances": [{"spoke": {"stack": "agentcore", "vpc": "agentcore"}, "transit_gateway": "core", "associate_with": "spokes",
                         "propagate_to": ["spokes"]}],
}


def test_every_section_names_existing_resources_as_declared_ones():
    parse(config(**USES), "Pulumi.tools.yaml")


def problems(raw):
    with pytest.raises(ConfigError) as raised:
        parse(raw, "Pulumi.tools.yaml")
    return raised.value.problems


def test_a_name_both_declared_and_existing_is_refused():
    [problem] = problems(config(vpcs=[{"name": "tools", "cidr": "10.30.0.0/16", "subnets": two_subnets(30)}]))
    assert problem == ("Pulumi.tools.yaml: agentcore-egress:existing.vpcs.tools: 'tools' is both declared (agentcore-egress:vpcs) and existing. "
                       "Fix: rename one")


@pytest.mark.parametrize("raw, path", [
    (config(security_groups=[{**USES["security_groups"][0], "vpc": "tool"}]), "security_groups[0].vpc: 'tool' is not one of this stack's vpcs ['tools'], declared or existing"),
    (config(private_names=[{**USES["private_names"][0], "zone": "internl"}]), "private_names[0].zone: 'internl' is neither a DNS name nor one of this stack's existing private_zones ['internal']"),
    (config(tgw_acceptances=[{**USES["tgw_acceptances"][0], "propagate_to": ["spoke"]}]),
     "tgw_acceptances[0].propagate_to[0]: 'spoke' is not a route table of existing Transit Gateway 'core' ['spokes']"),
    (config(tgw_acceptances=[{**USES["tgw_acceptances"][0], "transit_gateway": "edge"}]),
     "tgw_acceptances[0].transit_gateway: 'edge' is not one of this stack's existing transit_gateways ['core']"),
    (config(vpcs=[{"name": "agentcore", "cidr": "10.50.0.0/16", "subnets": two_subnets(50)}], tgw_spokes=[
        {"vpc": "agentcore", "hub_stack": "network", "transit_gateway": "core", "destinations": ["10.20.0.0/16"], "accept_share_invitation": True}]),
     "tgw_spokes[0].accept_share_invitation: True names the share of a hub these stacks create"),
], ids=["vpc", "zone", "segment", "transit-gateway", "share-invitation"])
def test_a_name_neither_declared_nor_existing_is_refused_with_the_fix(raw, path):
    [problem] = problems(raw)
    assert problem.startswith(f"Pulumi.tools.yaml: agentcore-egress:{path}") and ". Fix: " in problem, problem


def test_another_stack_names_an_existing_transit_gateway_and_its_segments(tmp_path):
    write_stack(tmp_path, "network", {"account": {"id": "111111111111", "region": "eu-west-1"}, "existing": {"transit_gateways": EXISTING["transit_gateways"]}})
    write_stack(tmp_path, "agentcore", {"account": {"id": "333333333333", "region": "eu-west-1"},
                                        "vpcs": [{"name": "agentcore", "cidr": "10.50.0.0/16", "subnets": two_subnets(50)}],
                                        "tgw_spokes": [{"vpc": "agentcore", "hub_stack": "network", "transit_gateway": "core", "destinations": ["10.20.0.0/16"]}]})
    acceptance = {"spoke": {"stack": "agentcore", "vpc": "agentcore"}, "hub_stack": "network", "transit_gateway": "core", "associate_with": "spokes",
                  "propagate_to": ["spokes"]}
    write_stack(tmp_path, "accept", {"account": {"id": "111111111111", "region": "eu-west-1"}, "tgw_acceptances": [acceptance]})
    assert LandingZone.load(tmp_path).order() == ["network", "agentcore", "accept"]
    write_stack(tmp_path, "accept", {"account": {"id": "111111111111", "region": "eu-west-1"},
                                     "tgw_acceptances": [{**acceptance, "transit_gateway": "edge", "associate_with": "shared"}]})
    with pytest.raises(ConfigError) as raised:
        LandingZone.load(tmp_path)
    assert [problem.split("agentcore-egress:", 1)[1] for problem in raised.value.problems] == [
        "tgw_acceptances[0].transit_gateway: 'edge' is not among stack 'network''s existing transit_gateways ['core']. Fix: declare it there or use one of those",
        "tgw_acceptances[0].associate_with: 'shared' is not among stack 'network''s existing segments of edge []. Fix: declare it there or use one of those",
        "tgw_acceptances[0].propagate_to[0]: 'spokes' is not among stack 'network''s existing segments of edge []. Fix: declare it there or use one of those",
    ]


def test_the_program_reads_existing_resources_and_registers_none_of_them():
    parsed = parse(config(**{key: value for key, value in USES.items() if key != "tgw_acceptances"}), "Pulumi.tools.yaml")
    deployment = run_program(lambda: build("tools", parsed, "organization/agentcore-egress/"),
                             mocks=SimulatedAws(ACCOUNT["id"], ACCOUNT["region"], existing=SNAPSHOT), stack="tools")
    registered = [r.type for r in deployment.registrations]
    assert not {"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:route53/zone:Zone", "aws:acm/certificate:Certificate"} & set(registered)
    assert registered.count("aws:lb/loadBalancer:LoadBalancer") == 1  # payments, ours; orders exists
    records = {r.state["name"]: r.state for r in deployment.of_type("aws:route53/record:Record")}
    assert {name: (state["zoneId"], state["aliases"][0]["name"]) for name, state in records.items()} == {
        "orders.tools.example.com": (ZONE, "internal-orders-1.eu-west-1.elb.amazonaws.com"),
        "payments.tools.example.com": (ZONE, deployment.of_type("aws:lb/loadBalancer:LoadBalancer")[0].state["dnsName"])}
    [balancer] = deployment.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert sorted(balancer.state["subnets"]) == SUBNETS
    assert [listener.state.get("certificateArn") for listener in deployment.of_type("aws:lb/listener:Listener")] == [CERTIFICATE]
    [target] = deployment.of_type("aws:bedrock/agentcoreGatewayTarget:AgentcoreGatewayTarget")
    managed = target.state["privateEndpoint"]["managedVpcResource"]
    assert (managed["vpcIdentifier"], sorted(managed["subnetIds"]), managed["securityGroupIds"]) == (VPC, SUBNETS, [GROUP])
    assert {r.state["vpcId"] for r in deployment.of_type("aws:ec2/securityGroup:SecurityGroup")} == {VPC}
    [endpoint] = deployment.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert (endpoint.state["vpcId"], sorted(endpoint.state["subnetIds"]), endpoint.state["securityGroupIds"]) == (VPC, SUBNETS, [GROUP])


def test_the_schema_documents_the_keys_that_name_existing_resources():
    from agentcore_egress.stacks.json_schema import stack_file_schema

    definitions = stack_file_schema()["$defs"]
    described = {model: definitions[model]["properties"][key].get("description", "")
                 for model, key in (("TgwSpoke", "transit_gateway"), ("TgwAcceptance", "transit_gateway"), ("PrivateName", "zone"))}
    assert all("agentcore-egress:existing." in text for text in described.values()), described


def test_an_acceptance_associates_and_propagates_with_an_existing_route_table_it_reads():
    parsed = parse(config(tgw_acceptances=USES["tgw_acceptances"]), "Pulumi.tools.yaml")
    spoke = {"agentcore": {"account": {"id": "333333333333", "region": "eu-west-1"}, "tgw_attachments": {"agentcore": "tgw-attach-0a1b2c3d4e5f60718"}}}
    deployment = run_program(lambda: build("tools", parsed, "organization/agentcore-egress/", stack_accounts={"agentcore": "333333333333"}),
                             mocks=SimulatedAws(ACCOUNT["id"], ACCOUNT["region"], spoke, existing=SNAPSHOT), stack="tools")
    linked = {(r.type.rsplit(":", 1)[-1], r.state["transitGatewayRouteTableId"], r.state["transitGatewayAttachmentId"])
              for r in deployment.registrations if "transitGatewayRouteTableId" in r.state}
    assert linked == {("RouteTableAssociation", "tgw-rtb-0a1b2c3d4e5f60718", "tgw-attach-0a1b2c3d4e5f60718"),
                      ("RouteTablePropagation", "tgw-rtb-0a1b2c3d4e5f60718", "tgw-attach-0a1b2c3d4e5f60718")}
    assert "aws:ec2transitgateway/routeTable:RouteTable" not in {r.type for r in deployment.registrations}
