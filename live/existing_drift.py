"""Drift of a stack's existing resources: its committed snapshot against what ``discover`` would read from the account now.

``preflight`` runs it for every stack with an ``agentcore-egress:existing`` section: each path where the account differs
from ``existing/<stack>.json`` (a route removed, a CIDR added, a rule changed, a share no longer active) is one failed
check naming the snapshot entry; a missing or outdated snapshot is one too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agentcore_egress.stacks.landing_zone import AccountStack, display_path
from agentcore_egress.stacks.errors import ConfigError, shorten
from agentcore_egress.stacks.existing_resources import section_hash
from agentcore_egress.stacks.existing_snapshot import differences, load_snapshot, snapshot_path

from .aws_accounts import AccountSession
from .discover import ExistingNotFound, take_snapshot


@dataclass(frozen=True)
class DriftResult:
    passed: bool
    reason: str
    fix: str
    subject: str


def _quoted(value: Any) -> str:
    return shorten(json.dumps(value, sort_keys=True))


def _changed(was: Any, now: Any) -> str:
    if was is None:
        return f"the account has {_quoted(now)}, the snapshot does not"
    if now is None:
        return f"the snapshot has {_quoted(was)}, the account no longer does"
    return f"the snapshot has {_quoted(was)}, the account has {_quoted(now)}"


def existing_drift(stack: AccountStack, session: AccountSession) -> list[DriftResult]:
    """One result per difference between the committed snapshot of ``stack`` and its account now (one pass when none)."""
    path = snapshot_path(stack.file.parent, stack.name)
    shown = display_path(path)
    entry = path.relative_to(stack.file.parent).as_posix()
    rediscover = f"agentcore-egress discover --stack {stack.name}, review and commit {shown}"
    try:
        committed = load_snapshot(path, shown)
    except ConfigError as error:
        return [DriftResult(False, error.problems[0].partition(" Fix: ")[0], rediscover, entry)]
    if stack.config.existing is None or committed.get("existing_sha256") != section_hash(stack.config.existing):
        return [DriftResult(False, f"{shown} was taken for another agentcore-egress:existing section than the stack file's", rediscover, entry)]
    try:
        live = take_snapshot(stack.name, stack.config, session)
    except ExistingNotFound as error:
        return [DriftResult(False, f"{error.ident} {error.problem} any more",
                            f"restore it, or remove its name from agentcore-egress:existing and run {rediscover}", f"{entry}: existing.{error.key}")]
    found = differences(committed.get("existing"), live["existing"])
    fix = f"restore it in the account; or, if the change is wanted, run {rediscover}"
    return ([DriftResult(False, _changed(was, now), fix, f"{entry}: existing.{where}") for where, was, now in found]
            or [DriftResult(True, f"the account matches {shown}", "", entry)])
