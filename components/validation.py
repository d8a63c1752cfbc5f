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
import sys
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Union

from .errors import InputValidationError

ACCOUNT_ID = re.compile(r"^\d{12}$")
REGION = re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx|cn)(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d$")
ROLE_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
ORGANIZATION_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:organizations::\d{12}:organization/o-[a-z0-9]{10,32}$")
OU_ARN = re.compile(r"^arn:aws(-cn|-us-gov)?:organizations::\d{12}:ou/o-[a-z0-9]{10,32}/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$")
RESOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def is_known(value: Any) -> bool:
    """True for plain values; False for outputs and other not-yet-known inputs.

    No value is an Output before the SDK is imported: the stack schema validates configs without importing it."""
    pulumi = sys.modules.get("pulumi")
    return not (pulumi is not None and isinstance(value, pulumi.Output)) and not hasattr(value, "__await__")


def require(where: str, args: Mapping[str, Any], field: str, fix: str, prefix: str = "") -> Any:
    """``args[field]``, which must be set and not empty; ``prefix`` is the path of ``args`` in the error."""
    value = args.get(field)
    if value is None or (isinstance(value, (list, tuple, dict, str)) and len(value) == 0):
        raise InputValidationError(where, f"{prefix}{field}", value, "is required", fix)
    return value


@lru_cache(maxsize=1 << 16)
def ip_network(text: str, strict: bool = True) -> Union[ipaddress.IPv4Network, ipaddress.IPv6Network]:
    """``ipaddress.ip_network(text, strict)`` of a string, parsed once per process (ValueError each time, as it raises).

    A plan parses each block of a landing zone several times (its stack file's validation, the reachability and the
    AWS preconditions read the same strings back from the registrations): a twentieth of a warm plan. The networks
    are immutable, so every caller may share one."""
    return ipaddress.ip_network(text, strict=strict)


def cidr(where: str, field: str, value: Any) -> ipaddress.IPv4Network:
    """Parse an IPv4 CIDR block as AWS accepts it for VPCs, subnets and routes."""
    if not isinstance(value, str):
        raise InputValidationError(where, field, value, "is not a CIDR block", "give a string such as '10.20.0.0/16'")
    try:
        network = ip_network(value, strict=True)
    except ValueError:
        try:
            network = ip_network(value, strict=False)
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


def port(where: str, field: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
        raise InputValidationError(where, field, value, "is not a TCP port", "give a whole number from 1 to 65535")
    return value


def port_range(where: str, field: str, value: Any) -> tuple[int, int]:
    """A Lattice port range: '443' or '8000-8010'."""
    # ASCII digits only: str.isdigit() also accepts characters such as '²' that int() refuses.
    match = re.fullmatch(r"([0-9]{1,5})(?:-([0-9]{1,5}))?", value) if isinstance(value, str) else None
    if match:
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if 1 <= first <= last <= 65535:
            return first, last
    raise InputValidationError(
        where, field, value, "is not a port range", "give a port such as '443' or an ascending range such as '8000-8010', within 1-65535"
    )


def https_url(where: str, field: str, value: Any) -> str:
    """AgentCore only speaks TLS to targets, and only trusts public certificates."""
    if not isinstance(value, str) or not value.startswith("https://") or len(value) <= len("https://"):
        raise InputValidationError(
            where, field, value, "is not an https:// URL", "AgentCore Gateway reaches targets over TLS only: use https:// with a publicly trusted certificate"
        )
    return value


def security_groups(where: str, field: str, value: Any, default_security_group_id: Any = None, required: bool = True) -> Any:
    """1 to 5 explicit security groups, none of them the VPC's default.

    AWS falls back on the VPC's default security group when none is given,
    and a managed-mode target or Resource Gateway accepts at most five.
    """
    if value is None and not required:
        return None
    if not is_known(value):
        return value
    if not isinstance(value, (list, tuple)) or not value:
        raise InputValidationError(
            where, field, value, "is empty", "give 1 to 5 security groups of your own: without them AWS uses the VPC's default security group"
        )
    if len(value) > 5:
        raise InputValidationError(where, field, value, f"lists {len(value)} security groups", "give at most 5 security groups")
    plain = [group for group in value if is_known(group)]
    if len(plain) != len(set(plain)):
        raise InputValidationError(where, field, value, "repeats a security group", "list each security group once")
    if is_known(default_security_group_id) and default_security_group_id in plain:
        raise InputValidationError(
            where, field, default_security_group_id, "is the VPC's default security group", "create a dedicated security group scoped to the backend's port"
        )
    return value


def one_of(where: str, args: Any, fields: tuple[str, ...], fix: str) -> str:
    """Exactly one of ``fields`` is set; return its name."""
    present = [name for name in fields if args.get(name) is not None]
    if len(present) != 1:
        raise InputValidationError(
            where, " | ".join(fields), present or None, "needs exactly one of these set" if present else "has none of these set", fix
        )
    return present[0]


def choice(where: str, field: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InputValidationError(where, field, value, "is not an allowed value", f"use one of {list(allowed)}")
    return value


DOMAIN_NAME = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$")


def domain_name(where: str, field: str, value: Any, wildcard: bool = False) -> str:
    if not isinstance(value, str) or len(value) > 253 or not DOMAIN_NAME.match(value) or (value.startswith("*.") and not wildcard):
        raise InputValidationError(
            where, field, value, "is not a DNS name", "give a lowercase name such as 'orders.internal.example.com'" + (" (or '*.example.com')" if wildcard else "")
        )
    return value.rstrip(".")
