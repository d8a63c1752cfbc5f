"""The SARIF 2.1.0 envelope every command's ``--format sarif`` shares (plan, preflight, audit)."""

from __future__ import annotations

import json
from typing import Any

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/agentcore-egress/"


def sarif_document(rules: list[dict[str, Any]], results: list[dict[str, Any]], version: str, automation_id: str) -> str:
    """One run of the agentcore-egress tool with its rules and results, as code-scanning services read it."""
    return json.dumps({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "agentcore-egress", "version": version, "informationUri": INFORMATION_URI, "rules": rules}},
            "automationDetails": {"id": automation_id},
            "results": results,
        }],
    }, indent=2) + "\n"
