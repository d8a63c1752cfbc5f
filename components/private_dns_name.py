"""A private DNS name for a backend: a Route 53 private zone and an alias to the LB or endpoint."""

from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import validation
from .base import EgressComponent, merge_tags
from .errors import InputValidationError


class AuthorizedVpcArgs(TypedDict):
    """A VPC of another account that may associate itself with the private zone."""

    name: str
    """Stable key, e.g. 'agentcore'."""
    vpc_id: pulumi.Input[str]
    """Id of the other account's VPC."""
    vpc_region: pulumi.Input[str]
    """Region of that VPC."""


class PrivateDnsNameArgs(TypedDict):
    """Inputs of :class:`PrivateDnsName`."""

    zone_name: str
    """Private zone, e.g. 'internal.example.com'."""
    record_name: str
    """Name to create in the zone, e.g. 'orders.internal.example.com'; must match the listener's certificate."""
    vpc_id: pulumi.Input[str]
    """Resource VPC the zone is associated with (where the Resource Gateway resolves the name)."""
    alias_dns_name: pulumi.Input[str]
    """DNS name of the load balancer or VPC endpoint to point at."""
    alias_zone_id: pulumi.Input[str]
    """Canonical hosted zone id of that load balancer or endpoint."""
    existing_zone_id: NotRequired[pulumi.Input[str]]
    """Use this private zone instead of creating one."""
    authorize_vpcs: NotRequired[list[AuthorizedVpcArgs]]
    """VPCs of other accounts allowed to associate with the zone (each then deploys PrivateZoneAssociation)."""
    tags: NotRequired[dict[str, str]]
    """Tags of the zone."""


class PrivateDnsName(EgressComponent):
    """Resolve a backend's name privately: zone in the resource VPC, alias to the LB or endpoint.

    The name is what AgentCore connects to, so it must equal a name on the
    listener's public certificate; the zone must be associated with the VPC
    where the Resource Gateway's ENIs resolve it. VPCs of other accounts get an
    association authorization here and associate from their own stack with
    :class:`PrivateZoneAssociation`.
    """

    TYPE = "agentcore-egress:index:PrivateDnsName"

    zone_id: pulumi.Output[str]
    """Id of the private hosted zone."""
    fqdn: pulumi.Output[str]
    """The record's name."""

    def __init__(self, name: str, args: PrivateDnsNameArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        _validate(name, args)
        super().__init__(name, opts)

        zone_id = args.get("existing_zone_id")
        if zone_id is None:
            zone = aws.route53.Zone(
                self.child_name("zone"),
                name=args["zone_name"],
                vpcs=[{"vpc_id": args["vpc_id"]}],
                comment=f"agentcore-egress private names for {name}",
                tags=merge_tags(name, args.get("tags")),
                # Associations made by other accounts are managed by their own stacks.
                opts=self.child_options(ignore_changes=["vpcs"]),
            )
            zone_id = zone.zone_id
        record = aws.route53.Record(
            self.child_name("record"),
            zone_id=zone_id,
            name=args["record_name"],
            type="A",
            aliases=[{"name": args["alias_dns_name"], "zone_id": args["alias_zone_id"], "evaluate_target_health": True}],
            opts=self.child_options(),
        )
        for vpc in args.get("authorize_vpcs") or []:
            aws.route53.VpcAssociationAuthorization(
                self.child_name(f"authorize-{vpc['name']}"),
                zone_id=zone_id,
                vpc_id=vpc["vpc_id"],
                vpc_region=vpc["vpc_region"],
                opts=self.child_options(),
            )
        self.zone_id = pulumi.Output.from_input(zone_id)
        self.fqdn = record.fqdn
        self.register_outputs({"zone_id": self.zone_id, "fqdn": self.fqdn})


def _validate(name: str, args: PrivateDnsNameArgs) -> None:
    where = f"PrivateDnsName '{name}'"
    zone = validation.domain_name(where, "zone_name", args.get("zone_name"))
    record = validation.domain_name(where, "record_name", args.get("record_name"))
    if record != zone and not record.endswith(f".{zone}"):
        raise InputValidationError(where, "record_name", record, f"is not inside the zone {zone}", f"use a name ending in .{zone}")
    for field in ("vpc_id", "alias_dns_name", "alias_zone_id"):
        validation.require(where, args, field, f"pass {field} (from the VPC and the load balancer or endpoint)")
    keys: set[str] = set()
    for index, vpc in enumerate(args.get("authorize_vpcs") or []):
        key = validation.resource_name(where, f"authorize_vpcs[{index}].name", vpc.get("name"))
        if key in keys:
            raise InputValidationError(where, f"authorize_vpcs[{index}].name", key, "is used twice", "name each VPC once")
        keys.add(key)
        validation.require(where, vpc, "vpc_id", "pass the other account's VPC id")
        if validation.is_known(vpc.get("vpc_region")):
            validation.region(where, f"authorize_vpcs[{index}].vpc_region", vpc.get("vpc_region"))
