"""discover against a real moto server: an existing network created with boto3, snapshotted read-only; drift in preflight."""

import json

import pytest

from agentcore_egress.cli.main import main
from agentcore_egress.live.aws_accounts import CallLog
from agentcore_egress.stacks.existing_resources import section_hash
from agentcore_egress.stacks.existing_snapshot import differences, with_difference
from moto_aws import REGION, account, assert_within_read_only_policy, core_transit_gateway, vpc_with_subnets, write_zone

NETWORK, AGENTS = "111111111111", "444444444444"
ZONE_ID = "Z0EXISTING00000000001"


def private_zone(aws, vpc):
    """A private zone with a Z… id (moto's are random letters and digits) and one record."""
    from moto.route53.models import HostedZoneIdentifier
    from moto.utilities.id_generator import moto_id_manager

    moto_id_manager.set_custom_id(HostedZoneIdentifier(NETWORK, "tools.internal.", None), ZONE_ID)
    route53 = aws.client("route53", NETWORK)
    route53.create_hosted_zone(Name="tools.internal.", CallerReference="seed", VPC={"VPCRegion": REGION, "VPCId": vpc},
                               HostedZoneConfig={"PrivateZone": True, "Comment": "tools"})
    route53.change_resource_record_sets(HostedZoneId=ZONE_ID, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": "orders.tools.internal.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "10.20.0.10"}]}}]})


def transit_gateway(ec2, vpc, subnets):
    tgw, spokes, shared, attachment = core_transit_gateway(ec2, vpc, subnets)
    ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=shared, TransitGatewayAttachmentId=attachment)
    ec2.create_transit_gateway_route(DestinationCidrBlock="10.250.0.0/16", TransitGatewayRouteTableId=spokes, TransitGatewayAttachmentId=attachment)
    ec2.create_transit_gateway_route(DestinationCidrBlock="10.99.0.0/16", TransitGatewayRouteTableId=spokes, Blackhole=True)
    return tgw, spokes, shared, attachment


def load_balancer(aws, vpc, subnets, group):
    certificate = aws.client("acm", NETWORK).request_certificate(
        DomainName="orders.tools.example.com", SubjectAlternativeNames=["orders.tools.example.com", "api.tools.example.com"],
        ValidationMethod="DNS")["CertificateArn"]
    elbv2 = aws.client("elbv2", NETWORK)
    balancer = elbv2.create_load_balancer(Name="orders", Subnets=subnets, SecurityGroups=[group], Scheme="internal", Type="application")[
        "LoadBalancers"][0]["LoadBalancerArn"]
    group_arn = elbv2.create_target_group(Name="orders", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=group_arn, Targets=[{"Id": "10.20.0.10", "Port": 80}])
    elbv2.create_listener(LoadBalancerArn=balancer, Protocol="HTTPS", Port=443, Certificates=[{"CertificateArn": certificate}],
                          DefaultActions=[{"Type": "forward", "TargetGroupArn": group_arn}])
    return balancer, certificate, group_arn


def seed_existing_network(aws):
    """The network account as another team built it: what the stack names under existing, and the ids a test checks."""
    ec2 = aws.client("ec2", NETWORK)
    vpc, subnets = vpc_with_subnets(ec2, "tools", "10.20.0.0/16", [("10.20.0.0/24", "eu-west-1a"), ("10.20.1.0/24", "eu-west-1b")])
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.21.0.0/16")
    tgw, spokes, shared, attachment = transit_gateway(ec2, vpc, subnets)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnets[0])
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="10.250.0.0/16", TransitGatewayId=tgw["TransitGatewayId"])
    enis = ec2.create_security_group(GroupName="enis", Description="AgentCore ENIs", VpcId=vpc)["GroupId"]
    backend = ec2.create_security_group(GroupName="backend", Description="tools", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=backend, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": enis}], "IpRanges": [{"CidrIp": "10.250.0.0/16"}]}])
    private_zone(aws, vpc)
    balancer, certificate, target_group = load_balancer(aws, vpc, subnets, backend)
    share = aws.client("ram", NETWORK).create_resource_share(name="core", resourceArns=[tgw["TransitGatewayArn"]], principals=[AGENTS])[
        "resourceShare"]["resourceShareArn"]
    existing = {"vpcs": {"tools": vpc}, "transit_gateways": {"core": {"id": tgw["TransitGatewayId"], "route_tables": {"spokes": spokes, "shared": shared}}},
                "security_groups": {"backend": backend}, "private_zones": {"tools": ZONE_ID}, "load_balancers": {"orders": balancer},
                "certificates": {"orders": certificate}}
    ids = {"vpc": vpc, "subnets": subnets, "table": table, "tgw": tgw["TransitGatewayId"], "attachment": attachment, "enis": enis,
           "target_group": target_group, "share": share, "certificate": certificate}
    return existing, ids


def zone_with(tmp_path, existing):
    return write_zone(tmp_path / "stacks", {"network": {"account": account(NETWORK), "existing": existing}, "agents": {"account": account(AGENTS)}})


def discover(capsys, aws, zone, *extra):
    code = main(["discover", str(zone), "--endpoint-url", aws.url, *extra])
    return code, capsys.readouterr().err


def test_discover_snapshots_the_existing_network_read_only_and_stably(capsys, aws, tmp_path, monkeypatch):
    existing, ids = seed_existing_network(aws)
    zone = zone_with(tmp_path, existing)
    log = CallLog()
    monkeypatch.setattr("agentcore_egress.live.aws_accounts.CallLog", lambda: log)
    code, err = discover(capsys, aws, zone)
    assert code == 0, err
    snapshot_file = zone / "existing" / "network.json"
    assert "agents: no agentcore-egress:existing section, no snapshot written" in err and not (zone / "existing" / "agents.json").exists()
    assert err.count("\n") == 2 and "network: wrote" in err, "one progress line per stack"
    text = snapshot_file.read_text()
    assert text.endswith("}\n") and text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    snapshot = json.loads(text)
    assert (snapshot["format_version"], snapshot["stack"], snapshot["account"], snapshot["region"]) == (1, "network", NETWORK, REGION)
    vpc = snapshot["existing"]["vpcs"]["tools"]
    assert (vpc["cidr_block"], vpc["secondary_cidr_blocks"]) == ("10.20.0.0/16", ["10.21.0.0/16"])
    subnet = vpc["subnets"][ids["subnets"][0]]
    assert (subnet["cidr"], subnet["availability_zone"]) == ("10.20.0.0/24", "eu-west-1a") and subnet["availability_zone_id"]
    table = vpc["route_tables"][ids["table"]]
    assert table["subnets"] == [ids["subnets"][0]] and not table["main"]
    assert table["routes"]["10.250.0.0/16"] == {"target": ids["tgw"], "state": "active"}
    assert table["routes"]["10.20.0.0/16"]["target"] == "local"
    tgw = snapshot["existing"]["transit_gateways"]["core"]
    assert tgw["attachments"][ids["attachment"]]["resource_id"] == ids["vpc"]
    spokes, shared = tgw["route_tables"]["spokes"], tgw["route_tables"]["shared"]
    assert list(spokes["associations"]) == [ids["attachment"]] and list(shared["propagations"]) == [ids["attachment"]]
    # moto 5.2 answers a route's attachment as one mapping, which botocore's parser drops: only the state is checked here.
    assert spokes["routes"]["10.250.0.0/16"]["state"] == "active"
    assert spokes["routes"]["10.99.0.0/16"]["state"] == "blackhole"
    assert tgw["shares"][ids["share"]]["principals"] == {AGENTS: "ASSOCIATED"}
    rules = snapshot["existing"]["security_groups"]["backend"]["ingress"]
    assert {"protocol": "tcp", "from_port": 443, "to_port": 443, "group": ids["enis"], "group_owner": NETWORK} in rules
    assert {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr": "10.250.0.0/16"} in rules
    zone_entry = snapshot["existing"]["private_zones"]["tools"]
    assert zone_entry["private"] and zone_entry["vpcs"] == [{"vpc_id": ids["vpc"], "region": REGION}]
    assert zone_entry["records"]["orders.tools.internal. A"] == {"ttl": 60, "values": ["10.20.0.10"], "alias": None}
    balancer = snapshot["existing"]["load_balancers"]["orders"]
    assert balancer["listeners"]["443"]["certificates"] == [ids["certificate"]]
    assert balancer["listeners"]["443"]["target_groups"] == [ids["target_group"]]
    assert balancer["target_groups"][ids["target_group"]]["targets"] == [{"id": "10.20.0.10", "port": 80}]
    certificate = snapshot["existing"]["certificates"]["orders"]
    assert (certificate["type"], certificate["status"], certificate["domain"], certificate["account"], certificate["region"]) == (
        "AMAZON_ISSUED", "ISSUED", "orders.tools.example.com", NETWORK, REGION)
    assert certificate["subject_alternative_names"] == ["api.tools.example.com", "orders.tools.example.com"]
    assert "SecretAccessKey" not in text and "testing" not in text

    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.url)  # boto3's own endpoint variable stands for --endpoint-url
    code = main(["discover", str(zone), "--stack", "network"])
    err = capsys.readouterr().err
    assert code == 0 and "network: unchanged" in err and "agents" not in err
    assert snapshot_file.read_text() == text, "a second run gives the same bytes"
    assert_within_read_only_policy(log)
    assert {("ec2", "SearchTransitGatewayRoutes"), ("route53", "ListResourceRecordSets"), ("ram", "GetResourceShareAssociations")} <= set(log.calls)


def test_the_snapshot_is_taken_for_the_existing_section(capsys, aws, tmp_path):
    existing, _ = seed_existing_network(aws)
    zone = zone_with(tmp_path, existing)
    assert discover(capsys, aws, zone)[0] == 0
    from agentcore_egress.stacks.existing_resources import ExistingResources

    snapshot = json.loads((zone / "existing" / "network.json").read_text())
    assert snapshot["existing_sha256"] == section_hash(ExistingResources.model_validate(existing))


@pytest.mark.parametrize("edit, key, ident", [
    (lambda e: e["vpcs"].update(tools="vpc-0123456789abcdef0"), "existing.vpcs.tools", "vpc-0123456789abcdef0"),
    (lambda e: e["transit_gateways"]["core"]["route_tables"].update(spokes="tgw-rtb-0123456789abcdef0"),
     "existing.transit_gateways.core.route_tables.spokes", "tgw-rtb-0123456789abcdef0"),
    (lambda e: e["security_groups"].update(backend="sg-0123456789abcdef0"), "existing.security_groups.backend", "sg-0123456789abcdef0"),
])
def test_a_name_not_found_is_bad_input_naming_the_key_and_the_id(capsys, aws, tmp_path, edit, key, ident):
    existing, _ = seed_existing_network(aws)
    edit(existing)
    zone = zone_with(tmp_path, existing)
    code, err = discover(capsys, aws, zone)
    assert code == 2
    problem = next(line for line in err.splitlines() if line.startswith("error:"))
    assert f"agentcore-egress:{key}: {ident} does not exist in account {NETWORK}" in problem and "Fix:" in problem
    assert not (zone / "existing" / "network.json").exists()


@pytest.mark.parametrize("existing, complaint", [
    ({"vpcs": {"tools": "vpc-x"}}, "agentcore-egress:existing.vpcs.tools: 'vpc-x' is not a VPC id. Fix: give it as AWS shows it"),
    ({"private_zones": {"tools": "/hostedzone/Z0123456789ABCDEFGHIJ"}}, "agentcore-egress:existing.private_zones.tools: '/hostedzone/Z0123456789ABCDEFGHIJ' "
     "is not a hosted zone id (without /hostedzone/). Fix:"),
    ({"security_groups": {"Backend": "sg-0a1b2c3d4e5f60718"}}, "agentcore-egress:existing.security_groups.Backend: 'sg-0a1b2c3d4e5f60718' is named "
     "'Backend', which is not a usable local name. Fix: name it with 1-63 lowercase letters"),
])
def test_a_bad_id_or_name_in_the_existing_section_is_one_line_naming_the_key_and_the_fix(capsys, tmp_path, existing, complaint):
    zone = write_zone(tmp_path / "stacks", {"network": {"account": account(NETWORK), "existing": existing}})
    assert main(["schema", "--check", str(zone / "Pulumi.network.yaml")]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and complaint in lines[0], lines


def test_discover_records_the_routes_a_transit_gateway_route_table_learned_by_propagation(capsys, aws, tmp_path):
    """moto 5.2 propagates no routes: one static route of its backend is turned into a propagated one, as AWS would list it."""
    from moto.ec2.models import ec2_backends

    existing, ids = seed_existing_network(aws)
    shared = existing["transit_gateways"]["core"]["route_tables"]["shared"]
    aws.client("ec2", NETWORK).create_transit_gateway_route(DestinationCidrBlock="10.20.0.0/16", TransitGatewayRouteTableId=shared,
                                                            TransitGatewayAttachmentId=ids["attachment"])
    ec2_backends[NETWORK][REGION].transit_gateways_route_tables[shared].routes["10.20.0.0/16"]["type"] = "propagated"
    zone = zone_with(tmp_path, existing)
    assert discover(capsys, aws, zone)[0] == 0
    table = json.loads((zone / "existing" / "network.json").read_text())["existing"]["transit_gateways"]["core"]["route_tables"]["shared"]
    # (moto answers a route's attachment as one mapping, which botocore's parser drops: the attachments are not checked here.)
    assert list(table["propagated_routes"]) == ["10.20.0.0/16"] and "10.20.0.0/16" not in table["routes"]


def preflight_drift(capsys, aws, zone):
    main(["preflight", str(zone), "--endpoint-url", aws.url, "--format", "json"])
    return [c for c in json.loads(capsys.readouterr().out) if c["name"] == "existing-drift"]


def remove_route_back(aws, existing, ids):
    aws.client("ec2", NETWORK).delete_route(RouteTableId=ids["table"], DestinationCidrBlock="10.250.0.0/16")
    return f"vpcs.tools.route_tables.{ids['table']}.routes.10.250.0.0/16"


def narrow_ingress(aws, existing, ids):
    aws.client("ec2", NETWORK).revoke_security_group_ingress(GroupId=existing["security_groups"]["backend"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.250.0.0/16"}]}])
    return "security_groups.backend.ingress"


def end_share(aws, existing, ids):
    aws.client("ram", NETWORK).delete_resource_share(resourceShareArn=ids["share"])
    return f"transit_gateways.core.shares.{ids['share']}.status"


@pytest.mark.parametrize("change", [remove_route_back, narrow_ingress, end_share])
def test_preflight_reports_drift_that_changes_a_verdict(capsys, aws, tmp_path, change):
    existing, ids = seed_existing_network(aws)
    zone = zone_with(tmp_path, existing)
    assert discover(capsys, aws, zone)[0] == 0
    assert [c["status"] for c in preflight_drift(capsys, aws, zone)] == ["pass"]
    entry = change(aws, existing, ids)
    checks = preflight_drift(capsys, aws, zone)
    assert [(c["status"], c["subject"]) for c in checks] == [("fail", f"existing/network.json: existing.{entry}")], checks
    assert "the snapshot has" in checks[0]["reason"] and "agentcore-egress discover --stack network" in checks[0]["fix"]


def test_preflight_passes_drift_that_no_verdict_reads_and_names_it(capsys, aws, tmp_path):
    """A record's TTL is in the snapshot for review; plan reads no TTL, so a changed one is no failure."""
    existing, _ = seed_existing_network(aws)
    zone = zone_with(tmp_path, existing)
    assert discover(capsys, aws, zone)[0] == 0
    aws.client("route53", NETWORK).change_resource_record_sets(HostedZoneId=ZONE_ID, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
        "Name": "orders.tools.internal.", "Type": "A", "TTL": 300, "ResourceRecords": [{"Value": "10.20.0.10"}]}}]})
    [check] = preflight_drift(capsys, aws, zone)
    assert check["status"] == "pass" and "1 difference(s) that change no verdict" in check["reason"], check
    assert "existing.private_zones.tools.records.orders.tools.internal. A.ttl" in check["reason"]


@pytest.mark.parametrize("edit, complaint", [
    (lambda snapshot: snapshot.unlink(), "network.json: does not exist: the existing resources were never discovered"),
    (lambda snapshot: snapshot.write_text("{"), "network.json: cannot be read as JSON"),
    (lambda snapshot: snapshot.write_text(snapshot.read_text().replace('"existing_sha256": "', '"existing_sha256": "0')),
     "was taken for another agentcore-egress:existing section"),
])
def test_preflight_fails_without_a_snapshot_of_the_current_existing_section(capsys, aws, tmp_path, edit, complaint):
    existing, _ = seed_existing_network(aws)
    zone = zone_with(tmp_path, existing)
    assert discover(capsys, aws, zone)[0] == 0
    edit(zone / "existing" / "network.json")
    assert main(["preflight", str(zone), "--endpoint-url", aws.url, "--format", "json"]) == 1
    [check] = [c for c in json.loads(capsys.readouterr().out) if c["name"] == "existing-drift"]
    assert check["status"] == "fail" and complaint in check["reason"] and "agentcore-egress discover --stack network" in check["fix"]


def test_differences_name_each_changed_path():
    committed = {"a": {"x": 1, "rules": [{"p": 1}, {"p": 2}]}, "b": 1}
    live = {"a": {"x": 2, "rules": [{"p": 2}, {"p": 3}]}, "c": 1}
    found = differences(committed, live)
    assert [(d.path, d.was, d.now) for d in found] == [("a.rules", {"p": 1}, None), ("a.rules", None, {"p": 3}), ("a.x", 1, 2), ("b", 1, None), ("c", None, 1)]
    assert [with_difference(committed, d) for d in found] == [
        {"a": {"x": 1, "rules": [{"p": 2}]}, "b": 1}, {"a": {"x": 1, "rules": [{"p": 1}, {"p": 2}, {"p": 3}]}, "b": 1},
        {"a": {"x": 2, "rules": [{"p": 1}, {"p": 2}]}, "b": 1}, {"a": {"x": 1, "rules": [{"p": 1}, {"p": 2}]}}, {**committed, "c": 1}]
    assert committed == {"a": {"x": 1, "rules": [{"p": 1}, {"p": 2}]}, "b": 1}  # applied to copies


def test_stubbed_lattice_resources_are_snapshotted(monkeypatch):
    """moto has no VPC Lattice resource gateways or configurations: botocore's Stubber answers as the API reference shapes them."""
    from botocore.stub import Stubber

    from agentcore_egress.live.aws_accounts import AccountSession
    from agentcore_egress.live.discover import take_snapshot
    from agentcore_egress.stacks.config_schema import parse

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    gateway_arn = f"arn:aws:vpc-lattice:{REGION}:{NETWORK}:resourcegateway/rgw-0a1b2c3d4e5f60718"
    configuration_arn = f"arn:aws:vpc-lattice:{REGION}:{NETWORK}:resourceconfiguration/rcfg-0a1b2c3d4e5f60718"
    config = parse({"account": {"id": NETWORK, "region": REGION},
                    "existing": {"resource_gateways": {"tools": gateway_arn}, "resource_configurations": {"mcp": configuration_arn}}}, "test")
    session = AccountSession(NETWORK, REGION)
    stub = Stubber(session.client("vpc-lattice"))
    stub.add_response("get_resource_gateway", {
        "id": "rgw-0a1b2c3d4e5f60718", "arn": gateway_arn, "name": "tools", "status": "ACTIVE", "vpcId": "vpc-0a1b2c3d4e5f60718",
        "subnetIds": ["subnet-2", "subnet-1"], "securityGroupIds": ["sg-0a1b2c3d4e5f60718"], "ipAddressType": "IPV4", "ipv4AddressesPerEni": 16},
        {"resourceGatewayIdentifier": gateway_arn})
    stub.add_response("get_resource_configuration", {
        "id": "rcfg-0a1b2c3d4e5f60718", "arn": configuration_arn, "name": "mcp", "type": "SINGLE", "status": "ACTIVE",
        "resourceGatewayId": "rgw-0a1b2c3d4e5f60718", "protocol": "TCP", "portRanges": ["443"],
        "resourceConfigurationDefinition": {"dnsResource": {"domainName": "mcp.tools.example.com", "ipAddressType": "IPV4"}}},
        {"resourceConfigurationIdentifier": configuration_arn})
    with stub:
        existing = take_snapshot("network", config, session)["existing"]
    stub.assert_no_pending_responses()
    gateway = existing["resource_gateways"]["tools"]
    assert (gateway["vpc_id"], gateway["subnets"], gateway["ipv4_addresses_per_eni"]) == ("vpc-0a1b2c3d4e5f60718", ["subnet-1", "subnet-2"], 16)
    configuration = existing["resource_configurations"]["mcp"]
    assert (configuration["resource_gateway"], configuration["port_ranges"]) == ("rgw-0a1b2c3d4e5f60718", ["443"])
    assert configuration["definition"] == {"dnsResource": {"domainName": "mcp.tools.example.com", "ipAddressType": "IPV4"}}


def test_a_route_table_of_another_transit_gateway_is_bad_input(capsys, aws, tmp_path):
    existing, _ = seed_existing_network(aws)
    ec2 = aws.client("ec2", NETWORK)
    other = ec2.create_transit_gateway(Description="other")["TransitGateway"]["TransitGatewayId"]
    foreign = ec2.create_transit_gateway_route_table(TransitGatewayId=other)["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    existing["transit_gateways"]["core"]["route_tables"]["spokes"] = foreign
    code, err = discover(capsys, aws, zone_with(tmp_path, existing))
    assert code == 2 and f"agentcore-egress:existing.transit_gateways.core.route_tables.spokes: {foreign} belongs to {other}" in err


def test_what_the_endpoint_cannot_answer_is_one_line_not_a_traceback(capsys, aws, tmp_path):
    """moto has no VPC Lattice resource gateways: the stack is not written, and the line says why."""
    gateway = f"arn:aws:vpc-lattice:{REGION}:{NETWORK}:resourcegateway/rgw-0a1b2c3d4e5f60718"
    code, err = discover(capsys, aws, zone_with(tmp_path, {"resource_gateways": {"tools": gateway}}))
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 2 and "Traceback" not in err and "network: not written" in err
    assert len(errors) == 1 and f"Pulumi.network.yaml: account {NETWORK}: the endpoint does not implement GetResourceGateway" in errors[0], errors


def test_drift_compares_what_plan_reads_without_the_pulumi_sdk():
    # preflight is a live command: judging drift builds plan's view of a snapshot (records, lookup answers, the ids a
    # simulated AWS mints) without the SDK's runtime, which a simulation alone needs.
    import subprocess
    import sys

    from child_processes import user_environment

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, agentcore_egress.live.existing_drift\n"
                               "print(sorted(m for m in ('pulumi', 'pulumi_aws', 'grpc') if m in sys.modules))"],
        env=user_environment(), capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert loaded.returncode == 0 and loaded.stdout.strip() == "[]", (loaded.stdout, loaded.stderr[-2000:])
