"""The resources of AgentCore's private paths carry the tags the organization requires.

Why: Resource Gateways, shares and targets are created in many accounts by
many stacks; cost allocation and incident response need to find their owner.
Tags come from the resource or from its provider's ``defaultTags``. The list is
``requiredTags`` in the pack configuration (empty by default, so the rule is
inert until an organization names its tags); advisory by default.

Unset: no tags but the provider's ``defaultTags`` (pulumi-aws merges them into
``tagsAll``). Unknown (first preview): tag *values* may be unknown, their keys
are still known and judged; a wholly unknown ``tags`` map is "cannot verify at
preview".
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .. import resource_types as t
from ..properties import UNKNOWN, cannot_verify, message, provider_tags, read_plain
from ..rule_declaration import GENERAL, RuleDeclaration, RuleDocs


TAGGED_TYPES = (
    t.VPC,
    t.TRANSIT_GATEWAY,
    t.TGW_VPC_ATTACHMENT,
    t.RESOURCE_SHARE,
    t.RESOURCE_GATEWAY,
    t.RESOURCE_CONFIGURATION,
    t.GATEWAY,
    t.VPC_ENDPOINT,
    *t.LOAD_BALANCERS,
    t.ACM_CERTIFICATE,
)


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    required = (args.get_config() or {}).get("requiredTags") or []
    if not required or args.resource_type not in TAGGED_TYPES:
        return
    tags = read_plain(args.props, "tags", default={})
    if tags is UNKNOWN:
        cannot_verify(args.name, args.resource_type, "tags", "computed as a whole by another resource")
    present = {**provider_tags(args), **(tags or {})}
    missing = [tag for tag in required if tag not in present]
    if missing:
        report_violation(
            message(args.name, args.resource_type, "tags", sorted(present), f"required tags {missing} are missing",
                    "add them to the resource's tags or to the account provider's default_tags")
        )


RULE = RuleDeclaration(
    id="required-tags",
    kind=GENERAL,
    description="Resources of AgentCore's private paths carry the organization's required tags.",
    level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    tags=("tagging",),
    remediation=(
        "Add the missing tags to the resource or to the account provider's default_tags "
        "(account_provider(default_tags=...))."
    ),
    options={"requiredTags": {"type": "array", "items": {"type": "string"}, "default": []}},
    validate=validate,
    docs=RuleDocs(
        checks="the listed tags are on the resource or in its provider's `defaultTags`",
        resource_types=(
            "VPC, TGW, attachments, RAM shares, Resource Gateways and Configurations, AgentCore gateways, interface "
            "endpoints, load balancers, certificates"
        ),
        fix="add the tags (resource or `account_provider(default_tags=…)`)",
        configure="`requiredTags: [tag…]` (empty by default: inert)",
        unset_unknown=(
            "unset: only the provider's `defaultTags`; unknown tag values: keys still judged; wholly unknown `tags`: "
            "*cannot verify at preview*"
        ),
        reference="no automatic fix: the values (owner, cost centre) are the organization's.",
    ),
)
