"""Transit Gateways never auto-accept shared attachments.

Why: a TGW shared with RAM to an organization or OU with auto-accept on lets
any account in the share attach any VPC and join the routing domain, without
the hub team's review: the network boundary becomes the size of the share. We
accept each spoke explicitly (TransitGatewayAttachmentAcceptance).

Unset: pulumi-aws (Terraform ``aws_ec2_transit_gateway``:
``auto_accept_shared_attachments`` ``Default: "disable"``) sends "disable":
compliant. Unknown (first preview): "cannot verify at preview" (advisory),
not a violation: a compliant hub is never blocked for a value it cannot show yet.
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .. import resource_types as t
from ..properties import UNKNOWN, cannot_verify, message, read
from ..rule_declaration import GENERAL, RuleDeclaration, RuleDocs


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.TRANSIT_GATEWAY:
        return
    value = read(args.props, "autoAcceptSharedAttachments", default="disable")
    if value is UNKNOWN:
        cannot_verify(args.name, args.resource_type, "autoAcceptSharedAttachments", "computed by another resource")
    if value != "disable":
        report_violation(
            message(args.name, args.resource_type, "autoAcceptSharedAttachments", value, "any account in the share could attach unreviewed",
                    "set autoAcceptSharedAttachments to 'disable' and accept spokes explicitly")
        )


RULE = RuleDeclaration(
    id="tgw-no-auto-accept",
    kind=GENERAL,
    description="Transit Gateways have autoAcceptSharedAttachments disabled.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    controls=("EC2.23",),
    tags=("transit-gateway", "network"),
    remediation=(
        "Set auto_accept_shared_attachments to 'disable' and accept each spoke explicitly "
        "(TransitGatewayAttachmentAcceptance). Automatic fix at the remediate level: the property is set to 'disable' "
        "(attachments already accepted stay accepted)."
    ),
    fix={"autoAcceptSharedAttachments": "disable"},
    validate=validate,
    docs=RuleDocs(
        checks="`autoAcceptSharedAttachments` is `disable`",
        resource_types="`aws:ec2transitgateway/transitGateway`",
        fix="accept spokes explicitly (`TransitGatewayAttachmentAcceptance`)",
        unset_unknown="unset: `disable` (provider default, compliant); unknown: *cannot verify at preview*",
        reference=(
            "**automatic fix**: `autoAcceptSharedAttachments` becomes `disable`. Safe: attachments already accepted "
            "stay accepted; new ones wait for an explicit acceptance."
        ),
    ),
)
