"""Random CIDRs, account ids and zone lists either build or fail with our own error."""

import ipaddress

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from agentcore_egress.components import InputValidationError, PrivateVpc, TransitGatewayHub, TransitGatewaySpoke
from fake_cloud import deploy

octet = st.integers(min_value=0, max_value=255)
# Mostly blocks inside 10.20.0.0/16 (so that many VPCs build), then any dotted quad, then junk.
cidr_text = st.one_of(
    st.builds(lambda c, p: f"10.20.{c}.0/{p}", st.sampled_from([0, 1, 2, 4, 128]), st.sampled_from([16, 17, 24, 25])),
    st.builds(lambda a, b, c, d, p: f"{a}.{b}.{c}.{d}/{p}", octet, octet, octet, octet, st.integers(min_value=0, max_value=40)),
    st.text(max_size=20),
)


def mostly(good, bad):
    """Nine draws in ten from ``good``: lists of several items still build often enough to test both outcomes."""
    return st.integers(min_value=0, max_value=9).flatmap(lambda draw: good if draw else bad)


vpc_block = mostly(st.just("10.20.0.0/16"), cidr_text)
subnet_block = mostly(st.builds("10.20.{}.0/24".format, st.integers(min_value=0, max_value=9)), cidr_text)
route_block = mostly(st.builds("10.{}.0.0/16".format, st.integers(min_value=18, max_value=99)), cidr_text)
zone = mostly(st.sampled_from(["eu-west-1a", "eu-west-1b", "eu-west-1c"]), st.sampled_from(["us-east-1a", "west", ""]))
name = mostly(st.sampled_from(["a", "b", "c", "d", "e", "f"]), st.sampled_from(["Bad Name", ""]))
subnet = st.fixed_dictionaries({"name": name, "cidr_block": subnet_block, "availability_zone": zone})
account = st.one_of(st.from_regex(r"\A\d{12}\Z"), st.text(max_size=14))

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def builds_or_refuses(program) -> str:
    try:
        deploy(program)
    except InputValidationError as error:
        assert error.field and error.fix and "Fix:" in str(error)
        event("refused")
        return "refused"
    event("built")
    return "built"


@PROPERTY_SETTINGS
@given(vpc_cidr=vpc_block, subnets=st.lists(subnet, max_size=4, unique_by=lambda s: s['name']))
def test_private_vpc_builds_or_refuses(vpc_cidr, subnets):
    outcome = builds_or_refuses(lambda: PrivateVpc("vpc", {"cidr_block": vpc_cidr, "subnets": subnets}))
    if outcome == "built":
        vpc = ipaddress.ip_network(vpc_cidr)
        blocks = [ipaddress.ip_network(s["cidr_block"]) for s in subnets]
        assert all(block.subnet_of(vpc) for block in blocks)
        assert len({s["availability_zone"] for s in subnets}) >= 2
        assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


@PROPERTY_SETTINGS
@given(principals=st.lists(st.one_of(account, st.just("arn:aws:organizations::111111111111:organization/o-exampleorg1")), max_size=3))
def test_hub_principals_build_or_refuse(principals):
    outcome = builds_or_refuses(lambda: TransitGatewayHub("hub", {"segments": ["spokes"], "share_with": principals}))
    if outcome == "built":
        assert principals and len(set(principals)) == len(principals)


@PROPERTY_SETTINGS
@given(own=vpc_block, destinations=st.lists(route_block, max_size=3))
def test_spoke_routes_build_or_refuse(own, destinations):
    args = {
        "transit_gateway_id": "tgw-1",
        "vpc_id": "vpc-1",
        "vpc_cidr": own,
        "subnet_ids": ["subnet-a"],
        "route_table_ids": {"a": "rtb-a"},
        "destination_cidrs": destinations,
    }
    outcome = builds_or_refuses(lambda: TransitGatewaySpoke("spoke", args))
    if outcome == "built":  # no destination equal to or inside the VPC's own block (one containing it is fine: longest prefix)
        own_block = ipaddress.ip_network(own)
        inside = [d for d in map(ipaddress.ip_network, destinations) if d.version == own_block.version and d.subnet_of(own_block)]
        assert destinations and inside == []


security_group = st.sampled_from(["sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6", "sg-default"])
endpoint = mostly(st.sampled_from(["https://mcp.tools.example.com/mcp", "https://x.example.com"]), st.sampled_from(["http://mcp.internal", "mcp.internal", ""]))


@PROPERTY_SETTINGS
@given(
    groups=st.lists(security_group, max_size=7),
    ip_type=mostly(st.just("IPV4"), st.sampled_from(["IPV6", "ipv4"])),
    use_lattice=st.booleans(),
    use_managed=mostly(st.just(True), st.just(False)),
    url=endpoint,
)
def test_gateway_target_builds_or_refuses(groups, ip_type, use_lattice, use_managed, url):
    from agentcore_egress.components import GatewayTarget

    args = {"gateway_id": "gw-1", "mcp_server_endpoint": url}
    if use_managed:
        args["managed_vpc"] = {
            "vpc_id": "vpc-1",
            "subnet_ids": ["subnet-a"],
            "security_group_ids": groups,
            "endpoint_ip_address_type": ip_type,
            "vpc_default_security_group_id": "sg-default",
        }
    if use_lattice:
        args["self_managed_lattice"] = {"resource_configuration_arn": "arn:aws:vpc-lattice:eu-west-1:1:resourceconfiguration/rcfg-1"}
    if builds_or_refuses(lambda: GatewayTarget("t", args)) == "built":
        assert use_managed != use_lattice and url.startswith("https://")
        if use_managed:
            assert 1 <= len(groups) <= 5 and len(set(groups)) == len(groups) and "sg-default" not in groups and ip_type == "IPV4"


@PROPERTY_SETTINGS
@given(ranges=st.lists(mostly(st.builds("{}-{}".format, st.integers(1, 9000), st.integers(1, 9000)), st.text(max_size=6)), max_size=3))
def test_lattice_port_ranges_build_or_refuse(ranges):
    from agentcore_egress.components import SharedLatticeResource

    args = {
        "vpc_id": "vpc-1",
        "subnet_ids": ["subnet-a"],
        "backend_cidrs": ["10.0.0.0/24"],
        "configurations": [{"name": "svc", "ip_address": "10.0.0.5", "port_ranges": ranges}],
        "share_with": ["222222222222"],
    }
    if builds_or_refuses(lambda: SharedLatticeResource("l", args)) == "built":
        assert ranges
        for text in ranges:
            first, _, last = text.partition("-")
            assert 1 <= int(first) <= int(last or first) <= 65535


def test_a_block_is_parsed_once_per_process_and_a_bad_one_refused_each_time():
    # A plan reads each block several times (the stack file's validation, the reachability, the AWS preconditions):
    # the same text gives the same (immutable) network; what is not a block raises every time, as ipaddress does.
    from agentcore_egress.components.validation import ip_network

    assert ip_network("10.9.0.0/16") is ip_network("10.9.0.0/16") == ipaddress.ip_network("10.9.0.0/16")
    assert ip_network("10.9.0.1/16", strict=False) == ipaddress.ip_network("10.9.0.0/16")
    for _ in range(2):
        try:
            ip_network("10.9.0.1/16")
        except ValueError as error:
            assert "host bits set" in str(error)
        else:
            raise AssertionError("a block with host bits set was accepted")
