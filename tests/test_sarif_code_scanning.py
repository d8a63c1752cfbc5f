"""SARIF as GitHub code scanning needs it (its "SARIF support for code scanning" page), from every command that
writes SARIF: plan (run from the repository root and from inside ``stacks/``), each stack's engine policy
events, preflight and audit. Each document is checked against the SARIF 2.1.0 schema and against what code
scanning requires and reads (:func:`code_scanning_problems`).
"""

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from agentcore_egress.reports.account_reports import render_audit, render_preflight
from agentcore_egress.cli.engine_policy_events import main as events_to_sarif
from agentcore_egress.cli.main import main
from agentcore_egress.reports.sarif import SECURITY_SEVERITY, automation_id, sarif_location
from agentcore_egress.live.audit import AuditFinding, AuditResult
from agentcore_egress.live.preflight import FAIL, NO_ACCESS, PASS, Check
from agentcore_egress.live.preflight_checks import PREFLIGHT_CHECKS
from agentcore_egress.stacks.findings import known_rules
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.planner.source_tree import SourceTree, work_tree_root
from landing_zones import ROOT, TGW_EXAMPLE, copy_zone, edit_stack

LEVELS = {"note", "warning", "error"}


def code_scanning_problems(document: dict) -> list[str]:
    """What code scanning would reject or show badly: its required properties, present and not empty, and in range."""
    problems = []
    if document.get("version") != "2.1.0" or not document.get("$schema") or not document.get("runs"):
        problems.append("sarifLog: $schema, version 2.1.0 and runs[] are required")
    for run in document.get("runs", []):
        driver = run["tool"]["driver"]
        rules = driver.get("rules", [])
        if not driver.get("name"):
            problems.append("tool.driver.name is required")
        category = run.get("automationDetails", {}).get("id", "").rpartition("/")[0]
        if not category:
            problems.append(f"automationDetails.id {run.get('automationDetails')} names no category (category/run-id)")
        for rule in rules:
            for field in ("shortDescription", "fullDescription", "help"):
                text = rule.get(field, {}).get("text", "")
                if not text or len(text) > (1024 if field != "help" else 10**6):
                    problems.append(f"rule {rule.get('id')}: {field}.text is required (at most 1024 characters for descriptions)")
            if not rule.get("id") or not rule["help"].get("markdown"):
                problems.append(f"rule {rule.get('id')}: id and help.markdown are required here")
            properties = rule.get("properties", {})
            severity = float(properties.get("security-severity", "0"))
            if not 0.0 < severity <= 10.0 or "security" not in properties.get("tags", []):
                problems.append(f"rule {rule['id']}: security-severity {properties.get('security-severity')!r} must be in (0.0, 10.0] with the tag security")
            if rule.get("defaultConfiguration", {}).get("level") not in LEVELS:
                problems.append(f"rule {rule['id']}: defaultConfiguration.level must be one of {sorted(LEVELS)}")
        ids = [rule.get("id") for rule in rules]
        for result in run.get("results", []):
            problems += _result_problems(result, ids)
    return problems


def _result_problems(result: dict, rule_ids: list) -> list[str]:
    problems = []
    if result.get("ruleId") not in rule_ids or ("ruleIndex" in result and rule_ids[result["ruleIndex"]] != result["ruleId"]):
        problems.append(f"result {result.get('ruleId')}: ruleId (and ruleIndex) must name a rule of the run")
    if not result.get("message", {}).get("text") or result.get("level") not in LEVELS:
        problems.append(f"result {result.get('ruleId')}: message.text and a level are required")
    if not 1 <= len(result.get("locations", [])) <= 10:
        problems.append(f"result {result.get('ruleId')}: 1 to 10 locations are required")
    for location in result.get("locations", []):
        physical = location.get("physicalLocation", {})
        uri = physical.get("artifactLocation", {}).get("uri", "")
        if not uri or "://" in uri or uri.startswith("/"):
            problems.append(f"result {result['ruleId']}: artifactLocation.uri {uri!r} must be relative to the repository root")
        if not isinstance(physical.get("region", {}).get("startLine"), int) or physical["region"]["startLine"] < 1:
            problems.append(f"result {result['ruleId']}: region.startLine >= 1 is required")
    return problems


def check(document: dict, sarif_schema: dict) -> dict:
    jsonschema.validate(document, sarif_schema)
    assert code_scanning_problems(document) == []
    return document


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings (lower case, punctuation dropped, spaces as dashes)."""
    headings = re.findall(r"^#+\s+(.+?)\s*$", markdown, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    """A fork of the project: a git work tree (its docs, a stacks folder), whose target mcp is unreachable.
    Only tools-mcp's file is rewritten (without its comments): the others keep their comment lines."""
    root = tmp_path_factory.mktemp("fork")
    (root / ".git").mkdir()
    (root / "policies").mkdir()
    shutil.copy(ROOT / "README.md", root / "README.md")
    shutil.copy(ROOT / "policies" / "README.md", root / "policies" / "README.md")
    zone = copy_zone(TGW_EXAMPLE, root / "stacks")
    edit_stack(zone, "tools-mcp", lambda c: c["lattice_resources"][0]["configurations"][0].update(ports=["8443"]))
    return root


@pytest.fixture(scope="module")
def plans(repository):
    """The plan's SARIF, run from the repository root and from inside stacks/."""
    documents = {}
    with pytest.MonkeyPatch.context() as patch:
        for name, cwd, folder in (("root", repository, "stacks"), ("stacks", repository / "stacks", ".")):
            patch.chdir(cwd)
            assert main(["plan", folder, "--format", "sarif", "--output", "plan.sarif", "--jobs", "1"]) == 1
            documents[name] = json.loads((cwd / "plan.sarif").read_text())
    return documents


def test_plan_sarif_passes_the_schema_and_code_scanning_from_root_and_from_stacks(plans, sarif_schema):
    for document in plans.values():
        check(document, sarif_schema)


def test_uris_are_relative_to_the_repository_root_wherever_plan_runs(plans, repository):
    assert plans["root"] == plans["stacks"]
    run = plans["root"]["runs"][0]
    uris = {result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in run["results"]}
    assert uris and all(uri.startswith("stacks/Pulumi.") and (repository / uri).is_file() for uri in uris)
    assert all(result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for result in run["results"])
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repository.resolve().as_uri() + "/"
    assert run["automationDetails"]["id"] == "agentcore-egress/plan/stacks/"


def test_every_finding_is_on_a_key_line_and_a_whole_stack_finding_on_the_first_key(plans, repository):
    results = plans["root"]["runs"][0]["results"]
    for result in results:
        physical = result["locations"][0]["physicalLocation"]
        line = (repository / physical["artifactLocation"]["uri"]).read_text().splitlines()[physical["region"]["startLine"] - 1]
        assert line.strip() and not line.lstrip().startswith("#"), (result["ruleId"], line)
    # private-api-gateway's "cannot verify at preview" is about the whole stack (no resource, no key path)
    whole = next(r for r in results if r["ruleId"] == "private-api-gateway")["locations"][0]["physicalLocation"]
    lines = (repository / whole["artifactLocation"]["uri"]).read_text().splitlines()
    assert lines[0].startswith("# yaml-language-server")
    first_key = next(number for number, line in enumerate(lines, start=1) if line.strip().startswith("agentcore-egress:"))
    assert whole["region"]["startLine"] == first_key


def test_every_rule_of_the_pack_and_the_planner_has_code_scanning_metadata(plans, repository):
    rules = {rule["id"]: rule for rule in plans["root"]["runs"][0]["tool"]["driver"]["rules"]}
    assert set(rules) == set(known_rules())
    for rule_id, rule in known_rules().items():
        sarif = rules[rule_id]
        assert sarif["properties"]["security-severity"] == SECURITY_SEVERITY[rule.severity]
        assert sarif["fullDescription"]["text"] != sarif["shortDescription"]["text"] and rule.remediation in sarif["help"]["text"]
        assert set(rule.tags) <= set(sarif["properties"]["tags"])
        document, _, anchor = rule.url.partition("#")
        assert sarif["helpUri"] == (repository / document).as_uri() + f"#{anchor}"
    for rule in [*known_rules().values(), *PREFLIGHT_CHECKS.values()]:
        document, _, anchor = rule.url.partition("#")
        assert anchor in github_anchors((ROOT / document).read_text()), f"{rule.id}: {rule.url} names no heading"


def test_help_uri_points_at_the_analysed_commit_on_github_actions(monkeypatch, repository):
    tree = SourceTree.of(LandingZone.load(repository / "stacks"))
    for key, value in {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "team/landing-zone", "GITHUB_SHA": "0123abc",
                       "GITHUB_WORKSPACE": str(repository)}.items():
        monkeypatch.setenv(key, value)
    assert tree.document_uri("policies/README.md#modern-tls") == "https://github.com/team/landing-zone/blob/0123abc/policies/README.md#modern-tls"
    assert tree.document_uri("docs/missing.md#x") is None


def test_each_kind_of_run_has_its_own_category(plans, repository, tmp_path, sarif_schema):
    """Plan, each stack's policy events, preflight and audit: one category each, so no upload replaces another."""
    zone = LandingZone.load(repository / "stacks")
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps({"sequence": 1, "timestamp": 2, "policyEvent": {
        "message": "stack-wide", "color": "never", "policyName": "modern-tls", "policyPackName": "agentcore-egress",
        "policyPackVersion": "0.1.0", "enforcementLevel": "advisory"}}) + "\n")
    documents = [plans["root"]]
    for stack in zone.stacks:
        output = tmp_path / f"{stack}.sarif"
        assert events_to_sarif([str(repository / "stacks"), "--stack", stack, "--events", str(events), "--output", str(output)]) == 0
        documents.append(json.loads(output.read_text()))
    stack = next(iter(zone.stacks))
    checks = [Check(stack, "111111111111", "eu-west-1", "certificate", FAIL, "not Amazon-issued", "request one", "arn:aws:acm:x"),
              Check(stack, "111111111111", "eu-west-1", "credentials", NO_ACCESS, "access denied"),
              Check(stack, "111111111111", "eu-west-1", "region", PASS, "3 zones")]
    documents.append(json.loads(render_preflight(checks, "sarif", zone, "0")))
    audit = AuditResult([AuditFinding("111111111111", "eu-west-1", stack, "tgw-no-auto-accept", "mandatory", "auto-accepts", "tgw-1")], [], 1, 1)
    documents.append(json.loads(render_audit(audit, "sarif", zone, "0")))
    for document in documents:
        check(document, sarif_schema)
    ids = [document["runs"][0]["automationDetails"]["id"] for document in documents]
    assert len({automation_id.rpartition("/")[0] for automation_id in ids}) == len(ids), ids
    assert ids[1:-2] == [f"agentcore-egress/stack/{name}/" for name in zone.stacks]
    assert ids[-2:] == ["agentcore-egress/preflight/stacks/", "agentcore-egress/audit/stacks/"]
    preflight_rules = [rule["id"] for rule in documents[-2]["runs"][0]["tool"]["driver"]["rules"]]
    assert preflight_rules == [rule.id for rule in PREFLIGHT_CHECKS.values()]


def test_outside_git_uris_are_relative_to_the_working_directory(monkeypatch, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    if work_tree_root(zone) is not None:
        pytest.skip("the temporary folder lies inside a git work tree")
    monkeypatch.chdir(tmp_path)
    tree = SourceTree.of(LandingZone.load(Path("zone")))
    location = sarif_location(tree, zone / "Pulumi.agentcore.yaml", 4)["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "zone/Pulumi.agentcore.yaml", "uriBaseId": "%SRCROOT%"}
    assert automation_id(tree, "plan") == "agentcore-egress/plan/zone/"
