"""Pulumi components that give AgentCore Gateway private reach into VPCs across accounts.

Each name is imported from its module when first read (PEP 562), so that importing one module of the package
(the stack schema reads :mod:`.validation`, the planner :mod:`.reuse_key`) does not import pulumi-aws and every component.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_COMPONENT_MODULES = {
    "PrivateVpc": "private_vpc",
    "TransitGatewayHub": "transit_gateway_hub",
    "TransitGatewaySpoke": "transit_gateway_spoke",
    "TransitGatewayAttachmentAcceptance": "transit_gateway_attachment_acceptance",
    "TransitGatewayPeering": "transit_gateway_peering",
    "TransitGatewayPeeringSide": "transit_gateway_peering",
    "PeeringSpoke": "peering_spoke",
    "PeeringAcceptance": "peering_acceptance",
    "SharedLatticeResource": "shared_lattice_resource",
    "ResourceShareAcceptance": "resource_share_acceptance",
    "AgentCoreGateway": "agentcore_gateway",
    "GatewayTarget": "gateway_target",
    "PrivateApiGatewayBackend": "private_api_gateway_backend",
    "EksMcpNlbBackend": "eks_mcp_nlb_backend",
    "AlbRestBackend": "alb_rest_backend",
    "PublicCertificate": "public_certificate",
    "PrivateDnsName": "private_dns_name",
    "PrivateZoneAssociation": "private_zone_association",
    "TargetSecurityGroups": "target_security_groups",
}
"""Every component the package exposes (in :data:`COMPONENTS`' order) and its module, which also holds its ``<name>Args``."""

_MODULES = {
    **_COMPONENT_MODULES,
    **{f"{name}Args": module for name, module in _COMPONENT_MODULES.items()},
    "InputValidationError": "errors",
    "account_provider": "account_provider",
    "PrivateSubnetArgs": "private_vpc",
    "LatticeResourceConfigurationArgs": "shared_lattice_resource",
    "JwtAuthorizerArgs": "agentcore_gateway",
    "ManagedVpcEndpointArgs": "gateway_target",
    "SelfManagedLatticeEndpointArgs": "gateway_target",
    "TargetCredentialArgs": "gateway_target",
    "AuthorizedVpcArgs": "private_dns_name",
    "managed_reuse_key": "reuse_key",
}
"""Every public name of the package and the module that defines it."""

__all__ = ["COMPONENTS", *_MODULES]


def __getattr__(name: str) -> Any:
    """A public name, imported from its module on first use; ``COMPONENTS``: every component, to Python and (through
    the provider host) to other languages."""
    if name == "COMPONENTS":
        value: Any = [__getattr__(component) for component in _COMPONENT_MODULES]
    elif name in _MODULES:
        value = getattr(import_module(f".{_MODULES[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
