"""The policy pack's verdicts from a real ``pulumi preview``/``up`` as SARIF, for code scanning.

``pulumi preview --event-log FILE`` (and ``up``) writes the engine's events, one
JSON object a line; each verdict of a policy pack is a ``policyEvent`` with the
resource's URN, the policy, its enforcement level and the message. They are
read with the Pulumi SDK's own event types and reported with the plan's SARIF
writer, pointing at the stack file's lines as the offline plan does, as a run of its own
(category ``agentcore-egress/stack/<stack>``) so that each stack's upload keeps its alerts:

    python -m agentcore_egress.cli.engine_policy_events STACKS_DIR --stack NAME --events events.jsonl --output policy.sarif
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from agentcore_egress.simulation.footprint import Footprint
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.planner.plan import PlanResult, StackPlan
from agentcore_egress.planner.policy_analyzer import Finding
from agentcore_egress.planner.source_tree import SourceTree
from agentcore_egress.stacks.config_schema import ConfigError
from agentcore_egress.stacks.regular_file import read_regular

MAX_EVENT_LOG_BYTES = 64 * 1024 * 1024
"""A preview's event log is a few megabytes; this bounds what a wrong path (a device, a huge file) can make it read."""

from agentcore_egress.reports.sarif import automation_id


def policy_findings(lines: Iterable[str]) -> list[Finding]:
    """Every policy event of an engine event log, once (the engine may repeat one in preview and update)."""
    from pulumi.automation.events import EngineEvent

    findings: dict[tuple, Finding] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = EngineEvent.from_json(json.loads(line)).policy_event
        except (ValueError, TypeError, AttributeError) as error:
            raise ConfigError([f"line {number}: not an engine event ({error}). Fix: pass the file written by --event-log"]) from None
        if event is None:
            continue
        level = "mandatory" if event.enforcement_level == "mandatory" else "advisory"
        finding = Finding(policy=event.policy_name, level=level, message=event.message.strip(), urn=event.resource_urn or "")
        findings.setdefault((finding.policy, finding.urn, finding.message), finding)
    return list(findings.values())


def entry_of(config: Any, urn: str) -> str:
    """The key path of the config entry a resource was most likely built from ("" for none).

    An event names a resource by its URN only. The account program names a component after its
    config entry and every child ``<component>-<role>``, so the entry is the one whose name is the
    longest dash-delimited prefix of the resource's name (in ``plan`` the recorded names are exact).
    """
    name = urn.rsplit("::", 1)[-1]
    best = ("", -1)
    for section, entries in config:
        if not isinstance(entries, (list, tuple)):
            continue
        for index, entry in enumerate(entries):
            label = getattr(entry, "name", None) or getattr(entry, "vpc", None)
            if isinstance(label, str) and (name == label or name.startswith(f"{label}-")) and len(label) > best[1]:
                best = (f"{section}[{index}]", len(label))
    return best[0]


def sarif_of_events(zone: LandingZone, stack: str, lines: Iterable[str], version: str) -> str:
    from agentcore_egress.reports.plan_report import sarif

    if stack not in zone.stacks:
        raise ConfigError([f"--stack: {stack!r} is not a stack of this landing zone. Fix: use one of {sorted(zone.stacks)}"])
    account = zone.stacks[stack].config.account
    wave = next(number for number, names in enumerate(zone.waves(), start=1) if stack in names)
    config = zone.stacks[stack].config
    findings = [finding.located(stack, entry_of(config, finding.urn)) for finding in policy_findings(lines)]
    plan = StackPlan(name=stack, account_id=account.id, region=account.region, file=zone.stacks[stack].display_file, wave=wave,
                     registrations=[], outputs={}, findings=findings, footprint=Footprint(), seconds=0.0)
    result = PlanResult(zone=zone, stacks=[plan], cross_stack=[])
    return sarif(result, version, automation_id(SourceTree.of(zone), "stack", stack))


def main(argv: Optional[Sequence[str]] = None) -> int:
    from agentcore_egress.cli.main import _version

    parser = argparse.ArgumentParser(prog="python -m agentcore_egress.cli.engine_policy_events", description=__doc__.splitlines()[0])
    parser.add_argument("stacks_dir", type=Path, metavar="STACKS_DIR")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--events", type=Path, required=True, metavar="FILE", help="the file pulumi wrote with --event-log")
    parser.add_argument("--output", type=Path, required=True, metavar="FILE")
    args = parser.parse_args(argv)
    try:
        zone = LandingZone.load(args.stacks_dir)
        events = read_regular(args.events, str(args.events), MAX_EVENT_LOG_BYTES, what="engine event log").decode("utf-8", errors="replace")
        text = sarif_of_events(zone, args.stack, events.splitlines(), _version())
    except ConfigError as error:
        for problem in error.problems:
            print(f"error: {args.events}: {problem}" if problem.startswith("line ") else f"error: {problem}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {args.events}: {error.strerror}", file=sys.stderr)
        return 2
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
