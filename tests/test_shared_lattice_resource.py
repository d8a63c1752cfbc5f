import pytest

from agentcore_egress.components import InputValidationError, SharedLatticeResource
from fake_cloud import deploy

GATEWAY_ACCOUNT = "333333333333"


def lattice_args(**overrides):
    args = {
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-a", "subnet-b"],
        "backend_cidrs": ["10.23.0.0/24"],
        "configurations": [
            {"name": "billing", "domain_name": "billing.tools.example.com", "port_ranges": ["443"]},
            {"name": "ledger", "ip_address": "10.23.0.50", "port_ranges": ["8000-8010"]},
        ],
        "share_with": [GATEWAY_ACCOUNT],
    }
    args.update(overrides)
    return args


def build(args):
    def program():
        lattice = SharedLatticeResource("tools", args)
        return {
            "arns": lattice.configuration_arns,
            "ids": lattice.configuration_ids,
            "gateway": lattice.resource_gateway_id,
            "share": lattice.resource_share_arn,
            "sgs": lattice.security_group_ids,
        }

    return deploy(program)


def test_gateway_configurations_and_share_are_wired_by_id():
    d = build(lattice_args(ipv4_addresses_per_eni=4))
    gateway = d.named("tools-gateway")
    assert gateway.inputs["subnetIds"] == ["subnet-a", "subnet-b"]
    assert gateway.inputs["ipv4AddressesPerEni"] == 4 and gateway.inputs["ipAddressType"] == "IPV4"
    billing, ledger = d.named("tools-config-billing"), d.named("tools-config-ledger")
    for configuration in (billing, ledger):
        assert configuration.inputs["resourceGatewayIdentifier"] == d.result["gateway"]
        assert (configuration.inputs["type"], configuration.inputs["protocol"]) == ("SINGLE", "TCP")
    assert billing.inputs["resourceConfigurationDefinition"]["dnsResource"]["domainName"] == "billing.tools.example.com"
    assert ledger.inputs["resourceConfigurationDefinition"]["ipResource"]["ipAddress"] == "10.23.0.50"
    assert ledger.inputs["portRanges"] == ["8000-8010"]
    associations = {a.name: a.inputs for a in d.of_type("aws:ram/resourceAssociation:ResourceAssociation")}
    assert associations["tools-share-resource-billing"]["resourceArn"] == d.result["arns"]["billing"]
    assert associations["tools-share-resource-ledger"]["resourceArn"] == d.result["arns"]["ledger"]
    assert all(a["resourceShareArn"] == d.result["share"] for a in associations.values())
    assert d.named("tools-share").inputs["allowExternalPrincipals"] is False
    assert d.named(f"tools-share-principal-{GATEWAY_ACCOUNT}").inputs["principal"] == GATEWAY_ACCOUNT
    assert set(d.result["ids"]) == {"billing", "ledger"}


def test_created_security_group_is_scoped_to_the_backend_ports_and_blocks():
    d = build(lattice_args())
    group = d.named("tools-sg").inputs
    assert group.get("ingress", []) == []
    assert sorted((r["fromPort"], r["toPort"]) for r in group["egress"]) == [(443, 443), (8000, 8010)]
    assert all(r["protocol"] == "tcp" and r["cidrBlocks"] == ["10.23.0.0/24"] for r in group["egress"])
    assert d.named("tools-gateway").inputs["securityGroupIds"] == [d.result["sgs"][0]]


def test_given_security_groups_are_used_and_none_is_created():
    d = build(lattice_args(security_group_ids=["sg-1", "sg-2"], backend_cidrs=None))
    assert "aws:ec2/securityGroup:SecurityGroup" not in d.types
    assert d.named("tools-gateway").inputs["securityGroupIds"] == ["sg-1", "sg-2"]


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"security_group_ids": [f"sg-{i}" for i in range(6)]}, "security_group_ids", "lists 6 security groups"),
        ({"security_group_ids": []}, "security_group_ids", "is empty"),
        ({"security_group_ids": ["sg-default"], "vpc_default_security_group_id": "sg-default"}, "security_group_ids", "default security group"),
        ({"backend_cidrs": None}, "backend_cidrs", "is needed"),
        ({"backend_cidrs": ["0.0.0.0/0"]}, "backend_cidrs[0]", "everywhere"),
        ({"share_with": []}, "share_with", "is empty"),
        ({"share_with": ["not-an-account"]}, "share_with[0]", "not a RAM principal"),
        ({"configurations": []}, "configurations", "is empty"),
        ({"configurations": [{"name": "x", "port_ranges": ["443"]}]}, "domain_name | ip_address | arn | children", "none of these"),
        ({"configurations": [{"name": "x", "ip_address": "10.0.0.1", "domain_name": "a.example.com", "port_ranges": ["443"]}]}, "domain_name | ip_address | arn | children", "exactly one"),
        ({"configurations": [{"name": "x", "ip_address": "10.0.0.300", "port_ranges": ["443"]}]}, "configurations[0].ip_address", "not an IP address"),
        ({"configurations": [{"name": "x", "ip_address": "10.0.0.3", "port_ranges": ["70000"]}]}, "configurations[0].port_ranges[0]", "not a port range"),
        ({"configurations": [{"name": "x", "ip_address": "10.0.0.3", "port_ranges": ["9000-8000"]}]}, "configurations[0].port_ranges[0]", "not a port range"),
        ({"ipv4_addresses_per_eni": 63}, "ipv4_addresses_per_eni", "out of range"),
        ({"ip_address_type": "IPV6", "ipv4_addresses_per_eni": 2}, "ipv4_addresses_per_eni", "IPV6 gateway"),
        ({"ip_address_type": "IPV5"}, "ip_address_type", "not an allowed value"),
        ({"subnet_ids": ["subnet-a", "subnet-a"]}, "subnet_ids", "repeats a subnet"),
    ],
)
def test_bad_input_is_refused(overrides, field, words):
    with pytest.raises(InputValidationError) as error:
        build(lattice_args(**overrides))
    assert error.value.field == field and words in str(error.value)


@pytest.mark.parametrize("ports", ["²", "4²3", "443-", "-443", " 443"])
def test_port_ranges_take_ascii_digits_only(ports):
    with pytest.raises(InputValidationError) as error:
        build(lattice_args(configurations=[{"name": "x", "ip_address": "10.0.0.3", "port_ranges": [ports]}]))
    assert error.value.field == "configurations[0].port_ranges[0]"
