"""Build one account's part of the landing zone from its validated stack config.

Only the sections present are built. Values that live in other accounts come
from those accounts' stacks through ``StackReference`` outputs, whose shapes
are the ``exports`` documented at the end of :func:`build`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Callable, Optional

import pulumi

# Each component is imported when a section first builds one (the package's lazy names): a spoke's program does not
# import the gateway's, the balancers' or the API's pulumi-aws modules (a fifth of a second of the simulation's start).
from agentcore_egress import components

from .config_schema import ConfigError, RemoteName, RemoteVpc, StackConfig, is_existing, is_security_group_id, load_stack_file, segment_routes
from .existing_lookups import ExistingLookups, ExistingVpc


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
    """A VPC of this stack (declared or existing) or of another one, as the sections that use it need it."""

    def __init__(self, ref: Any, local: Callable[[str], Any], others: OtherStacks) -> None:
        if isinstance(ref, RemoteVpc):
            self.vpc_id = others.output(ref.stack, "vpcs", ref.vpc, "id")
            self.subnet_ids = others.output(ref.stack, "vpcs", ref.vpc, "subnet_ids")
            self.default_security_group_id = others.output(ref.stack, "vpcs", ref.vpc, "default_security_group_id")
            self._tables = lambda key: others.output(ref.stack, "vpcs", ref.vpc, "route_tables", key)
            self.local = None
        else:
            self.local = local(ref)
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


def build(
    stack: str,
    config: StackConfig,
    reference_prefix: Optional[str] = None,
    key_paths: Optional[dict[str, str]] = None,
    stack_accounts: Optional[Mapping[str, str]] = None,
) -> dict[str, Any]:
    """Create the resources of ``config`` in the current Pulumi program; return the stack's exports.

    ``key_paths``, when given, is filled with each component's name and the config key path it
    was built from (``{"orders-rest": "targets[0]"}``), so that a finding on a resource can be
    shown on the line of the stack file that asked for it. ``stack_accounts`` maps the stacks whose
    TGW attachments this stack accepts to their account ids (:func:`spoke_accounts`): a spoke in this
    stack's own account is associated and propagated but not accepted.
    """
    account = config.account
    provider = components.account_provider(
        stack, account_id=account.id, region=account.region, role_arn=account.role_arn, default_tags=account.tags or None
    )
    if reference_prefix is None:
        reference_prefix = f"{pulumi.get_organization()}/{pulumi.get_project()}/"
    builder = AccountBuilder(
        stack=stack,
        config=config,
        opts=pulumi.ResourceOptions(provider=provider),
        others=OtherStacks(reference_prefix, pulumi.ResourceOptions()),
        key_paths=key_paths if key_paths is not None else {},
        stack_accounts=dict(stack_accounts or {}),
    )
    return builder.build()


def spoke_accounts(config: StackConfig, stacks_dir: Path) -> dict[str, str]:
    """The account of each stack whose TGW attachment ``config`` accepts, read from its ``Pulumi.<stack>.yaml`` beside this one's
    (a Pulumi program cannot decide whether to create a resource from another stack's outputs, which are unknown at preview)."""
    accounts = {}
    for index, acceptance in enumerate(config.tgw_acceptances):
        file = stacks_dir / f"Pulumi.{acceptance.spoke.stack}.yaml"
        if not file.is_file():
            raise ConfigError([f"{file}: not found; tgw_acceptances[{index}].spoke names stack '{acceptance.spoke.stack}', whose account says "
                               "whether its attachment needs accepting. Fix: keep every stack file of the landing zone in one folder"])
        accounts[acceptance.spoke.stack] = load_stack_file(file).account.id
    return accounts


@dataclass
class AccountBuilder:
    """One builder per config section, in the order the sections depend on each other.

    Each section method creates that section's components and returns its exports
    (or ``None``); what later sections need (VPCs, security groups, certificates…)
    is kept on the builder.
    """

    stack: str
    config: StackConfig
    opts: pulumi.ResourceOptions
    others: OtherStacks
    key_paths: dict[str, str]
    stack_accounts: dict[str, str] = field(default_factory=dict)
    """Account of each stack whose attachment this one accepts; an unknown one is accepted."""
    hub: Optional[components.TransitGatewayHub] = None
    vpcs: dict[str, components.PrivateVpc] = field(default_factory=dict)
    groups: dict[str, components.TargetSecurityGroups] = field(default_factory=dict)
    certificates: dict[str, components.PublicCertificate] = field(default_factory=dict)
    balancers: dict[str, Any] = field(default_factory=dict)
    acceptances: list[components.ResourceShareAcceptance] = field(default_factory=list)
    agentcore_gateway: Optional[components.AgentCoreGateway] = None
    existing_vpcs: dict[str, ExistingVpc] = field(default_factory=dict)
    """Existing VPCs read so far, by local name (each read once)."""

    @property
    def lookups(self) -> ExistingLookups:
        return ExistingLookups(self.opts)

    def build(self) -> dict[str, Any]:
        account = self.config.account
        exports: dict[str, Any] = {"account": {"id": account.id, "region": account.region}}
        # (export key, section builder); a section without an export key only creates resources.
        sections = [
            ("transit_gateway", self.transit_gateway_hub), ("existing_transit_gateways", self.existing_transit_gateways), ("vpcs", self.private_vpcs), ("tgw_attachments", self.tgw_spokes),
            (None, self.tgw_acceptances), ("tgw_peerings", self.tgw_peerings), ("peerings", self.peering_spokes), (None, self.peering_acceptances),
            ("security_groups", self.security_groups), (None, self.public_certificates), ("private_apis", self.private_apis),
            ("load_balancers", self.load_balancers), ("private_names", self.private_names), (None, self.zone_associations),
            ("lattice", self.lattice_resources), (None, self.share_acceptances), ("gateway", self.gateway), ("targets", self.targets),
        ]
        for export, section in sections:
            value = section()
            if export and value:
                exports[export] = value
        return exports

    def _located(self, component: type, name: str, key_path: str) -> str:
        """``name``, recorded as the ``component`` built from ``key_path`` (names repeat across sections)."""
        self.key_paths[f"{component.__name__}::{name}"] = key_path
        return name

    def _vpc(self, ref: Any) -> VpcHandle:
        return VpcHandle(ref, self._local_vpc, self.others)

    def _local_vpc(self, name: str) -> Any:
        """This stack's VPC ``name``: the PrivateVpc it declares, or the existing one it names (read once)."""
        if not is_existing(self.config, "vpcs", name):
            return self.vpcs[name]
        if name not in self.existing_vpcs:
            self.existing_vpcs[name] = self.lookups.vpc(self.config.existing.vpcs[name])
        return self.existing_vpcs[name]

    def existing_transit_gateways(self) -> dict[str, Any]:
        """The existing Transit Gateways this stack names, exported for the spokes of other stacks that attach to them."""
        gateways = self.config.existing.transit_gateways if self.config.existing else {}
        return {name: {"id": self.lookups.transit_gateway_id(gateway.id), "route_tables": dict(gateway.route_tables)} for name, gateway in gateways.items()}

    def transit_gateway_hub(self) -> Optional[dict[str, Any]]:
        settings = self.config.transit_gateway_hub
        if not settings:
            return None
        hub_args: dict[str, Any] = {"segments": list(settings.segments), "share_with": list(settings.share_with)}
        if settings.amazon_side_asn is not None:
            hub_args["amazon_side_asn"] = settings.amazon_side_asn
        if settings.blackhole_routes:
            hub_args["blackhole_routes"] = segment_routes(settings.blackhole_routes)
        if settings.security_group_referencing_support == "enable":
            hub_args["security_group_referencing_support"] = True
        hub = self.hub = components.TransitGatewayHub(self._located(components.TransitGatewayHub, self.stack, "transit_gateway_hub"), hub_args,
                                                      opts=self.opts)
        exports = {"id": hub.transit_gateway_id, "arn": hub.transit_gateway_arn, "route_tables": hub.route_table_ids, "share_arn": hub.resource_share_arn}
        if settings.peerings:
            exports["peerings"] = self._tgw_peering_requests(hub)
        return exports

    def _tgw_peering_requests(self, hub: components.TransitGatewayHub) -> dict[str, Any]:
        """Peering name → id of the attachment this hub requests to the other hub's Transit Gateway."""
        requests = {}
        for index, peering in enumerate(self.config.transit_gateway_hub.peerings):
            requests[peering.name] = components.TransitGatewayPeering(
                self._located(components.TransitGatewayPeering, f"{peering.name}-tgw-peering", f"transit_gateway_hub.peerings[{index}]"),
                {
                    "transit_gateway_id": hub.transit_gateway_id,
                    "peer_transit_gateway_id": self.others.output(peering.peer_stack, "transit_gateway", "id"),
                    "peer_account_id": self.others.output(peering.peer_stack, "account", "id"),
                    "peer_region": self.others.output(peering.peer_stack, "account", "region"),
                },
                opts=self.opts,
            ).attachment_id
        return requests

    def _segment_tables(self, hub_stack: Optional[str], segments: list[str]) -> dict[str, Any]:
        """Route table id per segment of this stack's hub (``hub_stack`` None) or of another stack's."""
        if hub_stack is None and self.hub is not None:
            return {segment: self.hub.route_table_ids_by_segment[segment] for segment in segments}
        return {segment: self.others.output(hub_stack, "transit_gateway", "route_tables", segment) for segment in segments}

    def private_vpcs(self) -> dict[str, Any]:
        for index, vpc in enumerate(self.config.vpcs):
            subnets = [{"name": s.name, "cidr_block": s.cidr, **({"availability_zone": s.az} if s.az else {"availability_zone_id": s.az_id})}
                       for s in vpc.subnets]
            vpc_args: dict[str, Any] = {"cidr_block": vpc.cidr, "subnets": subnets}
            if vpc.secondary_cidrs:
                vpc_args["secondary_cidr_blocks"] = list(vpc.secondary_cidrs)
            self.vpcs[vpc.name] = components.PrivateVpc(self._located(components.PrivateVpc, vpc.name, f"vpcs[{index}]"), vpc_args, opts=self.opts)
        return {
            vpc.name: {
                "id": self.vpcs[vpc.name].vpc_id,
                "cidr": vpc.cidr,
                "cidrs": vpc.blocks,
                "subnet_ids": self.vpcs[vpc.name].subnet_ids,
                "subnet_cidrs": [subnet.cidr for subnet in vpc.subnets],
                "default_security_group_id": self.vpcs[vpc.name].default_security_group_id,
                "route_tables": self.vpcs[vpc.name].route_table_ids,
            }
            for vpc in self.config.vpcs
        } | {name: self._existing_vpc_export(name) for name in (self.config.existing.vpcs if self.config.existing else {})}

    def _existing_vpc_export(self, name: str) -> dict[str, Any]:
        """An existing VPC exported as a declared one is, so that other stacks name it alike ({stack, vpc})."""
        vpc = self._local_vpc(name)
        return {"id": vpc.vpc_id, "cidr": vpc.cidr, "cidrs": [vpc.cidr, *vpc.secondary_cidrs], "subnet_ids": vpc.subnet_ids, "subnet_cidrs": vpc.subnet_cidrs,
                "default_security_group_id": vpc.default_security_group_id, "route_tables": vpc.route_table_ids_by_subnet}

    def _cidr(self, vpc: str) -> str:
        if is_existing(self.config, "vpcs", vpc):
            return self._local_vpc(vpc).cidr
        return next(declared.cidr for declared in self.config.vpcs if declared.name == vpc)

    def _secondary_cidrs(self, vpc: str) -> list[str]:
        if is_existing(self.config, "vpcs", vpc):
            return list(self._local_vpc(vpc).secondary_cidrs)
        return next(list(declared.secondary_cidrs) for declared in self.config.vpcs if declared.name == vpc)

    def _tgw_share_acceptances(self) -> dict[str, components.ResourceShareAcceptance]:
        """Hub stack → the acceptance of its RAM share invitation, one per hub whose share a spoke of this stack accepts."""
        accepted: dict[str, components.ResourceShareAcceptance] = {}
        for index, spoke in enumerate(self.config.tgw_spokes):
            if spoke.accept_share_invitation and spoke.hub_stack not in accepted:
                accepted[spoke.hub_stack] = components.ResourceShareAcceptance(
                    self._located(components.ResourceShareAcceptance, f"{spoke.hub_stack}-tgw-share", f"tgw_spokes[{index}].accept_share_invitation"),
                    {"share_arn": self.others.output(spoke.hub_stack, "transit_gateway", "share_arn"), "organization_sharing_enabled": False},
                    opts=self.opts,
                )
        return accepted

    def tgw_spokes(self) -> dict[str, Any]:
        attachments = {}
        accepted = self._tgw_share_acceptances()
        for index, spoke in enumerate(self.config.tgw_spokes):
            vpc = self._local_vpc(spoke.vpc)
            # The attachment waits for the share it uses to be accepted.
            opts = self.opts.merge(pulumi.ResourceOptions(depends_on=[accepted[spoke.hub_stack]])) if spoke.hub_stack in accepted else self.opts
            created = components.TransitGatewaySpoke(
                self._located(components.TransitGatewaySpoke, f"{spoke.vpc}-tgw", f"tgw_spokes[{index}]"),
                {
                    "transit_gateway_id": self.others.output(spoke.hub_stack, "existing_transit_gateways", spoke.transit_gateway, "id")
                    if spoke.transit_gateway else self.others.output(spoke.hub_stack, "transit_gateway", "id"),
                    "vpc_id": vpc.vpc_id,
                    "vpc_cidr": self._cidr(spoke.vpc),
                    "vpc_secondary_cidrs": self._secondary_cidrs(spoke.vpc),
                    "subnet_ids": vpc.attachment_subnet_ids,
                    "route_table_ids": vpc.route_table_ids_by_subnet,
                    "destination_cidrs": list(spoke.destinations),
                    "appliance_mode": spoke.appliance_mode,
                },
                opts=opts,
            )
            attachments[spoke.vpc] = created.attachment_id
        return attachments

    def tgw_acceptances(self) -> None:
        for index, acceptance in enumerate(self.config.tgw_acceptances):
            static_routes = segment_routes(acceptance.static_routes)
            segments = list(dict.fromkeys([acceptance.associate_with, *acceptance.propagate_to, *static_routes]))
            if acceptance.transit_gateway is not None and acceptance.hub_stack is None:
                existing = self.config.existing.transit_gateways[acceptance.transit_gateway].route_tables
                tables = {segment: self.lookups.transit_gateway_route_table_id(existing[segment]) for segment in segments}
            elif acceptance.transit_gateway is not None:
                tables = {segment: self.others.output(acceptance.hub_stack, "existing_transit_gateways", acceptance.transit_gateway, "route_tables", segment)
                          for segment in segments}
            else:
                tables = self._segment_tables(acceptance.hub_stack, segments)
            components.TransitGatewayAttachmentAcceptance(
                self._located(components.TransitGatewayAttachmentAcceptance, f"{acceptance.spoke.stack}-{acceptance.spoke.vpc}",
                              f"tgw_acceptances[{index}]"),
                {
                    "transit_gateway_attachment_id": self.others.output(acceptance.spoke.stack, "tgw_attachments", acceptance.spoke.vpc),
                    "segment_route_table_ids": tables,
                    "associate_with": acceptance.associate_with,
                    "propagate_to": list(acceptance.propagate_to),
                    "static_routes": static_routes,
                    # Only a cross-account attachment waits for acceptance (the hub's auto-accept setting is for "shared" attachments,
                    # https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html); one of the owner's own account is available
                    # at once, and an accepter for it fails (https://www.pulumi.com/registry/packages/aws/api-docs/ec2transitgateway/vpcattachmentaccepter/).
                    "accept": self.stack_accounts.get(acceptance.spoke.stack) != self.config.account.id,
                },
                opts=self.opts,
            )

    def tgw_peerings(self) -> dict[str, Any]:
        """Each side of a Transit Gateway peering; exports, per requester hub stack and peering name, the ids this stack accepts."""
        accepted: dict[str, dict[str, Any]] = {}
        for index, side in enumerate(self.config.tgw_peerings):
            static_routes = segment_routes(side.static_routes)
            peering = side.peering
            attachment = (self.others.output(side.accepted_in, "tgw_peerings", peering.stack, peering.name) if side.requester
                          else self.others.output(peering.stack, "transit_gateway", "peerings", peering.name))
            created = components.TransitGatewayPeeringSide(
                self._located(components.TransitGatewayPeeringSide, f"{peering.stack}-{peering.name}", f"tgw_peerings[{index}]"),
                {
                    "transit_gateway_attachment_id": attachment,
                    "segment_route_table_ids": self._segment_tables(side.hub_stack, list(dict.fromkeys([side.associate_with, *static_routes]))),
                    "associate_with": side.associate_with,
                    "static_routes": static_routes,
                    "accept": not side.requester,
                },
                opts=self.opts,
            )
            if not side.requester:
                accepted.setdefault(peering.stack, {})[peering.name] = created.attachment_id
        return accepted

    def peering_spokes(self) -> dict[str, Any]:
        peerings = {}
        for index, peering in enumerate(self.config.peering_spokes):
            vpc = self._local_vpc(peering.vpc)
            hub = peering.hub
            created = components.PeeringSpoke(
                self._located(components.PeeringSpoke, f"{peering.vpc}-peering", f"peering_spokes[{index}]"),
                {
                    "vpc_id": vpc.vpc_id,
                    "vpc_cidr": self._cidr(peering.vpc),
                    "vpc_secondary_cidrs": self._secondary_cidrs(peering.vpc),
                    "hub_vpc_id": self.others.output(hub.stack, "vpcs", hub.vpc, "id"),
                    "hub_account_id": self.others.output(hub.stack, "account", "id"),
                    "hub_region": self.others.output(hub.stack, "account", "region"),
                    "hub_cidrs": list(peering.destinations),
                    "route_table_ids": vpc.route_table_ids_by_subnet,
                    "peering_accepted": peering.accepted,
                },
                opts=self.opts,
            )
            peerings[peering.vpc] = created.peering_connection_id
        return peerings

    def peering_acceptances(self) -> None:
        for index, acceptance in enumerate(self.config.peering_acceptances):
            hub_vpc = self._vpc(acceptance.hub_vpc)
            peering_args: dict[str, Any] = {
                "peering_connection_id": self.others.output(acceptance.spoke.stack, "peerings", acceptance.spoke.vpc),
                "route_table_ids": hub_vpc.route_tables(list(acceptance.route_tables)),
                "spoke_cidrs": list(acceptance.spoke_cidrs),
            }
            if isinstance(acceptance.hub_vpc, str):
                peering_args["hub_vpc_cidr"] = self._cidr(acceptance.hub_vpc)
                peering_args["hub_vpc_secondary_cidrs"] = self._secondary_cidrs(acceptance.hub_vpc)
            name = self._located(components.PeeringAcceptance, f"{acceptance.spoke.stack}-{acceptance.spoke.vpc}", f"peering_acceptances[{index}]")
            components.PeeringAcceptance(name, peering_args, opts=self.opts)

    def security_groups(self) -> dict[str, Any]:
        for index, group in enumerate(self.config.security_groups):
            self.groups[group.name] = components.TargetSecurityGroups(
                self._located(components.TargetSecurityGroups, group.name, f"security_groups[{index}]"),
                {
                    "vpc_id": self._vpc(group.vpc).vpc_id,
                    "eni_cidrs": list(group.eni_cidrs),
                    "backend_cidrs": list(group.backend_cidrs),
                    "port": group.port,
                },
                opts=self.opts,
            )
        return {name: {"eni": group.eni_security_group_id, "backend": group.backend_security_group_id} for name, group in self.groups.items()}

    def public_certificates(self) -> None:
        for index, certificate in enumerate(self.config.certificates):
            self.certificates[certificate.name] = components.PublicCertificate(
                self._located(components.PublicCertificate, certificate.name, f"certificates[{index}]"),
                {"domain_name": certificate.domain, "public_zone_id": certificate.public_zone_id},
                opts=self.opts,
            )

    def private_apis(self) -> dict[str, Any]:
        apis = {}
        for index, api in enumerate(self.config.private_apis):
            created = components.PrivateApiGatewayBackend(
                self._located(components.PrivateApiGatewayBackend, api.name, f"private_apis[{index}]"),
                {
                    "vpc_id": self._local_vpc(api.vpc).vpc_id,
                    "subnet_ids": self._local_vpc(api.vpc).subnet_ids,
                    "security_group_ids": [self._security_group(api.security_group, "backend")],
                    "region": self.config.account.region,
                    "api_definition": openapi_document(f"https://{api.name}.execute-api", api.paths, integration=True),
                    "stage_name": api.stage,
                },
                opts=self.opts,
            )
            apis[api.name] = {"invoke_url": created.invoke_url, "rest_api_id": created.rest_api_id, "vpc_endpoint_id": created.vpc_endpoint_id}
        return apis

    def load_balancers(self) -> dict[str, Any]:
        for index, balancer in enumerate(self.config.load_balancers):
            kind = components.AlbRestBackend if balancer.kind == "alb" else components.EksMcpNlbBackend
            certificate = self._certificate_arn(balancer.certificate) if balancer.certificate else balancer.certificate_arn
            args: dict[str, Any] = {
                "vpc_id": self._local_vpc(balancer.vpc).vpc_id,
                "subnet_ids": self._local_vpc(balancer.vpc).subnet_ids,
                "listener_port": balancer.listener_port,
                "listener_protocol": balancer.protocol,
                "client_cidrs": list(balancer.client_cidrs),
                "target_cidrs": list(balancer.target_cidrs),
                "target_ips": list(balancer.target_ips),
            }
            if certificate is not None:
                args["certificate_arn"] = certificate
            if balancer.target_port is not None:
                args["target_port"] = balancer.target_port
            if balancer.client_groups:
                args["client_security_group_ids"] = [self._client_group(group) for group in balancer.client_groups]
            self.balancers[balancer.name] = kind(self._located(kind, balancer.name, f"load_balancers[{index}]"), args, opts=self.opts)
        for name, arn in (self.config.existing.load_balancers if self.config.existing else {}).items():
            self.balancers[name] = self.lookups.load_balancer(arn)
        return {name: {"dns_name": b.dns_name, "zone_id": b.zone_id} for name, b in self.balancers.items()}

    def _certificate_arn(self, name: str) -> Any:
        """A certificate of this stack: the one it requests, or an existing one's ARN (ACM reads a certificate by domain, not by ARN)."""
        if is_existing(self.config, "certificates", name):
            return self.config.existing.certificates[name]
        return self.certificates[name].certificate_arn

    def _client_group(self, group: Any) -> Any:
        """A security group named in config: an id, an existing one's, this stack's group's ENI side, or another stack's (as
        ``<account>/sg-…`` when that stack is in another account, the form EC2 takes for a reference to another account's group)."""
        if isinstance(group, str):
            return self._security_group(group, "eni")
        own = self.config.account.id
        return pulumi.Output.all(self.others.output(group.stack, "account", "id"), self.others.output(group.stack, "security_groups", group.name, "eni")).apply(
            lambda found: found[1] if found[0] == own else f"{found[0]}/{found[1]}")

    def private_names(self) -> dict[str, Any]:
        names = {}
        for index, name in enumerate(self.config.private_names):
            if isinstance(name.load_balancer, RemoteName):
                remote = name.load_balancer
                alias_dns_name = self.others.output(remote.stack, "load_balancers", remote.name, "dns_name")
                alias_zone_id = self.others.output(remote.stack, "load_balancers", remote.name, "zone_id")
            else:
                alias_dns_name, alias_zone_id = self.balancers[name.load_balancer].dns_name, self.balancers[name.load_balancer].zone_id
            authorize = [
                {
                    "name": f"{remote.stack}-{remote.vpc}",
                    "vpc_id": self.others.output(remote.stack, "vpcs", remote.vpc, "id"),
                    "vpc_region": self.others.output(remote.stack, "account", "region"),
                }
                for remote in name.authorize
            ]
            zone: dict[str, Any] = {"zone_name": name.zone}
            if "." not in name.zone:  # the local name of an existing zone (a DNS name has dots)
                zone_id = self.config.existing.private_zones[name.zone]
                zone = {"zone_name": self.lookups.zone_name(zone_id), "existing_zone_id": zone_id}
            created = components.PrivateDnsName(
                self._located(components.PrivateDnsName, f"{name.name}-dns", f"private_names[{index}]"),
                {
                    **zone,
                    "record_name": name.record,
                    "vpc_id": self._vpc(name.vpc).vpc_id,
                    "alias_dns_name": alias_dns_name,
                    "alias_zone_id": alias_zone_id,
                    "authorize_vpcs": authorize,
                },
                opts=self.opts,
            )
            names[name.name] = {"zone_id": created.zone_id, "fqdn": created.fqdn}
        return names

    def zone_associations(self) -> None:
        for index, association in enumerate(self.config.zone_associations):
            private_name = association.private_name
            components.PrivateZoneAssociation(
                self._located(components.PrivateZoneAssociation, association.name, f"zone_associations[{index}]"),
                {
                    "zone_id": self.others.output(private_name.stack, "private_names", private_name.name, "zone_id"),
                    "vpc_id": self._vpc(association.vpc).vpc_id,
                    "vpc_region": self.config.account.region,
                },
                opts=self.opts,
            )

    def lattice_resources(self) -> dict[str, Any]:
        lattice = {}
        for index, resource in enumerate(self.config.lattice_resources):
            args: dict[str, Any] = {
                "vpc_id": self._local_vpc(resource.vpc).vpc_id,
                "subnet_ids": self._local_vpc(resource.vpc).subnet_ids,
                "backend_cidrs": list(resource.backend_cidrs),
                "configurations": [_lattice_configuration(c) for c in resource.configurations],
                "share_with": list(resource.share_with),
            }
            if resource.ipv4_addresses_per_eni is not None:
                args["ipv4_addresses_per_eni"] = resource.ipv4_addresses_per_eni
            if resource.ip_address_type != "IPV4":
                args["ip_address_type"] = resource.ip_address_type
            if resource.security_groups:
                args["security_group_ids"] = [self._client_group(group) for group in resource.security_groups]
                args["vpc_default_security_group_id"] = self._local_vpc(resource.vpc).default_security_group_id
            created = components.SharedLatticeResource(self._located(components.SharedLatticeResource, resource.name, f"lattice_resources[{index}]"), args,
                                                       opts=self.opts)
            lattice[resource.name] = {
                "configuration_arns": created.configuration_arns,
                "resource_gateway_id": created.resource_gateway_id,
                "share_arn": created.resource_share_arn,
            }
        return lattice

    def share_acceptances(self) -> None:
        for index, acceptance in enumerate(self.config.share_acceptances):
            share_arn = self.others.output(acceptance.lattice.stack, "lattice", acceptance.lattice.name, "share_arn")
            self.acceptances.append(
                components.ResourceShareAcceptance(
                    self._located(components.ResourceShareAcceptance, acceptance.name, f"share_acceptances[{index}]"),
                    {"share_arn": share_arn, "organization_sharing_enabled": acceptance.organization_sharing},
                    opts=self.opts,
                )
            )

    def gateway(self) -> Optional[dict[str, Any]]:
        settings = self.config.gateway
        if not settings:
            return None
        # The stack's gateway and targets keep the names their config gives them (deployed stacks had them before the
        # components autonamed; a target's name also prefixes its tools' names, which agents call).
        gateway_args: dict[str, Any] = {"name": settings.name}
        if settings.jwt_discovery_url:
            gateway_args["jwt_authorizer"] = {"discovery_url": settings.jwt_discovery_url, "allowed_clients": list(settings.jwt_allowed_clients)}
        self.agentcore_gateway = components.AgentCoreGateway(self._located(components.AgentCoreGateway, settings.name, "gateway"), gateway_args,
                                                             opts=self.opts)
        return {"id": self.agentcore_gateway.gateway_id, "url": self.agentcore_gateway.gateway_url}

    def targets(self) -> dict[str, Any]:
        if self.agentcore_gateway is None:
            return {}
        return {target.name: self.target(index, target) for index, target in enumerate(self.config.targets)}

    def _security_group(self, name: str, side: str) -> Any:
        """A security group a section names: an id as given, an existing group (read), or one side (``eni`` or ``backend``) of
        one this stack declares."""
        if is_security_group_id(name):
            return name
        if is_existing(self.config, "security_groups", name):
            return self.lookups.security_group_id(self.config.existing.security_groups[name])
        return getattr(self.groups[name], f"{side}_security_group_id")

    def target(self, index: int, target: Any) -> dict[str, Any]:
        args: dict[str, Any] = {"gateway_id": self.agentcore_gateway.gateway_id, "name": target.name}
        if target.managed:
            vpc = self._vpc(target.managed.vpc)
            managed: dict[str, Any] = {
                "vpc_id": vpc.vpc_id,
                "subnet_ids": vpc.subnet_ids,
                "security_group_ids": [self._security_group(name, "eni") for name in target.managed.security_groups],
                "endpoint_ip_address_type": target.managed.ip_type,
                "vpc_default_security_group_id": vpc.default_security_group_id,
            }
            if target.managed.routing_domain:
                managed["routing_domain"] = target.managed.routing_domain
            args["managed_vpc"] = managed
        else:
            lattice = target.lattice
            args["self_managed_lattice"] = {
                "resource_configuration_arn": self.others.output(lattice.stack, "lattice", lattice.resource, "configuration_arns",
                                                                 f"{lattice.configuration}/{lattice.child}" if lattice.child else lattice.configuration)
            }
        args.update(_target_endpoint(target.endpoint, self.others))
        if target.credential:
            args["credential"] = _credential(target.credential)
        opts = self.opts.merge(pulumi.ResourceOptions(depends_on=self.acceptances)) if self.acceptances else self.opts
        created = components.GatewayTarget(self._located(components.GatewayTarget, target.name, f"targets[{index}]"), args, opts=opts)
        return {"id": created.target_id, "mode": created.mode, "reuse_key": created.reuse_key}


def _lattice_configuration(declared: Any) -> dict[str, Any]:
    """A Resource Configuration (or a group's child) as SharedLatticeResource takes it."""
    configuration: dict[str, Any] = {"name": declared.name}
    if declared.ports:
        configuration["port_ranges"] = list(declared.ports)
    for key, arg in (("domain", "domain_name"), ("ip", "ip_address"), ("arn", "arn")):
        if getattr(declared, key, None):
            configuration[arg] = getattr(declared, key)
    if getattr(declared, "children", None):
        configuration["children"] = [_lattice_configuration(child) for child in declared.children]
    return configuration


def _target_endpoint(endpoint: Any, others: OtherStacks) -> dict[str, Any]:
    """The target's MCP endpoint or OpenAPI schema (pointing at a private API of another stack if so declared)."""
    if endpoint.mcp_server:
        return {"mcp_server_endpoint": endpoint.mcp_server}
    if endpoint.openapi_server:
        return {"open_api_schema": openapi_document(endpoint.openapi_server, list(endpoint.paths))}
    url = others.output(endpoint.private_api.stack, "private_apis", endpoint.private_api.name, "invoke_url")
    return {"open_api_schema": url.apply(lambda server: openapi_document(server, list(endpoint.paths)))}


def _credential(declared: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {"kind": declared.kind}
    for key in ("provider_arn", "service"):
        if getattr(declared, key):
            credential[key] = getattr(declared, key)
    if declared.scopes:
        credential["scopes"] = list(declared.scopes)
    return credential
