"""What a stack's config may declare, validated before anything is built.

A stack file (``stacks/Pulumi.<stack>.yaml``) holds keys ``agentcore-egress:<section>``;
each section is a model below. Shapes and formats are checked by pydantic,
values by the same checks the components use; names that point at other
sections or other stacks are checked by :func:`check_references` and, across
the landing zone, by ``plan``. Every error names the file, the key path, the
bad value and the fix.
"""

from __future__ import annotations

import difflib
import re
import reprlib
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Optional, Union, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from agentcore_egress.components import validation, vpc_blocks
from agentcore_egress.components.validation import ip_network
from agentcore_egress.components.errors import InputValidationError

from .aws_regions import az_id_problem, az_problem, check_region
from .errors import MAX_QUOTED, ConfigError, shorten
from .existing_resources import ExistingResources
from .stack_file import NAMESPACE, StackFile, read_stack_file


def _check(check: Callable[..., Any]) -> Callable[[Any], Any]:
    """Adapt a component validation check to a pydantic validator (message: problem and fix)."""

    def run(value: Any) -> Any:
        try:
            check("config", "value", value)
        except InputValidationError as error:
            raise ValueError(f"{error.problem}. Fix: {error.fix}") from None
        return value

    return run


Name = Annotated[str, AfterValidator(_check(validation.resource_name))]
StackName = Annotated[str, AfterValidator(_check(validation.resource_name))]
Cidr = Annotated[str, AfterValidator(_check(validation.cidr))]
VpcCidr = Annotated[str, AfterValidator(_check(validation.vpc_cidr))]
AccountId = Annotated[str, AfterValidator(_check(validation.account_id))]
Region = Annotated[str, AfterValidator(_check(validation.region)), AfterValidator(lambda value: check_region(value) or value)]
RoleArn = Annotated[str, AfterValidator(_check(validation.role_arn))]
Principal = Annotated[str, AfterValidator(_check(validation.principal_key))]
HttpsUrl = Annotated[str, AfterValidator(_check(validation.https_url))]
DomainName = Annotated[str, AfterValidator(_check(lambda w, f, v: validation.domain_name(w, f, v, wildcard=True)))]
Port = Annotated[int, AfterValidator(_check(validation.port))]
PortRange = Annotated[str, AfterValidator(_check(validation.port_range))]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Account(Model):
    """The account this stack deploys to."""

    id: AccountId
    region: Region
    role_arn: Optional[RoleArn] = None
    tags: dict[str, str] = {}


ORGANIZATION_ID = r"^o-[a-z0-9]{10,32}$"
OU_ID = r"^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$"


class Organization(Model):
    """The AWS organization of the landing zone, declared once (in one stack, usually the network hub's).

    Every RAM share is checked against it: organization and OU principals must be this organization's,
    and sharing with AWS Organizations must be enabled for them to work.
    """

    id: str = Field(pattern=ORGANIZATION_ID)
    management_account: AccountId
    ram_sharing_enabled: bool = False
    """Whether ``aws ram enable-sharing-with-aws-organization`` ran in the management account (preflight reads it live)."""
    units: dict[Annotated[str, Field(pattern=OU_ID)], list[AccountId]] = {}
    """OUs that shares name, with the landing zone's accounts in each."""


class Subnet(Model):
    name: Name
    cidr: Cidr
    az: Optional[str] = None
    """The availability zone's name (``eu-west-1a``), which each account maps to a physical zone of its own."""
    az_id: Optional[str] = None
    """The availability zone's AZ id (``euw1-az1``), the same physical zone in every account: what subnets shared or
    placed across accounts use (https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html)."""

    @model_validator(mode="after")
    def _one_zone(self) -> "Subnet":
        if (self.az is None) == (self.az_id is None):
            raise ValueError("needs exactly one of az and az_id. Fix: give the zone's name (az: eu-west-1a) or its AZ id (az_id: euw1-az1)")
        return self

    @property
    def zone(self) -> str:
        """The zone as given, name or AZ id: two subnets of one VPC given alike are in one zone when these are equal."""
        return self.az or self.az_id or ""


class Vpc(Model):
    name: Name
    cidr: VpcCidr
    secondary_cidrs: list[VpcCidr] = []
    """Up to 4 more IPv4 blocks associated with the VPC (subnets may sit in any block); AWS limits the ranges they may come from
    relative to the primary block (e.g. no 172.16.0.0/12 or 192.168.0.0/16 block beside a 10.x primary)."""
    subnets: list[Subnet] = Field(min_length=2)

    @property
    def blocks(self) -> list[str]:
        """Every IPv4 block of the VPC: the primary, then the secondary ones."""
        return [self.cidr, *self.secondary_cidrs]


class RemoteVpc(Model):
    """A VPC declared by another stack of the landing zone."""

    stack: StackName
    vpc: Name


class RemoteName(Model):
    """A named item (private API, private name, Lattice resource…) of another stack."""

    stack: StackName
    name: Name


VpcRef = Union[Name, RemoteVpc]
"""A VPC of this stack (its name) or of another stack ({stack, vpc}), e.g. one owned by the network team."""


class TgwRoute(Model):
    """A static route of one segment's Transit Gateway route table."""

    segment: Name
    destination: Cidr


class TgwPeering(Model):
    """A peering attachment this hub requests to another hub's Transit Gateway (aws.ec2transitgateway.PeeringAttachment), in
    another region or the same one (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html). It carries traffic once the
    other hub's owner accepts it and both sides route to it by static routes (``tgw_peerings``)."""

    name: Name
    peer_stack: StackName
    """The stack of the other hub (its transit_gateway_hub), which deploys before this one."""


class TransitGatewayHub(Model):
    segments: list[Name] = Field(min_length=1)
    share_with: list[Principal] = Field(min_length=1)
    amazon_side_asn: Optional[int] = None
    security_group_referencing_support: Literal["enable", "disable"] = "disable"
    """Whether a security group of a VPC attached here may admit a group of another attached VPC by reference (inbound rules
    only, within the region); AWS turns it off by default."""
    blackhole_routes: list[TgwRoute] = []
    """Blocks a segment's route table drops (static blackhole routes); a more specific propagated or static route still wins.
    Static routes to an attachment are the acceptance's (tgw_acceptances[].static_routes): this stack deploys before the spokes."""
    peerings: list[TgwPeering] = []
    """Peering attachments this hub requests to other hubs' Transit Gateways (each side's routes are in tgw_peerings)."""


def segment_routes(routes: list[TgwRoute]) -> dict[str, list[str]]:
    """Segment → destinations, in the order given: what the components take."""
    grouped: dict[str, list[str]] = {}
    for route in routes:
        grouped.setdefault(route.segment, []).append(route.destination)
    return grouped


class TgwSpoke(Model):
    vpc: Name
    hub_stack: StackName
    destinations: list[Cidr] = Field(min_length=1)
    appliance_mode: bool = False
    transit_gateway: Optional[Name] = Field(default=None, description=(
        "An existing Transit Gateway of hub_stack to attach to (its agentcore-egress:existing.transit_gateways name); unset means hub_stack's transit_gateway_hub."))
    accept_share_invitation: bool = False
    """Accept the hub's RAM share invitation before attaching: needed in another account than the hub's while sharing with AWS
    Organizations is off (the share is then an invitation); one acceptance per hub, whichever spoke of the stack asks."""


class TgwAcceptance(Model):
    spoke: RemoteVpc
    associate_with: Name
    propagate_to: list[Name] = Field(min_length=1)
    hub_stack: Optional[StackName] = None
    """The stack with the TransitGatewayHub (or with the existing Transit Gateway); unset means this stack."""
    transit_gateway: Optional[Name] = Field(default=None, description=(
        "An existing Transit Gateway of hub_stack, or of this stack when hub_stack is unset (its agentcore-egress:existing.transit_gateways name), "
        "whose route_tables are the segments named here; unset means that stack's transit_gateway_hub."))
    static_routes: list[TgwRoute] = []
    """Static routes to this spoke's attachment in segments' route tables (e.g. 0.0.0.0/0 to an inspection or egress VPC)."""


class TgwPeeringSide(Model):
    """One side of a Transit Gateway peering: its association with a segment of that side's hub and the static routes of the
    hub's segments to it. The accepter's side (no ``accepted_in``) first accepts the peering
    (aws.ec2transitgateway.PeeringAttachmentAccepter), in a stack of the accepter hub's account and region that deploys after
    the requester's hub; the requester's side names that stack in ``accepted_in`` and deploys after it: AWS routes over a
    peering attachment only once it is accepted (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering-accept-reject.html)."""

    peering: RemoteName
    """The peering: the requester hub's stack and its transit_gateway_hub.peerings[].name."""
    hub_stack: Optional[StackName] = None
    """The stack of this side's hub (its route tables); unset means this stack."""
    accepted_in: Optional[StackName] = None
    """The requester's side only: the stack whose tgw_peerings entry accepts the peering."""
    associate_with: Name
    """Segment whose route table the peering attachment is associated with: where traffic arriving over it is routed."""
    static_routes: list[TgwRoute] = []
    """Blocks behind the other hub that segments' route tables send over the peering."""
    propagate_to: list[Name] = []
    """Refused when given: AWS propagates no routes over a Transit Gateway peering attachment."""

    @model_validator(mode="after")
    def _static_routes_only(self) -> "TgwPeeringSide":
        if self.propagate_to:
            raise ValueError(f"propagate_to {list(self.propagate_to)}: AWS propagates no routes over a Transit Gateway peering attachment, "
                             "it routes by static routes only (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html). "
                             "Fix: list the other side's blocks as static_routes of those segments instead")
        return self

    @property
    def requester(self) -> bool:
        """Whether this is the requester's side (it names the stack that accepts the peering)."""
        return self.accepted_in is not None


class PeeringSpoke(Model):
    vpc: Name
    hub: RemoteVpc
    destinations: list[Cidr] = Field(min_length=1)
    accepted: bool = False


class PeeringAcceptance(Model):
    spoke: RemoteVpc
    hub_vpc: VpcRef
    spoke_cidrs: list[Cidr] = Field(min_length=1)
    route_tables: list[Name] = []
    """Subnet names of the hub VPC whose route tables get the return routes (all of them for a local VPC)."""


class SecurityGroups(Model):
    name: Name
    vpc: VpcRef
    eni_cidrs: list[Cidr] = Field(min_length=1)
    backend_cidrs: list[Cidr] = Field(min_length=1)
    port: Port = 443


class Certificate(Model):
    name: Name
    domain: DomainName
    public_zone_id: str = Field(min_length=1)


class PrivateApi(Model):
    name: Name
    vpc: Name
    security_group: Name
    stage: str = "prod"
    paths: list[str] = ["/"]


class LoadBalancer(Model):
    name: Name
    kind: Literal["alb", "nlb"]
    vpc: Name
    certificate: Optional[Name] = None
    """One of this stack's certificates (give this or certificate_arn)."""
    certificate_arn: Optional[str] = Field(default=None, pattern=r"^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate/[\w-]+$")
    """An existing ACM certificate; the policy pack asks for it in allowedCertificateArns once preflight showed it is AMAZON_ISSUED."""
    client_cidrs: list[Cidr] = []
    client_groups: list[Union[Name, RemoteName]] = []
    """Security groups admitted on the listener by reference: this stack's security_groups (their ENI side), another stack's
    ({stack, name}), or existing groups (sg-…). Give client_cidrs, client_groups or both."""
    target_cidrs: list[Cidr] = Field(min_length=1)
    target_ips: list[str] = Field(min_length=1)
    target_port: Optional[Port] = None
    listener_port: Port = 443
    """The listener's port; a target's URL names it (https://orders.tools.example.com:8443/…) when it is not 443."""
    listener_protocol: Optional[Literal["HTTPS", "HTTP", "TLS", "TCP"]] = None
    """HTTPS (default) or HTTP for an alb, TLS (default) or TCP for an nlb. A plain listener takes no certificate, and no target
    AgentCore reaches over https can use it."""

    @property
    def protocol(self) -> str:
        """The listener's protocol: the one given, else the kind's TLS protocol."""
        return self.listener_protocol or ("HTTPS" if self.kind == "alb" else "TLS")

    @property
    def plain(self) -> bool:
        """Whether the listener speaks no TLS."""
        return self.protocol in ("HTTP", "TCP")

    @model_validator(mode="after")
    def _some_clients(self) -> "LoadBalancer":
        if not self.client_cidrs and not self.client_groups:
            raise ValueError("admits no client. Fix: give client_cidrs (the Resource Gateway ENIs' subnets) or client_groups (their security groups)")
        return self

    @model_validator(mode="after")
    def _one_certificate(self) -> "LoadBalancer":
        allowed = ("HTTPS", "HTTP") if self.kind == "alb" else ("TLS", "TCP")
        if self.protocol not in allowed:
            raise ValueError(f"listener_protocol {self.protocol!r} is not one an {self.kind} offers. Fix: use one of {list(allowed)}")
        if self.plain:
            if self.certificate is not None or self.certificate_arn is not None:
                raise ValueError(f"gives a certificate to a plain {self.protocol} listener. Fix: leave the certificate out, or make the listener {allowed[0]}")
            return self
        if (self.certificate is None) == (self.certificate_arn is None):
            raise ValueError("needs exactly one of certificate and certificate_arn. Fix: name a certificate of this stack, or give an existing one's ARN")
        return self


class PrivateName(Model):
    name: Name
    zone: Union[DomainName, Name] = Field(description=(
        "The DNS name of the private zone this entry creates, or the local name of an existing one (agentcore-egress:existing.private_zones), "
        "which gets the record"))
    record: DomainName
    vpc: VpcRef
    load_balancer: Union[Name, RemoteName]
    authorize: list[RemoteVpc] = []


class ZoneAssociation(Model):
    name: Name
    private_name: RemoteName
    vpc: VpcRef


class LatticeChild(Model):
    """One endpoint of a group configuration (a CHILD Resource Configuration)."""

    name: Name
    domain: Optional[DomainName] = None
    ip: Optional[str] = None
    ports: list[PortRange] = []
    """The group's ports when left out."""

    @model_validator(mode="after")
    def _one_endpoint(self) -> "LatticeChild":
        if (self.domain is None) == (self.ip is None):
            raise ValueError("needs exactly one of domain and ip. Fix: give the endpoint's DNS name or its IP address")
        return self


class LatticeConfiguration(Model):
    """A Resource Configuration: an endpoint by domain or ip (SINGLE), a group of endpoints (children: GROUP), or an AWS
    resource by its ARN (ARN, e.g. an RDS cluster; VPC Lattice takes its ports, so it has none)."""

    name: Name
    domain: Optional[DomainName] = None
    ip: Optional[str] = None
    arn: Optional[str] = Field(default=None, pattern=r"^arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+$")
    children: list[LatticeChild] = []
    ports: list[PortRange] = []

    @model_validator(mode="after")
    def _one_endpoint(self) -> "LatticeConfiguration":
        given = [key for key in ("domain", "ip", "arn", "children") if getattr(self, key)]
        if len(given) != 1:
            raise ValueError(f"sets {given or 'none'} of domain, ip, arn, children. Fix: give the endpoint's DNS name or IP address, "
                             "a resource's ARN, or the children of a group")
        if self.arn and self.ports:
            raise ValueError("gives ports to an ARN configuration. Fix: leave ports out: VPC Lattice takes the ports of the resource the ARN names")
        if not self.arn and not self.ports:
            raise ValueError("has no ports. Fix: list the ports to expose, e.g. ports: [\"443\"]")
        names = [child.name for child in self.children]
        if len(set(names)) != len(names):
            raise ValueError(f"repeats a child name in {names}. Fix: give each child its own name")
        return self

    def endpoint(self, child: Optional[str]) -> Optional[Any]:
        """The configuration itself, or its child of that name (None when it has none)."""
        if child is None:
            return self
        return next((item for item in self.children if item.name == child), None)


class LatticeResource(Model):
    name: Name
    vpc: Name
    backend_cidrs: list[Cidr] = []
    """Blocks the Resource Gateway's created security group may reach (needed unless security_groups is given)."""
    configurations: list[LatticeConfiguration] = Field(min_length=1)
    share_with: list[Principal] = Field(min_length=1)
    ipv4_addresses_per_eni: Optional[int] = None
    ip_address_type: Literal["IPV4", "IPV6", "DUALSTACK"] = "IPV4"
    """The address family of the Resource Gateway's ENIs: its subnets must have it."""
    security_groups: list[Name] = Field(default=[], max_length=5)
    """The Resource Gateway's own security groups: this stack's security_groups (their ENI side) or existing ones (sg-…);
    none: one is created that reaches backend_cidrs on the configurations' ports."""

    @model_validator(mode="after")
    def _some_egress(self) -> "LatticeResource":
        if not self.backend_cidrs and not self.security_groups:
            raise ValueError("gives the Resource Gateway no way out. Fix: give backend_cidrs (the blocks it may reach) or its security_groups")
        return self


class ShareAcceptance(Model):
    name: Name
    lattice: RemoteName
    organization_sharing: bool = True


class Gateway(Model):
    name: Name
    jwt_discovery_url: Optional[HttpsUrl] = None
    jwt_allowed_clients: list[str] = []


SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")


def is_security_group_id(value: str) -> bool:
    """An existing security group's id rather than the name of one this stack declares."""
    return bool(SECURITY_GROUP_ID.match(value))


class ManagedEndpoint(Model):
    vpc: VpcRef
    security_groups: list[Name] = Field(min_length=1, max_length=5)
    """Names of this stack's security_groups (their ENI side), or ids of existing groups (sg-…)."""
    ip_type: Literal["IPV4", "IPV6"] = "IPV4"
    routing_domain: Optional[str] = None


class LatticeEndpoint(Model):
    stack: StackName
    resource: Name
    configuration: Name
    child: Optional[Name] = None
    """The child of a group configuration the target reaches."""


class TargetEndpoint(Model):
    mcp_server: Optional[HttpsUrl] = None
    openapi_server: Optional[HttpsUrl] = None
    private_api: Optional[RemoteName] = None
    paths: list[str] = ["/"]

    @model_validator(mode="after")
    def _exactly_one(self) -> "TargetEndpoint":
        chosen = [key for key in ("mcp_server", "openapi_server", "private_api") if getattr(self, key) is not None]
        if len(chosen) != 1:
            raise ValueError(f"sets {chosen or 'none'} of mcp_server, openapi_server, private_api. Fix: set exactly one")
        return self


class Credential(Model):
    kind: Literal["GATEWAY_IAM_ROLE", "API_KEY", "OAUTH"]
    provider_arn: Optional[str] = None
    scopes: list[str] = []
    service: Optional[str] = None


class Target(Model):
    name: Name
    managed: Optional[ManagedEndpoint] = None
    lattice: Optional[LatticeEndpoint] = None
    endpoint: TargetEndpoint
    credential: Optional[Credential] = None

    @model_validator(mode="after")
    def _one_mode(self) -> "Target":
        if (self.managed is None) == (self.lattice is None):
            raise ValueError("needs exactly one of managed and lattice. Fix: choose managed VPC resource mode or a self-managed Lattice resource")
        return self


class StackConfig(Model):
    """Everything one account's stack may declare; only the sections present are built."""

    account: Account
    organization: Optional[Organization] = None
    transit_gateway_hub: Optional[TransitGatewayHub] = None
    vpcs: list[Vpc] = []
    tgw_spokes: list[TgwSpoke] = []
    tgw_acceptances: list[TgwAcceptance] = []
    tgw_peerings: list[TgwPeeringSide] = []
    peering_spokes: list[PeeringSpoke] = []
    peering_acceptances: list[PeeringAcceptance] = []
    security_groups: list[SecurityGroups] = []
    certificates: list[Certificate] = []
    private_apis: list[PrivateApi] = []
    load_balancers: list[LoadBalancer] = []
    private_names: list[PrivateName] = []
    zone_associations: list[ZoneAssociation] = []
    lattice_resources: list[LatticeResource] = []
    share_acceptances: list[ShareAcceptance] = []
    gateway: Optional[Gateway] = None
    targets: list[Target] = []
    existing: Optional[ExistingResources] = None

    def referenced_stacks(self) -> set[str]:
        """The stacks this one reads through stack references: its rollout dependencies."""
        return set(self._referenced_stacks)

    @cached_property
    def _referenced_stacks(self) -> frozenset[str]:
        """Walked once per config (the plan asks for every stack's at each wave and cache key)."""
        found: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, (RemoteVpc, RemoteName, LatticeEndpoint)):
                found.add(value.stack)
            if isinstance(value, BaseModel):
                for key in _fields_holding_models(type(value)):  # not every value: that was half of ordering a zone's waves
                    walk(getattr(value, key))
            elif isinstance(value, (list, tuple)):
                for item in value:
                    walk(item)

        walk(self)
        found.update(spoke.hub_stack for spoke in self.tgw_spokes)
        found.update(acceptance.hub_stack for acceptance in self.tgw_acceptances if acceptance.hub_stack)
        found.update(peering.peer_stack for peering in (self.transit_gateway_hub.peerings if self.transit_gateway_hub else []))
        found.update(stack for side in self.tgw_peerings for stack in (side.hub_stack, side.accepted_in) if stack)
        return frozenset(found)


SECTIONS = tuple(StackConfig.model_fields)


def check_references(config: StackConfig) -> list[tuple[str, Any, str]]:
    """Names that point inside the stack must exist there: (path, value, problem and fix)."""
    problems: list[tuple[str, Any, str]] = existing_name_problems(config)
    names = {kind: declared_names(config, kind) | existing_names(config, kind) for kind in EXISTING_KINDS}
    names["segments"] = set(config.transit_gateway_hub.segments) if config.transit_gateway_hub else set()

    def need(path: str, value: Any, kind: str) -> None:
        if isinstance(value, str) and value not in names[kind]:
            known = sorted(names[kind])
            problems.append((path, value, f"is not one of this stack's {kind} {known}, declared or existing. "
                                          f"Fix: declare it under agentcore-egress:{kind} or agentcore-egress:existing.{kind}, or use one of {known}"))

    for section in ("tgw_spokes", "peering_spokes", "security_groups", "private_apis", "load_balancers", "private_names", "zone_associations", "lattice_resources"):
        for index, item in enumerate(getattr(config, section)):
            need(f"{section}[{index}].vpc", item.vpc, "vpcs")
    for index, acceptance in enumerate(config.peering_acceptances):
        need(f"peering_acceptances[{index}].hub_vpc", acceptance.hub_vpc, "vpcs")
        if isinstance(acceptance.hub_vpc, RemoteVpc) and not acceptance.route_tables:
            problems.append((f"peering_acceptances[{index}].route_tables", [], "is needed for a VPC of another stack. Fix: list the hub VPC's subnet names whose route tables get the return routes"))
    for index, api in enumerate(config.private_apis):
        need(f"private_apis[{index}].security_group", api.security_group, "security_groups")
    for index, balancer in enumerate(config.load_balancers):
        if balancer.certificate is not None:
            need(f"load_balancers[{index}].certificate", balancer.certificate, "certificates")
    for index, balancer in enumerate(config.load_balancers):
        for position, group in enumerate(balancer.client_groups):
            if isinstance(group, str) and not is_security_group_id(group):
                need(f"load_balancers[{index}].client_groups[{position}]", group, "security_groups")
    for index, name in enumerate(config.private_names):
        need(f"private_names[{index}].load_balancer", name.load_balancer, "load_balancers")
        if "." not in name.zone and name.zone not in existing_names(config, "private_zones"):
            problems.append((f"private_names[{index}].zone", name.zone, "is neither a DNS name nor one of this stack's existing private_zones "
                             f"{sorted(existing_names(config, 'private_zones'))}. Fix: give the zone's DNS name (e.g. tools.example.com), "
                             "or name the existing zone under agentcore-egress:existing.private_zones"))
    for index, spoke in enumerate(config.tgw_spokes):
        if spoke.transit_gateway is not None and spoke.accept_share_invitation:
            problems.append((f"tgw_spokes[{index}].accept_share_invitation", True, "names the share of a hub these stacks create; an existing "
                             "Transit Gateway's share is not one. Fix: remove it, and accept that share's invitation in this account "
                             "(aws ram accept-resource-share-invitation) or have the owner share with AWS Organizations"))
    for index, acceptance in enumerate(config.tgw_acceptances):
        if acceptance.hub_stack is None and acceptance.transit_gateway is not None:
            problems += _existing_segment_problems(config, f"tgw_acceptances[{index}]", acceptance)
        elif acceptance.hub_stack is None:
            if config.transit_gateway_hub is None:
                problems.append((f"tgw_acceptances[{index}].hub_stack", None, "is needed: this stack has no transit_gateway_hub. Fix: name the hub's stack"))
                continue
            need(f"tgw_acceptances[{index}].associate_with", acceptance.associate_with, "segments")
            for position, segment in enumerate(acceptance.propagate_to):
                need(f"tgw_acceptances[{index}].propagate_to[{position}]", segment, "segments")
            for position, route in enumerate(acceptance.static_routes):
                need(f"tgw_acceptances[{index}].static_routes[{position}].segment", route.segment, "segments")
    problems.extend(_tgw_peering_problems(config, need))
    if config.transit_gateway_hub:
        for position, route in enumerate(config.transit_gateway_hub.blackhole_routes):
            need(f"transit_gateway_hub.blackhole_routes[{position}].segment", route.segment, "segments")
    for index, resource in enumerate(config.lattice_resources):
        for position, group in enumerate(resource.security_groups):
            if not is_security_group_id(group):
                need(f"lattice_resources[{index}].security_groups[{position}]", group, "security_groups")
    for index, target in enumerate(config.targets):
        if target.managed:
            need(f"targets[{index}].managed.vpc", target.managed.vpc, "vpcs")
            for position, group in enumerate(target.managed.security_groups):
                if not is_security_group_id(group):
                    need(f"targets[{index}].managed.security_groups[{position}]", group, "security_groups")
    for index, vpc in enumerate(config.vpcs):
        problems.extend(_block_problems(f"vpcs[{index}]", vpc))
        problems.extend(_zone_problems(f"vpcs[{index}]", vpc, config.account.region))
    if config.targets and config.gateway is None:
        problems.append(("targets", [t.name for t in config.targets], "need a gateway. Fix: declare agentcore-egress:gateway in this stack"))
    for section in ("vpcs", "security_groups", "certificates", "private_apis", "load_balancers", "private_names", "lattice_resources", "targets", "zone_associations", "share_acceptances"):
        seen: set[str] = set()
        for index, item in enumerate(getattr(config, section)):
            if item.name in seen:
                problems.append((f"{section}[{index}].name", item.name, f"is used twice in {section}. Fix: give each its own name"))
            seen.add(item.name)
    return problems


def _tgw_peering_problems(config: StackConfig, need: Callable[[str, Any, str], None]) -> list[tuple[str, Any, str]]:
    """A hub peers with another hub (not itself), each peering named once; a side on this stack's hub names its segments."""
    problems: list[tuple[str, Any, str]] = []
    seen: set[str] = set()
    for index, peering in enumerate(config.transit_gateway_hub.peerings if config.transit_gateway_hub else []):
        if peering.name in seen:
            problems.append((f"transit_gateway_hub.peerings[{index}].name", peering.name, "is used twice. Fix: give each peering its own name"))
        seen.add(peering.name)
    for index, side in enumerate(config.tgw_peerings):
        if side.hub_stack is not None:
            continue  # the hub's segments are checked with the landing zone (stacks/landing_zone.py)
        if config.transit_gateway_hub is None:
            problems.append((f"tgw_peerings[{index}].hub_stack", None, "is needed: this stack has no transit_gateway_hub. Fix: name this side's hub's stack"))
            continue
        need(f"tgw_peerings[{index}].associate_with", side.associate_with, "segments")
        for position, route in enumerate(side.static_routes):
            need(f"tgw_peerings[{index}].static_routes[{position}].segment", route.segment, "segments")
    return problems


def _zone_problems(path: str, vpc: Vpc, region: str) -> list[tuple[str, Any, str]]:
    """Each subnet's zone is one of the region's (:mod:`.aws_regions`), and a VPC's subnets name their zones one way: a name and
    an AZ id cannot be compared offline (each account maps names to zones its own way,
    https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html), and a Transit Gateway attachment takes one
    subnet per zone (two in one zone: DuplicateSubnetsInSameZone)."""
    problems = []
    for position, subnet in enumerate(vpc.subnets):
        key, problem = ("az", az_problem(subnet.az, region)) if subnet.az else ("az_id", az_id_problem(subnet.az_id or "", region))
        if problem:
            problems.append((f"{path}.subnets[{position}].{key}", subnet.zone, problem))
    if len({subnet.az is None for subnet in vpc.subnets}) > 1:
        problems.append((f"{path}.subnets", [subnet.zone for subnet in vpc.subnets], "mixes zone names (az) and AZ ids (az_id), which plan "
                         "cannot compare: each account maps names to zones its own way. Fix: give every subnet of the VPC az_id (or every one az)"))
    return problems


EXISTING_KINDS = ("vpcs", "security_groups", "certificates", "load_balancers")
"""The kinds that other sections name alike, declared in their own section or under ``existing``."""


def declared_names(config: StackConfig, kind: str) -> set[str]:
    """The names of ``kind`` (a list section) that this stack declares."""
    return {item.name for item in getattr(config, kind)}


def existing_names(config: StackConfig, kind: str) -> set[str]:
    """The local names of ``kind`` under this stack's ``agentcore-egress:existing`` section (none without one)."""
    return set(getattr(config.existing, kind)) if config.existing is not None else set()


def is_existing(config: StackConfig, kind: str, name: Any) -> bool:
    """Whether ``name`` (a plain local name) is one of this stack's existing resources of ``kind`` rather than a declared one."""
    return isinstance(name, str) and name in existing_names(config, kind) and name not in declared_names(config, kind)


def existing_segments(config: StackConfig, transit_gateway: str) -> set[str]:
    """The segments (route table names) of an existing Transit Gateway of this stack; none when it names no such gateway."""
    gateways = config.existing.transit_gateways if config.existing is not None else {}
    return set(gateways[transit_gateway].route_tables) if transit_gateway in gateways else set()


def existing_name_problems(config: StackConfig) -> list[tuple[str, Any, str]]:
    """A name both declared and existing would make every reference to it ambiguous."""
    return [(f"existing.{kind}.{name}", name, f"is both declared (agentcore-egress:{kind}) and existing. Fix: rename one")
            for kind in EXISTING_KINDS for name in sorted(declared_names(config, kind) & existing_names(config, kind))]


def _existing_segment_problems(config: StackConfig, path: str, acceptance: TgwAcceptance) -> list[tuple[str, Any, str]]:
    """An acceptance on an existing Transit Gateway of this stack: the gateway is named under ``existing``, the segments are its route tables."""
    gateways = sorted(config.existing.transit_gateways) if config.existing is not None else []
    if acceptance.transit_gateway not in gateways:
        return [(f"{path}.transit_gateway", acceptance.transit_gateway, f"is not one of this stack's existing transit_gateways {gateways}. "
                 "Fix: name it under agentcore-egress:existing.transit_gateways, or set hub_stack to the stack that does")]
    segments = existing_segments(config, acceptance.transit_gateway)
    named = ([(f"{path}.associate_with", acceptance.associate_with)] + [(f"{path}.propagate_to[{i}]", s) for i, s in enumerate(acceptance.propagate_to)]
             + [(f"{path}.static_routes[{i}].segment", route.segment) for i, route in enumerate(acceptance.static_routes)])
    return [(where, segment, f"is not a route table of existing Transit Gateway '{acceptance.transit_gateway}' {sorted(segments)}. "
             f"Fix: name it under agentcore-egress:existing.transit_gateways.{acceptance.transit_gateway}.route_tables, or use one of those")
            for where, segment in named if segment not in segments]


def _block_problems(path: str, vpc: Vpc) -> list[tuple[str, Any, str]]:
    """The secondary blocks as AWS associates them (:mod:`~agentcore_egress.components.vpc_blocks`), and each subnet inside
    one of the VPC's blocks: (path, value, problem and fix)."""
    primary = ip_network(vpc.cidr)
    try:
        blocks = [primary, *vpc_blocks.secondary_blocks("config", "secondary_cidrs", list(vpc.secondary_cidrs), primary)]
    except InputValidationError as error:
        return [(f"{path}.{error.field}", error.value, f"{error.problem}. Fix: {error.fix}")]
    inside = " or ".join(map(str, blocks))
    return [(f"{path}.subnets[{index}].cidr", subnet.cidr, f"is outside the VPC's blocks {inside}. Fix: pick a block inside {inside}, "
             "or add a secondary block (secondary_cidrs) that holds it")
            for index, subnet in enumerate(vpc.subnets) if vpc_blocks.block_of(ip_network(subnet.cidr), blocks) is None]


def _path(location: tuple) -> str:
    text = f"{NAMESPACE}:{location[0]}" if location else NAMESPACE
    for part in location[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _value_at(raw: Any, location: tuple) -> Any:
    value = raw
    for part in location:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value


def _clean_location(raw: Any, location: tuple) -> tuple:
    """Drop pydantic's union-member tags, keeping only the keys and indexes of the file."""
    kept: list = []
    value = raw
    for position, part in enumerate(location):
        last = position == len(location) - 1
        if isinstance(part, int) and isinstance(value, list) and part < len(value):
            kept.append(part)
            value = value[part]
        elif isinstance(part, str) and isinstance(value, dict) and (part in value or last):
            kept.append(part)
            value = value.get(part)
    return tuple(kept)


def _did_you_mean(location: tuple) -> str:
    """'did you mean 'x'? ' for an unknown key, from the keys its model has."""
    model: Any = StackConfig
    for part in location[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        model = _model_in(field.annotation) if field else None
    known = sorted(model.model_fields) if model else []
    close = difflib.get_close_matches(str(location[-1]), known, n=1) if location else []
    return f"did you mean '{close[0]}'? " if close else ""


def _model_in(annotation: Any) -> Any:
    """The model class inside an annotation such as ``Optional[list[Vpc]]`` (None for plain values)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=None)
def _fields_holding_models(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``model`` whose annotation names a model (``Optional[list[Vpc]]``, ``Union[str, RemoteVpc]``)."""
    return tuple(name for name, field in model.model_fields.items() if _model_in(field.annotation) is not None)


class _FileOrderRepr(reprlib.Repr):
    """reprlib's bounded repr, with mappings in the file's order (reprlib sorts them)."""

    def repr_dict(self, value: dict, level: int) -> str:
        if not value:
            return "{}"
        if level <= 0:
            return "{...}"
        items = [f"{self.repr1(key, level - 1)}: {self.repr1(item, level - 1)}" for key, item in list(value.items())[: self.maxdict]]
        return "{" + ", ".join(items) + (", ..." if len(value) > self.maxdict else "") + "}"


_QUOTING = _FileOrderRepr()
_QUOTING.maxstring, _QUOTING.maxother, _QUOTING.maxlist, _QUOTING.maxdict, _QUOTING.maxlevel = MAX_QUOTED, MAX_QUOTED, 4, 4, 2


def quoted(value: Any) -> str:
    """A user's value as an error message shows it: its repr, bounded in work and cut to one short line."""
    return shorten(_QUOTING.repr(value))


def _number_hint(item: Any, value: Any) -> str:
    """Unquoted digits where text is expected (an account id): YAML made them a number, a leading 0 an octal one."""
    if item["type"] == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return ("is a number, not text: YAML reads unquoted digits as a number (and digits after a leading 0 as octal, "
                'which changes them). Fix: quote the value as written in the file, e.g. "012345678901"')
    return ""


def parse(raw: dict[str, Any], source: str) -> StackConfig:
    """Validate a stack's ``agentcore-egress:*`` config (namespace already stripped)."""
    try:
        config = StackConfig.model_validate(raw)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = _clean_location(raw, item["loc"])
            value = _value_at(raw, location)
            if item["type"] == "missing":
                problems.append(f"{source}: {_path(location)}: is required. Fix: add it")
            elif item["type"] == "extra_forbidden":
                parent = _path(location[:-1]) if len(location) > 1 else NAMESPACE
                problems.append(f"{source}: {_path(location)}: is not a known key. Fix: {_did_you_mean(location)}check the spelling against the keys documented for {parent}")
            else:
                message = item["msg"].removeprefix("Value error, ")
                if item["type"] != "value_error":
                    message = f"is invalid: {message}"
                problems.append(f"{source}: {_path(location)}: {quoted(value)} {_number_hint(item, value) or message}")
        # A value that fits no member of a union is reported once per member: keep the first.
        unique: dict[str, str] = {}
        for problem in problems:
            unique.setdefault(problem.split(": ", 2)[1], problem)
        raise ConfigError(list(unique.values())) from None
    reference_problems = check_references(config)
    if reference_problems:
        raise ConfigError([f"{source}: {NAMESPACE}:{path}: {quoted(value)} {text}" for path, value, text in reference_problems])
    return config


def looks_like_our_namespace(namespace: str) -> bool:
    """A config namespace that is almost ours: another separator or case (``agentcore_egress``) or one letter off."""
    folded = re.sub(r"[_.\s]", "-", namespace.lower())
    return namespace != NAMESPACE and (folded == NAMESPACE or _one_edit_apart(namespace, NAMESPACE))


def _one_edit_apart(a: str, b: str) -> bool:
    """Whether one insertion, deletion, substitution or swap of neighbours turns ``a`` into ``b``."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        differ = [i for i in range(len(a)) if a[i] != b[i]]
        return len(differ) == 1 or (len(differ) == 2 and differ[1] == differ[0] + 1 and a[differ[0]] == b[differ[1]] and a[differ[1]] == b[differ[0]])
    shorter, longer = sorted((a, b), key=len)
    return any(longer[:i] + longer[i + 1:] == shorter for i in range(len(longer)))


def load_stack_file(path: Path, display: Optional[str] = None) -> StackConfig:
    """Read ``Pulumi.<stack>.yaml`` and validate its ``agentcore-egress:`` keys."""
    return parse_stack_file(read_stack_file(path, display))


def parse_stack_file(stack_file: StackFile) -> StackConfig:
    """Validate the ``agentcore-egress:`` keys of a read stack file."""
    source = stack_file.display
    document = stack_file.document
    if not isinstance(document.get("config", {}), dict):
        raise ConfigError([f"{source}: has no 'config:' mapping. Fix: put the agentcore-egress keys under config:"])
    raw = {}
    for key, value in (document.get("config") or {}).items():
        namespace, colon, section = str(key).partition(":")
        if not colon:
            raise ConfigError([f"{source}: config key {shorten(key)!r} has no namespace: Pulumi refuses keys not of the form <namespace>:<name> "
                               f"(pulumi/pulumi config.ParseKey). Fix: write {NAMESPACE}:{shorten(key)}"])
        if namespace == NAMESPACE:
            raw[section] = value
        elif looks_like_our_namespace(namespace):
            raise ConfigError([f"{source}: {shorten(key)}: namespace {shorten(namespace)!r} is not {NAMESPACE!r}: Pulumi would keep this key "
                               f"for another package and the plan would silently ignore it. Fix: write {NAMESPACE}:{shorten(section)}"])
    if not raw:
        raise ConfigError([f"{source}: declares no {NAMESPACE}: keys. Fix: add at least {NAMESPACE}:account"])
    return parse(raw, source)
