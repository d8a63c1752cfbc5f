"""A policy pack's policies run in this process, answering the analyzer's requests through pulumi-policy's public API only.

The engine runs a pack as pulumi-policy builds it: ``PolicyPack(...)`` in the
pack's ``__main__.py`` serves the SDK's own analyzer service over gRPC. This
pack leaves that service as it is. ``plan`` (and the tests that stand for the
engine) need the same answers in process and fast, so :class:`PolicyRunner`
answers the same protobuf requests (``GetAnalyzerInfo``, ``Configure``,
``ConfigureStack``, ``Analyze``, ``AnalyzeStack``) with the SDK's semantics:

- a policy's level is its configured level, else its own, else the pack's;
  ``disabled`` policies do not run; ``remediate`` reports as ``mandatory``
  (a violation left after remediation);
- a violation is a diagnostic whose message is the policy's description, then
  a line with the policy's message;
- a policy that reads a value unknown at preview gets the advisory
  "can't run policy '…' from policy pack '…@v…' during preview: …";
- a policy that says it does not apply, or implements no ``validate``, is
  listed as not applicable.

It differs in one way that changes no answer: each request's properties are
decoded once (protobuf to Python, secrets and unknowns marked) and shared by
all policies, where pulumi-policy 1.21 decodes them again for every policy:
at 200 accounts about 270,000 conversions instead of 5,000. Sharing is safe
because policies read the properties they are given (the unknown-checking
proxy is read-only).

Only public names are used: the classes ``pulumi_policy`` exports, its public
modules ``deserialize`` and ``proxy``, and the analyzer's protobuf messages.
``tests/test_policy_runner.py`` sends the same requests to the SDK's service
and to this runner and requires identical answers, byte for byte.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from inspect import isawaitable
from typing import Any, Callable, Optional

from google.protobuf import empty_pb2, json_format
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

SDK_VERSION = "0.0.1"
"""The version pulumi-policy's Python service reports for every pack (the engine uses PulumiPolicy.yaml's)."""

_LEVELS = {
    EnforcementLevel.ADVISORY: proto.ADVISORY,
    EnforcementLevel.MANDATORY: proto.MANDATORY,
    EnforcementLevel.REMEDIATE: proto.REMEDIATE,
    EnforcementLevel.DISABLED: proto.DISABLED,
}
_LEVEL_OF = {value: level for level, value in _LEVELS.items()}
_SEVERITIES = {
    Severity.LOW: proto.POLICY_SEVERITY_LOW,
    Severity.MEDIUM: proto.POLICY_SEVERITY_MEDIUM,
    Severity.HIGH: proto.POLICY_SEVERITY_HIGH,
    Severity.CRITICAL: proto.POLICY_SEVERITY_CRITICAL,
}


class StackResources(list):
    """A stack's resources as one ``AnalyzeStack`` hands them to every stack policy, decoded and linked once.

    ``shared`` is where those policies may keep what they derive from the same resources (each reads, none
    changes a resource), so that the second policy asking does not derive it again: e.g. the AgentCore path.
    """

    def __init__(self, resources: Iterable[Any] = ()) -> None:
        super().__init__(resources)
        self.shared: dict[str, Any] = {}


class NotApplicable(Exception):
    """A policy's ``args.not_applicable(reason)``: the policy does not apply to what it was given."""

    def __init__(self, reason: Optional[str] = None) -> None:
        super().__init__(reason or "Policy does not apply")
        self.reason = reason


class _ResourceArgs(ResourceValidationArgs):
    def not_applicable(self, reason: Optional[str] = None) -> None:
        raise NotApplicable(reason)


class _StackArgs(StackValidationArgs):
    def not_applicable(self, reason: Optional[str] = None) -> None:
        raise NotApplicable(reason)


def decoded(properties: Any) -> Any:
    """Protobuf properties as a policy reads them: plain values, secrets and unknowns marked, unknowns raising when read."""
    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(properties)))


def resource_options(request: Any = None) -> PolicyResourceOptions:
    """A request's resource options as the SDK gives them to a policy (none set when ``request`` is None)."""
    if request is None:
        return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    opts = request.options
    timeouts = (PolicyCustomTimeouts(opts.customTimeouts.create, opts.customTimeouts.update, opts.customTimeouts.delete)
                if opts.HasField("customTimeouts") else PolicyCustomTimeouts(0, 0, 0))
    return PolicyResourceOptions(opts.protect, opts.ignoreChanges, opts.deleteBeforeReplace if opts.deleteBeforeReplaceDefined else None,
                                 opts.aliases, timeouts, opts.additionalSecretOutputs, opts.parent or None)


def _provider(request: Any) -> Optional[PolicyProviderResource]:
    if not request.HasField("provider"):
        return None
    provider = request.provider
    return PolicyProviderResource(provider.type, decoded(provider.properties), provider.urn, provider.name)


def _run_to_end(result: Any) -> None:
    """A policy's ``validate`` may be a coroutine: run it to its end, as the SDK does, on a loop of its own."""
    if isawaitable(result):
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(result)
        finally:
            loop.close()


class PolicyRunner:
    """A pack's policies answering the analyzer's requests in this process (see the module's docstring).

    Built from what the pack's ``PolicyPack(...)`` was given (the same arguments); the analyzer's methods take
    ``(request, context)`` as a gRPC servicer's do, so the engine's client can drive it directly.
    """

    def __init__(self, name: str, policies: list[Policy], enforcement_level: Optional[EnforcementLevel] = None,
                 initial_config: Optional[Mapping[str, Any]] = None, description: Optional[str] = None,
                 display_name: Optional[str] = None, readme: Optional[str] = None, provider: Optional[str] = None,
                 tags: Optional[list[str]] = None, repository: Optional[str] = None) -> None:
        self.name, self.version, self.policies = name, SDK_VERSION, list(policies)
        self.level = enforcement_level or EnforcementLevel.ADVISORY
        self.initial_config = initial_config
        self.about = {"description": description, "displayName": display_name, "readme": readme, "provider": provider,
                      "repository": repository}
        self.tags = tags
        self.config: dict[str, dict[str, Any]] = {}
        self.levels: dict[str, EnforcementLevel] = {}
        self.stack_tags: Mapping[str, str] = {}

    # -- configuration, as the engine sends it ------------------------------------------------------------------

    def Configure(self, request: Any, _context: Any = None) -> empty_pb2.Empty:
        self.config = {name: json_format.MessageToDict(entry.properties) for name, entry in request.policyConfig.items()}
        self.levels = {name: _LEVEL_OF[entry.enforcementLevel] for name, entry in request.policyConfig.items()}
        return empty_pb2.Empty()

    def ConfigureStack(self, request: Any, _context: Any = None) -> Any:
        self.stack_tags = dict(request.tags)
        return proto.AnalyzerStackConfigureResponse()

    def level_of(self, policy: Policy) -> EnforcementLevel:
        """The level ``policy`` runs at: configured, else its own, else the pack's."""
        if policy.name in self.levels:
            return self.levels[policy.name]
        return policy.enforcement_level if policy.enforcement_level is not None else self.level

    def config_of(self, policy: Policy) -> Optional[dict[str, Any]]:
        """The policy's configured options (a copy: a policy may change what it is given), or None."""
        options = self.config.get(policy.name)
        return dict(options) if options else None

    # -- judging ------------------------------------------------------------------------------------------------

    def running(self, kind: type) -> Iterable[tuple[Policy, EnforcementLevel]]:
        """The policies of ``kind`` that run, each with the level its violations are reported at."""
        for policy in self.policies:
            level = self.level_of(policy)
            if level != EnforcementLevel.DISABLED and isinstance(policy, kind):
                yield policy, EnforcementLevel.MANDATORY if level == EnforcementLevel.REMEDIATE else level

    def Analyze(self, request: Any, _context: Any = None) -> Any:
        """One resource's inputs through every resource policy; the properties decoded once, for the first that runs."""
        response = proto.AnalyzeResponse()
        resource: Optional[tuple] = None
        for policy, level in self.running(ResourceValidationPolicy):
            if not policy.has_validation():  # a remediation-only policy
                response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name, reason="Policy does not implement validate"))
                continue
            if resource is None:
                resource = (request.type, decoded(request.properties), request.urn, request.name, resource_options(request), _provider(request))
            self.judge(policy, level, _ResourceArgs(*resource, self.config_of(policy), self.stack_tags), response)
        return response

    def AnalyzeStack(self, request: Any, _context: Any = None) -> Any:
        """A stack's resources through every stack policy; the resources decoded and linked once, for the first that runs."""
        response = proto.AnalyzeResponse()
        resources: Optional[StackResources] = None
        for policy, level in self.running(StackValidationPolicy):
            if resources is None:
                resources = stack_resources(request.resources)
            self.judge(policy, level, _StackArgs(resources, self.config_of(policy), self.stack_tags), response)
        return response

    def judge(self, policy: Policy, level: EnforcementLevel, args: Any, response: Any) -> None:
        """Run one policy; its violations, preview advisory or "not applicable" go into ``response`` as the SDK puts them."""
        try:
            _run_to_end(policy.validate(args, self.reporter(policy, level, response)))
        except UnknownValueError as error:
            response.diagnostics.append(proto.AnalyzeDiagnostic(
                policyName=policy.name, policyPackName=self.name, policyPackVersion=self.version, urn="", description=policy.description,
                message=f"can't run policy '{policy.name}' from policy pack '{self.name}@v{self.version}' during preview: {error.message}",
                enforcementLevel=proto.ADVISORY,
            ))
        except NotApplicable as error:
            response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name, reason=error.reason or ""))

    def reporter(self, policy: Policy, level: EnforcementLevel, response: Any) -> Callable[..., None]:
        """The ``report_violation`` a policy is handed: each call one diagnostic, worded as the SDK words it."""

        def report_violation(message: str, urn: Optional[str] = None) -> None:
            if message and not isinstance(message, str):
                raise TypeError("Expected message to be a string")
            if urn is not None and not isinstance(urn, str):
                raise TypeError("Expected urn to be a string")
            response.diagnostics.append(proto.AnalyzeDiagnostic(
                policyName=policy.name, policyPackName=self.name, policyPackVersion=self.version,
                message=policy.description + (f"\n{message}" if message else ""), urn=urn or "", description=policy.description,
                enforcementLevel=_LEVELS[level], severity=_SEVERITIES.get(policy.severity, proto.POLICY_SEVERITY_UNSPECIFIED),
            ))

        return report_violation

    # -- what the pack is ---------------------------------------------------------------------------------------

    def GetPluginInfo(self, _request: Any = None, _context: Any = None) -> Any:
        from pulumi_policy.version import VERSION

        return proto.PluginInfo(version=VERSION)

    def GetAnalyzerInfo(self, _request: Any = None, _context: Any = None) -> Any:
        info = proto.AnalyzerInfo(name=self.name, version=self.version, supportsConfig=True)
        for field, value in self.about.items():
            if value is not None:
                setattr(info, field, value)
        if self.tags is not None:
            info.tags.extend(self.tags)
        for key, value in (self.initial_config or {}).items():
            info.initialConfig[key].CopyFrom(_initial_config(value))
        for policy in self.policies:
            info.policies.append(_policy_info(policy, policy.enforcement_level if policy.enforcement_level is not None else self.level))
        return info


def stack_resources(entries: Iterable[Any]) -> StackResources:
    """An ``AnalyzeStack`` request's resources as stack policies read them: decoded, linked to their parents,
    dependencies and property dependencies (those in the request), in the request's order."""
    linked: list[tuple[PolicyResource, Any]] = []
    by_urn: dict[str, PolicyResource] = {}
    for entry in entries:
        resource = PolicyResource(entry.type, decoded(entry.properties), entry.urn, entry.name, resource_options(entry), _provider(entry),
                                  None, [], {})
        linked.append((resource, entry))
        by_urn[entry.urn] = resource
    for resource, entry in linked:
        if entry.parent in by_urn:
            resource.parent = by_urn[entry.parent]
        resource.dependencies.extend(by_urn[urn] for urn in entry.dependencies if urn in by_urn)
        for key, urns in entry.propertyDependencies.items():
            resource.property_dependencies[key] = [by_urn[urn] for urn in urns.urns if urn in by_urn]
    return StackResources(resource for resource, _ in linked)


def _initial_config(value: Any) -> Any:
    """One ``initial_config`` entry (a level, or options with an optional ``enforcementLevel``) as the analyzer's PolicyConfig."""
    config = proto.PolicyConfig()
    if isinstance(value, EnforcementLevel):
        config.enforcementLevel = _LEVELS[value]
        return config
    level = value.get("enforcementLevel")
    if level is not None:
        config.enforcementLevel = _LEVELS[EnforcementLevel(level)]
    properties = {key: item for key, item in value.items() if key != "enforcementLevel"}
    if properties:
        config.properties.update(properties)
    return config


def _policy_info(policy: Policy, level: EnforcementLevel) -> Any:
    info = proto.PolicyInfo(name=policy.name, description=policy.description, enforcementLevel=_LEVELS[level])
    if policy.display_name is not None:
        info.displayName = policy.display_name
    schema = policy.config_schema
    if schema is not None:
        if schema.properties:
            info.configSchema.properties.update(schema.properties)
        if schema.required:
            info.configSchema.required.extend(schema.required)
    if isinstance(policy, ResourceValidationPolicy):
        info.policy_type = proto.PolicyType.POLICY_TYPE_RESOURCE
    elif isinstance(policy, StackValidationPolicy):
        info.policy_type = proto.PolicyType.POLICY_TYPE_STACK
    if policy.severity is not None:
        info.severity = _SEVERITIES.get(policy.severity, proto.POLICY_SEVERITY_UNSPECIFIED)
    framework = policy.framework
    if framework is not None:
        for field in ("name", "version", "reference", "specification"):
            if getattr(framework, field) is not None:
                setattr(info.framework, field, getattr(framework, field))
    if policy.tags is not None:
        info.tags.extend(policy.tags)
    if policy.remediation_steps is not None:
        info.remediation_steps = policy.remediation_steps
    if policy.url is not None:
        info.url = policy.url
    return info
