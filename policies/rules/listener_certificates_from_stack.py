"""TLS listeners use an Amazon-issued certificate that this stack requested, or an allow-listed one.

Why: the certificate on the listener AgentCore reaches decides whether the
handshake succeeds. A listener whose ``certificateArn`` traces, through the
engine's property dependencies, to an ``aws.acm.Certificate`` (or its
``CertificateValidation``) in the stack can be checked by
``public-ca-certificates``; a literal ARN cannot be checked offline, so it must
be listed in ``allowedCertificateArns`` (after ``agentcore-egress preflight``
confirmed it is AMAZON_ISSUED).

Unset: ``certificateArn`` left out of an HTTPS/TLS listener is a violation (ELB
refuses the listener); ``protocol`` left out is HTTP/TCP (Optional+Computed in
``aws_lb_listener``): not judged. On the certificate, ``certificateAuthorityArn``,
``privateKey`` and ``certificateBody`` left out mean an Amazon-issued
certificate.
Unknown (first preview): the certificate's ARN is always unknown when the
certificate is created in the same stack, so the verdict comes from the
property dependencies of ``certificateArn``: through an ``acm.Certificate``
(directly or through ``acm.CertificateValidation``) with a private CA or
imported material, *even an unknown one* (set is set) → violation at preview;
from any other resource of this stack → violation (an ARN minted by this stack
cannot be on the allowlist); no dependency at all → "cannot verify at preview".
"""

from pulumi_policy import EnforcementLevel, ReportViolation, Severity, StackValidationArgs

from .. import resource_types as t
from ..properties import is_unset, UNKNOWN, Unverified, message, of_type, read
from ..rule_declaration import AGENTCORE_PATH, STACK, RuleDeclaration, RuleDocs


_SOURCES = (t.ACM_CERTIFICATE, t.ACM_CERTIFICATE_VALIDATION)


def _is_public(resource, resources_by_urn) -> bool:
    if resource.resource_type == t.ACM_CERTIFICATE_VALIDATION:
        sources = [dep for dep in resource.property_dependencies.get("certificateArn", []) if dep.resource_type == t.ACM_CERTIFICATE]
        return bool(sources) and all(_is_public(source, resources_by_urn) for source in sources)
    return all(is_unset(read(resource.props, prop)) for prop in ("certificateAuthorityArn", "privateKey", "certificateBody"))


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    allowed = set((args.get_config() or {}).get("allowedCertificateArns", []))
    by_urn = {resource.urn: resource for resource in args.resources}
    unverified = Unverified()
    for resource in of_type(args.resources, *t.LISTENERS, *t.LISTENER_CERTIFICATES):
        protocol = read(resource.props, "protocol") if resource.resource_type in t.LISTENERS else "TLS"
        if protocol is UNKNOWN:
            unverified.add(resource.name, resource.resource_type, "protocol", "computed by another resource")
        if protocol not in ("HTTPS", "TLS"):
            continue
        arn = read(resource.props, "certificateArn")
        dependencies = resource.property_dependencies.get("certificateArn", [])
        sources = [dep for dep in dependencies if dep.resource_type in _SOURCES]
        if arn is UNKNOWN and not dependencies:
            unverified.add(resource.name, resource.resource_type, "certificateArn", "nothing in this stack says which certificate it is")
            continue
        if sources:
            if not all(_is_public(source, by_urn) for source in sources):
                report_violation(
                    message(resource.name, resource.resource_type, "certificateArn", arn, "it comes from a private-CA or imported certificate",
                            "use an Amazon-issued ACM certificate (PublicCertificate)"),
                    resource.urn,
                )
        elif arn is UNKNOWN or arn not in allowed:
            report_violation(
                message(resource.name, resource.resource_type, "certificateArn", arn,
                        "it does not come from a certificate in this stack, so its issuer cannot be checked",
                        "create the certificate in this stack (PublicCertificate), or add the ARN to allowedCertificateArns "
                        "once `agentcore-egress preflight` shows it is AMAZON_ISSUED"),
                resource.urn,
            )
    unverified.settle()


RULE = RuleDeclaration(
    id="listener-certificates-from-stack",
    kind=AGENTCORE_PATH,
    description="HTTPS/TLS listeners use an Amazon-issued certificate from this stack or an allow-listed ARN.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=("tls", "certificates", "load-balancer"),
    remediation=(
        "Create the certificate in the stack (PublicCertificate) and pass its ARN to the listener, or, for a "
        "certificate from another stack or from config, confirm with `agentcore-egress preflight` that it is "
        "AMAZON_ISSUED and add its ARN to allowedCertificateArns."
    ),
    options={"allowedCertificateArns": {"type": "array", "items": {"type": "string"}, "default": []}},
    validate=validate,
    judges=STACK,
    docs=RuleDocs(
        checks=(
            "HTTPS/TLS listeners' `certificateArn` traces (property dependencies) to an Amazon-issued certificate in "
            "the stack, or is allow-listed"
        ),
        resource_types="`aws:lb/listener`, `aws:lb/listenerCertificate` (and `alb`)",
        fix=(
            "create the certificate in the stack, or allow-list the ARN once `agentcore-egress preflight` shows it is "
            "AMAZON_ISSUED"
        ),
        configure="`allowedCertificateArns: [arn…]`",
        unset_unknown=(
            "unset `certificateArn`: violation; unknown ARN: decided by its property dependencies (a private-CA or "
            "imported `acm.Certificate`, directly or through `CertificateValidation` → violation at preview; another "
            "resource of the stack → violation); no dependency: *cannot verify at preview* (advisory)"
        ),
        reference="stack rule, no automatic fix (stack policies cannot remediate).",
    ),
)
