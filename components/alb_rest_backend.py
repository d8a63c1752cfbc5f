"""A REST API behind an internal ALB that terminates HTTPS with a public certificate."""

from typing import Optional

import pulumi

from .tls_load_balancer import LoadBalancedBackend, TlsLoadBalancerArgs

AlbRestBackendArgs = TlsLoadBalancerArgs
"""Inputs of :class:`AlbRestBackend` (target_port defaults to 8000)."""


class AlbRestBackend(LoadBalancedBackend):
    """Internal ALB with its security group, HTTPS on 443 (ACM public certificate, TLS 1.3 policy), HTTP to port 8000.

    The seed's REST API pattern. The ALB's DNS name can also serve as a managed
    target's ``routing_domain`` when the API itself only has a private certificate.
    """

    TYPE = "agentcore-egress:index:AlbRestBackend"

    load_balancer_arn: pulumi.Output[str]
    """ARN of the internal ALB."""
    dns_name: pulumi.Output[str]
    """DNS name of the ALB: the private name's alias target, or a managed target's routing_domain."""
    zone_id: pulumi.Output[str]
    """Canonical hosted zone id of the ALB, for alias records."""
    listener_arn: pulumi.Output[str]
    """ARN of the ALB's 443 HTTPS listener."""

    _LOAD_BALANCER_TYPE = "application"
    _LISTENER_PROTOCOL = "HTTPS"
    _PLAIN_PROTOCOL = "HTTP"
    _TARGET_PROTOCOL = "HTTP"
    _DEFAULT_PORT = 8000

    def __init__(self, name: str, args: TlsLoadBalancerArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__(name, args, opts)
