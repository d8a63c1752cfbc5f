"""Roll a landing zone out with the Pulumi Automation API: wave by wave, resumable, across processes.

``preview``, ``up`` and ``refresh`` run the waves in order, ``destroy`` in reverse
order (a stack is destroyed only after every stack that reads it). Stacks of one
wave run in parallel (bounded); a failing stack stops the rollout after its wave,
naming the stack and the error. A stack that finished is recorded in the state
file (:mod:`.rollout_state`) under its fingerprint (:mod:`agentcore_egress.stacks.fingerprint`:
its file, the fingerprints of the stacks it reads, the package, the policy packs
and their config), taken before the stack runs; running the rollout again skips
exactly the stacks whose fingerprint is still the one recorded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Protocol

import yaml
from semver import VersionInfo

from agentcore_egress.stacks.fingerprint import pack_fingerprint, stack_fingerprints
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.process.child_processes import run_with_deadline
from agentcore_egress.stacks.policy_config import load_policy_config
from agentcore_egress.stacks.config_schema import ConfigError
from agentcore_egress.stacks.errors import shorten
from agentcore_egress.stacks.regular_file import read_regular
from agentcore_egress.stacks.stack_file import MAX_BYTES, yaml_problem

from .policy_pack_environment import ready_policy_packs
from .rollout_state import OPERATIONS, RolloutState, StateSaveError

MINIMUM_CLI_VERSION = "3.231.0"
"""The oldest Pulumi CLI accepted: the floor of the Pulumi SDK the package requires (pyproject.toml, pulumi>=3.231),
as a program's SDK may use what no older CLI provides."""

VERSION_TIMEOUT = 15.0
"""Seconds `pulumi version` may take (it answers in well under one)."""

INSTALL_FIX = "install it (https://www.pulumi.com/docs/iac/download-install/) and put it on the PATH"
PACK_OPERATIONS = ("preview", "up")
"""The operations the policy packs judge (``refresh`` and ``destroy`` run none)."""
PACK_INSTALL_DEADLINE = 900.0
"""Seconds ``pulumi install`` may take to build a policy pack's virtualenv (--install-policy-packs)."""

Event = dict[str, Any]


class RolloutError(RuntimeError):
    """A stack failed; the message names the wave, the stack and the error."""


@dataclass(frozen=True)
class StackRun:
    """What one operation changed: operation name to count, as Pulumi summarises it."""

    changes: dict[str, int]


class Workspace(Protocol):
    """Runs one stack's operation. The real one drives the Pulumi CLI through the Automation API."""

    def check_cli(self) -> str:
        """The Pulumi CLI's version; ConfigError (one line with the fix) when it is missing or too old."""
        ...

    def check_policy_packs(self, packs: list[Path], install: bool, progress: Callable[[str], None]) -> None:
        """Each pack's virtualenv ready for the engine (made first when ``install``); ConfigError, one line a pack, if not."""
        ...

    def run(
        self,
        stack: str,
        operation: str,
        policy_packs: list[str],
        policy_pack_configs: list[str],
        on_output: Callable[[str], None],
    ) -> StackRun: ...


def pulumi_cli_version(timeout: float = VERSION_TIMEOUT) -> tuple[str, VersionInfo]:
    """The Pulumi CLI on the PATH and its version, asked with a deadline; ConfigError (one line with the fix) when it is
    missing, does not answer within ``timeout`` seconds, fails, or is older than :data:`MINIMUM_CLI_VERSION`."""
    command = shutil.which("pulumi")
    if command is None:
        raise ConfigError([f"the Pulumi CLI ('pulumi') is not on the PATH. Fix: {INSTALL_FIX}"])
    try:
        code, output, detail = run_with_deadline([command, "version"], timeout, env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"})
    except subprocess.TimeoutExpired:
        raise ConfigError([f"`{command} version` did not answer within {timeout:.0f} s. Fix: check that CLI (run `pulumi version`), "
                           f"or {INSTALL_FIX}"]) from None
    if code != 0:
        raise ConfigError([f"`{command} version` failed (exit code {code}{': ' + detail if detail else ''}). Fix: {INSTALL_FIX}"])
    text = output.strip().removeprefix("v")
    try:
        version = VersionInfo.parse(text)
    except ValueError:
        raise ConfigError([f"`{command} version` answered {shorten(text)!r}, not a version. Fix: {INSTALL_FIX}"]) from None
    minimum = VersionInfo.parse(MINIMUM_CLI_VERSION)
    if version < minimum or version.major != minimum.major:
        raise ConfigError([f"the Pulumi CLI on the PATH is version {version}; this package needs {minimum.major}.x from {MINIMUM_CLI_VERSION}. "
                           f"Fix: install version {MINIMUM_CLI_VERSION} or newer of Pulumi {minimum.major}"])
    return command, version


def checked_pulumi_command() -> Any:
    """A ``pulumi.automation.PulumiCommand`` for the CLI on the PATH, its version checked by :func:`pulumi_cli_version`.

    PulumiCommand's own constructor runs ``pulumi version`` without a deadline (a CLI that never answers would hang
    the rollout there), so the command is made from the version already read instead.
    """
    from pulumi.automation import PulumiCommand

    class CheckedPulumiCommand(PulumiCommand):
        def __init__(self, command: str, version: VersionInfo) -> None:  # noqa: super().__init__ would ask again, unbounded
            self.command, self.version = command, version

    return CheckedPulumiCommand(*pulumi_cli_version())


def read_project_file(manifest: Path) -> dict[str, Any]:
    """A project's ``Pulumi.yaml`` as a mapping; ConfigError naming the file and the place, never quoting its lines."""
    data = read_regular(manifest, str(manifest), MAX_BYTES, what="Pulumi.yaml")
    try:
        document = yaml.safe_load(data.decode("utf-8-sig"))
    except yaml.MarkedYAMLError as error:
        raise ConfigError([f"{manifest}: {yaml_problem(error)}"]) from None
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        raise ConfigError([f"{manifest}: is not valid UTF-8 YAML. Fix: correct the project file (see `pulumi new`'s Pulumi.yaml)"]) from None
    if document is None:
        document = {}
    if not isinstance(document, dict) or not isinstance(document.get("stackConfigDir", "."), str):
        raise ConfigError([f"{manifest}: is not a Pulumi project file (a mapping whose stackConfigDir is a folder name). "
                           "Fix: correct the project file"])
    return document


class AutomationWorkspace:
    """The Pulumi project at ``project_dir`` (Pulumi.yaml), through ``pulumi.automation``.

    Each stack runs with the credentials the environment gives the Pulumi CLI;
    the program assumes the stack's ``account.role_arn`` itself.
    """

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = Path(project_dir).resolve()
        manifest = self.project_dir / "Pulumi.yaml"
        if not manifest.exists():
            raise ConfigError([f"{manifest}: not found. Fix: pass --project-dir, the folder that holds the project's Pulumi.yaml"])
        self.stack_config_dir = self.project_dir / read_project_file(manifest).get("stackConfigDir", ".")
        self._command: Any = None

    def check_stacks_dir(self, stacks_dir: Path) -> None:
        if Path(stacks_dir).resolve() != self.stack_config_dir.resolve():
            raise ConfigError(
                [f"{stacks_dir}: the Pulumi project at {self.project_dir} reads stack files from {self.stack_config_dir}. "
                 "Fix: roll out that folder, or pass --project-dir of a project whose stackConfigDir is this folder"]
            )

    def check_cli(self) -> str:
        self._command = checked_pulumi_command()
        return str(self._command.version)

    def check_policy_packs(self, packs: list[Path], install: bool, progress: Callable[[str], None]) -> None:
        ready_policy_packs(packs, self._install_policy_pack if install else None, progress)

    def _install_policy_pack(self, pack: Path) -> None:
        """``pulumi install`` in the pack's folder, its output on standard error, within PACK_INSTALL_DEADLINE."""
        command = [self._command.command if self._command else "pulumi", "install"]
        try:
            done = subprocess.run(command, cwd=pack, stdin=subprocess.DEVNULL, stdout=sys.stderr, stderr=sys.stderr, timeout=PACK_INSTALL_DEADLINE)
        except subprocess.TimeoutExpired:
            raise ConfigError([f"--policy-pack {pack}: `pulumi install` took more than {PACK_INSTALL_DEADLINE:g} s and was stopped. "
                               f"Fix: run `pulumi install` in {pack} yourself"]) from None
        except OSError as error:
            raise ConfigError([f"--policy-pack {pack}: `pulumi install` cannot run ({error.strerror}). Fix: {INSTALL_FIX}"]) from None
        if done.returncode != 0:
            raise ConfigError([f"--policy-pack {pack}: `pulumi install` failed (exit {done.returncode}; its output is above). "
                               f"Fix: correct what it names, then run `pulumi install` in {pack}"])

    def run(self, stack, operation, policy_packs, policy_pack_configs, on_output) -> StackRun:
        from pulumi import automation as auto

        workspace_options = auto.LocalWorkspaceOptions(pulumi_command=self._command) if self._command else None
        if operation in ("destroy", "refresh"):  # never create a stack only to empty or read it
            selected = auto.select_stack(stack_name=stack, work_dir=str(self.project_dir), opts=workspace_options)
        else:
            selected = auto.create_or_select_stack(stack_name=stack, work_dir=str(self.project_dir), opts=workspace_options)
        options: dict[str, Any] = {"on_output": on_output}
        if operation in PACK_OPERATIONS:
            if policy_packs:
                options["policy_packs"] = policy_packs
            if policy_pack_configs:
                options["policy_pack_configs"] = policy_pack_configs
        if operation == "preview":
            result = selected.preview(**options)
            return StackRun({str(getattr(key, "value", key)): value for key, value in (result.change_summary or {}).items()})
        result = getattr(selected, operation)(**options)
        return StackRun(dict(result.summary.resource_changes or {}))


def describe_failure(stack: str, operation: str, error: BaseException) -> str:
    """One line for a failed stack, chosen by the Automation API's error type, with the fix where there is one."""
    from pulumi.automation import errors

    if isinstance(error, errors.ConcurrentUpdateError):
        return (f"another update of {stack} is in progress (another rollout, or someone's pulumi up). "
                f"Fix: wait for it to end; if it was interrupted, run `pulumi cancel --stack {stack}`")
    if isinstance(error, errors.StackNotFoundError):
        return f"{stack} does not exist in the Pulumi backend. Fix: check `pulumi stack ls`, or run `up` first"
    if isinstance(error, (errors.CompilationError, errors.RuntimeError, errors.InlineSourceRuntimeError)):
        return f"the stack program failed: {_last_error_line(error)}"
    if isinstance(error, errors.CommandError):
        return f"pulumi {operation} failed: {_last_error_line(error)}"
    return _last_error_line(error)


def _last_error_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    # A CommandError reads "code: N / stdout: … / stderr: …": keep what the CLI said, not the labels.
    lines = [re.sub(r"^(stdout|stderr):\s*", "", line.strip()) for line in text.splitlines() if not line.strip().startswith("code:")]
    lines = [line for line in lines if line]
    errors = [line for line in lines if line.lower().startswith("error")]
    return ((errors or lines or [type(error).__name__])[-1])[:400]


def check_write_target(flag: str, path: Path, zone: LandingZone, project_dir: Path, policy_packs: Iterable[Path],
                       policy_pack_configs: Iterable[Path]) -> None:
    """Before any work: a file rollout writes (``--state-file``, ``--emit``) is none of the files and folders it reads
    (stack files, ``Pulumi.yaml``, the packs and their configs), not a link, a folder nor a device (ConfigError worded
    for ``flag``)."""
    from agentcore_egress.files.atomic_file import RefusedTarget, check_target

    project_files = [project_dir / name for name in ("Pulumi.yaml", "Pulumi.yml")]
    inputs = [stack.file for stack in zone.stacks.values()] + list(policy_pack_configs) + [file for file in project_files if file.exists()]
    try:
        check_target(path, inputs, list(policy_packs), new_folders=True)
    except RefusedTarget as error:
        raise ConfigError([f"{flag} {path}: {error}"]) from None


def select_stacks(zone: LandingZone, names: Iterable[str], *, with_dependencies: bool = False, with_dependents: bool = False) -> set[str]:
    """The stacks named, plus (on request) every stack they read or every stack that reads them, transitively."""
    names = list(names)
    unknown = sorted(set(names) - set(zone.stacks))
    if unknown:
        raise ConfigError([f"--stack: {', '.join(unknown)} is not a stack of this landing zone. "
                           f"Fix: use one of {', '.join(zone.order())}"])
    reads = {name: set(stack.config.referenced_stacks()) for name, stack in zone.stacks.items()}
    read_by = {name: {other for other, upstream in reads.items() if name in upstream} for name in zone.stacks}
    selected = set(names)
    for wanted, edges in ((with_dependencies, reads), (with_dependents, read_by)):
        frontier = list(names)
        while wanted and frontier:
            for neighbour in edges[frontier.pop()] - selected:
                selected.add(neighbour)
                frontier.append(neighbour)
    return selected


class Rollout:
    """One rollout (preview, up, refresh or destroy) of a landing zone or of some of its stacks."""

    def __init__(
        self,
        zone: LandingZone,
        workspace: Workspace,
        *,
        state_file: Path,
        parallel: int = 4,
        operation: str = "preview",
        up: bool = False,
        stacks: Optional[set[str]] = None,
        policy_packs: Optional[list[str]] = None,
        policy_pack_configs: Optional[list[str]] = None,
        install_policy_packs: bool = False,
        progress: Callable[[str], None] = lambda line: None,
        on_event: Callable[[Event], None] = lambda event: None,
    ) -> None:
        self.operation = "up" if up else operation
        if self.operation not in OPERATIONS:
            raise ValueError(f"operation {self.operation!r} is not one of {OPERATIONS}")
        self.zone = zone
        self.workspace = workspace
        self.state = RolloutState(state_file)
        self.parallel = parallel
        self.selected = set(zone.stacks) if stacks is None else set(stacks)
        self.policy_packs = policy_packs or []
        self.policy_pack_configs = policy_pack_configs or []
        self.install_policy_packs = install_policy_packs
        self.progress = progress
        self.on_event = on_event
        packs = "+".join(pack_fingerprint(Path(pack)) for pack in self.policy_packs)
        configs = {str(index): load_policy_config(Path(path)) for index, path in enumerate(self.policy_pack_configs)}
        self._fingerprint_inputs = {"pack": packs, "policy_config": configs}

    @property
    def state_file(self) -> Path:
        return self.state.path

    def fingerprints(self) -> dict[str, str]:
        """Every stack's fingerprint now (files are read at this moment)."""
        return stack_fingerprints(self.zone, **self._fingerprint_inputs)

    def forget(self) -> None:
        self.state.forget()

    def finished(self, fingerprints: Optional[dict[str, str]] = None) -> set[str]:
        """Selected stacks recorded as done for this operation under their current fingerprint."""
        fingerprints = fingerprints or self.fingerprints()
        done = self.state.read()[self.operation]
        return {stack for stack in self.selected if done.get(stack, {}).get("fingerprint") == fingerprints[stack]}

    def waves(self) -> list[list[str]]:
        """The selected stacks by wave, in the order this operation runs them (reversed for destroy)."""
        waves = [[stack for stack in wave if stack in self.selected] for wave in self.zone.waves()]
        waves = [wave for wave in waves if wave]
        return waves[::-1] if self.operation == "destroy" else waves

    def run(self, restart: bool = False) -> dict[str, StackRun]:
        """Every pending stack, wave by wave; ``restart`` forgets earlier progress once the CLI is known to work."""
        # A state file of the wrong shape is bad input whatever the machine has, so it is named first;
        # with --restart it is forgotten (if it is a state file at all), but only once the CLI is known to work.
        self.state.validate(restart=restart)
        version = self.workspace.check_cli()
        if self.policy_packs and self.operation in PACK_OPERATIONS:  # each runs in its own virtualenv, which nothing else makes
            self.workspace.check_policy_packs([Path(pack) for pack in self.policy_packs], self.install_policy_packs, self.progress)
        self.state.check_writable(restart=restart)
        self.progress(f"{self.operation} with the Pulumi CLI {version}; progress in {self.state_file}")
        results: dict[str, StackRun] = {}
        waves = self.waves()
        for number, wave in enumerate(waves, start=1):
            fingerprints = self.fingerprints()  # before any stack of this wave runs
            finished = self.finished(fingerprints)
            pending = [stack for stack in wave if stack not in finished]
            for stack in wave:
                if stack in finished:
                    self._event(stack, number, "skipped", reason="already done with an unchanged fingerprint")
            if len(pending) < len(wave):
                self.progress(f"wave {number}/{len(waves)}: {', '.join(s for s in wave if s in finished)} already done, skipped")
            if pending:
                self._run_wave(number, len(waves), pending, fingerprints, results)
        self.progress(f"{self.operation} done: {len(results)} stack(s) run, {len(self.selected) - len(results)} already done")
        return results

    def _run_wave(self, number: int, total: int, pending: list[str], fingerprints: dict[str, str], results: dict[str, StackRun]) -> None:
        self.progress(f"wave {number}/{total}: {self.operation} {', '.join(pending)}")
        failures: dict[str, str] = {}
        pool = ThreadPoolExecutor(max_workers=min(self.parallel, len(pending)))
        try:
            futures = {stack: pool.submit(self._run_one, stack, number, fingerprints[stack], results) for stack in pending}
            for stack, future in futures.items():
                error = future.exception()
                if error is not None:
                    failures[stack] = describe_failure(stack, self.operation, error)
                    self._event(stack, number, "failed", error=failures[stack])
        finally:  # interrupted (Ctrl-C, SIGTERM): no further stack starts, and the run does not wait here for those running
            pool.shutdown(wait=False, cancel_futures=True)
        if failures:
            names = ", ".join(f"{stack} ({message})" for stack, message in failures.items())
            raise RolloutError(f"wave {number}/{total} failed: {names}. Later waves were not started; "
                               f"fix the cause and run the rollout again: {self._resume_note()}")

    def _resume_note(self) -> str:
        try:
            recorded = len(self.finished())
        except (ConfigError, OSError) as error:
            return f"the state file cannot be read ({error}), so every stack will run again"
        return f"the {recorded} stack(s) recorded as done in {self.state_file} are skipped"

    def _run_one(self, stack: str, wave: int, fingerprint: str, results: dict[str, StackRun]) -> None:
        began = time.perf_counter()
        self._event(stack, wave, "started")
        run = self.workspace.run(
            stack, self.operation, self.policy_packs, self.policy_pack_configs, lambda line: self.progress(f"  {stack} | {line.rstrip()}")
        )
        results[stack] = run
        changes = ", ".join(f"{count} {kind}" for kind, count in sorted(run.changes.items())) or "no changes"
        saved = self._record(stack, fingerprint, run)
        self._event(stack, wave, "succeeded", changes=run.changes, saved=saved is None, **({"save_error": saved} if saved else {}))
        note = "" if saved is None else f"; NOT recorded ({saved}), so it will run again next time"
        self.progress(f"  {stack}: {self.operation} finished in {time.perf_counter() - began:.1f} s ({changes}){note}")

    def _record(self, stack: str, fingerprint: str, run: StackRun) -> Optional[str]:
        """Record the stack as done; None when saved, else why it was not."""
        # A destroyed stack is no longer deployed, and a deployed one no longer destroyed.
        forget = {"destroy": ("preview", "up", "refresh"), "up": ("destroy",)}.get(self.operation, ())
        try:
            self.state.record(self.operation, stack, {"fingerprint": fingerprint, "changes": run.changes}, forget=forget)
        except (StateSaveError, ConfigError) as error:
            return str(error)
        return None

    def _event(self, stack: str, wave: int, state: str, **details: Any) -> None:
        self.on_event({"event": "stack", "stack": stack, "operation": self.operation, "wave": wave, "state": state,
                       "account": self.zone.account_of(stack), "time": time.time(), **details})
