"""Managed-mode targets and Resource Gateways have at most five security groups.

Why: AgentCore accepts at most five security groups for a managed VPC
resource, and a VPC Lattice Resource Gateway at most five: a sixth fails the
deployment after the other resources of the stack were already created.

Unset: no groups (``explicit-security-groups`` judges that). Unknown (first
preview): ``[a.id, b.id, …]`` has a known length, judged as at update; a wholly
unknown list is "cannot verify at preview" (advisory).
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from ..properties import UNKNOWN, cannot_verify, message
from .explicit_security_groups import security_group_property
from ..rule_declaration import GENERAL, RuleDeclaration, RuleDocs


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


RULE = RuleDeclaration(
    id="target-security-group-limit",
    kind=GENERAL,
    description="Managed-mode gateway targets and Resource Gateways have at most 5 security groups.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    tags=("security-groups", "agentcore"),
    remediation="Merge the rules into at most 5 security groups for the target or Resource Gateway.",
    validate=validate,
    docs=RuleDocs(
        checks="at most 5 security groups per managed-mode target and Resource Gateway",
        resource_types="`aws:bedrock/agentcoreGatewayTarget`, `aws:vpclattice/resourceGateway`",
        fix="merge rules into ≤ 5 groups",
        unset_unknown="unset: no groups; `[<unknown>, …]`: counted; wholly unknown list: *cannot verify at preview*",
        reference="no automatic fix: merging groups is a design decision.",
    ),
)
