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

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .. import resource_types as t
from ..properties import UNKNOWN, cannot_verify, message, read

NAME = "tgw-no-auto-accept"

# Pack metadata (kind, severity, Security Hub control, remediation), applied where the pack is assembled.
from pulumi_policy import Severity  # noqa: E402

from ..rule_assembly import GENERAL, RuleMetadata  # noqa: E402

METADATA = RuleMetadata(
    kind=GENERAL,
    severity=Severity.HIGH,
    controls=("EC2.23",),
    tags=("transit-gateway", "network"),
    remediation_steps=(
        "Set auto_accept_shared_attachments to 'disable' and accept each spoke explicitly (TransitGatewayAttachmentAcceptance). Automatic fix at the remediate level: the property is set to 'disable' (attachments already accepted stay accepted)."
    ),
    fix={"autoAcceptSharedAttachments": "disable"},
)


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


policy = ResourceValidationPolicy(
    name=NAME,
    description="Transit Gateways have autoAcceptSharedAttachments disabled.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
