"""Transit Gateways do not associate or propagate attachments into a default route table.

Why: with the default route table on, every new attachment can reach every
other one as soon as it is accepted, so segments (spokes may reach AgentCore's
VPC, not each other) cannot exist. Placing each attachment explicitly in a
segment's route table keeps reachability a reviewed decision. Advisory by
default, because some hubs deliberately run one flat segment.

Unset: pulumi-aws (Terraform ``aws_ec2_transit_gateway``:
``default_route_table_association`` and ``default_route_table_propagation``
``Default: "enable"``) sends "enable": a finding. Unknown (first preview):
"cannot verify at preview".
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .. import resource_types as t
from ..properties import UNKNOWN, Unverified, message, read
from ..rule_declaration import GENERAL, RuleDeclaration, RuleDocs


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.TRANSIT_GATEWAY:
        return
    unverified = Unverified()
    for prop in ("defaultRouteTableAssociation", "defaultRouteTablePropagation"):
        value = read(args.props, prop, default="enable")
        if value is UNKNOWN:
            unverified.add(args.name, args.resource_type, prop, "computed by another resource")
        elif value != "disable":
            report_violation(
                message(args.name, args.resource_type, prop, value, "attachments land in one flat routing domain",
                        f"set {prop} to 'disable' and use one route table per segment")
            )
    unverified.settle()


RULE = RuleDeclaration(
    id="tgw-no-default-route-tables",
    kind=GENERAL,
    description="Transit Gateways have default route-table association and propagation off.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    tags=("transit-gateway", "network"),
    remediation=(
        "Set default_route_table_association and default_route_table_propagation to 'disable' and associate and "
        "propagate each attachment in its segment's route table (TransitGatewayAttachmentAcceptance). No automatic fix:"
        " without segment route tables attachments would lose every route."
    ),
    validate=validate,
    docs=RuleDocs(
        checks="default route-table association and propagation are `disable`",
        resource_types="`aws:ec2transitgateway/transitGateway`",
        fix="one route table per segment",
        unset_unknown="unset: `enable` (provider default, finding); unknown: *cannot verify at preview*",
        reference="no automatic fix: without segment route tables, attachments would lose every route.",
    ),
)
