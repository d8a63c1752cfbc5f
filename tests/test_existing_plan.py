"""plan over an existing landing zone: snapshots discovered from a moto server, read offline; breaks made by editing only a snapshot.

The zone is the bundled brownfield example: its stack files and snapshots are byte for byte what its generator seeds in
moto and ``discover`` writes (tests/test_brownfield_example.py keeps them so), so a copy of it stands for a fresh
discovery without seeding moto and discovering again for every case."""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from agentcore_egress.cli.main import main
from brownfield import AGENTCORE_CIDR, EXAMPLE, edit_snapshot
from child_processes import run_cli

CREATED_ONLY_BY_OTHERS = {"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable", "aws:lb/loadBalancer:LoadBalancer",
                          "aws:route53/zone:Zone", "aws:ec2transitgateway/transitGateway:TransitGateway", "aws:acm/certificate:Certificate",
                          "aws:ec2transitgateway/routeTable:RouteTable", "aws:lb/listener:Listener"}


@pytest.fixture
def discovered(tmp_path) -> Path:
    """The brownfield landing zone seeded in moto, its stacks written and every snapshot discovered: a copy of the example."""
    return Path(shutil.copytree(EXAMPLE, tmp_path / "stacks"))


def plan_json(capsys, zone: Path, *extra: str) -> tuple[int, dict]:
    code = main(["plan", str(zone), "--format", "json", "--quiet", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_a_zone_over_existing_resources_plans_clean_and_creates_none_of_them(capsys, discovered):
    code, report = plan_json(capsys, discovered)
    assert code == 0, report
    assert [(t["stack"], t["target"], t["verdict"]) for t in report["reachability"]] == [("agentcore", "orders", "reachable")]
    assert "agentcore__target__orders ==> tools__load_balancers__orders" in report["diagram"]  # through the existing zone's alias
    created = {resource for stack in report["stacks"] for resource in stack["resources"]}
    assert created and not created & {t.split(":")[1] for t in CREATED_ONLY_BY_OTHERS}, created


def _without_route_back(existing):
    for table in existing["vpcs"]["tools"]["route_tables"].values():
        table["routes"].pop("10.0.0.0/8", None)


def _without_ingress(existing):
    group = existing["security_groups"]["orders-alb"]
    group["ingress"] = [rule for rule in group["ingress"] if rule.get("cidr") != AGENTCORE_CIDR]


def _zone_not_on_agentcore_vpc(existing):
    zone = existing["private_zones"]["tools"]
    zone["vpcs"] = [vpc for vpc in zone["vpcs"] if vpc["vpc_id"] == existing["vpcs"]["tools"]["id"]]


def _tools_attachment_on_shared(existing):
    tables = existing["transit_gateways"]["core"]["route_tables"]
    tables["shared"]["associations"], tables["spokes"]["associations"] = tables["spokes"]["associations"], {}


@pytest.mark.parametrize("stack, change, broken", [
    ("tools", _without_route_back, r"^route table rtb-\w+ of subnet subnet-\w+ has no route to 10\.50\.[01]\.0/24 \(return\)$"),
    ("tools", _without_ingress, r"^security groups \['sg-\w+'\] of orders admit no TCP 443 from the ENI subnet 10\.50\.[01]\.0/24$"),
    ("tools", _zone_not_on_agentcore_vpc, r"^orders\.tools\.example\.com is only in private zone Z0BROWNFIELD0000000001, which is not associated with vpc-"),
    ("network", _tools_attachment_on_shared, r"^TGW route table shared \(of attachment tgw-attach-\w+\) has no route to 10\.50\.[01]\.0/24"),
], ids=["route-back", "ingress", "zone-association", "tgw-propagation"])
def test_a_break_made_only_in_a_snapshot_is_caught_at_its_hop(capsys, discovered, stack, change, broken):
    edit_snapshot(discovered, stack, change)
    # The snapshot's section hash is unchanged: only the facts changed, as when the account drifted before discovery.
    code, report = plan_json(capsys, discovered)
    assert code == 1
    [trace] = report["reachability"]
    hop = trace["hops"][-1]
    assert trace["verdict"] == "unreachable" and not hop["ok"] and re.search(broken, hop["detail"]), hop


def test_editing_a_snapshot_plans_its_stack_again(capsys, discovered):
    assert plan_json(capsys, discovered)[0] == 0
    edit_snapshot(discovered, "tools", _without_ingress)
    main(["plan", str(discovered), "--format", "json"])
    assert "3 of 4 stacks from the cache" in capsys.readouterr().err


@pytest.mark.parametrize("change, complaint", [
    (lambda path, snapshot: path.unlink(), "existing/tools.json: does not exist"),
    (lambda path, snapshot: path.write_text(json.dumps({**snapshot, "existing_sha256": "0" * 64})), "existing/tools.json: existing_sha256 is not"),
    (lambda path, snapshot: path.write_text(json.dumps({**snapshot, "existing": {**snapshot["existing"], "load_balancers": {}}})),
     "existing/tools.json: existing.load_balancers.orders: is named in"),
    (lambda path, snapshot: path.write_text(json.dumps({**snapshot, "existing": {**snapshot["existing"], "vpcs": {
        "tools": {**snapshot["existing"]["vpcs"]["tools"], "id": "vpc-00000000000000000"}}}})), "existing/tools.json does not hold VPC vpc-"),
    (lambda path, snapshot: (path.unlink(), os.mkfifo(path)), "existing/tools.json: is a named pipe (FIFO), not a regular file."),
    (lambda path, snapshot: (path.unlink(), path.symlink_to("/dev/zero")), "existing/tools.json: is a character device, not a regular file."),
], ids=["missing", "stale", "name-missing", "other-ids", "fifo", "dev-zero"])
def test_a_snapshot_plan_cannot_trust_is_bad_input_with_the_fix(discovered, change, complaint):
    path = discovered / "existing" / "tools.json"
    change(path, json.loads(path.read_text()))
    result = run_cli("plan", str(discovered), "--quiet")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert complaint in lines[0] and lines[0].endswith("Fix: agentcore-egress discover --stack tools, and commit the file"), lines[0]


def test_an_existing_transit_gateway_not_shared_with_the_spoke_account_is_a_precondition(capsys, discovered):
    def shared_elsewhere(existing):
        for share in existing["transit_gateways"]["core"]["shares"].values():
            share["principals"] = {"444444444444": "ASSOCIATED"}

    edit_snapshot(discovered, "network", shared_elsewhere)
    code, report = plan_json(capsys, discovered)
    found = [f for f in report["cross_stack"] if f["policy"] == "precondition-tgw-attachment"]
    assert code == 1 and len(found) == 1, report["cross_stack"]
    assert "is shared with ['444444444444'], which does not reach account 333333333333" in found[0]["message"]
    assert "Fix: share the existing Transit Gateway with '333333333333' through RAM" in found[0]["message"]


def test_a_target_in_an_existing_vpc_of_another_account_is_not_a_managed_path(capsys, discovered):
    from landing_zones import edit_stack

    edit_stack(discovered, "agentcore", lambda config: config["targets"][0]["managed"].update(vpc={"stack": "tools", "vpc": "tools"}))
    code, report = plan_json(capsys, discovered)
    found = [f for f in report["cross_stack"] if f["policy"] == "cross-stack-managed-path"]
    assert code == 1 and [f["message"].split(":")[0] for f in found] == ["target 'orders'"], report["cross_stack"]
    assert "its VPC tools (stack tools) is in 111111111111/eu-west-1, not the gateway's 333333333333/eu-west-1" in found[0]["message"]
