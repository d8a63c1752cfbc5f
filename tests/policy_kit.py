"""Run one rule on hand-built resources, through the runner ``plan`` and ``audit`` judge with.

Each rule is built from its declaration into the pack's policy and judged by ``PolicyRunner``
from the engine's requests (``described_resources``), so what a test sees is what a user sees:
the message without the policy's description, and a value unknown at preview as the SDK's
advisory "can't run policy … during preview: … cannot verify at preview …".

An AgentCore-path rule judges every resource here (``offPath: "report"``), so that its check is
tested on its own; ``scoped=True`` keeps the path scope (test_pack_scope.py tests the scope).
"""

from __future__ import annotations

from typing import Any, Optional

from agentcore_egress.policies.described_resources import DescribedResource, Verdict, analyze_stack_request, configured_runner, judge
from agentcore_egress.policies.policy_builder import build_policy
from agentcore_egress.policies.policy_runner import PolicyRunner, StackResources, stack_resources
from agentcore_egress.policies.rule_declaration import AGENTCORE_PATH, RuleDeclaration

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"
PREVIEW_NOTE = "can't run policy"
"""How the policy SDK starts the advisory it makes of a rule's 'cannot verify at preview'."""


def runner(rule: RuleDeclaration, config: Optional[dict] = None, scoped: bool = False) -> PolicyRunner:
    """``rule``'s policy alone in a runner, configured at the rule's level with ``config``."""
    scope = {"offPath": "report"} if rule.kind == AGENTCORE_PATH and not scoped else {}
    return configured_runner("agentcore-egress", [build_policy(rule)], {rule.id: {"enforcementLevel": rule.level.value, **scope, **(config or {})}})


def check_resource(rule: RuleDeclaration, type_: str, props: dict, name: str = "res", config: Optional[dict] = None,
                   provider_props: Optional[dict] = None) -> list[str]:
    """Run a resource rule on one resource (an ``Analyze``); return the messages (violations and preview notes)."""
    resource = DescribedResource(type_, name, name, props)
    return [verdict.message for verdict in judge(runner(rule, config), [resource], provider_props, as_stack=False)]


class Stack:
    """A hand-built stack for stack rules (an ``AnalyzeStack``, with property dependencies)."""

    def __init__(self) -> None:
        self.resources: list[DescribedResource] = []

    def add(self, type_: str, name: str, props: dict[str, Any], deps: Optional[dict[str, list[DescribedResource]]] = None) -> DescribedResource:
        resource = DescribedResource(type_, name, name, props, deps or {})
        self.resources.append(resource)
        return resource

    def verdicts(self, rule: RuleDeclaration, config: Optional[dict] = None, scoped: bool = False) -> list[Verdict]:
        return judge(runner(rule, config, scoped), self.resources, one_by_one=False)

    def check(self, rule: RuleDeclaration, config: Optional[dict] = None, scoped: bool = False) -> list[tuple[str, Optional[str]]]:
        """(message, URN of the resource it is on) of each diagnostic."""
        return [(verdict.message, verdict.resource.urn if verdict.resource else None) for verdict in self.verdicts(rule, config, scoped)]

    def policy_resources(self) -> StackResources:
        """The resources as a stack policy reads them (for calling the path model directly)."""
        return stack_resources(analyze_stack_request(self.resources).resources)
