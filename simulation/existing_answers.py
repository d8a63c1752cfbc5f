"""The program's lookups of existing resources (``stacks/existing_lookups.py``), answered from a stack's snapshot.

A plan never calls AWS: what ``discover`` wrote in ``existing/<stack>.json`` (:mod:`agentcore_egress.live.discover` lists
its keys) is what AWS would answer each ``get_*`` function with, in the shape pulumi-aws returns (camelCase outputs; no ASN:
nothing reads it).
"""

from __future__ import annotations

import json
from typing import Any, Optional

ELB_ZONE = {"application": "Z32O12XQLNTSW2", "network": "Z2IFOLAFXWLO4F"}
"""Canonical hosted zone ids of load balancers, as in eu-west-1."""


class NotInSnapshot(LookupError):
    """The program looked up an existing resource that the snapshot does not hold (a program error: the simulated AWS reports it
    as the engine reports a failed invoke)."""


class ExistingAnswers:
    """One stack's snapshot, indexed by the ids the lookups ask for."""

    def __init__(self, snapshot: dict[str, Any], default_group: Any) -> None:
        existing = snapshot.get("existing", {})
        self.vpcs = {vpc["id"]: vpc for vpc in existing.get("vpcs", {}).values()}
        self.subnets = {subnet_id: {**subnet, "vpc_id": vpc["id"]} for vpc in self.vpcs.values() for subnet_id, subnet in vpc["subnets"].items()}
        self.gateways = {gateway["id"]: gateway for gateway in existing.get("transit_gateways", {}).values()}
        self.gateway_tables = {table["id"]: gateway["id"] for gateway in self.gateways.values() for table in gateway["route_tables"].values()}
        self.groups = {group["id"]: group for group in existing.get("security_groups", {}).values()}
        self.balancers = {balancer["arn"]: balancer for balancer in existing.get("load_balancers", {}).values()}
        self.zones = {zone["id"]: zone for zone in existing.get("private_zones", {}).values()}
        self.default_group = default_group
        self.stack = snapshot.get("stack", "")

    def answer(self, token: str, args: dict[str, Any]) -> Optional[dict[str, Any]]:
        """The lookup's result, or None for a token that is not a lookup of existing resources."""
        answers = {
            "aws:ec2/getVpc:getVpc": self._vpc, "aws:ec2/getSubnets:getSubnets": self._subnets, "aws:ec2/getSubnet:getSubnet": self._subnet,
            "aws:ec2/getRouteTables:getRouteTables": self._route_tables, "aws:ec2/getSecurityGroup:getSecurityGroup": self._security_group,
            "aws:ec2transitgateway/getTransitGateway:getTransitGateway": self._transit_gateway,
            "aws:ec2transitgateway/getRouteTable:getRouteTable": self._transit_gateway_route_table,
            "aws:lb/getLoadBalancer:getLoadBalancer": self._load_balancer, "aws:route53/getZone:getZone": self._zone,
        }
        found = answers.get(token)
        return found(args) if found else None

    def every_answer(self) -> dict[str, Any]:
        """What each lookup the program can make of this snapshot's resources answers, by ``token args``: the facts of the
        snapshot the program reads (drift compares them, live/existing_drift.py)."""
        asked = [("aws:ec2/getVpc:getVpc", {"id": vpc}) for vpc in self.vpcs]
        asked += [(token, {"vpcId": vpc}) for vpc in self.vpcs for token in ("aws:ec2/getSubnets:getSubnets", "aws:ec2/getRouteTables:getRouteTables")]
        asked += [("aws:ec2/getSecurityGroup:getSecurityGroup", {"vpcId": vpc, "name": "default"}) for vpc in self.vpcs]
        asked += [("aws:ec2/getSubnet:getSubnet", {"id": subnet}) for subnet in self.subnets]
        asked += [("aws:ec2/getSecurityGroup:getSecurityGroup", {"id": group}) for group in self.groups]
        asked += [("aws:ec2transitgateway/getTransitGateway:getTransitGateway", {"id": gateway}) for gateway in self.gateways]
        asked += [("aws:ec2transitgateway/getRouteTable:getRouteTable", {"id": table}) for table in self.gateway_tables]
        asked += [("aws:lb/getLoadBalancer:getLoadBalancer", {"arn": arn}) for arn in self.balancers]
        asked += [("aws:route53/getZone:getZone", {"zoneId": zone}) for zone in self.zones]
        return {f"{token} {json.dumps(args, sort_keys=True)}": self.answer(token, args) for token, args in asked}

    def _find(self, index: dict[str, Any], key: Any, what: str) -> Any:
        if key not in index:
            raise NotInSnapshot(f"existing/{self.stack}.json does not hold {what} {key}, which the program looks up (the snapshot was edited "
                                f"by hand, or taken for other ids). Fix: agentcore-egress discover --stack {self.stack}, and commit the file")
        return index[key]

    def _vpc(self, args: dict[str, Any]) -> dict[str, Any]:
        vpc = self._find(self.vpcs, args.get("id"), "VPC")
        blocks = [vpc["cidr_block"], *vpc.get("secondary_cidr_blocks", [])]
        main = next((table for table, facts in vpc["route_tables"].items() if facts.get("main")), "")
        return {"id": vpc["id"], "arn": f"arn:aws:ec2::{vpc.get('owner_account')}:vpc/{vpc['id']}", "cidrBlock": vpc["cidr_block"],
                "cidrBlockAssociations": [{"associationId": f"vpc-cidr-assoc-{index}", "cidrBlock": block, "state": "associated"}
                                          for index, block in enumerate(blocks)],
                "ownerId": vpc.get("owner_account"), "mainRouteTableId": main, "state": "available"}

    def _vpc_of_filters(self, args: dict[str, Any]) -> dict[str, Any]:
        wanted = next((f.get("values", [None])[0] for f in args.get("filters") or [] if f.get("name") == "vpc-id"), args.get("vpcId"))
        return self._find(self.vpcs, wanted, "the subnets or route tables of VPC")

    def _subnets(self, args: dict[str, Any]) -> dict[str, Any]:
        vpc = self._vpc_of_filters(args)
        return {"id": vpc["id"], "ids": sorted(vpc["subnets"])}

    def _subnet(self, args: dict[str, Any]) -> dict[str, Any]:
        subnet = self._find(self.subnets, args.get("id"), "subnet")
        return {"id": args["id"], "cidrBlock": subnet["cidr"], "availabilityZone": subnet["availability_zone"],
                "availabilityZoneId": subnet.get("availability_zone_id"), "vpcId": subnet["vpc_id"]}

    def _route_tables(self, args: dict[str, Any]) -> dict[str, Any]:
        vpc = self._vpc_of_filters(args)
        return {"id": vpc["id"], "ids": sorted(vpc["route_tables"])}

    def _security_group(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("name") == "default" and args.get("vpcId"):
            vpc = self._find(self.vpcs, args["vpcId"], "the default security group of VPC")
            return {"id": self.default_group(vpc["id"]), "name": "default", "vpcId": vpc["id"]}
        group = self._find(self.groups, args.get("id"), "security group")
        return {"id": group["id"], "name": group.get("name"), "vpcId": group.get("vpc_id")}

    def _transit_gateway(self, args: dict[str, Any]) -> dict[str, Any]:
        gateway = self._find(self.gateways, args.get("id"), "Transit Gateway")
        return {"id": gateway["id"], "ownerId": gateway.get("owner_account")}

    def _transit_gateway_route_table(self, args: dict[str, Any]) -> dict[str, Any]:
        gateway = self._find(self.gateway_tables, args.get("id"), "Transit Gateway route table")
        return {"id": args["id"], "transitGatewayId": gateway}

    def _load_balancer(self, args: dict[str, Any]) -> dict[str, Any]:
        balancer = self._find(self.balancers, args.get("arn"), "load balancer")
        return {"arn": balancer["arn"], "id": balancer["arn"], "name": balancer.get("name"), "dnsName": (balancer.get("dns_name") or "").lower(),
                "zoneId": ELB_ZONE.get(balancer.get("type"), ELB_ZONE["application"]), "vpcId": balancer.get("vpc_id"),
                "loadBalancerType": balancer.get("type"), "internal": balancer.get("scheme") == "internal",
                "subnets": sorted(balancer.get("subnets", {})), "securityGroups": list(balancer.get("security_groups", []))}

    def _zone(self, args: dict[str, Any]) -> dict[str, Any]:
        zone = self._find(self.zones, args.get("zoneId"), "hosted zone")
        return {"id": zone["id"], "zoneId": zone["id"], "name": zone["name"], "privateZone": zone.get("private", True)}

