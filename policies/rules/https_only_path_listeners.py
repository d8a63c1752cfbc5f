"""Load balancer listeners on an AgentCore path are HTTPS or TLS, or redirect to HTTPS.

Why: AgentCore reaches its targets over TLS only, so a plaintext listener on
the backend's load balancer serves nobody on the path, and offers the tool in
clear text to everything else that can reach the load balancer (Security Hub
ELB.1 asks the same of every ALB's HTTP listeners). An HTTP listener whose
default actions all redirect to HTTPS is fine; a TCP listener has no redirect,
so it is plaintext. A listener whose protocol or actions are unknown at
preview is reported as "cannot verify" (advisory), not failed.
"""

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, Severity
from pulumi_policy.proxy import UnknownValueError

from .. import resource_types as t
from ..properties import CannotVerify, UNKNOWN, message, plain, read
from ..rule_assembly import AGENTCORE_PATH, RuleMetadata

NAME = "https-only-path-listeners"
METADATA = RuleMetadata(
    kind=AGENTCORE_PATH,
    severity=Severity.MEDIUM,
    controls=("ELB.1",),
    tags=("tls", "load-balancer"),
    remediation_steps=(
        "Make the listener HTTPS/TLS on 443 with an Amazon-issued certificate, or make an HTTP listener's default action a redirect "
        "to HTTPS (type redirect, protocol HTTPS, status_code HTTP_301); remove TCP listeners from the path's load balancer. "
        "No automatic fix: a redirect without an HTTPS listener, or a TCP listener turned TLS without a certificate, breaks the backend."
    ),
)
PLAINTEXT = ("HTTP", "TCP")


def _redirects_to_https(actions) -> bool:
    return bool(actions) and all(
        isinstance(action, dict) and action.get("type") == "redirect" and (action.get("redirect") or {}).get("protocol") == "HTTPS"
        for action in actions
    )


def _default_actions(args: ResourceValidationArgs):
    """The listener's default actions, with :data:`UNKNOWN` only where a part is unknown (a target group's ARN often is)."""
    try:
        actions = args.props.get("defaultActions") or []
    except UnknownValueError:
        return UNKNOWN
    return plain(actions)


def _undecidable(actions) -> bool:
    """Whether an unknown part decides: an action, its type, or a redirect's protocol."""
    if actions is UNKNOWN or not isinstance(actions, list):
        return actions is UNKNOWN
    for action in actions:
        if action is UNKNOWN or not isinstance(action, dict):
            return action is UNKNOWN
        redirect = action.get("redirect")
        if action.get("type") is UNKNOWN or redirect is UNKNOWN or (isinstance(redirect, dict) and redirect.get("protocol") is UNKNOWN):
            return True
    return False


def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in t.LISTENERS:
        return
    # An ALB listener without a protocol is HTTP (the provider's and AWS's default).
    protocol = read(args.props, "protocol", default="HTTP")
    actions = _default_actions(args)
    if protocol is UNKNOWN:
        raise CannotVerify.because(f"Listener '{args.name}': protocol is unknown during preview; checked again at update")
    if protocol not in PLAINTEXT:
        return
    if protocol == "HTTP":
        if _undecidable(actions):
            raise CannotVerify.because(f"Listener '{args.name}': defaultActions are unknown during preview; checked again at update")
        if _redirects_to_https(actions):
            return
    report_violation(
        message(args.name, args.resource_type, "protocol", protocol,
                "a plaintext listener on an AgentCore path's load balancer" + (" that does not redirect to HTTPS" if protocol == "HTTP" else ""),
                "listen with HTTPS/TLS and a public certificate, or redirect HTTP to HTTPS")
    )


policy = ResourceValidationPolicy(
    name=NAME,
    description="Listeners of load balancers on an AgentCore path are HTTPS/TLS, or HTTP redirecting to HTTPS.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=validate,
)
