"""The pack's analyzer service: pulumi-policy's own, with each request's resources decoded once instead of once per policy.

pulumi-policy 1.21 answers ``Analyze`` by turning the resource's properties from
protobuf into Python (``MessageToDict``, ``deserialize_properties``, the unknown-
checking proxy) again for *every* resource policy, and ``AnalyzeStack`` by doing
that for every resource of the stack again for *every* stack policy. With this
pack's 19 rules that decoding is most of the pack's time: about 270,000
conversions for a 200-account landing zone where 5,000 would do, and the engine
pays it on every ``pulumi preview`` and ``up`` of a large stack as the planner
does. :class:`DecodeOnceAnalyzer` decodes each request once and then runs the
same loop over the same policies, with the same levels, diagnostics, messages,
"not applicable" answers and "can't run during preview" advisories as the SDK's
(``tests/test_analyzer_service.py`` compares the two answer for answer).

Every policy of this pack reads the properties it is given and changes nothing,
which is what makes sharing one decoded copy between policies safe.

:func:`install` puts it in place before the pack is constructed; with a
pulumi-policy whose service lacks what it builds on (its private helpers), it
leaves the SDK's own service in place: the pack is slower, never different.
"""

from __future__ import annotations

import asyncio
from functools import partial
from inspect import isawaitable
from typing import Any, Callable, Optional

from google.protobuf import json_format
from pulumi.runtime import proto
from pulumi_policy import policy as sdk
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from .agentcore_path import StackResources

_SDK_SERVICE = sdk._PolicyAnalyzerServicer
_PRIVATE = "_PolicyAnalyzerServicer__"
_HELPERS = ("_configure_runtime_settings", "_get_enforcement_level", "_create_report_violation", "_map_enforcement_level",
            "_get_resource_options", "_get_policy_config")
_STATE = ("policies", "policy_pack_name", "policy_pack_version", "stack_tags")


def _decoded(properties: Any) -> Any:
    """Protobuf properties as a policy reads them (what the SDK builds inside its loop)."""
    return unknown_checking_proxy(deserialize_properties(json_format.MessageToDict(properties)))


class DecodeOnceAnalyzer(_SDK_SERVICE):
    """pulumi-policy's analyzer service, decoding each resource once per request (see the module's docstring)."""

    def _state(self, name: str) -> Any:
        return getattr(self, _PRIVATE + name)

    def _provider(self, request: Any) -> Optional[sdk.PolicyProviderResource]:
        if not request.HasField("provider"):
            return None
        provider = request.provider
        return sdk.PolicyProviderResource(provider.type, _decoded(provider.properties), provider.urn, provider.name)

    def _level(self, policy: sdk.Policy, kind: type) -> Optional[sdk.EnforcementLevel]:
        """The level ``policy`` runs at in a request for policies of ``kind``; None when it does not run."""
        level = self._get_enforcement_level(policy)
        if level == sdk.EnforcementLevel.DISABLED or not isinstance(policy, kind):
            return None
        return sdk.EnforcementLevel.MANDATORY if level == sdk.EnforcementLevel.REMEDIATE else level

    def _run(self, policy: sdk.Policy, args: Any, level: sdk.EnforcementLevel, response: Any) -> None:
        """One policy on one request's arguments, its outcomes added to ``response`` as the SDK adds them."""
        report = self._create_report_violation(response, policy.name, policy.description, level, policy.severity)
        try:
            result = policy.validate(args, report)
            if isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(asyncio.Task(result, loop=loop))
                loop.close()
        except UnknownValueError as error:
            pack, version = self._state("policy_pack_name"), self._state("policy_pack_version")
            response.diagnostics.append(proto.AnalyzeDiagnostic(
                policyName=policy.name, policyPackName=pack, policyPackVersion=version, urn="", description=policy.description,
                message=f"can't run policy '{policy.name}' from policy pack '{pack}@v{version}' during preview: {error.message}",
                enforcementLevel=self._map_enforcement_level(sdk.EnforcementLevel.ADVISORY),
            ))
        except sdk._NotApplicableError as error:
            response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name, reason=error.reason or ""))

    def Analyze(self, request, _context):
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        args_for: Optional[Callable[..., sdk.ResourceValidationArgs]] = None
        for policy in self._state("policies"):
            level = self._level(policy, sdk.ResourceValidationPolicy)
            if level is None:
                continue
            if not policy.has_validation():  # a remediation-only policy
                response.not_applicable.append(proto.PolicyNotApplicable(policy_name=policy.name, reason="Policy does not implement validate"))
                continue
            if args_for is None:  # decoded once, for the first policy that runs
                args_for = partial(sdk.ResourceValidationArgs, request.type, _decoded(request.properties), request.urn, request.name,
                                   self._get_resource_options(request), self._provider(request))
            self._run(policy, args_for(self._get_policy_config(policy.name), self._state("stack_tags")), level, response)
        return response

    def AnalyzeStack(self, request, _context):
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        resources: Optional[StackResources] = None
        for policy in self._state("policies"):
            level = self._level(policy, sdk.StackValidationPolicy)
            if level is None:
                continue
            if resources is None:
                resources = self._stack_resources(request)
            args = sdk.StackValidationArgs(resources, self._get_policy_config(policy.name), self._state("stack_tags"))
            self._run(policy, args, level, response)
        return response

    def _stack_resources(self, request: Any) -> StackResources:
        """The stack's resources, linked to their parents and dependencies, as the SDK builds them for each stack policy."""
        resources, by_urn = [], {}
        for entry in request.resources:
            resource = sdk.PolicyResource(entry.type, _decoded(entry.properties), entry.urn, entry.name, self._get_resource_options(entry),
                                          self._provider(entry), None, [], {})
            resources.append((resource, entry))
            by_urn[entry.urn] = resource
        for resource, entry in resources:
            if entry.parent in by_urn:
                resource.parent = by_urn[entry.parent]
            resource.dependencies.extend(by_urn[urn] for urn in entry.dependencies if urn in by_urn)
            for key, urns in entry.propertyDependencies.items():
                resource.property_dependencies[key] = [by_urn[urn] for urn in urns.urns if urn in by_urn]
        return StackResources(resource for resource, _ in resources)


def supported() -> bool:
    """Whether the installed pulumi-policy's service has the private helpers and state :class:`DecodeOnceAnalyzer` uses."""
    probe = _SDK_SERVICE("probe", "0.0.1", [object()], sdk.EnforcementLevel.ADVISORY)
    return all(callable(getattr(probe, name, None)) for name in _HELPERS) and all(hasattr(probe, _PRIVATE + name) for name in _STATE) \
        and hasattr(sdk, "_NotApplicableError")


def install() -> bool:
    """Make :class:`PolicyPack` serve with :class:`DecodeOnceAnalyzer`, where supported; True if it does."""
    if not supported():
        return False
    sdk._PolicyAnalyzerServicer = DecodeOnceAnalyzer
    return True
