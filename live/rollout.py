"""Roll a landing zone out with the Pulumi Automation API: wave by wave, resumable.

Stacks of one wave run in parallel (bounded); a failing stack stops the rollout
after its wave, naming the stack and the error. Finished stacks are written to a
small state file together with a hash of their stack file, so running the
rollout again resumes where it stopped and redoes only stacks whose config
changed since.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Protocol

import yaml

from agentcore_egress.stacks.config_schema import ConfigError

from agentcore_egress.planner.landing_zone import LandingZone

STATE_VERSION = 1


class RolloutError(RuntimeError):
    """A stack failed; the message names the wave, the stack and the error."""


@dataclass(frozen=True)
class StackRun:
    """What one preview or up changed: operation name to count, as Pulumi summarises it."""

    changes: dict[str, int]


class Workspace(Protocol):
    """Runs one stack's preview or up. The real one drives the Pulumi CLI through the Automation API."""

    def run(
        self,
        stack: str,
        operation: str,
        policy_packs: list[str],
        policy_pack_configs: list[str],
        on_output: Callable[[str], None],
    ) -> StackRun: ...


class AutomationWorkspace:
    """The Pulumi project at ``project_dir`` (Pulumi.yaml), through ``pulumi.automation``.

    Each stack runs with the credentials the environment gives the Pulumi CLI;
    the program assumes the stack's ``account.role_arn`` itself.
    """

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = Path(project_dir).resolve()
        manifest = self.project_dir / "Pulumi.yaml"
        if not manifest.is_file():
            raise ConfigError([f"{manifest}: not found. Fix: pass --project-dir, the folder that holds the project's Pulumi.yaml"])
        self.stack_config_dir = self.project_dir / (yaml.safe_load(manifest.read_text()) or {}).get("stackConfigDir", ".")

    def check_stacks_dir(self, stacks_dir: Path) -> None:
        if Path(stacks_dir).resolve() != self.stack_config_dir.resolve():
            raise ConfigError(
                [f"{stacks_dir}: the Pulumi project at {self.project_dir} reads stack files from {self.stack_config_dir}. "
                 "Fix: roll out that folder, or pass --project-dir of a project whose stackConfigDir is this folder"]
            )

    def run(self, stack, operation, policy_packs, policy_pack_configs, on_output) -> StackRun:
        from pulumi import automation as auto

        selected = auto.create_or_select_stack(stack_name=stack, work_dir=str(self.project_dir))
        options: dict[str, Any] = {"on_output": on_output}
        if policy_packs:
            options["policy_packs"] = policy_packs
        if policy_pack_configs:
            options["policy_pack_configs"] = policy_pack_configs
        if operation == "up":
            result = selected.up(**options)
            return StackRun(dict(result.summary.resource_changes or {}))
        result = selected.preview(**options)
        return StackRun({str(getattr(key, "value", key)): value for key, value in (result.change_summary or {}).items()})


class Rollout:
    """One rollout (preview or up) of a landing zone."""

    def __init__(
        self,
        zone: LandingZone,
        workspace: Workspace,
        *,
        state_file: Path,
        parallel: int = 4,
        up: bool = False,
        policy_packs: Optional[list[str]] = None,
        policy_pack_configs: Optional[list[str]] = None,
        progress: Callable[[str], None] = lambda line: None,
    ) -> None:
        self.zone = zone
        self.workspace = workspace
        self.state_file = Path(state_file)
        self.parallel = parallel
        self.operation = "up" if up else "preview"
        self.policy_packs = policy_packs or []
        self.policy_pack_configs = policy_pack_configs or []
        self.progress = progress
        self._lock = threading.Lock()

    def _fingerprint(self, stack: str) -> str:
        return hashlib.sha256(self.zone.stacks[stack].file.read_bytes()).hexdigest()

    def _load(self) -> dict[str, Any]:
        if not self.state_file.is_file():
            return {"version": STATE_VERSION, "preview": {}, "up": {}}
        try:
            state = json.loads(self.state_file.read_text())
        except ValueError:
            raise ConfigError([f"{self.state_file}: is not a rollout state file. Fix: delete it, or pass --restart"]) from None
        if state.get("version") != STATE_VERSION:
            raise ConfigError([f"{self.state_file}: was written by another version. Fix: pass --restart"])
        return state

    def _save(self, state: dict[str, Any]) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(state, indent=2, sort_keys=True))
        temporary.replace(self.state_file)

    def forget(self) -> None:
        if self.state_file.exists():
            self.state_file.unlink()

    def finished(self) -> set[str]:
        """Stacks already done for this operation, with an unchanged stack file."""
        done = self._load()[self.operation]
        return {stack for stack, entry in done.items() if stack in self.zone.stacks and entry.get("fingerprint") == self._fingerprint(stack)}

    def run(self) -> dict[str, StackRun]:
        state = self._load()
        finished = self.finished()
        results: dict[str, StackRun] = {}
        waves = self.zone.waves()
        for number, wave in enumerate(waves, start=1):
            pending = [stack for stack in wave if stack not in finished]
            skipped = [stack for stack in wave if stack in finished]
            if skipped:
                self.progress(f"wave {number}/{len(waves)}: {', '.join(skipped)} already done, skipped")
            if not pending:
                continue
            self.progress(f"wave {number}/{len(waves)}: {self.operation} {', '.join(pending)}")
            failures: dict[str, str] = {}
            with ThreadPoolExecutor(max_workers=min(self.parallel, len(pending))) as pool:
                futures = {stack: pool.submit(self._run_one, stack, state, results) for stack in pending}
                for stack, future in futures.items():
                    error = future.exception()
                    if error is not None:
                        failures[stack] = _one_line(error)
            if failures:
                names = ", ".join(f"{stack} ({message})" for stack, message in failures.items())
                raise RolloutError(
                    f"wave {number}/{len(waves)} failed: {names}. Later waves were not started; fix the cause and run the rollout "
                    f"again: the {len(state[self.operation])} finished stack(s) are skipped"
                )
        self.progress(f"{self.operation} done: {len(results)} stack(s) run, {len(self.zone.stacks) - len(results)} already done")
        return results

    def _run_one(self, stack: str, state: dict[str, Any], results: dict[str, StackRun]) -> None:
        began = time.perf_counter()
        run = self.workspace.run(
            stack, self.operation, self.policy_packs, self.policy_pack_configs, lambda line: self.progress(f"  {stack} | {line.rstrip()}")
        )
        with self._lock:
            results[stack] = run
            state[self.operation][stack] = {"fingerprint": self._fingerprint(stack), "changes": run.changes, "finished": time.time()}
            self._save(state)
        changes = ", ".join(f"{count} {kind}" for kind, count in sorted(run.changes.items())) or "no changes"
        self.progress(f"  {stack}: {self.operation} finished in {time.perf_counter() - began:.1f} s ({changes})")


def _one_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith(("error", "stderr"))]
    return (errors[-1] if errors else lines[-1])[:400]
