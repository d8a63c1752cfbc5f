"""Pulumi components that give AgentCore Gateway private reach into VPCs across accounts."""

from .account_provider import account_provider
from .agentcore_gateway import AgentCoreGateway, AgentCoreGatewayArgs, JwtAuthorizerArgs
from .alb_rest_backend import AlbRestBackend, AlbRestBackendArgs
from .eks_mcp_nlb_backend import EksMcpNlbBackend, EksMcpNlbBackendArgs
from .errors import InputValidationError
from .gateway_target import (
    GatewayTarget,
    GatewayTargetArgs,
    ManagedVpcEndpointArgs,
    SelfManagedLatticeEndpointArgs,
    TargetCredentialArgs,
    managed_reuse_key,
)
from .peering_acceptance import PeeringAcceptance, PeeringAcceptanceArgs
from .peering_spoke import PeeringSpoke, PeeringSpokeArgs
from .private_api_gateway_backend import PrivateApiGatewayBackend, PrivateApiGatewayBackendArgs
from .private_dns_name import AuthorizedVpcArgs, PrivateDnsName, PrivateDnsNameArgs
from .private_vpc import PrivateSubnetArgs, PrivateVpc, PrivateVpcArgs
from .private_zone_association import PrivateZoneAssociation, PrivateZoneAssociationArgs
from .public_certificate import PublicCertificate, PublicCertificateArgs
from .resource_share_acceptance import ResourceShareAcceptance, ResourceShareAcceptanceArgs
from .target_security_groups import TargetSecurityGroups, TargetSecurityGroupsArgs
from .shared_lattice_resource import LatticeResourceConfigurationArgs, SharedLatticeResource, SharedLatticeResourceArgs
from .transit_gateway_attachment_acceptance import (
    TransitGatewayAttachmentAcceptance,
    TransitGatewayAttachmentAcceptanceArgs,
)
from .transit_gateway_hub import TransitGatewayHub, TransitGatewayHubArgs
from .transit_gateway_peering import TransitGatewayPeering, TransitGatewayPeeringArgs, TransitGatewayPeeringSide, TransitGatewayPeeringSideArgs
from .transit_gateway_spoke import TransitGatewaySpoke, TransitGatewaySpokeArgs

COMPONENTS = [
    PrivateVpc,
    TransitGatewayHub,
    TransitGatewaySpoke,
    TransitGatewayAttachmentAcceptance,
    TransitGatewayPeering,
    TransitGatewayPeeringSide,
    PeeringSpoke,
    PeeringAcceptance,
    SharedLatticeResource,
    ResourceShareAcceptance,
    AgentCoreGateway,
    GatewayTarget,
    PrivateApiGatewayBackend,
    EksMcpNlbBackend,
    AlbRestBackend,
    PublicCertificate,
    PrivateDnsName,
    PrivateZoneAssociation,
    TargetSecurityGroups,
]
"""Every component the package exposes, to Python and (through the provider host) to other languages."""

__all__ = [
    "COMPONENTS",
    "InputValidationError",
    "account_provider",
    *(component.__name__ for component in COMPONENTS),
    *(f"{component.__name__}Args" for component in COMPONENTS),
    "PrivateSubnetArgs",
    "LatticeResourceConfigurationArgs",
    "JwtAuthorizerArgs",
    "ManagedVpcEndpointArgs",
    "SelfManagedLatticeEndpointArgs",
    "TargetCredentialArgs",
    "AuthorizedVpcArgs",
    "managed_reuse_key",
]
