"""The rollout as a GitHub Actions workflow: waves as jobs, OIDC per account, linted by actionlint."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from agentcore_egress.cli.main import main
from agentcore_egress.cli.engine_policy_events import main as events_to_sarif
from agentcore_egress.live.github_actions import MATRIX_LIMIT
from agentcore_egress.stacks.landing_zone import LandingZone
from child_processes import REPOSITORY, user_environment
from landing_zones import PEERING_EXAMPLE, TGW_EXAMPLE, copy_zone, edit_stack, write_stack

COMMITTED = REPOSITORY / ".github" / "workflows" / "landing-zone.yml"
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def emit(zone: Path, file: Path, *extra: str) -> int:
    return main(["rollout", str(zone), *extra, "--emit", "github-actions", str(file)])


def actionlint(file: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(ACTIONLINT), "-no-color", str(file)], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env=user_environment())


def stack_jobs(workflow: dict) -> list[tuple[str, dict]]:
    return [(job_id, job) for job_id, job in workflow["jobs"].items() if job_id != "plan"]


def test_the_committed_workflow_is_what_the_generator_writes_for_the_bundled_zone(monkeypatch, tmp_path):
    monkeypatch.chdir(REPOSITORY)
    assert emit(Path("stacks"), tmp_path / "landing-zone.yml") == 0
    assert COMMITTED.read_text() == (tmp_path / "landing-zone.yml").read_text(), (
        "regenerate it: agentcore-egress rollout stacks --emit github-actions .github/workflows/landing-zone.yml")


@pytest.mark.parametrize("file", [COMMITTED, "peering"], ids=["committed", "peering-zone"])
def test_the_workflows_lint_clean(file, monkeypatch, tmp_path):
    if file == "peering":
        monkeypatch.chdir(REPOSITORY)
        file = tmp_path / "peering.yml"
        assert emit(PEERING_EXAMPLE.relative_to(REPOSITORY), file, "--project-dir", ".") == 0
    linted = actionlint(file)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_jobs_follow_the_waves_and_assume_each_accounts_role_through_oidc(tmp_path):
    zone = LandingZone.load(TGW_EXAMPLE)
    assert emit(TGW_EXAMPLE, tmp_path / "w.yml") == 0
    workflow = yaml.safe_load((tmp_path / "w.yml").read_text())
    jobs = stack_jobs(workflow)
    assert [[entry["stack"] for entry in job["strategy"]["matrix"]["include"]] for _, job in jobs] == zone.waves()
    for (job_id, job), (previous, _) in zip(jobs[1:], jobs):
        assert job["needs"] == [previous]
    assert "needs" not in jobs[0][1]
    for _, job in jobs:
        assert job["permissions"]["id-token"] == "write"
        for entry in job["strategy"]["matrix"]["include"]:
            assert entry["role"] == zone.stacks[entry["stack"]].config.account.role_arn
        steps = {step.get("name", step.get("uses")): step for step in job["steps"]}
        assert steps["assume the account's role (OIDC)"]["with"]["role-to-assume"] == "${{ matrix.role }}"
        assert "--policy-pack policies" in steps["pulumi preview"]["run"] and steps["pulumi preview"]["if"] == "github.event_name == 'pull_request'"
        assert steps["pulumi up"]["run"].startswith("pulumi up --yes") and steps["upload the policy findings"]["uses"].startswith("github/codeql-action/upload-sarif@")
        assert steps["keep the stack outputs"]["uses"].startswith("actions/upload-artifact@")
    plan_steps = [step.get("run", "") for step in workflow["jobs"]["plan"]["steps"]]
    assert any("agentcore-egress plan" in run and "--format sarif" in run for run in plan_steps)


def test_a_wave_larger_than_a_matrix_is_split_and_the_next_wave_needs_every_part(tmp_path):
    zone = tmp_path / "zone"
    zone.mkdir()
    role = "arn:aws:iam::{}:role/deploy"
    write_stack(zone, "hub", {"account": {"id": "111111111111", "region": "eu-west-1", "role_arn": role.format("111111111111")},
                              "transit_gateway_hub": {"segments": ["spokes"], "share_with": ["arn:aws:organizations::111111111111:organization/o-exampleorg1"]}})
    spokes = MATRIX_LIMIT + 3
    for index in range(spokes):
        account = f"{200000000000 + index}"
        write_stack(zone, f"s{index:03d}", {
            "account": {"id": account, "region": "eu-west-1", "role_arn": role.format(account)},
            "vpcs": [{"name": "v", "cidr": f"10.{index // 200}.{index % 200}.0/24", "subnets": [
                {"name": "a", "cidr": f"10.{index // 200}.{index % 200}.0/25", "az": "eu-west-1a"},
                {"name": "b", "cidr": f"10.{index // 200}.{index % 200}.128/25", "az": "eu-west-1b"}]}],
            "tgw_spokes": [{"vpc": "v", "hub_stack": "hub", "destinations": ["10.255.0.0/16"]}]})
    write_stack(zone, "accept", {"account": {"id": "111111111111", "region": "eu-west-1", "role_arn": role.format("111111111111")},
                                 "tgw_acceptances": [{"spoke": {"stack": "s000", "vpc": "v"}, "hub_stack": "hub", "associate_with": "spokes", "propagate_to": ["spokes"]}]})
    assert emit(zone, tmp_path / "w.yml") == 0
    jobs = dict(stack_jobs(yaml.safe_load((tmp_path / "w.yml").read_text())))
    assert list(jobs) == ["wave-1", "wave-2-part-1", "wave-2-part-2", "wave-3"]
    assert [len(job["strategy"]["matrix"]["include"]) for job in jobs.values()] == [1, MATRIX_LIMIT, 3, 1]
    assert jobs["wave-3"]["needs"] == ["wave-2-part-1", "wave-2-part-2"]
    assert actionlint(tmp_path / "w.yml").returncode == 0


def test_a_stack_without_a_role_cannot_be_emitted(capsys, tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    edit_stack(zone, "tools-mcp", lambda config: config["account"].pop("role_arn"))
    assert emit(zone, tmp_path / "w.yml") == 2
    assert "Pulumi.tools-mcp.yaml: agentcore-egress:account.role_arn is not set" in capsys.readouterr().err
    assert not (tmp_path / "w.yml").exists()


def test_the_engines_policy_events_become_sarif_on_the_stack_file(capsys, tmp_path, sarif_schema):
    """Lines as `pulumi preview --event-log` writes them (apitype.EngineEvent), read with the SDK's own event types."""
    import jsonschema

    urn = "urn:pulumi:tools-mcp::agentcore-egress::agentcore-egress:index:SharedLatticeResource$aws:vpclattice/resourceGateway:ResourceGateway::mcp-gateway"
    events = [
        {"sequence": 0, "timestamp": 1, "preludeEvent": {"config": {}}},
        {"sequence": 1, "timestamp": 2, "policyEvent": {"resourceUrn": urn, "message": "Resource Gateway has open egress.\nmore", "color": "never",
                                                          "policyName": "explicit-security-groups", "policyPackName": "agentcore-egress",
                                                          "policyPackVersion": "0.1.0", "enforcementLevel": "mandatory"}},
        {"sequence": 2, "timestamp": 3, "policyEvent": {"message": "stack-wide", "color": "never", "policyName": "modern-tls",
                                                          "policyPackName": "agentcore-egress", "policyPackVersion": "0.1.0", "enforcementLevel": "advisory"}},
        {"sequence": 3, "timestamp": 4, "diagnosticEvent": {"message": "note", "color": "never", "severity": "info"}},
        {"sequence": 4, "timestamp": 5, "summaryEvent": {"maybeCorrupt": False, "durationSeconds": 1, "resourceChanges": {}, "PolicyPacks": {}}},
    ]
    log = tmp_path / "events.jsonl"
    log.write_text("".join(json.dumps(event) + "\n" for event in events))
    output = tmp_path / "policy.sarif"
    assert events_to_sarif([str(TGW_EXAMPLE), "--stack", "tools-mcp", "--events", str(log), "--output", str(output)]) == 0
    document = json.loads(output.read_text())
    jsonschema.validate(document, sarif_schema)
    results = document["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("explicit-security-groups", "error"), ("modern-tls", "warning")]
    location = results[0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("stacks/Pulumi.tools-mcp.yaml")
    assert location["physicalLocation"]["region"]["startLine"] > 1
    assert location["logicalLocations"][0]["fullyQualifiedName"] == urn
    log.write_text("not an event\n")
    assert events_to_sarif([str(TGW_EXAMPLE), "--stack", "tools-mcp", "--events", str(log), "--output", str(output)]) == 2
    assert "events.jsonl: line 1: not an engine event" in capsys.readouterr().err


def test_the_pack_config_given_to_rollout_reaches_every_pulumi_step(tmp_path):
    config = REPOSITORY / "policies" / "config.example.json"
    assert emit(TGW_EXAMPLE, tmp_path / "w.yml", "--policy-pack", str(REPOSITORY / "policies"), "--policy-pack-config", str(config)) == 0
    runs = [step["run"] for _, job in stack_jobs(yaml.safe_load((tmp_path / "w.yml").read_text())) for step in job["steps"]
            if step.get("run", "").startswith(("pulumi preview", "pulumi up"))]
    assert runs and all("--policy-pack-config " in run and run.split("--policy-pack-config ")[1].split()[0].endswith("config.example.json") for run in runs)


def test_only_github_actions_can_be_emitted(capsys, tmp_path):
    assert main(["rollout", str(TGW_EXAMPLE), "--emit", "gitlab", str(tmp_path / "w.yml")]) == 2
    assert "--emit: 'gitlab' is not a workflow kind" in capsys.readouterr().err
    assert not (tmp_path / "w.yml").exists()


ENGINE_STEP = re.compile(r"\bpulumi (preview|up|destroy|refresh)\b")


def committed_workflow() -> dict:
    return yaml.safe_load(COMMITTED.read_text())


def test_every_engine_step_runs_after_the_pack_is_installed_in_its_folder():
    """The CLI installs a local --policy-pack folder's virtualenv only through `pulumi install` run in that folder."""
    engine_jobs = 0
    for job_id, job in committed_workflow()["jobs"].items():
        runs = [step.get("run", "") for step in job["steps"]]
        engine_steps = [index for index, run in enumerate(runs) if ENGINE_STEP.search(run)]
        if not engine_steps:
            continue
        engine_jobs += 1
        cli = next(index for index, run in enumerate(runs) if "get.pulumi.com" in run)
        for index in engine_steps:
            pack = runs[index].split("--policy-pack ")[1].split()[0]
            installs = [before for before in range(cli + 1, index)
                        if runs[before] == "pulumi install" and job["steps"][before].get("working-directory") == pack]
            assert installs, f"{job_id}: {runs[index]!r} runs before `pulumi install` in {pack}"
    assert engine_jobs == len(stack_jobs(committed_workflow()))


def test_the_program_runs_in_the_virtualenv_the_workflow_fills_with_the_package():
    runtime = yaml.safe_load((REPOSITORY / "Pulumi.yaml").read_text())["runtime"]["options"]
    for job_id, job in stack_jobs(committed_workflow()):
        install = next(step["run"] for step in job["steps"] if step.get("name") == "install agentcore-egress")
        assert install == f"python -m venv {runtime['virtualenv']} && {runtime['virtualenv']}/bin/pip install .", job_id


def test_every_stack_option_keeps_a_stack_named_like_an_option_as_its_value():
    runs = [step.get("run", "") for job in committed_workflow()["jobs"].values() for step in job["steps"]]
    with_stack = [run for run in runs if "--stack" in run]
    assert with_stack and all(re.findall(r"--stack\S*", run) == ['--stack="$STACK"'] for run in with_stack), with_stack


def test_the_plan_runs_on_both_events_and_only_a_push_to_the_default_branch_saves_its_cache():
    workflow = committed_workflow()
    plan, events = workflow["jobs"]["plan"], workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "if" not in plan and set(events) == {"pull_request", "push"}
    assert events["push"]["branches"] == events["pull_request"]["branches"] == ["main"]
    steps = {step.get("name"): step for step in plan["steps"]}
    cache = "${{ runner.temp }}/agentcore-egress-cache"
    assert f'--cache "{cache}"' in steps["agentcore-egress plan"]["run"]
    caching = [step for step in plan["steps"] if step.get("uses", "").startswith("actions/cache")]
    assert [step["uses"].split("@")[0] for step in caching] == ["actions/cache/restore", "actions/cache/save"], \
        "actions/cache itself saves after every run, pull requests included"
    restore, save = caching
    assert restore["with"]["path"] == save["with"]["path"] == cache
    assert restore["with"]["key"] == save["with"]["key"] and save["with"]["key"].startswith(restore["with"]["restore-keys"])
    assert "github.event_name == 'push'" in save["if"] and "github.event.repository.default_branch" in save["if"]


def test_a_stack_named_like_an_option_reaches_the_steps_as_its_name(monkeypatch, tmp_path):
    """`--stack "$STACK"` reads a stack named -canary as an option; `--stack="$STACK"` as the name."""
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "stacks")
    (zone / "Pulumi.-canary.yaml").write_text((zone / "Pulumi.agentcore.yaml").read_text())
    monkeypatch.chdir(tmp_path)
    assert emit(Path("stacks"), tmp_path / "w.yml") == 0
    steps = [step for _, job in stack_jobs(yaml.safe_load((tmp_path / "w.yml").read_text())) for step in job["steps"]]
    command = next(step["run"] for step in steps if step.get("name") == "policy findings as SARIF")
    (tmp_path / "events.jsonl").write_text(json.dumps({"sequence": 0, "timestamp": 1, "policyEvent": {
        "message": "m", "color": "never", "policyName": "modern-tls", "policyPackName": "agentcore-egress",
        "policyPackVersion": "0.1.0", "enforcementLevel": "advisory"}}) + "\n")
    ran = subprocess.run(["bash", "-c", command.replace(".venv/bin/python", sys.executable)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, stdin=subprocess.DEVNULL, env=user_environment(STACK="-canary"))
    assert ran.returncode == 0, ran.stderr
    assert json.loads((tmp_path / "policy.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "modern-tls"
