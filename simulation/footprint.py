"""What AgentCore and VPC Lattice will create that the program does not declare: the predicted footprint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agentcore_egress.components.reuse_key import read_reuse_key
from agentcore_egress.policies import resource_types as types

if TYPE_CHECKING:
    from agentcore_egress.simulation.monitor import Deployment

DEFAULT_IPS_PER_ENI = 16
"""VPC Lattice's default IPv4 addresses per ENI of a self-managed Resource Gateway."""


@dataclass
class Footprint:
    """Resource Gateways, ENIs and IPs, RAM shares and TGW attachments of one stack."""

    managed_resource_gateways: int = 0
    managed_enis: int = 0
    managed_targets: int = 0
    self_managed_resource_gateways: int = 0
    self_managed_enis: int = 0
    self_managed_ips: int = 0
    ram_shares: int = 0
    tgw_attachments: int = 0
    peerings: int = 0
    reuse_groups: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    @property
    def empty(self) -> bool:
        return not any(value for key, value in self.__dict__.items() if key != "reuse_groups")


def footprint_of(deployment: Deployment) -> Footprint:
    footprint = Footprint()
    groups: dict[str, list[str]] = {}
    for resource in deployment.registrations:
        if resource.type == types.GATEWAY_TARGET_COMPONENT:
            key = deployment.component_outputs.get(resource.urn, {}).get("reuse_key")
            if key:
                groups.setdefault(key, []).append(resource.name)
        elif resource.type == types.RESOURCE_GATEWAY:
            enis = len(resource.inputs.get("subnetIds") or [])
            footprint.self_managed_resource_gateways += 1
            footprint.self_managed_enis += enis
            if resource.inputs.get("ipAddressType", "IPV4") != "IPV6":
                footprint.self_managed_ips += enis * int(resource.inputs.get("ipv4AddressesPerEni") or DEFAULT_IPS_PER_ENI)
        elif resource.type == types.RESOURCE_SHARE:
            footprint.ram_shares += 1
        elif resource.type == types.TGW_VPC_ATTACHMENT:
            footprint.tgw_attachments += 1
        elif resource.type == types.PEERING:
            footprint.peerings += 1
    # Managed mode: one Resource Gateway per distinct reuse key, one ENI (one IP) per subnet.
    for key, targets in sorted(groups.items()):
        identity = read_reuse_key(key)
        footprint.managed_resource_gateways += 1
        footprint.managed_enis += len(identity["subnets"])
        footprint.managed_targets += len(targets)
        footprint.reuse_groups.append({"vpc": identity["vpc"], "enis": len(identity["subnets"]), "targets": sorted(targets)})
    return footprint
