"""A plan the cache answers whole starts like a small script: it imports neither pulumi-aws, the Pulumi SDK's runtime,
gRPC nor the policy pack, and says the same as the plan that filled the cache (which imports them, to simulate and judge)."""

import json
import subprocess
import sys

import pytest

from agentcore_egress.stacks import findings, pack_rules
from agentcore_egress.stacks.policy_config import pack_specs
from child_processes import REPOSITORY, user_environment
from landing_zones import TGW_EXAMPLE, copy_zone

HEAVY = ("pulumi", "pulumi_aws", "pulumi_policy", "grpc", "google.protobuf", "botocore", "agentcore_egress.policies.rules")
"""Modules (and their sub-modules) only simulating and judging need."""

_LOADED_AT_EXIT = """
import atexit, sys
atexit.register(lambda: print("loaded: " + " ".join(sorted(sys.modules)), file=sys.stderr))
from agentcore_egress.cli.main import main
sys.exit(main())
"""
"""The CLI as its console script runs it, printing the modules it imported as its last line of standard error."""


def plan_process(zone, cache, code: int = 0) -> tuple[subprocess.CompletedProcess, set[str]]:
    """A fresh ``agentcore-egress plan`` process that ends with ``code``, and the heavy modules it imported (their
    sub-modules too)."""
    return cli_process("plan", str(zone), "--format", "json", "--cache", str(cache), "--jobs", "1", code=code)


def cli_process(*arguments: str, code: int = 0) -> tuple[subprocess.CompletedProcess, set[str]]:
    """A fresh ``agentcore-egress`` process that ends with ``code``, and the heavy modules it imported (their sub-modules too)."""
    completed = subprocess.run(
        [sys.executable, "-c", _LOADED_AT_EXIT, *arguments],
        cwd=REPOSITORY, env=user_environment(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == code, completed.stderr
    modules = completed.stderr.strip().splitlines()[-1].removeprefix("loaded: ").split()
    return completed, {m for m in modules if any(m == heavy or m.startswith(f"{heavy}.") for heavy in HEAVY)}


def test_a_plan_the_cache_answers_imports_nothing_that_simulates_or_judges(tmp_path):
    zone, cache = copy_zone(TGW_EXAMPLE, tmp_path / "zone"), tmp_path / "cache"
    cold, cold_heavy = plan_process(zone, cache)
    cold = json.loads(cold.stdout)
    assert {"pulumi", "pulumi_aws", "pulumi_policy", "grpc", "agentcore_egress.policies.rules"} <= cold_heavy, "the wrapper sees imports"
    # The simulation imports the pulumi-aws modules the programs name, not every module of their service packages.
    assert {"pulumi_aws.ec2.vpc", "pulumi_aws.ec2.subnet", "pulumi_aws.ec2transitgateway.vpc_attachment"} <= cold_heavy
    assert not {"pulumi_aws.ec2.ami", "pulumi_aws.ec2.instance", "pulumi_aws.ec2transitgateway.connect"} & cold_heavy
    warm, warm_heavy = plan_process(zone, cache)
    assert warm_heavy == set()
    assert json.loads(warm.stdout) == cold


@pytest.mark.parametrize("command", ["plan", "audit", "preflight", "discover"])
def test_a_bad_stack_file_ends_the_command_before_anything_heavy_is_imported(tmp_path, command):
    """Not even the pack's rules, which checking the policy config reads: the stack files are read first. (The account
    commands read accounts with boto3: botocore is theirs from the start.)"""
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    (zone / "Pulumi.broken.yaml").write_text("config:\n  agentcore-egress:account:\n    id: 012345670123\n    region: eu-west-1\n")
    ended, heavy = cli_process(command, str(zone), *(["--cache", str(tmp_path / "cache")] if command == "plan" else []), code=2)
    assert "Pulumi.broken.yaml" in ended.stderr and "Fix:" in ended.stderr
    assert {module for module in heavy if command == "plan" or not module.startswith("botocore")} == set()


def test_the_pack_rules_a_cache_keeps_read_back_equal():
    assert pack_rules.decode(pack_rules.encode()) == (pack_specs(), findings.pack_rules())


@pytest.mark.parametrize("document", [
    {"format": 99},
    {"format": pack_rules.FORMAT, "specs": {"modern-tls": {"level": "mandatory"}}, "rules": {}},
    {"format": pack_rules.FORMAT, "specs": {"x": {"level": "mandatory", "properties": {}, "required": []}}, "rules": {"x": {"id": "y"}}},
], ids=["format", "not-the-same-rules", "rule"])
def test_stored_pack_rules_of_another_shape_are_refused(document):
    with pytest.raises((ValueError, TypeError)):
        pack_rules.decode(json.dumps(document))


def test_a_plan_that_simulates_one_stack_leaves_the_simulation_and_the_pack_to_the_fork_servers_workers(tmp_path):
    """With workers (--jobs 2), a warm plan after one stack file changed imports neither the SDK, pulumi-aws nor the pack
    in its own process: the fork server, started as soon as the plan sees a changed file, imported them once for both
    workers (the simulation's and the pack's). The result is the one a plan without cache gives."""
    zone, cache = copy_zone(TGW_EXAMPLE, tmp_path / "zone"), tmp_path / "cache"
    plan_process(zone, cache)
    file = zone / "Pulumi.tools-payments.yaml"  # a route to one more block: its outputs, which others read, stay the same
    file.write_text(file.read_text().replace("destinations: [10.250.0.0/16]", "destinations: [10.250.0.0/16, 10.251.0.0/16]"))
    warm, warm_heavy = cli_process("plan", str(zone), "--format", "json", "--cache", str(cache), "--jobs", "2")
    assert "wave 2: simulating 1 stack in 1 worker" in warm.stderr
    assert "4 of 5 stacks from the cache" in warm.stderr
    assert warm_heavy == set()
    uncached, _ = cli_process("plan", str(zone), "--format", "json", "--no-cache", "--jobs", "1")
    assert json.loads(warm.stdout) == json.loads(uncached.stdout)
