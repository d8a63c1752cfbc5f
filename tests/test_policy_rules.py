"""Every rule, called directly: a compliant and a violating case each, and unknown values."""

import json

import pytest

from agentcore_egress.policies import resource_types as t
from agentcore_egress.policies.rules import (
    RULES,
    explicit_security_groups,
    https_target_endpoints,
    internal_load_balancers,
    listener_certificates_from_stack,
    modern_tls,
    no_default_security_group,
    non_overlapping_cidrs,
    private_api_gateway,
    public_ca_certificates,
    ram_inside_organization,
    required_tags,
    scoped_resource_gateway_egress,
    target_security_group_limit,
    tgw_no_auto_accept,
    tgw_no_default_route_tables,
)
from policy_kit import PREVIEW_NOTE, UNKNOWN_ARRAY, UNKNOWN_STRING, Stack, check_resource

MANAGED = {"vpcIdentifier": "vpc-1", "subnetIds": ["s"], "endpointIpAddressType": "IPV4"}

# (rule module, resource type, compliant props, violating props, words in the violation)
RESOURCE_CASES = [
    (public_ca_certificates, t.ACM_CERTIFICATE, {"domainName": "a.example.com", "validationMethod": "DNS"},
     {"domainName": "a.example.com", "certificateAuthorityArn": "arn:aws:acm-pca:eu-west-1:1:certificate-authority/x"}, "certificateAuthorityArn"),
    (public_ca_certificates, t.ACM_CERTIFICATE, {"domainName": "a.example.com", "validationMethod": "DNS"},
     {"privateKey": "-----BEGIN", "certificateBody": "-----BEGIN"}, "imported"),
    (explicit_security_groups, t.GATEWAY_TARGET, {"privateEndpoint": {"managedVpcResource": {**MANAGED, "securityGroupIds": ["sg-1"]}}},
     {"privateEndpoint": {"managedVpcResource": MANAGED}}, "privateEndpoint.managedVpcResource.securityGroupIds is not set"),
    (explicit_security_groups, t.RESOURCE_GATEWAY, {"securityGroupIds": ["sg-1"]}, {"securityGroupIds": []}, "securityGroupIds is []"),
    (explicit_security_groups, t.VPC_ENDPOINT, {"vpcEndpointType": "Interface", "securityGroupIds": ["sg-1"]}, {"vpcEndpointType": "Interface"}, "default security group"),
    (explicit_security_groups, t.LB, {"loadBalancerType": "network", "securityGroups": ["sg-1"]}, {"loadBalancerType": "network"}, "securityGroups is not set"),
    (modern_tls, t.LB_LISTENER, {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
     {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-2016-08"}, "ELBSecurityPolicy-2016-08"),
    (modern_tls, t.LB_LISTENER, {"protocol": "TLS", "sslPolicy": "ELBSecurityPolicy-FS-1-2-Res-2020-10"}, {"protocol": "TLS"}, "sslPolicy is not set"),
    (tgw_no_auto_accept, t.TRANSIT_GATEWAY, {"autoAcceptSharedAttachments": "disable"}, {"autoAcceptSharedAttachments": "enable"}, "'enable'"),
    (tgw_no_default_route_tables, t.TRANSIT_GATEWAY, {"defaultRouteTableAssociation": "disable", "defaultRouteTablePropagation": "disable"},
     {"defaultRouteTableAssociation": "disable"}, "defaultRouteTablePropagation"),
    (ram_inside_organization, t.RESOURCE_SHARE, {}, {"allowExternalPrincipals": True}, "outside the organization"),
    (internal_load_balancers, t.LB, {"internal": True}, {"internal": False}, "internet-facing"),
    (https_target_endpoints, t.GATEWAY_TARGET, {"targetConfiguration": {"mcp": {"mcpServer": {"endpoint": "https://mcp.example.com"}}}},
     {"targetConfiguration": {"mcp": {"mcpServer": {"endpoint": "http://mcp.internal"}}}}, "http://mcp.internal"),
    (https_target_endpoints, t.GATEWAY_TARGET,
     {"targetConfiguration": {"mcp": {"openApiSchema": {"inlinePayload": {"payload": json.dumps({"openapi": "3.0.1", "servers": [{"url": "https://x"}]})}}}}},
     {"targetConfiguration": {"mcp": {"openApiSchema": {"inlinePayload": {"payload": "openapi: 3.0.1\nservers:\n  - url: http://x\n"}}}}}, "servers[0].url"),
    (target_security_group_limit, t.GATEWAY_TARGET, {"privateEndpoint": {"managedVpcResource": {**MANAGED, "securityGroupIds": ["1", "2", "3", "4", "5"]}}},
     {"privateEndpoint": {"managedVpcResource": {**MANAGED, "securityGroupIds": ["1", "2", "3", "4", "5", "6"]}}}, "6 security groups"),
    (target_security_group_limit, t.RESOURCE_GATEWAY, {"securityGroupIds": ["1"]}, {"securityGroupIds": [str(i) for i in range(7)]}, "7 security groups"),
]


@pytest.mark.parametrize("module, type_, good, bad, words", RESOURCE_CASES, ids=lambda v: getattr(getattr(v, "RULE", None), "id", None))
def test_resource_rule_passes_the_compliant_case_and_names_the_fix_for_the_violating_one(module, type_, good, bad, words):
    assert check_resource(module.RULE, type_, good, name="good") == []
    found = check_resource(module.RULE, type_, bad, name="bad")
    assert found, f"{module.RULE.id} missed {bad}"
    assert all("'bad'" in text and "Fix:" in text for text in found)
    assert any(words in text for text in found), found


def test_every_rule_has_a_docstring_a_description_and_a_level():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names)) == 19
    for rule in RULES:
        assert rule.description and rule.enforcement_level is not None
    from agentcore_egress.policies.rules import MODULES

    for module in MODULES:
        assert module.__doc__ and "Why:" in module.__doc__, module.__name__


def test_rules_ignore_resources_they_are_not_about():
    for module, *_ in RESOURCE_CASES:
        assert check_resource(module.RULE, "aws:s3/bucket:Bucket", {"tags": {}}) == []


def test_unknown_values_during_preview_are_decided_explicitly():
    # A list holding unknown ids is set: compliant.
    assert check_resource(explicit_security_groups.RULE, t.RESOURCE_GATEWAY, {"securityGroupIds": [UNKNOWN_STRING]}) == []
    # What the value alone decides at update is "cannot verify at preview" (advisory in the SDK), never a violation.
    for policy, type_, props in (
        (explicit_security_groups.RULE, t.RESOURCE_GATEWAY, {"securityGroupIds": UNKNOWN_ARRAY}),
        (tgw_no_auto_accept.RULE, t.TRANSIT_GATEWAY, {"autoAcceptSharedAttachments": UNKNOWN_STRING}),
        (ram_inside_organization.RULE, t.RESOURCE_SHARE, {"allowExternalPrincipals": UNKNOWN_STRING}),
        (https_target_endpoints.RULE, t.GATEWAY_TARGET, {"targetConfiguration": {"mcp": {"mcpServer": {"endpoint": UNKNOWN_STRING}}}}),
    ):
        notes = check_resource(policy, type_, props)
        assert len(notes) == 1 and notes[0].startswith(PREVIEW_NOTE) and "cannot verify at preview" in notes[0], notes


def test_modern_tls_options():
    tls12 = {"protocol": "HTTPS", "sslPolicy": "ELBSecurityPolicy-TLS-1-2-2017-01"}
    assert check_resource(modern_tls.RULE, t.LB_LISTENER, tls12) == []
    assert check_resource(modern_tls.RULE, t.LB_LISTENER, tls12, config={"requireTls13": True})
    assert check_resource(modern_tls.RULE, t.LB_LISTENER, tls12, config={"allowedPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]})
    assert check_resource(modern_tls.RULE, t.LB_LISTENER, {"protocol": "HTTP"}) == []


def test_internal_load_balancers_exemptions():
    assert check_resource(internal_load_balancers.RULE, t.LB, {"internal": False}, name="public-web", config={"exemptResourceNames": ["public-web"]}) == []


def test_required_tags_come_from_the_resource_or_the_provider():
    config = {"requiredTags": ["owner", "cost-center"]}
    assert check_resource(required_tags.RULE, t.VPC, {"tags": {}}) == [], "inert without configured tags"
    found = check_resource(required_tags.RULE, t.VPC, {"tags": {"owner": "x"}}, config=config)
    assert found and "['cost-center']" in found[0]
    provider = {"defaultTags": json.dumps({"tags": {"cost-center": "42"}})}
    assert check_resource(required_tags.RULE, t.VPC, {"tags": {"owner": "x"}}, config=config, provider_props=provider) == []


CERT = "arn:aws:acm:eu-west-1:1:certificate/abc"


def listener_stack(certificate_props):
    stack = Stack()
    certificate = stack.add(t.ACM_CERTIFICATE, "cert", certificate_props)
    validation = stack.add(t.ACM_CERTIFICATE_VALIDATION, "validation", {"certificateArn": CERT}, {"certificateArn": [certificate]})
    stack.add(t.LB_LISTENER, "listener", {"protocol": "HTTPS", "certificateArn": CERT}, {"certificateArn": [validation]})
    return stack


def test_listener_certificates_trace_to_a_public_certificate_in_the_stack():
    assert listener_stack({"domainName": "a.example.com", "validationMethod": "DNS"}).check(listener_certificates_from_stack.RULE) == []
    found = listener_stack({"certificateAuthorityArn": "arn:aws:acm-pca:x"}).check(listener_certificates_from_stack.RULE)
    assert len(found) == 1 and "private-CA or imported" in found[0][0] and found[0][1].endswith("::listener")


def test_certificate_outputs_with_empty_strings_for_unset_properties_are_public():
    # At `up` stack rules read outputs, where pulumi-aws reports an optional string left out as ""
    # (Terraform SDKv2 state); an Amazon-issued certificate must not read as private-CA or imported.
    outputs = {"domainName": "a.example.com", "validationMethod": "DNS", "certificateAuthorityArn": "", "privateKey": "", "certificateBody": ""}
    assert listener_stack(outputs).check(listener_certificates_from_stack.RULE) == []
    assert check_resource(public_ca_certificates.RULE, t.ACM_CERTIFICATE, outputs) == []
    assert check_resource(public_ca_certificates.RULE, t.ACM_CERTIFICATE, {**outputs, "certificateAuthorityArn": "arn:aws:acm-pca:x"})


def test_listener_with_a_literal_certificate_needs_the_allowlist():
    stack = Stack()
    stack.add(t.LB_LISTENER, "listener", {"protocol": "TLS", "certificateArn": CERT})
    assert "allowedCertificateArns" in stack.check(listener_certificates_from_stack.RULE)[0][0]
    assert stack.check(listener_certificates_from_stack.RULE, {"allowedCertificateArns": [CERT]}) == []


def test_no_default_security_group_from_the_stack_and_from_config():
    stack = Stack()
    stack.add(t.VPC, "vpc", {"id": "vpc-1", "defaultSecurityGroupId": "sg-default"})
    stack.add(t.DEFAULT_SECURITY_GROUP, "locked", {"ingress": [], "egress": []})
    stack.add(t.RESOURCE_GATEWAY, "rg", {"securityGroupIds": ["sg-own"]})
    assert stack.check(no_default_security_group.RULE) == []
    stack.add(t.EC2_INSTANCE, "raw", {"vpcSecurityGroupIds": ["sg-other-stack-default"]})
    assert stack.check(no_default_security_group.RULE) == []
    found = stack.check(no_default_security_group.RULE, {"defaultSecurityGroupIds": ["sg-other-stack-default"]})
    assert len(found) == 1 and "vpcSecurityGroupIds" in found[0][0]
    stack.add(t.GATEWAY_TARGET, "target", {"privateEndpoint": {"managedVpcResource": {"securityGroupIds": ["sg-default"]}}})
    stack.add(t.DEFAULT_SECURITY_GROUP, "open", {"ingress": [{"protocol": "-1", "self": True}], "egress": []})
    found = [message for message, _ in stack.check(no_default_security_group.RULE)]
    assert any("privateEndpoint.managedVpcResource.securityGroupIds" in m and "'sg-default'" in m for m in found)
    assert any("DefaultSecurityGroup 'open': ingress" in m for m in found)


def test_scoped_resource_gateway_egress():
    stack = Stack()
    scoped = stack.add(t.SECURITY_GROUP, "scoped", {"egress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/24"]}]})
    stack.add(t.RESOURCE_GATEWAY, "rg", {}, {"securityGroupIds": [scoped]})
    assert stack.check(scoped_resource_gateway_egress.RULE) == []
    open_group = stack.add(t.SECURITY_GROUP, "open", {"egress": []})
    stack.add(t.EGRESS_RULE, "all-out", {"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"}, {"securityGroupId": [open_group]})
    stack.add(t.RESOURCE_GATEWAY, "rg2", {}, {"securityGroupIds": [open_group]})
    found = stack.check(scoped_resource_gateway_egress.RULE)
    assert len(found) == 1 and "'rg2'" in found[0][0]


def test_private_api_gateway_needs_private_type_and_an_endpoint_policy():
    stack = Stack()
    api = stack.add(t.REST_API, "api", {"endpointConfiguration": {"types": "PRIVATE", "vpcEndpointIds": ["vpce-1"]}})
    stack.add(t.REST_API_POLICY, "policy", {"policy": json.dumps({"Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}})}, {"restApiId": [api]})
    assert stack.check(private_api_gateway.RULE) == []
    bare = Stack()
    bare.add(t.REST_API, "api", {"endpointConfiguration": {"types": "PRIVATE", "vpcEndpointIds": ["vpce-1"]}})
    assert "no resource policy" in bare.check(private_api_gateway.RULE)[0][0]
    public = Stack()
    public.add(t.REST_API, "api", {"endpointConfiguration": {"types": ["EDGE"]}})
    assert "reachable from outside" in public.check(private_api_gateway.RULE)[0][0]


def test_non_overlapping_cidrs_among_vpcs_joined_by_a_hub_or_a_peering():
    stack = Stack()
    stack.add(t.VPC, "a", {"id": "vpc-a", "cidrBlock": "10.0.0.0/16"})
    stack.add(t.VPC, "b", {"id": "vpc-b", "cidrBlock": "10.0.0.0/17"})
    stack.add(t.VPC, "c", {"id": "vpc-c", "cidrBlock": "10.1.0.0/16"})
    stack.add(t.TGW_VPC_ATTACHMENT, "att-a", {"transitGatewayId": "tgw-1", "vpcId": "vpc-a"})
    stack.add(t.TGW_VPC_ATTACHMENT, "att-c", {"transitGatewayId": "tgw-1", "vpcId": "vpc-c"})
    assert stack.check(non_overlapping_cidrs.RULE) == [], "b overlaps a but is not joined to it"
    stack.add(t.PEERING, "a-b", {"vpcId": "vpc-a", "peerVpcId": "vpc-b"})
    found = stack.check(non_overlapping_cidrs.RULE)
    assert len(found) == 1 and "10.0.0.0/16" in found[0][0] and "peering 'a-b'" in found[0][0]
    external = stack.check(non_overlapping_cidrs.RULE, {"externalVpcCidrs": {"vpc-hub": "10.1.128.0/17"}})
    assert len(external) == 1
    stack.add(t.TGW_VPC_ATTACHMENT, "att-hub", {"transitGatewayId": "tgw-1", "vpcId": "vpc-hub"})
    external = stack.check(non_overlapping_cidrs.RULE, {"externalVpcCidrs": {"vpc-hub": "10.1.128.0/17"}})
    assert len(external) == 2 and any("10.1.128.0/17" in message for message, _ in external)


def test_every_rule_module_is_named_after_its_rule_id():
    # A newcomer finds a rule from the folder listing alone: rules/<rule_id with underscores>.py.
    from agentcore_egress.policies.rules import MODULES

    for module in MODULES:
        assert module.__name__.rsplit(".", 1)[-1] == module.RULE.id.replace("-", "_"), module.__name__
