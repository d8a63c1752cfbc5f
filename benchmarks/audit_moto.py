"""How long `audit` takes for a large account, against a local moto server.

    python benchmarks/audit_moto.py [--security-groups 1000] [--load-balancers 100]

Seeds one account with that many security groups and internal ALBs (each with
an HTTPS listener and an Amazon-issued certificate), then times the audit of
it (reading every resource and judging it with the pack's rules). Prints the
API calls made per service. Everything stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import collections
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import boto3
import yaml

ACCOUNT, REGION = "222222222222", "eu-west-1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--security-groups", type=int, default=1000)
    parser.add_argument("--load-balancers", type=int, default=100)
    options = parser.parse_args()
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION=REGION)
    import moto.settings
    from moto.server import ThreadedMotoServer

    from agentcore_egress.live.audit import run_audit
    from agentcore_egress.live.aws_accounts import AccountSession, CallLog
    from agentcore_egress.stacks.landing_zone import LandingZone

    moto.settings.ACM_VALIDATION_WAIT = 0
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{server._server.server_port}"
    try:
        role = f"arn:aws:iam::{ACCOUNT}:role/pulumi-deploy"
        credentials = boto3.client("sts", endpoint_url=url).assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
        session = boto3.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                                aws_session_token=credentials["SessionToken"], region_name=REGION)
        ec2, elb, acm = (session.client(s, endpoint_url=url) for s in ("ec2", "elbv2", "acm"))
        started = time.perf_counter()
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{z}")["Subnet"]["SubnetId"]
                   for i, z in enumerate("ab")]
        groups = [ec2.create_security_group(GroupName=f"sg-{i}", Description="bench", VpcId=vpc)["GroupId"] for i in range(options.security_groups)]
        certificate = acm.request_certificate(DomainName="orders.example.com", ValidationMethod="DNS")["CertificateArn"]
        for index in range(options.load_balancers):
            balancer = elb.create_load_balancer(Name=f"lb-{index}", Subnets=subnets, SecurityGroups=[groups[index]], Scheme="internal")["LoadBalancers"][0]
            targets = elb.create_target_group(Name=f"tg-{index}", Protocol="HTTP", Port=8000, VpcId=vpc, TargetType="ip")["TargetGroups"][0]
            elb.create_listener(LoadBalancerArn=balancer["LoadBalancerArn"], Protocol="HTTPS", Port=443, Certificates=[{"CertificateArn": certificate}],
                                SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06", DefaultActions=[{"Type": "forward", "TargetGroupArn": targets["TargetGroupArn"]}])
        seeded = time.perf_counter() - started

        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "Pulumi.tools.yaml").write_text(yaml.safe_dump({"config": {"agentcore-egress:account": {"id": ACCOUNT, "region": REGION, "role_arn": role}}}))
            zone = LandingZone.load(Path(folder))
            log = CallLog()
            began = time.perf_counter()
            result = run_audit(zone, lambda a, r, role_arn: AccountSession(a, r, role_arn, endpoint_url=url, call_log=log))
            seconds = time.perf_counter() - began
        calls = collections.Counter(service for service, _ in log.calls)
        print(f"seeded {options.security_groups} security groups and {options.load_balancers} load balancers in {seeded:.1f} s")
        print(f"audit: {seconds:.2f} s, {result.resources} resources read, {len(result.findings)} findings, {len(log.calls)} API calls "
              f"({', '.join(f'{service} {count}' for service, count in sorted(calls.items()))})")
        for note in result.notes:
            print(f"  note: {note}")
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
