"""Managed-mode targets and Resource Gateways have at most five security groups.

Why: AgentCore accepts at most five security groups for a managed VPC
resource, and a VPC Lattice Resource Gateway at most five: a sixth fails the
deployment after the other resources of the stack were already created.

Unset: no groups (``explicit-security-groups`` judges that). Unknown (first
preview): ``[a.id, b.id, …]`` has a known length, judged as at update; a wholly
unknown list is "cannot verify at preview" (advisory).
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from ..properties import UNKNOWN, cannot_verify, message
from .explicit_security_groups import security_group_property

NAME = "target-security-group-limit"

# Pack metadata (kind, severity, Security Hub control, remediation), applied where the pack is assembled.
from pulumi_policy import Severity  # noqa: E402

from ..rule_assembly import GENERAL, RuleMetadata  # noqa: E402

METADATA = RuleMetadata(
    kind=GENERAL,
    severity=Severity.MEDIUM,
    tags=("security-groups", "agentcore"),
    remediation_steps=(
        'Merge the rules into at most 5 security groups for the target or Resource Gateway.'
    ),
)
LIMIT = 5


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    found = security_group_property(args)
    if found is None or args.resource_type.endswith((":VpcEndpoint", ":LoadBalancer")):
        return
    prop, groups = found
    if groups is UNKNOWN:
        cannot_verify(args.name, args.resource_type, prop, "computed as a whole, so how many groups it holds is not known")
    if groups and len(groups) > LIMIT:
        report_violation(
            message(args.name, args.resource_type, prop, groups, f"{len(groups)} security groups exceed AWS's limit of {LIMIT}",
                    "merge rules into at most 5 security groups")
        )


policy = ResourceValidationPolicy(
    name=NAME,
    description="Managed-mode gateway targets and Resource Gateways have at most 5 security groups.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
