"""After a rollout: do the live accounts still obey the policy pack? Read-only boto3, the pack's own rules.

Live resources are described with the pulumi-aws properties the rules read and
judged by the pack's own policies through the runner ``plan`` uses, configured
from the same policy config (:mod:`agentcore_egress.policies.described_resources`),
so a rule fixed once is fixed for both. What it reads, per account and region:

- EC2: VPCs, security groups (default groups with rules), network interfaces
  and interface endpoints (ENIs that use a default group), Transit Gateways,
  their VPC attachments and VPC peerings (overlapping blocks);
- API Gateway: REST APIs (PRIVATE, endpoint-scoped policy);
- RAM: resource shares owned by the account (external principals);
- ELBv2 and ACM: load balancers (scheme, security groups), their HTTPS/TLS
  listeners (TLS policy) and the certificates on them (private CA, imported);
- VPC Lattice: Resource Gateways (security groups);
- AgentCore: gateways and their targets (https endpoints, managed-mode security groups).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from agentcore_egress.policies import resource_types as t
from agentcore_egress.policies.__main__ import PACK_NAME
from agentcore_egress.policies.described_resources import DescribedResource, configured_runner, judge
from agentcore_egress.policies.rules import RULES

from .account_pool import run_bounded
from .aws_accounts import ACCOUNT_BUDGET, AccountSession, describe_error, is_unsupported
from agentcore_egress.stacks.landing_zone import LandingZone
from .preflight import PARALLEL_ACCOUNTS, SessionFactory


@dataclass(frozen=True)
class AuditFinding:
    account: str
    region: str
    stack: str
    policy: str
    level: str
    message: str
    resource: str


class AuditAccessError(RuntimeError):
    """Accounts or their services could not be read; the text has one line per account."""


def _rules(permissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """EC2 IpPermissions as the ingress/egress blocks of aws.ec2.SecurityGroup."""
    rules = []
    for permission in permissions:
        rules.append({
            "protocol": permission.get("IpProtocol"),
            "fromPort": permission.get("FromPort", 0),
            "toPort": permission.get("ToPort", 0),
            "cidrBlocks": [r["CidrIp"] for r in permission.get("IpRanges", [])],
            "ipv6CidrBlocks": [r["CidrIpv6"] for r in permission.get("Ipv6Ranges", [])],
            "securityGroups": [g["GroupId"] for g in permission.get("UserIdGroupPairs", [])],
        })
    return rules


def describe_live(session: AccountSession) -> tuple[list[DescribedResource], list[str]]:
    """The account's resources the rules look at, and notes on what the endpoint could not tell."""
    resources: list[DescribedResource] = []
    notes: list[str] = []
    groups: dict[str, DescribedResource] = {}
    resources.extend(_network(session, groups))
    for label, section in (("load balancers", lambda: _load_balancers(session)), ("Resource Gateways", lambda: _resource_gateways(session, groups)),
                           ("AgentCore gateway targets", lambda: _gateway_targets(session))):
        try:
            resources.extend(section())
        except (ClientError, BotoCoreError, ResponseParserError) as error:
            if not is_unsupported(error):
                raise
            notes.append(f"{label} not read: {describe_error(error)}")
    return resources, notes


def _network(session: AccountSession, groups: dict[str, DescribedResource]) -> list[DescribedResource]:
    resources: list[DescribedResource] = []

    for vpc in session.paginate("ec2", "describe_vpcs", "Vpcs"):
        resources.append(DescribedResource(t.VPC, vpc["VpcId"], vpc["VpcId"], {"id": vpc["VpcId"], "cidrBlock": vpc["CidrBlock"]}))
    vpcs = {r.id: r for r in resources}
    for group in session.paginate("ec2", "describe_security_groups", "SecurityGroups"):
        props = {"vpcId": group.get("VpcId"), "ingress": _rules(group.get("IpPermissions", [])), "egress": _rules(group.get("IpPermissionsEgress", []))}
        if group["GroupName"] == "default":
            live = DescribedResource(t.DEFAULT_SECURITY_GROUP, f"default ({group.get('VpcId')})", group["GroupId"], props)
            if group.get("VpcId") in vpcs:
                vpcs[group["VpcId"]].props["defaultSecurityGroupId"] = group["GroupId"]
        else:
            live = DescribedResource(t.SECURITY_GROUP, group["GroupName"], group["GroupId"], props)
        groups[group["GroupId"]] = live
        resources.append(live)
    for interface in session.paginate("ec2", "describe_network_interfaces", "NetworkInterfaces"):
        resources.append(DescribedResource(t.NETWORK_INTERFACE, interface["NetworkInterfaceId"], interface["NetworkInterfaceId"],
                                      {"securityGroups": [g["GroupId"] for g in interface.get("Groups", [])], "description": interface.get("Description", "")}))
    for endpoint in session.paginate("ec2", "describe_vpc_endpoints", "VpcEndpoints"):
        if endpoint.get("VpcEndpointType") != "Interface":
            continue
        resources.append(DescribedResource(t.VPC_ENDPOINT, endpoint["VpcEndpointId"], endpoint["VpcEndpointId"],
                                      {"vpcEndpointType": "Interface", "serviceName": endpoint.get("ServiceName"),
                                       "securityGroupIds": [g["GroupId"] for g in endpoint.get("Groups", [])]}))
    for gateway in session.paginate("ec2", "describe_transit_gateways", "TransitGateways"):
        options = gateway.get("Options", {})
        resources.append(DescribedResource(t.TRANSIT_GATEWAY, gateway["TransitGatewayId"], gateway["TransitGatewayId"], {
            "autoAcceptSharedAttachments": options.get("AutoAcceptSharedAttachments", "disable"),
            "defaultRouteTableAssociation": options.get("DefaultRouteTableAssociation", "enable"),
            "defaultRouteTablePropagation": options.get("DefaultRouteTablePropagation", "enable"),
        }))
    for attachment in session.paginate("ec2", "describe_transit_gateway_vpc_attachments", "TransitGatewayVpcAttachments"):
        resources.append(DescribedResource(t.TGW_VPC_ATTACHMENT, attachment["TransitGatewayAttachmentId"], attachment["TransitGatewayAttachmentId"],
                                      {"transitGatewayId": attachment.get("TransitGatewayId"), "vpcId": attachment.get("VpcId")}))
    for peering in session.paginate("ec2", "describe_vpc_peering_connections", "VpcPeeringConnections"):
        resources.append(DescribedResource(t.PEERING, peering["VpcPeeringConnectionId"], peering["VpcPeeringConnectionId"], {
            "vpcId": peering.get("RequesterVpcInfo", {}).get("VpcId"), "peerVpcId": peering.get("AccepterVpcInfo", {}).get("VpcId")}))
    for api in session.paginate("apigateway", "get_rest_apis", "items"):
        configuration = api.get("endpointConfiguration", {})
        resources.append(DescribedResource(t.REST_API, api.get("name", api["id"]), api["id"], {
            "endpointConfiguration": {"types": configuration.get("types", []), "vpcEndpointIds": configuration.get("vpcEndpointIds", [])},
            "policy": api.get("policy"),
        }))
    for share in session.paginate("ram", "get_resource_shares", "resourceShares", resourceOwner="SELF"):
        if share.get("status") in ("DELETED", "DELETING"):
            continue
        resources.append(DescribedResource(t.RESOURCE_SHARE, share["name"], share["resourceShareArn"],
                                      {"allowExternalPrincipals": share.get("allowExternalPrincipals", True)}))
    return resources


def _load_balancers(session: AccountSession) -> list[DescribedResource]:
    resources: list[DescribedResource] = []
    certificates: dict[str, DescribedResource] = {}
    acm = session.client("acm")
    balancers = [b for b in session.paginate("elbv2", "describe_load_balancers", "LoadBalancers") if b.get("Type") != "gateway"]
    tags = _load_balancer_tags(session, [b["LoadBalancerArn"] for b in balancers])
    for balancer in balancers:
        live_balancer = DescribedResource(t.LB, balancer["LoadBalancerName"], balancer["LoadBalancerArn"], {
            "internal": balancer.get("Scheme") == "internal",
            "loadBalancerType": balancer.get("Type", "application"),
            "securityGroups": balancer.get("SecurityGroups", []),
            "tags": tags.get(balancer["LoadBalancerArn"], {}),
        })
        resources.append(live_balancer)
        for listener in session.paginate("elbv2", "describe_listeners", "Listeners", LoadBalancerArn=balancer["LoadBalancerArn"]):
            arns = [c["CertificateArn"] for c in listener.get("Certificates", [])]
            depends = []
            for arn in arns:
                if arn not in certificates:
                    certificates[arn] = _certificate(acm, arn)
                depends.append(certificates[arn])
            resources.append(DescribedResource(t.LB_LISTENER, f"{balancer['LoadBalancerName']}:{listener.get('Port')}", listener["ListenerArn"], {
                "protocol": listener.get("Protocol"), "port": listener.get("Port"), "sslPolicy": listener.get("SslPolicy"),
                "certificateArn": arns[0] if arns else None,
            }, depends_on={"certificateArn": depends, "loadBalancerArn": [live_balancer]}))
    return resources + list(certificates.values())


def _load_balancer_tags(session: AccountSession, arns: list[str]) -> dict[str, dict[str, str]]:
    """Tags per load balancer ARN (the AgentCore-path rules judge load balancers tagged agentcore-egress:path)."""
    tags: dict[str, dict[str, str]] = {}
    for start in range(0, len(arns), 20):  # DescribeTags takes at most 20 ARNs
        for description in session.client("elbv2").describe_tags(ResourceArns=arns[start:start + 20]).get("TagDescriptions", []):
            tags[description["ResourceArn"]] = {tag["Key"]: tag.get("Value", "") for tag in description.get("Tags", [])}
    return tags


def _certificate(acm: Any, arn: str) -> DescribedResource:
    if ":iam:" in arn:
        return DescribedResource(t.IAM_SERVER_CERTIFICATE, arn.rsplit("/", 1)[-1], arn, {"certificateBody": "<imported>"})
    certificate = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    props: dict[str, Any] = {"domainName": certificate.get("DomainName")}
    if certificate.get("Type") == "PRIVATE" or certificate.get("CertificateAuthorityArn"):
        props["certificateAuthorityArn"] = certificate.get("CertificateAuthorityArn", "<private CA>")
    if certificate.get("Type") == "IMPORTED":
        props["certificateBody"] = "<imported>"
    return DescribedResource(t.ACM_CERTIFICATE, certificate.get("DomainName", arn), arn, props)


def _resource_gateways(session: AccountSession, groups: dict[str, DescribedResource]) -> list[DescribedResource]:
    resources = []
    lattice = session.client("vpc-lattice")
    for summary in session.paginate("vpc-lattice", "list_resource_gateways", "items"):
        gateway = lattice.get_resource_gateway(resourceGatewayIdentifier=summary["id"])
        group_ids = gateway.get("securityGroupIds", [])
        resources.append(DescribedResource(t.RESOURCE_GATEWAY, gateway.get("name", summary["id"]), gateway.get("arn", summary["id"]),
                                      {"securityGroupIds": group_ids, "subnetIds": gateway.get("subnetIds", [])},
                                      depends_on={"securityGroupIds": [groups[g] for g in group_ids if g in groups]}))
    return resources


def _gateway_targets(session: AccountSession) -> list[DescribedResource]:
    resources = []
    control = session.client("bedrock-agentcore-control")
    for gateway in session.paginate("bedrock-agentcore-control", "list_gateways", "items"):
        for summary in session.paginate("bedrock-agentcore-control", "list_gateway_targets", "items", gatewayIdentifier=gateway["gatewayId"]):
            target = control.get_gateway_target(gatewayIdentifier=gateway["gatewayId"], targetId=summary["targetId"])
            resources.append(DescribedResource(t.GATEWAY_TARGET, f"{gateway.get('name', gateway['gatewayId'])}/{target.get('name')}",
                                          target.get("gatewayArn", "") + f"/target/{target['targetId']}",
                                          {"targetConfiguration": target.get("targetConfiguration", {}), "privateEndpoint": target.get("privateEndpoint", {})}))
    return resources


@dataclass
class AuditResult:
    findings: list[AuditFinding]
    notes: list[str]
    accounts: int
    resources: int


def run_audit(zone: LandingZone, sessions: SessionFactory, policy_config: Optional[dict[str, Any]] = None,
              parallel: int = PARALLEL_ACCOUNTS, budget: float = ACCOUNT_BUDGET) -> AuditResult:
    """Judge every (account, region) of the landing zone once, ``parallel`` at a time, each within ``budget`` seconds;
    results in stack order. Raise AuditAccessError, one line per account, when any cannot be read."""
    targets: dict[tuple[str, str], str] = {}
    for name in zone.order():
        account = zone.stacks[name].config.account
        targets.setdefault((account.id, account.region), name)

    def read(name: str) -> tuple[list[DescribedResource], list[str]]:
        account = zone.stacks[name].config.account
        return describe_live(sessions(account.id, account.region, account.role_arn))

    outcomes = run_bounded([lambda name=name: read(name) for name in targets.values()], parallel, budget)
    runner = configured_runner(PACK_NAME, RULES, policy_config)
    findings: list[AuditFinding] = []
    notes: list[str] = []
    problems: list[str] = []
    count = 0
    for ((account_id, region), name), outcome in zip(targets.items(), outcomes):
        if outcome.error is not None:
            if not isinstance(outcome.error, (ClientError, BotoCoreError, ResponseParserError)):
                raise outcome.error
            problems.append(describe_error(outcome.error, account_id, f"reading {region}"))
            continue
        resources, unread = outcome.value
        count += len(resources)
        notes.extend(f"account {account_id} {region}: {note}" for note in unread)
        for verdict in judge(runner, resources):
            findings.append(AuditFinding(account_id, region, name, verdict.policy, verdict.level, verdict.message,
                                         verdict.resource.id if verdict.resource else ""))
    if problems:
        raise AuditAccessError("\n".join(problems))
    return AuditResult(findings, notes, len(targets), count)
