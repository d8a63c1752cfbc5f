"""HTTPS and TLS listeners use a TLS 1.2+ security policy.

Why: a listener without ``sslPolicy`` gets ELBSecurityPolicy-2016-08, which
still offers TLS 1.0 and 1.1. AgentCore negotiates TLS 1.2 or 1.3; offering
older protocols only widens what a downgrade can reach. By default any
ELBSecurityPolicy-TLS13-*, ELBSecurityPolicy-TLS-1-2-* or
ELBSecurityPolicy-FS-1-2-* policy passes; ``allowedPolicies`` replaces that
with an explicit list, ``requireTls13`` narrows it to TLS 1.3 policies.

Unset: ``sslPolicy`` is Optional+Computed in ``aws_lb_listener``; pulumi-aws
sends nothing and ELB applies ELBSecurityPolicy-2016-08 to an HTTPS/TLS
listener: a violation. ``protocol`` unset is HTTP (ALB) or TCP (NLB): not
judged. Unknown (first preview): protocol or policy computed by another
resource is "cannot verify at preview" (advisory).
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .. import resource_types as t
from ..properties import UNKNOWN, Unverified, message, read
from ..rule_declaration import GENERAL, RuleDeclaration, RuleDocs


TLS12_PREFIXES = ("ELBSecurityPolicy-TLS13-", "ELBSecurityPolicy-TLS-1-2-", "ELBSecurityPolicy-FS-1-2-")
TLS13_PREFIXES = ("ELBSecurityPolicy-TLS13-",)


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in t.LISTENERS:
        return
    protocol, policy_name = read(args.props, "protocol"), read(args.props, "sslPolicy")
    unverified = Unverified()
    for prop, value in (("protocol", protocol), ("sslPolicy", policy_name)):
        if value is UNKNOWN:
            unverified.add(args.name, args.resource_type, prop, "computed by another resource")
    if protocol not in ("HTTPS", "TLS") or policy_name is UNKNOWN:
        unverified.settle()
        return
    config = args.get_config() or {}
    allowed = config.get("allowedPolicies") or []
    prefixes = TLS13_PREFIXES if config.get("requireTls13") else TLS12_PREFIXES
    ok = policy_name in allowed if allowed else isinstance(policy_name, str) and policy_name.startswith(prefixes)
    if not ok:
        found = policy_name if policy_name is not None else None
        report_violation(
            message(args.name, args.resource_type, "sslPolicy", found,
                    "the listener offers TLS versions older than allowed (unset means ELBSecurityPolicy-2016-08, with TLS 1.0)",
                    f"set sslPolicy to {sorted(allowed) if allowed else 'ELBSecurityPolicy-TLS13-1-2-2021-06'}")
        )


RULE = RuleDeclaration(
    id="modern-tls",
    kind=GENERAL,
    description="HTTPS/TLS listeners use a TLS 1.2+ security policy (TLS 1.3 preferred).",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    controls=("ELB.17",),
    tags=("tls", "load-balancer"),
    remediation=(
        "Set the listener's ssl_policy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or a policy in allowedPolicies). "
        "Automatic fix at the remediate level: the listener gets ELBSecurityPolicy-TLS13-1-2-2021-06 when that policy "
        "satisfies the rule's config."
    ),
    fix={"sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
    options={
        "allowedPolicies": {"type": "array", "items": {"type": "string"}, "default": []},
        "requireTls13": {"type": "boolean", "default": False},
    },
    validate=validate,
    docs=RuleDocs(
        checks="HTTPS/TLS listeners use a TLS 1.2+ policy (unset means `ELBSecurityPolicy-2016-08`, TLS 1.0)",
        resource_types="`aws:lb/listener`",
        fix="`sslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06`",
        configure="`allowedPolicies: [...]` (replaces the default TLS13/TLS-1-2/FS-1-2 families), `requireTls13: true`",
        unset_unknown=(
            "unset `sslPolicy`: `ELBSecurityPolicy-2016-08` (violation); unset `protocol`: HTTP/TCP (not judged); "
            "unknown: *cannot verify at preview*"
        ),
        reference=(
            "**automatic fix**: `sslPolicy` becomes `ELBSecurityPolicy-TLS13-1-2-2021-06`, unless the rule's "
            "`allowedPolicies` would still reject it. Safe: AgentCore and current clients negotiate TLS 1.2 or 1.3."
        ),
    ),
)
