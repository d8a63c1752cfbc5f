"""Every VPC of the stack adopts its default security group with no rules (advisory).

Why: AWS creates each VPC with a default security group that admits all
traffic from its own members and sends anywhere. Anything later created in the
VPC without security groups lands in it, AgentCore's managed ENIs included.
``aws.ec2.DefaultSecurityGroup`` for the VPC with no ingress and no egress
takes those rules away (Security Hub EC2.2); PrivateVpc does it. Advisory: a
VPC whose every ENI has its own groups is not exposed by its default group.
The VPC is matched through the engine's property dependencies of ``vpcId`` (at
a first preview the VPC's id is unknown), else by id.
"""

from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs

from .. import resource_types as t
from ..properties import of_type, read
from ..rule_declaration import GENERAL, STACK, RuleDeclaration, RuleDocs


def _adopted_vpcs(args: StackValidationArgs) -> tuple[set[str], set[str]]:
    """(URNs, ids) of VPCs whose default group the stack adopts."""
    urns: set[str] = set()
    ids: set[str] = set()
    for group in of_type(args.resources, t.DEFAULT_SECURITY_GROUP):
        # Adopted with rules counts as adopted here: no-default-security-group reports the rules.
        urns.update(vpc.urn for vpc in group.property_dependencies.get("vpcId", []))
        vpc_id = read(group.props, "vpcId")
        if isinstance(vpc_id, str):
            ids.add(vpc_id)
    return urns, ids


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    urns, ids = _adopted_vpcs(args)
    for vpc in of_type(args.resources, t.VPC):
        vpc_id = read(vpc.props, "id")
        if vpc.urn in urns or (isinstance(vpc_id, str) and vpc_id in ids):
            continue
        report_violation(
            f"Vpc '{vpc.name}': its default security group is not adopted (no aws.ec2.DefaultSecurityGroup in this stack has this "
            "VPC's id as vpcId), so it keeps AWS's rules: all traffic between its members, all egress. "
            f"Fix: add aws.ec2.DefaultSecurityGroup(\"{vpc.name}-default\", vpc_id=<this VPC>.id, ingress=[], egress=[]) to the stack "
            "(PrivateVpc does), which removes those rules",
            vpc.urn,
        )


RULE = RuleDeclaration(
    id="default-security-group-adopted",
    kind=GENERAL,
    description="Every VPC of the stack adopts its default security group with no ingress and no egress rules.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    controls=("EC2.2",),
    tags=("security-groups", "network"),
    remediation=(
        "Add aws.ec2.DefaultSecurityGroup(vpc_id=<the VPC's id>, ingress=[], egress=[]) to the stack (PrivateVpc does)."
        " No automatic fix: a remediation can only change the resource it judges, and this needs a new one."
    ),
    validate=validate,
    judges=STACK,
    docs=RuleDocs(
        checks="every VPC of the stack has an `aws:ec2/defaultSecurityGroup` (matched by `vpcId`'s dependency, else id)",
        resource_types="`aws:ec2/vpc`, `aws:ec2/defaultSecurityGroup` (stack rule)",
        fix="`DefaultSecurityGroup(vpc_id=…, ingress=[], egress=[])` (`PrivateVpc`)",
        unset_unknown="VPC and group matched by `vpcId`'s property dependency, so it decides at a first preview; else by id",
        reference="advisory · stack rule, no automatic fix: it needs a new resource.",
    ),
)
