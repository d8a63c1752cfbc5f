"""AWS regions, from the partition data botocore ships (``endpoints.json``), and their availability-zone names,
from a table this module keeps.

Offline: a region AWS does not have, or a zone a region does not have, is refused before anything is
planned, as the AWS API would refuse it at the first call (CreateSubnet: InvalidParameterValue).
"""

from __future__ import annotations

import re
from functools import lru_cache

import botocore.loaders

AZ_SUFFIX = re.compile(r"^[a-z]$")

AVAILABILITY_ZONE_LETTERS: dict[str, str] = {
    "us-east-1": "abcdef", "us-east-2": "abc", "us-west-1": "abc", "us-west-2": "abcd",
    "ca-central-1": "abd", "ca-west-1": "abc", "mx-central-1": "abc", "sa-east-1": "abc",
    "eu-central-1": "abc", "eu-central-2": "abc", "eu-north-1": "abc", "eu-south-1": "abc", "eu-south-2": "abc",
    "eu-west-1": "abc", "eu-west-2": "abc", "eu-west-3": "abc",
    "af-south-1": "abc", "il-central-1": "abc", "me-central-1": "abc", "me-south-1": "abc",
    "ap-east-1": "abc", "ap-east-2": "abc", "ap-south-1": "abc", "ap-south-2": "abc",
    "ap-northeast-1": "abcd", "ap-northeast-2": "abcd", "ap-northeast-3": "abc",
    "ap-southeast-1": "abc", "ap-southeast-2": "abc", "ap-southeast-3": "abc", "ap-southeast-4": "abc",
    "ap-southeast-5": "abc", "ap-southeast-6": "abc", "ap-southeast-7": "abc",
    "cn-north-1": "abd", "cn-northwest-1": "abc", "us-gov-east-1": "abc", "us-gov-west-1": "abc",
}
"""Region → the letters of its availability zones' names (``eu-west-1`` + ``a``), for the ``aws``, ``aws-cn`` and
``aws-us-gov`` partitions. botocore ships no zone list; this comes from AWS's list of Availability Zones by AZ ID
(https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html) and ``aws ec2
describe-availability-zones --all-availability-zones --region R``. Where AWS maps zone names to AZ IDs per account
(us-east-1, us-west-1, ap-northeast-1, ca-central-1: https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html),
the letters are every one an account may have: ``ap-northeast-1b`` exists in older accounts only. A region missing
here (a new one, an isolated partition) takes any one letter; ``tests/test_stack_strictness.py`` fails when botocore
knows a region of those partitions that this table lacks."""


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region of every partition in botocore's bundled ``endpoints`` data."""
    data = botocore.loaders.Loader().load_data("endpoints")
    return frozenset(region for partition in data["partitions"] for region in partition.get("regions", {}))


def check_region(region: str) -> None:
    """Raise ValueError (problem and fix) for a region name AWS does not have."""
    if region not in known_regions():
        import difflib

        close = difflib.get_close_matches(region, sorted(known_regions()), n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ValueError(f"is not an AWS region (botocore knows {len(known_regions())}). Fix: {hint}give a region such as 'eu-west-1'")


def az_problem(az: str, region: str) -> str:
    """Why ``az`` is not an availability zone of ``region`` ("" when it is): a zone's name is its region plus a letter the
    region has (:data:`AVAILABILITY_ZONE_LETTERS`)."""
    if _zone_of(az, region):
        return ""
    if az.startswith(region) and AZ_SUFFIX.match(az[len(region):]):
        zones = ", ".join(region + letter for letter in AVAILABILITY_ZONE_LETTERS[region])
        return f"is not an availability zone of {region}, which has {zones}. Fix: use one of those"
    owner = next((r for r in sorted(known_regions()) if _zone_of(az, r)), None)
    if owner:
        return f"is an availability zone of {owner}, not of the account's region {region}. Fix: use {region}a, {region}b, …, or move the stack to {owner}"
    return f"is not an availability zone name AWS has (a zone is its region plus one of the region's letters). Fix: use {region}a, {region}b, …"


def _zone_of(az: str, region: str) -> bool:
    """Whether ``az`` names a zone ``region`` has: the region plus one of its letters (any letter for a region the table lacks)."""
    suffix = az[len(region):] if az.startswith(region) else ""
    return bool(AZ_SUFFIX.match(suffix)) and suffix in AVAILABILITY_ZONE_LETTERS.get(region, suffix)
