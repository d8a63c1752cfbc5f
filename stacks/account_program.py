"""Build one account's part of the landing zone from its validated stack config.

Only the sections present are built. Values that live in other accounts come
from those accounts' stacks through ``StackReference`` outputs, whose shapes
are the ``exports`` documented at the end of :func:`build`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Optional

import pulumi

from agentcore_egress.components import (
    AgentCoreGateway,
    AlbRestBackend,
    EksMcpNlbBackend,
    GatewayTarget,
    PeeringAcceptance,
    PeeringSpoke,
    PrivateApiGatewayBackend,
    PrivateDnsName,
    PrivateVpc,
    PrivateZoneAssociation,
    PublicCertificate,
    ResourceShareAcceptance,
    SharedLatticeResource,
    TargetSecurityGroups,
    TransitGatewayAttachmentAcceptance,
    TransitGatewayHub,
    TransitGatewaySpoke,
    account_provider,
)

from agentcore_egress.components.base import PACKAGE

from .config_schema import RemoteName, RemoteVpc, StackConfig, is_security_group_id


class OtherStacks:
    """Outputs of the landing zone's other stacks, one StackReference per stack."""

    def __init__(self, prefix: str, opts: pulumi.ResourceOptions) -> None:
        self._prefix = prefix
        self._opts = opts
        self._references: dict[str, pulumi.StackReference] = {}
        self._exports: dict[tuple[str, str], pulumi.Output[Any]] = {}

    def output(self, stack: str, *path: str) -> pulumi.Output[Any]:
        export = self._exports.get((stack, path[0]))
        if export is None:
            reference = self._references.get(stack)
            if reference is None:
                reference = pulumi.StackReference(f"{self._prefix}{stack}", opts=self._opts)
                self._references[stack] = reference
            export = self._exports[(stack, path[0])] = reference.get_output(path[0])
        return export.apply(lambda value: _dig(value, path[1:], stack, path))


class VpcHandle:
    """A VPC of this stack or of another one, as the sections that use it need it."""

    def __init__(self, ref: Any, vpcs: dict[str, PrivateVpc], others: OtherStacks) -> None:
        if isinstance(ref, RemoteVpc):
            self.vpc_id = others.output(ref.stack, "vpcs", ref.vpc, "id")
            self.subnet_ids = others.output(ref.stack, "vpcs", ref.vpc, "subnet_ids")
            self.default_security_group_id = others.output(ref.stack, "vpcs", ref.vpc, "default_security_group_id")
            self._tables = lambda key: others.output(ref.stack, "vpcs", ref.vpc, "route_tables", key)
            self.local = None
        else:
            self.local = vpcs[ref]
            self.vpc_id = self.local.vpc_id
            self.subnet_ids = self.local.subnet_ids
            self.default_security_group_id = self.local.default_security_group_id
            self._tables = self.local.route_table_ids_by_subnet.__getitem__

    def route_tables(self, keys: list[str]) -> dict[str, Any]:
        if self.local is not None and not keys:
            return dict(self.local.route_table_ids_by_subnet)
        return {key: self._tables(key) for key in keys}


def _dig(value: Any, keys: tuple[str, ...], stack: str, path: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise pulumi.RunError(f"stack '{stack}' exports no {'.'.join(path)}: deploy it first, or check the name in this stack's config")
        value = value[key]
    return value


def tgw_spoke_name(spoke: Any) -> str:
    return f"{spoke.vpc}-tgw"


def peering_spoke_name(spoke: Any) -> str:
    return f"{spoke.vpc}-peering"


def acceptance_name(acceptance: Any) -> str:
    """A TGW or peering acceptance is named after the spoke it accepts."""
    return f"{acceptance.spoke.stack}-{acceptance.spoke.vpc}"


def private_name_component(name: Any) -> str:
    return f"{name.name}-dns"


def _named(item: Any) -> str:
    return item.name


_SECTIONS: tuple[tuple[str, Callable[[Any], type], Callable[[Any], str]], ...] = (
    ("vpcs", lambda _: PrivateVpc, _named),
    ("tgw_spokes", lambda _: TransitGatewaySpoke, tgw_spoke_name),
    ("tgw_acceptances", lambda _: TransitGatewayAttachmentAcceptance, acceptance_name),
    ("peering_spokes", lambda _: PeeringSpoke, peering_spoke_name),
    ("peering_acceptances", lambda _: PeeringAcceptance, acceptance_name),
    ("security_groups", lambda _: TargetSecurityGroups, _named),
    ("certificates", lambda _: PublicCertificate, _named),
    ("private_apis", lambda _: PrivateApiGatewayBackend, _named),
    ("load_balancers", lambda balancer: AlbRestBackend if balancer.kind == "alb" else EksMcpNlbBackend, _named),
    ("private_names", lambda _: PrivateDnsName, private_name_component),
    ("zone_associations", lambda _: PrivateZoneAssociation, _named),
    ("lattice_resources", lambda _: SharedLatticeResource, _named),
    ("share_acceptances", lambda _: ResourceShareAcceptance, _named),
    ("targets", lambda _: GatewayTarget, _named),
)
"""Each list section: the component :func:`build` makes of an entry, and the name it gives it."""


def component_paths(stack: str, config: StackConfig) -> dict[tuple[str, str], str]:
    """(component type token, component name) → key path of the config entry :func:`build` makes it from.

    The way back from a resource (its URN, its top-level component) to the line of the stack file.
    """
    paths: dict[tuple[str, str], str] = {}
    if config.transit_gateway_hub:
        paths[(_token(TransitGatewayHub), stack)] = "transit_gateway_hub"
    if config.gateway:
        paths[(_token(AgentCoreGateway), config.gateway.name)] = "gateway"
    for section, component, name in _SECTIONS:
        for index, item in enumerate(getattr(config, section)):
            paths.setdefault((_token(component(item)), name(item)), f"{section}[{index}]")
    return paths


def _token(component: type) -> str:
    return f"{PACKAGE}:index:{component.__name__}"


def openapi_document(server_url: str, paths: list[str], integration: bool = False) -> str:
    """A minimal OpenAPI 3 document: one GET per path on ``server_url``.

    With ``integration`` each method gets a mock API Gateway integration, so that
    the document can be imported as a REST API's body and deployed.
    """
    operations = {}
    for path in paths:
        operation: dict[str, Any] = {
            "operationId": "get" + "".join(part.capitalize() for part in path.strip("/").split("/") if part) or "getRoot",
            "responses": {"200": {"description": "OK"}},
        }
        if integration:
            operation["x-amazon-apigateway-integration"] = {
                "type": "mock",
                "requestTemplates": {"application/json": '{"statusCode": 200}'},
                "responses": {"default": {"statusCode": "200"}},
            }
        operations[path] = {"get": operation}
    return json.dumps({"openapi": "3.0.1", "info": {"title": "agentcore-egress", "version": "1.0"}, "servers": [{"url": server_url}], "paths": operations})


def build(stack: str, config: StackConfig, reference_prefix: Optional[str] = None) -> dict[str, Any]:
    """Create the resources of ``config`` in the current Pulumi program; return the stack's exports."""
    account = config.account
    provider = account_provider(
        stack, account_id=account.id, region=account.region, role_arn=account.role_arn, default_tags=account.tags or None
    )
    opts = pulumi.ResourceOptions(provider=provider)
    if reference_prefix is None:
        reference_prefix = f"{pulumi.get_organization()}/{pulumi.get_project()}/"
    others = OtherStacks(reference_prefix, pulumi.ResourceOptions())
    exports: dict[str, Any] = {"account": {"id": account.id, "region": account.region}}

    hub: Optional[TransitGatewayHub] = None
    if config.transit_gateway_hub:
        settings = config.transit_gateway_hub
        hub_args: dict[str, Any] = {"segments": list(settings.segments), "share_with": list(settings.share_with)}
        if settings.amazon_side_asn is not None:
            hub_args["amazon_side_asn"] = settings.amazon_side_asn
        hub = TransitGatewayHub(stack, hub_args, opts=opts)
        exports["transit_gateway"] = {
            "id": hub.transit_gateway_id,
            "arn": hub.transit_gateway_arn,
            "route_tables": hub.route_table_ids,
            "share_arn": hub.resource_share_arn,
        }

    declared = {vpc.name: vpc for vpc in config.vpcs}
    vpcs: dict[str, PrivateVpc] = {}
    for vpc in config.vpcs:
        vpcs[vpc.name] = PrivateVpc(
            vpc.name,
            {
                "cidr_block": vpc.cidr,
                "subnets": [{"name": s.name, "cidr_block": s.cidr, "availability_zone": s.az} for s in vpc.subnets],
            },
            opts=opts,
        )
    if vpcs:
        exports["vpcs"] = {
            name: {
                "id": created.vpc_id,
                "cidr": declared[name].cidr,
                "subnet_ids": created.subnet_ids,
                "subnet_cidrs": [subnet.cidr for subnet in declared[name].subnets],
                "default_security_group_id": created.default_security_group_id,
                "route_tables": created.route_table_ids,
            }
            for name, created in vpcs.items()
        }

    attachments = {}
    for spoke in config.tgw_spokes:
        vpc = vpcs[spoke.vpc]
        created = TransitGatewaySpoke(
            tgw_spoke_name(spoke),
            {
                "transit_gateway_id": others.output(spoke.hub_stack, "transit_gateway", "id"),
                "vpc_id": vpc.vpc_id,
                "vpc_cidr": declared[spoke.vpc].cidr,
                "subnet_ids": vpc.attachment_subnet_ids,
                "route_table_ids": vpc.route_table_ids_by_subnet,
                "destination_cidrs": list(spoke.destinations),
                "appliance_mode": spoke.appliance_mode,
            },
            opts=opts,
        )
        attachments[spoke.vpc] = created.attachment_id
    if attachments:
        exports["tgw_attachments"] = attachments

    for acceptance in config.tgw_acceptances:
        segments = [acceptance.associate_with, *acceptance.propagate_to]
        if acceptance.hub_stack is None and hub is not None:
            tables = {segment: hub.route_table_ids_by_segment[segment] for segment in segments}
        else:
            tables = {segment: others.output(acceptance.hub_stack, "transit_gateway", "route_tables", segment) for segment in segments}
        TransitGatewayAttachmentAcceptance(
            acceptance_name(acceptance),
            {
                "transit_gateway_attachment_id": others.output(acceptance.spoke.stack, "tgw_attachments", acceptance.spoke.vpc),
                "segment_route_table_ids": tables,
                "associate_with": acceptance.associate_with,
                "propagate_to": list(acceptance.propagate_to),
            },
            opts=opts,
        )

    peerings = {}
    for peering in config.peering_spokes:
        vpc = vpcs[peering.vpc]
        created = PeeringSpoke(
            peering_spoke_name(peering),
            {
                "vpc_id": vpc.vpc_id,
                "vpc_cidr": declared[peering.vpc].cidr,
                "hub_vpc_id": others.output(peering.hub.stack, "vpcs", peering.hub.vpc, "id"),
                "hub_account_id": others.output(peering.hub.stack, "account", "id"),
                "hub_region": others.output(peering.hub.stack, "account", "region"),
                "hub_cidrs": list(peering.destinations),
                "route_table_ids": vpc.route_table_ids_by_subnet,
                "peering_accepted": peering.accepted,
            },
            opts=opts,
        )
        peerings[peering.vpc] = created.peering_connection_id
    if peerings:
        exports["peerings"] = peerings
    for acceptance in config.peering_acceptances:
        hub_vpc = VpcHandle(acceptance.hub_vpc, vpcs, others)
        peering_args: dict[str, Any] = {
            "peering_connection_id": others.output(acceptance.spoke.stack, "peerings", acceptance.spoke.vpc),
            "route_table_ids": hub_vpc.route_tables(list(acceptance.route_tables)),
            "spoke_cidrs": list(acceptance.spoke_cidrs),
        }
        if isinstance(acceptance.hub_vpc, str):
            peering_args["hub_vpc_cidr"] = declared[acceptance.hub_vpc].cidr
        PeeringAcceptance(acceptance_name(acceptance), peering_args, opts=opts)

    groups: dict[str, TargetSecurityGroups] = {}
    for group in config.security_groups:
        groups[group.name] = TargetSecurityGroups(
            group.name,
            {
                "vpc_id": VpcHandle(group.vpc, vpcs, others).vpc_id,
                "eni_cidrs": list(group.eni_cidrs),
                "backend_cidrs": list(group.backend_cidrs),
                "port": group.port,
            },
            opts=opts,
        )

    certificates = {
        certificate.name: PublicCertificate(
            certificate.name, {"domain_name": certificate.domain, "public_zone_id": certificate.public_zone_id}, opts=opts
        )
        for certificate in config.certificates
    }

    apis = {}
    for api in config.private_apis:
        created = PrivateApiGatewayBackend(
            api.name,
            {
                "vpc_id": vpcs[api.vpc].vpc_id,
                "subnet_ids": vpcs[api.vpc].subnet_ids,
                "security_group_ids": [groups[api.security_group].backend_security_group_id],
                "region": account.region,
                "api_definition": openapi_document(f"https://{api.name}.execute-api", api.paths, integration=True),
                "stage_name": api.stage,
            },
            opts=opts,
        )
        apis[api.name] = {"invoke_url": created.invoke_url, "rest_api_id": created.rest_api_id, "vpc_endpoint_id": created.vpc_endpoint_id}
    if apis:
        exports["private_apis"] = apis

    balancers = {}
    for balancer in config.load_balancers:
        kind = AlbRestBackend if balancer.kind == "alb" else EksMcpNlbBackend
        args: dict[str, Any] = {
            "vpc_id": vpcs[balancer.vpc].vpc_id,
            "subnet_ids": vpcs[balancer.vpc].subnet_ids,
            "certificate_arn": certificates[balancer.certificate].certificate_arn if balancer.certificate else balancer.certificate_arn,
            "client_cidrs": list(balancer.client_cidrs),
            "target_cidrs": list(balancer.target_cidrs),
            "target_ips": list(balancer.target_ips),
        }
        if balancer.target_port is not None:
            args["target_port"] = balancer.target_port
        balancers[balancer.name] = kind(balancer.name, args, opts=opts)
    if balancers:
        exports["load_balancers"] = {name: {"dns_name": b.dns_name, "zone_id": b.zone_id} for name, b in balancers.items()}

    names = {}
    for name in config.private_names:
        if isinstance(name.load_balancer, RemoteName):
            alias_dns_name = others.output(name.load_balancer.stack, "load_balancers", name.load_balancer.name, "dns_name")
            alias_zone_id = others.output(name.load_balancer.stack, "load_balancers", name.load_balancer.name, "zone_id")
        else:
            alias_dns_name, alias_zone_id = balancers[name.load_balancer].dns_name, balancers[name.load_balancer].zone_id
        created = PrivateDnsName(
            private_name_component(name),
            {
                "zone_name": name.zone,
                "record_name": name.record,
                "vpc_id": VpcHandle(name.vpc, vpcs, others).vpc_id,
                "alias_dns_name": alias_dns_name,
                "alias_zone_id": alias_zone_id,
                "authorize_vpcs": [
                    {
                        "name": f"{remote.stack}-{remote.vpc}",
                        "vpc_id": others.output(remote.stack, "vpcs", remote.vpc, "id"),
                        "vpc_region": others.output(remote.stack, "account", "region"),
                    }
                    for remote in name.authorize
                ],
            },
            opts=opts,
        )
        names[name.name] = {"zone_id": created.zone_id, "fqdn": created.fqdn}
    if names:
        exports["private_names"] = names

    for association in config.zone_associations:
        PrivateZoneAssociation(
            association.name,
            {
                "zone_id": others.output(association.private_name.stack, "private_names", association.private_name.name, "zone_id"),
                "vpc_id": VpcHandle(association.vpc, vpcs, others).vpc_id,
                "vpc_region": account.region,
            },
            opts=opts,
        )

    lattice = {}
    for resource in config.lattice_resources:
        args = {
            "vpc_id": vpcs[resource.vpc].vpc_id,
            "subnet_ids": vpcs[resource.vpc].subnet_ids,
            "backend_cidrs": list(resource.backend_cidrs),
            "configurations": [
                {"name": c.name, "port_ranges": list(c.ports), **({"domain_name": c.domain} if c.domain else {"ip_address": c.ip})}
                for c in resource.configurations
            ],
            "share_with": list(resource.share_with),
        }
        if resource.ipv4_addresses_per_eni is not None:
            args["ipv4_addresses_per_eni"] = resource.ipv4_addresses_per_eni
        created = SharedLatticeResource(resource.name, args, opts=opts)
        lattice[resource.name] = {
            "configuration_arns": created.configuration_arns,
            "resource_gateway_id": created.resource_gateway_id,
            "share_arn": created.resource_share_arn,
        }
    if lattice:
        exports["lattice"] = lattice

    acceptances = []
    for acceptance in config.share_acceptances:
        acceptances.append(
            ResourceShareAcceptance(
                acceptance.name,
                {
                    "share_arn": others.output(acceptance.lattice.stack, "lattice", acceptance.lattice.name, "share_arn"),
                    "organization_sharing_enabled": acceptance.organization_sharing,
                },
                opts=opts,
            )
        )

    if config.gateway:
        gateway_args: dict[str, Any] = {}
        if config.gateway.jwt_discovery_url:
            gateway_args["jwt_authorizer"] = {
                "discovery_url": config.gateway.jwt_discovery_url,
                "allowed_clients": list(config.gateway.jwt_allowed_clients),
            }
        gateway = AgentCoreGateway(config.gateway.name, gateway_args, opts=opts)
        exports["gateway"] = {"id": gateway.gateway_id, "url": gateway.gateway_url}
        targets = {}
        for target in config.targets:
            targets[target.name] = _target(target, gateway, vpcs, groups, others, opts, acceptances)
        if targets:
            exports["targets"] = targets
    return exports


def _target(target, gateway, vpcs, groups, others: OtherStacks, opts, acceptances) -> dict[str, Any]:
    args: dict[str, Any] = {"gateway_id": gateway.gateway_id}
    if target.managed:
        vpc = VpcHandle(target.managed.vpc, vpcs, others)
        managed: dict[str, Any] = {
            "vpc_id": vpc.vpc_id,
            "subnet_ids": vpc.subnet_ids,
            "security_group_ids": [
                name if is_security_group_id(name) else groups[name].eni_security_group_id for name in target.managed.security_groups
            ],
            "endpoint_ip_address_type": target.managed.ip_type,
            "vpc_default_security_group_id": vpc.default_security_group_id,
        }
        if target.managed.routing_domain:
            managed["routing_domain"] = target.managed.routing_domain
        args["managed_vpc"] = managed
    else:
        lattice = target.lattice
        args["self_managed_lattice"] = {
            "resource_configuration_arn": others.output(lattice.stack, "lattice", lattice.resource, "configuration_arns", lattice.configuration)
        }
    endpoint = target.endpoint
    if endpoint.mcp_server:
        args["mcp_server_endpoint"] = endpoint.mcp_server
    elif endpoint.openapi_server:
        args["open_api_schema"] = openapi_document(endpoint.openapi_server, list(endpoint.paths))
    else:
        url = others.output(endpoint.private_api.stack, "private_apis", endpoint.private_api.name, "invoke_url")
        args["open_api_schema"] = url.apply(lambda server: openapi_document(server, list(endpoint.paths)))
    if target.credential:
        credential: dict[str, Any] = {"kind": target.credential.kind}
        for key in ("provider_arn", "service"):
            if getattr(target.credential, key):
                credential[key] = getattr(target.credential, key)
        if target.credential.scopes:
            credential["scopes"] = list(target.credential.scopes)
        args["credential"] = credential
    created = GatewayTarget(target.name, args, opts=opts.merge(pulumi.ResourceOptions(depends_on=acceptances)) if acceptances else opts)
    return {"id": created.target_id, "mode": created.mode, "reuse_key": created.reuse_key}
