"""Checks that no single stack can make: they need every account's config at once.

- ``cross-stack-cidr-overlap``: VPCs joined by the same Transit Gateway or by a peering overlap.
- ``cross-stack-managed-path``: a managed-mode target's ENIs sit in a VPC with no accepted
  TGW or peering path to its backend's VPC, or in another account's VPC (managed mode is
  not cross-account).
- ``cross-stack-lattice-share``: a self-managed target's Resource Configuration is not
  shared with the gateway's account.
- ``cross-stack-share-outside-zone``: a RAM share names an account that no stack of the
  landing zone deploys (advisory: it may be deliberate).
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from itertools import combinations
from typing import Any, Optional
from urllib.parse import urlparse

from agentcore_egress.components.validation import ACCOUNT_ID

from .landing_zone import LandingZone
from .policy_analyzer import Finding

VpcKey = tuple[str, str]  # (stack, vpc name)

RULES = {
    "cross-stack-cidr-overlap": ("mandatory", "VPCs joined by the same Transit Gateway or by a peering, across stacks, do not overlap."),
    "cross-stack-managed-path": ("mandatory", "A managed-mode target's VPC is in the gateway's account and joined to its backend's VPC by an accepted TGW attachment or peering."),
    "cross-stack-lattice-share": ("mandatory", "A self-managed target's Resource Configuration exists and is shared with the gateway's account."),
    "cross-stack-share-outside-zone": ("advisory", "RAM shares name only accounts of the landing zone."),
}
"""The cross-stack rules: level and description."""


def _vpc_key(stack: str, ref: Any) -> VpcKey:
    return (stack, ref) if isinstance(ref, str) else (ref.stack, ref.vpc)


def cross_stack_findings(zone: LandingZone) -> list[Finding]:
    findings: list[Finding] = []
    vpcs = {(name, vpc.name): (stack.config.account.id, vpc.cidr) for name, stack in zone.stacks.items() for vpc in stack.config.vpcs}

    def finding(policy: str, level: str, stack: str, path: str, message: str) -> None:
        findings.append(Finding(policy=policy, level=level, message=message, urn="", config_path=path, stack=stack))

    # Who is joined to whom.
    hubs: dict[str, list[tuple[VpcKey, str]]] = {}
    accepted_attachments = {
        (acceptance.spoke.stack, acceptance.spoke.vpc)
        for stack in zone.stacks.values()
        for acceptance in stack.config.tgw_acceptances
    }
    for name, stack in zone.stacks.items():
        for index, spoke in enumerate(stack.config.tgw_spokes):
            hubs.setdefault(spoke.hub_stack, []).append(((name, spoke.vpc), f"tgw_spokes[{index}]"))
    accepted_peerings = {
        (acceptance.spoke.stack, acceptance.spoke.vpc): _vpc_key(name, acceptance.hub_vpc)
        for name, stack in zone.stacks.items()
        for acceptance in stack.config.peering_acceptances
    }
    peerings: list[tuple[VpcKey, VpcKey, str, str]] = [
        ((name, spoke.vpc), (spoke.hub.stack, spoke.hub.vpc), name, f"peering_spokes[{index}]")
        for name, stack in zone.stacks.items()
        for index, spoke in enumerate(stack.config.peering_spokes)
    ]

    # 1. CIDR overlap among joined VPCs.
    for hub, members in sorted(hubs.items()):
        for (first, _), (second, second_path) in combinations(members, 2):
            _overlap(vpcs, first, second, f"Transit Gateway of stack '{hub}'", second[0], second_path, finding)
    for spoke, hub, stack, path in peerings:
        _overlap(vpcs, spoke, hub, "a VPC peering", stack, path, finding)

    def connected(a: VpcKey, b: VpcKey) -> bool:
        if a == b:
            return True
        for members in hubs.values():
            keys = {key for key, _ in members}
            if a in keys and b in keys and a in accepted_attachments and b in accepted_attachments:
                return True
        return accepted_peerings.get(a) == b or accepted_peerings.get(b) == a

    # 2 and 3: each target's path.
    for name, stack in zone.stacks.items():
        gateway_account = stack.config.account.id
        for index, target in enumerate(stack.config.targets):
            path = f"targets[{index}]"
            if target.managed:
                source = _vpc_key(name, target.managed.vpc)
                owner = vpcs.get(source, (None, None))[0]
                if owner and owner != gateway_account:
                    finding("cross-stack-managed-path", "mandatory", name, f"{path}.managed.vpc",
                            f"target '{target.name}': its VPC {source[1]} (stack {source[0]}) is in account {owner}, not the gateway's {gateway_account}: "
                            "managed mode is not cross-account. Fix: place the ENIs in a VPC of the gateway's account joined to the backend by TGW or peering, "
                            "or use a self-managed Lattice resource shared with RAM")
                    continue
                destination = _backend_vpc(zone, name, target, source)
                if destination and not connected(source, destination):
                    finding("cross-stack-managed-path", "mandatory", name, f"{path}.managed.vpc",
                            f"target '{target.name}': no accepted Transit Gateway attachment or peering joins its VPC {source[1]} (stack {source[0]}) "
                            f"to the backend's VPC {destination[1]} (stack {destination[0]}). Fix: attach both VPCs to the same hub and accept both "
                            "(tgw_spokes + tgw_acceptances), or peer them (peering_spokes + peering_acceptances)")
            if target.lattice:
                owner_stack = zone.stacks[target.lattice.stack]
                resource = next((r for r in owner_stack.config.lattice_resources if r.name == target.lattice.resource), None)
                if resource is None:
                    continue
                if target.lattice.configuration not in {c.name for c in resource.configurations}:
                    finding("cross-stack-lattice-share", "mandatory", name, f"{path}.lattice.configuration",
                            f"target '{target.name}': Lattice resource '{resource.name}' of stack '{target.lattice.stack}' has no configuration "
                            f"'{target.lattice.configuration}'. Fix: use one of {sorted(c.name for c in resource.configurations)}")
                elif gateway_account not in resource.share_with and not any(p.startswith("arn:") for p in resource.share_with):
                    finding("cross-stack-lattice-share", "mandatory", name, f"{path}.lattice",
                            f"target '{target.name}': Resource Configuration '{target.lattice.configuration}' of stack '{target.lattice.stack}' is shared with "
                            f"{list(resource.share_with)}, not with the gateway's account {gateway_account}. Fix: add '{gateway_account}' to "
                            f"lattice_resources '{resource.name}'.share_with in stack '{target.lattice.stack}'")

    # 4. Shares to accounts outside the landing zone.
    accounts = zone.accounts
    for name, stack in zone.stacks.items():
        shares = [(f"lattice_resources[{i}].share_with", r.share_with) for i, r in enumerate(stack.config.lattice_resources)]
        if stack.config.transit_gateway_hub:
            shares.append(("transit_gateway_hub.share_with", stack.config.transit_gateway_hub.share_with))
        for path, principals in shares:
            for position, principal in enumerate(principals):
                if ACCOUNT_ID.match(principal) and principal not in accounts:
                    finding("cross-stack-share-outside-zone", "advisory", name, f"{path}[{position}]",
                            f"shares with account {principal}, which no stack of this landing zone deploys. "
                            "Fix: check the account id; add its stack if it belongs to the landing zone")
    return findings


@lru_cache(maxsize=None)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """Parsed once: the VPCs of one Transit Gateway are compared pairwise (80,000 pairs for 400 spokes)."""
    return ipaddress.ip_network(cidr)


def _overlap(vpcs, first: VpcKey, second: VpcKey, joined_by: str, stack: str, path: str, finding) -> None:
    if first not in vpcs or second not in vpcs:
        return
    a, b = _network(vpcs[first][1]), _network(vpcs[second][1])
    if a.overlaps(b):
        finding("cross-stack-cidr-overlap", "mandatory", stack, path,
                f"VPC {first[1]} (stack {first[0]}, {a}) overlaps VPC {second[1]} (stack {second[0]}, {b}), both joined by {joined_by}: "
                "routes between them are ambiguous. Fix: renumber one of them")


def backend_of(zone: LandingZone, target: Any, source: Optional[VpcKey]) -> Optional[tuple[str, str, str]]:
    """(kind, stack, name) of the backend a target reaches: a private API or a load balancer.

    A host name is resolved through the landing zone's private names, preferring
    the one whose zone is associated with the VPC of the target's ENIs.
    """
    endpoint = target.endpoint
    if endpoint.private_api:
        return ("private_apis", endpoint.private_api.stack, endpoint.private_api.name)
    host = urlparse(endpoint.mcp_server or endpoint.openapi_server or "").hostname
    candidates = [
        (_vpc_key(name, private_name.vpc) != source, name, private_name)
        for name, stack in sorted(zone.stacks.items())
        for private_name in stack.config.private_names
        if host and private_name.record == host
    ]
    if not candidates:
        return None
    _, name, private_name = min(candidates, key=lambda candidate: candidate[0])
    if isinstance(private_name.load_balancer, str):
        return ("load_balancers", name, private_name.load_balancer)
    return ("load_balancers", private_name.load_balancer.stack, private_name.load_balancer.name)


def _backend_vpc(zone: LandingZone, stack_name: str, target: Any, source: VpcKey) -> Optional[VpcKey]:
    """The VPC of the backend a managed target reaches, when the landing zone declares it."""
    backend = backend_of(zone, target, source)
    if backend is None:
        return None
    kind, stack, name = backend
    item = next((i for i in getattr(zone.stacks[stack].config, kind) if i.name == name), None)
    return (stack, item.vpc) if item else None
