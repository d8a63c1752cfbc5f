"""Every resource that makes ENIs for AgentCore's path sets its security groups.

Why: when a managed-mode gateway target, a VPC Lattice Resource Gateway, an
interface VPC endpoint or a load balancer is created without security groups,
AWS attaches the VPC's default security group, whose rules nobody reviewed for
this path (and which our VPCs lock down to nothing, so traffic then silently
stops). An NLB created without security groups can never get them later.
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .. import resource_types as t
from ..properties import UNKNOWN, message, read

NAME = "explicit-security-groups"

# Pack metadata (kind, severity, Security Hub control, remediation), applied where the pack is assembled.
from pulumi_policy import Severity  # noqa: E402

from ..rule_assembly import GENERAL, RuleMetadata  # noqa: E402

METADATA = RuleMetadata(
    kind=GENERAL,
    severity=Severity.HIGH,
    tags=("security-groups", "network"),
    remediation_steps=(
        "Give the target, Resource Gateway, interface endpoint or load balancer 1 to 5 security groups of its own, scoped to the backend's port (TargetSecurityGroups). An NLB created without security groups must be replaced to get them."
    ),
)


def security_group_property(args: ResourceValidationArgs):
    """(property path, value) of the security groups of an ENI-making resource, or None if it makes none."""
    if args.resource_type == t.GATEWAY_TARGET:
        managed = read(args.props, "privateEndpoint", "managedVpcResource")
        if managed is None:
            return None
        return "privateEndpoint.managedVpcResource.securityGroupIds", read(managed, "securityGroupIds")
    if args.resource_type == t.RESOURCE_GATEWAY:
        return "securityGroupIds", read(args.props, "securityGroupIds")
    if args.resource_type == t.VPC_ENDPOINT:
        if read(args.props, "vpcEndpointType", default="Gateway") not in ("Interface", "Resource", "ServiceNetwork"):
            return None
        return "securityGroupIds", read(args.props, "securityGroupIds")
    if args.resource_type in t.LOAD_BALANCERS:
        if read(args.props, "loadBalancerType", default="application") == "gateway":
            return None
        return "securityGroups", read(args.props, "securityGroups")
    return None


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    found = security_group_property(args)
    if found is None:
        return
    prop, groups = found
    # Unknown means computed from other resources, which is an explicit choice.
    if groups is UNKNOWN:
        return
    if not groups:
        report_violation(
            message(args.name, args.resource_type, prop, groups, "AWS falls back on the VPC's default security group",
                    "set 1 to 5 security groups scoped to the backend's port (TargetSecurityGroups)")
        )


policy = ResourceValidationPolicy(
    name=NAME,
    description="Managed-mode targets, Resource Gateways, interface endpoints and load balancers set their own security groups.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
