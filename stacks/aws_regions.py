"""AWS regions and availability-zone names, from the partition data botocore ships (``endpoints.json``).

Offline and current with the installed botocore: a region AWS does not have is refused before
anything is planned, as the AWS API would refuse it at the first call.
"""

from __future__ import annotations

import re
from functools import lru_cache

import botocore.loaders

AZ_SUFFIX = re.compile(r"^[a-z]$")


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
    """Why ``az`` is not an availability zone of ``region`` ("" when it is): a zone's name is its region plus one letter."""
    if az.startswith(region) and AZ_SUFFIX.match(az[len(region):]):
        return ""
    owner = next((r for r in known_regions() if az.startswith(r) and AZ_SUFFIX.match(az[len(r):])), None)
    if owner:
        return f"is an availability zone of {owner}, not of the account's region {region}. Fix: use {region}a, {region}b, …, or move the stack to {owner}"
    return f"is not an availability zone name (the region plus one letter). Fix: use {region}a, {region}b, …"
