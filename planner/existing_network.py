"""The existing part of the landing zone, as ``plan`` knows it: each stack's committed snapshot, checked, and its facts as
the records the whole-zone checks read (:mod:`agentcore_egress.simulation.existing_records` translates them).

A stack with an ``agentcore-egress:existing`` section is planned against ``existing/<stack>.json`` (no network): the
snapshot must be there, taken for the section as it is now (its ``existing_sha256``) and hold every name the section
gives. Its facts, read and never created, go to reachability as records, never to the policy pack nor into the plan's
counts of what would be created.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

from agentcore_egress.simulation.existing_records import PlacedRegistration, existing_records
from agentcore_egress.stacks.config_schema import ConfigError
from agentcore_egress.stacks.existing_resources import section_hash
from agentcore_egress.stacks.existing_snapshot import load_snapshot, snapshot_path
from agentcore_egress.stacks.landing_zone import AccountStack, LandingZone, display_path


def checked_snapshot(stack: AccountStack) -> Optional[dict[str, Any]]:
    """The stack's snapshot (None without an ``existing`` section); ConfigError, one line naming the file or key and the fix,
    when it is absent, unreadable, taken for another ``existing`` section, or lacks a name the section gives."""
    existing = stack.config.existing
    if existing is None:
        return None
    fix = f"Fix: agentcore-egress discover --stack {stack.name}, and commit the file"
    path = snapshot_path(stack.file.parent, stack.name)
    shown = display_path(path)
    snapshot = load_snapshot(path, shown, fix)
    if snapshot.get("existing_sha256") != section_hash(existing):
        raise ConfigError([f"{shown}: existing_sha256 is not that of agentcore-egress:existing in {stack.display_file}: the section changed "
                           f"after the snapshot was taken. {fix}"])
    held = snapshot.get("existing") if isinstance(snapshot.get("existing"), dict) else {}
    missing = [f"{kind}.{name}" for kind in type(existing).model_fields for name in getattr(existing, kind) if name not in (held.get(kind) or {})]
    missing += [f"transit_gateways.{name}.route_tables.{segment}" for name, gateway in existing.transit_gateways.items()
                for segment in gateway.route_tables if segment not in ((held.get("transit_gateways") or {}).get(name) or {}).get("route_tables", {})
                and f"transit_gateways.{name}" not in missing]
    if missing:
        raise ConfigError([f"{shown}: existing.{key}: is named in {stack.display_file} but not in the snapshot. {fix}" for key in missing])
    return snapshot


def checked_snapshots(zone: LandingZone) -> dict[str, dict[str, Any]]:
    """Every stack's checked snapshot, by stack; ConfigError with every problem of every stack."""
    snapshots, problems = {}, []
    for name, stack in zone.stacks.items():
        try:
            snapshot = checked_snapshot(stack)
        except ConfigError as error:
            problems += error.problems
            continue
        if snapshot is not None:
            snapshots[name] = snapshot
    if problems:
        raise ConfigError(problems)
    return snapshots


def existing_registrations(zone: LandingZone, snapshots: dict[str, dict[str, Any]]) -> Iterator[PlacedRegistration]:
    """The facts of every stack's snapshot as records placed in their stack's account and region."""
    for name, snapshot in snapshots.items():
        account = zone.stacks[name].config.account
        yield from existing_records(name, account.id, account.region, snapshot)
