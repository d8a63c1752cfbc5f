"""The ids a simulated AWS mints: stable, AWS-shaped (``vpc-…``, ``sg-…``, ``Z…``), the same program giving the same ids.

Apart from :mod:`.simulated_aws` so that what only needs an id (drift's comparison of snapshots, the tests) reads them
without importing the Pulumi SDK's runtime.
"""

from __future__ import annotations

import hashlib

# Id prefixes AWS uses, so ids in plans look like the ones users read in consoles.
_ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2transitgateway/transitGateway:TransitGateway": "tgw",
    "aws:ec2transitgateway/routeTable:RouteTable": "tgw-rtb",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "tgw-attach",
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": "tgw-attach",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "pcx",
    "aws:vpclattice/resourceGateway:ResourceGateway": "rgw",
    "aws:vpclattice/resourceConfiguration:ResourceConfiguration": "rcfg",
}


def digest(*parts: str, length: int = 17) -> str:
    """A stable hex digest of ``parts``, ``length`` characters long: what every simulated id is made from."""
    return hashlib.sha1("::".join(parts).encode()).hexdigest()[:length]


def fake_id(type_: str, name: str) -> str:
    """A stable, AWS-shaped id for the resource ``name`` of ``type_``."""
    if type_ == "aws:apigateway/restApi:RestApi":
        return digest(type_, name, length=10)
    if type_ == "aws:route53/zone:Zone":
        return "Z" + digest(type_, name, length=20).upper()
    prefix = _ID_PREFIX.get(type_, type_.rsplit(":", 1)[-1].lower())
    return f"{prefix}-{digest(type_, name)}"


def default_security_group_id(vpc_id: str) -> str:
    """The id of ``vpc_id``'s default security group (AWS creates one with every VPC)."""
    return fake_id("aws:ec2/securityGroup:SecurityGroup", f"{vpc_id}-default")
