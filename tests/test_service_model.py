"""AgentCore inputs are checked against the service model botocore ships (bedrock-agentcore-control): what CreateGateway or
CreateGatewayTarget would refuse, `plan` refuses with the member, the value and AWS's constraint; the nearest value AWS
takes plans clean."""

import pytest

from agentcore_egress.cli.main import main
from agentcore_egress.components import InputValidationError
from agentcore_egress.components.service_model import check_request
from landing_zones import TGW_EXAMPLE, copy_zone, edit_stack

ISSUER = "https://login.example.com/realms/agents"


def plan_gateway(capsys, tmp_path, **gateway):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "agentcore", lambda c: c["gateway"].update(gateway))
    code = main(["plan", str(zone), "--quiet"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("gateway, words", [
    ({"name": "a" * 49}, "name: '" + "a" * 49 + "' does not match the pattern AWS requires, ([0-9a-zA-Z][-]?){1,48}"),
    ({"jwt_discovery_url": f"{ISSUER}/protocol/openid-connect/certs", "jwt_allowed_clients": ["agent-app"]},
     "authorizer_configuration.custom_jwt_authorizer.discovery_url: "),
])
def test_a_gateway_input_agentcore_refuses_is_bad_input(capsys, tmp_path, gateway, words):
    code, err = plan_gateway(capsys, tmp_path, **gateway)
    assert code == 2 and words in err and "(bedrock-agentcore-control CreateGateway)" in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("gateway", [
    {"name": "a" * 48},
    {"jwt_discovery_url": f"{ISSUER}/.well-known/openid-configuration", "jwt_allowed_clients": ["agent-app"]},
])
def test_the_nearest_gateway_input_agentcore_takes_plans_clean(capsys, tmp_path, gateway):
    code, err = plan_gateway(capsys, tmp_path, **gateway)
    assert code == 0, err


@pytest.mark.parametrize("request_, field, words", [
    ({"name": "orders", "gateway_identifier": "agents-0123456789", "target_configuration": {"mcp": {}}, "description": ""},
     "description", "has 0 characters; AWS takes 1 to 200 characters"),
    ({"name": "orders", "gateway_identifier": "agents-0123456789"}, "targetConfiguration", "is required by AWS"),
    ({"name": "orders", "gateway_identifier": "agents-0123456789", "target_configuration": {"mcp": {}},
      "private_endpoint": {"managed_vpc_resource": {"vpc_identifier": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-aaaaaaaa"],
                                                    "endpoint_ip_address_type": "IPV5"}}},
     "private_endpoint.managed_vpc_resource.endpoint_ip_address_type", "is not one of ['IPV4', 'IPV6']"),
])
def test_members_are_checked_for_length_presence_and_enum(request_, field, words):
    with pytest.raises(InputValidationError) as error:
        check_request("GatewayTarget 'orders'", "CreateGatewayTarget", request_)
    assert error.value.field == field and words in str(error.value)


def test_values_not_known_yet_and_keys_the_api_lacks_are_left_to_aws():
    """An id AWS mints (an output) is AWS's to check; the provider's own keys (credential_provider_configuration) have no API member."""
    import pulumi

    def request(gateway):
        return {"name": "orders", "gateway_identifier": gateway, "target_configuration": {"mcp": {}},
                "credential_provider_configuration": {"api_key": {"provider_arn": "not-an-arn"}}}

    with pytest.raises(InputValidationError, match="gateway_identifier: 'minted-by-aws' does not match"):
        check_request("GatewayTarget 'orders'", "CreateGatewayTarget", request("minted-by-aws"))
    assert check_request("GatewayTarget 'orders'", "CreateGatewayTarget", request(pulumi.Output.from_input("minted-by-aws"))) is None
