"""Preflight checks and audit findings as a table, JSON, Markdown or SARIF."""

from __future__ import annotations

import itertools
import json
import textwrap
from collections.abc import Sequence
from typing import Any

from agentcore_egress.live.audit import AuditResult
from agentcore_egress.live.preflight import FAIL, PASS, Check
from agentcore_egress.live.preflight_checks import PREFLIGHT_CHECKS, preflight_rule
from agentcore_egress.stacks.findings import ADVISORY, MANDATORY, pack_rules
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.planner.source_tree import SourceTree

from .sarif import automation_id, sarif_document, sarif_location, sarif_result


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


TEXT_WIDTH = 100
"""Columns the preflight report fits in."""
_DETAIL = " " * 13  # under the check's name, past "  NO-ACCESS  "


def _wrapped(text: str, indent: str, hanging: str = "") -> list[str]:
    """``text`` in lines of at most TEXT_WIDTH columns (a word longer than a line is broken), continuing at ``hanging``."""
    return textwrap.wrap(text, TEXT_WIDTH, initial_indent=indent, subsequent_indent=hanging or indent, break_on_hyphens=False)


def preflight_text(checks: list[Check]) -> str:
    """Per stack its checks: status, check and subject, then the reason and, for a check that did not pass, its fix, once."""
    lines: list[str] = []
    for stack, group in itertools.groupby(checks, key=lambda c: c.stack):
        first = next(group)
        lines += _wrapped(f"{stack}: account {first.account} in {first.region}", "", "  ")
        for c in (first, *group):
            lines += _wrapped(f"{c.status.upper():<9}  {c.name}" + (f"  {c.subject}" if c.subject else ""), "  ", _DETAIL)
            lines += _wrapped(c.reason, _DETAIL)
            if c.fix and c.status != PASS:
                lines += _wrapped(f"Fix: {c.fix}", _DETAIL)
    counts = {status: sum(1 for c in checks if c.status == status) for status in ("pass", "fail", "skipped", "no-access")}
    return "\n".join(lines) + "\n\n" + ", ".join(f"{n} {s}" for s, n in counts.items()) + "\n"


def audit_text(result: AuditResult) -> str:
    findings = result.findings
    notes = "".join(f"note: {note}\n" for note in result.notes)
    summary = f"audit of {result.accounts} account(s), {result.resources} resources read"
    if not findings:
        return f"{notes}{summary}: no findings\n"
    rows = [(f.account, f.region, f.level.upper(), f.policy, f.resource, f.message) for f in findings]
    mandatory = sum(1 for f in findings if f.level == "mandatory")
    return _table(("account", "region", "level", "rule", "resource", "message"), rows) + \
        f"\n\n{notes}{summary}: {mandatory} mandatory, {len(findings) - mandatory} advisory finding(s)\n"


def _markdown(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    escape = lambda value: str(value).replace("|", "\\|")  # noqa: E731
    return "\n".join(["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers), *("| " + " | ".join(escape(c) for c in r) + " |" for r in rows)])


def _account_location(tree: SourceTree, zone: LandingZone, stack: str, logical: str) -> dict[str, Any]:
    """A live finding's location: the ``account`` key of its stack's file (the account it was read in)."""
    source = zone.stacks[stack]
    return sarif_location(tree, source.file, source.source.line_of("account"), logical)


def _preflight_sarif(checks: list[Check], zone: LandingZone, version: str) -> str:
    tree = SourceTree.of(zone)
    rules = list(PREFLIGHT_CHECKS.values()) + [preflight_rule(name) for name in sorted({c.name for c in checks} - set(PREFLIGHT_CHECKS))]
    results = [sarif_result(rules, preflight_rule(c.name).id, MANDATORY if c.status == FAIL else ADVISORY,
                            f"{c.subject}: {c.reason}" + (f" Fix: {c.fix}" if c.fix else ""),
                            _account_location(tree, zone, c.stack, f"{c.account}/{c.region}/{c.subject or c.name}"))
               for c in checks if c.status not in ("pass", "skipped")]
    return sarif_document(rules, results, version, tree, automation_id(tree, "preflight"))


def _audit_sarif(result: AuditResult, zone: LandingZone, version: str) -> str:
    tree = SourceTree.of(zone)
    rules = list(pack_rules().values())
    results = [sarif_result(rules, f.policy, f.level, f.message, _account_location(tree, zone, f.stack, f.resource)) for f in result.findings]
    return sarif_document(rules, results, version, tree, automation_id(tree, "audit"))


def render_preflight(checks: list[Check], fmt: str, zone: LandingZone, version: str) -> str:
    if fmt == "json":
        return json.dumps([c.__dict__ for c in checks], indent=2) + "\n"
    if fmt == "markdown":
        return "# agentcore-egress preflight\n\n" + _markdown(("stack", "account", "check", "status", "subject", "reason", "fix"),
                                                             [(c.stack, c.account, c.name, c.status, c.subject, c.reason, c.fix) for c in checks]) + "\n"
    if fmt == "sarif":
        return _preflight_sarif(checks, zone, version)
    return preflight_text(checks)


def render_audit(result: AuditResult, fmt: str, zone: LandingZone, version: str) -> str:
    findings = result.findings
    if fmt == "json":
        return json.dumps({"findings": [f.__dict__ for f in findings], "notes": result.notes,
                           "accounts": result.accounts, "resources": result.resources}, indent=2) + "\n"
    if fmt == "markdown":
        return "# agentcore-egress audit\n\n" + (_markdown(("account", "region", "level", "rule", "resource", "message"),
                                                          [(f.account, f.region, f.level, f.policy, f.resource, f.message) for f in findings])
                                                if findings else "No findings.") + "\n"
    if fmt == "sarif":
        return _audit_sarif(result, zone, version)
    return audit_text(result)
