"""Load balancers are internal.

Why: the point of private egress is that the tool is not on the internet. An
internet-facing load balancer in front of a gateway target publishes the tool
to everyone, and AgentCore would not even need the Resource Gateway to reach
it. Load balancers that must be public for other reasons are exempted by name
in ``exemptResourceNames``.

Unset: pulumi-aws sends no ``internal`` (Optional+Computed in the Terraform
schema of ``aws_lb``), so AWS creates the default scheme, internet-facing: a
violation. Unknown (first preview, e.g. computed by an apply): "cannot verify
at preview" (advisory).
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .. import resource_types as t
from ..properties import UNKNOWN, cannot_verify, message, read
from ..rule_declaration import AGENTCORE_PATH, RuleDeclaration, RuleDocs


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in t.LOAD_BALANCERS:
        return
    if args.name in (args.get_config() or {}).get("exemptResourceNames", []):
        return
    internal = read(args.props, "internal")
    if internal is UNKNOWN:
        cannot_verify(args.name, args.resource_type, "internal", "computed by another resource")
    if internal is not True:
        report_violation(
            message(args.name, args.resource_type, "internal", internal, "the load balancer is internet-facing",
                    "set internal to true and place it in private subnets", unset_means="pulumi-aws defaults it to false: internet-facing")
        )


RULE = RuleDeclaration(
    id="internal-load-balancers",
    kind=AGENTCORE_PATH,
    description="Load balancers fronting gateway targets are internal.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=("load-balancer", "exposure"),
    remediation=(
        "Set internal=True and place the load balancer in private subnets (AlbRestBackend, EksMcpNlbBackend); the "
        "scheme cannot change in place, so the load balancer is replaced. A load balancer on the path that must stay "
        "public goes in exemptResourceNames."
    ),
    options={"exemptResourceNames": {"type": "array", "items": {"type": "string"}, "default": []}},
    validate=validate,
    docs=RuleDocs(
        checks="load balancers are internal",
        resource_types="`aws:lb/loadBalancer`, `aws:alb/loadBalancer`",
        fix="`internal=True` in private subnets",
        configure="`exemptResourceNames: [name…]`",
        unset_unknown=(
            "unset `internal`: internet-facing (violation; the message says \"internal is not set (pulumi-aws defaults "
            "it to false: internet-facing)\"); unknown: *cannot verify at preview*"
        ),
        reference="no automatic fix: the scheme cannot change in place (the load balancer would be replaced, in other subnets).",
    ),
)
