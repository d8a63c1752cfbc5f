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

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)

from .. import resource_types as t
from ..properties import UNKNOWN, cannot_verify, message, read

NAME = "internal-load-balancers"

# Pack metadata (kind, severity, Security Hub control, remediation), applied where the pack is assembled.
from pulumi_policy import Severity  # noqa: E402

from ..rule_assembly import AGENTCORE_PATH, RuleMetadata  # noqa: E402

METADATA = RuleMetadata(
    kind=AGENTCORE_PATH,
    severity=Severity.HIGH,
    tags=("load-balancer", "exposure"),
    remediation_steps=(
        'Set internal=True and place the load balancer in private subnets (AlbRestBackend, EksMcpNlbBackend); the scheme cannot change in place, so the load balancer is replaced. A load balancer on the path that must stay public goes in exemptResourceNames.'
    ),
)


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


policy = ResourceValidationPolicy(
    name=NAME,
    description="Load balancers fronting gateway targets are internal.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(properties={"exemptResourceNames": {"type": "array", "items": {"type": "string"}, "default": []}}),
    validate=validate,
)
