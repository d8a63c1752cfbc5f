"""AWS regions, from the partition data botocore ships (``endpoints.json``), and their availability zones' names and
AZ ids, from tables this module keeps.

Offline: a region AWS does not have, or a zone a region does not have, is refused before anything is
planned, as the AWS API would refuse it at the first call (CreateSubnet: InvalidParameterValue).
"""

from __future__ import annotations

import re
from functools import lru_cache

AZ_SUFFIX = re.compile(r"^[a-z]$")
AZ_ID = re.compile(r"^(?P<prefix>[a-z]+\d+)-az(?P<number>\d+)$")

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


AVAILABILITY_ZONE_IDS: dict[str, tuple[str, str]] = {
    "us-east-1": ("use1", "123456"), "us-east-2": ("use2", "123"), "us-west-1": ("usw1", "13"), "us-west-2": ("usw2", "1234"),
    "ca-central-1": ("cac1", "124"), "ca-west-1": ("caw1", "123"), "mx-central-1": ("mxc1", "123"), "sa-east-1": ("sae1", "123"),
    "eu-central-1": ("euc1", "123"), "eu-central-2": ("euc2", "123"), "eu-north-1": ("eun1", "123"), "eu-south-1": ("eus1", "123"),
    "eu-south-2": ("eus2", "123"), "eu-west-1": ("euw1", "123"), "eu-west-2": ("euw2", "123"), "eu-west-3": ("euw3", "123"),
    "af-south-1": ("afs1", "123"), "il-central-1": ("ilc1", "123"), "me-central-1": ("mec1", "123"), "me-south-1": ("mes1", "123"),
    "ap-east-1": ("ape1", "123"), "ap-east-2": ("ape2", "123"), "ap-south-1": ("aps1", "123"), "ap-south-2": ("aps2", "123"),
    "ap-northeast-1": ("apne1", "1234"), "ap-northeast-2": ("apne2", "1234"), "ap-northeast-3": ("apne3", "123"),
    "ap-southeast-1": ("apse1", "123"), "ap-southeast-2": ("apse2", "123"), "ap-southeast-3": ("apse3", "123"),
    "ap-southeast-4": ("apse4", "123"), "ap-southeast-5": ("apse5", "123"), "ap-southeast-6": ("apse6", "123"),
    "ap-southeast-7": ("apse7", "123"), "cn-north-1": ("cnn1", "124"), "cn-northwest-1": ("cnnw1", "123"),
    "us-gov-east-1": ("usge1", "123"), "us-gov-west-1": ("usgw1", "123"),
}
"""Region → its AZ ids, as their prefix and numbers (``use1`` and ``123456``: ``use1-az1`` … ``use1-az6``). An AZ id is the
same physical zone in every account, where a zone's name may map to a different one per account: AWS's "AZ IDs"
(https://docs.aws.amazon.com/global-infrastructure/latest/regions/az-ids.html) and its list of Availability Zones by AZ ID
(https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-availability-zones.html), the same as ``aws ec2
describe-availability-zones --all-availability-zones --region R`` answers (its ``ZoneId``). As the letters table keeps the names
of zones only older accounts have, this one keeps their ids (``apne1-az3``). A region missing here takes any id of the AZ id
form. ``tests/test_availability_zone_ids.py`` checks this table against the describe-availability-zones
data moto ships, for every region both know."""


def az_id_problem(az_id: str, region: str) -> str:
    """Why ``az_id`` is not an AZ id of ``region`` ("" when it is). A region this table lacks takes any id of the AZ id form."""
    if region not in AVAILABILITY_ZONE_IDS:
        return "" if AZ_ID.match(az_id) else f"is not an AZ id (its region's short code, -az and a number). Fix: give an id such as 'euw1-az1'"
    ids = ", ".join(availability_zone_ids(region))
    owner = next((r for r in sorted(AVAILABILITY_ZONE_IDS) if az_id in availability_zone_ids(r)), None)
    if owner == region:
        return ""
    if owner:
        return f"is an AZ id of {owner}, not of the account's region {region}. Fix: use one of {ids}, or move the stack to {owner}"
    return f"is not an AZ id of {region}, which has {ids}. Fix: use one of those"


def availability_zone_ids(region: str) -> tuple[str, ...]:
    """The AZ ids of ``region`` (none for a region the table lacks)."""
    prefix, numbers = AVAILABILITY_ZONE_IDS.get(region, ("", ""))
    return tuple(f"{prefix}-az{number}" for number in numbers)


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every region of every partition in botocore's bundled ``endpoints`` data."""
    import botocore.loaders  # a tenth of a second: read only for a region the zone tables lack

    data = botocore.loaders.Loader().load_data("endpoints")
    return frozenset(region for partition in data["partitions"] for region in partition.get("regions", {}))


def check_region(region: str) -> None:
    """Raise ValueError (problem and fix) for a region name AWS does not have."""
    if region in AVAILABILITY_ZONE_LETTERS:  # AWS's regions, as its zone list names them (botocore's are checked to be here)
        return
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
