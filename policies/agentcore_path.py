"""Which resources are on an AgentCore path, so that the AgentCore-path rules judge those and stay silent elsewhere.

A per-account stack often holds only its half of a path: the tools account has
the internal load balancer, its certificate and security groups, while the
gateway and its targets live in the AgentCore account. So a resource is on an
AgentCore path when any of these says so, in this order:

1. **It says so itself** (seen by a resource policy, before the resource is
   created): its ``tags`` (or its provider's ``defaultTags``) carry
   :data:`PATH_TAG`, as everything our components create for a path does; its
   type is an AgentCore gateway target or a VPC Lattice Resource Gateway or
   Resource Configuration; or the rule's config names it (``pathResources``:
   name or URN globs) or one of its tags (``pathTags``: key to value glob).
2. **The stack says so** (seen by a stack policy, at the end of preview and of
   ``up``): it is reached from a resource of 1. through property dependencies
   (a target's endpoint built from a load balancer's DNS name, a Resource
   Configuration naming one, a load balancer's security groups…), or it is part
   of one (listeners of an on-path load balancer, rules of an on-path security
   group, the policy of an on-path REST API); or, once values are known, its DNS
   name, ARN or REST API id is the one a target or Resource Configuration names.

Resource rules of the AgentCore path run as a resource policy for 1. and, for
what only 2. reveals, the same check at stack time; stack rules keep their
findings on on-path resources (see :mod:`.rule_assembly`). ``offPath: "report"`` in a rule's config makes it judge
every resource, as before the scoping (use it with ``enforcementLevel:
advisory`` for a sweep).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Optional
from urllib.parse import urlparse

from pulumi_policy.proxy import UnknownValueError

from . import resource_types as t
from .properties import UNKNOWN, plain, read

PATH_TAG = "agentcore-egress:path"
"""The tag key our components put on what they create for an AgentCore path (its value: the component)."""

ANCHOR_TYPES = (t.GATEWAY_TARGET, t.RESOURCE_GATEWAY, t.RESOURCE_CONFIGURATION)
"""Resources that are an AgentCore path by their type."""

PART_OF = {
    t.LB_LISTENER: "loadBalancerArn",
    t.ALB_LISTENER: "loadBalancerArn",
    t.LISTENER_CERTIFICATES[0]: "listenerArn",
    t.LISTENER_CERTIFICATES[1]: "listenerArn",
    t.SECURITY_GROUP_RULE: "securityGroupId",
    t.INGRESS_RULE: "securityGroupId",
    t.EGRESS_RULE: "securityGroupId",
    t.REST_API_POLICY: "restApiId",
}
"""Resources that are part of the resource their property names: on the path when it is."""

SCOPE_SCHEMA = {
    "pathResources": {"type": "array", "items": {"type": "string"}, "default": []},
    "pathTags": {"type": "object", "additionalProperties": {"type": "string"}, "default": {}},
    "offPath": {"type": "string", "enum": ["silent", "report"], "default": "silent"},
}
"""Config every AgentCore-path rule accepts, next to its own options."""


@dataclass(frozen=True)
class Scope:
    """A rule's path config: extra names and tags that mark resources as on the path."""

    resources: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    everywhere: bool = False

    @classmethod
    def from_config(cls, config: Optional[Mapping[str, Any]]) -> "Scope":
        config = config or {}
        return cls(tuple(config.get("pathResources") or ()), dict(config.get("pathTags") or {}), config.get("offPath") == "report")


def _partial(props: Any, *path: str) -> Any:
    """``props[path…]`` as plain values with :data:`UNKNOWN` only in the parts not known yet (``read`` makes the
    whole value unknown when any part is), ``None`` where absent."""
    value = props
    try:
        for key in path:
            if not isinstance(value, Mapping) or key not in value:
                return None
            value = value[key]
    except UnknownValueError:
        return UNKNOWN
    return plain(value)


def _get(value: Any, *path: str) -> Any:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _tags(props: Any) -> dict:
    """The resource's tags; a tag whose value is unknown at preview still counts by its key."""
    tags = _partial(props, "tags")
    return tags if isinstance(tags, dict) else {}


def marked(scope: Scope, resource_type: str, name: str, urn: str, props: Any, holder: Any = None) -> bool:
    """On the path by what the resource itself carries (what a resource policy sees).

    ``holder`` is what carries the resource's provider: its ResourceValidationArgs or PolicyResource.
    """
    from .rules.required_tags import _provider_tags

    if resource_type in ANCHOR_TYPES:
        return True
    if any(fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(urn, pattern) for pattern in scope.resources):
        return True
    tags = {**(_provider_tags(holder) if holder is not None else {}), **_tags(props)}
    if PATH_TAG in tags:
        return True
    return any(key in tags and isinstance(tags[key], str) and fnmatch.fnmatchcase(tags[key], value) for key, value in scope.tags.items())


def _host(value: Any) -> Optional[str]:
    if not isinstance(value, str) or value is UNKNOWN:
        return None
    host = urlparse(value).hostname if "://" in value else value.split("/")[0]
    return host.rstrip(".").lower() if host else None


def named_endpoints(resource: Any) -> set[str]:
    """Host names and ARNs an anchor names: target endpoints and routing domains, Resource Configuration definitions."""
    from .rules.https_target_endpoints import _server_urls

    props = resource.props
    values: list[Any] = []
    if resource.resource_type == t.GATEWAY_TARGET:
        mcp = _partial(props, "targetConfiguration", "mcp")
        endpoint = _partial(props, "privateEndpoint")
        values += [_get(mcp, "mcpServer", "endpoint"), _get(endpoint, "managedVpcResource", "routingDomain"),
                   _get(endpoint, "selfManagedLatticeResource", "resourceConfigurationIdentifier")]
        payload = _get(mcp, "openApiSchema", "inlinePayload", "payload")
        if isinstance(payload, str):
            values.extend(_server_urls(payload))
    elif resource.resource_type == t.RESOURCE_CONFIGURATION:
        definition = _partial(props, "resourceConfigurationDefinition")
        values += [_get(definition, "dnsResource", "domainName"), _get(definition, "arnResource", "arn")]
    found = set()
    for value in values:
        if isinstance(value, str) and value.startswith("arn:"):
            found.add(value)
        elif (host := _host(value)) is not None:
            found.add(host)
    return found


def _alias_hosts(record: Any) -> set[str]:
    """The names a Route 53 record aliases (a load balancer's DNS name), where known."""
    aliases = plain(read(record.props, "aliases", default=[]))
    hosts = {_host(alias.get("name")) for alias in aliases if isinstance(alias, dict)} if isinstance(aliases, list) else set()
    return {host for host in hosts if host}


def _names_of(resource: Any) -> set[str]:
    """What an anchor could call ``resource``: its ARN, DNS name, record name, or REST API id host."""
    names = set()
    for prop in ("arn", "dnsName", "fqdn", "name"):
        value = read(resource.props, prop)
        if isinstance(value, str) and (prop != "name" or resource.resource_type == t.ROUTE53_RECORD):
            names.add(value if value.startswith("arn:") else value.rstrip(".").lower())
    return names


def _matches(resource: Any, endpoints: set[str]) -> bool:
    if _names_of(resource) & endpoints:
        return True
    if resource.resource_type == t.REST_API:
        api_id = read(resource.props, "id")
        return isinstance(api_id, str) and any(host.split(".")[0].split("-")[0] == api_id and ".execute-api." in host for host in endpoints)
    return False


def path_urns(scope: Scope, resources: Iterable[Any]) -> Mapping[str, str]:
    """URN to why it is on the path, for every on-path resource of a stack (what a stack policy sees); read-only.

    The eight AgentCore-path stack rules each ask this of the same stack in one
    ``AnalyzeStack``. Where the resources carry a ``shared`` dict (``plan``'s
    runner gives one per request, see :class:`.policy_runner.StackResources`), the
    walk is done once per scope and kept there; the SDK's plain list walks each time.
    """
    shared = getattr(resources, "shared", None)
    walks = shared.setdefault("agentcore path walks", {}) if isinstance(shared, dict) else {}
    key = repr(scope)
    if key not in walks:
        walks[key] = MappingProxyType(_walk_path(scope, list(resources)))
    return walks[key]


def _walk_path(scope: Scope, resources: list[Any]) -> dict[str, str]:
    on_path: dict[str, str] = {}
    for resource in resources:
        if marked(scope, resource.resource_type, resource.name, resource.urn, resource.props, resource):
            on_path[resource.urn] = "marked"
    changed = True
    while changed:
        changed = False
        endpoints: set[str] = set()
        for resource in resources:
            if resource.urn in on_path:
                endpoints |= named_endpoints(resource)
                if resource.resource_type == t.ROUTE53_RECORD:
                    endpoints |= _alias_hosts(resource)
        for resource in resources:
            reason = None
            if resource.urn in on_path:
                for dependencies in resource.property_dependencies.values():
                    for dependency in dependencies:
                        if dependency.urn not in on_path:
                            on_path[dependency.urn] = f"reached from {resource.name}"
                            changed = True
                continue
            part_of = PART_OF.get(resource.resource_type)
            owners = resource.property_dependencies.get(part_of, []) if part_of else []
            owner = next((dep for dep in owners if dep.urn in on_path), None)
            if owner is not None:
                reason = f"part of {owner.name}"
            elif endpoints and _matches(resource, endpoints):
                reason = "named by an AgentCore target or Resource Configuration"
            if reason:
                on_path[resource.urn] = reason
                changed = True
    return on_path
