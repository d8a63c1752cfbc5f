"""RAM shares stay inside the organization.

Why: a Resource Configuration or a Transit Gateway shared with
``allowExternalPrincipals`` on can be handed to any account id,
including a mistyped one outside the organization, which then reaches the
private endpoint or joins the hub. With it off, RAM refuses principals outside
the organization.

Unset: pulumi-aws (Terraform ``aws_ram_resource_share``:
``allow_external_principals`` Optional, ``Default: false``) sends false, so a
share that leaves it out is compliant, although the RAM API's own default is
true. Unknown (first preview): "cannot verify at preview" (advisory).
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .. import resource_types as t
from ..properties import UNKNOWN, cannot_verify, message, read
from ..rule_declaration import GENERAL, RuleDeclaration, RuleDocs


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != t.RESOURCE_SHARE:
        return
    value = read(args.props, "allowExternalPrincipals", default=False)
    if value is UNKNOWN:
        cannot_verify(args.name, args.resource_type, "allowExternalPrincipals", "computed by another resource")
    if value is not False:
        report_violation(
            message(args.name, args.resource_type, "allowExternalPrincipals", value, "accounts outside the organization could be given access",
                    "set allowExternalPrincipals to false")
        )


RULE = RuleDeclaration(
    id="ram-inside-organization",
    kind=GENERAL,
    description="RAM resource shares have allowExternalPrincipals set to false.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=("ram", "sharing"),
    remediation=(
        "Set allow_external_principals to False on the resource share and share with the organization, OUs or member "
        "accounts. Automatic fix at the remediate level: the property is set to false."
    ),
    fix={"allowExternalPrincipals": False},
    validate=validate,
    docs=RuleDocs(
        checks="`allowExternalPrincipals` is `false`",
        resource_types="`aws:ram/resourceShare`",
        fix="`allow_external_principals=False`",
        unset_unknown=(
            "unset: `false` (pulumi-aws default, compliant, although RAM's API default is true); unknown: *cannot "
            "verify at preview*"
        ),
        reference=(
            "**automatic fix**: `allowExternalPrincipals` becomes `false`. Safe: principals inside the organization "
            "keep their access; RAM then refuses only outsiders."
        ),
    ),
)
