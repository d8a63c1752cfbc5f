"""How a rule's declaration becomes a policy of the pack: built once, through pulumi-policy's public constructors.

A :class:`~.rule_declaration.RuleDeclaration` becomes

- a general resource rule: a ``ResourceValidationPolicy`` running its check, with a ``remediate`` where it
  declares a safe fix;
- a general stack rule: a ``StackValidationPolicy`` running its check;
- an AgentCore-path stack rule: a ``StackValidationPolicy`` that keeps the check's findings on on-path
  resources only (:mod:`.agentcore_path`);
- an AgentCore-path resource rule: a :class:`ResourceAndStackPolicy`, which the engine asks both before
  each resource is created (``Analyze``: resources marked as on the path) and at the end of the stack
  (``AnalyzeStack``: the same check on the resources only the stack shows on the path, then the rule's
  ``check_stack``). It answers from a ``ResourceValidationPolicy`` and a ``StackValidationPolicy`` of
  the same name, each built through its constructor.

Every field (name, description, level, config schema, severity, framework, tags, remediation steps, url)
is given to the constructor; nothing is set or cleared on a policy after it is built.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Callable, Optional

from pulumi_policy import (
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from .agentcore_path import Scope, marked, path_urns
from .properties import Unverified
from .rule_declaration import AGENTCORE_PATH, STACK, RuleDeclaration

Check = Callable[[Any, ReportViolation], Any]


def build_policy(rule: RuleDeclaration) -> Policy:
    """The pack's policy for ``rule``, as its kind and what it judges say."""
    fields = dict(description=rule.description, enforcement_level=rule.level, config_schema=rule.config_schema, severity=rule.severity,
                  framework=rule.framework, tags=rule.policy_tags, remediation_steps=rule.remediation, url=rule.url)
    on_path = rule.kind == AGENTCORE_PATH
    if rule.judges == STACK:
        return StackValidationPolicy(rule.id, validate=_on_path_findings(rule.validate) if on_path else rule.validate, **fields)
    applies = _marked if on_path else _everywhere
    remediate = _remediation(rule.validate, rule.fix, applies) if rule.fix else None
    resource = ResourceValidationPolicy(rule.id, validate=_where(applies, rule.validate), remediate=remediate, **fields)
    if not on_path:
        return resource
    return ResourceAndStackPolicy(resource, StackValidationPolicy(rule.id, validate=_unmarked_on_path(rule), **fields))


class ResourceAndStackPolicy(ResourceValidationPolicy, StackValidationPolicy):
    """One policy the engine runs both as a resource policy and as a stack policy (it is an instance of both):
    ``Analyze`` and ``Remediate`` are answered by ``resource_policy``, ``AnalyzeStack`` by ``stack_policy``.

    Its fields are ``resource_policy``'s (the two are built from one declaration); it overrides the SDK's public
    methods (``validate``, ``has_validation``, ``remediate``, ``has_remediation``) and reads no private field.
    """

    def __init__(self, resource_policy: ResourceValidationPolicy, stack_policy: StackValidationPolicy) -> None:
        # Policy's own constructor: the two subclasses' constructors each call it, with their own arguments.
        Policy.__init__(self, resource_policy.name, resource_policy.description, resource_policy.enforcement_level,
                        resource_policy.config_schema, resource_policy.display_name, resource_policy.severity, resource_policy.framework,
                        resource_policy.tags, resource_policy.remediation_steps, resource_policy.url)
        self.resource_policy = resource_policy
        self.stack_policy = stack_policy

    def validate(self, args: Any, report_violation: ReportViolation) -> Any:
        policy = self.stack_policy if isinstance(args, StackValidationArgs) else self.resource_policy
        return policy.validate(args, report_violation)

    def has_validation(self) -> bool:
        return True

    def remediate(self, args: ResourceValidationArgs) -> Any:
        return self.resource_policy.remediate(args)

    def has_remediation(self) -> bool:
        return self.resource_policy.has_remediation()


def _everywhere(args: ResourceValidationArgs) -> bool:
    return True


def _marked(args: ResourceValidationArgs) -> bool:
    """Whether an AgentCore-path rule judges this resource before it is created: it marks itself as on the path, or the
    rule's config says to judge every resource (``offPath: report``)."""
    scope = Scope.from_config(args.get_config())
    return scope.everywhere or marked(scope, args.resource_type, args.name, args.urn, args.props, args)


def _where(applies: Callable[[ResourceValidationArgs], bool], check: Check) -> Check:
    if applies is _everywhere:
        return check

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> Any:
        return check(args, report_violation) if applies(args) else None

    return validate


def _violations(check: Check, args: ResourceValidationArgs) -> list[str]:
    found: list[str] = []
    check(args, lambda message, urn=None: found.append(message))
    return found


def _remediation(check: Check, fix: Mapping[str, Any], applies: Callable[[ResourceValidationArgs], bool]) -> Callable[..., Any]:
    """A ``remediate``: the resource's properties with ``fix`` applied, when it violates the rule and the fix makes it comply."""

    def remediate(args: ResourceValidationArgs) -> Optional[Mapping[str, Any]]:
        if not applies(args) or not _violations(check, args):
            return None
        fixed = {**serialize_properties(args.props), **fix}
        fixed_args = ResourceValidationArgs(args.resource_type, unknown_checking_proxy(fixed), args.urn, args.name, args.opts, args.provider,
                                            args.get_config(), args.stack_tags)
        return None if _violations(check, fixed_args) else fixed

    return remediate


def _on_path_reporter(report_violation: ReportViolation, reason: str, urn: str) -> Callable[..., None]:
    """Reports on ``urn``, saying why it is on the path unless it marks itself."""

    def report(message: str, _urn: Optional[str] = None) -> None:
        report_violation(message if reason == "marked" else f"{message} (on an AgentCore path: {reason})", urn)

    return report


def _unmarked_on_path(rule: RuleDeclaration) -> Check:
    """An AgentCore-path resource rule at stack time: its check on the resources only the stack shows on the path
    (marked ones were judged before they were created), then its ``check_stack`` on every on-path resource."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        scope = Scope.from_config(args.get_config())
        by_urn = {resource.urn: resource for resource in args.resources}
        # offPath "report": every resource was judged as if marked (the resource policy), and check_stack judges them all.
        on_path = dict.fromkeys(by_urn, "marked") if scope.everywhere else path_urns(scope, args.resources)
        undecided = Unverified()
        for urn, reason in on_path.items():
            resource = by_urn.get(urn)
            if reason == "marked" or resource is None:
                continue
            resource_args = ResourceValidationArgs(resource.resource_type, resource.props, resource.urn, resource.name, resource.opts,
                                                   resource.provider, args.get_config(), args.stack_tags)
            try:
                rule.validate(resource_args, _on_path_reporter(report_violation, reason, urn))
            except UnknownValueError as unknown:  # one resource's "cannot verify" must not hide the others' findings
                undecided.add_unknown(unknown)
        if rule.check_stack is not None:
            rule.check_stack(list(args.resources), on_path, lambda message, urn: _on_path_reporter(report_violation, on_path[urn], urn)(message),
                             undecided)
        undecided.settle()

    return validate


def _on_path_findings(check: Check) -> Check:
    """An AgentCore-path stack rule: its findings on resources that are not on a path are dropped."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> Any:
        scope = Scope.from_config(args.get_config())
        if scope.everywhere:
            return check(args, report_violation)
        on_path = path_urns(scope, args.resources)

        def report(message: str, urn: Optional[str] = None) -> None:
            if urn in on_path:
                _on_path_reporter(report_violation, on_path[urn], urn)(message)

        return check(args, report)

    return validate
