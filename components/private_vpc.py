"""A VPC with only private subnets, the home of Resource Gateway ENIs and backends."""

import ipaddress
import re
from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import validation, vpc_blocks
from .base import EgressComponent, merge_tags
from .errors import InputValidationError

AVAILABILITY_ZONE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$")


class PrivateSubnetArgs(TypedDict):
    """One private subnet of a :class:`PrivateVpc`."""

    name: str
    """Stable key of the subnet (e.g. 'a'); names its subnet, route table and association."""
    cidr_block: str
    """IPv4 block inside one of the VPC's blocks (primary or secondary), e.g. '10.20.0.0/24'."""
    availability_zone: str
    """Availability zone name, e.g. 'eu-west-1a'."""


class PrivateVpcArgs(TypedDict):
    """Inputs of :class:`PrivateVpc`."""

    cidr_block: str
    """IPv4 block of the VPC, /16 to /28."""
    secondary_cidr_blocks: NotRequired[list[str]]
    """Up to 4 more IPv4 blocks associated with the VPC (AWS's restrictions relative to the primary block apply, see :mod:`.vpc_blocks`)."""
    subnets: list[PrivateSubnetArgs]
    """Private subnets, spread over at least two availability zones."""
    tags: NotRequired[dict[str, str]]
    """Tags added to every resource of the VPC."""


class PrivateVpc(EgressComponent):
    """A VPC with private subnets in two or more AZs and no route to the internet.

    One route table per subnet (so a spoke can steer each subnet separately),
    DNS support and hostnames on (Route 53 private zones and interface endpoints
    need both), and the VPC's default security group adopted with no rules, so
    that anything that falls back to it, as a managed-mode AgentCore target
    without security groups would, can send and receive nothing.
    """

    TYPE = "agentcore-egress:index:PrivateVpc"

    vpc_id: pulumi.Output[str]
    """Id of the VPC."""
    cidr_block: pulumi.Output[str]
    """IPv4 block of the VPC."""
    cidr_blocks: pulumi.Output[list[str]]
    """Every IPv4 block of the VPC: the primary, then the secondary ones once associated."""
    subnet_ids: pulumi.Output[list[str]]
    """Ids of all subnets, in the order given."""
    attachment_subnet_ids: pulumi.Output[list[str]]
    """One subnet id per availability zone (the first given in each): what a TGW attachment takes."""
    route_table_ids: pulumi.Output[dict[str, str]]
    """Route table id per subnet name."""
    default_security_group_id: pulumi.Output[str]
    """Id of the locked-down default security group, which nothing should use."""

    def __init__(self, name: str, args: PrivateVpcArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        subnets, secondaries = _validate(name, args)
        super().__init__(name, opts)
        tags = args.get("tags")

        vpc = aws.ec2.Vpc(
            self.child_name("vpc"),
            cidr_block=args["cidr_block"],
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=merge_tags(name, tags),
            opts=self.child_options(),
        )
        default_sg = aws.ec2.DefaultSecurityGroup(
            self.child_name("default-sg"),
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags=merge_tags(f"{name}-default-do-not-use", tags),
            opts=self.child_options(),
        )
        associations = {
            str(block): aws.ec2.VpcIpv4CidrBlockAssociation(
                self.child_name(f"cidr-{validation.slug(str(block))}"), vpc_id=vpc.id, cidr_block=str(block), opts=self.child_options()
            )
            for block in secondaries
        }
        subnet_ids: dict[str, pulumi.Output[str]] = {}
        self.route_table_ids_by_subnet: dict[str, pulumi.Output[str]] = {}
        """Route table id per subnet name, as plain keys: what spokes take."""
        for subnet in subnets:
            key = subnet["name"]
            secondary = _secondary_of(subnet, secondaries)
            created = aws.ec2.Subnet(
                self.child_name(f"subnet-{key}"),
                vpc_id=vpc.id,
                cidr_block=subnet["cidr_block"],
                availability_zone=subnet["availability_zone"],
                map_public_ip_on_launch=False,
                tags=merge_tags(f"{name}-{key}", tags),
                # A subnet in a secondary block can only be created once that block is associated.
                opts=self.child_options(depends_on=[associations[secondary]] if secondary else None),
            )
            route_table = aws.ec2.RouteTable(
                self.child_name(f"rt-{key}"), vpc_id=vpc.id, tags=merge_tags(f"{name}-{key}", tags), opts=self.child_options()
            )
            aws.ec2.RouteTableAssociation(
                self.child_name(f"rta-{key}"), subnet_id=created.id, route_table_id=route_table.id, opts=self.child_options()
            )
            subnet_ids[key] = created.id
            self.route_table_ids_by_subnet[key] = route_table.id

        first_per_az: dict[str, str] = {}
        for subnet in subnets:
            first_per_az.setdefault(subnet["availability_zone"], subnet["name"])

        self.vpc_id = vpc.id
        self.cidr_block = vpc.cidr_block
        self.cidr_blocks = pulumi.Output.all(vpc.cidr_block, *(association.cidr_block for association in associations.values()))
        self.subnet_ids = pulumi.Output.all(*subnet_ids.values())
        self.attachment_subnet_ids = pulumi.Output.all(*(subnet_ids[key] for key in first_per_az.values()))
        self.route_table_ids = pulumi.Output.all(**self.route_table_ids_by_subnet)
        self.default_security_group_id = default_sg.id
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "cidr_block": self.cidr_block,
                "cidr_blocks": self.cidr_blocks,
                "subnet_ids": self.subnet_ids,
                "attachment_subnet_ids": self.attachment_subnet_ids,
                "route_table_ids": self.route_table_ids,
                "default_security_group_id": self.default_security_group_id,
            }
        )


def _secondary_of(subnet: PrivateSubnetArgs, secondaries: list) -> str:
    """The secondary block a subnet sits in ('' for the primary)."""
    block = vpc_blocks.block_of(ipaddress.ip_network(subnet["cidr_block"]), secondaries)
    return str(block) if block else ""


def _validate(name: str, args: PrivateVpcArgs) -> tuple[list[PrivateSubnetArgs], list]:
    where = f"PrivateVpc '{name}'"
    vpc_block = validation.vpc_cidr(where, "cidr_block", args.get("cidr_block"))
    secondaries = vpc_blocks.secondary_blocks(where, "secondary_cidr_blocks", args.get("secondary_cidr_blocks"), vpc_block)
    all_blocks = [vpc_block, *secondaries]
    subnets = args.get("subnets")
    if not isinstance(subnets, list) or not subnets:
        raise InputValidationError(
            where, "subnets", subnets, "is empty", "list at least two subnets, in two availability zones"
        )
    blocks = []
    names: set[str] = set()
    zones: set[str] = set()
    for index, subnet in enumerate(subnets):
        field = f"subnets[{index}]"
        if not isinstance(subnet, dict):
            raise InputValidationError(where, field, subnet, "is not a subnet", "give {name, cidr_block, availability_zone}")
        key = validation.resource_name(where, f"{field}.name", subnet.get("name"))
        if key in names:
            raise InputValidationError(where, f"{field}.name", key, "is used by another subnet", "give every subnet its own name")
        names.add(key)
        block = validation.cidr(where, f"{field}.cidr_block", subnet.get("cidr_block"))
        if not 16 <= block.prefixlen <= 28:
            raise InputValidationError(
                where, f"{field}.cidr_block", subnet.get("cidr_block"), "is not a valid subnet size", "use a prefix length from /16 to /28"
            )
        if vpc_blocks.block_of(block, all_blocks) is None:
            inside = " or ".join(map(str, all_blocks))
            raise InputValidationError(
                where, f"{field}.cidr_block", str(block), f"is outside the VPC's blocks {inside}", f"pick a block inside {inside}"
            )
        zone = subnet.get("availability_zone")
        if not isinstance(zone, str) or not AVAILABILITY_ZONE.match(zone):
            raise InputValidationError(
                where, f"{field}.availability_zone", zone, "is not an availability zone name", "give a zone such as 'eu-west-1a'"
            )
        zones.add(zone)
        blocks.append((f"subnet {key}", block))
    validation.no_overlaps(where, "subnets", blocks)
    regions = sorted({zone[:-1] for zone in zones})
    if len(regions) > 1:
        raise InputValidationError(
            where, "subnets", sorted(zones), f"spans regions {regions}", "a VPC lives in one region: use zones of that region only"
        )
    if len(zones) < 2:
        raise InputValidationError(
            where,
            "subnets",
            sorted(zones),
            "puts every subnet in one availability zone",
            "spread the subnets over at least two availability zones, as AgentCore and the Transit Gateway need for resilience",
        )
    return subnets, secondaries
