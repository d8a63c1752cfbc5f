"""Pulumi components that give AgentCore Gateway private reach into VPCs across accounts."""

from .account_provider import account_provider
from .errors import InputValidationError
from .peering_acceptance import PeeringAcceptance, PeeringAcceptanceArgs
from .peering_spoke import PeeringSpoke, PeeringSpokeArgs
from .private_vpc import PrivateSubnetArgs, PrivateVpc, PrivateVpcArgs
from .transit_gateway_attachment_acceptance import (
    TransitGatewayAttachmentAcceptance,
    TransitGatewayAttachmentAcceptanceArgs,
)
from .transit_gateway_hub import TransitGatewayHub, TransitGatewayHubArgs
from .transit_gateway_spoke import TransitGatewaySpoke, TransitGatewaySpokeArgs

COMPONENTS = [
    PrivateVpc,
    TransitGatewayHub,
    TransitGatewaySpoke,
    TransitGatewayAttachmentAcceptance,
    PeeringSpoke,
    PeeringAcceptance,
]
"""Every component the package exposes, to Python and (through the provider host) to other languages."""

__all__ = [
    "COMPONENTS",
    "InputValidationError",
    "account_provider",
    *(component.__name__ for component in COMPONENTS),
    *(f"{component.__name__}Args" for component in COMPONENTS),
    "PrivateSubnetArgs",
]
