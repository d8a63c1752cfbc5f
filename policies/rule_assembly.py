"""How a rule module becomes a policy of the pack: its metadata, its kind's scope, its automatic fix.

Each rule module keeps its check (``policy``) and, next to it, a small
:class:`RuleMetadata` block (``METADATA``). :func:`assemble` puts the metadata on
the policy as pulumi-policy 1.21 carries it to the engine (``severity``,
``framework``, ``tags``, ``remediation_steps``, ``url``), scopes AgentCore-path
rules to the path (:mod:`.agentcore_path`) and gives rules with a safe fix a
``remediate`` (used at the ``remediate`` enforcement level).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

from pulumi_policy import (
    Policy,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from .agentcore_path import SCOPE_SCHEMA, Scope, marked, path_urns
from .properties import Unverified

AGENTCORE_PATH = "agentcore-path"
"""Kind of rule that judges only resources on an AgentCore path."""
GENERAL = "general"
"""Kind of rule that judges every resource of its types."""
FSBP = "AWS Foundational Security Best Practices"
README = "policies/README.md"
"""Where each rule's section lives (``url`` is ``README#<rule id>``); relative to the repository root."""


StackCheck = Callable[[Sequence[Any], Mapping[str, str], ReportViolation, Unverified], None]
"""A resource rule's part that needs the whole stack (``check_stack(resources, on_path, report_violation, unverified)`` in its
module): run at stack time on every on-path resource, marked or not, after the resource check."""


@dataclass(frozen=True)
class RuleMetadata:
    kind: str
    severity: Severity
    remediation_steps: str
    controls: tuple[str, ...] = ()
    """Security Hub FSBP control ids the rule implements, where one matches."""
    tags: tuple[str, ...] = ()
    fix: Optional[Mapping[str, Any]] = None
    """Properties that make a violating resource comply, when setting them is always safe."""


def framework(controls: tuple[str, ...]) -> Optional[PolicyComplianceFramework]:
    if not controls:
        return None
    return PolicyComplianceFramework(name=FSBP, version="1.0.0", reference=", ".join(controls),
                                     specification="https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html")


def assemble(module: Any) -> Policy:
    """``module.policy`` with ``module.METADATA`` applied, scoped and remediable as its kind says."""
    policy, meta = module.policy, module.METADATA
    policy.severity = meta.severity
    policy.framework = framework(meta.controls)
    policy.tags = [meta.kind, *meta.tags]
    policy.remediation_steps = meta.remediation_steps
    policy.url = f"{README}#{policy.name}"
    if isinstance(policy, StackValidationPolicy):
        return PathStackRule(policy) if meta.kind == AGENTCORE_PATH else policy
    if meta.kind == AGENTCORE_PATH:
        return PathResourceRule(policy, meta.fix, getattr(module, "check_stack", None))
    return ResourceRule(policy, meta.fix) if meta.fix else policy


def _with_scope_schema(inner: Policy) -> PolicyConfigSchema:
    properties = dict(inner.config_schema.properties) if inner.config_schema else {}
    properties.update(SCOPE_SCHEMA)
    return PolicyConfigSchema(properties=properties, required=inner.config_schema.required if inner.config_schema else None)


def _adopt(target: Policy, inner: Policy, schema: Optional[PolicyConfigSchema]) -> None:
    """``inner``'s name, level and metadata on ``target``, whose own methods do the validating (no callbacks)."""
    Policy.__init__(target, inner.name, inner.description, inner.enforcement_level, schema, inner.display_name, inner.severity,
                    inner.framework, inner.tags, inner.remediation_steps, inner.url)
    # The SDK's base classes keep their callbacks in private attributes that its checks read.
    target._ResourceValidationPolicy__validate = None  # type: ignore[attr-defined]
    target._ResourceValidationPolicy__remediate = None  # type: ignore[attr-defined]
    target._StackValidationPolicy__validate = None  # type: ignore[attr-defined]


def _violations(policy: ResourceValidationPolicy, args: ResourceValidationArgs) -> list[str]:
    found: list[str] = []
    policy.validate(args, lambda message, urn=None: found.append(message))
    return found


class ResourceRule(ResourceValidationPolicy):
    """A resource rule run as written, with a remediation where its metadata names a safe fix."""

    def __init__(self, inner: ResourceValidationPolicy, fix: Optional[Mapping[str, Any]], schema: Optional[PolicyConfigSchema] = None) -> None:
        _adopt(self, inner, schema or inner.config_schema)
        self.inner = inner
        self.fix = dict(fix) if fix else None

    def applies(self, args: ResourceValidationArgs) -> bool:
        return True

    def validate(self, args: Any, report_violation: ReportViolation) -> None:
        if self.applies(args):
            self.inner.validate(args, report_violation)

    def remediate(self, args: ResourceValidationArgs) -> Optional[Mapping[str, Any]]:
        """The resource's properties with the fix applied, if it violates the rule and the fix makes it comply."""
        if not self.fix or not self.applies(args) or not _violations(self.inner, args):
            return None
        fixed = dict(serialize_properties(args.props))
        fixed.update(self.fix)
        fixed_args = ResourceValidationArgs(args.resource_type, unknown_checking_proxy(fixed), args.urn, args.name, args.opts, args.provider,
                                            args.get_config(), args.stack_tags)
        return None if _violations(self.inner, fixed_args) else fixed


class PathResourceRule(ResourceRule, StackValidationPolicy):
    """An AgentCore-path resource rule: a resource policy for resources marked as on the path, and at stack
    time the same check for resources only the stack shows on the path (by dependencies or names).

    It is both a resource and a stack policy, so the engine calls it from ``Analyze`` (before each
    resource is created) and from ``AnalyzeStack`` (at the end of preview and update).
    """

    def __init__(self, inner: ResourceValidationPolicy, fix: Optional[Mapping[str, Any]], check_stack: Optional[StackCheck] = None) -> None:
        super().__init__(inner, fix, _with_scope_schema(inner))
        self.check_stack = check_stack

    def applies(self, args: ResourceValidationArgs) -> bool:
        scope = Scope.from_config(args.get_config())
        return scope.everywhere or marked(scope, args.resource_type, args.name, args.urn, args.props, args)

    def validate(self, args: Any, report_violation: ReportViolation) -> None:
        if isinstance(args, StackValidationArgs):
            self._validate_unmarked(args, report_violation)
        else:
            super().validate(args, report_violation)

    def _validate_unmarked(self, args: StackValidationArgs, report_violation: ReportViolation) -> None:
        scope = Scope.from_config(args.get_config())
        by_urn = {resource.urn: resource for resource in args.resources}
        # offPath "report": every resource was judged as if marked (the resource policy), and the stack check judges them all.
        on_path = dict.fromkeys(by_urn, "marked") if scope.everywhere else path_urns(scope, args.resources)
        undecided = Unverified()
        for urn, reason in on_path.items():
            resource = by_urn.get(urn)
            if reason == "marked" or resource is None:
                continue
            resource_args = ResourceValidationArgs(resource.resource_type, resource.props, resource.urn, resource.name, resource.opts,
                                                   resource.provider, args.get_config(), args.stack_tags)
            try:
                self.inner.validate(resource_args, _on_path_reporter(report_violation, reason, urn))
            except UnknownValueError as unknown:  # one resource's "cannot verify" must not hide the others' findings
                undecided.add_unknown(unknown)
        if self.check_stack is not None:
            self.check_stack(list(args.resources), on_path, lambda message, urn: _on_path_reporter(report_violation, on_path[urn], urn)(message),
                             undecided)
        undecided.settle()


def _on_path_reporter(report_violation: ReportViolation, reason: str, urn: str) -> Callable[..., None]:
    """Reports on ``urn``, saying why it is on the path unless it marks itself."""
    def report(message: str, _urn: Optional[str] = None) -> None:
        report_violation(message if reason == "marked" else f"{message} (on an AgentCore path: {reason})", urn)

    return report


class PathStackRule(StackValidationPolicy):
    """An AgentCore-path stack rule: its findings on resources that are not on a path are dropped."""

    def __init__(self, inner: StackValidationPolicy) -> None:
        _adopt(self, inner, _with_scope_schema(inner))
        self.inner = inner

    def validate(self, args: StackValidationArgs, report_violation: ReportViolation) -> None:
        scope = Scope.from_config(args.get_config())
        if scope.everywhere:
            self.inner.validate(args, report_violation)
            return
        on_path = path_urns(scope, args.resources)

        def report(message: str, urn: Optional[str] = None) -> None:
            if urn in on_path:
                _on_path_reporter(report_violation, on_path[urn], urn)(message)

        self.inner.validate(args, report)
