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

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity

from .. import resource_types as t
from ..properties import is_unset, UNKNOWN, message, read
from ..rule_declaration import AGENTCORE_PATH, RuleDeclaration, RuleDocs


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


RULE = RuleDeclaration(
    id="public-ca-certificates",
    kind=AGENTCORE_PATH,
    description="ACM certificates are Amazon-issued (no private CA, no imported key or body): AgentCore trusts only public CAs.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=("tls", "certificates"),
    remediation=(
        "Request the certificate from ACM with validation_method DNS (PublicCertificate) instead of a private CA, an "
        "imported key and body, or an IAM server certificate; for a backend that must keep a private certificate, put a"
        " publicly trusted hop in front (the target's routingDomain)."
    ),
    validate=validate,
    docs=RuleDocs(
        checks=(
            "ACM certificates are Amazon-issued: no `certificateAuthorityArn` (private CA), no imported "
            "`privateKey`/`certificateBody`; no IAM server certificates. AgentCore trusts only public CAs."
        ),
        resource_types="`aws:acm/certificate`, `aws:iam/serverCertificate`",
        fix="request an Amazon-issued certificate with DNS validation (`PublicCertificate`)",
        unset_unknown=(
            "unset: Amazon-issued (compliant); unknown CA/key/body (created in the stack): set, so a violation in both "
            "phases"
        ),
        reference=(
            "ACM.1 is about renewal, not the issuer · no automatic fix: a certificate's origin is a different resource,"
            " not a property."
        ),
    ),
)
