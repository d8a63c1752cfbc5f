"""Checks shared by the components' argument validation.

Each check takes a ``where`` (the component type and resource name, e.g.
``"PrivateVpc 'payments'"``) and the field path, and raises
:class:`InputValidationError` with the fix. Values that are not known yet
(``pulumi.Output``) are skipped: they come from other resources that AWS
validates, and blocking on them would make preview impossible.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pulumi

from .errors import InputValidationError

ACCOUNT_ID = re.compile(r"^\d{12}$")
REGION = re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx|cn)(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d$")
ROLE_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
ORGANIZATION_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:organizations::\d{12}:organization/o-[a-z0-9]{10,32}$")
OU_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$")
RESOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def is_known(value: Any) -> bool:
    """True for plain values; False for outputs and other not-yet-known inputs."""
    return not isinstance(value, (pulumi.Output,)) and not hasattr(value, "__await__")


def require(where: str, args: Mapping[str, Any], field: str, fix: str) -> Any:
    value = args.get(field)
    if value is None or (isinstance(value, (list, tuple, dict, str)) and len(value) == 0):
        raise InputValidationError(where, field, value, "is required", fix)
    return value


def cidr(where: str, field: str, value: Any) -> ipaddress.IPv4Network:
    """Parse an IPv4 CIDR block as AWS accepts it for VPCs, subnets and routes."""
    if not isinstance(value, str):
        raise InputValidationError(where, field, value, "is not a CIDR block", "give a string such as '10.20.0.0/16'")
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise InputValidationError(where, field, value, "is not a CIDR block", "give an IPv4 block such as '10.20.0.0/16'") from None
        raise InputValidationError(
            where, field, value, "has host bits set", f"use the network address, '{network.with_prefixlen}'"
        ) from None
    if network.version != 4:
        raise InputValidationError(where, field, value, "is not an IPv4 CIDR block", "give an IPv4 block such as '10.20.0.0/16'")
    return network


def vpc_cidr(where: str, field: str, value: Any) -> ipaddress.IPv4Network:
    network = cidr(where, field, value)
    if not 16 <= network.prefixlen <= 28:
        raise InputValidationError(
            where, field, value, "is not a valid VPC size", "AWS accepts VPC blocks from /16 to /28; pick a prefix length in that range"
        )
    return network


def no_overlaps(where: str, field: str, networks: Iterable[tuple[str, ipaddress.IPv4Network]]) -> None:
    """Fail on the first pair of overlapping blocks, naming both."""
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    for label, network in sorted(networks, key=lambda item: item[1]):
        for other_label, other in seen:
            if network.overlaps(other):
                raise InputValidationError(
                    where,
                    field,
                    str(network),
                    f"({label}) overlaps {other} ({other_label})",
                    "give each block its own, non-overlapping range",
                )
        seen.append((label, network))


def account_id(where: str, field: str, value: Any) -> str:
    if not isinstance(value, str) or not ACCOUNT_ID.match(value):
        raise InputValidationError(where, field, value, "is not an AWS account id", "give the 12-digit account id as a string, e.g. '111111111111'")
    return value


def region(where: str, field: str, value: Any) -> str:
    if not isinstance(value, str) or not REGION.match(value):
        raise InputValidationError(where, field, value, "is not an AWS region name", "give a region such as 'eu-west-1' or 'us-east-1'")
    return value


def role_arn(where: str, field: str, value: Any) -> str:
    if not isinstance(value, str) or not ROLE_ARN.match(value):
        raise InputValidationError(
            where, field, value, "is not an IAM role ARN", "give the role to assume, e.g. 'arn:aws:iam::111111111111:role/pulumi-deploy'"
        )
    return value


def resource_name(where: str, field: str, value: Any) -> str:
    if not isinstance(value, str) or not RESOURCE_NAME.match(value):
        raise InputValidationError(
            where, field, value, "is not a usable name", "use 1-63 lowercase letters, digits and hyphens, starting with a letter or digit"
        )
    return value


def principal_key(where: str, field: str, value: Any) -> str:
    """Validate a RAM principal and return a short, stable key for resource names.

    A principal is an account id, an organization ARN or an OU ARN. The key is the
    account id, ``o-…`` or ``ou-…``: unique, stable when other principals come and
    go, and free of the ``::`` that would break a URN.
    """
    if isinstance(value, str):
        if ACCOUNT_ID.match(value):
            return value
        if ORGANIZATION_ARN.match(value) or OU_ARN.match(value):
            return value.rsplit("/", 1)[-1]
    raise InputValidationError(
        where,
        field,
        value,
        "is not a RAM principal",
        "give a 12-digit account id, an organization ARN (arn:aws:organizations::111111111111:organization/o-exampleorgid) "
        "or an OU ARN (arn:aws:organizations::111111111111:ou/o-exampleorgid/ou-ab12-cdef3456)",
    )


def principals(where: str, field: str, value: Any) -> dict[str, str]:
    """Validate a non-empty, duplicate-free principal list; return key -> principal."""
    if not isinstance(value, (list, tuple)) or not value:
        raise InputValidationError(
            where, field, value, "is empty", "list at least one account id, OU ARN or organization ARN to share with"
        )
    keyed: dict[str, str] = {}
    for index, principal in enumerate(value):
        key = principal_key(where, f"{field}[{index}]", principal)
        if key in keyed:
            raise InputValidationError(where, f"{field}[{index}]", principal, "is listed twice", "list each principal once")
        keyed[key] = principal
    return keyed


def slug(value: str) -> str:
    """A CIDR or other value turned into a name fragment: '10.0.0.0/16' -> '10-0-0-0-16'."""
    return re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-")
