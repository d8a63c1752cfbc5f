"""A VPC's IPv4 blocks: the primary one it is created with and the secondary ones associated with it afterwards.

AWS ("VPC CIDR blocks", https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html, section
"IPv4 CIDR block association restrictions", and "Amazon VPC quotas",
https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html):

- every block is /16 to /28 and overlaps none of the VPC's other blocks;
- a VPC has at most 5 IPv4 blocks by default (the primary and 4 secondary; the quota can be raised);
- which range a secondary block may come from depends on the primary's range:

  ====================================  =======================================================================
  primary in                            a secondary block may NOT come from
  ====================================  =======================================================================
  10.0.0.0/8                            172.16.0.0/12, 192.168.0.0/16, 198.19.0.0/16; and 10.0.0.0/16 when the
                                        primary is inside 10.0.0.0/15
  172.16.0.0/12                         10.0.0.0/8, 192.168.0.0/16, 172.31.0.0/16, 198.19.0.0/16
  192.168.0.0/16                        10.0.0.0/8, 172.16.0.0/12, 198.19.0.0/16
  198.19.0.0/16                         any RFC 1918 range
  any other (public, 100.64.0.0/10)     any RFC 1918 range, 198.19.0.0/16
  ====================================  =======================================================================

  Publicly routable blocks and 100.64.0.0/10 are allowed with any primary.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, Optional

from . import validation
from .errors import InputValidationError

MAX_SECONDARY_BLOCKS = 4
"""5 IPv4 blocks per VPC by default, the primary included ("IPv4 CIDR blocks per VPC", Amazon VPC quotas)."""

RFC1918 = tuple(ipaddress.ip_network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
BENCHMARK = ipaddress.ip_network("198.19.0.0/16")
_EXTRA_RESTRICTIONS = {
    RFC1918[0]: (BENCHMARK,),
    RFC1918[1]: (ipaddress.ip_network("172.31.0.0/16"), BENCHMARK),
    RFC1918[2]: (BENCHMARK,),
}

_FIRST_TWO_OF_TEN, _FIRST_OF_TEN = ipaddress.ip_network("10.0.0.0/15"), ipaddress.ip_network("10.0.0.0/16")


def restricted_ranges(primary: ipaddress.IPv4Network) -> list[ipaddress.IPv4Network]:
    """The ranges no secondary block of a VPC whose primary block is ``primary`` may come from (the table above)."""
    own = next((block for block in RFC1918 if primary.subnet_of(block)), None)
    if own is not None:
        restricted = [block for block in RFC1918 if block != own] + list(_EXTRA_RESTRICTIONS[own])
        if primary.subnet_of(_FIRST_TWO_OF_TEN):
            restricted.append(_FIRST_OF_TEN)
        return restricted
    if primary.subnet_of(BENCHMARK):
        return list(RFC1918)
    return [*RFC1918, BENCHMARK]


def secondary_blocks(where: str, field: str, value: Any, primary: ipaddress.IPv4Network) -> list[ipaddress.IPv4Network]:
    """Validate the secondary blocks of a VPC whose primary block is ``primary`` (None or [] for none)."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise InputValidationError(where, field, value, "is not a list of CIDR blocks", "list the secondary blocks, e.g. ['100.64.0.0/16']")
    if len(value) > MAX_SECONDARY_BLOCKS:
        raise InputValidationError(
            where, field, list(value), f"lists {len(value)} secondary blocks",
            f"list at most {MAX_SECONDARY_BLOCKS}: a VPC holds 5 IPv4 blocks by default, the primary included "
            "(raise the 'IPv4 CIDR blocks per VPC' quota first to use more)")
    restricted = restricted_ranges(primary)
    blocks = []
    for index, text in enumerate(value):
        block = validation.vpc_cidr(where, f"{field}[{index}]", text)
        clash = next((banned for banned in restricted if block.overlaps(banned)), None)
        if clash is not None:
            raise InputValidationError(
                where, f"{field}[{index}]", text, f"comes from {clash}, which AWS refuses as a secondary block of a VPC whose primary block is {primary}",
                f"pick a block outside {', '.join(map(str, restricted))}, e.g. from the primary's own range or from 100.64.0.0/10")
        blocks.append(block)
    validation.no_overlaps(where, field, [("primary block", primary), *((f"{field}[{i}]", b) for i, b in enumerate(blocks))])
    return blocks


def block_of(network: ipaddress.IPv4Network, blocks: Sequence[ipaddress.IPv4Network]) -> Optional[ipaddress.IPv4Network]:
    """The VPC block that holds ``network`` (a subnet sits wholly inside one block), or None."""
    return next((block for block in blocks if network.subnet_of(block)), None)
