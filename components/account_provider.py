"""One explicit AWS provider per account.

Components never fall back on ambient credentials: each stack (or a test that
composes two accounts in one program) builds the provider of every account it
touches here and hands it to components through ``ResourceOptions(provider=…)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Optional

import pulumi
import pulumi_aws as aws

from . import validation


def account_provider(
    name: str,
    *,
    account_id: str,
    region: str,
    role_arn: Optional[str] = None,
    default_tags: Optional[Mapping[str, str]] = None,
    session_name: str = "agentcore-egress",
    opts: Optional[pulumi.ResourceOptions] = None,
) -> aws.Provider:
    """An ``aws.Provider`` pinned to one account and region.

    ``role_arn`` is assumed when given (the usual landing-zone deploy role);
    ``allowed_account_ids`` makes the provider refuse to act if the credentials
    resolve to any other account, which catches a wrong profile before anything
    is created in the wrong place.
    """
    where = f"account_provider '{name}'"
    validation.account_id(where, "account_id", account_id)
    validation.region(where, "region", region)
    assume_roles = None
    if role_arn is not None:
        validation.role_arn(where, "role_arn", role_arn)
        role_account = role_arn.split(":")[4]
        if role_account != account_id:
            raise validation.InputValidationError(
                where, "role_arn", role_arn, f"is in account {role_account}, not {account_id}",
                "assume a role that lives in the account this provider deploys to",
            )
        assume_roles = [aws.ProviderAssumeRoleArgs(role_arn=role_arn, session_name=session_name)]
    return aws.Provider(
        name,
        region=region,
        allowed_account_ids=[account_id],
        assume_roles=assume_roles,
        default_tags=aws.ProviderDefaultTagsArgs(tags=dict(default_tags)) if default_tags else None,
        opts=opts,
    )
