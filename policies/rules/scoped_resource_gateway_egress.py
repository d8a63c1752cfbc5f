"""Resource Gateway security groups do not allow all traffic to everywhere.

Why: a Resource Gateway's security group decides what its ENIs may send into
the VPC on AgentCore's behalf. Egress of every protocol to 0.0.0.0/0 or ::/0
turns a path meant for one endpoint into a path to the whole VPC and
everything routed from it. Scope egress to the backend's port and block.
Advisory by default: a broad rule is not an exposure by itself, only a larger
blast radius.

Unset: ``egress`` of ``ec2.SecurityGroup`` left out means the provider manages
no inline egress (Optional+Computed): only the separate rule resources count.
Unknown (first preview): blocks computed from another stack's outputs are
known; a rule allowing every protocol to a block that is unknown (computed in
this stack) is "cannot verify at preview".
"""

from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs

from .. import resource_types as t
from ..properties import UNKNOWN, Unverified, message, of_type, plain, read_plain


from .path_security_group_ingress import every_port, every_protocol  # noqa: E402
from ..rule_declaration import AGENTCORE_PATH, STACK, RuleDeclaration, RuleDocs

_EVERYWHERE = {"0.0.0.0/0", "::/0"}


def _list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


def _opens_everything(protocol, from_port, to_port, blocks):
    """True / False, or None when an unknown block decides it."""
    if not (every_protocol(protocol) or every_port(protocol, from_port, to_port)):
        return False
    return True if _EVERYWHERE & set(blocks) else (None if UNKNOWN in blocks else False)


def _open_rules(group, rule_resources, unverified: Unverified) -> list[dict]:
    candidates = []
    for rule in _list(read_plain(group.props, "egress", default=[])):
        if isinstance(rule, dict):
            candidates.append((group, rule, (rule.get("protocol"), rule.get("fromPort"), rule.get("toPort")),
                               _list(rule.get("cidrBlocks")) + _list(rule.get("ipv6CidrBlocks"))))
    for rule in rule_resources:
        props = plain(rule.props)
        if rule.resource_type == t.SECURITY_GROUP_RULE:
            if props.get("type") == "egress":
                candidates.append((rule, props, (props.get("protocol"), props.get("fromPort"), props.get("toPort")),
                                   _list(props.get("cidrBlocks")) + _list(props.get("ipv6CidrBlocks"))))
        else:
            candidates.append((rule, props, (props.get("ipProtocol"), props.get("fromPort"), props.get("toPort")),
                               [props.get("cidrIpv4"), props.get("cidrIpv6")]))
    found = []
    for owner, rule, (protocol, from_port, to_port), blocks in candidates:
        verdict = _opens_everything(protocol, from_port, to_port, blocks)
        if verdict is None:
            unverified.add(owner.name, owner.resource_type, "egress destination", "computed in this stack")
        elif verdict:
            found.append(rule)
    return found


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    rules_by_group: dict[str, list] = {}
    for rule in of_type(args.resources, t.SECURITY_GROUP_RULE, t.EGRESS_RULE):
        for group in rule.property_dependencies.get("securityGroupId", []):
            rules_by_group.setdefault(group.urn, []).append(rule)
    unverified = Unverified()
    for gateway in of_type(args.resources, t.RESOURCE_GATEWAY):
        for group in gateway.property_dependencies.get("securityGroupIds", []):
            if group.resource_type != t.SECURITY_GROUP:
                continue
            for rule in _open_rules(group, rules_by_group.get(group.urn, []), unverified):
                report_violation(
                    message(group.name, group.resource_type, "egress", rule,
                            f"Resource Gateway '{gateway.name}' may send anything anywhere through it",
                            "allow only TCP to the backends' ports and blocks"),
                    group.urn,
                )
    unverified.settle()


RULE = RuleDeclaration(
    id="scoped-resource-gateway-egress",
    kind=AGENTCORE_PATH,
    description="Security groups of Resource Gateways do not allow all protocols to 0.0.0.0/0 or ::/0.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    tags=("security-groups", "vpc-lattice"),
    remediation=(
        "Replace the all-traffic egress rule of the Resource Gateway's security group by TCP rules to the backends' "
        "ports and blocks (SharedLatticeResource's backend_cidrs). No automatic fix: only the stack knows the backends'"
        " ports."
    ),
    validate=validate,
    judges=STACK,
    docs=RuleDocs(
        checks=(
            "a Resource Gateway's security groups do not allow all traffic (protocol `-1`, or TCP/UDP on every port: "
            "1–65535 or 0–65535) to `0.0.0.0/0` or `::/0` (inline egress, `SecurityGroupRule`, "
            "`SecurityGroupEgressRule`)"
        ),
        resource_types="`aws:vpclattice/resourceGateway` + its groups (stack rule)",
        fix="TCP to the backends' ports and blocks only",
        unset_unknown=(
            "unset inline egress: only rule resources count; unknown destination with all protocols: *cannot verify at "
            "preview*"
        ),
        reference="stack rule, no automatic fix (only the stack knows the backends' ports).",
    ),
)
