"""ACM certificates must be Amazon-issued: no private CA, no imported certificate.

Why: AgentCore Gateway only completes TLS handshakes with publicly trusted
certificates. A certificate from AWS Private CA (``certificateAuthorityArn``),
an imported key and body, or an IAM server certificate is not publicly
trusted, so every call through such a listener fails with a handshake error,
long after deployment. Requesting an Amazon-issued certificate (DNS validation)
is the fix; for backends that must keep a private certificate, put a publicly
trusted hop in front (the target's ``routingDomain``).

Unset: ``certificateAuthorityArn``, ``privateKey`` and ``certificateBody`` are
Optional in ``aws_acm_certificate`` with no default; left out, ACM issues an
Amazon certificate: compliant. Unknown (first preview, e.g. a CA or key created
in the same stack): the property is *set*, whatever its value will be, so the
certificate is private or imported: a violation in both phases.
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .. import resource_types as t
from ..properties import is_unset, UNKNOWN, message, read

NAME = "public-ca-certificates"

# Pack metadata (kind, severity, Security Hub control, remediation), applied where the pack is assembled.
from pulumi_policy import Severity  # noqa: E402

from ..rule_assembly import AGENTCORE_PATH, RuleMetadata  # noqa: E402

METADATA = RuleMetadata(
    kind=AGENTCORE_PATH,
    severity=Severity.HIGH,
    tags=("tls", "certificates"),
    remediation_steps=(
        "Request the certificate from ACM with validation_method DNS (PublicCertificate) instead of a private CA, an imported key and body, or an IAM server certificate; for a backend that must keep a private certificate, put a publicly trusted hop in front (the target's routingDomain)."
    ),
)


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == t.IAM_SERVER_CERTIFICATE:
        report_violation(
            message(args.name, args.resource_type, "certificateBody", "<imported>", "an IAM server certificate is imported, not publicly issued",
                    "request an Amazon-issued ACM certificate with DNS validation (PublicCertificate)")
        )
        return
    if args.resource_type != t.ACM_CERTIFICATE:
        return
    authority = read(args.props, "certificateAuthorityArn")
    if not is_unset(authority):
        report_violation(
            message(args.name, args.resource_type, "certificateAuthorityArn", authority, "a private CA's certificate is not trusted by AgentCore",
                    "remove certificateAuthorityArn and request an Amazon-issued certificate with validationMethod DNS")
        )
    for prop in ("privateKey", "certificateBody"):
        value = read(args.props, prop)
        if not is_unset(value):
            report_violation(
                message(args.name, args.resource_type, prop, "<imported>" if value is not UNKNOWN else value, "imported certificates are not Amazon-issued",
                        "request the certificate from ACM (domainName + validationMethod DNS) instead of importing it")
            )


policy = ResourceValidationPolicy(
    name=NAME,
    description="ACM certificates are Amazon-issued (no private CA, no imported key or body): AgentCore trusts only public CAs.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
