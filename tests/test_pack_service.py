"""`plan` judges with the pack's service built in its policy worker; the verdicts are those the engine gets over gRPC.

The engine's way is :class:`PolicyAnalyzer` (``python __main__.py`` in the pack's
folder, the analyzer interface over gRPC); ``plan``'s way is the policy worker
(:class:`BackgroundPolicyAnalyzer`, a process that runs the same ``__main__.py``
up to its PolicyPack's service and calls it directly). Both judge the same
stacks, in both phases, under the same configs, and must agree finding for
finding. The loader's failures name the pack's reason.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from agentcore_egress.planner.pack_service import PackDidNotStart, load_pack_service
from agentcore_egress.planner.policy_analyzer import LoadedPolicyPack, PolicyAnalyzer, PolicyPackError
from agentcore_egress.planner.policy_worker import BackgroundPolicyAnalyzer
from child_processes import user_environment
from fake_cloud import deploy

from test_policy_runner import CONFIGS
from test_plan_failures import CRASHING_PACK, pack_copy
from test_policy_pack import BROKEN, SCENARIOS, run_scenario
from test_policy_phases import CASES


def deployments():
    """Every rule's compliant and violating case, the seed scenarios and their broken variants."""
    for rule in sorted(CASES):
        good, bad, _, _ = CASES[rule]
        yield f"{rule}-good", deploy(good)
        yield f"{rule}-bad", deploy(bad)
    for key in sorted(SCENARIOS):
        yield f"scenario-{key}", run_scenario(key)
    for rule in sorted(BROKEN):
        key, breaker = BROKEN[rule]
        yield f"broken-{rule}", breaker(run_scenario(key))


@pytest.fixture(scope="module")
def stacks():
    return list(deployments())


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_plans_policy_worker_finds_what_the_engines_grpc_pack_finds(stacks, config):
    with PolicyAnalyzer() as engine, BackgroundPolicyAnalyzer(config=CONFIGS[config]) as worker:
        engine.configure(CONFIGS[config] or {})
        expected = {}
        for key, deployment in stacks:
            expected[key] = sorted(engine.analyze(deployment.registrations, deployment.minted), key=repr)
            worker.submit(key, deployment.registrations, deployment.minted)
        judged = {key: sorted(findings, key=repr) for key, (findings, _) in worker.results().items()}
    assert judged == expected
    assert sum(len(found) for found in expected.values()) > 0 or config == "disabled"


def test_a_policy_that_raises_fails_the_plan_as_over_grpc(tmp_path):
    raising = CRASHING_PACK.replace("os._exit(3)", "raise KeyError('vpcId')").replace('"crashing"', '"raising"')
    folder = pack_copy(tmp_path, raising)
    deployment = run_scenario("a")
    with pytest.raises(PolicyPackError) as over_grpc, PolicyAnalyzer(folder) as engine:
        engine.analyze(deployment.registrations)
    with pytest.raises(PolicyPackError) as in_worker, BackgroundPolicyAnalyzer(folder) as worker:
        worker.submit("a", deployment.registrations)
        worker.results()
    for error in (over_grpc.value, in_worker.value):
        assert f"the policy pack in {folder} failed" in str(error) and "Exception calling application: 'vpcId'" in str(error)


def test_a_pack_that_prints_does_not_corrupt_the_workers_answers(tmp_path):
    folder = pack_copy(tmp_path)
    main = folder / "__main__.py"
    main.write_text('print("hello from the pack")\n' + main.read_text())
    with BackgroundPolicyAnalyzer(folder) as worker:
        for key in sorted(SCENARIOS):
            worker.submit(key, run_scenario(key).registrations)
        assert sorted(worker.results()) == sorted(SCENARIOS)


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """load_pack_service moves to the pack's folder and puts it on sys.path, as for a process of its own: undone after."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))


LOAD_FAILURES = {
    "exits with a reason": ('raise SystemExit("broken pack: no rules")\n', "broken pack: no rules"),
    "raises": ("import not_a_module_anywhere\n", "ModuleNotFoundError: No module named 'not_a_module_anywhere'"),
    "never builds a pack": ("RULES = []\n", "ended without constructing a PolicyPack"),
    "builds a pack the SDK refuses": ("from pulumi_policy import PolicyPack\nPolicyPack(name='empty', policies=[])\n", "TypeError: Missing policies argument"),
}


@pytest.mark.parametrize("case", sorted(LOAD_FAILURES))
def test_a_pack_that_cannot_be_built_is_named_with_its_reason(isolated, tmp_path, case):
    main, reason = LOAD_FAILURES[case]
    folder = pack_copy(tmp_path, main)
    with pytest.raises(PackDidNotStart, match=reason.replace("(", r"\(")):
        load_pack_service(folder)
    with pytest.raises(PolicyPackError) as error:
        LoadedPolicyPack(folder)
    assert f"the policy pack in {folder.resolve()} did not start" in str(error.value)


def test_the_loader_runs_the_packs_policies_in_its_folder(isolated):
    pack = LoadedPolicyPack()
    assert {policy.name for policy in pack.info().policies} >= {"public-ca-certificates", "no-default-security-group"}
    assert os.getcwd() == str(pack.pack_dir) and sys.path[0] == str(pack.pack_dir)


def test_loading_a_pack_leaves_pulumi_policys_public_names_as_they_were(isolated, tmp_path):
    import pulumi_policy
    from pulumi_policy import policy as sdk_policy

    before = pulumi_policy.PolicyPack, sdk_policy.PolicyPack
    LoadedPolicyPack()
    with pytest.raises(PolicyPackError):
        LoadedPolicyPack(pack_copy(tmp_path, "import not_a_module_anywhere\n"))
    assert (pulumi_policy.PolicyPack, sdk_policy.PolicyPack) == before


def test_a_pack_that_never_finishes_starting_ends_the_wait_with_its_reason(tmp_path):
    folder = pack_copy(tmp_path, "import time\ntime.sleep(600)\n")
    with pytest.raises(PolicyPackError, match="did not start within 2 s"), BackgroundPolicyAnalyzer(folder, start_timeout=2) as worker:
        worker.submit("a", run_scenario("a").registrations)
        worker.results()


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_building_the_service_starts_no_grpc_server_or_thread():
    # An unstarted gRPC server still owns a poller thread, which aborted the worker when the server was collected.
    code = ("import os; from agentcore_egress.planner.policy_analyzer import LoadedPolicyPack; pack = LoadedPolicyPack(); "
            "print(len(os.listdir('/proc/self/task')))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=user_environment(), timeout=60, check=True)
    assert completed.stdout.strip() == "1", completed.stderr


def test_the_pack_loaded_from_its_folder_walks_the_agentcore_path_once_per_request(isolated):
    # The rules run as the folder's own package (as the engine runs them), not as agentcore_egress.policies:
    # what the runner shares between them must not depend on either package's classes.
    from pulumi.runtime.proto import analyzer_pb2

    from agentcore_egress.policies import policy_runner

    runner = LoadedPolicyPack().stub.service
    path = sys.modules["_agentcore_egress_policy_pack.agentcore_path"]
    request = analyzer_pb2.AnalyzeStackRequest()
    request.resources.add(type="aws:ec2/vpc:Vpc", urn="urn:vpc", name="vpc").properties.update({"cidrBlock": "10.0.0.0/16"})
    resources = policy_runner.stack_resources(request.resources)
    assert isinstance(runner, policy_runner.PolicyRunner)
    assert path.path_urns(path.Scope(), resources) is path.path_urns(path.Scope(), resources)
