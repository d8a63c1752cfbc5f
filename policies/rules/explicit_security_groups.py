"""Every resource that makes ENIs for AgentCore's path sets its security groups.

Why: when a managed-mode gateway target, a VPC Lattice Resource Gateway or an
interface VPC endpoint is created without security groups, AWS attaches the
VPC's default security group, whose rules nobody reviewed for this path (and
which our VPCs lock down to nothing, so traffic then silently stops). A load
balancer is different: AWS does not fall back on the default group, and a
Network Load Balancer created without security groups can never be given any
afterwards, so all traffic the subnets route to it reaches its listeners.

Unset (what pulumi-aws sends when the property is left out): nothing, so AWS's
behaviour above applies — ``securityGroupIds`` of a target's
``managedVpcResource``, of ``vpclattice.ResourceGateway`` and of
``ec2.VpcEndpoint`` and ``securityGroups`` of ``lb.LoadBalancer`` are
Optional+Computed in the Terraform schema; ``vpcEndpointType`` defaults to
"Gateway" (no ENIs) and ``loadBalancerType`` to "application".
Unknown (first preview): a list holding unknown ids, ``[sg.id]``, is *set*
(compliant here; which groups they are is ``no-default-security-group``'s
question); a wholly unknown list or type is "cannot verify at preview"
(advisory), never a violation.
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .. import resource_types as t
from ..properties import UNKNOWN, cannot_verify, message, read, read_plain
from ..rule_declaration import GENERAL, RuleDeclaration, RuleDocs


def security_group_property(args: ResourceValidationArgs):
    """(property path, value) of the security groups of an ENI-making resource, or None if it makes none.

    The value keeps known parts (``[UNKNOWN]`` is a one-element list); the path is
    "loadBalancerType"/"vpcEndpointType"/"privateEndpoint.managedVpcResource" with
    value UNKNOWN when whether the resource makes ENIs is itself unknown.
    """
    if args.resource_type == t.GATEWAY_TARGET:
        managed = read_plain(args.props, "privateEndpoint", "managedVpcResource")
        if managed is None or managed is UNKNOWN:
            return None if managed is None else ("privateEndpoint.managedVpcResource", UNKNOWN)
        return "privateEndpoint.managedVpcResource.securityGroupIds", managed.get("securityGroupIds", None) if isinstance(managed, dict) else UNKNOWN
    if args.resource_type == t.RESOURCE_GATEWAY:
        return "securityGroupIds", read_plain(args.props, "securityGroupIds")
    if args.resource_type == t.VPC_ENDPOINT:
        kind = read(args.props, "vpcEndpointType", default="Gateway")
        if kind is UNKNOWN:
            return "vpcEndpointType", UNKNOWN
        if kind not in ("Interface", "Resource", "ServiceNetwork"):
            return None
        return "securityGroupIds", read_plain(args.props, "securityGroupIds")
    if args.resource_type in t.LOAD_BALANCERS:
        kind = read(args.props, "loadBalancerType", default="application")
        if kind == "gateway":
            return None
        return "securityGroups", read_plain(args.props, "securityGroups")
    return None


def _problem(args: ResourceValidationArgs) -> tuple[str, str]:
    if args.resource_type in t.LOAD_BALANCERS:
        if read(args.props, "loadBalancerType", default="application") == "network":
            return ("a Network Load Balancer created without security groups can never be given any afterwards, and all traffic "
                    "its subnets route to it reaches its listeners (AWS does not fall back on the default group for load balancers)",
                    "set security_groups when creating it (TargetSecurityGroups); adding them later means replacing the NLB")
        return ("without security groups the load balancer is not filtered by any group of yours",
                "set 1 to 5 security groups scoped to the listener ports (TargetSecurityGroups)")
    return "AWS falls back on the VPC's default security group", "set 1 to 5 security groups scoped to the backend's port (TargetSecurityGroups)"


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    found = security_group_property(args)
    if found is None:
        return
    prop, groups = found
    if groups is UNKNOWN:
        cannot_verify(args.name, args.resource_type, prop, "computed as a whole by another resource, so whether it holds any group is not known")
    if not groups:
        problem, fix = _problem(args)
        report_violation(message(args.name, args.resource_type, prop, groups, problem, fix))


RULE = RuleDeclaration(
    id="explicit-security-groups",
    kind=GENERAL,
    description="Managed-mode targets, Resource Gateways, interface endpoints and load balancers set their own security groups.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=("security-groups", "network"),
    remediation=(
        "Give the target, Resource Gateway, interface endpoint or load balancer 1 to 5 security groups of its own, "
        "scoped to the backend's port (TargetSecurityGroups). An NLB created without security groups must be replaced "
        "to get them."
    ),
    validate=validate,
    docs=RuleDocs(
        checks="ENI-making resources set their security groups (else AWS uses the VPC's default group)",
        resource_types=(
            "managed-mode `aws:bedrock/agentcoreGatewayTarget`, `aws:vpclattice/resourceGateway`, interface "
            "`aws:ec2/vpcEndpoint`, ALB/NLB `aws:lb/loadBalancer`"
        ),
        fix="set 1 to 5 security groups scoped to the backend's port (`TargetSecurityGroups`)",
        unset_unknown=(
            "unset: AWS's fallback (violation; for an NLB: never any groups); `[<unknown>]`: set (compliant); wholly "
            "unknown list or type: *cannot verify at preview*"
        ),
        reference="no automatic fix: only the stack knows which groups fit, and an NLB without groups must be replaced.",
    ),
)
