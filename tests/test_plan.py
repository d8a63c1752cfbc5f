"""`agentcore-egress plan` end to end: both bundled landing zones, broken copies, bad input, formats."""

import json

import jsonschema
import pytest

from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.cli.main import main
from landing_zones import PEERING_EXAMPLE, TGW_EXAMPLE, add_tgw_spoke_stack, copy_zone, edit_stack, write_stack


def plan(capsys, *args):
    code = main(["plan", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def plan_json(capsys, zone, *extra):
    code, out, err = plan(capsys, str(zone), "--format", "json", *extra)
    return code, json.loads(out) if out else None, err


def test_bundled_tgw_landing_zone_is_clean_with_the_expected_footprint(capsys):
    code, result, err = plan_json(capsys, TGW_EXAMPLE)
    assert code == 0, err
    assert result["waves"] == [["network-hub", "tools-mcp"], ["tools-payments"], ["agentcore"], ["network-hub-acceptance"]]
    assert {stack["account"] for stack in result["stacks"]} == {"111111111111", "222222222222", "333333333333", "444444444444"}
    totals = result["totals"]
    assert totals["mandatory"] == 0
    advisories = [f for stack in result["stacks"] for f in stack["findings"]]
    assert len(advisories) == totals["advisory"] and all("cannot verify at preview" in f["message"] and f["phases"] == ["preview"] for f in advisories)
    footprint = totals["footprint"]
    # Two managed targets share one Resource Gateway (same VPC, subnets, SGs): 1 gateway, one ENI per subnet.
    assert (footprint["managed_resource_gateways"], footprint["managed_enis"], footprint["managed_targets"]) == (1, 2, 2)
    assert (footprint["self_managed_resource_gateways"], footprint["self_managed_enis"], footprint["self_managed_ips"]) == (1, 2, 32)
    assert (footprint["ram_shares"], footprint["tgw_attachments"]) == (2, 2)
    agentcore = next(stack for stack in result["stacks"] if stack["name"] == "agentcore")
    assert agentcore["footprint"]["reuse_groups"][0]["targets"] == ["orders-api", "orders-rest"]
    assert agentcore["resources"]["aws:bedrock/agentcoreGatewayTarget:AgentcoreGatewayTarget"] == 3
    diagram = result["diagram"]
    for edge in (
        "agentcore__vpc__agentcore ---|attachment| network_hub__tgw",
        "agentcore__target__orders_api ==> tools_payments__private_apis__orders_api",
        "agentcore__target__orders_rest ==> tools_payments__load_balancers__orders_alb",
        "agentcore__target__mcp ==> tools_mcp__rcfg__mcp__mcp",
        "tools_mcp__rgw__mcp -. RAM share .-> agentcore__gateway",
    ):
        assert edge in diagram


def test_stack_references_resolve_from_simulated_outputs(capsys):
    code, result, _ = plan_json(capsys, TGW_EXAMPLE)
    stacks = {stack["name"]: stack for stack in result["stacks"]}
    payments_api = stacks["tools-payments"]["outputs"]["private_apis"]["orders-api"]["invoke_url"]
    assert payments_api.startswith("https://") and "-vpce-" in payments_api
    hub_tgw = stacks["network-hub"]["outputs"]["transit_gateway"]["id"]
    assert hub_tgw.startswith("tgw-")
    assert stacks["agentcore"]["outputs"]["targets"]["mcp"]["mode"] == "self-managed"


def test_bundled_peering_landing_zone_is_clean(capsys):
    code, result, err = plan_json(capsys, PEERING_EXAMPLE)
    assert code == 0, err
    assert result["waves"] == [["hub-network"], ["tools-app"], ["agentcore"]]
    assert result["totals"]["footprint"]["peerings"] == 1 and result["totals"]["footprint"]["tgw_attachments"] == 0
    assert "tools_app__vpc__app <-->|peering| hub_network__vpc__agentcore" in result["diagram"]


def test_text_report_is_per_account_with_progress_on_stderr(capsys):
    code, out, err = plan(capsys)
    assert code == 0
    assert "account 444444444444" in out and "stack agentcore (wave 3" in out
    assert "AgentCore will create 1 managed Resource Gateway(s) with 2 ENIs" in out
    assert "verdict: 0 mandatory, " in out and "flowchart LR" in out
    assert "[5/5] wave 4 network-hub-acceptance" in err


def _tgw_overlap(zone):
    add_tgw_spoke_stack(zone, "tools-legacy", {"id": "555555555555", "region": "eu-west-1"}, "legacy", 20)


def _default_security_group(zone):
    edit_stack(zone, "agentcore", lambda c: c["targets"][0]["managed"].update(security_groups=["sg-0123456789abcdef0"]))
    (zone / "pack.json").write_text(json.dumps({"no-default-security-group": {"defaultSecurityGroupIds": ["sg-0123456789abcdef0"]}}))


def _private_ca_certificate(zone):
    def change(config):
        config["load_balancers"][0].pop("certificate")
        config["load_balancers"][0]["certificate_arn"] = "arn:aws:acm:eu-west-1:222222222222:certificate/issued-by-private-ca"
    edit_stack(zone, "tools-payments", change)


def _unshared_configuration(zone):
    edit_stack(zone, "tools-mcp", lambda c: c["lattice_resources"][0].update(share_with=["555555555555"]))


BROKEN = {
    # tools-legacy attaches first (wave 2, before tools-payments): AWS propagates only its 10.20.0.0/16, so payments' targets lose.
    "overlapping-cidr": (_tgw_overlap, {"cross-stack-cidr-overlap", "reachability"}),
    "default-security-group": (_default_security_group, {"no-default-security-group"}),
    "private-ca-certificate": (_private_ca_certificate, {"listener-certificates-from-stack"}),
    "unshared-configuration": (_unshared_configuration, {"cross-stack-lattice-share"}),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_copies_of_the_tgw_zone_exit_1_with_the_right_rule(capsys, tmp_path, case):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    breaker, rules = BROKEN[case]
    breaker(zone)
    extra = ["--policy-pack-config", str(zone / "pack.json")] if (zone / "pack.json").exists() else []
    code, result, err = plan_json(capsys, zone, *extra)
    assert code == 1, err
    findings = [f for stack in result["stacks"] for f in stack["findings"]] + result["cross_stack"]
    assert {f["policy"] for f in findings if f["level"] == "mandatory"} == rules
    assert "mandatory finding" in err


def test_overlapping_peered_vpcs_exit_1(capsys, tmp_path):
    zone = copy_zone(PEERING_EXAMPLE, tmp_path / "zone")

    def renumber(config):
        config["vpcs"][0].update(cidr="10.100.128.0/17", subnets=[
            {"name": "a", "cidr": "10.100.128.0/24", "az": "eu-west-1a"}, {"name": "b", "cidr": "10.100.129.0/24", "az": "eu-west-1b"}])
        config["peering_spokes"][0]["destinations"] = ["10.100.0.0/24", "10.100.1.0/24"]
        config["load_balancers"][0].update(target_cidrs=["10.100.128.0/24"], target_ips=["10.100.128.10"])
    edit_stack(zone, "tools-app", renumber)
    code, result, err = plan_json(capsys, zone)
    assert code == 1, err
    policies = [f["policy"] for f in result["cross_stack"]]
    assert policies[0] == "cross-stack-cidr-overlap" and set(policies) <= {"cross-stack-cidr-overlap", "reachability"}


def test_a_target_without_a_path_to_its_backend_is_found(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    (zone / "Pulumi.network-hub-acceptance.yaml").unlink()
    code, result, _ = plan_json(capsys, zone)
    assert code == 1
    messages = [f["message"] for f in result["cross_stack"] if f["policy"] == "cross-stack-managed-path"]
    assert len(messages) == 2 and all("no accepted Transit Gateway attachment or peering" in m for m in messages)


def test_bad_config_exits_2_naming_the_file_and_key(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-payments", lambda c: c["vpcs"][0].update(cidr="10.0.0.0/33"))
    code, out, err = plan(capsys, str(zone))
    assert code == 2 and out == ""
    assert "Pulumi.tools-payments.yaml: agentcore-egress:vpcs[0].cidr: '10.0.0.0/33' is not a CIDR block" in err
    assert "Traceback" not in err


def test_a_reference_to_a_missing_stack_or_item_exits_2(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    (zone / "Pulumi.tools-mcp.yaml").unlink()
    edit_stack(zone, "tools-payments", lambda c: c["tgw_spokes"][0].update(hub_stack="network-hubb"))
    code, _, err = plan(capsys, str(zone))
    assert code == 2
    assert "agentcore-egress:tgw_spokes[0].hub_stack: 'network-hubb' is not a stack of this landing zone" in err
    assert "agentcore-egress:share_acceptances[0].lattice: 'tools-mcp' is not a stack of this landing zone" in err


def test_a_cycle_of_references_exits_2_naming_the_keys_that_make_it(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "network-hub", lambda c: c.update(tgw_acceptances=[{"spoke": {"stack": "agentcore", "vpc": "agentcore"}, "associate_with": "spokes", "propagate_to": ["spokes"]}]))
    code, _, err = plan(capsys, str(zone))
    assert code == 2
    assert (f"stack references form a cycle: agentcore -> network-hub -> agentcore ({zone / 'Pulumi.agentcore.yaml'}: "
            f"agentcore-egress:tgw_spokes[0].hub_stack -> network-hub; {zone / 'Pulumi.network-hub.yaml'}: agentcore-egress:tgw_acceptances[0].spoke "
            "-> agentcore). Fix: move what one of these stacks reads") in err


def test_a_cycle_names_every_key_of_an_edge(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-payments", lambda c: c["security_groups"].append(
        {"name": "from-agents", "vpc": {"stack": "agentcore", "vpc": "agentcore"}, "eni_cidrs": ["10.250.0.0/24"], "backend_cidrs": ["10.20.0.0/24"]}))
    code, _, err = plan(capsys, str(zone))
    assert code == 2
    assert (f"agentcore -> tools-payments -> agentcore ({zone / 'Pulumi.agentcore.yaml'}: agentcore-egress:private_names[0].load_balancer, "
            f"agentcore-egress:targets[0].endpoint.private_api -> tools-payments; {zone / 'Pulumi.tools-payments.yaml'}: "
            "agentcore-egress:security_groups[1].vpc -> agentcore)") in err


def test_a_stack_the_components_refuse_exits_2_with_their_message(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-payments", lambda c: c["tgw_spokes"][0].update(destinations=["10.20.128.0/17"]))
    code, _, err = plan(capsys, str(zone))
    assert code == 2
    assert "TransitGatewaySpoke 'payments-tgw': destination_cidrs[0]: '10.20.128.0/17' overlaps this VPC's own block 10.20.0.0/16 from inside" in err


def test_spokes_that_route_a_default_or_summary_route_to_the_hub_plan_clean_and_reachable(capsys, tmp_path):
    """The most common TGW design: the spoke sends 0.0.0.0/0 (or 10.0.0.0/8) to the hub; its local route wins inside it."""
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-payments", lambda c: c["tgw_spokes"][0].update(destinations=["0.0.0.0/0"]))
    edit_stack(zone, "agentcore", lambda c: c["tgw_spokes"][0].update(destinations=["10.0.0.0/8"]))
    code, result, err = plan_json(capsys, zone)
    assert code == 0, err
    assert {trace["target"]: trace["verdict"] for trace in result["reachability"]} == {
        "orders-api": "reachable", "orders-rest": "reachable", "mcp": "reachable"}


def test_an_empty_or_missing_folder_exits_2(capsys, tmp_path):
    assert plan(capsys, str(tmp_path))[0] == 2
    assert plan(capsys, str(tmp_path / "nowhere"))[0] == 2


def test_sarif_is_valid_and_points_at_the_stack_file(capsys, tmp_path, sarif_schema):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    _unshared_configuration(zone)
    _private_ca_certificate(zone)
    output = tmp_path / "plan.sarif"
    code, _, err = plan(capsys, str(zone), "--format", "sarif", "--output", str(output))
    assert code == 1 and f"wrote sarif to {output}" in err
    document = json.loads(output.read_text())
    jsonschema.validate(document, sarif_schema)
    results = document["runs"][0]["results"]
    by_rule = {result["ruleId"]: result for result in results}
    listener = by_rule["listener-certificates-from-stack"]
    location = listener["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("Pulumi.tools-payments.yaml") and listener["level"] == "error"
    lines = (zone / "Pulumi.tools-payments.yaml").read_text().splitlines()
    assert "orders-alb" in lines[location["region"]["startLine"] - 1]
    share = by_rule["cross-stack-lattice-share"]["locations"][0]["physicalLocation"]
    assert share["artifactLocation"]["uri"].endswith("Pulumi.agentcore.yaml")
    assert by_rule["cross-stack-share-outside-zone"]["level"] == "warning"
    rule_ids = [rule["id"] for rule in document["runs"][0]["tool"]["driver"]["rules"]]
    assert all(rule_ids[result["ruleIndex"]] == result["ruleId"] for result in results)


def test_clean_sarif_is_valid_too(capsys, sarif_schema):
    code, out, _ = plan(capsys, "--format", "sarif")
    document = json.loads(out)
    jsonschema.validate(document, sarif_schema)
    results = document["runs"][0]["results"]
    assert code == 0 and all(r["level"] == "warning" and r["properties"] == {"phases": ["preview"]} for r in results)


def test_markdown_has_the_summary_table_and_the_mermaid_diagram(capsys):
    code, out, _ = plan(capsys, str(PEERING_EXAMPLE), "--format", "markdown", "--quiet")
    assert code == 0
    assert "| wave | stack | account |" in out and "```mermaid\nflowchart LR" in out


def test_landing_zone_waves_read_only_earlier_waves():
    zone = LandingZone.load(TGW_EXAMPLE)
    seen = set()
    for wave in zone.waves():
        for stack in wave:
            assert zone.stacks[stack].config.referenced_stacks() <= seen
        seen.update(wave)


def test_a_policy_pack_that_does_not_start_exits_2(capsys, tmp_path):
    (tmp_path / "__main__.py").write_text("raise SystemExit('broken pack')\n")
    code, out, err = plan(capsys, "--policy-pack", str(tmp_path))
    assert code == 2 and out == ""
    assert "did not start" in err and "broken pack" in err and "Traceback" not in err.split("did not start")[0]


def test_a_policy_pack_config_that_is_not_json_exits_2(capsys, tmp_path):
    (tmp_path / "pack.json").write_text("{not json")
    code, _, err = plan(capsys, "--policy-pack-config", str(tmp_path / "pack.json"))
    assert code == 2 and "is not JSON" in err and "Traceback" not in err


def test_a_stack_whose_program_fails_exits_2_naming_its_file(capsys, tmp_path, monkeypatch):
    def broken(stack, config, prefix, key_paths=None, stack_accounts=None):
        raise RuntimeError("boom")

    monkeypatch.setattr("agentcore_egress.stacks.account_program.build", broken)  # stack_simulation imports it when it first simulates
    code, out, err = plan(capsys, str(PEERING_EXAMPLE), "--no-cache", "--jobs", "1")  # the program in this process, not a cached result
    assert code == 2 and out == ""
    assert "Pulumi.hub-network.yaml: the stack's program failed: RuntimeError: boom" in err


def test_the_default_landing_zone_is_the_checkouts_stacks_folder_else_the_bundled_one(tmp_path, monkeypatch):
    from agentcore_egress.stacks.landing_zone import default_stacks_dir

    monkeypatch.chdir(tmp_path)
    bundled = default_stacks_dir()
    assert bundled.is_absolute() and (bundled / "Pulumi.agentcore.yaml").is_file()
    copy_zone(PEERING_EXAMPLE, tmp_path / "stacks")
    assert default_stacks_dir() == tmp_path.joinpath("stacks").relative_to(tmp_path)
    assert {stack for stack in LandingZone.load(default_stacks_dir()).stacks} == {"hub-network", "tools-app", "agentcore"}


def test_of_two_overlapping_spokes_the_one_attached_later_loses_its_targets(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    _tgw_overlap(zone)
    code, result, err = plan_json(capsys, zone)
    verdicts = {trace["target"]: trace for trace in result["reachability"]}
    assert verdicts["mcp"]["verdict"] == "reachable"
    lost = verdicts["orders-rest"]
    assert lost["verdict"] == "unreachable"
    detail = lost["hops"][-1]["detail"]
    assert "not propagated" in detail and "attached first" in detail
    finding = next(f for f in result["cross_stack"] if f["policy"] == "reachability" and "orders-rest" in f["message"])
    assert (finding["stack"], finding["config_path"]) == ("agentcore", "targets[1]")


def test_overlapping_vpcs_are_found_by_a_sweep_exactly_as_by_comparing_every_pair():
    import ipaddress
    import random
    from itertools import combinations

    from agentcore_egress.planner.cross_stack_checks import overlapping_pairs

    chooser = random.Random(7)
    for _ in range(200):
        networks = [ipaddress.ip_network(f"10.{chooser.randrange(4)}.{chooser.randrange(4) * 64}.0/{chooser.choice([16, 18, 24, 26])}", strict=False)
                    for _ in range(chooser.randrange(1, 12))]
        networks += [ipaddress.ip_network(f"fd00:{chooser.randrange(3)}::/{chooser.choice([32, 48])}", strict=False)
                     for _ in range(chooser.randrange(3))]
        every_pair = [(i, j) for i, j in combinations(range(len(networks)), 2) if networks[i].overlaps(networks[j])]
        assert overlapping_pairs(networks) == every_pair, networks
