"""Drift of a stack's existing resources: its committed snapshot against what ``discover`` would read from the account now.

``preflight`` runs it for every stack with an ``agentcore-egress:existing`` section. Each path where the account differs
from ``existing/<stack>.json`` and that changes a verdict (a route removed, a CIDR added, a rule changed, a share no
longer active) is one failed check naming the snapshot entry; a missing or outdated snapshot is one too. A difference
changes a verdict when the committed snapshot with that one difference applied changes what ``plan`` reads of it
(:func:`~agentcore_egress.simulation.existing_facts.plan_facts`,
:func:`~agentcore_egress.stacks.landing_zone_model.existing_model_facts`). The others (a record's TTL, an ASN, a
certificate's status) are named in the one passing result: worth a new discovery at leisure, never a failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from agentcore_egress.simulation.existing_facts import plan_facts
from agentcore_egress.stacks.errors import ConfigError, shorten
from agentcore_egress.stacks.existing_resources import section_hash
from agentcore_egress.stacks.existing_snapshot import Difference, differences, load_snapshot, snapshot_path, with_difference
from agentcore_egress.stacks.landing_zone import AccountStack, display_path
from agentcore_egress.stacks.landing_zone_model import existing_model_facts

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
    verdicts = _changing_a_verdict(committed, found)
    fix = f"restore it in the account; or, if the change is wanted, run {rediscover}"
    unread = [f"existing.{d.path}" for d in found if d not in verdicts]
    matched = f"the account matches what plan reads of {shown}" + (
        f" ({len(unread)} difference(s) that change no verdict, at {shorten(', '.join(dict.fromkeys(unread)))}: {rediscover} when convenient)"
        if unread else "")
    return ([DriftResult(False, _changed(d.was, d.now), fix, f"{entry}: existing.{d.path}") for d in verdicts]
            or [DriftResult(True, matched, "", entry)])


def _read_by_plan(snapshot: dict[str, Any]) -> Any:
    return plan_facts(snapshot), existing_model_facts(snapshot)


def _changing_a_verdict(committed: dict[str, Any], found: list[Difference]) -> list[Difference]:
    """The differences such that the committed snapshot with only that one applied is read otherwise by ``plan``; one that
    leaves the snapshot unreadable to ``plan`` (a hand-edited snapshot) counts as changing a verdict."""
    unreadable = (KeyError, TypeError, ValueError, AttributeError)
    try:
        read = _read_by_plan(committed)
    except unreadable:
        return found
    changing = []
    for difference in found:
        try:
            changed = _read_by_plan({**committed, "existing": with_difference(committed.get("existing"), difference)}) != read
        except unreadable:
            changed = True
        if changed:
            changing.append(difference)
    return changing
