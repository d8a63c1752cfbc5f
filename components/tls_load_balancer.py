"""The part the NLB and ALB backends share: an internal load balancer with a TLS listener."""

import ipaddress
from collections.abc import Sequence
from typing import Any, Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import validation
from .base import EgressComponent, merge_tags, on_path
from .errors import InputValidationError
from .security_group import Rule, given_or_scoped

TLS13_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""Offers TLS 1.3 and 1.2 only; AgentCore negotiates TLS 1.3 where the listener offers it."""


class TlsLoadBalancerArgs(TypedDict):
    """Inputs shared by :class:`EksMcpNlbBackend` and :class:`AlbRestBackend`."""

    vpc_id: pulumi.Input[str]
    """Resource VPC."""
    subnet_ids: list[pulumi.Input[str]]
    """Private subnets of the load balancer, two or more AZs."""
    certificate_arn: NotRequired[pulumi.Input[str]]
    """Amazon-issued ACM certificate for the listener (PublicCertificate.certificate_arn); required unless the listener is plain."""
    listener_port: NotRequired[int]
    """Port of the listener, default 443; a target's URL names it (https://host:8443/…) when it is another."""
    listener_protocol: NotRequired[str]
    """HTTPS (the default) or HTTP for AlbRestBackend, TLS (the default) or TCP for EksMcpNlbBackend. A plain listener takes no
    certificate, and AgentCore, which reaches targets over TLS only, cannot use it."""
    client_cidrs: NotRequired[list[str]]
    """Blocks allowed to connect on 443: the Resource Gateway ENIs' subnets (this or client_security_group_ids is needed when
    security_group_ids is left out)."""
    client_security_group_ids: NotRequired[list[pulumi.Input[str]]]
    """Security groups allowed to connect on 443 by reference, e.g. the ENIs' group ('<account>/sg-…' for another account's):
    AWS matches them in the same VPC, a peered VPC of the same region, or a VPC on the same Transit Gateway with security
    group referencing enabled."""
    target_cidrs: NotRequired[list[str]]
    """Blocks of the targets, for the created security group's egress (needed when security_group_ids is left out)."""
    security_group_ids: NotRequired[list[pulumi.Input[str]]]
    """1 to 5 security groups of your own instead of the one created from client_cidrs and target_cidrs."""
    target_ips: NotRequired[list[str]]
    """Targets by IP (e.g. the ingress controller's pod or node IPs)."""
    target_instance_ids: NotRequired[list[str]]
    """Targets by EC2 instance id."""
    target_group_arn: NotRequired[pulumi.Input[str]]
    """Forward to this existing target group instead of creating one."""
    target_port: NotRequired[int]
    """Port of the targets: default 80 (the ingress controller) for EksMcpNlbBackend, 8000 for AlbRestBackend."""
    ssl_policy: NotRequired[str]
    """ELB security policy of the listener; must be a TLS 1.3 policy (ELBSecurityPolicy-TLS13-…)."""
    tags: NotRequired[dict[str, str]]
    """Tags of every resource."""


def validate(where: str, args: Any, default_port: int, protocols: tuple[str, str]) -> list[tuple[str, str]]:
    """Check the shared inputs (``protocols``: the load balancer's TLS protocol, then its plain one); return the targets as
    (key, id) pairs with stable keys."""
    validation.require(where, args, "vpc_id", "pass the resource VPC id")
    subnets = validation.require(where, args, "subnet_ids", "give the load balancer's private subnets, in two or more AZs")
    if validation.is_known(subnets) and isinstance(subnets, list) and len(subnets) < 2:
        raise InputValidationError(where, "subnet_ids", subnets, "has one subnet", "give subnets in at least two AZs")
    validation.port(where, "listener_port", args.get("listener_port", 443))
    if validation.choice(where, "listener_protocol", args.get("listener_protocol", protocols[0]), protocols) == protocols[0]:
        _validate_certificate(where, args)
    elif args.get("certificate_arn") is not None:
        raise InputValidationError(where, "certificate_arn", args["certificate_arn"], f"is given for a plain {protocols[1]} listener",
                                   f"leave the certificate out, or make the listener {protocols[0]}")
    return _validate_groups_and_targets(where, args, default_port)


def _validate_certificate(where: str, args: Any) -> None:
    validation.require(where, args, "certificate_arn", "pass PublicCertificate.certificate_arn (Amazon-issued)")
    certificate = args.get("certificate_arn")
    if validation.is_known(certificate) and (not isinstance(certificate, str) or ":acm:" not in certificate):
        raise InputValidationError(where, "certificate_arn", certificate, "is not an ACM certificate ARN", "use an Amazon-issued ACM certificate, e.g. from PublicCertificate")
    policy = args.get("ssl_policy", TLS13_POLICY)
    if not isinstance(policy, str) or not policy.startswith("ELBSecurityPolicy-TLS13-"):
        raise InputValidationError(where, "ssl_policy", policy, "is not a TLS 1.3 policy", f"use {TLS13_POLICY} or another ELBSecurityPolicy-TLS13-* policy")


def _validate_groups_and_targets(where: str, args: Any, default_port: int) -> list[tuple[str, str]]:
    validation.port(where, "target_port", args.get("target_port", default_port))

    if args.get("security_group_ids") is not None:
        validation.security_groups(where, "security_group_ids", args["security_group_ids"])
    else:
        for field in ("client_cidrs", "target_cidrs"):
            blocks = args.get(field)
            if field == "client_cidrs" and not blocks and args.get("client_security_group_ids"):
                continue
            if not isinstance(blocks, list) or not blocks:
                raise InputValidationError(
                    where, field, blocks, "is empty", "give the blocks for the created security group, or pass security_group_ids"
                )
            for index, block in enumerate(blocks):
                if validation.cidr(where, f"{field}[{index}]", block).prefixlen == 0:
                    raise InputValidationError(where, f"{field}[{index}]", block, "opens the load balancer to everywhere", "scope it to the Resource Gateway subnets and the targets")

    kind = validation.one_of(where, args, ("target_ips", "target_instance_ids", "target_group_arn"), "give target_ips, target_instance_ids or an existing target_group_arn")
    if kind == "target_group_arn":
        return []
    targets = args[kind]
    if not isinstance(targets, list) or not targets:
        raise InputValidationError(where, kind, targets, "is empty", "list at least one target")
    if len(set(targets)) != len(targets):
        raise InputValidationError(where, kind, targets, "repeats a target", "list each target once")
    for index, target in enumerate(targets):
        if kind == "target_ips":
            try:
                ipaddress.ip_address(target)
            except ValueError:
                raise InputValidationError(where, f"target_ips[{index}]", target, "is not an IP address", "give addresses such as '10.20.1.15'") from None
        elif not isinstance(target, str) or not target.startswith("i-"):
            raise InputValidationError(where, f"target_instance_ids[{index}]", target, "is not an instance id", "give ids such as 'i-0123456789abcdef0'")
    return [(validation.slug(target), target) for target in targets]


def tls_load_balancer(
    owner: EgressComponent,
    args: Any,
    targets: Sequence[tuple[str, str]],
    *,
    load_balancer_type: str,
    listener_protocol: str,
    target_protocol: str,
    default_port: int,
) -> tuple[aws.lb.LoadBalancer, aws.lb.Listener]:
    """Create ``-sg`` (unless given), ``-lb``, ``-targets`` (unless given), ``-target-<id>``s and ``-listener``."""
    tags = on_path(owner, args.get("tags"))
    port = args.get("target_port", default_port)
    listener_port = args.get("listener_port", 443)
    protocol = args.get("listener_protocol", listener_protocol)
    secured = protocol == listener_protocol
    security_group_ids = given_or_scoped(
        owner,
        args.get("security_group_ids"),
        args["vpc_id"],
        f"{owner.component_name}: TLS from the Resource Gateway, {target_protocol} to the targets",
        ingress=[Rule(listener_port, listener_port, args.get("client_cidrs") or [], f"{'TLS' if secured else protocol} from the Resource Gateway ENIs",
                      args.get("client_security_group_ids") or ())],
        egress=[Rule(port, port, args.get("target_cidrs") or [], f"{target_protocol} to the targets")],
        tags=tags,
    )
    balancer = aws.lb.LoadBalancer(
        owner.child_name("lb"),
        internal=True,
        load_balancer_type=load_balancer_type,
        subnets=args["subnet_ids"],
        security_groups=security_group_ids,
        drop_invalid_header_fields=True if load_balancer_type == "application" else None,
        tags=merge_tags(owner.component_name, tags),
        opts=owner.child_options(),
    )
    target_group_arn = args.get("target_group_arn")
    if target_group_arn is None:
        group = aws.lb.TargetGroup(
            owner.child_name("targets"),
            vpc_id=args["vpc_id"],
            port=port,
            protocol=target_protocol,
            target_type="ip" if args.get("target_ips") else "instance",
            tags=merge_tags(owner.component_name, tags),
            opts=owner.child_options(),
        )
        for key, target in targets:
            aws.lb.TargetGroupAttachment(
                owner.child_name(f"target-{key}"), target_group_arn=group.arn, target_id=target, port=port, opts=owner.child_options()
            )
        target_group_arn = group.arn
    listener = aws.lb.Listener(
        owner.child_name("listener"),
        load_balancer_arn=balancer.arn,
        port=listener_port,
        protocol=protocol,
        certificate_arn=args["certificate_arn"] if secured else None,
        ssl_policy=args.get("ssl_policy", TLS13_POLICY) if secured else None,
        default_actions=[{"type": "forward", "target_group_arn": target_group_arn}],
        tags=merge_tags(owner.component_name, tags),
        opts=owner.child_options(),
    )
    return balancer, listener


class LoadBalancedBackend(EgressComponent):
    """Base of the two load-balanced backends.

    Subclasses declare the outputs (``load_balancer_arn``, ``dns_name``,
    ``zone_id``, ``listener_arn``) themselves, because the schema analyzer reads
    output docs from the component's own class body only.
    """

    _LOAD_BALANCER_TYPE = ""
    _LISTENER_PROTOCOL = ""
    _PLAIN_PROTOCOL = ""
    _TARGET_PROTOCOL = ""
    _DEFAULT_PORT = 0

    def __init__(self, name: str, args: TlsLoadBalancerArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        targets = validate(f"{type(self).__name__} '{name}'", args, self._DEFAULT_PORT, (self._LISTENER_PROTOCOL, self._PLAIN_PROTOCOL))
        super().__init__(name, opts)
        balancer, listener = tls_load_balancer(
            self,
            args,
            targets,
            load_balancer_type=self._LOAD_BALANCER_TYPE,
            listener_protocol=self._LISTENER_PROTOCOL,
            target_protocol=self._TARGET_PROTOCOL,
            default_port=self._DEFAULT_PORT,
        )
        self.load_balancer_arn = balancer.arn
        self.dns_name = balancer.dns_name
        self.zone_id = balancer.zone_id
        self.listener_arn = listener.arn
        self.register_outputs(
            {"load_balancer_arn": self.load_balancer_arn, "dns_name": self.dns_name, "zone_id": self.zone_id, "listener_arn": self.listener_arn}
        )
