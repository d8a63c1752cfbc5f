"""The path model: which resources are on an AgentCore path, so that the AgentCore-path rules judge those and stay silent elsewhere.

A per-account stack often holds only its half of a path: the tools account has
the internal load balancer, its certificate and security groups, while the
gateway and its targets live in the AgentCore account. So the model starts from
what marks itself and walks every hop from an AgentCore target to the tool.

**Anchors** (seen by a resource policy, before the resource is created): a
resource whose ``tags`` (or its provider's ``defaultTags``) carry
:data:`PATH_TAG`, as everything our components create for a path does; an
AgentCore gateway target, a VPC Lattice Resource Gateway or Resource
Configuration (by type); a resource the rule's config names (``pathResources``:
name or URN globs; ``pathTags``: key to value glob).

**Hops** (seen by a stack policy, at the end of preview and of ``up``), repeated
until nothing new is reached:

1. *DNS names and aliases*: the hosts and ARNs an anchor names (a target's MCP
   endpoint, OpenAPI ``servers``, ``routingDomain``, self-managed Lattice
   configuration; a Resource Configuration's DNS, IP or ARN resource) put on
   the path the resource of that ARN, DNS name or interface endpoint DNS name,
   the instance or ENI of that id or private address, the REST API of that invoke URL, and the Route 53 record of that name, whose
   alias targets and CNAME values are then named too.
2. *Certificates*: an ACM certificate whose domain or alternative names cover
   a named host (``*.`` covers one label) is on the path even when no listener
   carries it; a certificate a listener serves (``certificateArn``,
   ``ListenerCertificate``) is reached by 4.
3. *Parts*: listeners of an on-path load balancer (every port: a plaintext
   listener beside the TLS one serves the same ENIs), certificates of an
   on-path listener, target group attachments of an on-path target group, rules
   of an on-path security group, the policy of an on-path REST API: matched by
   the owner's property dependency, else by its ARN or id.
4. *Inputs*: what an on-path resource's inputs come from (its property
   dependencies): a target's endpoint built from a load balancer's DNS name, a
   listener's target groups and certificate, an attachment's ``targetId`` (an
   ALB behind an ALB-type target group of an NLB, an instance, an ENI's
   address: known literals are named as in 1.), a load balancer's, endpoint's,
   instance's, ENI's, Resource Gateway's or target's security groups, a
   Resource Configuration's gateway.
5. *Security groups are destinations only*: a group is on the path because an
   on-path resource is in it (4.) or it is marked; the groups a rule names as
   its source or destination peer (inline ``ingress``/``egress``,
   ``sourceSecurityGroupId``, ``referencedSecurityGroupId``, see
   :data:`SOURCES`) are not followed, so a website's ALB group that the tools'
   group admits traffic from keeps its own public ingress off the path.

Resource rules of the AgentCore path run as a resource policy for anchors and,
for what only the hops reveal, the same check at stack time; stack rules keep
their findings on on-path resources (see :mod:`.policy_builder`). ``offPath:
"report"`` in a rule's config makes it judge every resource, as before the
scoping (use it with ``enforcementLevel: advisory`` for a sweep).
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
from .openapi_servers import server_urls
from .properties import UNKNOWN, plain, provider_tags, read

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
    **{attachment: "targetGroupArn" for attachment in t.TARGET_GROUP_ATTACHMENTS},
}
"""Resources that are part of the resource their property names: on the path when it is."""

SOURCES = {
    t.SECURITY_GROUP: ("ingress", "egress"),
    t.SECURITY_GROUP_RULE: ("sourceSecurityGroupId",),
    t.INGRESS_RULE: ("referencedSecurityGroupId",),
    t.EGRESS_RULE: ("referencedSecurityGroupId",),
}
"""Inputs of security groups and their rules that name the *peers* of traffic (a source group, a destination group):
a peer's own rules are not the path's, so the walk does not follow them (groups are on the path as destinations only:
attached to an on-path load balancer, endpoint, ENI, Resource Gateway or target)."""

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
    if resource_type in ANCHOR_TYPES:
        return True
    if any(fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(urn, pattern) for pattern in scope.resources):
        return True
    tags = {**(provider_tags(holder) if holder is not None else {}), **_tags(props)}
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
    props = resource.props
    values: list[Any] = []
    if resource.resource_type == t.GATEWAY_TARGET:
        mcp = _partial(props, "targetConfiguration", "mcp")
        endpoint = _partial(props, "privateEndpoint")
        values += [_get(mcp, "mcpServer", "endpoint"), _get(endpoint, "managedVpcResource", "routingDomain"),
                   _get(endpoint, "selfManagedLatticeResource", "resourceConfigurationIdentifier")]
        payload = _get(mcp, "openApiSchema", "inlinePayload", "payload")
        if isinstance(payload, str):
            values.extend(server_urls(payload))
    elif resource.resource_type == t.RESOURCE_CONFIGURATION:
        definition = _partial(props, "resourceConfigurationDefinition")
        values += [_get(definition, "dnsResource", "domainName"), _get(definition, "arnResource", "arn"), _get(definition, "ipResource", "ipAddress")]
    found = set()
    for value in values:
        if isinstance(value, str) and value.startswith("arn:"):
            found.add(value)
        elif (host := _host(value)) is not None:
            found.add(host)
    return found


def _alias_hosts(record: Any) -> set[str]:
    """The names a Route 53 record points at (alias targets and CNAME values: a load balancer's DNS name), where known."""
    aliases = plain(read(record.props, "aliases", default=[]))
    values = [alias.get("name") for alias in aliases if isinstance(alias, dict)] if isinstance(aliases, list) else []
    records = plain(read(record.props, "records", default=[]))
    values += records if isinstance(records, list) else []
    return {host for host in map(_host, values) if host}


def _hop_names(resource: Any) -> set[str]:
    """What an on-path resource names beyond itself, where known (a literal has no property dependency to follow): a
    record's aliases, a target group attachment's target (an ALB's ARN, an instance id, an IP address), a listener's
    target groups."""
    if resource.resource_type == t.ROUTE53_RECORD:
        return _alias_hosts(resource)
    if resource.resource_type in t.TARGET_GROUP_ATTACHMENTS:
        target = read(resource.props, "targetId")
        return {target} if isinstance(target, str) and target else set()
    if resource.resource_type in t.LISTENERS:
        return {arn for arn in forwarded_target_groups(_partial(resource.props, "defaultActions")) if isinstance(arn, str) and arn.startswith("arn:")}
    return set()


def forwarded_target_groups(actions: Any) -> list[Any]:
    """The target group ARNs (or :data:`UNKNOWN`) a listener's default actions forward to, in both spellings."""
    arns: list[Any] = []
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict) or action.get("type") != "forward":
            continue
        if action.get("targetGroupArn") is not None:
            arns.append(action["targetGroupArn"])
        groups = _get(action, "forward", "targetGroups")
        arns += [group.get("arn") if isinstance(group, dict) else group for group in groups] if isinstance(groups, list) else []
    return arns


def _names_of(resource: Any) -> set[str]:
    """What an on-path resource could call ``resource``: its ARN, DNS name, record name, an interface endpoint's DNS names,
    an instance's or ENI's id and private addresses."""
    names = set()
    for prop in ("arn", "dnsName", "fqdn", "name"):
        value = read(resource.props, prop)
        if isinstance(value, str) and (prop != "name" or resource.resource_type == t.ROUTE53_RECORD):
            names.add(value if value.startswith("arn:") else value.rstrip(".").lower())
    if resource.resource_type in (t.NETWORK_INTERFACE, t.EC2_INSTANCE):
        addresses = plain(read(resource.props, "privateIps", default=[]))
        values = [read(resource.props, "id"), read(resource.props, "privateIp"), *(addresses if isinstance(addresses, list) else [])]
        names |= {value for value in values if isinstance(value, str) and value}
    if resource.resource_type == t.VPC_ENDPOINT:
        entries = plain(read(resource.props, "dnsEntries", default=[]))
        names |= {host for host in (_host(_get(entry, "dnsName")) for entry in (entries if isinstance(entries, list) else [])) if host}
    return names


def _covers(domain: Any, host: str) -> bool:
    """Whether a certificate's domain (``*.`` covers one label) is valid for ``host``."""
    if not isinstance(domain, str) or domain is UNKNOWN:
        return False
    domain = domain.rstrip(".").lower()
    return domain == host or (domain.startswith("*.") and host.split(".", 1)[-1] == domain[2:] and "." in host)


def _certificate_names(certificate: Any, hosts: set[str]) -> bool:
    """An ACM certificate whose domain or alternative names cover a host an anchor names."""
    alternatives = plain(read(certificate.props, "subjectAlternativeNames", default=[]))
    domains = [read(certificate.props, "domainName"), *(alternatives if isinstance(alternatives, list) else [])]
    return any(_covers(domain, host) for domain in domains for host in hosts)


def _matches(resource: Any, endpoints: set[str], hosts: set[str], names: dict[str, set[str]]) -> Optional[str]:
    """Why ``resource`` is on the path by name: an anchor's endpoint names it, or (a certificate) it is for an anchor's host.
    ``names`` keeps each resource's :func:`_names_of` across the walk's rounds."""
    if resource.urn not in names:
        names[resource.urn] = _names_of(resource)
    if names[resource.urn] & endpoints:
        return "named by an AgentCore target or Resource Configuration"
    if resource.resource_type == t.REST_API:
        api_id = read(resource.props, "id")
        if isinstance(api_id, str) and any(host.split(".")[0].split("-")[0] == api_id and ".execute-api." in host for host in endpoints):
            return "named by an AgentCore target or Resource Configuration"
    if resource.resource_type == t.ACM_CERTIFICATE and _certificate_names(resource, hosts):
        return "its domain is the host of an AgentCore target or Resource Configuration"
    return None


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
    # What on-path resources name and are called: each resource's share is added once, when it is first seen on the path.
    seen: set[str] = set()
    endpoints: set[str] = set()
    owners: dict[str, str] = {}
    names: dict[str, set[str]] = {}
    changed = True
    while changed:
        changed = False
        for resource in resources:
            if resource.urn in on_path and resource.urn not in seen:
                seen.add(resource.urn)
                endpoints |= named_endpoints(resource) | _hop_names(resource)
                owners.update(dict.fromkeys(_ids_of(resource), resource.name))
                changed |= _follow_dependencies(resource, on_path)
        hosts = {endpoint for endpoint in endpoints if not endpoint.startswith("arn:")}
        for resource in resources:
            if resource.urn in on_path:
                continue
            reason = _part_of(resource, on_path, owners) or (_matches(resource, endpoints, hosts, names) if endpoints else None)
            if reason:
                on_path[resource.urn] = reason
                changed = True
    return on_path


def _follow_dependencies(resource: Any, on_path: dict[str, str]) -> bool:
    """Put what ``resource``'s inputs come from on the path, except the sources and peers its security rules name."""
    added = False
    skipped = SOURCES.get(resource.resource_type, ())
    for prop, dependencies in resource.property_dependencies.items():
        if prop in skipped:
            continue
        for dependency in dependencies:
            if dependency.urn not in on_path:
                on_path[dependency.urn] = f"reached from {resource.name}"
                added = True
    return added


def _ids_of(resource: Any) -> set[str]:
    """A resource's ARN and id, where known."""
    return {value for value in (read(resource.props, "arn"), read(resource.props, "id")) if isinstance(value, str) and value}


def _part_of(resource: Any, on_path: Mapping[str, str], owners: Mapping[str, str]) -> Optional[str]:
    """``part of <owner>`` when the property :data:`PART_OF` names for its type comes from, or is the ARN or id of, an on-path resource."""
    prop = PART_OF.get(resource.resource_type)
    if prop is None:
        return None
    owner = next((dep.name for dep in resource.property_dependencies.get(prop, []) if dep.urn in on_path), None)
    value = read(resource.props, prop)
    if owner is None and isinstance(value, str):
        owner = owners.get(value)
    return f"part of {owner}" if owner is not None else None
