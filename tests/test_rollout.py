"""`rollout` through a fake workspace that records calls and fails on demand.

The real Pulumi CLI is absent here; the fake raises the Automation API's own typed
errors (built from a CommandResult, as ``pulumi.automation`` builds them), and the
tests that need no CLI (missing CLI, too old a CLI) run the real workspace.
"""

import json
import os
import subprocess
import sys
import threading
import time

import pytest
from pulumi.automation import errors as automation_errors
from pulumi.automation._cmd import CommandResult

from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.cli.main import main
from agentcore_egress.live import rollout as rollout_module
from agentcore_egress.live.rollout import AutomationWorkspace, Rollout, RolloutError, StackRun, select_stacks
from agentcore_egress.live.rollout_state import RolloutState
from agentcore_egress.stacks.config_schema import ConfigError
from child_processes import REPOSITORY, run_cli, user_environment
from landing_zones import ROOT, TGW_EXAMPLE, copy_zone, edit_stack


class FakeWorkspace:
    """Records every run (stack, operation, packs, start, end) and how many ran at once."""

    def __init__(self, fail=(), delay=0.05, during=None):
        self.fail = fail if isinstance(fail, dict) else {stack: None for stack in fail}
        self.delay = delay
        self.during = during or {}
        self.calls = []
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()

    def run(self, stack, operation, policy_packs, policy_pack_configs, on_output):
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            started = time.monotonic()
        on_output(f"{operation} of {stack}")
        if stack in self.during:
            self.during[stack]()
        time.sleep(self.delay)
        with self._lock:
            self.active -= 1
            self.calls.append({"stack": stack, "operation": operation, "packs": policy_packs, "configs": policy_pack_configs,
                               "start": started, "end": time.monotonic()})
        if stack in self.fail:
            raise self.fail[stack] or RuntimeError(f"error: update failed\nerror: creating {stack}: AccessDenied")
        return StackRun({"create": 3})

    def check_cli(self):
        return "3.200.0"

    def check_policy_packs(self, packs, install, progress):
        assert not self.calls, "before wave 1"
        self.checked_packs = packs


@pytest.fixture
def zone(tmp_path):
    return LandingZone.load(copy_zone(TGW_EXAMPLE, tmp_path / "stacks"))


def rollout(zone, workspace, tmp_path, **options):
    lines = []
    return Rollout(zone, workspace, state_file=tmp_path / "state.json", progress=lines.append, **options), lines


def test_waves_run_in_order_and_a_wave_in_parallel(zone, tmp_path):
    workspace = FakeWorkspace()
    (tmp_path / "pack.json").write_text('{"required-tags": "advisory"}')
    pack, config = str(ROOT / "policies"), str(tmp_path / "pack.json")
    run, lines = rollout(zone, workspace, tmp_path, parallel=4, up=True, policy_packs=[pack], policy_pack_configs=[config])
    results = run.run()
    assert set(results) == set(zone.stacks)
    position = {stack: index for index, wave in enumerate(zone.waves()) for stack in wave}
    calls = {call["stack"]: call for call in workspace.calls}
    for first in calls:
        for second in calls:
            if position[first] < position[second]:
                assert calls[first]["end"] <= calls[second]["start"], f"{second} started before {first} finished"
    assert workspace.most_active == 2, "network-hub and tools-mcp share wave 1"
    assert all(call["operation"] == "up" and call["packs"] == [pack] and call["configs"] == [config] for call in workspace.calls)
    assert any("tools-mcp | up of tools-mcp" in line for line in lines)


def test_parallelism_is_bounded(zone, tmp_path):
    workspace = FakeWorkspace()
    rollout(zone, workspace, tmp_path, parallel=1)[0].run()
    assert workspace.most_active == 1
    assert {call["operation"] for call in workspace.calls} == {"preview"}


def test_a_failure_stops_after_its_wave_and_resume_skips_finished_stacks(zone, tmp_path):
    failing = FakeWorkspace(fail={"tools-payments"})
    run, _ = rollout(zone, failing, tmp_path, up=True)
    with pytest.raises(RolloutError) as error:
        run.run()
    message = str(error.value)
    assert "wave 2/4 failed: tools-payments (error: creating tools-payments: AccessDenied)" in message
    assert "run the rollout again" in message
    assert [call["stack"] for call in failing.calls if call["stack"] in ("agentcore", "network-hub-acceptance")] == []

    healthy = FakeWorkspace()
    resumed, lines = rollout(zone, healthy, tmp_path, up=True)
    resumed.run()
    assert sorted(call["stack"] for call in healthy.calls) == ["agentcore", "network-hub-acceptance", "tools-payments"]
    assert any("network-hub, tools-mcp already done, skipped" in line for line in lines)

    again = FakeWorkspace()
    rollout(zone, again, tmp_path, up=True)[0].run()
    assert again.calls == [], "everything is done"


def test_preview_and_up_keep_separate_progress_and_changed_stacks_run_again(zone, tmp_path):
    rollout(zone, FakeWorkspace(), tmp_path, up=True)[0].run()
    preview = FakeWorkspace()
    rollout(zone, preview, tmp_path)[0].run()
    assert len(preview.calls) == len(zone.stacks), "an up does not count as a preview"

    edit_stack(next(iter(zone.stacks.values())).file.parent, "tools-mcp", lambda c: c["account"].update(tags={"owner": "someone-else"}))
    changed = FakeWorkspace()
    rollout(LandingZone.load(next(iter(zone.stacks.values())).file.parent), changed, tmp_path, up=True)[0].run()
    assert sorted(call["stack"] for call in changed.calls) == ["agentcore", "network-hub-acceptance", "tools-mcp"], \
        "the edited stack and the stacks that read it, not the others"


def test_restart_forgets_progress(zone, tmp_path):
    run, _ = rollout(zone, FakeWorkspace(), tmp_path)
    run.run()
    run.forget()
    again = FakeWorkspace()
    rollout(zone, again, tmp_path)[0].run()
    assert len(again.calls) == len(zone.stacks)


@pytest.mark.parametrize("text", ["not json", "[]", '{"version": "1"}', "\udcff"])
def test_a_file_that_is_not_a_state_file_is_bad_input_and_restart_leaves_it(zone, tmp_path, text):
    state = tmp_path / "state.json"
    state.write_text(text, errors="surrogateescape")
    for restart in (False, True):
        with pytest.raises(ConfigError) as error:
            rollout(zone, FakeWorkspace(), tmp_path)[0].run(restart=restart)
        assert "is not a rollout state file" in str(error.value) and "Fix: pass --state-file with another path" in str(error.value)
    assert state.read_text(errors="surrogateescape") == text, "--restart removes only rollout state files"


def test_the_real_workspace_checks_the_project_before_calling_pulumi(tmp_path):
    with pytest.raises(ConfigError) as error:
        AutomationWorkspace(tmp_path)
    assert "Pulumi.yaml: not found" in str(error.value)
    workspace = AutomationWorkspace(ROOT)
    workspace.check_stacks_dir(ROOT / "stacks")
    with pytest.raises(ConfigError) as error:
        workspace.check_stacks_dir(ROOT / "examples" / "landing-zones" / "peering")
    assert "reads stack files from" in str(error.value)


def test_rollout_command_refuses_bad_options_before_running_anything(capsys):
    assert main(["rollout", str(TGW_EXAMPLE), "--parallel", "0"]) == 2
    assert "--parallel: 0 is not a positive number" in capsys.readouterr().err
    assert main(["rollout", str(TGW_EXAMPLE), "--policy-pack-config", "x.json"]) == 2
    assert "give one per --policy-pack" in capsys.readouterr().err


def stacks_run(workspace):
    return sorted(call["stack"] for call in workspace.calls)


def test_editing_an_upstream_stack_reruns_its_readers(zone, tmp_path):
    rollout(zone, FakeWorkspace(), tmp_path, up=True)[0].run()
    folder = zone.stacks["network-hub"].file.parent
    edit_stack(folder, "network-hub", lambda c: c["account"].update(tags={"cost-centre": "network"}))
    again = FakeWorkspace()
    rollout(LandingZone.load(folder), again, tmp_path, up=True)[0].run()
    readers = select_stacks(zone, ["network-hub"], with_dependents=True)
    assert stacks_run(again) == sorted(readers) and "tools-mcp" not in readers


def test_changing_the_pack_config_reruns_every_stack(zone, tmp_path):
    config = tmp_path / "pack.json"
    config.write_text('{"required-tags": "advisory"}')
    options = {"up": True, "policy_packs": [str(ROOT / "policies")], "policy_pack_configs": [str(config)]}
    rollout(zone, FakeWorkspace(), tmp_path, **options)[0].run()
    unchanged = FakeWorkspace()
    rollout(zone, unchanged, tmp_path, **options)[0].run()
    assert unchanged.calls == []
    config.write_text('{"required-tags": "mandatory"}')
    changed = FakeWorkspace()
    rollout(zone, changed, tmp_path, **options)[0].run()
    assert stacks_run(changed) == sorted(zone.stacks)


def test_the_fingerprint_is_taken_before_the_stack_runs(zone, tmp_path):
    folder = zone.stacks["tools-mcp"].file.parent
    edit_during_run = {"tools-mcp": lambda: edit_stack(folder, "tools-mcp", lambda c: c["account"].update(tags={"edited": "mid-run"}))}
    rollout(zone, FakeWorkspace(during=edit_during_run), tmp_path, up=True)[0].run()
    again = FakeWorkspace()
    rollout(LandingZone.load(folder), again, tmp_path, up=True)[0].run()
    assert "tools-mcp" in stacks_run(again), "the file changed after up read it: not done"


def test_destroy_runs_in_reverse_waves_and_forgets_the_deployment(zone, tmp_path):
    rollout(zone, FakeWorkspace(), tmp_path, up=True)[0].run()
    workspace = FakeWorkspace()
    run, _ = rollout(zone, workspace, tmp_path, operation="destroy")
    assert run.waves() == [wave for wave in zone.waves()][::-1]
    run.run()
    ended = {call["stack"]: call for call in workspace.calls}
    position = {stack: index for index, wave in enumerate(zone.waves()) for stack in wave}
    for reader in ended:
        for upstream in zone.stacks[reader].config.referenced_stacks():
            assert ended[reader]["end"] <= ended[upstream]["start"], f"{upstream} destroyed before {reader}, which reads it"
    assert position and RolloutState(tmp_path / "state.json").read()["up"] == {}, "nothing is deployed any more"
    redeploy = FakeWorkspace()
    rollout(zone, redeploy, tmp_path, up=True)[0].run()
    assert stacks_run(redeploy) == sorted(zone.stacks)


def test_refresh_is_its_own_operation(zone, tmp_path):
    workspace = FakeWorkspace()
    rollout(zone, workspace, tmp_path, operation="refresh")[0].run()
    assert {call["operation"] for call in workspace.calls} == {"refresh"} and stacks_run(workspace) == sorted(zone.stacks)


def test_stack_selection_with_dependencies_or_dependents(zone, tmp_path):
    assert select_stacks(zone, ["agentcore"]) == {"agentcore"}
    upstream = select_stacks(zone, ["agentcore"], with_dependencies=True)
    assert "agentcore" in upstream and upstream <= set(zone.stacks)
    assert all(set(zone.stacks[s].config.referenced_stacks()) <= upstream for s in upstream)
    downstream = select_stacks(zone, ["network-hub"], with_dependents=True)
    assert all(s == "network-hub" or set(zone.stacks[s].config.referenced_stacks()) & downstream for s in downstream)
    with pytest.raises(ConfigError) as error:
        select_stacks(zone, ["nope"])
    assert "--stack: nope is not a stack" in str(error.value)
    workspace = FakeWorkspace()
    rollout(zone, workspace, tmp_path, stacks=upstream)[0].run()
    assert stacks_run(workspace) == sorted(upstream)


def test_events_one_per_stack_state_change(zone, tmp_path):
    events = []
    failing = FakeWorkspace(fail={"tools-payments"})
    run = Rollout(zone, failing, state_file=tmp_path / "state.json", up=True, on_event=events.append)
    with pytest.raises(RolloutError):
        run.run()
    states = [(event["stack"], event["state"]) for event in events]
    assert sorted(states) == sorted([("network-hub", "started"), ("network-hub", "succeeded"), ("tools-mcp", "started"),
                                     ("tools-mcp", "succeeded"), ("tools-payments", "started"), ("tools-payments", "failed")])
    assert all(event["operation"] == "up" and json.dumps(event) for event in events)
    events.clear()
    Rollout(zone, FakeWorkspace(), state_file=tmp_path / "state.json", up=True, on_event=events.append).run()
    assert ("network-hub", "skipped") in [(event["stack"], event["state"]) for event in events]


@pytest.mark.parametrize("error, expected", [
    (automation_errors.ConcurrentUpdateError(CommandResult("", "error: [409] Conflict: Another update is currently in progress.", 255)),
     "another update of tools-payments is in progress"),
    (automation_errors.StackNotFoundError(CommandResult("", "error: no stack named 'tools-payments' found", 255)),
     "tools-payments does not exist in the Pulumi backend"),
    (automation_errors.RuntimeError(CommandResult("error: an unhandled error occurred: Program exited with non-zero exit code: 1", "", 255)),
     "the stack program failed: error: an unhandled error occurred"),
    (automation_errors.CommandError(CommandResult("", "error: creating ec2 VPC: AccessDenied", 255)),
     "pulumi up failed: error: creating ec2 VPC: AccessDenied"),
])
def test_automation_api_errors_are_named_by_their_type(zone, tmp_path, error, expected):
    with pytest.raises(RolloutError) as failure:
        rollout(zone, FakeWorkspace(fail={"tools-payments": error}), tmp_path, up=True)[0].run()
    assert expected in str(failure.value) and "\n" not in str(failure.value)


@pytest.mark.parametrize("document", [{"version": 1, "up": []}, {"version": 1, "up": {"agentcore": "done"}}, {"version": 7}])
def test_a_wrong_shaped_state_file_is_one_line_with_the_fix(zone, tmp_path, document):
    (tmp_path / "state.json").write_text(json.dumps(document))
    workspace = FakeWorkspace()
    with pytest.raises(ConfigError) as error:
        rollout(zone, workspace, tmp_path)[0].run()
    assert len(error.value.problems) == 1 and "Fix: pass --restart" in error.value.problems[0]
    assert workspace.calls == [], "nothing runs"


def test_a_failed_save_is_reported_honestly_and_the_stack_runs_again(zone, tmp_path, monkeypatch):
    real_write = RolloutState._write

    def disk_full_for_tools_mcp(self, entries):
        if "tools-mcp" in entries["up"]:
            raise OSError(28, "No space left on device")
        real_write(self, entries)

    monkeypatch.setattr(RolloutState, "_write", disk_full_for_tools_mcp)
    run, lines = rollout(zone, FakeWorkspace(fail={"tools-payments"}), tmp_path, up=True)
    with pytest.raises(RolloutError) as error:
        run.run()
    assert any("tools-mcp: up finished" in line and "NOT recorded" in line and "No space left on device" in line for line in lines)
    assert "the 1 stack(s) recorded as done" in str(error.value), "only network-hub was saved"
    monkeypatch.setattr(RolloutState, "_write", real_write)
    again = FakeWorkspace()
    rollout(zone, again, tmp_path, up=True)[0].run()
    assert "tools-mcp" in stacks_run(again) and "network-hub" not in stacks_run(again)


CONCURRENT_ROLLOUT = """
import sys
sys.path.insert(0, {tests!r})
from pathlib import Path
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.live.rollout import Rollout
from test_rollout import FakeWorkspace
zone = LandingZone.load(Path({zone!r}))
for operation in {operations!r}:
    Rollout(zone, FakeWorkspace(delay=0.01), state_file=Path({state!r}), operation=operation, parallel=4).run()
"""


def test_two_rollouts_on_one_folder_at_once_lose_no_update(zone, tmp_path):
    folder = zone.stacks["network-hub"].file.parent
    state = tmp_path / "state.json"
    processes = [
        subprocess.Popen([sys.executable, "-c", CONCURRENT_ROLLOUT.format(
            tests=str(REPOSITORY / "tests"), zone=str(folder), state=str(state), operations=operations)],
            env=user_environment(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for operations in (["preview"], ["up"], ["refresh"])
    ]
    for process in processes:
        _, error = process.communicate(timeout=120)
        assert process.returncode == 0, error[-2000:]
    entries = RolloutState(state).read()
    for operation in ("preview", "refresh", "up"):
        assert sorted(entries[operation]) == sorted(zone.stacks), f"{operation}: an update was lost"
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == [], "no temporary file left behind"


def write_project(tmp_path):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "stacks")
    (tmp_path / "Pulumi.yaml").write_text("name: agentcore-egress\nruntime: python\nmain: stacks/\nstackConfigDir: stacks\n")
    return zone


def test_rollout_without_the_pulumi_cli_stops_before_wave_1_with_the_fix(tmp_path):
    zone = write_project(tmp_path)
    empty = tmp_path / "bin"
    empty.mkdir()
    result = run_cli("rollout", str(zone), "--format", "json", timeout=60, PATH=str(empty))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == ("error: the Pulumi CLI ('pulumi') is not on the PATH. "
                                     f"Fix: {rollout_module.INSTALL_FIX}")
    assert json.loads(result.stdout.strip().splitlines()[-1])["state"] == "bad-input"
    assert not (zone / ".rollout-state.json").exists()


def test_rollout_with_too_old_a_pulumi_cli_names_the_version_needed(tmp_path):
    zone = write_project(tmp_path)
    fake = tmp_path / "bin" / "pulumi"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho v3.100.0\n")
    fake.chmod(0o755)
    result = run_cli("rollout", str(zone), timeout=60, PATH=f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "3.100.0" in result.stderr and f"Fix: install version {rollout_module.MINIMUM_CLI_VERSION} or newer" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_destroy_needs_its_confirmation_and_shows_the_order(tmp_path, capsys):
    zone = write_project(tmp_path)
    assert main(["rollout", str(zone), "--destroy"]) == 2
    error = capsys.readouterr().err
    assert "--destroy deletes every resource of 5 stack(s), in this order: network-hub-acceptance then agentcore" in error
    assert "Fix: add --yes-destroy to confirm" in error


def test_the_command_prints_json_events_and_selects_stacks(tmp_path, capsys, monkeypatch):
    zone = write_project(tmp_path)
    fake = FakeWorkspace(delay=0)
    monkeypatch.setattr(rollout_module, "AutomationWorkspace", lambda project: type("W", (), {
        "check_stacks_dir": lambda self, d: None, "check_cli": lambda self: "3.200.0", "run": lambda self, *a: fake.run(*a)})())
    assert main(["rollout", str(zone), "--destroy", "--yes-destroy", "--stack", "network-hub", "--with-dependents", "--format", "json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    expected = select_stacks(LandingZone.load(zone), ["network-hub"], with_dependents=True)
    assert {event["stack"] for event in events if event["event"] == "stack"} == expected == set(stacks_run(fake))
    assert {event["operation"] for event in events if event["event"] == "stack"} == {"destroy"}
    assert events[-1] == {"event": "rollout", "state": "succeeded"}
    assert main(["rollout", str(zone), "--with-dependents"]) == 2
    assert "select stacks with --stack NAME first" in capsys.readouterr().err


def test_restart_repairs_a_wrong_shaped_state_file_but_only_once_the_cli_works(tmp_path):
    zone = write_project(tmp_path)
    state = zone / ".rollout-state.json"
    state.write_text('{"version": 0}')
    result = run_cli("rollout", str(zone), "--restart", timeout=60, PATH=str(tmp_path))
    assert result.returncode == 2 and "is not on the PATH" in result.stderr
    assert state.read_text() == '{"version": 0}', "a run that could not start forgets nothing"
    run = Rollout(LandingZone.load(zone), FakeWorkspace(delay=0), state_file=state)
    with pytest.raises(ConfigError):
        run.run()
    assert set(run.run(restart=True)) == set(run.zone.stacks)


@pytest.mark.parametrize("operation, checked", [("preview", True), ("up", True), ("refresh", False), ("destroy", False)])
def test_the_policy_packs_environments_are_checked_before_wave_1_only_where_they_judge(zone, tmp_path, operation, checked):
    workspace = FakeWorkspace(delay=0)
    pack = ROOT / "policies"
    run, _ = rollout(zone, workspace, tmp_path, operation=operation, policy_packs=[str(pack)], install_policy_packs=True)
    run.run()
    assert getattr(workspace, "checked_packs", None) == ([pack] if checked else None)
