"""The ``agentcore-egress:existing`` section: local names for resources that already exist and that our programs never own.

A landing zone that is already there (a network account's Transit Gateway, tool teams' VPCs built by other stacks or
Terraform, private hosted zones, internal load balancers) is named here, each under a local name, by its AWS id or ARN::

    agentcore-egress:existing:
      vpcs:
        tools: vpc-0a1b2c3d4e5f60718
      transit_gateways:
        core:
          id: tgw-0a1b2c3d4e5f60718
          route_tables:                 # the TGW's route tables, as segments
            spokes: tgw-rtb-0a1b2c3d4e5f60718
      private_zones:
        internal: Z0123456789ABCDEFGHIJ
      load_balancers:
        orders: arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer/app/orders/0123456789abcdef
      certificates:
        orders: arn:aws:acm:eu-west-1:222222222222:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0
      security_groups:
        tools-enis: sg-0a1b2c3d4e5f60718
      resource_gateways:
        tools: arn:aws:vpc-lattice:eu-west-1:222222222222:resourcegateway/rgw-0a1b2c3d4e5f60718
      resource_configurations:
        mcp: arn:aws:vpc-lattice:eu-west-1:222222222222:resourceconfiguration/rcfg-0a1b2c3d4e5f60718

Every resource is in the stack's own account and region (``account``), read there with its deploy role; a VPC's subnets
and route tables come with it. ``agentcore-egress discover`` reads the facts about them into a snapshot
(:mod:`.existing_snapshot`), taken for the :func:`section_hash` of this section.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from agentcore_egress.components.validation import RESOURCE_NAME


def _matching(pattern: str, problem: str, fix: str) -> Any:
    """Text that matches ``pattern``, else one line: ``problem`` (``{value}`` is the text) and ``fix``. The JSON Schema says
    the pattern too, for editors."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise ValueError(f"{problem.format(value=repr(value))}. Fix: {fix}")
        return value

    return Annotated[str, AfterValidator(check), Field(json_schema_extra={"pattern": pattern})]


def _aws_id(pattern: str, what: str, example: str) -> Any:
    return _matching(pattern, f"is not {what}", f"give it as AWS shows it, e.g. {example}")


LocalName = _matching(RESOURCE_NAME.pattern, "is named {value}, which is not a usable local name",
                      "name it with 1-63 lowercase letters, digits and hyphens, starting with a letter or digit, e.g. tools")
VpcId = _aws_id(r"^vpc-[0-9a-f]{8,17}$", "a VPC id", "vpc-0a1b2c3d4e5f60718")
TransitGatewayId = _aws_id(r"^tgw-[0-9a-f]{8,17}$", "a Transit Gateway id", "tgw-0a1b2c3d4e5f60718")
TransitGatewayRouteTableId = _aws_id(r"^tgw-rtb-[0-9a-f]{8,17}$", "a Transit Gateway route table id", "tgw-rtb-0a1b2c3d4e5f60718")
HostedZoneId = _aws_id(r"^Z[0-9A-Z]{1,32}$", "a hosted zone id (without /hostedzone/)", "Z0123456789ABCDEFGHIJ")
SecurityGroupId = _aws_id(r"^sg-[0-9a-f]{8,17}$", "a security group id", "sg-0a1b2c3d4e5f60718")
_ARN = r"^arn:aws[a-z-]*:{service}:[a-z]{{2}}(-[a-z]+)+-\d:\d{{12}}:{resource}$"
LoadBalancerArn = _aws_id(
    _ARN.format(service="elasticloadbalancing", resource=r"loadbalancer/(app|net)/[\w-]{1,32}/[0-9a-f]{16}"),
    "an application or network load balancer's ARN", "arn:aws:elasticloadbalancing:eu-west-1:222222222222:loadbalancer/app/orders/0123456789abcdef")
CertificateArn = _aws_id(_ARN.format(service="acm", resource=r"certificate/[\w-]+"), "an ACM certificate's ARN",
                         "arn:aws:acm:eu-west-1:222222222222:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0")
ResourceGatewayArn = _aws_id(_ARN.format(service="vpc-lattice", resource=r"resourcegateway/rgw-[0-9a-z]{8,17}"), "a VPC Lattice resource gateway's ARN",
                             "arn:aws:vpc-lattice:eu-west-1:222222222222:resourcegateway/rgw-0a1b2c3d4e5f60718")
ResourceConfigurationArn = _aws_id(
    _ARN.format(service="vpc-lattice", resource=r"resourceconfiguration/rcfg-[0-9a-z]{8,17}"), "a VPC Lattice resource configuration's ARN",
    "arn:aws:vpc-lattice:eu-west-1:222222222222:resourceconfiguration/rcfg-0a1b2c3d4e5f60718")


def _by_name(kind: Any) -> Any:
    """A mapping of local names to ``kind``; the JSON Schema refuses other keys too, as the program does."""
    return Annotated[dict[LocalName, kind], Field(json_schema_extra={"additionalProperties": False})]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExistingTransitGateway(_Section):
    """A Transit Gateway (usually the network account's, shared by RAM) and those of its route tables that are segments."""

    id: TransitGatewayId
    route_tables: _by_name(TransitGatewayRouteTableId) = {}
    """Segment name → route table id: what attachments associate with and propagate to."""


class ExistingResources(_Section):
    """Resources that exist and that the stack's program reads but never creates, changes or deletes, by local name."""

    vpcs: _by_name(VpcId) = {}
    transit_gateways: _by_name(ExistingTransitGateway) = {}
    private_zones: _by_name(HostedZoneId) = {}
    load_balancers: _by_name(LoadBalancerArn) = {}
    certificates: _by_name(CertificateArn) = {}
    security_groups: _by_name(SecurityGroupId) = {}
    resource_gateways: _by_name(ResourceGatewayArn) = {}
    resource_configurations: _by_name(ResourceConfigurationArn) = {}


def section_hash(existing: ExistingResources) -> str:
    """The SHA-256 of the section's content (key order and YAML layout aside): what a snapshot was taken for."""
    canonical = json.dumps(existing.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
