"""The offline plan of a landing zone: every stack under the simulated AWS, in order, through the policy pack."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pulumi

from agentcore_egress.components.errors import InputValidationError
from agentcore_egress.stacks.account_program import build
from agentcore_egress.stacks.config_schema import ConfigError

from . import policy_config as policy_configs
from .cross_stack_checks import cross_stack_findings
from .findings import Finding, planner_finding
from .footprint import Footprint, footprint_of
from .landing_zone import LandingZone
from .landing_zone_model import LandingZoneModel, resource_key_path
from .preconditions import precondition_findings
from .policy_worker import BackgroundPolicyAnalyzer
from .reachability import UNREACHABLE, Trace, trace_all
from agentcore_egress.simulation.simulated_aws import SimulatedAws
from agentcore_egress.simulation.monitor import Registration, run_program

REFERENCE_PREFIX = "organization/agentcore-egress/"
REACHABILITY_RULE = "reachability"


@dataclass
class StackPlan:
    """What one account stack would create, and what the policy pack says of it."""

    name: str
    account_id: str
    region: str
    file: str
    wave: int
    registrations: list[Registration]
    outputs: dict[str, Any]
    findings: list[Finding]
    footprint: Footprint
    seconds: float
    key_paths: dict[str, str] = field(default_factory=dict)
    """Each component the program built ("GatewayTarget::mcp") and the config key path it came from."""

    @property
    def resource_counts(self) -> Counter:
        return Counter(r.type for r in self.registrations if r.custom and not r.type.startswith("pulumi:providers:"))


@dataclass
class PlanResult:
    zone: LandingZone
    stacks: list[StackPlan]
    cross_stack: list[Finding]
    timings: dict[str, float] = field(default_factory=dict)
    traces: list[Trace] = field(default_factory=list)

    @property
    def findings(self) -> list[tuple[Optional[StackPlan], Finding]]:
        return [(stack, finding) for stack in self.stacks for finding in stack.findings] + [(None, f) for f in self.cross_stack]

    @property
    def mandatory(self) -> int:
        return sum(1 for _, finding in self.findings if finding.level == "mandatory")

    @property
    def exit_code(self) -> int:
        return 1 if self.mandatory else 0


Progress = Callable[[str], None]


def load_policy_config(path: Optional[Path], pack_dir: Optional[Path] = None) -> dict[str, Any]:
    """The policy config file resolved as the engine resolves it (see planner.policy_config).

    With another pack than the bundled one, entries for its rules are checked by
    the pack's worker against the pack's own rules.
    """
    known = policy_configs.bundled_rule_specs() if pack_dir is None else policy_configs.plan_rule_specs()
    return policy_configs.load(path, known, others_allowed=pack_dir is not None)


def run_plan(
    zone: LandingZone,
    *,
    pack_dir: Optional[Path] = None,
    policy_config: Optional[dict[str, Any]] = None,
    progress: Progress = lambda line: None,
) -> PlanResult:
    """Simulate every stack in rollout order and judge it; raise ConfigError for input a stack refuses."""
    waves = zone.waves()
    total = sum(len(wave) for wave in waves)
    outputs: dict[str, dict[str, Any]] = {}
    plans: dict[str, StackPlan] = {}
    timings = {"simulate": 0.0, "policy": 0.0}
    started = time.perf_counter()
    reported: set[str] = set()

    def report(judged: dict[str, tuple[list[Finding], float]]) -> None:
        for name, (findings, seconds) in judged.items():
            if name in reported:
                continue
            reported.add(name)
            plan = plans[name]
            plan.findings = findings
            plan.seconds += seconds
            timings["policy"] += seconds
            mandatory = sum(1 for f in findings if f.level == "mandatory")
            progress(
                f"[{len(reported)}/{total}] wave {plan.wave} {name} ({plan.account_id}): {len(plan.registrations)} resources, "
                f"{mandatory} mandatory / {len(findings) - mandatory} advisory findings"
            )

    # The pack and its client run in other processes: while they judge one stack, this one simulates the next.
    with BackgroundPolicyAnalyzer(pack_dir, policy_config, skip=policy_configs.plan_rule_specs()) as analyzer:
        for wave_number, wave in enumerate(waves, start=1):
            for name in wave:
                stack = zone.stacks[name]
                account = stack.config.account
                began = time.perf_counter()
                key_paths: dict[str, str] = {}
                try:
                    deployment = run_program(
                        lambda name=name, stack=stack, key_paths=key_paths: build(name, stack.config, REFERENCE_PREFIX, key_paths),
                        mocks=SimulatedAws(account.id, account.region, outputs, scope=f"{account.id}/{account.region}/{name}"),
                        stack=name,
                    )
                except (InputValidationError, pulumi.RunError) as error:
                    raise ConfigError([f"{stack.display_file}: {error}"]) from None
                except Exception as error:  # noqa: BLE001 - a program failure is reported against its stack file, not as a traceback
                    raise ConfigError([f"{stack.display_file}: the stack's program failed: {type(error).__name__}: {error}"]) from None
                simulated = time.perf_counter() - began
                timings["simulate"] += simulated
                outputs[name] = deployment.result or {}
                plans[name] = StackPlan(
                    name=name,
                    account_id=account.id,
                    region=account.region,
                    file=stack.display_file,
                    wave=wave_number,
                    registrations=deployment.registrations,
                    outputs=outputs[name],
                    findings=[],
                    footprint=footprint_of(deployment),
                    seconds=simulated,
                    key_paths=key_paths,
                )
                analyzer.submit(name, deployment.registrations, deployment.minted)
                report(analyzer.finished())
        waited = time.perf_counter()
        report(analyzer.results())
        timings["policy_wait"] = time.perf_counter() - waited
    model = LandingZoneModel(zone)
    for plan in plans.values():
        plan.findings = [f.located(plan.name, resource_key_path(f.urn, plan.registrations, plan.key_paths)) for f in plan.findings]
    traced = time.perf_counter()
    traces = trace_all(plans.values())
    timings["reachability"] = time.perf_counter() - traced
    found = cross_stack_findings(model) + precondition_findings(model) + reachability_findings(model, plans, traces)
    cross = policy_configs.apply_levels(found, policy_config or {})
    timings["total"] = time.perf_counter() - started
    return PlanResult(zone=zone, stacks=list(plans.values()), cross_stack=cross, timings=timings, traces=traces)


def reachability_findings(model: LandingZoneModel, plans: dict[str, StackPlan], traces: list[Trace]) -> list[Finding]:
    """An unreachable target is a finding of the rule ``reachability``, placed on its config entry."""
    findings = []
    for trace in traces:
        path = resource_key_path(trace.urn, plans[trace.stack].registrations, plans[trace.stack].key_paths)
        index = int(path[len("targets["):-1]) if path.startswith("targets[") else None
        if index is not None:
            trace.target = model.config(trace.stack).targets[index].name
        if trace.verdict == UNREACHABLE:
            findings.append(planner_finding(REACHABILITY_RULE, trace.stack, path or "targets", f"target '{trace.target}': {trace.summary()}"))
    return findings
