"""The table of ``plan``'s own rules in the repository's README.md, rendered from :data:`.findings.PLANNER_RULES`.

The table sits between ``<!-- plan-rules-table:start -->`` and ``<!-- plan-rules-table:end -->``;
``tests/test_rule_declarations.py`` fails when it differs from the rendering. After adding or changing
a rule in ``findings.py``, regenerate it:

    python -m agentcore_egress.planner.rules_readme
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from agentcore_egress.policies.rules_readme import replace_part

from agentcore_egress.stacks.findings import PLANNER_RULES, Rule

PART = "plan-rules-table"
README_FILE = Path(__file__).resolve().parents[1] / "README.md"
"""The repository's README (this package's folders are the repository's)."""


def plan_rules_table(rules: Iterable[Rule]) -> str:
    """One row per rule of ``plan``: what it checks, its default level and its severity."""
    lines = ["| rule | checks | default | severity |", "|---|---|---|---|"]
    lines += [f"| `{rule.id}` | {rule.description} | {rule.level} | {rule.severity} |" for rule in rules]
    return "\n".join(lines)


def render_readme(text: str) -> str:
    """``text`` with the table of ``plan``'s rules rendered from :data:`.findings.PLANNER_RULES`."""
    return replace_part(text, PART, plan_rules_table(PLANNER_RULES.values()))


def main() -> None:
    README_FILE.write_text(render_readme(README_FILE.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
