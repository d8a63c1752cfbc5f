"""The VPC owner's side of a cross-account private zone: associate the VPC with the zone."""

from typing import Optional

import pulumi
import pulumi_aws as aws
from typing_extensions import NotRequired, TypedDict

from . import validation
from .base import EgressComponent


class PrivateZoneAssociationArgs(TypedDict):
    """Inputs of :class:`PrivateZoneAssociation`."""

    zone_id: pulumi.Input[str]
    """Private zone of the resource owner (PrivateDnsName.zone_id, via a stack reference)."""
    vpc_id: pulumi.Input[str]
    """This account's VPC to associate."""
    vpc_region: NotRequired[str]
    """Region of the VPC; defaults to the provider's."""


class PrivateZoneAssociation(EgressComponent):
    """Associate this account's VPC with another account's private zone, after PrivateDnsName authorized it.

    Route 53 lets only the VPC's owner make the association, so it is a component of
    its own, deployed by the VPC account's stack once the zone owner's stack has run.
    """

    TYPE = "agentcore-egress:index:PrivateZoneAssociation"

    association_id: pulumi.Output[str]
    """Id of the zone association."""

    def __init__(self, name: str, args: PrivateZoneAssociationArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        where = f"PrivateZoneAssociation '{name}'"
        validation.require(where, args, "zone_id", "pass the zone id from the resource owner's stack")
        validation.require(where, args, "vpc_id", "pass the id of this account's VPC")
        if args.get("vpc_region") is not None:
            validation.region(where, "vpc_region", args["vpc_region"])
        super().__init__(name, opts)
        association = aws.route53.ZoneAssociation(
            self.child_name("association"),
            zone_id=args["zone_id"],
            vpc_id=args["vpc_id"],
            vpc_region=args.get("vpc_region"),
            opts=self.child_options(),
        )
        self.association_id = association.id
        self.register_outputs({"association_id": self.association_id})
