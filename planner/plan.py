"""The offline plan of a landing zone: every stack under the simulated AWS, in order, through the policy pack."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from agentcore_egress.process import garbage_collection
from agentcore_egress.simulation.footprint import Footprint
from agentcore_egress.simulation.registration import Registration, drop_engine_messages
from agentcore_egress.stacks import policy_config as policy_configs
from agentcore_egress.stacks.config_schema import ConfigError
from agentcore_egress.stacks.findings import Finding, planner_finding
from agentcore_egress.stacks.fingerprint import own_fingerprints, pack_fingerprint
from agentcore_egress.stacks.landing_zone import AccountStack, LandingZone
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel, resource_key_paths

from .cross_stack_checks import cross_stack_findings
from .existing_network import checked_snapshots, existing_registrations
from .plan_cache import CachedStack, PlanCache, cache_key, outputs_digest
from .policy_pack import default_pack_dir
from .preconditions import precondition_findings
from .reachability import UNREACHABLE, Trace, trace_all
from .simulation_pool import QUEUED_PER_WORKER, SimulationPool, usable_cpus
from .stack_simulation import SimulatedStack, programs_imported, simulate_stack
from .worker_pool import forks_workers

if TYPE_CHECKING:
    from .policy_worker import BackgroundPolicyAnalyzer

REACHABILITY_RULE = "reachability"
WORKERS_FROM = 4
"""Misses in a wave from which worker processes pay off once this process has imported the stacks' programs: sending
a stack and its result back costs about as much as simulating it here (see :func:`_in_workers`)."""
PACK_START_TIMEOUT = 60.0
"""Seconds the policy pack may take to start (the bundled one takes about one); past it the plan ends with an error."""


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
    existing: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each stack's checked snapshot of its existing resources, by stack: what the model read (the diagram reads it too)."""

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


def run_plan(
    zone: LandingZone,
    *,
    pack_dir: Optional[Path] = None,
    policy_config: Optional[dict[str, Any]] = None,
    progress: Progress = lambda line: None,
    cache: Optional[PlanCache] = None,
    jobs: int = 1,
    judge: Optional[PolicyJudge] = None,
) -> PlanResult:
    """Simulate every stack in rollout order and judge it; raise ConfigError for input a stack refuses.

    With ``cache``, a stack whose entry matches (see :mod:`.plan_cache`) is taken from it instead;
    with ``jobs`` > 1, the stacks of a wave that need simulating run in that many processes (this one and jobs - 1 workers);
    with ``judge`` (a :class:`PolicyJudge` for the same pack and config, started by the caller), that one judges.
    The result is the same either way; the whole-zone checks always run on the merged model.
    """
    started = time.perf_counter()
    snapshots = checked_snapshots(zone)  # before anything runs: a missing or stale snapshot is bad input
    run = _PlanRun(zone, pack_dir, policy_config or {}, progress, cache, judge)
    largest = max((len(run.unknown(wave)) for wave in zone.waves()), default=0)
    # More processes than CPUs or than stacks side by side only cost memory; a single stack may still go to a worker.
    jobs = max(1, min(jobs, usable_cpus(), max(largest, 2)))
    with run.judge, SimulationPool(jobs - 1) as pool, garbage_collection.plan_collections():  # this process simulates too: jobs - 1 workers
        if _in_workers(largest, pool):
            pool.start(largest)  # in the background: the workers' start overlaps the first waves
        for wave_number, wave in enumerate(zone.waves(), start=1):
            run.plan_wave(wave_number, wave, pool)
        plans, timings = run.plans, run.timings
        # The whole-zone checks read no verdict of the pack: they run while it judges the last stacks.
        with garbage_collection.paused():  # they make no cyclic garbage, and a collection would walk the whole plan
            model = LandingZoneModel(zone, snapshots)
            traced = time.perf_counter()
            # Targets register in whatever order their inputs resolve: the plan lists them, and their findings, in a fixed order.
            position = {name: index for index, name in enumerate(zone.order())}
            traces = sorted(trace_all(plans.values(), existing_registrations(zone, snapshots)), key=lambda trace: (position[trace.stack], trace.urn))
            timings["reachability"] = time.perf_counter() - traced
            found = cross_stack_findings(model) + precondition_findings(model) + reachability_findings(model, plans, traces)
            cross = policy_configs.apply_levels(found, policy_config or {})
        run.finish()
    if cache is not None:
        cache.keep_parsed_files()
    timings["total"] = time.perf_counter() - started
    return PlanResult(zone=zone, stacks=[plans[name] for name in zone.order()], cross_stack=cross, timings=timings, traces=traces,
                      existing=snapshots)


def _in_workers(misses: int, pool: SimulationPool) -> bool:
    """Whether a wave's ``misses`` are simulated in workers (and this process): from :data:`WORKERS_FROM` of them; or
    any, while this process has not imported the stacks' programs and workers are forks of the fork server, which has
    (its own first simulation would import them, a quarter of a second; a worker is a fork, and a warm plan after a
    pull request touched one stack does no more than that one)."""
    if pool.jobs == 0 or misses == 0:
        return False
    return misses >= WORKERS_FROM or (forks_workers() and not programs_imported())


def _simulate_here(task: tuple[str, AccountStack, dict[str, dict[str, Any]]]) -> tuple[str, Any]:
    """One task of the pool in this process, answered as a worker would (without a payload: the registrations keep theirs)."""
    try:
        return "done", (simulate_stack(*task), None)
    except ConfigError as error:
        return "error", error.problems


class PolicyJudge:
    """The policy pack in the background, started when a stack needs judging (a warm cache needs none), or earlier.

    A caller that knows a plan is coming may :meth:`start` it before loading the stack files, so that the pack's
    half second of starting overlaps them; :func:`run_plan` takes it as ``judge``.
    """

    def __init__(self, pack_dir: Optional[Path], config: Optional[dict[str, Any]], source: str = "policy config",
                 start_timeout: float = PACK_START_TIMEOUT) -> None:
        self._settings = (pack_dir, config or {}, policy_configs.plan_rule_specs())
        self._source, self._start_timeout = source, start_timeout
        self._analyzer: Optional[BackgroundPolicyAnalyzer] = None

    def __enter__(self) -> "PolicyJudge":
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if self._analyzer is not None:  # stopped at once: its answers are in, or nobody will read them (not even its start)
            self._analyzer.close()
            self._analyzer = None

    def start(self) -> None:
        """Start the pack now (it takes a second or two), while the plan does other work."""
        if self._analyzer is None:
            from .policy_worker import BackgroundPolicyAnalyzer  # the pack's client (gRPC, the SDK's protobufs): only when judging

            pack_dir, config, skip = self._settings
            self._analyzer = BackgroundPolicyAnalyzer(pack_dir, config, skip=skip, source=self._source, start_timeout=self._start_timeout)

    def submit(self, name: str, simulated: "SimulatedStack", payload: Optional[list[tuple]] = None) -> None:
        """Judge a simulated stack in both phases (its minted values unknown at the first preview)."""
        self.start()
        if payload is None:
            self._analyzer.submit(name, simulated.registrations, simulated.minted)
            drop_engine_messages(simulated.registrations)  # sent: the plan keeps the plain values only
        else:
            self._analyzer.submit_payload(name, payload, simulated.minted)

    def finished(self) -> dict[str, tuple[list[Finding], float]]:
        return self._analyzer.finished() if self._analyzer else {}

    def results(self) -> dict[str, tuple[list[Finding], float]]:
        return self._analyzer.results() if self._analyzer else {}


class _PlanRun:
    """The state of one plan: stacks planned so far, their outputs, what is left to judge and to cache."""

    def __init__(self, zone: LandingZone, pack_dir: Optional[Path], config: dict[str, Any], progress: Progress, cache: Optional[PlanCache],
                 judge: Optional[PolicyJudge] = None) -> None:
        self.zone, self.progress, self.cache = zone, progress, cache
        self.judge = judge or PolicyJudge(pack_dir, config)
        self.plans: dict[str, StackPlan] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        self.timings = {"simulate": 0.0, "policy": 0.0, "cached": 0, "simulated": 0}
        self.total = len(zone.stacks)
        self.reported: set[str] = set()
        self.keys: dict[str, str] = {}
        self.digests: dict[str, str] = {}
        """:func:`outputs_digest` of the outputs of each stack planned so far that another stack read."""
        self.own: dict[str, str] = {}
        if cache is not None:
            pack = pack_fingerprint(pack_dir or default_pack_dir())
            self.own = own_fingerprints({name: stack.file for name, stack in zone.stacks.items()}, pack=pack, policy_config=config)
        if self.unknown(zone.stacks):
            self.judge.start()  # some stack will be judged: the pack starts while the plan reads the cache and simulates

    def unknown(self, names) -> list[str]:
        """Stacks sure to be simulated: no cache, or none of their entries made from their current file."""
        return [name for name in names if self.cache is None or not self.cache.knows(name, self.own[name])]

    def reads(self, name: str) -> dict[str, dict[str, Any]]:
        return {upstream: self.outputs[upstream] for upstream in sorted(self.zone.stacks[name].config.referenced_stacks())}

    def key(self, name: str) -> str:
        """``name``'s cache key, the outputs of each stack it reads hashed once per plan (the hub's are read by every spoke)."""
        digests = {}
        for upstream in self.zone.stacks[name].config.referenced_stacks():
            digest = self.digests.get(upstream)
            if digest is None:
                digest = self.digests[upstream] = outputs_digest(self.outputs[upstream])
            digests[upstream] = digest
        return cache_key(name, self.own[name], digests)

    def plan_wave(self, wave_number: int, wave: list[str], pool: SimulationPool) -> None:
        """Every stack of the wave from the cache or simulated (in workers when several need it), merged in stack order.

        The stacks no entry can answer (their file, or the pack or its config, changed) are handed to the workers
        first, and the cache is read for the others while they simulate; a stack whose entry then misses (what it
        reads changed) is simulated after."""
        sure = set(self.unknown(wave))
        if self.cache is not None:
            for name in sure:
                self.keys[name] = self.key(name)
        missed: list[str] = []

        def read_the_others() -> None:
            missed.extend(name for name in wave if name not in sure and not self._from_cache(name, wave_number))

        self._simulate([name for name in wave if name in sure], wave_number, pool, meanwhile=read_the_others)
        self._simulate(missed, wave_number, pool)

    def _simulate(self, names: list[str], wave_number: int, pool: SimulationPool, meanwhile: Callable[[], None] = lambda: None) -> None:
        """Simulate ``names``, send each to the pack and keep it; ``meanwhile`` runs here once the workers have theirs."""
        if not _in_workers(len(names), pool):
            meanwhile()
            for name in names:
                simulated = simulate_stack(name, self.zone.stacks[name], self.reads(name))
                self.judge.submit(name, simulated)
                self._accept(name, wave_number, simulated)
                self._report(self.judge.finished())
            return
        tasks = [(name, self.zone.stacks[name], self.reads(name)) for name in names]
        workers = min(len(names), pool.jobs)
        here = len(names) > QUEUED_PER_WORKER * workers  # (else the workers hold them all; see SimulationPool.simulate)
        self.progress(f"wave {wave_number}: simulating {len(names)} stack{'s' if len(names) > 1 else ''} in "
                      + (f"{workers + 1} processes (this one and {workers} worker{'s' if workers > 1 else ''})" if here
                         else f"{workers} worker{'s' if workers > 1 else ''}"))
        results: dict[int, tuple[str, Any]] = {}
        for index, kind, value in pool.simulate(tasks, local=_simulate_here, meanwhile=meanwhile):
            if kind == "done":  # judged while the others simulate; its payload, sent, is not kept for the rest of the wave
                self.judge.submit(names[index], value[0], payload=value[1])
                value = value[0]
            results[index] = (kind, value)
            self._report(self.judge.finished())
        for index, name in enumerate(names):
            kind, value = results[index]
            if kind != "done":
                raise ConfigError(value)
            self._accept(name, wave_number, value)

    def _stack_plan(self, name: str, wave_number: int, registrations: list[Registration], outputs: dict[str, Any],
                    footprint: Footprint, seconds: float, key_paths: dict[str, str]) -> StackPlan:
        garbage_collection.keep_everything_so_far()  # the stack, simulated or from the cache, stays to the plan's end
        account = self.zone.stacks[name].config.account
        self.outputs[name] = outputs
        plan = self.plans[name] = StackPlan(name=name, account_id=account.id, region=account.region, file=self.zone.stacks[name].display_file,
                                            wave=wave_number, registrations=registrations, outputs=outputs, findings=[], footprint=footprint,
                                            seconds=seconds, key_paths=key_paths)
        return plan

    def _from_cache(self, name: str, wave_number: int) -> bool:
        if self.cache is None:
            return False
        key = self.keys[name] = self.key(name)
        entry = self.cache.load(name, key)
        if entry is None:
            return False
        plan = self._stack_plan(name, wave_number, entry.registrations, entry.outputs, entry.footprint, 0.0, entry.key_paths)
        plan.findings = entry.findings
        self.timings["cached"] += 1
        self.reported.add(name)
        self._describe(plan, cached=True)
        return True

    def _accept(self, name: str, wave_number: int, simulated: SimulatedStack) -> None:
        self._stack_plan(name, wave_number, simulated.registrations, simulated.outputs, simulated.footprint, simulated.seconds, simulated.key_paths)
        self.timings["simulate"] += simulated.seconds
        self.timings["simulated"] += 1

    def _report(self, judged: dict[str, tuple[list[Finding], float]]) -> None:
        for name, (findings, seconds) in judged.items():
            if name in self.reported or name not in self.plans:
                continue
            self.reported.add(name)
            plan = self.plans[name]
            # Each verdict placed on the stack-file entry its resource was built from (what a cache entry keeps).
            key_path = resource_key_paths(plan.registrations, plan.key_paths)
            located = [f.located(name, key_path(f.urn)) for f in findings]
            plan.findings = sorted(located, key=lambda f: (f.urn, f.policy, f.message))
            plan.seconds += seconds
            self.timings["policy"] += seconds
            self._describe(plan, cached=False)
            if self.cache is not None:
                self.cache.store(name, self.keys[name], CachedStack(plan.registrations, plan.outputs, plan.findings, plan.footprint, plan.key_paths))

    def _describe(self, plan: StackPlan, cached: bool) -> None:
        mandatory = sum(1 for f in plan.findings if f.level == "mandatory")
        self.progress(
            f"[{len(self.reported)}/{self.total}] wave {plan.wave} {plan.name} ({plan.account_id}): {len(plan.registrations)} resources, "
            f"{mandatory} mandatory / {len(plan.findings) - mandatory} advisory findings{' (cached)' if cached else ''}"
        )

    def finish(self) -> None:
        """Wait for the pack's verdicts on every simulated stack."""
        waited = time.perf_counter()
        self._report(self.judge.results())
        self.timings["policy_wait"] = time.perf_counter() - waited


def reachability_findings(model: LandingZoneModel, plans: dict[str, StackPlan], traces: list[Trace]) -> list[Finding]:
    """An unreachable target is a finding of the rule ``reachability``, placed on its config entry."""
    findings = []
    key_paths = {name: resource_key_paths(plans[name].registrations, plans[name].key_paths) for name in {trace.stack for trace in traces}}
    for trace in traces:
        path = key_paths[trace.stack](trace.urn)
        index = int(path[len("targets["):-1]) if path.startswith("targets[") else None
        if index is not None:
            trace.target = model.config(trace.stack).targets[index].name
        if trace.verdict == UNREACHABLE:
            findings.append(planner_finding(REACHABILITY_RULE, trace.stack, path or "targets", f"target '{trace.target}': {trace.summary()}"))
    return findings
