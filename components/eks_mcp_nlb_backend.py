"""An MCP server on EKS, behind an internal NLB that terminates TLS with a public certificate."""

from typing import Optional

import pulumi

from .tls_load_balancer import LoadBalancedBackend, TlsLoadBalancerArgs

EksMcpNlbBackendArgs = TlsLoadBalancerArgs
"""Inputs of :class:`EksMcpNlbBackend` (target_port defaults to 80)."""


class EksMcpNlbBackend(LoadBalancedBackend):
    """Internal NLB with security groups, TLS on 443 (ACM public certificate, TLS 1.3 policy), TCP to port 80.

    The seed's MCP-on-EKS pattern: the NLB terminates TLS with a certificate
    AgentCore trusts and forwards plain TCP to the NGINX ingress. The cluster
    is out of scope; give its ingress targets or an existing target group.
    """

    TYPE = "agentcore-egress:index:EksMcpNlbBackend"

    load_balancer_arn: pulumi.Output[str]
    """ARN of the internal NLB."""
    dns_name: pulumi.Output[str]
    """DNS name of the NLB: the private name's alias target."""
    zone_id: pulumi.Output[str]
    """Canonical hosted zone id of the NLB, for alias records."""
    listener_arn: pulumi.Output[str]
    """ARN of the NLB's 443 TLS listener."""

    _LOAD_BALANCER_TYPE = "network"
    _LISTENER_PROTOCOL = "TLS"
    _PLAIN_PROTOCOL = "TCP"
    _TARGET_PROTOCOL = "TCP"
    _DEFAULT_PORT = 80

    def __init__(self, name: str, args: TlsLoadBalancerArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(name, args, opts)
