"""Security groups the components create when the caller gives none: scoped, never open."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from .base import EgressComponent, merge_tags


@dataclass(frozen=True)
class Rule:
    """TCP from ``from_port`` to ``to_port`` with the given CIDR blocks and, as sources or destinations by reference, security groups
    (``sg-…``, or ``<account>/sg-…`` for another account's)."""

    from_port: int
    to_port: int
    cidr_blocks: Sequence[str]
    description: str
    security_groups: Sequence[Any] = ()

    def as_args(self) -> dict:
        return {
            "protocol": "tcp",
            "from_port": self.from_port,
            "to_port": self.to_port,
            "cidr_blocks": list(self.cidr_blocks),
            "description": self.description,
            **({"security_groups": list(self.security_groups)} if self.security_groups else {}),
        }


def scoped_security_group(
    owner: EgressComponent,
    role: str,
    vpc_id: pulumi.Input[str],
    description: str,
    ingress: Sequence[Rule] = (),
    egress: Sequence[Rule] = (),
    tags: Optional[dict[str, str]] = None,
) -> aws.ec2.SecurityGroup:
    """``{owner}-{role}``: TCP rules only, on the given ports and blocks.

    Empty ``ingress`` or ``egress`` lists are sent explicitly, which makes the
    provider remove AWS's default allow-all egress rule instead of keeping it.
    """
    name = owner.child_name(role)
    return aws.ec2.SecurityGroup(
        name,
        vpc_id=vpc_id,
        description=description,
        ingress=[rule.as_args() for rule in ingress],
        egress=[rule.as_args() for rule in egress],
        tags=merge_tags(name, tags),
        opts=owner.child_options(),
    )


def given_or_scoped(
    owner: EgressComponent,
    given: Optional[Sequence[pulumi.Input[str]]],
    vpc_id: pulumi.Input[str],
    description: str,
    ingress: Sequence[Rule] = (),
    egress: Sequence[Rule] = (),
    tags: Optional[dict[str, str]] = None,
) -> Sequence[pulumi.Input[str]]:
    """The caller's security groups, or else one ``{owner}-sg`` scoped to ``ingress`` and ``egress``.

    Either way the resource gets security groups of its own, never the VPC's default.
    """
    if given is not None:
        return given
    return [scoped_security_group(owner, "sg", vpc_id, description, ingress, egress, tags).id]
