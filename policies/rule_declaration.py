"""One declaration per rule: everything the pack, ``plan``, ``audit``, the reports and the README know of a rule.

Each module in ``rules/`` holds its check (``validate``) and one :class:`RuleDeclaration`,
``RULE``, next to it. Everything else is derived from the declarations, never written twice:

- the pack's policies (:func:`.policy_builder.build_policy`, constructed through pulumi-policy's
  public constructors with every field, scoped to the AgentCore path as the rule's kind says);
- what ``plan`` and ``audit`` check a policy config against (the policies' config schemas);
- what reports show of a rule (severity, fix, documentation: ``planner/findings.pack_rule``);
- the rules table and the rule reference of ``policies/README.md`` (:mod:`.rules_readme`; a test
  fails when the committed README differs from what the declarations render).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Optional

from pulumi_policy import EnforcementLevel, PolicyComplianceFramework, PolicyConfigSchema, ReportViolation, Severity

from .agentcore_path import SCOPE_SCHEMA
from .properties import Unverified

AGENTCORE_PATH = "agentcore-path"
"""Kind of rule that judges only resources on an AgentCore path."""
GENERAL = "general"
"""Kind of rule that judges every resource of its types."""
KINDS = {AGENTCORE_PATH: "AgentCore path", GENERAL: "General"}
"""Each kind as the README names it."""

RESOURCE = "resource"
"""A rule whose ``validate`` judges one resource (``ResourceValidationArgs``), before it is created."""
STACK = "stack"
"""A rule whose ``validate`` judges the whole stack (``StackValidationArgs``), at the end of preview and update."""

FSBP = "AWS Foundational Security Best Practices"
FSBP_SPECIFICATION = "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html"
README = "policies/README.md"
"""Where each rule's section lives (a policy's ``url`` is ``README#<rule id>``); relative to the repository root."""

StackPart = Callable[[Sequence[Any], Mapping[str, str], ReportViolation, Unverified], None]
"""A resource rule's part that needs the whole stack: ``check_stack(resources, on_path, report_violation, unverified)``,
run at stack time on every on-path resource, marked or not, after the resource check."""


@dataclass(frozen=True)
class RuleDocs:
    """What the README says of a rule beyond its declared facts (Markdown)."""

    checks: str
    """What the rule checks (the table's "checks")."""
    resource_types: str
    fix: str
    """The fix in a few words (the table's "fix"; the full steps are the declaration's ``remediation``)."""
    unset_unknown: str
    """What an unset value and a value unknown at the first preview mean to the rule."""
    reference: str
    """The rule's section in the rule reference, after its kind, severity and control: its automatic fix or why it has none."""
    configure: str = ""
    """The rule's options as a user writes them; empty: the level only (and, for AgentCore-path rules, the path options)."""


@dataclass(frozen=True)
class RuleDeclaration:
    """A rule of the pack, whole: its id, kind, default level, severity, controls, remediation, options and check."""

    id: str
    kind: str
    """:data:`AGENTCORE_PATH` or :data:`GENERAL`."""
    description: str
    level: EnforcementLevel
    severity: Severity
    remediation: str
    """How to make a violation go away (the policy's ``remediation_steps``)."""
    validate: Callable[..., Any]
    docs: RuleDocs
    judges: str = RESOURCE
    """:data:`RESOURCE` or :data:`STACK`: what ``validate`` is given."""
    controls: tuple[str, ...] = ()
    """Security Hub FSBP control ids the rule implements, where one matches."""
    tags: tuple[str, ...] = ()
    """Topics (after the kind, which is always the first tag)."""
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """The rule's own options: JSON-schema properties of its config (AgentCore-path rules also take :data:`SCOPE_SCHEMA`)."""
    fix: Optional[Mapping[str, Any]] = None
    """Properties that make a violating resource comply, when setting them is always safe (applied at ``remediate``)."""
    check_stack: Optional[StackPart] = None
    """An AgentCore-path resource rule's part that needs the whole stack."""

    @property
    def url(self) -> str:
        return f"{README}#{self.id}"

    @property
    def policy_tags(self) -> list[str]:
        return [self.kind, *self.tags]

    @property
    def framework(self) -> Optional[PolicyComplianceFramework]:
        if not self.controls:
            return None
        return PolicyComplianceFramework(name=FSBP, version="1.0.0", reference=", ".join(self.controls), specification=FSBP_SPECIFICATION)

    @property
    def config_schema(self) -> Optional[PolicyConfigSchema]:
        properties = {**self.options, **(SCOPE_SCHEMA if self.kind == AGENTCORE_PATH else {})}
        return PolicyConfigSchema(properties=properties) if properties else None
