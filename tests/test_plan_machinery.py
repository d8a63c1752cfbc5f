"""The parts that make a large plan fast, each checked for what it promises beyond speed.

- The simulated monitor answers on the event loop's own thread (no pool), and the loop runs executor
  calls on a pool again afterwards; a mock answer that is not ready is refused with a clear error.
- A plan leaves the garbage collector as it found it: enabled, nothing frozen; a simulation that imported modules
  freezes them instead of collecting over them.
- The policy worker does not import the components or pulumi-aws (a second of every plan's start).
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import threading

import pulumi
import pulumi_aws as aws
import pytest

from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.planner.plan import run_plan
from agentcore_egress.simulation.monitor import RecordingMonitor, run_program
from agentcore_egress.simulation.simulated_aws import SimulatedAws
from child_processes import run_cli, user_environment
from landing_zones import TGW_EXAMPLE


def test_monitor_calls_run_on_the_loops_thread_and_the_loop_runs_executor_calls_on_a_pool_again_after(monkeypatch):
    threads = []
    register = RecordingMonitor.RegisterResource
    monkeypatch.setattr(RecordingMonitor, "RegisterResource", lambda self, request: threads.append(threading.get_ident()) or register(self, request))
    deployment = run_program(lambda: aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16"))
    assert deployment.named("vpc").id.startswith("vpc-")
    assert threads and set(threads) == {threading.get_ident()}
    loop = asyncio.get_event_loop()
    assert loop.run_until_complete(loop.run_in_executor(None, threading.get_ident)) != threading.get_ident()


class _NotReady(SimulatedAws):
    """Mocks that answer with an Output: serializing it would wait, which the inline monitor cannot."""

    def new_resource(self, args):
        resource_id, state = super().new_resource(args)
        return resource_id, {**state, "late": pulumi.Output.from_input("x").apply(lambda value: value)}


def test_a_mock_answer_that_is_not_ready_is_refused_clearly():
    with pytest.raises(Exception, match="not ready"):
        run_program(lambda: aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16"), mocks=_NotReady())


def test_a_plan_leaves_the_collector_enabled_and_nothing_frozen():
    assert gc.isenabled()
    result = run_plan(LandingZone.load(TGW_EXAMPLE))
    assert result.stacks and gc.isenabled() and gc.get_freeze_count() == 0


def test_the_policy_worker_imports_neither_the_components_nor_pulumi_aws():
    code = ("import sys; import agentcore_egress.planner.policy_worker; "
            "print(sorted(m for m in sys.modules if m.startswith(('pulumi_aws', 'agentcore_egress.components'))))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=user_environment(), timeout=60, check=True)
    assert completed.stdout.strip() == "[]"


def test_the_pack_starts_with_the_plan_and_an_unused_one_is_not_waited_for(tmp_path):
    # A pack that takes 6 s to start, and notes each start it finishes: a plan with something to judge waits for
    # it; a fully cached plan, which judges nothing, never waits for it to start (it stops it, or never starts it),
    # so the warm run adds no finished start and leaves nothing running that could add one later.
    import shutil

    from test_plan_failures import no_survivors, pack_copy

    folder = pack_copy(tmp_path)
    starts = tmp_path / "finished-starts"
    main = folder / "__main__.py"
    main.write_text(f"import time\ntime.sleep(6)\nopen({str(starts)!r}, 'a').write('started\\n')\n" + main.read_text())
    zone = tmp_path / "zone"
    shutil.copytree(TGW_EXAMPLE, zone)
    arguments = ("plan", str(zone), "--policy-pack", str(folder), "--quiet", "--format", "json")
    cold = run_cli(*arguments, timeout=120)
    assert cold.returncode == 0, cold.stderr
    assert starts.read_text() == "started\n"
    warm = run_cli(*arguments, timeout=120)
    assert warm.returncode == 0 and warm.stdout == cold.stdout, warm.stderr
    assert no_survivors(folder) == []
    assert starts.read_text() == "started\n"


def test_a_simulation_that_imported_modules_freezes_them_instead_of_walking_them(tmp_path, monkeypatch):
    # A process's first stack imports its components and their pulumi-aws modules: what is young then is mostly those
    # modules, which live as long as the process; collecting would walk them all (an eighth of a fresh worker's first
    # simulation). A later stack, importing nothing, is collected as before.
    from agentcore_egress.process import garbage_collection

    (tmp_path / "freshly_imported_module.py").write_text("TABLE = [[n] for n in range(1000)]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    collections = []
    monkeypatch.setattr(garbage_collection.gc, "collect", lambda generation=2: collections.append(generation) or 0)
    frozen = gc.get_freeze_count()
    try:
        with garbage_collection.collecting_new_objects_only():
            __import__("freshly_imported_module")
        assert collections == [] and gc.get_freeze_count() > frozen
        with garbage_collection.collecting_new_objects_only():
            [[n] for n in range(1000)]
        assert collections == [1]
    finally:
        gc.unfreeze()
        sys.modules.pop("freshly_imported_module", None)
