"""Resource Gateway security groups do not allow all traffic to everywhere.

Why: a Resource Gateway's security group decides what its ENIs may send into
the VPC on AgentCore's behalf. Egress of every protocol to 0.0.0.0/0 or ::/0
turns a path meant for one endpoint into a path to the whole VPC and
everything routed from it. Scope egress to the backend's port and block.
Advisory by default: a broad rule is not an exposure by itself, only a larger
blast radius.
"""

from pulumi_policy import EnforcementLevel, ReportViolation, StackValidationArgs, StackValidationPolicy

from .. import resource_types as t
from ..properties import message, of_type, plain, read

NAME = "scoped-resource-gateway-egress"

# Pack metadata (kind, severity, Security Hub control, remediation), applied where the pack is assembled.
from pulumi_policy import Severity  # noqa: E402

from ..rule_assembly import AGENTCORE_PATH, RuleMetadata  # noqa: E402

METADATA = RuleMetadata(
    kind=AGENTCORE_PATH,
    severity=Severity.MEDIUM,
    tags=("security-groups", "vpc-lattice"),
    remediation_steps=(
        "Replace the all-traffic egress rule of the Resource Gateway's security group by TCP rules to the backends' ports and blocks (SharedLatticeResource's backend_cidrs). No automatic fix: only the stack knows the backends' ports."
    ),
)
_EVERYWHERE = {"0.0.0.0/0", "::/0"}


def _opens_everything(protocol, from_port, to_port, blocks) -> bool:
    all_traffic = str(protocol) in ("-1", "all") or (from_port in (0, None) and to_port in (65535, None) and str(protocol) in ("tcp", "6"))
    return all_traffic and bool(_EVERYWHERE & set(blocks))


def _open_rules(group, rule_resources) -> list[dict]:
    found = []
    for rule in plain(read(group.props, "egress", default=[])) or []:
        if isinstance(rule, dict):
            blocks = (rule.get("cidrBlocks") or []) + (rule.get("ipv6CidrBlocks") or [])
            if _opens_everything(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"), blocks):
                found.append(rule)
    for rule in rule_resources:
        props = plain(rule.props)
        if rule.resource_type == t.SECURITY_GROUP_RULE:
            if props.get("type") != "egress":
                continue
            blocks = (props.get("cidrBlocks") or []) + (props.get("ipv6CidrBlocks") or [])
            if _opens_everything(props.get("protocol"), props.get("fromPort"), props.get("toPort"), blocks):
                found.append(props)
        elif _opens_everything(props.get("ipProtocol"), props.get("fromPort"), props.get("toPort"), [props.get("cidrIpv4"), props.get("cidrIpv6")]):
            found.append(props)
    return found


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    rules_by_group: dict[str, list] = {}
    for rule in of_type(args.resources, t.SECURITY_GROUP_RULE, t.EGRESS_RULE):
        for group in rule.property_dependencies.get("securityGroupId", []):
            rules_by_group.setdefault(group.urn, []).append(rule)
    for gateway in of_type(args.resources, t.RESOURCE_GATEWAY):
        for group in gateway.property_dependencies.get("securityGroupIds", []):
            if group.resource_type != t.SECURITY_GROUP:
                continue
            for rule in _open_rules(group, rules_by_group.get(group.urn, [])):
                report_violation(
                    message(group.name, group.resource_type, "egress", rule,
                            f"Resource Gateway '{gateway.name}' may send anything anywhere through it",
                            "allow only TCP to the backends' ports and blocks"),
                    group.urn,
                )


policy = StackValidationPolicy(
    name=NAME,
    description="Security groups of Resource Gateways do not allow all protocols to 0.0.0.0/0 or ::/0.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=validate,
)
