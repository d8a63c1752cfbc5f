"""A landing zone that exists before AgentCore egress is added to it, built in a moto server with boto3, and the stacks that
add AgentCore egress to it.

- network (account NETWORK): Transit Gateway ``core`` with route tables ``spokes`` and ``shared``, shared by RAM with the
  AgentCore account; the tools VPC's attachment is associated with ``spokes`` and propagates into it.
- tools (account NETWORK too: the tool team's VPC was built there): VPC ``tools`` (10.20.0.0/16) whose route table sends
  10.0.0.0/8 to the Transit Gateway, an internal ALB ``orders`` (HTTPS 443, an Amazon-issued certificate for
  orders.tools.example.com) whose security group admits 10.50.0.0/16, a private zone tools.example.com with the alias
  orders.tools.example.com, associated with the tools VPC and with the AgentCore VPC.
- agentcore (account AGENTCORE): VPC ``agentcore`` (10.50.0.0/16), its route table with the local route only.

What the stacks add: the AgentCore VPC's attachment to ``core`` (routes to the tools VPC in its existing route table), its
acceptance by the network account's stack ``network-acceptance`` (associated with and propagating into ``spokes``), the ENIs' security group, the gateway
and its target https://orders.tools.example.com/mcp.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto_aws import REGION, account, core_transit_gateway, vpc_with_subnets

NETWORK, AGENTCORE = "111111111111", "333333333333"
ZONE_ID = "Z0BROWNFIELD0000000001"
TOOLS_CIDR, AGENTCORE_CIDR = "10.20.0.0/16", "10.50.0.0/16"


def _private_zone(aws: Any, vpcs: list[str], balancer: dict[str, Any]) -> None:
    from moto.route53.models import HostedZoneIdentifier
    from moto.utilities.id_generator import moto_id_manager

    moto_id_manager.set_custom_id(HostedZoneIdentifier(NETWORK, "tools.example.com.", None), ZONE_ID)
    route53 = aws.client("route53", NETWORK)
    route53.create_hosted_zone(Name="tools.example.com.", CallerReference="brownfield", VPC={"VPCRegion": REGION, "VPCId": vpcs[0]},
                               HostedZoneConfig={"PrivateZone": True, "Comment": "tools"})
    for vpc in vpcs[1:]:
        route53.associate_vpc_with_hosted_zone(HostedZoneId=ZONE_ID, VPC={"VPCRegion": REGION, "VPCId": vpc})
    route53.change_resource_record_sets(HostedZoneId=ZONE_ID, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": "orders.tools.example.com.", "Type": "A",
        "AliasTarget": {"HostedZoneId": balancer["CanonicalHostedZoneId"], "DNSName": balancer["DNSName"], "EvaluateTargetHealth": True}}}]})


def _load_balancer(aws: Any, vpc: str, subnets: list[str]) -> tuple[dict[str, Any], str, str]:
    ec2, elbv2 = aws.client("ec2", NETWORK), aws.client("elbv2", NETWORK)
    group = ec2.create_security_group(GroupName="orders-alb", Description="orders ALB", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": AGENTCORE_CIDR}]}])
    certificate = aws.client("acm", NETWORK).request_certificate(DomainName="orders.tools.example.com", ValidationMethod="DNS")["CertificateArn"]
    balancer = elbv2.create_load_balancer(Name="orders", Subnets=subnets, SecurityGroups=[group], Scheme="internal", Type="application")[
        "LoadBalancers"][0]
    target_group = elbv2.create_target_group(Name="orders", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=target_group, Targets=[{"Id": "10.20.0.10", "Port": 8080}])
    elbv2.create_listener(LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTPS", Port=443, Certificates=[{"CertificateArn": certificate}],
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}])
    return balancer, group, certificate


def seed(aws: Any) -> dict[str, dict[str, Any]]:
    """Build the existing landing zone in ``aws`` (a moto server); the ``existing`` section of each stack, by stack."""
    ec2 = aws.client("ec2", NETWORK)
    tools, tools_subnets = vpc_with_subnets(ec2, "tools", TOOLS_CIDR, [("10.20.0.0/24", "eu-west-1a"), ("10.20.1.0/24", "eu-west-1b")])
    agentcore, _ = vpc_with_subnets(aws.client("ec2", AGENTCORE), "agentcore", AGENTCORE_CIDR,
                                    [("10.50.0.0/24", "eu-west-1a"), ("10.50.1.0/24", "eu-west-1b")])
    gateway, spokes, shared, attachment = core_transit_gateway(ec2, tools, tools_subnets)
    ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=spokes, TransitGatewayAttachmentId=attachment)
    table = ec2.create_route_table(VpcId=tools)["RouteTable"]["RouteTableId"]
    for subnet in tools_subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=gateway["TransitGatewayId"])
    aws.client("ram", NETWORK).create_resource_share(name="core", resourceArns=[gateway["TransitGatewayArn"]], principals=[AGENTCORE])
    balancer, group, certificate = _load_balancer(aws, tools, tools_subnets)
    _private_zone(aws, [tools, agentcore], balancer)
    return {
        "network": {"transit_gateways": {"core": {"id": gateway["TransitGatewayId"], "route_tables": {"spokes": spokes, "shared": shared}}}},
        "tools": {"vpcs": {"tools": tools}, "load_balancers": {"orders": balancer["LoadBalancerArn"]}, "security_groups": {"orders-alb": group},
                  "certificates": {"orders": certificate}, "private_zones": {"tools": ZONE_ID}},
        "agentcore": {"vpcs": {"agentcore": agentcore}},
    }


def stacks(existing: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The stack files' config: what each stack names as existing, and what the stacks add for AgentCore egress."""
    return {
        "network": {"account": account(NETWORK), "existing": existing["network"]},
        "network-acceptance": {"account": account(NETWORK), "tgw_acceptances": [
            {"spoke": {"stack": "agentcore", "vpc": "agentcore"}, "hub_stack": "network", "transit_gateway": "core",
             "associate_with": "spokes", "propagate_to": ["spokes"]}]},
        "tools": {"account": account(NETWORK), "existing": existing["tools"]},
        "agentcore": {
            "account": account(AGENTCORE), "existing": existing["agentcore"],
            "tgw_spokes": [{"vpc": "agentcore", "hub_stack": "network", "transit_gateway": "core", "destinations": [TOOLS_CIDR]}],
            "security_groups": [{"name": "orders-enis", "vpc": "agentcore", "eni_cidrs": [AGENTCORE_CIDR], "backend_cidrs": [TOOLS_CIDR]}],
            "gateway": {"name": "tools"},
            "targets": [{"name": "orders", "managed": {"vpc": "agentcore", "security_groups": ["orders-enis"]},
                         "endpoint": {"mcp_server": "https://orders.tools.example.com/mcp"}}],
        },
    }


def edit_snapshot(zone: Path, stack: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Change the ``existing`` facts of ``stack``'s committed snapshot in place (its section hash kept, as when the account
    drifted before discovery)."""
    path = zone / "existing" / f"{stack}.json"
    snapshot = json.loads(path.read_text())
    change(snapshot["existing"])
    path.write_text(json.dumps(snapshot, indent=2, sort_keys=True) + "\n")


EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "landing-zones" / "brownfield"
SEED = 21
"""moto's random seed: the same ids on every run, so that the example's stack files and snapshots can be regenerated as they are."""
ABOUT = {
    "network": "Network account: the Transit Gateway another team built and shares by RAM, named with two of its route tables as segments.",
    "network-acceptance": "Network account: accepts the AgentCore VPC's new attachment, associates it with the existing route table "
                          "'spokes' and propagates it there.",
    "tools": "Network account, tool team's VPC: the VPC, internal ALB, its security group and certificate, and the private zone, all existing.",
    "agentcore": "AgentCore account: attaches the existing AgentCore VPC to the existing Transit Gateway, adds the ENIs' security group, "
                 "the gateway and its target.",
}


def _touch_backends(aws: Any) -> None:
    """Make moto create each account's backends (an EC2 backend makes a default VPC, drawing random ids) before the seed,
    so that the ids drawn after it do not depend on which accounts the server served before."""
    for account_id in (NETWORK, AGENTCORE):
        aws.client("ec2", account_id).describe_vpcs()
        aws.client("elbv2", account_id).describe_load_balancers()
        aws.client("acm", account_id).list_certificates()
        aws.client("route53", account_id).list_hosted_zones()
        aws.client("ram", account_id).get_resource_shares(resourceOwner="SELF")


def write_example(aws: Any, directory: Path) -> Path:
    """The example's stack files, seeded in ``aws`` (reset and seeded with :data:`SEED` first), with a header each."""
    import requests
    import yaml

    aws.reset()
    _touch_backends(aws)
    requests.post(f"{aws.url}/moto-api/seed?a={SEED}", timeout=10)
    directory.mkdir(parents=True, exist_ok=True)
    for name, config in stacks(seed(aws)).items():
        body = yaml.safe_dump({"config": {f"agentcore-egress:{key}": value for key, value in config.items()}}, sort_keys=False, width=200)
        (directory / f"Pulumi.{name}.yaml").write_text(f"# yaml-language-server: $schema=../../../stacks/stack-file.schema.json\n# {ABOUT[name]}\n"
                                                       "# Written by tests/brownfield.py (python tests/brownfield.py regenerates the example).\n" + body)
    return directory


if __name__ == "__main__":  # regenerate the example: its stack files, and its snapshots as discover writes them
    import os
    import shutil

    from moto_aws import MotoServer

    from agentcore_egress.cli.main import main

    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):  # credentials that reach nothing but moto
        os.environ[key] = "testing"
    for key in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        os.environ.pop(key, None)
    server = MotoServer()
    try:
        shutil.rmtree(EXAMPLE / "existing", ignore_errors=True)
        write_example(server, EXAMPLE)
        raise SystemExit(main(["discover", str(EXAMPLE), "--endpoint-url", server.url]))
    finally:
        server.stop()
