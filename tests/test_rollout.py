"""`rollout` through a fake workspace that records calls and fails on demand."""

import threading
import time

import pytest

from agentcore_egress.planner.landing_zone import LandingZone
from agentcore_egress.cli.main import main
from agentcore_egress.live.rollout import AutomationWorkspace, Rollout, RolloutError, StackRun
from agentcore_egress.stacks.config_schema import ConfigError
from landing_zones import ROOT, TGW_EXAMPLE, copy_zone, edit_stack


class FakeWorkspace:
    """Records every run (stack, operation, packs, start, end) and how many ran at once."""

    def __init__(self, fail=(), delay=0.05):
        self.fail = set(fail)
        self.delay = delay
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
        time.sleep(self.delay)
        with self._lock:
            self.active -= 1
            self.calls.append({"stack": stack, "operation": operation, "packs": policy_packs, "configs": policy_pack_configs,
                               "start": started, "end": time.monotonic()})
        if stack in self.fail:
            raise RuntimeError(f"error: update failed\nerror: creating {stack}: AccessDenied")
        return StackRun({"create": 3})


@pytest.fixture
def zone(tmp_path):
    return LandingZone.load(copy_zone(TGW_EXAMPLE, tmp_path / "stacks"))


def rollout(zone, workspace, tmp_path, **options):
    lines = []
    return Rollout(zone, workspace, state_file=tmp_path / "state.json", progress=lines.append, **options), lines


def test_waves_run_in_order_and_a_wave_in_parallel(zone, tmp_path):
    workspace = FakeWorkspace()
    run, lines = rollout(zone, workspace, tmp_path, parallel=4, up=True, policy_packs=["policies"], policy_pack_configs=["pack.json"])
    results = run.run()
    assert set(results) == set(zone.stacks)
    position = {stack: index for index, wave in enumerate(zone.waves()) for stack in wave}
    calls = {call["stack"]: call for call in workspace.calls}
    for first in calls:
        for second in calls:
            if position[first] < position[second]:
                assert calls[first]["end"] <= calls[second]["start"], f"{second} started before {first} finished"
    assert workspace.most_active == 2, "network-hub and tools-mcp share wave 1"
    assert all(call["operation"] == "up" and call["packs"] == ["policies"] and call["configs"] == ["pack.json"] for call in workspace.calls)
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
    assert [call["stack"] for call in changed.calls] == ["tools-mcp"]


def test_restart_forgets_progress(zone, tmp_path):
    run, _ = rollout(zone, FakeWorkspace(), tmp_path)
    run.run()
    run.forget()
    again = FakeWorkspace()
    rollout(zone, again, tmp_path)[0].run()
    assert len(again.calls) == len(zone.stacks)


def test_a_corrupt_state_file_is_bad_input(zone, tmp_path):
    (tmp_path / "state.json").write_text("not json")
    with pytest.raises(ConfigError) as error:
        rollout(zone, FakeWorkspace(), tmp_path)[0].run()
    assert "is not a rollout state file" in str(error.value)


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
