"""A stack's snapshot of its existing resources (``existing/<stack>.json``) as the records the whole-zone checks read.

Its facts become :class:`~agentcore_egress.simulation.registration.Registration` records of the resource types that
reachability reads (VPCs, subnets, route tables and their routes, security groups, Transit Gateways with their
attachments, route tables, associations, propagations and static routes, private zones with their records, load
balancers with listeners and target groups, certificates): read, never created, they go to the landing-zone model and
reachability only, never to the policy pack nor into the plan's counts of what would be created.
"""

from __future__ import annotations

from typing import Any

from agentcore_egress.policies import resource_types as types

from .registration import Registration

PlacedRegistration = tuple[str, str, str, Registration]
"""(stack, account, region, registration), as reachability's Network takes them."""


class _Records:
    """Builds one stack's records, each with a URN of its own (``existing`` in the place of a parent)."""

    def __init__(self, stack: str, account: str, region: str) -> None:
        self.stack, self.account, self.region = stack, account, region
        self.made: list[PlacedRegistration] = []

    def add(self, type_: str, name: str, state: dict[str, Any], ident: str = "", account: str = "") -> None:
        urn = f"urn:pulumi:{self.stack}::agentcore-egress::existing${type_}::{name}"
        registration = Registration(urn=urn, type=type_, name=name, parent="", provider="", custom=True, inputs={}, dependencies=[],
                                    property_dependencies={}, state=state, id=ident)
        self.made.append((self.stack, account or self.account, self.region, registration))


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's rule in the shape of a security group's ingress/egress property."""
    shaped = {"protocol": str(rule.get("protocol")), "fromPort": rule.get("from_port") or 0, "toPort": rule.get("to_port") or 0}
    if rule.get("cidr"):
        shaped["cidrBlocks"] = [rule["cidr"]]
    if rule.get("group"):
        shaped["securityGroups"] = [rule["group"]]
    return shaped


def _vpc(records: _Records, name: str, vpc: dict[str, Any]) -> None:
    records.add(types.VPC, name, {"cidrBlock": vpc["cidr_block"]}, vpc["id"], vpc.get("owner_account") or "")
    for block in vpc.get("secondary_cidr_blocks", []):
        records.add(types.VPC_CIDR_ASSOCIATION, f"{name}-{block}", {"vpcId": vpc["id"], "cidrBlock": block})
    for subnet_id, subnet in vpc["subnets"].items():
        records.add(types.SUBNET, subnet_id, {"vpcId": vpc["id"], "cidrBlock": subnet["cidr"], "availabilityZone": subnet["availability_zone"]}, subnet_id)
    associated = {subnet for table in vpc["route_tables"].values() for subnet in table.get("subnets", [])}
    for table_id, table in vpc["route_tables"].items():
        records.add(types.ROUTE_TABLE, table_id, {"vpcId": vpc["id"]}, table_id)
        # A subnet without an explicit association uses the main route table.
        subnets = set(table.get("subnets", [])) | (set(vpc["subnets"]) - associated if table.get("main") else set())
        for subnet in sorted(subnets):
            records.add(types.ROUTE_TABLE_ASSOCIATION, f"{table_id}-{subnet}", {"subnetId": subnet, "routeTableId": table_id})
        for destination, route in table.get("routes", {}).items():
            records.add(types.ROUTE, f"{table_id}-{destination}", _route(table_id, destination, route))


def _route(table_id: str, destination: str, route: dict[str, Any]) -> dict[str, Any]:
    """A VPC route: a blackhole one names no target (traffic to it is dropped)."""
    state: dict[str, Any] = {"routeTableId": table_id, "destinationCidrBlock": destination}
    target = route.get("target") or ""
    if route.get("state") != "blackhole":
        if target.startswith("tgw-"):
            state["transitGatewayId"] = target
        elif target.startswith("pcx-"):
            state["vpcPeeringConnectionId"] = target
    return state


def _transit_gateway(records: _Records, name: str, gateway: dict[str, Any]) -> None:
    records.add(types.TRANSIT_GATEWAY, name, {}, gateway["id"], gateway.get("owner_account") or "")
    for attachment_id, attachment in gateway.get("attachments", {}).items():
        if attachment.get("resource_type") != "vpc":
            continue
        records.add(types.TGW_VPC_ATTACHMENT, attachment_id, {"transitGatewayId": gateway["id"], "vpcId": attachment.get("resource_id")},
                    attachment_id, attachment.get("resource_owner") or "")
        if attachment.get("state") == "available":
            records.add(types.TGW_VPC_ATTACHMENT_ACCEPTER, f"{attachment_id}-accepted", {"transitGatewayAttachmentId": attachment_id})
    for segment, table in gateway.get("route_tables", {}).items():
        records.add(types.TGW_ROUTE_TABLE, segment, {"transitGatewayId": gateway["id"]}, table["id"])
        for attachment_id in table.get("associations", {}):
            records.add(types.TGW_ROUTE_TABLE_ASSOCIATION, f"{table['id']}-{attachment_id}",
                        {"transitGatewayAttachmentId": attachment_id, "transitGatewayRouteTableId": table["id"]})
        for attachment_id in table.get("propagations", {}):
            records.add(types.TGW_ROUTE_TABLE_PROPAGATION, f"{table['id']}-{attachment_id}-propagation",
                        {"transitGatewayAttachmentId": attachment_id, "transitGatewayRouteTableId": table["id"]})
        for destination, route in table.get("routes", {}).items():
            blackhole = route.get("state") == "blackhole" or not route.get("attachments")
            records.add(types.TGW_ROUTE, f"{table['id']}-{destination}", {"transitGatewayRouteTableId": table["id"], "destinationCidrBlock": destination,
                                                                         "blackhole": blackhole, "transitGatewayAttachmentId": (route.get("attachments") or [None])[0]})


def _zone(records: _Records, name: str, zone: dict[str, Any]) -> None:
    records.add(types.ROUTE53_ZONE, name, {"name": zone["name"].rstrip("."), "vpcs": [{"vpcId": vpc["vpc_id"]} for vpc in zone.get("vpcs", [])]}, zone["id"])
    for key, record in zone.get("records", {}).items():
        alias = record.get("alias")
        if alias:
            records.add(types.ROUTE53_RECORD, f"{zone['id']}-{key}", {"zoneId": zone["id"], "name": key.split(" ")[0].rstrip("."),
                                                                    "type": key.split(" ")[1], "aliases": [{"name": alias["dns_name"].rstrip(".").lower(),
                                                                                                            "zoneId": alias["zone_id"]}]})


def _load_balancer(records: _Records, name: str, balancer: dict[str, Any]) -> None:
    records.add(types.LB, name, {"arn": balancer["arn"], "dnsName": (balancer.get("dns_name") or "").lower(), "subnets": sorted(balancer.get("subnets", {})),
                                 "securityGroups": list(balancer.get("security_groups", [])), "loadBalancerType": balancer.get("type")}, balancer["arn"])
    for port, listener in balancer.get("listeners", {}).items():
        certificates, groups = listener.get("certificates") or [None], listener.get("target_groups") or [None]
        records.add(types.LB_LISTENER, f"{name}-{port}", {"loadBalancerArn": balancer["arn"], "port": int(port), "protocol": listener.get("protocol"),
                                                         "certificateArn": certificates[0], "defaultActions": [{"type": "forward", "targetGroupArn": groups[0]}]})
    for arn, group in balancer.get("target_groups", {}).items():
        records.add(types.LB_TARGET_GROUP, group.get("name") or arn, {"arn": arn, "port": group.get("port"), "protocol": group.get("protocol")}, arn)
        for target in group.get("targets", []):
            records.add(types.LB_TARGET_GROUP_ATTACHMENT, f"{arn}-{target['id']}", {"targetGroupArn": arn, "targetId": target["id"]})


def _certificate(records: _Records, name: str, certificate: dict[str, Any]) -> None:
    state = {"arn": certificate["arn"], "domainName": certificate.get("domain"), "subjectAlternativeNames": certificate.get("subject_alternative_names", [])}
    if certificate.get("type") == "PRIVATE":
        state["certificateAuthorityArn"] = "private"  # reachability judges a private CA's certificate by this key's presence
    records.add(types.ACM_CERTIFICATE, name, state, certificate["arn"])


_CONVERTERS = {
    "vpcs": _vpc, "transit_gateways": _transit_gateway, "private_zones": _zone, "load_balancers": _load_balancer, "certificates": _certificate,
    "security_groups": lambda records, name, group: records.add(
        types.SECURITY_GROUP, name, {"vpcId": group.get("vpc_id"), "ingress": [_rule(r) for r in group.get("ingress", [])],
                                     "egress": [_rule(r) for r in group.get("egress", [])]}, group["id"]),
}


def existing_records(stack: str, account: str, region: str, snapshot: dict[str, Any]) -> list[PlacedRegistration]:
    """The facts of one stack's snapshot as records placed in the stack's account and region (an existing resource another
    account owns, in its owner's)."""
    records = _Records(stack, account, region)
    for kind, convert in _CONVERTERS.items():
        for local_name, entry in sorted((snapshot.get("existing", {}).get(kind) or {}).items()):
            convert(records, local_name, entry)
    return records.made
