"""Run the policy pack's rules in process on resources described as plain dicts.

``audit`` judges live AWS resources with the very rules the pack enforces at
deployment: it describes each live resource with the pulumi-aws properties the
rules read, and calls the rules here, with arguments built as the policy SDK
builds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import unknown_checking_proxy

from .policy_runner import resource_options


@dataclass
class LiveResource:
    """A resource as the rules see it: pulumi-aws type token and input/output property names."""

    type: str
    name: str
    id: str
    props: dict[str, Any]
    depends_on: dict[str, list["LiveResource"]] = field(default_factory=dict)
    """Property name to the resources it refers to (what the engine calls property dependencies)."""


@dataclass(frozen=True)
class RuleFinding:
    policy: str
    level: str
    message: str
    resource_id: str


def _urn(resource: LiveResource) -> str:
    return f"urn:aws:{resource.type}::{resource.id}"


def run_rules(resources: list[LiveResource], rules: list[Any], config: Optional[Mapping[str, Any]] = None) -> list[RuleFinding]:
    """Every rule over ``resources``; ``config`` as for ``--policy-pack-config`` (level or options per rule)."""
    config = dict(config or {})
    findings: list[RuleFinding] = []
    by_urn = {_urn(r): r for r in resources}
    policy_resources: dict[str, PolicyResource] = {}
    for resource in resources:
        policy_resources[_urn(resource)] = PolicyResource(
            resource.type, unknown_checking_proxy(resource.props), _urn(resource), resource.name, resource_options(), None, None, [], {}
        )
    for urn, resource in by_urn.items():
        policy_resources[urn].property_dependencies = {
            key: [policy_resources[_urn(other)] for other in others if _urn(other) in policy_resources] for key, others in resource.depends_on.items()
        }
    for rule in rules:
        entry = config.get(rule.name, {})
        options = {"enforcementLevel": entry} if isinstance(entry, str) else dict(entry)
        level_name = options.pop("enforcementLevel", None)
        level = EnforcementLevel(level_name) if level_name else rule.enforcement_level or EnforcementLevel.ADVISORY
        if level == EnforcementLevel.DISABLED:
            continue

        def report(message: str, urn: Optional[str] = None, *, current: Optional[str] = None, rule=rule, level=level) -> None:
            target = by_urn.get(urn or current or "")
            findings.append(RuleFinding(rule.name, level.value if level != EnforcementLevel.REMEDIATE else "mandatory", message,
                                        target.id if target else (urn or current or "")))

        if isinstance(rule, StackValidationPolicy):
            rule.validate(StackValidationArgs(list(policy_resources.values()), options or None), report)
        # An AgentCore-path resource rule is both: resources marked as on the path are judged one by one,
        # those only the stack shows on the path at stack level.
        if isinstance(rule, ResourceValidationPolicy):
            for urn, resource in by_urn.items():
                args = ResourceValidationArgs(resource.type, unknown_checking_proxy(resource.props), urn, resource.name, resource_options(), None, options or None)
                rule.validate(args, lambda message, _urn=None, current=urn: report(message, current=current))
    return findings
