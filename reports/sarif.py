"""SARIF 2.1.0 as GitHub code scanning reads it, shared by every command's ``--format sarif`` (plan, preflight,
audit) and by the engine's policy events.

What code scanning needs, from GitHub's "SARIF support for code scanning":

- one category per analysis: an ``automationDetails.id`` of ``category/run-id``, the category being
  everything before the last ``/``. The id in the file wins over the upload action's ``category`` input
  (the action fills it in only where a run has none), so each kind of run names its own
  (:func:`automation_id`): uploads of one commit with one category replace each other;
- rules with ``shortDescription``, ``fullDescription`` and ``help`` (:func:`sarif_rule`);
- locations relative to the repository root wherever the command runs (:class:`..planner.source_tree.SourceTree`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentcore_egress.stacks.findings import MANDATORY, Rule
from agentcore_egress.planner.source_tree import SourceTree

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/agentcore-egress/"
TOOL = "agentcore-egress"
SOURCE_ROOT = "%SRCROOT%"
"""The base id of every relative URI: the repository root (or the working directory outside git)."""
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
"""A rule's severity as code scanning's ``security-severity`` score, each in the middle of the band GitHub shows
under that name (over 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low)."""


def sarif_level(level: str) -> str:
    """A finding's enforcement level as SARIF's: mandatory is an error, the rest a warning."""
    return "error" if level == MANDATORY else "warning"


def _folder_uri(folder: Path) -> str:
    uri = folder.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def sarif_location(tree: SourceTree, file: Path, line: int, logical: str = "") -> dict[str, Any]:
    """A result's location: line ``line`` of ``file`` (relative to the repository root where it lies in it), and the
    resource (URN or live subject) it is about."""
    relative = tree.relative(file)
    artifact = {"uri": relative, "uriBaseId": SOURCE_ROOT} if relative is not None else {"uri": file.resolve().as_uri()}
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": line}}}
    if logical:
        location["logicalLocations"] = [{"fullyQualifiedName": logical, "kind": "resource"}]
    return location


def automation_id(tree: SourceTree, kind: str, name: str = "") -> str:
    """``agentcore-egress/<kind>/<name>/``: a category (before the last ``/``) per kind of run and landing zone, ``name``
    being the stacks folder from the repository root by default (``agentcore-egress/plan/stacks/``); no run id."""
    name = name or tree.stacks_folder()
    return f"{TOOL}/{kind}/" + (f"{name}/" if name not in ("", ".") else "")


def sarif_rule(rule: Rule, tree: SourceTree) -> dict[str, Any]:
    """One rule as code scanning shows it: its descriptions, help (text and Markdown), documentation and severity."""
    help_uri = tree.document_uri(rule.url)
    facts = f"Default level: {rule.level}. Severity: {rule.severity}."
    reference = f"\n\nReference: {help_uri}" if help_uri else ""
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": f"{rule.description} {rule.detail}".strip()},
        "help": {
            "text": f"{rule.description}\n\nFix: {rule.remediation}\n\n{facts}{reference}",
            "markdown": f"{rule.description}\n\n**Fix:** {rule.remediation}\n\n{facts}" + (f"\n\n[Rule reference]({help_uri})" if help_uri else ""),
        },
        "defaultConfiguration": {"level": sarif_level(rule.level)},
        "properties": {"tags": ["security", *rule.tags], "security-severity": SECURITY_SEVERITY[rule.severity]},
    }
    if help_uri:
        descriptor["helpUri"] = help_uri
    return descriptor


def sarif_result(rules: list[Rule], rule_id: str, level: str, message: str, location: dict[str, Any]) -> dict[str, Any]:
    """One result of ``rule_id`` (with its index in ``rules`` when it is one of them) at ``location``."""
    result: dict[str, Any] = {"ruleId": rule_id, "level": sarif_level(level), "message": {"text": message}, "locations": [location]}
    index = next((position for position, rule in enumerate(rules) if rule.id == rule_id), None)
    if index is not None:
        result["ruleIndex"] = index
    return result


def sarif_document(rules: list[Rule], results: list[dict[str, Any]], version: str, tree: SourceTree, automation: str) -> str:
    """One run of the agentcore-egress tool with its rules and results, as code scanning reads it."""
    return json.dumps({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": TOOL, "version": version, "informationUri": INFORMATION_URI,
                                "rules": [sarif_rule(rule, tree) for rule in rules]}},
            "automationDetails": {"id": automation},
            "originalUriBaseIds": {SOURCE_ROOT: {"uri": _folder_uri(tree.root)}},
            "results": results,
        }],
    }, indent=2) + "\n"
