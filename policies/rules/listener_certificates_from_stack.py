"""TLS listeners use an Amazon-issued certificate that this stack requested, or an allow-listed one.

Why: the certificate on the listener AgentCore reaches decides whether the
handshake succeeds. A listener whose ``certificateArn`` traces, through the
engine's property dependencies, to an ``aws.acm.Certificate`` (or its
``CertificateValidation``) in the stack can be checked by
``public-ca-certificates``; a literal ARN cannot be checked offline, so it must
be listed in ``allowedCertificateArns`` (after ``agentcore-egress preflight``
confirmed it is AMAZON_ISSUED).
"""

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from .. import resource_types as t
from ..properties import UNKNOWN, message, of_type, read

NAME = "listener-certificates-from-stack"

# Pack metadata (kind, severity, Security Hub control, remediation), applied where the pack is assembled.
from pulumi_policy import Severity  # noqa: E402

from ..rule_assembly import AGENTCORE_PATH, RuleMetadata  # noqa: E402

METADATA = RuleMetadata(
    kind=AGENTCORE_PATH,
    severity=Severity.HIGH,
    tags=("tls", "certificates", "load-balancer"),
    remediation_steps=(
        'Create the certificate in the stack (PublicCertificate) and pass its ARN to the listener, or, for a certificate from another stack or from config, confirm with `agentcore-egress preflight` that it is AMAZON_ISSUED and add its ARN to allowedCertificateArns.'
    ),
)
_SOURCES = (t.ACM_CERTIFICATE, t.ACM_CERTIFICATE_VALIDATION)


def _is_public(resource, resources_by_urn) -> bool:
    if resource.resource_type == t.ACM_CERTIFICATE_VALIDATION:
        sources = [dep for dep in resource.property_dependencies.get("certificateArn", []) if dep.resource_type == t.ACM_CERTIFICATE]
        return bool(sources) and all(_is_public(source, resources_by_urn) for source in sources)
    return all(read(resource.props, prop) is None for prop in ("certificateAuthorityArn", "privateKey", "certificateBody"))


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    allowed = set((args.get_config() or {}).get("allowedCertificateArns", []))
    by_urn = {resource.urn: resource for resource in args.resources}
    for resource in of_type(args.resources, *t.LISTENERS, *t.LISTENER_CERTIFICATES):
        if resource.resource_type in t.LISTENERS and read(resource.props, "protocol") not in ("HTTPS", "TLS"):
            continue
        arn = read(resource.props, "certificateArn")
        sources = [dep for dep in resource.property_dependencies.get("certificateArn", []) if dep.resource_type in _SOURCES]
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


policy = StackValidationPolicy(
    name=NAME,
    description="HTTPS/TLS listeners use an Amazon-issued certificate from this stack or an allow-listed ARN.",
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={"allowedCertificateArns": {"type": "array", "items": {"type": "string"}, "default": []}}
    ),
    validate=validate,
)
