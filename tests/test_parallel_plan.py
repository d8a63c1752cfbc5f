"""Stacks of a wave simulated in worker processes: the same result as one process (workers ending with the plan: test_worker_pool)."""

import json
import os
import sys
import time
from pathlib import Path

import pytest

from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.planner.plan import WORKERS_FROM, run_plan
from agentcore_egress.planner.simulation_pool import SimulationPool, SimulationWorkerError
from child_processes import REPOSITORY, run_cli
from landing_zones import edit_stack

sys.path.insert(0, str(REPOSITORY / "benchmarks"))
from plan_landing_zone import write_zone  # noqa: E402 - the benchmark's generator of N-spoke landing zones


@pytest.fixture(scope="module")
def spokes_zone(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spokes")
    write_zone(folder, WORKERS_FROM + 1, backends=True)
    return folder


def test_jobs_1_and_jobs_2_give_identical_json(spokes_zone):
    runs = {}
    for jobs in ("1", "2"):
        completed = run_cli("plan", str(spokes_zone), "--no-cache", "--jobs", jobs, "--format", "json", timeout=300)
        assert completed.returncode == 0, completed.stderr
        runs[jobs] = completed
    assert "this one and" not in runs["1"].stderr
    assert f"wave 2: simulating {WORKERS_FROM + 1} stacks in 2 processes (this one and 1 worker)" in runs["2"].stderr
    assert runs["1"].stdout == runs["2"].stdout
    result = json.loads(runs["2"].stdout)
    assert [trace["verdict"] for trace in result["reachability"]] == ["reachable"] * (WORKERS_FROM + 1)


def test_a_stack_a_worker_cannot_simulate_is_bad_input_against_its_file(spokes_zone, tmp_path):
    for file in spokes_zone.glob("Pulumi.*.yaml"):
        (tmp_path / file.name).write_text(file.read_text())
    # The schema takes any destination block; the spoke component refuses one inside its own VPC.
    edit_stack(tmp_path, "spoke002", lambda config: config["tgw_spokes"][0].update(destinations=["10.1.2.0/25"]))
    outcomes = {}
    for jobs in ("1", "2"):
        completed = run_cli("plan", str(tmp_path), "--no-cache", "--jobs", jobs, timeout=300)
        outcomes[jobs] = (completed.returncode, completed.stderr.splitlines()[-1])
    assert outcomes["1"] == outcomes["2"]
    code, last = outcomes["2"]
    assert code == 2 and "Pulumi.spoke002.yaml" in last and "overlaps this VPC's own block" in last


def test_the_pool_is_used_from_the_api_and_merges_in_stack_order(spokes_zone):
    zone = LandingZone.load(spokes_zone)
    lines = []
    result = run_plan(zone, jobs=2, progress=lines.append)
    assert any("this one and 1 worker" in line for line in lines)
    assert [stack.name for stack in result.stacks] == zone.order()


def test_jobs_must_be_positive(capsys):
    from agentcore_egress.cli.main import main

    assert main(["plan", "--jobs", "0"]) == 2
    assert "--jobs: 0 is not a positive number" in capsys.readouterr().err


class _Unpickled:
    """A task's part that, unpickled in the worker, calls ``call(*args)`` there instead: a worker dying or hanging mid-task."""

    def __init__(self, call, *args) -> None:
        self.call, self.args = call, args

    def __reduce__(self):
        return self.call, self.args


@pytest.mark.parametrize("call, args, timeout, says", [
    (os._exit, (3,), 120, "a simulation worker stopped (exit code 3)"),
    (time.sleep, (600,), 2, "no simulation worker answered within 2 s"),
])
def test_a_worker_that_dies_or_hangs_ends_the_wave_with_one_line(call, args, timeout, says):
    with SimulationPool(1, timeout=timeout) as pool, pytest.raises(SimulationWorkerError) as raised:
        list(pool.simulate([("spoke001", _Unpickled(call, *args), {})]))
    assert str(raised.value) == says
