"""Offline reachability: trace, on the declared infrastructure, the path from each AgentCore
target's Resource Gateway ENIs to its backend, hop by hop.

The model is built from what ``plan`` simulated across every account stack:
subnets and route tables, Transit Gateway attachments, route tables,
associations, propagations and static routes, peerings, security groups, load
balancers with listeners and target groups, interface endpoints, private zones
with their VPC associations and records, Resource Gateways and Configurations.
A target is ``reachable``, ``unreachable`` (the first broken hop says what is
missing and the smallest fix), or ``unverified`` when the path leaves what the
landing zone declares (an external host name, a bare IP address).
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import urlparse

import yaml

from agentcore_egress.components.validation import ip_network
from agentcore_egress.policies import resource_types as types
from agentcore_egress.simulation.registration import Registration

T = {
    "vpc": types.VPC,
    "vpc_block": types.VPC_CIDR_ASSOCIATION,
    "subnet": types.SUBNET,
    "route_table": types.ROUTE_TABLE,
    "association": types.ROUTE_TABLE_ASSOCIATION,
    "route": types.ROUTE,
    "sg": types.SECURITY_GROUP,
    "sg_rule": types.SECURITY_GROUP_RULE,
    "endpoint": types.VPC_ENDPOINT,
    "tgw": types.TRANSIT_GATEWAY,
    "attachment": types.TGW_VPC_ATTACHMENT,
    "accepter": types.TGW_VPC_ATTACHMENT_ACCEPTER,
    "tgw_association": types.TGW_ROUTE_TABLE_ASSOCIATION,
    "tgw_propagation": types.TGW_ROUTE_TABLE_PROPAGATION,
    "tgw_route": types.TGW_ROUTE,
    "tgw_route_table": types.TGW_ROUTE_TABLE,
    "peering": types.PEERING,
    "peering_accepter": types.PEERING_ACCEPTER,
    "tgw_peering": types.TGW_PEERING_ATTACHMENT,
    "tgw_peering_accepter": types.TGW_PEERING_ATTACHMENT_ACCEPTER,
    "lb": types.LB,
    "listener": types.LB_LISTENER,
    "target_group": types.LB_TARGET_GROUP,
    "target_attachment": types.LB_TARGET_GROUP_ATTACHMENT,
    "zone": types.ROUTE53_ZONE,
    "zone_association": types.ROUTE53_ZONE_ASSOCIATION,
    "record": types.ROUTE53_RECORD,
    "certificate": types.ACM_CERTIFICATE,
    "rest_api": types.REST_API,
    "resource_gateway": types.RESOURCE_GATEWAY,
    "resource_configuration": types.RESOURCE_CONFIGURATION,
    "target": types.GATEWAY_TARGET,
}
"""The resource types the trace reads (tokens named once, in ``policies/resource_types``)."""
AWS_GENERATED_HOST = re.compile(r"\.elb(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?\.?$")
"""The DNS names Elastic Load Balancing gives load balancers (``internal-x-1.eu-west-1.elb.amazonaws.com``, ``x-1.elb.eu-west-1.amazonaws.com``):
ACM issues no certificate for amazonaws.com, so HTTPS to such a name never verifies
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html)."""
EXECUTE_API_HOST = re.compile(r"^(?P<api>[a-z0-9]+)-(?P<vpce>vpce-[0-9a-f]+)\.execute-api\.[a-z0-9-]+\.amazonaws\.com$")

REACHABLE, UNREACHABLE, UNVERIFIED = "reachable", "unreachable", "unverified"
RULE = ("mandatory", "Every AgentCore gateway target can reach its backend on the declared infrastructure: DNS, routes both ways, "
        "security groups, listener, public certificate matching the name, forward port.")
"""Default level and description of the ``reachability`` rule."""


@dataclass
class Hop:
    name: str
    ok: bool
    detail: str
    fix: str = ""


@dataclass
class Trace:
    """The path of one gateway target, as far as it goes."""

    stack: str
    target: str
    mode: str
    hops: list[Hop] = field(default_factory=list)
    verdict: str = REACHABLE
    urn: str = ""
    """The target resource's URN, which leads back to its config entry."""

    @property
    def broken(self) -> Optional[Hop]:
        return next((hop for hop in self.hops if not hop.ok), None)

    def summary(self) -> str:
        if self.verdict == REACHABLE:
            return "reachable: " + " → ".join(hop.detail for hop in self.hops)
        hop = self.hops[-1]
        return f"{self.verdict} at {hop.name}: {hop.detail}" + (f". Fix: {hop.fix}" if hop.fix else "")


@dataclass(frozen=True)
class TgwRoute:
    """One route of a Transit Gateway route table; ``attachment`` None is a blackhole."""

    destination: ipaddress.IPv4Network
    attachment: Optional[str]
    kind: str
    """'static' or 'propagated'."""


class _Broken(Exception):
    def __init__(self, hop: str, detail: str, fix: str = "", verdict: str = UNREACHABLE) -> None:
        super().__init__(detail)
        self.hop, self.detail, self.fix, self.verdict = hop, detail, fix, verdict


def _net(value: Any) -> Optional[ipaddress.IPv4Network]:
    try:
        return ip_network(value, strict=False) if isinstance(value, str) else None
    except ValueError:
        return None


def _host_matches(pattern: str, host: str) -> bool:
    pattern, host = pattern.rstrip(".").lower(), host.rstrip(".").lower()
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and host.count(".") == pattern.count(".")
    return pattern == host


def _openapi_paths(document: Any) -> Optional[set[str]]:
    """The paths of an OpenAPI document given as JSON or YAML text, or None when there is none to read."""
    try:
        parsed = yaml.safe_load(document) if isinstance(document, str) else None
    except yaml.YAMLError:
        return None
    paths = parsed.get("paths") if isinstance(parsed, dict) else None
    return set(paths) if isinstance(paths, dict) else None


def _is_within(host: str, zone: str) -> bool:
    """Whether the (lower-case, dotless) ``host`` is the zone's name or a name below it."""
    zone = zone.rstrip(".").lower()
    return bool(zone) and (host == zone or host.endswith("." + zone))


def _allows(rule: dict[str, Any], port: int) -> bool:
    protocol = str(rule.get("protocol", "")).lower()
    if protocol in ("-1", "all"):
        return True
    if protocol not in ("tcp", "6"):
        return False
    return int(rule.get("fromPort", 0) or 0) <= port <= int(rule.get("toPort", 0) or 0)


class Network:
    """Everything the landing zone declares, indexed for tracing."""

    def __init__(self, registrations: Iterable[tuple[str, str, str, Registration]]) -> None:
        """``registrations``: (stack, account, region, registration) of every stack."""
        self.by_type: dict[str, list[Registration]] = defaultdict(list)
        self.by_id: dict[str, Registration] = {}
        self.account_of: dict[str, str] = {}
        self.region_of: dict[str, str] = {}
        for _, account, region, registration in registrations:
            self.by_type[registration.type].append(registration)
            if registration.id:
                self.by_id[registration.id] = registration
            self.account_of[registration.urn] = account
            self.region_of[registration.urn] = region
        get = lambda r, key, default=None: r.state.get(key, r.inputs.get(key, default))  # noqa: E731
        self.get = get
        # Every IPv4 block of each VPC, the primary first: each has a local route, and a TGW attachment propagates each.
        self.vpc_blocks: dict[str, list[ipaddress.IPv4Network]] = {r.id: [_net(get(r, "cidrBlock"))] for r in self.by_type[T["vpc"]] if _net(get(r, "cidrBlock"))}
        for association in self.by_type[T["vpc_block"]]:
            if _net(get(association, "cidrBlock")):
                self.vpc_blocks.setdefault(get(association, "vpcId"), []).append(_net(get(association, "cidrBlock")))
        self.subnets = {r.id: r for r in self.by_type[T["subnet"]]}
        self.route_table_of = {get(r, "subnetId"): get(r, "routeTableId") for r in self.by_type[T["association"]]}
        self.routes: dict[str, list[tuple[ipaddress.IPv4Network, str, str]]] = defaultdict(list)
        for route in self.by_type[T["route"]]:
            net = _net(get(route, "destinationCidrBlock"))
            if net is None:
                continue
            if get(route, "transitGatewayId"):
                self.routes[get(route, "routeTableId")].append((net, "tgw", get(route, "transitGatewayId")))
            elif get(route, "vpcPeeringConnectionId"):
                self.routes[get(route, "routeTableId")].append((net, "pcx", get(route, "vpcPeeringConnectionId")))
        self.groups = {r.id: r for r in self.by_type[T["sg"]]}
        self.extra_rules: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        for rule in self.by_type[T["sg_rule"]]:
            self.extra_rules[get(rule, "securityGroupId")].append((get(rule, "type"), dict(rule.inputs)))
        self.attachments = {r.id: r for r in self.by_type[T["attachment"]]}
        self.accepted = {get(r, "transitGatewayAttachmentId") for r in self.by_type[T["accepter"]]}
        # (attachment, Transit Gateway) → its route table there: a peering attachment has one on each of its two Transit Gateways.
        tgw_of_table = {r.id: get(r, "transitGatewayId") for r in self.by_type[T["tgw_route_table"]]}
        self.tgw_association = {(get(r, "transitGatewayAttachmentId"), tgw_of_table.get(get(r, "transitGatewayRouteTableId"))): get(r, "transitGatewayRouteTableId")
                                for r in self.by_type[T["tgw_association"]]}
        self.tgw_peerings = {r.id: r for r in self.by_type[T["tgw_peering"]]}
        self.tgw_peering_accepted = {get(r, "transitGatewayAttachmentId") for r in self.by_type[T["tgw_peering_accepter"]]}
        self.tgw_propagations: dict[str, set[str]] = defaultdict(set)
        for propagation in self.by_type[T["tgw_propagation"]]:
            self.tgw_propagations[get(propagation, "transitGatewayRouteTableId")].add(get(propagation, "transitGatewayAttachmentId"))
        self.tgw_static: dict[str, list[TgwRoute]] = defaultdict(list)
        for route in self.by_type[T["tgw_route"]]:
            net = _net(get(route, "destinationCidrBlock"))
            if net:
                attachment = None if get(route, "blackhole") else get(route, "transitGatewayAttachmentId")
                self.tgw_static[get(route, "transitGatewayRouteTableId")].append(TgwRoute(net, attachment, "static"))
        self._tgw_routes: dict[str, tuple[list[TgwRoute], dict[str, str]]] = {}
        self.tgw_owner = {r.id: self.account_of[r.urn] for r in self.by_type[T["tgw"]]}
        self.tgw_tables = {r.id: r for r in self.by_type[T["tgw_route_table"]]}
        self.peerings = {r.id: r for r in self.by_type[T["peering"]]}
        self.peering_accepted = {get(r, "vpcPeeringConnectionId") for r in self.by_type[T["peering_accepter"]]}
        self.balancers_by_dns = {get(r, "dnsName"): r for r in self.by_type[T["lb"]] if get(r, "dnsName")}
        self.listeners: dict[str, list[Registration]] = defaultdict(list)
        for listener in self.by_type[T["listener"]]:
            self.listeners[get(listener, "loadBalancerArn")].append(listener)
        self.target_groups = {get(r, "arn"): r for r in self.by_type[T["target_group"]]}
        self.targets_of: dict[str, list[str]] = defaultdict(list)
        for attachment in self.by_type[T["target_attachment"]]:
            self.targets_of[get(attachment, "targetGroupArn")].append(str(get(attachment, "targetId") or ""))
        self.certificates = {get(r, "arn"): r for r in self.by_type[T["certificate"]]}
        self.zone_vpcs: dict[str, set[str]] = defaultdict(set)
        self.zones = {r.id: r for r in self.by_type[T["zone"]]}
        for zone in self.zones.values():
            for vpc in get(zone, "vpcs") or []:
                self.zone_vpcs[zone.id].add(vpc.get("vpcId"))
        for association in self.by_type[T["zone_association"]]:
            self.zone_vpcs[get(association, "zoneId")].add(get(association, "vpcId"))
        self.records = [r for r in self.by_type[T["record"]] if get(r, "aliases")]
        self.configurations: dict[str, Registration] = {}
        for configuration in self.by_type[T["resource_configuration"]]:
            self.configurations[configuration.id] = configuration
            if get(configuration, "arn"):
                self.configurations[get(configuration, "arn")] = configuration

    # -- the path ---------------------------------------------------------------------------

    def trace(self, stack: str, target: Registration) -> Trace:
        managed = (self.get(target, "privateEndpoint") or {}).get("managedVpcResource")
        trace = Trace(stack, target.name, "managed" if managed else "self-managed", urn=target.urn)
        try:
            self._trace(target, managed, trace)
        except _Broken as broken:
            trace.hops.append(Hop(broken.hop, False, broken.detail, broken.fix))
            trace.verdict = broken.verdict
        return trace

    def _url(self, target: Registration) -> tuple[str, int]:
        mcp = (self.get(target, "targetConfiguration") or {}).get("mcp", {})
        url = (mcp.get("mcpServer") or {}).get("endpoint")
        if url is None:
            payload = ((mcp.get("openApiSchema") or {}).get("inlinePayload") or {}).get("payload")
            try:
                servers = (yaml.safe_load(payload) or {}).get("servers") if isinstance(payload, str) else None
            except yaml.YAMLError:
                servers = None
            url = servers[0].get("url") if servers and isinstance(servers[0], dict) else None
        if not url:
            raise _Broken("endpoint", "the target names no URL the landing zone can follow (an S3 schema or none)", verdict=UNVERIFIED)
        parsed = urlparse(url)
        if parsed.scheme != "https" or not parsed.hostname:
            raise _Broken("endpoint", f"{url} is not an https:// URL", "AgentCore reaches targets over TLS only: use https://")
        if AWS_GENERATED_HOST.search(parsed.hostname):
            raise _Broken("endpoint", f"{parsed.hostname} is a name AWS generated for a load balancer: AgentCore verifies the URL's host against "
                                      "the backend's certificate, and no public certificate can name a host under amazonaws.com",
                          "give the load balancer a name in your own domain (private_names) with a public certificate for it, and use that name in the URL")
        return parsed.hostname, parsed.port or 443

    def _trace(self, target: Registration, managed: Optional[dict], trace: Trace) -> None:
        host, port = self._url(target)
        resolved = host
        if managed:
            vpc, subnets, groups = managed.get("vpcIdentifier"), list(managed.get("subnetIds") or []), list(managed.get("securityGroupIds") or [])
            where = "managed Resource Gateway"
        else:
            arn = ((self.get(target, "privateEndpoint") or {}).get("selfManagedLatticeResource") or {}).get("resourceConfigurationIdentifier")
            configuration = self.configurations.get(arn)
            if configuration is None:
                raise _Broken("resource configuration", f"{arn} is not declared in the landing zone", verdict=UNVERIFIED)
            # A CHILD configuration reaches its resource through its group's gateway, on its own ports or else the group's.
            group = self.configurations.get(self.get(configuration, "resourceConfigurationGroupId")) or configuration
            gateway = self.by_id.get(self.get(group, "resourceGatewayIdentifier"))
            if gateway is None:
                raise _Broken("resource configuration", f"the Resource Gateway of {configuration.name} is not declared", verdict=UNVERIFIED)
            vpc, subnets, groups = self.get(gateway, "vpcId"), list(self.get(gateway, "subnetIds") or []), list(self.get(gateway, "securityGroupIds") or [])
            where = f"Resource Gateway {gateway.name}"
            definition = self.get(configuration, "resourceConfigurationDefinition") or {}
            configured_host = (definition.get("dnsResource") or {}).get("domainName") or (definition.get("ipResource") or {}).get("ipAddress")
            ranges = self.get(configuration, "portRanges") or self.get(group, "portRanges") or []
            if not any(_in_range(port, text) for text in ranges):
                raise _Broken("resource configuration", f"{configuration.name} allows ports {ranges}, the target connects to {port}",
                              f"add '{port}' to the configuration's port_ranges, or use a port it allows")
            if configured_host and configured_host != host:
                resolved = configured_host  # the Resource Gateway connects to the configuration's endpoint; TLS still verifies the URL's host
        eni_nets = [_net(self.get(self.subnets[s], "cidrBlock")) for s in subnets if s in self.subnets]
        if not eni_nets:
            raise _Broken("ENIs", f"the {where}'s subnets {subnets} are not declared in the landing zone", verdict=UNVERIFIED)
        trace.hops.append(Hop("ENIs", True, f"{where} ENIs in {len(eni_nets)} subnet(s) of {vpc}"))

        kind, backend, backend_vpc, backend_subnets, backend_groups = self._resolve(resolved, vpc)
        trace.hops.append(Hop("DNS", True, f"{resolved} → {kind} {backend.name}"))
        backend_nets = [_net(self.get(self.subnets[s], "cidrBlock")) for s in backend_subnets if s in self.subnets]
        if not backend_nets:
            raise _Broken("route", f"the subnets of {backend.name} are not declared", verdict=UNVERIFIED)

        trace.hops.append(Hop("route", True, self._route(vpc, subnets, eni_nets, backend_vpc, backend_subnets, backend_nets)))
        trace.hops.append(Hop("ENI egress", True, self._egress(groups, backend_nets, backend_groups, port)))
        trace.hops.append(Hop("backend ingress", True, self._ingress(backend, backend_groups, eni_nets, groups, port, vpc, backend_vpc)))
        if kind == "VPC endpoint":
            if port != 443:
                raise _Broken("listener", f"interface endpoints of API Gateway listen on 443, the target uses {port}", "use port 443")
            trace.hops.append(Hop("listener", True, "execute-api endpoint on 443 with Amazon's certificate"))
            trace.hops.append(Hop("forward", True, self._api_paths(host, target)))
            return
        listener = self._listener(backend, port)
        trace.hops.append(Hop("listener", True, f"{self.get(listener, 'protocol')} {port} on {backend.name}"))
        trace.hops.append(Hop("certificate", True, self._certificate(listener, host)))
        trace.hops.append(Hop("forward", True, self._forward(listener, backend_groups)))

    def _resolve(self, host: str, vpc: str) -> tuple[str, Registration, str, list[str], list[str]]:
        """The backend ``host`` resolves to from inside ``vpc``: its kind, registration, VPC, subnets and security groups."""
        match = EXECUTE_API_HOST.match(host)
        if match:
            endpoint = self.by_id.get(match.group("vpce"))
            if endpoint is None:
                raise _Broken("DNS", f"{host} names {match.group('vpce')}, which is not declared", verdict=UNVERIFIED)
            return ("VPC endpoint", endpoint, self.get(endpoint, "vpcId"), list(self.get(endpoint, "subnetIds") or []),
                    list(self.get(endpoint, "securityGroupIds") or []))
        try:
            ipaddress.ip_address(host)
            raise _Broken("DNS", f"{host} is an IP address: the backend behind it is not declared", verdict=UNVERIFIED)
        except ValueError:
            pass
        alias = (self.get(self._private_record(host, vpc), "aliases") or [{}])[0].get("name")
        balancer = self.balancers_by_dns.get(alias)
        if balancer is None:
            raise _Broken("DNS", f"{host} is an alias of {alias}, which is not a load balancer of the landing zone", verdict=UNVERIFIED)
        subnets = list(self.get(balancer, "subnets") or [])
        backend_vpc = self.get(self.subnets[subnets[0]], "vpcId") if subnets and subnets[0] in self.subnets else ""
        kind = "NLB" if self.get(balancer, "loadBalancerType") == "network" else "ALB"
        return kind, balancer, backend_vpc, subnets, list(self.get(balancer, "securityGroups") or [])

    def _api_paths(self, host: str, target: Registration) -> str:
        """Every path of the target's OpenAPI schema is a resource of the private REST API it calls: API Gateway answers a
        path it has no resource for with 403 "Missing Authentication Token"
        (https://repost.aws/knowledge-center/api-gateway-authentication-token-errors)."""
        api = self.by_id.get(EXECUTE_API_HOST.match(host).group("api"))
        wanted = _openapi_paths(((self.get(target, "targetConfiguration") or {}).get("mcp", {}).get("openApiSchema") or {})
                                .get("inlinePayload", {}).get("payload"))
        offered = _openapi_paths(self.get(api, "body")) if api is not None else None
        if wanted is None or offered is None:
            return "private REST API (its paths are not declared: not verified)"
        missing = sorted(wanted - offered)
        if missing:
            raise _Broken("forward", f"the target calls {missing} on REST API {api.name}, which has no such resource (its paths: {sorted(offered)}): "
                                     "API Gateway answers 403 Missing Authentication Token",
                          f"add {missing} to the private API's paths, or remove them from the target's paths")
        return f"private REST API with the target's {len(wanted)} path(s)"

    def _private_record(self, host: str, vpc: str) -> Registration:
        """The record Route 53 Resolver answers ``host`` with inside ``vpc``.

        Of the private zones associated with the VPC whose name is the host or one of its parents, Resolver answers from the
        most specific one only: a name that zone lacks is NXDOMAIN, with no fall back to a less specific zone or to public
        DNS ("Private hosted zones that have overlapping namespaces" and "Private and public hosted zones that have
        overlapping namespaces", https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html).
        """
        name = host.rstrip(".").lower()
        covering = [zone for zone in self.zones.values()
                    if vpc in self.zone_vpcs.get(zone.id, set()) and _is_within(name, str(self.get(zone, "name") or ""))]
        serving = [r for r in self.records if _host_matches(self.get(r, "name"), host)]
        if covering:
            zone = max(covering, key=lambda z: str(self.get(z, "name")).rstrip(".").count("."))
            answers = [r for r in serving if self.get(r, "zoneId") == zone.id]
            if answers:
                return answers[0]
            zone_name = str(self.get(zone, "name")).rstrip(".")
            elsewhere = f" (the record in zone {self.get(serving[0], 'zoneId')} is never asked)" if serving else ""
            raise _Broken("DNS", f"the most specific private zone associated with {vpc} that covers {host} is {zone_name} ({zone.id}), which has "
                                 f"no record for it: Route 53 Resolver answers NXDOMAIN and does not fall back to a less specific zone or public DNS{elsewhere}",
                          f"add the record for {host} to the zone {zone_name}, or rename that zone so that it does not cover {host}")
        visible = [r for r in serving if vpc in self.zone_vpcs.get(self.get(r, "zoneId"), set())]
        if not visible:
            if serving:
                raise _Broken("DNS", f"{host} is only in private zone {self.get(serving[0], 'zoneId')}, which is not associated with {vpc}",
                              f"associate that zone with {vpc} (PrivateDnsName authorize_vpcs + PrivateZoneAssociation, or zone_associations)")
            raise _Broken("DNS", f"no private zone associated with {vpc} has a record for {host} (a public or external name?)", verdict=UNVERIFIED)
        return visible[0]

    def _route(self, vpc: str, subnets: list[str], eni_nets, backend_vpc: str, backend_subnets: list[str], backend_nets) -> str:
        if vpc == backend_vpc:
            return f"local route in {vpc}"
        hops = set()
        for subnet in subnets:
            table = self.route_table_of.get(subnet)
            for destination in backend_nets:
                kind, via = self._next_hop(table, destination, subnet, vpc, backend_vpc)
                hops.add((kind, via))
        for subnet in backend_subnets:
            table = self.route_table_of.get(subnet)
            for source in eni_nets:
                kind, via = self._next_hop(table, source, subnet, backend_vpc, vpc, direction="return")
                hops.add((kind, via))
        described = []
        for kind, via in sorted(hops):
            if kind == "tgw":
                described.append(self._through_transit_gateway(via, vpc, backend_vpc, eni_nets, backend_nets))
            else:
                described.append(self._through_peering(via, vpc, backend_vpc))
        return "; ".join(dict.fromkeys(described))

    def _next_hop(self, table: Optional[str], destination, subnet: str, vpc: str, other_vpc: str, direction: str = "way out") -> tuple[str, str]:
        subnet_name = self.subnets[subnet].name if subnet in self.subnets else subnet
        own = next((block for block in self.vpc_blocks.get(vpc, []) if block.overlaps(destination)), None)
        if own is not None:
            raise _Broken("route", f"{destination} overlaps {vpc}'s own block {own}: the local route wins ({direction})",
                          "renumber one of the two VPCs")
        candidates = [(net, kind, via) for net, kind, via in self.routes.get(table, []) if destination.subnet_of(net)]
        if not candidates:
            suggestion = self._suggest(vpc, other_vpc)
            raise _Broken("route", f"route table {table} of subnet {subnet_name} has no route to {destination} ({direction})",
                          f"add a route to {self._block_holding(other_vpc, destination)} {suggestion}")
        longest = max(net.prefixlen for net, _, _ in candidates)
        best = {(kind, via) for net, kind, via in candidates if net.prefixlen == longest}
        if len(best) > 1:
            raise _Broken("route", f"route table {table} has {len(best)} routes of /{longest} to {destination}: the path is ambiguous",
                          "keep one route per destination block")
        return next(iter(best))

    def _block_holding(self, vpc: str, network) -> Any:
        """The block of ``vpc`` that holds ``network`` (``network`` itself when none does)."""
        return next((block for block in self.vpc_blocks.get(vpc, []) if network.subnet_of(block)), network)

    def _suggest(self, vpc: str, other_vpc: str) -> str:
        own = [a for a in self.attachments.values() if self.get(a, "vpcId") == vpc]
        if own:
            return f"via {self.get(own[0], 'transitGatewayId')} (the VPC's attachment {own[0].id})"
        peerings = [p for p in self.peerings.values() if {self.get(p, "vpcId"), self.get(p, "peerVpcId")} == {vpc, other_vpc}]
        if peerings:
            return f"via {peerings[0].id}"
        return "via a Transit Gateway attachment or a peering between the two VPCs"

    def _attachment(self, tgw: str, vpc: str) -> Registration:
        found = [a for a in self.attachments.values() if self.get(a, "transitGatewayId") == tgw and self.get(a, "vpcId") == vpc]
        if not found:
            raise _Broken("route", f"{vpc} routes to {tgw} but has no attachment to it", f"attach {vpc} to {tgw} (tgw_spokes)")
        attachment = found[0]
        owner = self.tgw_owner.get(tgw)
        if owner and owner != self.account_of[attachment.urn] and attachment.id not in self.accepted:
            raise _Broken("route", f"attachment {attachment.id} of {vpc} to {tgw} is never accepted by the hub",
                          "add its TransitGatewayAttachmentAcceptance to the hub acceptance stack (tgw_acceptances)")
        return attachment

    def tgw_routes(self, table: str) -> tuple[list[TgwRoute], dict[str, str]]:
        """The routes of a TGW route table as AWS installs them, and the propagations it drops.

        Static routes (a blackhole one has no attachment), then one propagated route per block (primary and secondary) of
        each propagating attachment's VPC, in the order the attachments were created. AWS: "If you attach a VPC with a CIDR range
        that overlaps the CIDR range of a VPC that is already attached, the new VPC CIDR range is not
        propagated" (CreateTransitGatewayVpcAttachment, EC2 API Reference): ``lost`` maps each attachment
        whose block is dropped to the attachment that keeps the overlapping route.
        """
        if table in self._tgw_routes:
            return self._tgw_routes[table]
        routes = list(self.tgw_static.get(table, []))
        propagating = self.tgw_propagations.get(table, set())
        lost: dict[str, str] = {}
        for attachment_id, attachment in self.attachments.items():
            if attachment_id not in propagating:
                continue
            for net in self.vpc_blocks.get(self.get(attachment, "vpcId"), []):
                winner = next((route for route in routes if route.kind == "propagated" and route.destination.overlaps(net)
                               and route.attachment != attachment_id), None)
                if winner is not None:
                    lost[attachment_id] = winner.attachment or ""
                else:
                    routes.append(TgwRoute(net, attachment_id, "propagated"))
        self._tgw_routes[table] = (routes, lost)
        return routes, lost

    def select_tgw_route(self, table: str, destination) -> Optional[TgwRoute]:
        """The route a TGW route table uses for ``destination``: the most specific one, and among equally specific
        ones the static route over the propagated one (AWS Transit Gateway, "Route evaluation order":
        https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html)."""
        matching = [route for route in self.tgw_routes(table)[0] if destination.subnet_of(route.destination)]
        return max(matching, key=lambda route: (route.destination.prefixlen, route.kind == "static")) if matching else None

    def _tgw_hop(self, table: str, net, attachment: Registration, other: Registration) -> None:
        """Raise unless ``table`` (of ``attachment``) sends ``net`` to ``other``."""
        segment = self.tgw_tables[table].name if table in self.tgw_tables else table
        route = self.select_tgw_route(table, net)
        winner = self.tgw_routes(table)[1].get(other.id)
        dropped = (f"; the block of {other.id} is not propagated into {segment}: it overlaps that of {winner}, which was attached first "
                   "and keeps the route") if winner else ""
        if route is None:
            missing = (f"add a static route to {net} via peering attachment {other.id} in {segment} (tgw_peerings[].static_routes): AWS propagates "
                       "nothing over a peering" if other.id in self.tgw_peerings else
                       f"enable propagation of attachment {other.id} into {segment} (tgw_acceptances.propagate_to), or add a static route")
            raise _Broken("route", f"TGW route table {segment} (of attachment {attachment.id}) has no route to {net}{dropped}",
                          "renumber one of the two overlapping VPCs" if winner else missing)
        if route.attachment is None:
            raise _Broken("route", f"TGW route table {segment} drops traffic to {net}: its static route to {route.destination} is a blackhole",
                          f"remove the blackhole route, or add a more specific route to {net} via {other.id}")
        if route.attachment != other.id:
            raise _Broken("route", f"TGW route table {segment} sends {net} to attachment {route.attachment} (its {route.kind} route to "
                          f"{route.destination}), not to {other.id}{dropped}",
                          "renumber one of the two overlapping VPCs" if winner else f"add a static route to {net} via {other.id} in {segment}")

    def _through_transit_gateway(self, tgw: str, vpc: str, backend_vpc: str, eni_nets, backend_nets) -> str:
        source, destination = self._tgw_ends(tgw, vpc, backend_vpc)
        for attachment, nets, other in ((source, backend_nets, destination), (destination, eni_nets, source)):
            for net in nets:
                self._tgw_path(attachment, net, other)
        near, far = self.get(source, "transitGatewayId"), self.get(destination, "transitGatewayId")
        if near == far:
            return f"{near}: {source.id} ⇄ {destination.id}"
        return f"{near} ⇄ {far} over peering {self._tgw_peering(near, far).id}: {source.id} ⇄ {destination.id}"

    def _tgw_ends(self, tgw: str, vpc: str, backend_vpc: str) -> tuple[Registration, Registration]:
        """The attachments of the two VPCs: both to ``tgw``, or one to ``tgw`` and the other to a Transit Gateway peered with it."""
        near, far = (vpc, backend_vpc) if self._attached(tgw, vpc) else (backend_vpc, vpc)
        peer = None if self._attached(tgw, far) else next(
            (other for peering in self.tgw_peerings.values() for other in self._peering_ends(peering) - {tgw}
             if tgw in self._peering_ends(peering) and self._attached(other, far)), None)
        if peer is None:
            return self._attachment(tgw, vpc), self._attachment(tgw, backend_vpc)
        ends = {near: self._attachment(tgw, near), far: self._attachment(peer, far)}
        return ends[vpc], ends[backend_vpc]

    def _attached(self, tgw: str, vpc: str) -> bool:
        return any(self.get(a, "transitGatewayId") == tgw and self.get(a, "vpcId") == vpc for a in self.attachments.values())

    def _peered_transit_gateways(self, vpc: str, other: str) -> bool:
        """Whether the two VPCs are attached to two Transit Gateways that a peering attachment joins."""
        return any(self._attached(first, vpc) and self._attached(second, other)
                   for peering in self.tgw_peerings.values() for first in self._peering_ends(peering) for second in self._peering_ends(peering) - {first})

    def _peering_ends(self, peering: Registration) -> set[str]:
        """The two Transit Gateways a peering attachment joins."""
        return {self.get(peering, "transitGatewayId"), self.get(peering, "peerTransitGatewayId")}

    def _tgw_peering(self, tgw: str, other: str) -> Registration:
        """The accepted peering attachment between two Transit Gateways (AWS carries nothing over one pending acceptance:
        https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering-accept-reject.html)."""
        peering = next(p for p in self.tgw_peerings.values() if self._peering_ends(p) == {tgw, other})
        if peering.id not in self.tgw_peering_accepted:
            raise _Broken("route", f"the peering attachment {peering.id} between {tgw} and {other} is never accepted",
                          "accept it in a stack of the accepter hub's account and region (a tgw_peerings entry without accepted_in)")
        return peering

    def _tgw_path(self, start: Registration, net, end: Registration) -> None:
        """Raise unless the Transit Gateways send ``net`` from ``start`` to ``end``: by the route table ``start`` is associated with,
        and across a peering by the route table the peering attachment is associated with on the far Transit Gateway (static routes
        only over a peering: https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html)."""
        tgw, far = self.get(start, "transitGatewayId"), self.get(end, "transitGatewayId")
        if tgw == far:
            self._tgw_hop(self._associated_table(start, tgw), net, start, end)
            return
        peering = self._tgw_peering(tgw, far)
        self._tgw_hop(self._associated_table(start, tgw), net, start, peering)
        self._tgw_hop(self._associated_table(peering, far), net, peering, end)

    def _associated_table(self, attachment: Registration, tgw: str) -> str:
        table = self.tgw_association.get((attachment.id, tgw))
        if table is None:
            where = "tgw_peerings[].associate_with, on that hub's side" if attachment.id in self.tgw_peerings else "tgw_acceptances.associate_with"
            raise _Broken("route", f"attachment {attachment.id} is associated with no route table of {tgw}",
                          f"associate it with its segment's route table ({where})")
        return table

    def _through_peering(self, pcx: str, vpc: str, backend_vpc: str) -> str:
        peering = self.peerings.get(pcx)
        if peering is None or {self.get(peering, "vpcId"), self.get(peering, "peerVpcId")} != {vpc, backend_vpc}:
            raise _Broken("route", f"{pcx} does not join {vpc} and {backend_vpc}", "route through the peering between these two VPCs")
        if pcx not in self.peering_accepted:
            raise _Broken("route", f"peering {pcx} is never accepted", "add its PeeringAcceptance in the hub account (peering_acceptances)")
        return f"peering {pcx}"

    def _rules(self, group: str, direction: str) -> list[dict]:
        registration = self.groups.get(group)
        rules = list(self.get(registration, direction) or []) if registration else []
        wanted = "ingress" if direction == "ingress" else "egress"
        return rules + [rule for kind, rule in self.extra_rules.get(group, []) if kind == wanted]

    def _egress(self, groups: list[str], backend_nets, backend_groups: list[str], port: int) -> str:
        unknown = [g for g in groups if g not in self.groups]
        if unknown and len(unknown) == len(groups):
            return f"security groups {unknown} are not declared: egress not verified"
        for net in backend_nets:
            allowed = any(
                _allows(rule, port) and (any(net.subnet_of(n) for n in map(_net, rule.get("cidrBlocks") or []) if n)
                                         or set(rule.get("securityGroups") or []) & set(backend_groups))
                for group in groups for rule in self._rules(group, "egress")
            )
            if not allowed:
                raise _Broken("ENI egress", f"security groups {groups} of the ENIs allow no TCP {port} to {net}",
                              f"allow TCP {port} egress to {net} in {groups[0]}")
        return f"egress TCP {port} allowed by {groups}"

    def _ingress(self, backend: Registration, backend_groups: list[str], eni_nets, eni_groups: list[str], port: int, vpc: str, backend_vpc: str) -> str:
        if not backend_groups:
            return f"{backend.name} has no security groups: no ingress filter"
        if not any(g in self.groups for g in backend_groups):
            return f"security groups {backend_groups} are not declared: ingress not verified"
        for net in eni_nets:
            allowed = False
            for group in backend_groups:
                for rule in self._rules(group, "ingress"):
                    if not _allows(rule, port):
                        continue
                    if any(net.subnet_of(n) for n in map(_net, rule.get("cidrBlocks") or []) if n):
                        allowed = True
                    elif {str(g).rsplit("/", 1)[-1] for g in rule.get("securityGroups") or []} & set(eni_groups):
                        if vpc != backend_vpc:
                            self._reference_crosses(group, vpc, backend_vpc, net)
                        allowed = True
            if not allowed:
                raise _Broken("backend ingress", f"security groups {backend_groups} of {backend.name} admit no TCP {port} from the ENI subnet {net}",
                              f"allow TCP {port} ingress from {net} in {backend_groups[0]} (client_cidrs / eni_cidrs)")
        return f"ingress TCP {port} from the ENI subnets allowed by {backend_groups}"

    def _reference_crosses(self, group: str, vpc: str, backend_vpc: str, net) -> None:
        """Raise unless AWS matches a reference to a group of ``vpc`` in a rule of ``backend_vpc``'s group: across a peering in one
        region, or across a Transit Gateway whose security group referencing support is enabled (off by default) and not turned
        off on either attachment (on by default), never across regions (planner/preconditions.py: security_group_references)."""
        if self._cross_region(vpc, backend_vpc):
            raise _Broken("backend ingress", f"{group} admits the ENIs by security group reference across an inter-region peering or Transit Gateway peering",
                          f"reference the ENI subnets' blocks ({net}) instead: SG references do not cross regions")
        if any({self.get(p, "vpcId"), self.get(p, "peerVpcId")} == {vpc, backend_vpc} for p in self.peerings.values()):
            return
        shared = False
        for tgw_id in {self.get(a, "transitGatewayId") for a in self.attachments.values() if self.get(a, "vpcId") == vpc}:
            ends = [a for a in self.attachments.values() if self.get(a, "transitGatewayId") == tgw_id and self.get(a, "vpcId") in (vpc, backend_vpc)]
            tgw = self.by_id.get(tgw_id)
            if len({self.get(a, "vpcId") for a in ends}) < 2 or tgw is None:
                continue
            shared = True
            if self.get(tgw, "securityGroupReferencingSupport") != "enable" or any(
                    self.get(a, "securityGroupReferencingSupport") == "disable" for a in ends):
                raise _Broken("backend ingress", f"{group} admits the ENIs by security group reference across Transit Gateway {tgw_id}, "
                                                 "whose security group referencing support is off: the reference matches nothing",
                              f"enable security group referencing on {tgw_id} (transit_gateway_hub.security_group_referencing_support: enable), "
                              f"or admit the ENI subnets' blocks ({net}) instead")
        if not shared and self._peered_transit_gateways(vpc, backend_vpc):
            raise _Broken("backend ingress", f"{group} admits the ENIs by security group reference across a Transit Gateway peering, where AWS "
                                             "matches no reference", f"admit the ENI subnets' blocks ({net}) instead")

    def _cross_region(self, vpc: str, other: str) -> bool:
        """Whether the two VPCs are in two regions: joined by an inter-region peering, or by two Transit Gateways peered across regions."""
        for peering in self.peerings.values():
            if {self.get(peering, "vpcId"), self.get(peering, "peerVpcId")} == {vpc, other}:
                return (self.get(peering, "peerRegion") or self.region_of[peering.urn]) != self.region_of[peering.urn]
        return len({self.region_of[self.by_id[v].urn] for v in (vpc, other) if v in self.by_id}) > 1

    def _listener(self, balancer: Registration, port: int) -> Registration:
        listeners = self.listeners.get(self.get(balancer, "arn"), [])
        for listener in listeners:
            if int(self.get(listener, "port") or 0) == port:
                if self.get(listener, "protocol") not in ("HTTPS", "TLS"):
                    raise _Broken("listener", f"{balancer.name} listens on {port} with {self.get(listener, 'protocol')}, not TLS",
                                  "terminate TLS on the listener (HTTPS for an ALB, TLS for an NLB) with a public certificate")
                return listener
        ports = sorted(int(self.get(listener, "port") or 0) for listener in listeners)
        raise _Broken("listener", f"{balancer.name} has no listener on {port} (listeners: {ports})",
                      f"listen on {port}, or point the target at a port {balancer.name} listens on")

    def _certificate(self, listener: Registration, host: str) -> str:
        arn = self.get(listener, "certificateArn")
        certificate = self.certificates.get(arn)
        if certificate is None:
            return f"certificate {arn} is not declared: name not verified"
        if self.get(certificate, "certificateAuthorityArn"):
            raise _Broken("certificate", f"{certificate.name} comes from a private CA: AgentCore's TLS handshake fails",
                          "use an Amazon-issued certificate (PublicCertificate)")
        names = [self.get(certificate, "domainName"), *(self.get(certificate, "subjectAlternativeNames") or [])]
        if not any(name and _host_matches(name, host) for name in names):
            raise _Broken("certificate", f"the listener's certificate is for {names}, not {host}",
                          f"request the certificate for {host}, or use a private name the certificate covers")
        return f"public certificate for {host}"

    def _forward(self, listener: Registration, balancer_groups: list[str]) -> str:
        actions = self.get(listener, "defaultActions") or []
        group_arn = next((a.get("targetGroupArn") for a in actions if a.get("type") == "forward"), None)
        group = self.target_groups.get(group_arn)
        if group is None:
            return "forwards to a target group outside the landing zone"
        targets = self.targets_of.get(group_arn, [])
        if not targets:
            raise _Broken("forward", f"target group {group.name} has no registered targets", "register the backend's IPs or instances")
        port = int(self.get(group, "port") or 0)
        self._balancer_egress(group, balancer_groups, targets, port)
        return f"{self.get(group, 'protocol')} {port} to {len(targets)} target(s)"

    def _balancer_egress(self, group: Registration, balancer_groups: list[str], targets: list[str], port: int) -> None:
        """A load balancer with security groups reaches a target only where their egress allows it, on the traffic port and
        on the health-check port: "Outbound: the instance listener port … the health check port" ("Security groups for your
        Application Load Balancer", https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-update-security-groups.html).
        Targets given by instance id, and groups the landing zone does not declare, are not judged."""
        if not balancer_groups or not all(g in self.groups for g in balancer_groups):
            return
        checked = str((self.get(group, "healthCheck") or {}).get("port") or "traffic-port")
        ports = sorted({port, int(checked)} if checked.isdigit() else {port})
        for target in targets:
            address = _net(f"{target}/32")
            for wanted in ports if address else ():
                if not any(_allows(rule, wanted) and any(address.subnet_of(n) for n in map(_net, rule.get("cidrBlocks") or []) if n)
                           for g in balancer_groups for rule in self._rules(g, "egress")):
                    kind = "health checks" if wanted != port else "traffic"
                    raise _Broken("forward", f"security groups {balancer_groups} of the load balancer allow no TCP {wanted} ({kind}) to target {target}",
                                  f"allow TCP {wanted} egress to {target} in {balancer_groups[0]} (load_balancers target_cidrs), or register a target inside them")


def _in_range(port: int, text: str) -> bool:
    low, _, high = str(text).partition("-")
    try:
        return int(low) <= port <= int(high or low)
    except ValueError:
        return False


def trace_all(stacks: Iterable[Any], existing: Iterable[tuple[str, str, str, Registration]] = ()) -> list[Trace]:
    """Trace every gateway target of the planned stacks (``StackPlan``s), over what they create and the ``existing`` resources
    they read ((stack, account, region, record) of each, from the stacks' snapshots)."""
    stacks = list(stacks)
    network = Network([*existing, *((stack.name, stack.account_id, stack.region, r) for stack in stacks for r in stack.registrations)])
    return [network.trace(stack.name, target) for stack in stacks for target in stack.registrations if target.type == T["target"]]
