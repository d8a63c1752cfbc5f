"""A real moto server on 127.0.0.1 for the boto3 code, and helpers to seed accounts in it."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path
from typing import Any

import boto3
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

REGION = "eu-west-1"
ROLE = "arn:aws:iam::{account}:role/pulumi-deploy"


class MotoServer:
    def __init__(self) -> None:
        import moto.settings
        from moto.server import ThreadedMotoServer

        moto.settings.ACM_VALIDATION_WAIT = 0  # certificates requested in tests are issued at once
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)  # moto logs every request, and tracebacks for what it lacks
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        self.url = f"http://127.0.0.1:{self._server._server.server_port}"
        self._clients: dict[tuple[str, str, str], Any] = {}

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=10)
        self._clients.clear()  # moto forgot the roles its credentials were assumed for

    def stop(self) -> None:
        self._server.stop()

    def client(self, service: str, account: str, region: str = REGION) -> Any:
        """A client acting in ``account`` (moto maps assumed-role credentials to the role's account), made once until
        the next :meth:`reset`: a seed asks for the same few clients again and again."""
        key = (service, account, region)
        if key not in self._clients:
            self._clients[key] = self._new_client(service, account, region)
        return self._clients[key]

    def _new_client(self, service: str, account: str, region: str) -> Any:
        sts = boto3.client("sts", region_name=region, endpoint_url=self.url)
        credentials = sts.assume_role(RoleArn=ROLE.format(account=account), RoleSessionName="seed")["Credentials"]
        return boto3.client(
            service, region_name=region, endpoint_url=self.url, aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"], aws_session_token=credentials["SessionToken"],
        )


def self_signed_certificate(domain: str) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(domain)]), critical=False).sign(key, hashes.SHA256())
    )
    return (certificate.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))


def vpc_with_subnets(ec2: Any, name: str, cidr: str, subnets: list[tuple[str, str]]) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}])["Vpc"]["VpcId"]
    ids = [ec2.create_subnet(VpcId=vpc, CidrBlock=block, AvailabilityZone=zone)["Subnet"]["SubnetId"] for block, zone in subnets]
    return vpc, ids


def core_transit_gateway(ec2: Any, vpc: str, subnets: list[str]) -> tuple[dict[str, Any], str, str, str]:
    """Transit Gateway ``core`` without default route tables, its route tables ``spokes`` and ``shared``, and ``vpc``
    attached and associated with ``spokes``: the gateway, the two tables' ids and the attachment's id. (Its propagations
    are the caller's; the calls keep their order, on which moto's ids depend.)"""
    gateway = ec2.create_transit_gateway(Description="core", Options={"DefaultRouteTableAssociation": "disable",
                                                                       "DefaultRouteTablePropagation": "disable"})["TransitGateway"]
    spokes, shared = (ec2.create_transit_gateway_route_table(TransitGatewayId=gateway["TransitGatewayId"])["TransitGatewayRouteTable"]
                      ["TransitGatewayRouteTableId"] for _ in range(2))
    attachment = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=gateway["TransitGatewayId"], VpcId=vpc, SubnetIds=subnets)[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=spokes, TransitGatewayAttachmentId=attachment)
    return gateway, spokes, shared, attachment


def write_zone(directory: Path, stacks: dict[str, dict[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, config in stacks.items():
        (directory / f"Pulumi.{name}.yaml").write_text(
            yaml.safe_dump({"config": {f"agentcore-egress:{key}": value for key, value in config.items()}}, sort_keys=False)
        )
    return directory


def account(account_id: str) -> dict[str, Any]:
    return {"id": account_id, "region": REGION, "role_arn": ROLE.format(account=account_id)}


def assert_within_read_only_policy(log: Any) -> None:
    """Every call a CallLog recorded changes nothing and is allowed by the read-only IAM policy the project ships."""
    import json
    from importlib import resources

    assert log.mutating() == [], log.mutating()
    policy = json.loads(resources.files("agentcore_egress.live").joinpath("preflight_audit_policy.json").read_text())
    allowed = set(policy["Statement"][0]["Action"])
    prefixes = {"elbv2": "elasticloadbalancing", "bedrock-agentcore-control": "bedrock-agentcore"}
    for service, operation in set(log.calls):
        if service == "apigateway":
            assert "apigateway:GET" in allowed
        elif operation != "AssumeRole":
            assert f"{prefixes.get(service, service)}:{operation}" in allowed, f"{service}:{operation} is not in the shipped IAM policy"
