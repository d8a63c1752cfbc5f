"""The identity under which AgentCore reuses a managed Resource Gateway, apart from the component that exports it,
so that the planner reads it without importing the Pulumi SDK."""

from __future__ import annotations

import json
from typing import Any, Optional


def managed_reuse_key(
    vpc_id: str, subnet_ids: list[str], security_group_ids: list[str], tags: Optional[dict[str, str]], ip_type: str
) -> str:
    """The identity under which AgentCore reuses a managed Resource Gateway.

    Two managed-mode targets share a Resource Gateway (and its ENIs) exactly
    when VPC, subnet set, security group set, tags and IP type all match; order
    does not matter, so the sets are sorted.
    """
    return json.dumps(
        {
            "vpc": vpc_id,
            "subnets": sorted(subnet_ids),
            "security_groups": sorted(security_group_ids),
            "tags": sorted((tags or {}).items()),
            "ip_type": ip_type,
        },
        sort_keys=True,
    )


def read_reuse_key(key: str) -> dict[str, Any]:
    """The parts of a key made by :func:`managed_reuse_key`: vpc, subnets, security_groups, tags, ip_type."""
    return json.loads(key)
