"""Security groups on an AgentCore path admit no traffic from everywhere, of every protocol or on every port.

Why: the groups of a path (the Resource Gateway's or a managed target's ENIs,
the backend's load balancer or VPC endpoint) are what keeps the private
backend private. Ingress from ``0.0.0.0/0`` or ``::/0`` admits anything that
can route to it, and a rule for all protocols or all ports admits far more than
the one TLS port AgentCore uses (Security Hub EC2.18 and EC2.19 say the same
for every group; here it is mandatory on the path). Inline rules of
``aws.ec2.SecurityGroup``, ``aws.ec2.SecurityGroupRule`` and
``aws.vpc.SecurityGroupIngressRule`` are read; egress is the business of
``scoped-resource-gateway-egress``. A block or port computed from another
resource is not everywhere, so unknown values at preview pass.
"""

from collections.abc import Iterator
from typing import Any


from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .. import resource_types as t
from ..properties import UNKNOWN, message, plain, read_plain
from ..rule_declaration import AGENTCORE_PATH, RuleDeclaration, RuleDocs

EVERYWHERE = ("0.0.0.0/0", "::/0")
ALL_PROTOCOLS = ("-1", "all")
PORT_PROTOCOLS = ("tcp", "udp", "6", "17")


def _ingress_rules(args: ResourceValidationArgs) -> Iterator[tuple[str, dict]]:
    """(property path, rule as protocol/fromPort/toPort/sources) for each ingress rule the resource declares."""
    props = args.props
    if args.resource_type == t.SECURITY_GROUP:
        # Each rule on its own: at a first preview one naming a group of the stack is unknown in part, the others are known.
        rules = read_plain(props, "ingress", default=[])
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(rule, dict):
                yield f"ingress[{index}]", {**rule, "sources": _blocks(rule)}
    elif args.resource_type == t.SECURITY_GROUP_RULE:
        rule = plain(props)
        if rule.get("type") == "ingress":
            yield "cidrBlocks", {**rule, "sources": _blocks(rule)}
    elif args.resource_type == t.INGRESS_RULE:
        rule = plain(props)
        yield "cidrIpv4", {"protocol": rule.get("ipProtocol"), "fromPort": rule.get("fromPort"), "toPort": rule.get("toPort"),
                           "sources": [rule.get("cidrIpv4"), rule.get("cidrIpv6")]}


def _blocks(rule: dict) -> list:
    """A rule's IPv4 and IPv6 source blocks; a list unknown at preview is computed, so never everywhere."""
    return [block for key in ("cidrBlocks", "ipv6CidrBlocks") if isinstance(rule.get(key), list) for block in rule[key]]


def every_protocol(protocol: Any) -> bool:
    """Protocol ``-1`` (or ``all``): every protocol, and so every port whatever the ports say."""
    return str(protocol).lower() in ALL_PROTOCOLS


def every_port(protocol: Any, from_port: Any, to_port: Any) -> bool:
    """Every port a TCP or UDP connection can use: 1–65535 (port 0 is reserved), 0–65535, or ports left out."""
    return (str(protocol).lower() in PORT_PROTOCOLS and from_port in (0, 1, None) and to_port in (65535, None))


def problems(rule: dict) -> list[str]:
    """What is open about one ingress rule: every protocol, every port, or sources everywhere."""
    found = []
    if every_protocol(rule.get("protocol")):
        found.append("every protocol")
    elif every_port(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort")):
        found.append("every port")
    everywhere = [source for source in rule.get("sources", []) if source is not UNKNOWN and source in EVERYWHERE]
    if everywhere:
        found.append(f"from {' and '.join(everywhere)}")
    return found


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for prop, rule in _ingress_rules(args):
        found = problems(rule)
        if found:
            shown: Any = {key: rule.get(key) for key in ("protocol", "fromPort", "toPort") if rule.get(key) is not None}
            shown["sources"] = [s for s in rule.get("sources", []) if s]
            report_violation(
                message(args.name, args.resource_type, prop, shown, f"the path's security group admits {', '.join(found)}",
                        "allow TCP on the backend's port from the Resource Gateway ENIs' subnets or security group only")
            )


RULE = RuleDeclaration(
    id="path-security-group-ingress",
    kind=AGENTCORE_PATH,
    description="Security groups on an AgentCore path admit no ingress from 0.0.0.0/0 or ::/0, of all protocols or on all ports.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    controls=("EC2.18", "EC2.19"),
    tags=("security-groups", "exposure"),
    remediation=(
        "Replace the rule by TCP ingress on the backend's port from the Resource Gateway ENIs' subnets or security "
        "group (TargetSecurityGroups). No automatic fix: only the stack knows which port and sources the path needs."
    ),
    validate=validate,
    docs=RuleDocs(
        checks=(
            "a security group on an AgentCore path admits no ingress of every protocol (`-1`), on every port (TCP/UDP "
            "1–65535 or 0–65535), or from `0.0.0.0/0` / `::/0` (inline `ingress`, `SecurityGroupRule` of type ingress, "
            "`SecurityGroupIngressRule`)"
        ),
        resource_types="`aws:ec2/securityGroup`, `aws:ec2/securityGroupRule`, `aws:vpc/securityGroupIngressRule`",
        fix="TCP on the backend's port from the ENIs' subnets or group only (`TargetSecurityGroups`)",
        unset_unknown=(
            "unset inline `ingress`: none (compliant); each inline rule is judged on its own, so a literal `0.0.0.0/0` "
            "rule beside a rule naming a group of the stack is found at preview; a block or port computed by another "
            "resource of the stack cannot be everywhere, so unknown passes (it is never a literal 0.0.0.0/0)"
        ),
        reference=(
            "no automatic fix: narrowing a rule needs the path's port and sources. Egress is `scoped-resource-gateway-"
            "egress`'s."
        ),
    ),
)
