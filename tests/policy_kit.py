"""Call policy rules directly, with arguments shaped as the policy SDK builds them."""

from __future__ import annotations

from typing import Any, Optional

from pulumi_policy import PolicyProviderResource, PolicyResource
from pulumi_policy.policy import ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import unknown_checking_proxy

from agentcore_egress.policies.rule_runner import resource_options as _opts

UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"


def check_resource(policy, type_: str, props: dict, name: str = "res", config: Optional[dict] = None, provider_props: Optional[dict] = None) -> list[str]:
    """Run a resource policy on one resource; return the violation messages."""
    provider = PolicyProviderResource("pulumi:providers:aws", unknown_checking_proxy(provider_props or {}), "urn:provider", "aws") if provider_props is not None else None
    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), f"urn:pulumi:s::p::{type_}::{name}", name, _opts(), provider, config)
    found: list[str] = []
    policy.validate(args, lambda message, urn=None: found.append(message))
    return found


class Stack:
    """A hand-built stack of PolicyResources for stack policies."""

    def __init__(self) -> None:
        self.resources: list[PolicyResource] = []

    def add(self, type_: str, name: str, props: dict[str, Any], deps: Optional[dict[str, list[PolicyResource]]] = None) -> PolicyResource:
        resource = PolicyResource(
            type_, unknown_checking_proxy(props), f"urn:pulumi:s::p::{type_}::{name}", name, _opts(), None, None, [], deps or {}
        )
        self.resources.append(resource)
        return resource

    def check(self, policy, config: Optional[dict] = None) -> list[tuple[str, Optional[str]]]:
        found: list[tuple[str, Optional[str]]] = []
        policy.validate(StackValidationArgs(self.resources, config), lambda message, urn=None: found.append((message, urn)))
        return found
