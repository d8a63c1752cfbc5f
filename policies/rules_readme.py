"""The rules table and the rule reference of ``policies/README.md``, rendered from the rules' declarations.

The README keeps each generated part between two HTML comments, ``<!-- rules-table:start -->`` and
``<!-- rules-table:end -->`` (the same for ``rules-reference``); :func:`render_readme` replaces what is
between them and leaves the rest as written. ``tests/test_rule_declarations.py`` fails when the committed
README differs from the rendering. After changing a declaration, regenerate it:

    python -m agentcore_egress.policies.rules_readme
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from .rule_declaration import AGENTCORE_PATH, KINDS, RuleDeclaration

README_FILE = Path(__file__).resolve().parent / "README.md"


def _configure(rule: RuleDeclaration) -> str:
    if rule.docs.configure:
        return rule.docs.configure
    return "level, path options" if rule.kind == AGENTCORE_PATH else "level"


def rules_table(rules: Iterable[RuleDeclaration]) -> str:
    """One row per rule: what it checks, on which types, its default level and severity, the fix, its options, unset and unknown values."""
    lines = ["| rule | kind | checks | resource types | default | severity | fix | configure | unset / unknown (first preview) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for rule in rules:
        cells = (f"[`{rule.id}`](#{rule.id})", KINDS[rule.kind], rule.docs.checks, rule.docs.resource_types, rule.level.value,
                 rule.severity.value, rule.docs.fix, _configure(rule), rule.docs.unset_unknown)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def rule_reference(rules: Iterable[RuleDeclaration]) -> str:
    """One section per rule (the anchor a policy's ``url`` names): kind, severity, Security Hub controls, automatic fix."""
    sections = []
    for rule in rules:
        controls = f"FSBP {', '.join(rule.controls)}" if rule.controls else "no FSBP control"
        sections.append(f"### {rule.id}\n{KINDS[rule.kind]} · {rule.severity.value} · {controls} · {rule.docs.reference}")
    return "\n\n".join(sections)


SECTIONS: dict[str, Callable[[Iterable[RuleDeclaration]], str]] = {"rules-table": rules_table, "rules-reference": rule_reference}
"""Each generated part of the README, by the name of its markers."""


def replace_part(text: str, name: str, body: str) -> str:
    """``text`` with the lines between ``<!-- name:start -->`` and ``<!-- name:end -->`` replaced by ``body``.
    ValueError when the markers are missing."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    pattern = re.compile(re.escape(start) + r"\n.*?\n" + re.escape(end), re.S)
    if not pattern.search(text):
        raise ValueError(f"the README has no {start} … {end} part. Fix: put the two markers, each on a line of its own, around it")
    return pattern.sub(lambda _match: f"{start}\n{body}\n{end}", text, count=1)


def render_readme(text: str, rules: list[RuleDeclaration]) -> str:
    """``text`` with every generated part rendered from ``rules``. ValueError when a part's markers are missing."""
    for name, render in SECTIONS.items():
        text = replace_part(text, name, render(rules))
    return text


def main() -> None:
    """Rewrite the README's generated parts from the declarations."""
    from .rules import DECLARATIONS

    README_FILE.write_text(render_readme(README_FILE.read_text(encoding="utf-8"), DECLARATIONS), encoding="utf-8")


if __name__ == "__main__":
    main()
