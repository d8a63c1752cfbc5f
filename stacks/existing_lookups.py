"""Existing resources as the deployed program reads them: pulumi-aws lookup functions (invokes), never resources it owns.

What a section adds to an existing resource (an attachment to an existing VPC, routes in its route tables, a record in an
existing zone, an association with an existing Transit Gateway route table) is ours; the existing resource itself is only
read, so no create, update or delete is ever registered for it. ``plan`` answers these lookups from the stack's committed
snapshot (``existing/<stack>.json``, see :mod:`agentcore_egress.simulation.simulated_aws`); ``pulumi up`` from the account.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws


class ExistingLookups:
    """The lookups of one stack, through its account's provider."""

    def __init__(self, opts: pulumi.ResourceOptions) -> None:
        self._invoke = pulumi.InvokeOptions(provider=opts.provider)

    def vpc(self, vpc_id: str) -> "ExistingVpc":
        return ExistingVpc(vpc_id, self._invoke)

    def transit_gateway_id(self, transit_gateway_id: str) -> str:
        return aws.ec2transitgateway.get_transit_gateway(id=transit_gateway_id, opts=self._invoke).id

    def transit_gateway_route_table_id(self, route_table_id: str) -> str:
        return aws.ec2transitgateway.get_route_table(id=route_table_id, opts=self._invoke).id

    def security_group_id(self, group_id: str) -> str:
        return aws.ec2.get_security_group(id=group_id, opts=self._invoke).id

    def load_balancer(self, arn: str) -> Any:
        """The balancer's ``dns_name`` and ``zone_id`` (what an alias record needs), among the rest of its attributes."""
        return aws.lb.get_load_balancer(arn=arn, opts=self._invoke)

    def zone_name(self, zone_id: str) -> str:
        """The DNS name of an existing hosted zone, without the trailing dot."""
        return aws.route53.get_zone(zone_id=zone_id, opts=self._invoke).name.rstrip(".")


class ExistingVpc:
    """An existing VPC as the sections that use it need it: its block, subnets (one per AZ for attachments), route tables
    and default security group."""

    def __init__(self, vpc_id: str, invoke: pulumi.InvokeOptions) -> None:
        self.vpc_id = vpc_id
        vpc = aws.ec2.get_vpc(id=vpc_id, opts=invoke)
        self.cidr = vpc.cidr_block
        self.secondary_cidrs = sorted({a.cidr_block for a in vpc.cidr_block_associations if a.cidr_block != vpc.cidr_block})
        self.subnet_ids = sorted(aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc_id]}], opts=invoke).ids)
        subnets = [aws.ec2.get_subnet(id=subnet_id, opts=invoke) for subnet_id in self.subnet_ids]
        self.subnet_cidrs = [subnet.cidr_block for subnet in subnets]
        zones: dict[str, str] = {}
        for subnet in subnets:
            zones.setdefault(subnet.availability_zone, subnet.id)
        self.attachment_subnet_ids = [zones[zone] for zone in sorted(zones)]
        """One subnet per availability zone (a TGW attachment takes at most one per zone), the first by id."""
        tables = sorted(aws.ec2.get_route_tables(vpc_id=vpc_id, opts=invoke).ids)
        self.route_table_ids_by_subnet = {table: table for table in tables}
        """Every route table of the VPC, keyed by its id: what gets the routes a section adds (a spoke's, a peering's)."""
        self.default_security_group_id = aws.ec2.get_security_group(vpc_id=vpc_id, name="default", opts=invoke).id
