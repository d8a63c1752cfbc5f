"""The pack's scope, new rules, metadata and remediations, driven over gRPC as the engine drives the pack.

Programs written for these tests use plain pulumi-aws resources, none of this
package's components: a public website behind an internet-facing ALB whose
certificate ARN comes from config, a public REST API, a Transit Gateway lab.
Alone they are ordinary infrastructure and draw no mandatory finding; with an
AgentCore target added that reaches them, exactly the AgentCore-path findings
expected. Each runs in two phases: as at ``pulumi up`` (values known) and as
at the first ``pulumi preview`` of a new stack (every value computed by a
resource of the stack is unknown), both as ``plan`` derives them.
"""

import json

import pulumi
import pulumi_aws as aws
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from agentcore_egress.components import base as component_base
from agentcore_egress.planner.policy_analyzer import PREVIEW, UPDATE
from agentcore_egress.policies import agentcore_path
from agentcore_egress.policies.rules import DECLARATIONS
from fake_cloud import deploy
from policy_kit import PREVIEW_NOTE, UNKNOWN_STRING
from test_policy_pack import REPO_POLICIES, SCENARIOS, fresh_config, pack  # noqa: F401 (the running pack and its reset, as fixtures)

CERTIFICATE_FROM_CONFIG = "arn:aws:acm:eu-west-1:123456789012:certificate/5f1e2d3c-web"


PHASES = (PREVIEW, UPDATE)


def judge(pack, program, phase):
    """The findings of ``program``'s stack in ``phase``, as ``plan`` judges it: the program run once under the simulated
    AWS, its first preview derived from that run (the product's model, ``simulation/preview.py``; test_first_preview.py
    compares it with a preview the Pulumi SDK runs itself)."""
    d = deploy(program)
    return [f for f in pack.analyze(d.registrations, d.minted) if phase in f.phases]


def verdicts(findings, level):
    """(policy, resource name) of the decided findings at ``level``; preview notes are not verdicts."""
    assert all(f.level == "advisory" for f in findings if f.message.startswith(PREVIEW_NOTE)), "a preview note is advisory"
    return sorted({(f.policy, f.urn.rsplit("::", 1)[-1]) for f in findings if f.level == level and not f.message.startswith(PREVIEW_NOTE)})


# --- programs -----------------------------------------------------------------------------------


def agentcore_target(name: str, **target_args) -> aws.bedrock.AgentcoreGatewayTarget:
    role = aws.iam.Role(f"{name}-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
    gateway = aws.bedrock.AgentcoreGateway(f"{name}-gateway", name=name, protocol_type="MCP", authorizer_type="AWS_IAM", role_arn=role.arn)
    return aws.bedrock.AgentcoreGatewayTarget(name, name=name, gateway_identifier=gateway.gateway_id, **target_args)


def public_website(with_target: bool = False, http_redirects: bool = True, adopt_default_group: bool = False) -> None:
    """An internet-facing ALB (HTTPS with a certificate ARN from config, HTTP redirecting to HTTPS)."""
    pulumi.runtime.set_config("website:certificateArn", CERTIFICATE_FROM_CONFIG)
    certificate_arn = pulumi.Config("website").require("certificateArn")
    vpc = aws.ec2.Vpc("website-vpc", cidr_block="10.0.0.0/16")
    if adopt_default_group:
        aws.ec2.DefaultSecurityGroup("website-default-sg", vpc_id=vpc.id, ingress=[], egress=[])
    subnets = [aws.ec2.Subnet(f"website-public-{az}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24", availability_zone=f"eu-west-1{az}")
               for i, az in enumerate("ab")]
    group = aws.ec2.SecurityGroup("website-sg", vpc_id=vpc.id, ingress=[
        {"protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": ["0.0.0.0/0"]} for port in (80, 443)])
    alb = aws.lb.LoadBalancer("website-alb", internal=False, load_balancer_type="application", security_groups=[group.id],
                              subnets=[s.id for s in subnets])
    pages = aws.lb.TargetGroup("website-pages", vpc_id=vpc.id, port=8080, protocol="HTTP", target_type="ip")
    aws.lb.Listener("website-https", load_balancer_arn=alb.arn, port=443, protocol="HTTPS", certificate_arn=certificate_arn,
                    ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06", default_actions=[{"type": "forward", "target_group_arn": pages.arn}])
    http_action = ({"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}} if http_redirects
                   else {"type": "forward", "target_group_arn": pages.arn})
    aws.lb.Listener("website-http", load_balancer_arn=alb.arn, port=80, protocol="HTTP", default_actions=[http_action])
    if with_target:
        agentcore_target("website-tool", target_configuration={
            "mcp": {"mcp_server": {"endpoint": alb.dns_name.apply(lambda host: f"https://{host}/mcp")}}})


def public_rest_api(with_target: bool = False) -> None:
    """A REGIONAL REST API with a stage; with a target whose OpenAPI server is the API's invoke URL."""
    api = aws.apigateway.RestApi("shop-api", name="shop", endpoint_configuration={"types": "REGIONAL"},
                                 body=json.dumps({"openapi": "3.0.1", "info": {"title": "shop", "version": "1"}, "paths": {}}))
    deployment = aws.apigateway.Deployment("shop-deployment", rest_api=api.id)
    stage = aws.apigateway.Stage("shop-stage", rest_api=api.id, deployment=deployment.id, stage_name="prod")
    if with_target:
        schema = pulumi.Output.all(api.id, stage.stage_name).apply(lambda v: json.dumps({
            "openapi": "3.0.1", "info": {"title": "shop", "version": "1"},
            "servers": [{"url": f"https://{v[0]}.execute-api.eu-west-1.amazonaws.com/{v[1]}"}], "paths": {}}))
        agentcore_target("shop-tool", target_configuration={"mcp": {"open_api_schema": {"inline_payload": {"payload": schema}}}})


def tgw_lab(with_target: bool = False, overlapping: bool = False) -> None:
    """Two Transit Gateways, one VPC behind each, joined by a TGW peering attachment; a lab security group open to 10/8."""
    hubs, vpcs = [], []
    for index, name in enumerate(("east", "west")):
        hub = aws.ec2transitgateway.TransitGateway(f"lab-{name}-tgw", auto_accept_shared_attachments="disable")
        cidr = "10.1.0.0/16" if overlapping else f"10.{index + 1}.0.0/16"
        vpc = aws.ec2.Vpc(f"lab-{name}-vpc", cidr_block=cidr)
        aws.ec2.DefaultSecurityGroup(f"lab-{name}-default-sg", vpc_id=vpc.id, ingress=[], egress=[])
        subnet = aws.ec2.Subnet(f"lab-{name}-subnet", vpc_id=vpc.id, cidr_block=cidr.replace("0.0/16", "0.0/24"), availability_zone="eu-west-1a")
        aws.ec2transitgateway.VpcAttachment(f"lab-{name}-attachment", transit_gateway_id=hub.id, vpc_id=vpc.id, subnet_ids=[subnet.id])
        hubs.append(hub)
        vpcs.append((vpc, subnet))
    aws.ec2transitgateway.PeeringAttachment("lab-peering", transit_gateway_id=hubs[0].id, peer_transit_gateway_id=hubs[1].id,
                                            peer_region="eu-west-1")
    lab_group = aws.ec2.SecurityGroup("lab-sg", vpc_id=vpcs[0][0].id, ingress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["10.0.0.0/8"]}])
    if with_target:
        agentcore_target("lab-tool", target_configuration={"mcp": {"mcp_server": {"endpoint": "https://tool.west.example.com/mcp"}}},
                         private_endpoint={"managed_vpc_resource": {"vpc_identifier": vpcs[0][0].id, "subnet_ids": [vpcs[0][1].id],
                                                                    "security_group_ids": [lab_group.id]}})


# --- ordinary infrastructure is left alone; the AgentCore path is judged ---------------------------

EXPECTED = {
    # program: (mandatory findings alone, mandatory findings with an AgentCore target, advisory findings either way)
    "public website": (public_website, [], [
        ("internal-load-balancers", "website-alb"),
        ("listener-certificates-from-stack", "website-https"),
        ("path-security-group-ingress", "website-sg"),
    ], [("default-security-group-adopted", "website-vpc")]),
    "public REST API": (public_rest_api, [], [("private-api-gateway", "shop-api")], []),
    "TGW lab": (tgw_lab, [], [("path-security-group-ingress", "lab-sg")],
                [("tgw-no-default-route-tables", "lab-east-tgw"), ("tgw-no-default-route-tables", "lab-west-tgw")]),
}


@pytest.mark.parametrize("program, phase", [
    (program, phase) for program in sorted(EXPECTED) for phase in sorted(PHASES)
])
def test_ordinary_infrastructure_draws_no_mandatory_finding_until_an_agentcore_target_reaches_it(fresh_config, program, phase):
    build, alone, with_target, advisory = EXPECTED[program]
    findings = judge(fresh_config, lambda: build(), phase)
    assert verdicts(findings, "mandatory") == alone, [f.message for f in findings]
    assert verdicts(findings, "advisory") == advisory, [f.message for f in findings]
    findings = judge(fresh_config, lambda: build(with_target=True), phase)
    assert verdicts(findings, "mandatory") == with_target, [f.message for f in findings]
    assert verdicts(findings, "advisory") == advisory, [f.message for f in findings]
    reached = [f.message for f in findings if f.level == "mandatory"]
    assert all("on an AgentCore path" in message for message in reached), reached


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_a_plaintext_listener_on_the_path_is_found_and_a_redirect_is_not(fresh_config, phase):
    forwarding = judge(fresh_config, lambda: public_website(with_target=True, http_redirects=False), phase)
    assert ("https-only-path-listeners", "website-http") in verdicts(forwarding, "mandatory")
    assert "does not redirect to HTTPS" in next(f.message for f in forwarding if f.policy == "https-only-path-listeners")
    off_path = judge(fresh_config, lambda: public_website(http_redirects=False), phase)
    assert verdicts(off_path, "mandatory") == []


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_an_adopted_default_security_group_satisfies_the_advisory_rule(fresh_config, phase):
    findings = judge(fresh_config, lambda: public_website(adopt_default_group=True), phase)
    assert [f for f in findings if f.policy == "default-security-group-adopted"] == []


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_overlapping_vpcs_behind_peered_transit_gateways_are_found_in_both_phases(fresh_config, phase):
    findings = judge(fresh_config, lambda: tgw_lab(overlapping=True), phase)
    assert verdicts(findings, "mandatory") == [("tgw-peering-non-overlapping-cidrs", "lab-peering")], [f.message for f in findings]
    assert "10.1.0.0/16" in next(f.message for f in findings if f.policy == "tgw-peering-non-overlapping-cidrs")


def test_a_peering_whose_hub_is_unknown_and_no_dependency_is_reported_as_cannot_verify(fresh_config):
    d = deploy(lambda: tgw_lab(overlapping=True))
    d.named("lab-peering").property_dependencies.pop("transitGatewayId")
    findings = [f for f in fresh_config.analyze(d.registrations, d.minted) if f.policy == "tgw-peering-non-overlapping-cidrs" and PREVIEW in f.phases]
    assert [(f.level, "lab-peering" in f.message and "checked again at update" in f.message) for f in findings] == [("advisory", True)]


def test_cannot_verify_at_preview_is_said_once_for_what_only_the_stack_puts_on_the_path():
    """An untagged load balancer that a target names (only the stack puts it on the path) whose ``internal`` is unknown at
    preview (computed by an ``apply``: a value the preview derived from the simulation cannot show as unknown)."""
    from agentcore_egress.policies import resource_types as t
    from agentcore_egress.policies.rules import internal_load_balancers
    from policy_kit import Stack

    def stack(internal):
        built = Stack()
        alb = built.add(t.LB, "tools-alb", {"internal": internal, "securityGroups": ["sg-1"], "subnets": ["a", "b"]})
        built.add(t.GATEWAY_TARGET, "tools", {"targetConfiguration": {"mcp": {"mcpServer": {"endpoint": UNKNOWN_STRING}}}},
                  deps={"targetConfiguration": [alb]})
        return built

    notes = [message for message, _ in stack(UNKNOWN_STRING).check(internal_load_balancers.RULE, scoped=True)]
    assert len(notes) == 1 and "LoadBalancer 'tools-alb': internal is unknown" in notes[0], notes
    assert notes[0].count("cannot verify at preview") == 1, notes[0]
    assert stack(True).check(internal_load_balancers.RULE, scoped=True) == []


# --- how a resource is known to be on the path ------------------------------------------------------


def test_components_and_the_pack_use_one_path_tag():
    assert component_base.PATH_TAG == agentcore_path.PATH_TAG == "agentcore-egress:path"


def test_the_path_tag_makes_a_resource_policy_judge_before_creation(fresh_config):
    def tagged():
        aws.lb.LoadBalancer("tools-alb", internal=False, security_groups=["sg-1"], subnets=["subnet-a", "subnet-b"],
                            tags={agentcore_path.PATH_TAG: "hand-written"})

    d = deploy(tagged)
    resource = d.named("tools-alb")
    request = analyzer_pb2.AnalyzeRequest(type=resource.type, properties=resource.inputs_proto, urn=resource.urn, name=resource.name)
    diagnostics = fresh_config.stub.Analyze(request).diagnostics
    assert [d.policyName for d in diagnostics] == ["internal-load-balancers"]


def test_what_the_components_create_for_a_path_carries_the_path_tag():
    d = deploy(lambda: (SCENARIOS["c"](), None)[1])
    tagged = {r.name: (r.inputs.get("tags") or {}).get(agentcore_path.PATH_TAG) for r in d.registrations if r.custom}
    assert tagged["orders-lb"] == tagged["orders-listener"] == tagged["orders-sg"] == "AlbRestBackend", tagged
    assert tagged["orders-sgs-eni"] == tagged["orders-sgs-backend"] == "TargetSecurityGroups"
    assert tagged["orders-cert-cert"] == "PublicCertificate"
    assert tagged["rest-vpc"] is None, "a VPC serves more than the path"


def test_a_provider_whose_default_tags_carry_the_path_tag_puts_all_its_resources_on_the_path(fresh_config):
    from agentcore_egress.components import account_provider

    def program():
        tools = account_provider("tools", account_id="222222222222", region="eu-west-1", default_tags={agentcore_path.PATH_TAG: "account"})
        aws.lb.LoadBalancer("tools-alb", internal=False, security_groups=["sg-1"], subnets=["a", "b"], opts=pulumi.ResourceOptions(provider=tools))

    assert verdicts(fresh_config.analyze(deploy(program).registrations), "mandatory") == [("internal-load-balancers", "tools-alb")]


def test_the_pack_config_names_path_resources_by_glob_or_tag_and_can_report_off_the_path(fresh_config):
    d = deploy(lambda: public_website())
    fresh_config.configure({"internal-load-balancers": {"pathResources": ["website-*"]}})
    assert verdicts(fresh_config.analyze(d.registrations), "mandatory") == [("internal-load-balancers", "website-alb")]
    fresh_config.configure({"internal-load-balancers": {"pathResources": ["other-*"]}})
    assert verdicts(fresh_config.analyze(d.registrations), "mandatory") == []
    fresh_config.configure({"path-security-group-ingress": {"enforcementLevel": "advisory", "offPath": "report"}})
    assert verdicts(fresh_config.analyze(d.registrations), "advisory") == [("default-security-group-adopted", "website-vpc"), ("path-security-group-ingress", "website-sg")]


def test_the_pack_config_marks_resources_by_their_tags(fresh_config):
    d = deploy(lambda: aws.lb.LoadBalancer("tools-alb", internal=False, security_groups=["sg-1"], subnets=["a", "b"], tags={"team": "agents"}))
    fresh_config.configure({"internal-load-balancers": {"pathTags": {"team": "agent*"}}})
    assert verdicts(fresh_config.analyze(d.registrations), "mandatory") == [("internal-load-balancers", "tools-alb")]


def test_a_resource_configuration_naming_a_load_balancer_by_dns_name_puts_it_on_the_path(fresh_config):
    """At up a stack of the tools account may name the backend by its DNS name, without a dependency."""

    def program():
        alb = aws.lb.LoadBalancer("tools-alb", internal=False, security_groups=["sg-1"], subnets=["a", "b"])
        alb.dns_name.apply(lambda host: aws.vpclattice.ResourceConfiguration(
            "tools-config", name="tools", resource_gateway_identifier="rgw-0123", port_ranges=["443"], protocol="TCP",
            resource_configuration_definition={"dns_resource": {"domain_name": host, "ip_address_type": "IPV4"}}))

    d = deploy(program)
    assert d.named("tools-config").property_dependencies.get("resourceConfigurationDefinition") in (None, [])
    assert verdicts(fresh_config.analyze(d.registrations), "mandatory") == [("internal-load-balancers", "tools-alb")]


# --- metadata and remediations over gRPC -------------------------------------------------------------

SEVERITIES = {"low": analyzer_pb2.POLICY_SEVERITY_LOW, "medium": analyzer_pb2.POLICY_SEVERITY_MEDIUM, "high": analyzer_pb2.POLICY_SEVERITY_HIGH,
              "critical": analyzer_pb2.POLICY_SEVERITY_CRITICAL}


def test_analyzer_info_carries_every_rules_declaration(pack):
    """What the engine is told of each policy (over gRPC, from the folder as it runs) is what the rule's module declares."""
    readme = (REPO_POLICIES / "README.md").read_text()
    policies = {policy.name: policy for policy in pack.info().policies}
    assert list(policies) == [rule.id for rule in DECLARATIONS]
    for rule in DECLARATIONS:
        policy = policies[rule.id]
        assert policy.severity == SEVERITIES[rule.severity.value], rule.id
        assert list(policy.tags) == [rule.kind, *rule.tags], rule.id
        assert policy.remediation_steps == rule.remediation and policy.description == rule.description, rule.id
        assert policy.url == f"policies/README.md#{rule.id}" and f"\n### {rule.id}\n" in readme, rule.id
        assert policy.framework.reference == ", ".join(rule.controls), rule.id
        if rule.controls:
            assert policy.framework.name == "AWS Foundational Security Best Practices"
        schema = set(policy.configSchema.properties)
        assert schema == set(rule.options) | ({"pathResources", "pathTags", "offPath"} if rule.kind == "agentcore-path" else set()), rule.id


def remediate(pack, type_, props, name="res"):
    message = struct_pb2.Struct()
    message.update(props)
    request = analyzer_pb2.AnalyzeRequest(type=type_, properties=message, urn=f"urn:pulumi:test::agentcore-egress::{type_}::{name}", name=name)
    return {r.policyName: dict(r.properties) for r in pack.stub.Remediate(request).remediations}


REMEDIABLE = {"ram-inside-organization": "remediate", "tgw-no-auto-accept": "remediate", "modern-tls": "remediate", "internal-load-balancers": "remediate"}


def test_remediations_fix_what_is_safe_to_fix_and_keep_the_rest(fresh_config):
    fresh_config.configure(REMEDIABLE)
    share = remediate(fresh_config, "aws:ram/resourceShare:ResourceShare", {"name": "tools", "allowExternalPrincipals": True})
    assert share == {"ram-inside-organization": {"name": "tools", "allowExternalPrincipals": False}}
    hub = remediate(fresh_config, "aws:ec2transitgateway/transitGateway:TransitGateway", {"autoAcceptSharedAttachments": "enable", "description": "hub"})
    assert hub == {"tgw-no-auto-accept": {"autoAcceptSharedAttachments": "disable", "description": "hub"}}
    listener = remediate(fresh_config, "aws:lb/listener:Listener", {"protocol": "HTTPS", "port": 443, "sslPolicy": "ELBSecurityPolicy-2016-08"})
    assert listener["modern-tls"]["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06" and listener["modern-tls"]["port"] == 443
    assert remediate(fresh_config, "aws:ram/resourceShare:ResourceShare", {"allowExternalPrincipals": False}) == {}, "compliant: left alone"
    tagged_alb = {"internal": False, "tags": {agentcore_path.PATH_TAG: "x"}}
    assert remediate(fresh_config, "aws:lb/loadBalancer:LoadBalancer", tagged_alb) == {}, "no safe fix: never remediated"


def test_a_fix_the_rules_config_would_still_reject_is_not_applied(fresh_config):
    fresh_config.configure({"modern-tls": {"enforcementLevel": "remediate", "allowedPolicies": ["ELBSecurityPolicy-FS-1-2-Res-2020-10"]}})
    assert remediate(fresh_config, "aws:lb/listener:Listener", {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"}) == {}


def test_a_remediated_resource_passes_analyze(fresh_config):
    fresh_config.configure(REMEDIABLE)
    fixed = remediate(fresh_config, "aws:ec2transitgateway/transitGateway:TransitGateway", {"autoAcceptSharedAttachments": "enable"})["tgw-no-auto-accept"]
    message = struct_pb2.Struct()
    message.update(fixed)
    request = analyzer_pb2.AnalyzeRequest(type="aws:ec2transitgateway/transitGateway:TransitGateway", properties=message, urn="urn:x::hub", name="hub")
    assert [d.policyName for d in fresh_config.stub.Analyze(request).diagnostics if d.policyName == "tgw-no-auto-accept"] == []


# --- the seed's scenarios at a first preview ---------------------------------------------------------


def scenario(key):
    return lambda: (SCENARIOS[key](), None)[1]


@pytest.mark.parametrize("key", "abcde")
def test_the_scope_and_the_new_rules_never_fail_a_compliant_scenario_at_a_first_preview(fresh_config, key):
    findings = judge(fresh_config, scenario(key), PREVIEW)
    assert [(f.policy, f.urn) for f in findings if f.level == "mandatory"] == []
    assert [f.policy for f in findings if f.level == "advisory" and not f.message.startswith(PREVIEW_NOTE)] == []


def test_the_seed_scenarios_pass_the_whole_pack_at_a_first_preview(fresh_config):
    findings = [f for key in "abce" for f in judge(fresh_config, scenario(key), PREVIEW)]
    assert [f.message for f in findings if f.level == "mandatory"] == []


# --- the scope and the new rules, called directly -----------------------------------------------------


def test_a_target_naming_a_route53_alias_puts_the_aliased_load_balancer_and_its_listener_on_the_path():
    from agentcore_egress.policies import resource_types as t
    from policy_kit import Stack

    stack = Stack()
    stack.add(t.GATEWAY_TARGET, "orders", {"targetConfiguration": {"mcp": {"mcpServer": {"endpoint": "https://Orders.tools.example.com/mcp"}}}})
    stack.add(t.ROUTE53_RECORD, "orders-name", {"name": "orders.tools.example.com", "aliases": [{"name": "internal-orders-1.eu-west-1.elb.amazonaws.com."}]})
    alb = stack.add(t.LB, "orders-alb", {"dnsName": "internal-orders-1.eu-west-1.elb.amazonaws.com"})
    stack.add(t.LB_LISTENER, "orders-listener", {"protocol": "HTTPS"}, deps={"loadBalancerArn": [alb]})
    stack.add(t.LB, "website-alb", {"dnsName": "website-2.eu-west-1.elb.amazonaws.com"})
    stack.add(t.REST_API, "shop-api", {"id": "abc123"})
    on_path = {urn.rsplit("::", 1)[-1] for urn in agentcore_path.path_urns(agentcore_path.Scope(), stack.policy_resources())}
    assert on_path == {"orders", "orders-name", "orders-alb", "orders-listener"}


def test_a_private_api_invoke_url_puts_the_rest_api_on_the_path():
    from agentcore_egress.policies import resource_types as t
    from policy_kit import Stack

    stack = Stack()
    schema = json.dumps({"servers": [{"url": "https://abc123-vpce-0a1b.execute-api.eu-west-1.amazonaws.com/prod"}]})
    stack.add(t.GATEWAY_TARGET, "orders", {"targetConfiguration": {"mcp": {"openApiSchema": {"inlinePayload": {"payload": schema}}}}})
    stack.add(t.REST_API, "orders-api", {"id": "abc123"})
    stack.add(t.REST_API, "shop-api", {"id": "def456"})
    on_path = {urn.rsplit("::", 1)[-1] for urn in agentcore_path.path_urns(agentcore_path.Scope(), stack.policy_resources())}
    assert on_path == {"orders", "orders-api"}


@pytest.mark.parametrize("type_, props, words", [
    ("aws:ec2/securityGroupRule:SecurityGroupRule", {"type": "ingress", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["10.0.0.0/8"]}, "every protocol"),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "cidrIpv6": "::/0"}, "from ::/0"),
    ("aws:ec2/securityGroup:SecurityGroup", {"ingress": [{"protocol": "tcp", "fromPort": 0, "toPort": 65535, "cidrBlocks": ["10.1.0.0/24"]}]}, "every port"),
])
def test_path_security_group_ingress_names_what_is_open(type_, props, words):
    from agentcore_egress.policies.rules import path_security_group_ingress
    from policy_kit import check_resource

    found = check_resource(path_security_group_ingress.RULE, type_, props, name="bad")
    assert len(found) == 1 and words in found[0] and "'bad'" in found[0] and "Fix:" in found[0]


@pytest.mark.parametrize("type_, props", [
    ("aws:ec2/securityGroup:SecurityGroup", {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.1.0.0/24"]}]}),
    ("aws:ec2/securityGroup:SecurityGroup", {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": [UNKNOWN_STRING]}]}),
    ("aws:ec2/securityGroupRule:SecurityGroupRule", {"type": "egress", "protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}),
    ("aws:ec2/securityGroup:SecurityGroup", {"ingress": UNKNOWN_STRING}),
])
def test_path_security_group_ingress_passes_scoped_computed_and_egress_rules(type_, props):
    from agentcore_egress.policies.rules import path_security_group_ingress
    from policy_kit import check_resource

    assert check_resource(path_security_group_ingress.RULE, type_, props) == []


def test_https_only_path_listeners_direct_cases():
    from agentcore_egress.policies.rules import https_only_path_listeners as rule
    from policy_kit import check_resource

    listener = "aws:lb/listener:Listener"
    assert "plaintext" in check_resource(rule.RULE, listener, {"protocol": "TCP", "port": 80}, name="bad")[0]
    assert check_resource(rule.RULE, listener, {"protocol": "TLS", "port": 443}) == []
    redirect = [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]
    assert check_resource(rule.RULE, listener, {"protocol": "HTTP", "defaultActions": redirect}) == []
    assert check_resource(rule.RULE, listener, {"defaultActions": [{"type": "forward", "targetGroupArn": UNKNOWN_STRING}]}, name="bad")
    notes = check_resource(rule.RULE, listener, {"protocol": UNKNOWN_STRING})
    assert len(notes) == 1 and notes[0].startswith(PREVIEW_NOTE) and "checked again at update" in notes[0]


def test_the_path_tag_counts_when_another_tags_value_is_unknown_at_preview():
    from pulumi_policy.proxy import unknown_checking_proxy

    from agentcore_egress.policies import resource_types as t

    tags = {agentcore_path.PATH_TAG: "orders", "Name": UNKNOWN_STRING}
    assert agentcore_path.marked(agentcore_path.Scope(), t.LB, "orders-alb", "urn:x", unknown_checking_proxy({"tags": tags}))
    assert not agentcore_path.marked(agentcore_path.Scope(), t.LB, "orders-alb", "urn:x", unknown_checking_proxy({"tags": UNKNOWN_STRING}))


def test_a_resource_only_the_stack_puts_on_the_path_that_cannot_be_verified_does_not_hide_the_others():
    from agentcore_egress.policies import resource_types as t
    from agentcore_egress.policies.rules import https_only_path_listeners
    from policy_kit import Stack

    stack = Stack()
    alb = stack.add(t.LB, "orders-alb", {})
    stack.add(t.GATEWAY_TARGET, "orders", {}, deps={"targetConfiguration": [alb]})
    stack.add(t.LB_LISTENER, "first", {"protocol": UNKNOWN_STRING}, deps={"loadBalancerArn": [alb]})
    stack.add(t.LB_LISTENER, "second", {"protocol": "TCP"}, deps={"loadBalancerArn": [alb]})
    verdicts = stack.verdicts(https_only_path_listeners.RULE, scoped=True)
    assert [(v.level, v.resource.name) for v in verdicts if not v.message.startswith(PREVIEW_NOTE)] == [("mandatory", "second")]
    notes = [v for v in verdicts if v.message.startswith(PREVIEW_NOTE)]
    assert len(notes) == 1 and notes[0].level == "advisory" and "'first'" in notes[0].message


def test_a_tcp_listeners_target_group_is_the_one_it_depends_on_not_any_whose_arn_is_unknown():
    """The engine's planned state at a first preview has every target group's ARN unknown."""
    from agentcore_egress.policies import resource_types as t
    from agentcore_egress.policies.rules import https_only_path_listeners
    from policy_kit import Stack

    stack = Stack()
    nlb = stack.add(t.LB, "nlb", {"loadBalancerType": "network", "tags": {agentcore_path.PATH_TAG: "x"}})
    to_alb = stack.add(t.LB_TARGET_GROUP, "to-alb", {"targetType": "alb", "arn": UNKNOWN_STRING})
    stack.add(t.LB_TARGET_GROUP, "unrelated", {"targetType": "instance", "arn": UNKNOWN_STRING})
    stack.add(t.LB_LISTENER, "nlb-tcp", {"protocol": "TCP", "defaultActions": [{"type": "forward", "targetGroupArn": UNKNOWN_STRING}]},
              deps={"loadBalancerArn": [nlb], "defaultActions": [to_alb]})
    assert stack.check(https_only_path_listeners.RULE, scoped=True) == []


def test_an_attachment_whose_target_and_group_are_literals_puts_the_alb_instance_or_eni_behind_it_on_the_path():
    """At up, or with ARNs from config: no property dependency links the hops, their known values do."""
    from agentcore_egress.policies import resource_types as t
    from policy_kit import Stack

    alb_arn = "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/tools/1"
    stack = Stack()
    stack.add(t.LB, "nlb", {"loadBalancerType": "network", "tags": {agentcore_path.PATH_TAG: "x"}, "arn": "arn:nlb"})
    stack.add(t.LB_LISTENER, "nlb-tcp", {"loadBalancerArn": "arn:nlb", "protocol": "TCP",
                                         "defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}]})
    stack.add(t.LB_TARGET_GROUP, "to-alb", {"arn": "arn:tg", "targetType": "alb"})
    for name, target in (("alb-attachment", alb_arn), ("instance-attachment", "i-0123"), ("eni-attachment", "10.0.1.5")):
        stack.add(t.LB_TARGET_GROUP_ATTACHMENT, name, {"targetGroupArn": "arn:tg", "targetId": target})
    stack.add(t.LB, "alb", {"arn": alb_arn})
    stack.add(t.LB_LISTENER, "alb-http", {"loadBalancerArn": alb_arn, "protocol": "HTTP"})
    stack.add(t.EC2_INSTANCE, "tool", {"id": "i-0123"})
    stack.add(t.NETWORK_INTERFACE, "tool-eni", {"privateIp": "10.0.1.5"})
    stack.add(t.LB, "website-alb", {"arn": "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/website/2"})
    stack.add(t.EC2_INSTANCE, "website", {"id": "i-0999", "privateIp": "10.0.9.9"})
    on_path = {urn.rsplit("::", 1)[-1] for urn in agentcore_path.path_urns(agentcore_path.Scope(), stack.policy_resources())}
    assert on_path == {"nlb", "nlb-tcp", "to-alb", "alb-attachment", "instance-attachment", "eni-attachment", "alb", "alb-http", "tool", "tool-eni"}
