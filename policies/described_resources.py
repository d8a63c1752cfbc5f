"""Resources described as plain dicts, judged by a pack's policies through the same runner ``plan`` uses.

``audit`` describes live AWS resources with the pulumi-aws properties the rules read; the rule tests
describe hand-built ones. Both become the engine's requests (an ``Analyze`` per resource, one
``AnalyzeStack`` with the property dependencies) for :class:`.policy_runner.PolicyRunner`, configured
with the same policy config ``plan`` resolves, and each diagnostic is mapped back to its resource.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from pulumi.runtime.proto import analyzer_pb2

from .analyzer_messages import LEVELS, configure_request, struct, user_message
from .policy_runner import PolicyRunner

PROVIDER_TYPE = "pulumi:providers:aws"


@dataclass
class DescribedResource:
    """A resource as the rules see it: pulumi-aws type token and input/output property names."""

    type: str
    name: str
    id: str
    props: dict[str, Any]
    depends_on: dict[str, list["DescribedResource"]] = field(default_factory=dict)
    """Property name to the resources it refers to (what the engine calls property dependencies)."""

    @property
    def urn(self) -> str:
        """Unique per type and id (two live security groups may share a name), ending with the name as a Pulumi URN does."""
        return f"urn:aws:{self.type}::{self.id}::{self.name}"


@dataclass(frozen=True)
class Verdict:
    """One diagnostic of a policy, on the resource it names (None: on the stack as a whole)."""

    policy: str
    level: str
    message: str
    """Without the policy's description (see :func:`.analyzer_messages.user_message`)."""
    resource: Optional[DescribedResource]


def analyze_request(resource: DescribedResource, provider: Optional[Mapping[str, Any]] = None) -> analyzer_pb2.AnalyzeRequest:
    """The engine's ``Analyze`` for ``resource``; ``provider``: its provider's properties (``defaultTags``…), if it has one."""
    request = analyzer_pb2.AnalyzeRequest(type=resource.type, properties=struct(resource.props), urn=resource.urn, name=resource.name)
    if provider is not None:
        request.provider.CopyFrom(analyzer_pb2.AnalyzerProviderResource(type=PROVIDER_TYPE, properties=struct(provider),
                                                                        urn=f"urn:aws:{PROVIDER_TYPE}::default", name="default"))
    return request


def analyze_stack_request(resources: Sequence[DescribedResource]) -> analyzer_pb2.AnalyzeStackRequest:
    """The engine's ``AnalyzeStack`` for ``resources``, with their property dependencies."""
    request = analyzer_pb2.AnalyzeStackRequest()
    for resource in resources:
        entry = request.resources.add(type=resource.type, properties=struct(resource.props), urn=resource.urn, name=resource.name)
        for key, others in resource.depends_on.items():
            entry.propertyDependencies[key].urns.extend(other.urn for other in others)
    return request


def configured_runner(name: str, policies: list[Any], resolved: Optional[Mapping[str, Mapping[str, Any]]] = None) -> PolicyRunner:
    """A runner of ``policies`` configured as the engine configures a pack: ``resolved`` is a policy config resolved as
    ``plan`` resolves it (entries for rules that are not ``policies`` are left out)."""
    runner = PolicyRunner(name, policies)
    names = {policy.name for policy in policies}
    runner.Configure(configure_request({policy: entry for policy, entry in (resolved or {}).items() if policy in names}))
    return runner


def judge(runner: PolicyRunner, resources: Sequence[DescribedResource], provider: Optional[Mapping[str, Any]] = None,
          *, one_by_one: bool = True, as_stack: bool = True) -> list[Verdict]:
    """Every diagnostic of ``runner``'s policies on ``resources``: an ``Analyze`` per resource (``one_by_one``), then one
    ``AnalyzeStack`` (``as_stack``), as the engine sends them."""
    by_urn = {resource.urn: resource for resource in resources}
    verdicts: list[Verdict] = []
    for resource in resources if one_by_one else ():
        verdicts += [_verdict(d, by_urn.get(d.urn, resource)) for d in runner.Analyze(analyze_request(resource, provider)).diagnostics]
    if as_stack:
        verdicts += [_verdict(d, by_urn.get(d.urn)) for d in runner.AnalyzeStack(analyze_stack_request(resources)).diagnostics]
    return verdicts


def _verdict(diagnostic: Any, resource: Optional[DescribedResource]) -> Verdict:
    return Verdict(diagnostic.policyName, LEVELS.get(diagnostic.enforcementLevel, "advisory"), user_message(diagnostic), resource)
