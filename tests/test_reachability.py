"""Reachability on small topologies, each with the verdict (and the broken hop) it must get."""

import json

import pulumi
import pulumi_aws as aws
import pytest

from agentcore_egress.cli.main import main
from agentcore_egress.planner.reachability import REACHABLE, UNREACHABLE, Network
from agentcore_egress.components import (
    AgentCoreGateway,
    AlbRestBackend,
    GatewayTarget,
    PeeringAcceptance,
    PeeringSpoke,
    PrivateDnsName,
    PrivateVpc,
    PublicCertificate,
    SharedLatticeResource,
    TargetSecurityGroups,
    TransitGatewayAttachmentAcceptance,
    TransitGatewayHub,
    TransitGatewaySpoke,
    account_provider,
)
from fake_cloud import deploy
from landing_zones import PEERING_EXAMPLE, TGW_EXAMPLE

ACCOUNTS = {"hub": "111111111111", "tools": "222222222222", "agents": "444444444444"}
AGENTS = ["10.250.0.0/24", "10.250.1.0/24"]
TOOLS = ["10.20.0.0/24", "10.20.1.0/24"]
ORG = "arn:aws:organizations::111111111111:organization/o-exampleorg1"


def vpc(name, octet, provider):
    return PrivateVpc(name, {"cidr_block": f"10.{octet}.0.0/16", "subnets": [
        {"name": "a", "cidr_block": f"10.{octet}.0.0/24", "availability_zone": "eu-west-1a"},
        {"name": "b", "cidr_block": f"10.{octet}.1.0/24", "availability_zone": "eu-west-1b"}]}, opts=pulumi.ResourceOptions(provider=provider))


def topology(link="tgw", propagate=True, return_route=True, eni_egress_to=None, alb_admits=None, certificate="orders.tools.example.com",
             zone_on="agents", host="orders.tools.example.com", second_route=False, sg_reference_cross_region=False, port=443,
             alb_egress_to=None, health_check_port=None, peer_route="10.250.0.0/16", sg_reference=False, tgw_sg_referencing=False):
    """An AgentCore account reaching a REST API behind an ALB in a tools account (or the same VPC)."""
    def program():
        providers = {name: account_provider(name, account_id=account, region="eu-west-1") for name, account in ACCOUNTS.items()}
        opts = {name: pulumi.ResourceOptions(provider=provider) for name, provider in providers.items()}
        agents = vpc("agents", 250, providers["agents"])
        tools = agents if link == "same" else vpc("tools", 20, providers["tools"])
        backend_blocks = AGENTS if link == "same" else TOOLS
        if link == "tgw":
            hub = TransitGatewayHub("hub", {"segments": ["spokes", "agentcore"], "share_with": [ORG],
                                            "security_group_referencing_support": tgw_sg_referencing}, opts=opts["hub"])
            for name, spoke_vpc, octet, other, segment, peer_segment in (("agents", agents, 250, 20, "agentcore", "spokes"), ("tools", tools, 20, 250, "spokes", "agentcore")):
                spoke = TransitGatewaySpoke(f"{name}-tgw", {
                    "transit_gateway_id": hub.transit_gateway_id, "vpc_id": spoke_vpc.vpc_id, "vpc_cidr": f"10.{octet}.0.0/16",
                    "subnet_ids": spoke_vpc.attachment_subnet_ids,
                    "route_table_ids": spoke_vpc.route_table_ids_by_subnet if (return_route or name == "agents") else {},
                    "destination_cidrs": [f"10.{other}.0.0/16"]} if (return_route or name == "agents") else {
                    "transit_gateway_id": hub.transit_gateway_id, "vpc_id": spoke_vpc.vpc_id, "subnet_ids": spoke_vpc.attachment_subnet_ids,
                    "route_table_ids": {"unused": "rtb-unused"}, "destination_cidrs": ["10.99.0.0/16"]}, opts=opts[name])
                TransitGatewayAttachmentAcceptance(f"{name}-acceptance", {
                    "transit_gateway_attachment_id": spoke.attachment_id, "segment_route_table_ids": hub.route_table_ids_by_segment,
                    "associate_with": segment, "propagate_to": [peer_segment] if propagate else [segment]}, opts=opts["hub"])
        elif link == "peering":
            spoke = PeeringSpoke("tools-peering", {
                "vpc_id": tools.vpc_id, "hub_vpc_id": agents.vpc_id, "hub_account_id": ACCOUNTS["agents"],
                "hub_region": "us-east-1" if sg_reference_cross_region else "eu-west-1", "hub_cidrs": [peer_route],
                "route_table_ids": tools.route_table_ids_by_subnet if return_route else {"unused": "rtb-unused"}}, opts=opts["tools"])
            PeeringAcceptance("tools-acceptance", {"peering_connection_id": spoke.peering_connection_id,
                                                   "route_table_ids": agents.route_table_ids_by_subnet, "spoke_cidrs": ["10.20.0.0/16"]}, opts=opts["agents"])
            if second_route:
                aws.ec2.Route("ambiguous", route_table_id=agents.route_table_ids_by_subnet["a"], destination_cidr_block="10.20.0.0/16",
                              transit_gateway_id="tgw-0elsewhere", opts=opts["agents"])
        cert = PublicCertificate("orders-cert", {"domain_name": certificate, "public_zone_id": "ZPUBLIC"}, opts=opts["tools"])
        eni = TargetSecurityGroups("eni", {"vpc_id": agents.vpc_id, "eni_cidrs": AGENTS, "backend_cidrs": eni_egress_to or backend_blocks,
                                           "port": port}, opts=opts["agents"])
        alb_args = {"vpc_id": tools.vpc_id, "subnet_ids": tools.subnet_ids, "certificate_arn": cert.certificate_arn,
                    "target_cidrs": alb_egress_to or backend_blocks, "target_ips": [backend_blocks[0].replace("0/24", "10")],
                    "client_cidrs": alb_admits or AGENTS}
        if sg_reference_cross_region or sg_reference:
            group = aws.ec2.SecurityGroup("alb-by-reference", vpc_id=tools.vpc_id, ingress=[
                {"protocol": "tcp", "from_port": 443, "to_port": 443, "security_groups": [eni.eni_security_group_id]}],
                egress=[{"protocol": "tcp", "from_port": 8000, "to_port": 8000, "cidr_blocks": backend_blocks}], opts=opts["tools"])
            alb_args.update(security_group_ids=[group.id])
            alb_args.pop("client_cidrs")
        if port != 443:
            group = aws.ec2.SecurityGroup("alb-other-port", vpc_id=tools.vpc_id, ingress=[
                {"protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": AGENTS}], opts=opts["tools"])
            alb_args.update(security_group_ids=[group.id])
            alb_args.pop("client_cidrs")
        if health_check_port:
            group = aws.lb.TargetGroup("orders-checked", vpc_id=tools.vpc_id, port=8000, protocol="HTTP", target_type="ip",
                                       health_check={"port": str(health_check_port)}, opts=opts["tools"])
            aws.lb.TargetGroupAttachment("orders-checked-target", target_group_arn=group.arn, target_id=alb_args.pop("target_ips")[0],
                                         port=8000, opts=opts["tools"])
            alb_args.update(target_group_arn=group.arn)
        alb = AlbRestBackend("orders", alb_args, opts=opts["tools"])
        PrivateDnsName("orders-dns", {"zone_name": "tools.example.com", "record_name": "orders.tools.example.com",
                                      "vpc_id": (agents if zone_on == "agents" else tools).vpc_id, "alias_dns_name": alb.dns_name,
                                      "alias_zone_id": alb.zone_id}, opts=opts["agents"])
        gateway = AgentCoreGateway("agents", {}, opts=opts["agents"])
        GatewayTarget("orders", {"gateway_id": gateway.gateway_id,
                                 "managed_vpc": {"vpc_id": agents.vpc_id, "subnet_ids": agents.subnet_ids, "security_group_ids": [eni.eni_security_group_id]},
                                 "mcp_server_endpoint": f"https://{host}/mcp"}, opts=opts["agents"])

    return trace(deploy(program))


def trace(deployment):
    def account(registration):
        return ACCOUNTS.get(registration.provider.rsplit("::", 1)[0].split("::")[-1], "111111111111")

    network = Network(("test", account(r), "eu-west-1", r) for r in deployment.registrations)
    targets = deployment.of_type("aws:bedrock/agentcoreGatewayTarget:AgentcoreGatewayTarget")
    assert len(targets) == 1
    return network.trace("test", targets[0])


CASES = [
    ("same-VPC ALB", {"link": "same"}, REACHABLE, None, None),
    ("cross-account TGW with propagation", {}, REACHABLE, None, None),
    ("cross-account TGW without propagation", {"propagate": False}, UNREACHABLE, "route", "enable propagation of attachment"),
    ("peering with the return route", {"link": "peering"}, REACHABLE, None, None),
    ("peering as the spoke's default route", {"link": "peering", "peer_route": "0.0.0.0/0"}, REACHABLE, None, None),
    ("peering without the return route", {"link": "peering", "return_route": False}, UNREACHABLE, "route", "(return)"),
    ("TGW without the return route", {"return_route": False}, UNREACHABLE, "route", "(return)"),
    ("ENI security group without egress to the backend", {"eni_egress_to": ["10.99.0.0/24"]}, UNREACHABLE, "ENI egress", "allow no TCP 443"),
    ("ALB security group without ingress from the ENI subnets", {"alb_admits": ["10.99.0.0/24"]}, UNREACHABLE, "backend ingress", "admit no TCP 443"),
    ("certificate for another name", {"certificate": "billing.tools.example.com"}, UNREACHABLE, "certificate", "not orders.tools.example.com"),
    ("private zone not associated with the ENI VPC", {"zone_on": "tools"}, UNREACHABLE, "DNS", "not associated with"),
    ("two equally specific routes", {"link": "peering", "second_route": True}, UNREACHABLE, "route", "ambiguous"),
    ("SG reference across an inter-region peering", {"link": "peering", "sg_reference_cross_region": True}, UNREACHABLE, "backend ingress", "across an inter-region peering"),
    ("SG reference across a peering in one region", {"link": "peering", "sg_reference": True}, REACHABLE, None, None),
    ("SG reference across a TGW without referencing support", {"sg_reference": True}, UNREACHABLE, "backend ingress",
     "security group referencing support is off"),
    ("SG reference across a TGW with referencing support", {"sg_reference": True, "tgw_sg_referencing": True}, REACHABLE, None, None),
    ("ALB security group without egress to its target", {"alb_egress_to": ["10.20.1.0/24"]}, UNREACHABLE, "forward",
     "allow no TCP 8000 (traffic) to target 10.20.0.10"),
    ("health checks on the traffic port", {"health_check_port": 8000}, REACHABLE, None, None),
    ("health checks on a port the ALB's egress lacks", {"health_check_port": 8081}, UNREACHABLE, "forward", "allow no TCP 8081 (health checks)"),
    ("URL on the ALB's AWS-generated name", {"host": "internal-orders-alb-1234567890.eu-west-1.elb.amazonaws.com"}, UNREACHABLE, "endpoint",
     "no public certificate can name a host under amazonaws.com"),
]


@pytest.mark.parametrize("label, knobs, verdict, hop, words", CASES, ids=[case[0] for case in CASES])
def test_topology_verdicts(label, knobs, verdict, hop, words):
    result = topology(**knobs)
    assert result.verdict == verdict, result.summary()
    if verdict == UNREACHABLE:
        assert result.broken.name == hop and words in result.broken.detail + result.broken.fix, result.summary()
        assert result.broken.fix, "a broken hop always says how to fix it"
    else:
        assert [h.name for h in result.hops] == ["ENIs", "DNS", "route", "ENI egress", "backend ingress", "listener", "certificate", "forward"]


def lattice_topology(listener_port=443, url_port=443, url_host="orders.tools.example.com"):
    """Self-managed: a Resource Gateway in the tools VPC, a configuration on 443, an NLB-like ALB listening on listener_port."""
    def program():
        provider = account_provider("tools", account_id=ACCOUNTS["tools"], region="eu-west-1")
        opts = pulumi.ResourceOptions(provider=provider)
        tools = vpc("tools", 20, provider)
        cert = PublicCertificate("orders-cert", {"domain_name": "orders.tools.example.com", "public_zone_id": "ZPUBLIC"}, opts=opts)
        alb = AlbRestBackend("orders", {"vpc_id": tools.vpc_id, "subnet_ids": tools.subnet_ids, "certificate_arn": cert.certificate_arn,
                                        "client_cidrs": TOOLS, "target_cidrs": TOOLS, "target_ips": ["10.20.0.10"]}, opts=opts)
        if listener_port != 443:
            aws.lb.Listener("orders-8443", load_balancer_arn=alb.load_balancer_arn, port=listener_port, protocol="HTTPS",
                            certificate_arn=cert.certificate_arn, ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
                            default_actions=[{"type": "fixed-response", "fixed_response": {"content_type": "text/plain", "status_code": "200"}}], opts=opts)
        PrivateDnsName("orders-dns", {"zone_name": "tools.example.com", "record_name": "orders.tools.example.com", "vpc_id": tools.vpc_id,
                                      "alias_dns_name": alb.dns_name, "alias_zone_id": alb.zone_id}, opts=opts)
        lattice = SharedLatticeResource("orders-lattice", {"vpc_id": tools.vpc_id, "subnet_ids": tools.subnet_ids, "backend_cidrs": TOOLS,
                                                           "configurations": [{"name": "orders", "domain_name": "orders.tools.example.com", "port_ranges": ["443"]}],
                                                           "share_with": [ACCOUNTS["agents"]]}, opts=opts)
        gateway = AgentCoreGateway("agents", {}, opts=opts)
        GatewayTarget("orders", {"gateway_id": gateway.gateway_id,
                                 "self_managed_lattice": {"resource_configuration_arn": lattice.configuration_arns.apply(lambda arns: arns["orders"])},
                                 "mcp_server_endpoint": f"https://{url_host}:{url_port}/mcp"}, opts=opts)

    return trace(deploy(program))


def test_self_managed_path_is_reachable():
    result = lattice_topology()
    assert result.verdict == REACHABLE and result.mode == "self-managed", result.summary()
    assert "local route" in result.hops[2].detail


def test_self_managed_tls_verifies_the_urls_host_not_the_configurations_domain():
    """The Resource Gateway connects to the configuration's domain (orders.tools.example.com, its certificate's name); AgentCore's
    TLS verifies the URL's host, which that certificate does not name."""
    result = lattice_topology(url_host="billing.tools.example.com")
    assert result.verdict == UNREACHABLE and result.broken.name == "certificate", result.summary()
    assert "not billing.tools.example.com" in result.broken.detail
    assert result.hops[1].detail.startswith("orders.tools.example.com → ALB")


def test_a_configuration_whose_ports_exclude_the_listener_port_is_unreachable():
    result = lattice_topology(listener_port=8443, url_port=8443)
    assert result.verdict == UNREACHABLE and result.broken.name == "resource configuration"
    assert "allows ports ['443'], the target connects to 8443" in result.broken.detail


def test_a_port_nothing_listens_on_is_unreachable():
    result = topology(host="orders.tools.example.com:8443", port=8443)
    assert result.verdict == UNREACHABLE and result.broken.name == "listener" and "no listener on 8443" in result.broken.detail


@pytest.mark.parametrize("zone", [TGW_EXAMPLE, PEERING_EXAMPLE], ids=["tgw", "peering"])
def test_every_bundled_target_is_reachable_end_to_end(capsys, zone):
    code = main(["plan", str(zone), "--format", "json", "--quiet"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["reachability"] and all(t["verdict"] == "reachable" for t in result["reachability"]), result["reachability"]


def test_an_unreachable_target_is_a_configurable_finding(capsys, tmp_path):
    from landing_zones import copy_zone, edit_stack

    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "agentcore", lambda c: c["security_groups"][0].update(backend_cidrs=["10.99.0.0/24"]))
    assert main(["plan", str(zone), "--format", "json", "--quiet"]) == 1
    result = json.loads(capsys.readouterr().out)
    findings = [f for f in result["cross_stack"] if f["policy"] == "reachability"]
    assert len(findings) == 2 and all("ENI egress" in f["message"] and "Fix: allow TCP 443 egress" in f["message"] for f in findings)
    assert findings[0]["config_path"].startswith("targets[")
    (tmp_path / "pack.json").write_text(json.dumps({"reachability": "advisory"}))
    assert main(["plan", str(zone), "--format", "json", "--quiet", "--policy-pack-config", str(tmp_path / "pack.json")]) == 0
    assert {f["level"] for f in json.loads(capsys.readouterr().out)["cross_stack"]} == {"advisory"}


@pytest.mark.parametrize("zone_name, verdict", [
    ("orders.tools.example.com", "unreachable"),      # covers orders.tools.example.com and has no record for it: NXDOMAIN
    ("v2.orders.tools.example.com", "reachable"),     # the nearest legitimate zone: more specific, but not covering the target's host
])
def test_route_53_answers_from_the_most_specific_private_zone_only(capsys, tmp_path, zone_name, verdict):
    from landing_zones import copy_zone, edit_stack

    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "agentcore", lambda c: c["private_names"].append(
        {"name": "orders-v2", "zone": zone_name, "record": "v2.orders.tools.example.com", "vpc": "agentcore",
         "load_balancer": {"stack": "tools-payments", "name": "orders-alb"}}))
    code = main(["plan", str(zone), "--format", "json", "--quiet"])
    traces = {t["target"]: t for t in json.loads(capsys.readouterr().out)["reachability"]}
    assert traces["orders-rest"]["verdict"] == verdict and code == (1 if verdict == "unreachable" else 0)
    if verdict == "unreachable":
        detail = traces["orders-rest"]["hops"][-1]["detail"]
        assert "the most specific private zone associated with" in detail and "is orders.tools.example.com" in detail
        assert "Route 53 Resolver answers NXDOMAIN and does not fall back to a less specific zone" in detail


@pytest.mark.parametrize("api_paths, verdict", [(["/orders"], "unreachable"), (["/orders", "/refunds"], "reachable")])
def test_a_target_calls_only_paths_its_private_api_has(capsys, tmp_path, api_paths, verdict):
    from landing_zones import copy_zone, edit_stack

    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "agentcore", lambda c: c["targets"][0]["endpoint"].update(paths=["/orders", "/refunds"]))
    edit_stack(zone, "tools-payments", lambda c: c["private_apis"][0].update(paths=api_paths))
    main(["plan", str(zone), "--format", "json", "--quiet"])
    trace = next(t for t in json.loads(capsys.readouterr().out)["reachability"] if t["target"] == "orders-api")
    assert trace["verdict"] == verdict, trace
    if verdict == "unreachable":
        assert "calls ['/refunds']" in trace["hops"][-1]["detail"] and "403 Missing Authentication Token" in trace["hops"][-1]["detail"]
