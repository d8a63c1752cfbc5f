"""``agentcore-egress discover``: read-only boto3 reads of the resources a stack names under ``agentcore-egress:existing``.

Each stack's account is entered through its ``account.role_arn`` (an :class:`~.aws_accounts.AccountSession`, bounded in
time like preflight's), and what a plan needs to know about each named resource becomes its snapshot entry
(:mod:`agentcore_egress.stacks.existing_snapshot` says how the file is laid out). Entries, by kind:

- ``vpcs``: ``id``, ``owner_account``, ``cidr_block`` (primary), ``secondary_cidr_blocks``; ``subnets`` by id (``cidr``,
  ``availability_zone``, ``availability_zone_id``); ``route_tables`` by id (``main``, ``subnets``, ``routes`` by destination
  CIDR or prefix list: ``target`` such as ``local``, ``tgw-…``, ``pcx-…``, and ``state``, ``active`` or ``blackhole``).
- ``transit_gateways``: ``id``, ``owner_account``, ``state``, ``amazon_side_asn``, ``options`` (default association and
  propagation); ``attachments`` by id (``resource_type``, ``resource_id``, ``resource_owner``, ``state``); ``route_tables``
  by segment (``id``; ``associations`` and ``propagations`` by attachment id: ``resource_id``, ``resource_type``, ``state``;
  static and blackhole ``routes`` by CIDR: ``state``, ``attachments``); ``shares``, when this account owns the TGW, by RAM
  share ARN (``name``, ``status``, ``allow_external_principals``, ``principals``: principal → association status).
- ``security_groups``: ``id``, ``name``, ``vpc_id``, ``owner_account``, ``ingress`` and ``egress``: one rule per source
  (``protocol``, ``from_port``, ``to_port`` and one of ``cidr``, ``ipv6_cidr``, ``prefix_list``, ``group`` with ``group_owner``).
- ``private_zones``: ``id``, ``name``, ``private``, ``vpcs`` (``vpc_id``, ``region``); ``records`` by "name type [set id]"
  (``ttl``, ``values``, ``alias``).
- ``load_balancers``: ``arn``, ``name``, ``type``, ``scheme``, ``vpc_id``, ``state``, ``dns_name``, ``subnets`` (subnet → AZ),
  ``security_groups``; ``listeners`` by port (``protocol``, ``ssl_policy``, ``certificates``, ``target_groups``);
  ``target_groups`` by ARN (``name``, ``protocol``, ``port``, ``target_type``, ``vpc_id``, ``targets``: ``id``, ``port``).
- ``certificates``: ``arn``, ``account``, ``region``, ``type``, ``status``, ``domain``, ``subject_alternative_names``.
- ``resource_gateways``: ``arn``, ``id``, ``name``, ``status``, ``vpc_id``, ``subnets``, ``security_groups``,
  ``ip_address_type``, ``ipv4_addresses_per_eni``.
- ``resource_configurations``: ``arn``, ``id``, ``name``, ``type``, ``status``, ``resource_gateway``, ``protocol``,
  ``port_ranges``, ``definition`` (as the API gives it), ``custom_domain_name``.

Every call is a Describe/Get/List/Search listed in ``live/preflight_audit_policy.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from botocore.exceptions import ClientError

from agentcore_egress.files.atomic_file import write_atomically
from agentcore_egress.stacks.landing_zone import AccountStack, LandingZone, display_path
from agentcore_egress.stacks.config_schema import NAMESPACE, StackConfig
from agentcore_egress.stacks.existing_resources import ExistingResources, ExistingTransitGateway, section_hash
from agentcore_egress.stacks.existing_snapshot import FORMAT_VERSION, render, snapshot_path

from .account_pool import run_bounded
from .aws_accounts import ACCOUNT_BUDGET, AccountSession, describe_error
from .rollout import select_stacks

SessionFactory = Callable[[str, str, Optional[str]], AccountSession]
PARALLEL_ACCOUNTS = 8
ROUTE_TARGETS = ("TransitGatewayId", "VpcPeeringConnectionId", "NatGatewayId", "InstanceId", "NetworkInterfaceId", "GatewayId",
                 "EgressOnlyInternetGatewayId", "LocalGatewayId", "CarrierGatewayId", "CoreNetworkArn")
"""Where a VPC route goes, in the order AWS fills them (an instance route also names its ENI: the instance is kept)."""


class ExistingNotFound(Exception):
    """A resource named under ``existing`` is not in the stack's account and region (or not where the name says)."""

    def __init__(self, key: str, ident: str, problem: str = "") -> None:
        self.key, self.ident = key, ident
        self.problem = problem or "does not exist"
        super().__init__(f"{key}: {ident} {self.problem}")


def is_not_found(error: BaseException) -> bool:
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    return code.endswith(("NotFound", "NotFoundException", ".Malformed")) or code.startswith("NoSuch")


def _sorted(items: Iterable[Any]) -> list[Any]:
    return sorted(set(items))


class _StackDiscovery:
    """One stack's existing resources, read with its account's session."""

    def __init__(self, existing: ExistingResources, session: AccountSession) -> None:
        self.existing = existing
        self.session = session

    def found(self, key: str, ident: str, read: Callable[[], list[Any]]) -> Any:
        """The one item ``read`` returns for ``ident``; not-found errors and empty answers become :class:`ExistingNotFound`."""
        try:
            items = read()
        except ClientError as error:
            if is_not_found(error):
                raise ExistingNotFound(key, ident) from None
            raise
        if not items:
            raise ExistingNotFound(key, ident)
        return items[0]

    def entries(self) -> dict[str, dict[str, Any]]:
        readers: dict[str, Callable[[str, Any], dict[str, Any]]] = {
            "vpcs": self.vpc, "transit_gateways": self.transit_gateway, "security_groups": self.security_group,
            "private_zones": self.private_zone, "load_balancers": self.load_balancer, "certificates": self.certificate,
            "resource_gateways": self.resource_gateway, "resource_configurations": self.resource_configuration,
        }
        return {kind: {name: read(f"{kind}.{name}", ident) for name, ident in sorted(getattr(self.existing, kind).items())}
                for kind, read in readers.items()}

    def vpc(self, key: str, vpc_id: str) -> dict[str, Any]:
        ec2 = self.session.client("ec2")
        vpc = self.found(key, vpc_id, lambda: ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"])
        in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
        subnets = self.session.paginate("ec2", "describe_subnets", "Subnets", Filters=in_vpc)
        tables = self.session.paginate("ec2", "describe_route_tables", "RouteTables", Filters=in_vpc)
        blocks = [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet", []) if a.get("CidrBlockState", {}).get("State") == "associated"]
        return {
            "id": vpc_id, "owner_account": vpc.get("OwnerId"), "cidr_block": vpc["CidrBlock"],
            "secondary_cidr_blocks": _sorted(block for block in blocks if block != vpc["CidrBlock"]),
            "subnets": {s["SubnetId"]: {"cidr": s["CidrBlock"], "availability_zone": s["AvailabilityZone"],
                                        "availability_zone_id": s.get("AvailabilityZoneId")} for s in subnets},
            "route_tables": {t["RouteTableId"]: _route_table(t) for t in tables},
        }

    def transit_gateway(self, key: str, declared: ExistingTransitGateway) -> dict[str, Any]:
        ec2 = self.session.client("ec2")
        gateway = self.found(key, declared.id, lambda: ec2.describe_transit_gateways(TransitGatewayIds=[declared.id])["TransitGateways"])
        options = gateway.get("Options", {})
        attachments = self.session.paginate("ec2", "describe_transit_gateway_attachments", "TransitGatewayAttachments",
                                            Filters=[{"Name": "transit-gateway-id", "Values": [declared.id]}])
        return {
            "id": declared.id, "owner_account": gateway.get("OwnerId"), "state": gateway.get("State"),
            "amazon_side_asn": options.get("AmazonSideAsn"),
            "options": {name: options.get(option) for name, option in (
                ("default_route_table_association", "DefaultRouteTableAssociation"), ("default_route_table_propagation", "DefaultRouteTablePropagation"),
                ("association_default_route_table_id", "AssociationDefaultRouteTableId"),
                ("propagation_default_route_table_id", "PropagationDefaultRouteTableId"))},
            "attachments": {a["TransitGatewayAttachmentId"]: {"resource_type": a.get("ResourceType"), "resource_id": a.get("ResourceId"),
                                                              "resource_owner": a.get("ResourceOwnerId"), "state": a.get("State")}
                            for a in attachments},
            "route_tables": {segment: self.transit_gateway_route_table(f"{key}.route_tables.{segment}", table_id, declared.id)
                             for segment, table_id in sorted(declared.route_tables.items())},
            "shares": self.shares_of(gateway["TransitGatewayArn"]) if gateway.get("OwnerId") == self.session.account_id else {},
        }

    def transit_gateway_route_table(self, key: str, table_id: str, gateway_id: str) -> dict[str, Any]:
        ec2 = self.session.client("ec2")
        table = self.found(key, table_id, lambda: ec2.describe_transit_gateway_route_tables(
            TransitGatewayRouteTableIds=[table_id])["TransitGatewayRouteTables"])
        if table.get("TransitGatewayId") != gateway_id:
            raise ExistingNotFound(key, table_id, f"belongs to {table.get('TransitGatewayId')}, not to {gateway_id}")
        associations = self.session.paginate("ec2", "get_transit_gateway_route_table_associations", "Associations", TransitGatewayRouteTableId=table_id)
        propagations = self.session.paginate("ec2", "get_transit_gateway_route_table_propagations", "TransitGatewayRouteTablePropagations",
                                             TransitGatewayRouteTableId=table_id)
        routes = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=table_id, Filters=[{"Name": "type", "Values": ["static"]}])["Routes"]
        return {
            "id": table_id,
            "associations": {a["TransitGatewayAttachmentId"]: _attachment_link(a) for a in associations},
            "propagations": {p["TransitGatewayAttachmentId"]: _attachment_link(p) for p in propagations},
            "routes": {r.get("DestinationCidrBlock") or r.get("PrefixListId"): {
                "state": r.get("State"), "attachments": _sorted(a["TransitGatewayAttachmentId"] for a in r.get("TransitGatewayAttachments", []))}
                for r in routes},
        }

    def shares_of(self, resource_arn: str) -> dict[str, Any]:
        """The RAM shares of a resource this account owns, with their principals and each one's status."""
        linked = self.session.paginate("ram", "get_resource_share_associations", "resourceShareAssociations",
                                       associationType="RESOURCE", resourceArn=resource_arn)
        share_arns = _sorted(link["resourceShareArn"] for link in linked)
        if not share_arns:
            return {}
        shares = self.session.paginate("ram", "get_resource_shares", "resourceShares", resourceOwner="SELF", resourceShareArns=share_arns)
        principals = self.session.paginate("ram", "get_resource_share_associations", "resourceShareAssociations",
                                           associationType="PRINCIPAL", resourceShareArns=share_arns)
        return {share["resourceShareArn"]: {
            "name": share.get("name"), "status": share.get("status"), "allow_external_principals": share.get("allowExternalPrincipals"),
            "principals": {p["associatedEntity"]: p.get("status") for p in principals if p["resourceShareArn"] == share["resourceShareArn"]},
        } for share in shares}

    def security_group(self, key: str, group_id: str) -> dict[str, Any]:
        ec2 = self.session.client("ec2")
        group = self.found(key, group_id, lambda: ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"])
        return {"id": group_id, "name": group.get("GroupName"), "vpc_id": group.get("VpcId"), "owner_account": group.get("OwnerId"),
                "ingress": _rules(group.get("IpPermissions", [])), "egress": _rules(group.get("IpPermissionsEgress", []))}

    def private_zone(self, key: str, zone_id: str) -> dict[str, Any]:
        route53 = self.session.client("route53")
        answer = self.found(key, zone_id, lambda: [route53.get_hosted_zone(Id=zone_id)])
        records = self.session.paginate("route53", "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id)
        return {
            "id": zone_id, "name": answer["HostedZone"]["Name"], "private": bool(answer["HostedZone"].get("Config", {}).get("PrivateZone")),
            "vpcs": sorted(({"vpc_id": v["VPCId"], "region": v.get("VPCRegion")} for v in answer.get("VPCs", [])), key=lambda v: (v["vpc_id"], v["region"] or "")),
            "records": {_record_key(r): _record(r) for r in records},
        }

    def load_balancer(self, key: str, arn: str) -> dict[str, Any]:
        elbv2 = self.session.client("elbv2")
        balancer = self.found(key, arn, lambda: elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"])
        listeners = self.session.paginate("elbv2", "describe_listeners", "Listeners", LoadBalancerArn=arn)
        groups = self.session.paginate("elbv2", "describe_target_groups", "TargetGroups", LoadBalancerArn=arn)
        return {
            "arn": arn, "name": balancer.get("LoadBalancerName"), "type": balancer.get("Type"), "scheme": balancer.get("Scheme"),
            "vpc_id": balancer.get("VpcId"), "state": balancer.get("State", {}).get("Code"), "dns_name": balancer.get("DNSName"),
            "subnets": {zone["SubnetId"]: zone.get("ZoneName") for zone in balancer.get("AvailabilityZones", [])},
            "security_groups": _sorted(balancer.get("SecurityGroups", [])),
            "listeners": {str(listener["Port"]): {
                "protocol": listener.get("Protocol"), "ssl_policy": listener.get("SslPolicy"),
                "certificates": _sorted(c["CertificateArn"] for c in listener.get("Certificates", [])),
                "target_groups": _sorted(g["TargetGroupArn"] for action in listener.get("DefaultActions", [])
                                         for g in _forwarded_groups(action)),
            } for listener in listeners},
            "target_groups": {group["TargetGroupArn"]: self.target_group(group) for group in groups},
        }

    def target_group(self, group: dict[str, Any]) -> dict[str, Any]:
        health = self.session.client("elbv2").describe_target_health(TargetGroupArn=group["TargetGroupArn"])["TargetHealthDescriptions"]
        return {"name": group.get("TargetGroupName"), "protocol": group.get("Protocol"), "port": group.get("Port"),
                "target_type": group.get("TargetType"), "vpc_id": group.get("VpcId"),
                "targets": sorted(({"id": t["Target"]["Id"], "port": t["Target"].get("Port")} for t in health),
                                  key=lambda t: (t["id"], t["port"] or 0))}

    def certificate(self, key: str, arn: str) -> dict[str, Any]:
        acm = self.session.client("acm")
        certificate = self.found(key, arn, lambda: [acm.describe_certificate(CertificateArn=arn)["Certificate"]])
        _, _, _, region, account, _ = arn.split(":", 5)
        return {"arn": arn, "account": account, "region": region, "type": certificate.get("Type"), "status": certificate.get("Status"),
                "domain": certificate.get("DomainName"), "subject_alternative_names": _sorted(certificate.get("SubjectAlternativeNames", []))}

    def resource_gateway(self, key: str, arn: str) -> dict[str, Any]:
        lattice = self.session.client("vpc-lattice")
        gateway = self.found(key, arn, lambda: [lattice.get_resource_gateway(resourceGatewayIdentifier=arn)])
        return {"arn": arn, "id": gateway.get("id"), "name": gateway.get("name"), "status": gateway.get("status"),
                "vpc_id": gateway.get("vpcId"), "subnets": _sorted(gateway.get("subnetIds", [])),
                "security_groups": _sorted(gateway.get("securityGroupIds", [])), "ip_address_type": gateway.get("ipAddressType"),
                "ipv4_addresses_per_eni": gateway.get("ipv4AddressesPerEni")}

    def resource_configuration(self, key: str, arn: str) -> dict[str, Any]:
        lattice = self.session.client("vpc-lattice")
        configuration = self.found(key, arn, lambda: [lattice.get_resource_configuration(resourceConfigurationIdentifier=arn)])
        return {"arn": arn, "id": configuration.get("id"), "name": configuration.get("name"), "type": configuration.get("type"),
                "status": configuration.get("status"), "resource_gateway": configuration.get("resourceGatewayId"),
                "protocol": configuration.get("protocol"), "port_ranges": _sorted(configuration.get("portRanges", [])),
                "definition": configuration.get("resourceConfigurationDefinition"), "custom_domain_name": configuration.get("customDomainName")}


def _route_table(table: dict[str, Any]) -> dict[str, Any]:
    associations = table.get("Associations", [])
    routes: dict[str, Any] = {}
    for route in table.get("Routes", []):
        destination = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock") or route.get("DestinationPrefixListId")
        routes[destination] = {"target": next((route[k] for k in ROUTE_TARGETS if route.get(k)), None), "state": route.get("State")}
    return {"main": any(a.get("Main") for a in associations), "subnets": _sorted(a["SubnetId"] for a in associations if a.get("SubnetId")),
            "routes": routes}


def _attachment_link(link: dict[str, Any]) -> dict[str, Any]:
    return {"resource_id": link.get("ResourceId"), "resource_type": link.get("ResourceType"), "state": link.get("State")}


def _rules(permissions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One rule per source of each permission, sorted: what a diff can name one by one."""
    rules = []
    for permission in permissions:
        base = {"protocol": permission.get("IpProtocol"), "from_port": permission.get("FromPort"), "to_port": permission.get("ToPort")}
        sources = ([{"cidr": r["CidrIp"]} for r in permission.get("IpRanges", [])]
                   + [{"ipv6_cidr": r["CidrIpv6"]} for r in permission.get("Ipv6Ranges", [])]
                   + [{"prefix_list": r["PrefixListId"]} for r in permission.get("PrefixListIds", [])]
                   + [{"group": r["GroupId"], "group_owner": r.get("UserId")} for r in permission.get("UserIdGroupPairs", [])])
        rules += [{**base, **source} for source in sources]
    return sorted(rules, key=lambda rule: sorted((k, str(v)) for k, v in rule.items()))


def _record_key(record: dict[str, Any]) -> str:
    return " ".join(part for part in (record["Name"], record["Type"], record.get("SetIdentifier")) if part)


def _record(record: dict[str, Any]) -> dict[str, Any]:
    alias = record.get("AliasTarget")
    return {"ttl": record.get("TTL"), "values": _sorted(r["Value"] for r in record.get("ResourceRecords", [])),
            "alias": {"dns_name": alias["DNSName"], "zone_id": alias["HostedZoneId"]} if alias else None}


def _forwarded_groups(action: dict[str, Any]) -> list[dict[str, Any]]:
    groups = list(action.get("ForwardConfig", {}).get("TargetGroups", []))
    if action.get("TargetGroupArn"):
        groups.append({"TargetGroupArn": action["TargetGroupArn"]})
    return groups


def take_snapshot(name: str, config: StackConfig, session: AccountSession) -> dict[str, Any]:
    """The snapshot document of stack ``name``, whose config has an ``existing`` section, read now."""
    if config.existing is None:
        raise ValueError(f"stack {name} has no {NAMESPACE}:existing section to discover")
    return {"format_version": FORMAT_VERSION, "stack": name, "account": config.account.id, "region": config.account.region,
            "existing_sha256": section_hash(config.existing), "existing": _StackDiscovery(config.existing, session).entries()}


@dataclass(frozen=True)
class Discovered:
    """One stack's discovery: the snapshot taken (None without an ``existing`` section, or when it failed) and any problem."""

    stack: str
    snapshot: Optional[dict[str, Any]] = None
    problem: str = ""


def not_found_problem(stack: AccountStack, error: ExistingNotFound) -> str:
    """One line: the stack file, the key path and the id, and the fix."""
    where = f"account {stack.config.account.id} ({stack.config.account.region})"
    return (f"{stack.display_file}: {NAMESPACE}:existing.{error.key}: {error.ident} {error.problem} in {where}, as the deploy role sees it. "
            f"Fix: correct the id, or remove the name from {NAMESPACE}:existing")


def run_discover(zone: LandingZone, sessions: SessionFactory, stacks: Optional[Iterable[str]] = None,
                 parallel: int = PARALLEL_ACCOUNTS, budget: float = ACCOUNT_BUDGET) -> list[Discovered]:
    """Each selected stack's snapshot, ``parallel`` accounts at a time, each within ``budget`` seconds; in stack order."""
    names = [name for name in zone.order() if stacks is None or name in set(stacks)]
    with_existing = [name for name in names if zone.stacks[name].config.existing is not None]

    def snapshot_of(name: str) -> dict[str, Any]:
        config = zone.stacks[name].config
        return take_snapshot(name, config, sessions(config.account.id, config.account.region, config.account.role_arn))

    outcomes = dict(zip(with_existing, run_bounded([lambda name=name: snapshot_of(name) for name in with_existing], parallel, budget)))
    results = []
    for name in names:
        outcome = outcomes.get(name)
        if outcome is None or outcome.error is None:
            results.append(Discovered(name, outcome.value if outcome else None))
        elif isinstance(outcome.error, ExistingNotFound):
            results.append(Discovered(name, problem=not_found_problem(zone.stacks[name], outcome.error)))
        else:
            results.append(Discovered(name, problem=f"{zone.stacks[name].display_file}: {describe_error(outcome.error, zone.stacks[name].config.account.id)}"))
    return results


def write_snapshot(stacks_dir: Path, snapshot: dict[str, Any]) -> tuple[Path, bool]:
    """The snapshot to its file, whole or not at all; whether its content changed."""
    path = snapshot_path(stacks_dir, snapshot["stack"])
    text = render(snapshot)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text)
    return path, True


def discover_to_files(zone: LandingZone, sessions: SessionFactory, stacks_dir: Path, stacks: Sequence[str] = (),
                      parallel: int = PARALLEL_ACCOUNTS, budget: float = ACCOUNT_BUDGET, progress: Callable[[str], None] = lambda line: None) -> list[str]:
    """Discover the stacks named (all when none), write each snapshot and say so, one line per stack; the problems, one line each."""
    problems: list[str] = []
    for result in run_discover(zone, sessions, select_stacks(zone, stacks) if stacks else None, parallel, budget):
        if result.problem:
            problems.append(result.problem)
            progress(f"{result.stack}: not written")
            continue
        if result.snapshot is None:
            progress(f"{result.stack}: no {NAMESPACE}:existing section, no snapshot written")
            continue
        try:
            path, changed = write_snapshot(stacks_dir, result.snapshot)
        except OSError as error:
            problems.append(f"{display_path(snapshot_path(stacks_dir, result.stack))}: cannot be written ({error.strerror or error}). "
                            "Fix: make the folder writable")
            continue
        counts = ", ".join(f"{kind}: {len(names)}" for kind, names in sorted(result.snapshot["existing"].items()) if names)
        progress(f"{result.stack}: {'wrote' if changed else 'unchanged'} {display_path(path)} ({counts or 'nothing named'})")
    return problems
