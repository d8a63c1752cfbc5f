"""The seed's scenarios, end to end, each in a few lines of components.

Each function builds one scenario in the current Pulumi program and returns its
components. Pass explicit providers (``account_provider``) for the accounts;
``None`` uses the program's default provider, as in a single-account stack.
In a landing zone the parts deployed by different accounts live in their own
stacks (see ``stacks/``); here they compose in one program, which is how the
tests check them.

    a. managed mode → private API Gateway
    b. managed mode → MCP server on EKS behind an internal NLB
    c. managed mode → REST API behind an internal ALB
    d. self-managed Lattice → REST API behind an ALB, shared with RAM to another gateway account
    e. managed mode across accounts through a Transit Gateway hub
"""

from __future__ import annotations

import json
from typing import Optional

import pulumi

from agentcore_egress.components import (
    AgentCoreGateway,
    AlbRestBackend,
    EksMcpNlbBackend,
    GatewayTarget,
    PrivateApiGatewayBackend,
    PrivateDnsName,
    PrivateVpc,
    PrivateZoneAssociation,
    PublicCertificate,
    ResourceShareAcceptance,
    SharedLatticeResource,
    TargetSecurityGroups,
    TransitGatewayAttachmentAcceptance,
    TransitGatewayHub,
    TransitGatewaySpoke,
)

REGION = "eu-west-1"
PUBLIC_ZONE_ID = "Z0EXAMPLEPUBLIC1"  # the public zone of example.com, for ACM's DNS validation
ORGANIZATION = "arn:aws:organizations::111111111111:organization/o-exampleorg1"


def _opts(provider: Optional[pulumi.ProviderResource]) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(provider=provider)


def tools_vpc(name: str, octet: int, provider=None) -> tuple[PrivateVpc, list[str]]:
    """A /16 with two private /24s; returns the VPC and its subnet blocks."""
    blocks = [f"10.{octet}.0.0/24", f"10.{octet}.1.0/24"]
    vpc = PrivateVpc(
        name,
        {
            "cidr_block": f"10.{octet}.0.0/16",
            "subnets": [
                {"name": "a", "cidr_block": blocks[0], "availability_zone": f"{REGION}a"},
                {"name": "b", "cidr_block": blocks[1], "availability_zone": f"{REGION}b"},
            ],
        },
        opts=_opts(provider),
    )
    return vpc, blocks


def openapi(server_url: str, path: str = "/orders") -> str:
    """A minimal OpenAPI 3 document whose single server is ``server_url``."""
    return json.dumps(
        {
            "openapi": "3.0.1",
            "info": {"title": "orders", "version": "1.0"},
            "servers": [{"url": server_url}],
            "paths": {path: {"get": {"operationId": "listOrders", "responses": {"200": {"description": "the orders"}}}}},
        }
    )


def _load_balanced_backend(kind, name: str, vpc: PrivateVpc, blocks: list[str], host: str, provider=None, **extra):
    """Certificate, internal load balancer and private name for ``host`` in ``vpc``."""
    certificate = PublicCertificate(f"{name}-cert", {"domain_name": host, "public_zone_id": PUBLIC_ZONE_ID}, opts=_opts(provider))
    backend = kind(
        name,
        {
            "vpc_id": vpc.vpc_id,
            "subnet_ids": vpc.subnet_ids,
            "certificate_arn": certificate.certificate_arn,
            "client_cidrs": blocks,
            "target_cidrs": blocks,
            **extra,
        },
        opts=_opts(provider),
    )
    dns = PrivateDnsName(
        f"{name}-dns",
        {
            "zone_name": host.split(".", 1)[1],
            "record_name": host,
            "vpc_id": vpc.vpc_id,
            "alias_dns_name": backend.dns_name,
            "alias_zone_id": backend.zone_id,
        },
        opts=_opts(provider),
    )
    return certificate, backend, dns


def _managed(vpc: PrivateVpc, eni_sg) -> dict:
    return {"vpc_id": vpc.vpc_id, "subnet_ids": vpc.subnet_ids, "security_group_ids": [eni_sg]}


def managed_private_api(provider=None) -> dict:
    """(a) Managed mode → a private API Gateway behind its execute-api endpoint."""
    vpc, blocks = tools_vpc("tools", 20, provider)
    groups = TargetSecurityGroups("orders-api-sgs", {"vpc_id": vpc.vpc_id, "eni_cidrs": blocks, "backend_cidrs": blocks}, opts=_opts(provider))
    api = PrivateApiGatewayBackend(
        "orders-api",
        {
            "vpc_id": vpc.vpc_id,
            "subnet_ids": vpc.subnet_ids,
            "security_group_ids": [groups.backend_security_group_id],
            "region": REGION,
            "api_definition": openapi("https://orders.internal"),
        },
        opts=_opts(provider),
    )
    gateway = AgentCoreGateway("agents", {}, opts=_opts(provider))
    target = GatewayTarget(
        "orders-api",
        {
            "gateway_id": gateway.gateway_id,
            "managed_vpc": _managed(vpc, groups.eni_security_group_id),
            "open_api_schema": api.invoke_url.apply(openapi),
            "credential": {"kind": "GATEWAY_IAM_ROLE", "service": "execute-api"},
        },
        opts=_opts(provider),
    )
    return {"vpc": vpc, "security_groups": groups, "api": api, "gateway": gateway, "target": target}


def _managed_behind_load_balancer(kind, vpc_name: str, octet: int, name: str, host: str, target_config: dict, provider=None) -> dict:
    """A resource VPC, a load-balanced backend at ``host`` and a managed-mode target to it, in one account."""
    vpc, blocks = tools_vpc(vpc_name, octet, provider)
    groups = TargetSecurityGroups(f"{name}-sgs", {"vpc_id": vpc.vpc_id, "eni_cidrs": blocks, "backend_cidrs": blocks}, opts=_opts(provider))
    certificate, backend, dns = _load_balanced_backend(
        kind, name, vpc, blocks, host, provider, target_ips=[f"10.{octet}.0.10", f"10.{octet}.1.10"]
    )
    gateway = AgentCoreGateway("agents", {}, opts=_opts(provider))
    target = GatewayTarget(
        name,
        {"gateway_id": gateway.gateway_id, "managed_vpc": _managed(vpc, groups.eni_security_group_id), **target_config},
        opts=_opts(provider),
    )
    return {"vpc": vpc, "security_groups": groups, "certificate": certificate, "backend": backend, "dns": dns, "gateway": gateway, "target": target}


def managed_eks_mcp(provider=None) -> dict:
    """(b) Managed mode → an MCP server on EKS behind an internal NLB (TLS 443 → TCP 80)."""
    return _managed_behind_load_balancer(
        EksMcpNlbBackend, "eks", 21, "mcp", "mcp.tools.example.com", {"mcp_server_endpoint": "https://mcp.tools.example.com/mcp"}, provider
    )


def managed_alb_rest(provider=None) -> dict:
    """(c) Managed mode → a REST API behind an internal ALB (HTTPS 443 → HTTP 8000)."""
    api_key = "arn:aws:bedrock-agentcore:eu-west-1:111111111111:token-vault/default/apikeycredentialprovider/orders"
    return _managed_behind_load_balancer(
        AlbRestBackend,
        "rest",
        22,
        "orders",
        "orders.tools.example.com",
        {"open_api_schema": openapi("https://orders.tools.example.com"), "credential": {"kind": "API_KEY", "provider_arn": api_key}},
        provider,
    )


def self_managed_shared_rest(resource_provider=None, gateway_provider=None, gateway_account: str = "333333333333") -> dict:
    """(d) Self-managed Lattice → a REST API behind an ALB, shared with RAM to another gateway account."""
    vpc, blocks = tools_vpc("shared", 23, resource_provider)
    certificate, alb, dns = _load_balanced_backend(
        AlbRestBackend, "billing", vpc, blocks, "billing.tools.example.com", resource_provider, target_ips=["10.23.0.30"]
    )
    lattice = SharedLatticeResource(
        "billing-lattice",
        {
            "vpc_id": vpc.vpc_id,
            "subnet_ids": vpc.subnet_ids,
            "backend_cidrs": blocks,
            "configurations": [{"name": "billing", "domain_name": "billing.tools.example.com", "port_ranges": ["443"]}],
            "share_with": [gateway_account],
        },
        opts=_opts(resource_provider),
    )
    acceptance = ResourceShareAcceptance("billing-share", {"share_arn": lattice.resource_share_arn}, opts=_opts(gateway_provider))
    gateway = AgentCoreGateway("agents", {}, opts=_opts(gateway_provider))
    target = GatewayTarget(
        "billing",
        {
            "gateway_id": gateway.gateway_id,
            "self_managed_lattice": {"resource_configuration_arn": lattice.configuration_arns.apply(lambda arns: arns["billing"])},
            "open_api_schema": openapi("https://billing.tools.example.com"),
            "credential": {"kind": "OAUTH", "provider_arn": "arn:aws:bedrock-agentcore:eu-west-1:333333333333:token-vault/default/oauth2credentialprovider/billing", "scopes": ["billing/read"]},
        },
        opts=_opts(gateway_provider).merge(pulumi.ResourceOptions(depends_on=[acceptance])),
    )
    return {"vpc": vpc, "certificate": certificate, "alb": alb, "dns": dns, "lattice": lattice, "acceptance": acceptance, "gateway": gateway, "target": target}


def managed_across_transit_gateway(hub_provider=None, resource_provider=None, gateway_provider=None) -> dict:
    """(e) Managed mode across accounts: the target's ENIs sit in the gateway account's VPC and reach
    the resource account's ALB through the Transit Gateway hub; the private zone is shared to that VPC."""
    hub = TransitGatewayHub("hub", {"segments": ["spokes", "agentcore"], "share_with": [ORGANIZATION]}, opts=_opts(hub_provider))
    resource_vpc, resource_blocks = tools_vpc("payments", 24, resource_provider)
    agent_vpc, agent_blocks = tools_vpc("agentcore", 250, gateway_provider)
    spokes = {}
    for name, vpc, provider, octet, peer_octet, segment, propagate in (
        ("payments", resource_vpc, resource_provider, 24, 250, "spokes", "agentcore"),
        ("agentcore", agent_vpc, gateway_provider, 250, 24, "agentcore", "spokes"),
    ):
        spoke = TransitGatewaySpoke(
            f"{name}-tgw",
            {
                "transit_gateway_id": hub.transit_gateway_id,
                "vpc_id": vpc.vpc_id,
                "vpc_cidr": f"10.{octet}.0.0/16",
                "subnet_ids": vpc.attachment_subnet_ids,
                "route_table_ids": vpc.route_table_ids_by_subnet,
                "destination_cidrs": [f"10.{peer_octet}.0.0/16"],
            },
            opts=_opts(provider),
        )
        TransitGatewayAttachmentAcceptance(
            f"{name}-acceptance",
            {
                "transit_gateway_attachment_id": spoke.attachment_id,
                "segment_route_table_ids": hub.route_table_ids_by_segment,
                "associate_with": segment,
                "propagate_to": [propagate],
            },
            opts=_opts(hub_provider),
        )
        spokes[name] = spoke
    certificate, alb, dns = _load_balanced_backend(
        AlbRestBackend, "payments-api", resource_vpc, resource_blocks, "payments.tools.example.com", resource_provider,
        target_ips=["10.24.0.40"], client_cidrs=agent_blocks,
    )
    association = PrivateZoneAssociation(
        "payments-zone", {"zone_id": dns.zone_id, "vpc_id": agent_vpc.vpc_id, "vpc_region": REGION}, opts=_opts(gateway_provider)
    )
    groups = TargetSecurityGroups(
        "payments-sgs", {"vpc_id": agent_vpc.vpc_id, "eni_cidrs": agent_blocks, "backend_cidrs": resource_blocks}, opts=_opts(gateway_provider)
    )
    gateway = AgentCoreGateway("agents", {}, opts=_opts(gateway_provider))
    target = GatewayTarget(
        "payments",
        {
            "gateway_id": gateway.gateway_id,
            "managed_vpc": _managed(agent_vpc, groups.eni_security_group_id),
            "open_api_schema": openapi("https://payments.tools.example.com"),
            "credential": {"kind": "GATEWAY_IAM_ROLE"},
        },
        opts=_opts(gateway_provider),
    )
    return {"hub": hub, "spokes": spokes, "alb": alb, "dns": dns, "association": association, "gateway": gateway, "target": target}
