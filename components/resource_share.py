"""A RAM share that stays inside the organization: the one way we share across accounts."""

from collections.abc import Mapping
from typing import Optional

import pulumi
import pulumi_aws as aws

from .base import EgressComponent, merge_tags


def share_inside_organization(
    owner: EgressComponent,
    role: str,
    resource_arns: Mapping[str, pulumi.Input[str]],
    principals: Mapping[str, str],
    tags: Optional[dict[str, str]] = None,
) -> aws.ram.ResourceShare:
    """Create ``{owner}-{role}``: a RAM share of ``resource_arns`` to ``principals``.

    External principals are off (the policy pack makes that mandatory): a share
    can reach accounts of the organization only, so a typo in an account id
    cannot hand a Transit Gateway or a Resource Configuration to a stranger.
    Both maps are keyed by stable strings (see ``validation.principal_key``) so
    that adding or removing one principal never renames the others' associations.
    """
    share_name = owner.child_name(role)
    share = aws.ram.ResourceShare(
        share_name,
        name=share_name,
        allow_external_principals=False,
        tags=merge_tags(share_name, tags),
        opts=owner.child_options(),
    )
    for key, arn in resource_arns.items():
        aws.ram.ResourceAssociation(
            owner.child_name(f"{role}-resource-{key}"),
            resource_arn=arn,
            resource_share_arn=share.arn,
            opts=owner.child_options(),
        )
    for key, principal in principals.items():
        aws.ram.PrincipalAssociation(
            owner.child_name(f"{role}-principal-{key}"),
            principal=principal,
            resource_share_arn=share.arn,
            opts=owner.child_options(),
        )
    return share
