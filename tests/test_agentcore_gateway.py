import json

import pulumi
import pytest

from agentcore_egress.components import (
    AgentCoreGateway,
    GatewayTarget,
    InputValidationError,
    ResourceShareAcceptance,
    managed_reuse_key,
)
from fake_cloud import deploy

TARGET = "aws:bedrock/agentcoreGatewayTarget:AgentcoreGatewayTarget"
MCP = {"mcp_server_endpoint": "https://mcp.tools.example.com/mcp"}


def managed(**overrides):
    block = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-aaaaaaaa", "subnet-bbbbbbbb"], "security_group_ids": ["sg-eeeeeeee"]}
    block.update(overrides)
    return block


def test_gateway_defaults_to_iam_and_creates_a_role_only_agentcore_of_this_account_may_assume():
    d = deploy(lambda: {"gateway": AgentCoreGateway("agents", {}).gateway_id})
    gateway = d.named("agents-gateway").inputs
    assert (gateway["protocolType"], gateway["authorizerType"]) == ("MCP", "AWS_IAM")
    role = d.named("agents-role")
    assert gateway["roleArn"] == role.state["arn"]
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "bedrock-agentcore.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == "111111111111"
    assert "aws:iam/rolePolicy:RolePolicy" not in d.types, "no permission unless schemas live in S3"
    assert d.result["gateway"]


def test_gateway_role_may_read_only_the_schema_buckets():
    d = deploy(lambda: AgentCoreGateway("agents", {"schema_bucket_arns": ["arn:aws:s3:::schemas"]}))
    statement = json.loads(d.named("agents-schemas").inputs["policy"])["Statement"]
    assert statement == [{"Sid": "ReadTargetSchemas", "Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::schemas/*"]}]


def test_jwt_authorizer_and_given_role():
    args = {
        "jwt_authorizer": {"discovery_url": "https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/openid-configuration", "allowed_clients": ["client-1"]},
        "role_arn": "arn:aws:iam::111111111111:role/gateway",
    }
    d = deploy(lambda: AgentCoreGateway("agents", args))
    gateway = d.named("agents-gateway").inputs
    assert gateway["authorizerType"] == "CUSTOM_JWT"
    assert gateway["authorizerConfiguration"]["customJwtAuthorizer"]["allowedClients"] == ["client-1"]
    assert gateway["roleArn"] == "arn:aws:iam::111111111111:role/gateway"
    assert "aws:iam/role:Role" not in d.types


def test_managed_target_sets_explicit_security_groups_and_outputs_its_reuse_key():
    def program():
        target = GatewayTarget("orders", {"gateway_id": "agents-0123456789", "managed_vpc": managed(tags={"team": "orders"}), **MCP})
        return {"key": target.reuse_key, "id": target.target_id, "mode": target.mode}

    d = deploy(program)
    endpoint = d.named("orders-target").inputs["privateEndpoint"]["managedVpcResource"]
    assert endpoint["securityGroupIds"] == ["sg-eeeeeeee"] and endpoint["endpointIpAddressType"] == "IPV4"
    assert endpoint["vpcIdentifier"] == "vpc-0123456789abcdef0"
    assert d.named("orders-target").inputs["targetConfiguration"]["mcp"]["mcpServer"]["endpoint"] == "https://mcp.tools.example.com/mcp"
    assert d.result["key"] == managed_reuse_key("vpc-0123456789abcdef0", ["subnet-aaaaaaaa", "subnet-bbbbbbbb"], ["sg-eeeeeeee"], {"team": "orders"}, "IPV4")
    assert d.result["mode"] == "managed" and d.result["id"]


def test_reuse_keys_match_exactly_when_agentcore_would_share_a_resource_gateway():
    def program():
        def key(name, **block):
            return GatewayTarget(name, {"gateway_id": "agents-0123456789", "managed_vpc": managed(**block), **MCP}).reuse_key

        return {
            "base": key("a"),
            "reordered": key("b", subnet_ids=["subnet-bbbbbbbb", "subnet-aaaaaaaa"]),
            "other_sg": key("c", security_group_ids=["sg-othersgs"]),
            "other_subnets": key("d", subnet_ids=["subnet-aaaaaaaa"]),
            "tagged": key("e", tags={"team": "x"}),
            "other_vpc": key("f", vpc_id="vpc-22222222"),
        }

    keys = deploy(program).result
    assert keys["base"] == keys["reordered"]
    assert len({keys[k] for k in ("base", "other_sg", "other_subnets", "tagged", "other_vpc")}) == 5


def test_self_managed_target_points_at_the_shared_configuration():
    arn = "arn:aws:vpc-lattice:eu-west-1:222222222222:resourceconfiguration/rcfg-0123456789abcdef0"
    args = {
        "gateway_id": "agents-0123456789",
        "self_managed_lattice": {"resource_configuration_arn": arn},
        "open_api_schema_s3_uri": "s3://schemas/orders.json",
        "credential": {"kind": "OAUTH", "provider_arn": "arn:aws:bedrock-agentcore:eu-west-1:1:token-vault/x", "scopes": ["read"]},
    }
    d = deploy(lambda: {"key": GatewayTarget("orders", args).reuse_key})
    target = d.named("orders-target").inputs
    assert target["privateEndpoint"] == {"selfManagedLatticeResource": {"resourceConfigurationIdentifier": arn}}
    assert target["targetConfiguration"]["mcp"]["openApiSchema"]["s3"]["uri"] == "s3://schemas/orders.json"
    assert target["credentialProviderConfiguration"]["oauth"]["scopes"] == ["read"]
    assert d.result["key"] is None


def test_share_acceptance_only_where_ram_needs_an_invitation():
    share = "arn:aws:ram:eu-west-1:222222222222:resource-share/abc"
    inside = deploy(lambda: {"accepted": ResourceShareAcceptance("s", {"share_arn": share}).accepted})
    assert "aws:ram/resourceShareAccepter:ResourceShareAccepter" not in inside.types and inside.result["accepted"] is False
    invited = deploy(lambda: ResourceShareAcceptance("s", {"share_arn": share, "organization_sharing_enabled": False}))
    assert invited.named("s-accepter").inputs["shareArn"] == share


def test_outputs_from_other_resources_are_accepted_unverified():
    def program():
        subnets = pulumi.Output.from_input(["subnet-aaaaaaaa"])
        return GatewayTarget(
            "orders", {"gateway_id": "agents-0123456789", "managed_vpc": managed(subnet_ids=subnets), "mcp_server_endpoint": pulumi.Output.from_input("https://x.example.com")}
        ).reuse_key

    assert "subnet-aaaaaaaa" in deploy(program).result


OPENAPI_HTTP = json.dumps({"openapi": "3.0.1", "servers": [{"url": "http://orders.internal"}], "paths": {}})
OPENAPI_HTTPS = json.dumps({"openapi": "3.0.1", "servers": [{"url": "https://orders.internal"}], "paths": {}})
IAM = {"kind": "GATEWAY_IAM_ROLE"}


@pytest.mark.parametrize(
    "args, field, words",
    [
        ({**MCP}, "managed_vpc | self_managed_lattice", "none of these"),
        ({"managed_vpc": managed(), "self_managed_lattice": {"resource_configuration_arn": "arn"}, **MCP}, "managed_vpc | self_managed_lattice", "exactly one"),
        ({"managed_vpc": managed()}, "mcp_server_endpoint | open_api_schema | open_api_schema_s3_uri", "none of these"),
        ({"managed_vpc": managed(), "mcp_server_endpoint": "http://mcp.internal"}, "mcp_server_endpoint", "not an https:// URL"),
        ({"managed_vpc": managed(security_group_ids=[])}, "managed_vpc.security_group_ids", "is empty"),
        ({"managed_vpc": managed(security_group_ids=[f"sg-{i:08d}" for i in range(6)]), **MCP}, "managed_vpc.security_group_ids", "lists 6"),
        ({"managed_vpc": managed(security_group_ids=["sg-dddddddd"], vpc_default_security_group_id="sg-dddddddd"), **MCP}, "managed_vpc.security_group_ids", "default security group"),
        ({"managed_vpc": managed(subnet_ids=[]), **MCP}, "managed_vpc.subnet_ids", "is empty"),
        ({"managed_vpc": managed(endpoint_ip_address_type="IPV6"), **MCP}, "managed_vpc.endpoint_ip_address_type", "IPv6 block"),
        ({"managed_vpc": managed(routing_domain="https://alb"), **MCP}, "managed_vpc.routing_domain", "not a domain name"),
        ({"managed_vpc": managed(), "open_api_schema": OPENAPI_HTTP, "credential": IAM}, "open_api_schema.servers[0].url", "not an https:// URL"),
        ({"managed_vpc": managed(), "open_api_schema": "{not yaml: [", "credential": IAM}, "open_api_schema", "not JSON or YAML"),
        ({"managed_vpc": managed(), "open_api_schema": OPENAPI_HTTPS}, "credential", "required for OpenAPI"),
        ({"managed_vpc": managed(), "open_api_schema": OPENAPI_HTTPS, "credential": {"kind": "API_KEY"}}, "credential.provider_arn", "is required"),
        ({"self_managed_lattice": {}, **MCP}, "self_managed_lattice.resource_configuration_arn", "is required"),
        ({"managed_vpc": managed(vpc_id=None), **MCP}, "managed_vpc.vpc_id", "is required"),
        ({"managed_vpc": managed(), "open_api_schema_s3_uri": "https://bucket/x", "credential": IAM}, "open_api_schema_s3_uri", "not an S3 object URI"),
    ],
)
def test_target_refuses_bad_input(args, field, words):
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: GatewayTarget("orders", {"gateway_id": "agents-0123456789", **args}))
    assert error.value.field == field and words in str(error.value)
    assert "GatewayTarget 'orders'" in str(error.value)


def test_managed_ipv6_target_on_an_ipv6_vpc_builds():
    d = deploy(lambda: GatewayTarget("v6", {"gateway_id": "agents-0123456789", "managed_vpc": managed(endpoint_ip_address_type="IPV6", vpc_has_ipv6=True), **MCP}))
    assert d.named("v6-target").inputs["privateEndpoint"]["managedVpcResource"]["endpointIpAddressType"] == "IPV6"


@pytest.mark.parametrize(
    "args, field",
    [
        ({"jwt_authorizer": {"discovery_url": "http://issuer/.well-known/openid-configuration", "allowed_clients": ["c"]}}, "jwt_authorizer.discovery_url"),
        ({"jwt_authorizer": {"discovery_url": "https://issuer/.well-known/openid-configuration"}}, "jwt_authorizer"),
        ({"role_arn": "gateway-role"}, "role_arn"),
        ({"role_arn": "arn:aws:iam::111111111111:role/g", "schema_bucket_arns": ["arn:aws:s3:::b"]}, "schema_bucket_arns"),
        ({"schema_bucket_arns": ["bucket"]}, "schema_bucket_arns[0]"),
    ],
)
def test_gateway_refuses_bad_input(args, field):
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: AgentCoreGateway("agents", args))
    assert error.value.field == field


@pytest.mark.parametrize("name", ["a--b", "-agents", "agént", "", "x" * 101])
def test_a_component_name_that_cannot_make_an_agentcore_name_needs_an_explicit_one(name):
    # AWS takes gateway names of at most 48 characters: a 40-character component name autonames past that.
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: AgentCoreGateway(name, {}))
    assert error.value.field == "name" and "give name explicitly" in str(error.value)
    with pytest.raises(InputValidationError, match="give name explicitly"):
        deploy(lambda: AgentCoreGateway("x" * 40, {}))
    deploy(lambda: AgentCoreGateway("y" * 40, {"name": "y" * 40}))  # the same name, given explicitly, is one AWS takes
    with pytest.raises(InputValidationError, match="give name explicitly"):
        deploy(lambda: GatewayTarget(name, {"gateway_id": "gw-1", "managed_vpc": managed(), **MCP}))


@pytest.mark.parametrize("name", ["a--b", "-agents", "agént", "", "x" * 101, 7])
def test_an_explicit_name_follows_agentcore_pattern(name):
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: AgentCoreGateway("agents", {"name": name}))
    assert error.value.field == "name" and ("AWS" in error.value.problem or "is not a name" in error.value.problem), error.value
    with pytest.raises(InputValidationError) as error:
        deploy(lambda: GatewayTarget("orders", {"gateway_id": "gw-1", "managed_vpc": managed(), "name": name, **MCP}))
    assert error.value.field == "name" and ("AWS" in error.value.problem or "is not a name" in error.value.problem), error.value


def test_gateway_and_target_are_autonamed_unless_named():
    def program():
        gateway = AgentCoreGateway("agents", {})
        GatewayTarget("orders", {"gateway_id": gateway.gateway_id, "managed_vpc": managed(), **MCP})
        named = AgentCoreGateway("named", {"name": "team-gateway"})
        GatewayTarget("billing", {"gateway_id": named.gateway_id, "managed_vpc": managed(), "name": "billing-tools", **MCP})

    d = deploy(program)
    # No name input: pulumi-aws autonames them from the resource name (a replacement can then create before it deletes).
    assert "name" not in d.named("agents-gateway").inputs and "name" not in d.named("orders-target").inputs
    assert d.named("named-gateway").inputs["name"] == "team-gateway"
    assert d.named("billing-target").inputs["name"] == "billing-tools"
