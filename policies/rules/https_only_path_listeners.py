"""Load balancer listeners on an AgentCore path are HTTPS or TLS, or redirect to HTTPS.

Why: AgentCore reaches its targets over TLS only, so a plaintext listener on
the backend's load balancer serves nobody on the path, and offers the tool in
clear text to everything else that can reach the load balancer (Security Hub
ELB.1 asks the same of every ALB's HTTP listeners). An HTTP listener whose
default actions all redirect to HTTPS is fine; a TCP listener has no redirect,
so it is plaintext, except one whose default actions forward only to ALB-type
target groups (``targetType: "alb"``): that is AWS's pattern for an NLB (or
Lattice) in front of an ALB, where TLS passes through to the ALB's HTTPS
listener, which the path model (:mod:`..agentcore_path`) puts on the path and
this rule judges instead. Which type a forwarded target group has only the
stack shows (matched by the listener's property dependency, else by ARN), so
a TCP listener that forwards is judged at stack time (:func:`check_stack`); a
target group that is not in the stack is not known to be ALB-type: plaintext.
A listener whose protocol or actions are unknown at preview is reported as
"cannot verify" (advisory), not failed.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, Severity
from pulumi_policy.proxy import UnknownValueError

from .. import resource_types as t
from ..agentcore_path import forwarded_target_groups
from ..properties import CannotVerify, UNKNOWN, Unverified, message, plain, read
from ..rule_declaration import AGENTCORE_PATH, RuleDeclaration, RuleDocs

PLAINTEXT = ("HTTP", "TCP")


def _redirects_to_https(actions) -> bool:
    return bool(actions) and all(
        isinstance(action, dict) and action.get("type") == "redirect" and (action.get("redirect") or {}).get("protocol") == "HTTPS"
        for action in actions
    )


def _default_actions(props: Any) -> Any:
    """The listener's default actions, with :data:`UNKNOWN` only where a part is unknown (a target group's ARN often is)."""
    try:
        actions = props.get("defaultActions") or []
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
    actions = _default_actions(args.props)
    if protocol is UNKNOWN:
        raise CannotVerify.because(f"Listener '{args.name}': protocol is unknown during preview; checked again at update")
    if protocol not in PLAINTEXT:
        return
    if protocol == "TCP" and (actions is UNKNOWN or forwarded_target_groups(actions)):
        return  # TLS may pass through to an ALB: only the stack's target groups tell (check_stack)
    if protocol == "HTTP":
        if _undecidable(actions):
            raise CannotVerify.because(f"Listener '{args.name}': defaultActions are unknown during preview; checked again at update")
        if _redirects_to_https(actions):
            return
    report_violation(_plaintext(args.name, args.resource_type, protocol))


def _plaintext(name: str, resource_type: str, protocol: str, forwards_elsewhere: bool = False) -> str:
    problem = "a plaintext listener on an AgentCore path's load balancer" + (" that does not redirect to HTTPS" if protocol == "HTTP" else "")
    if forwards_elsewhere:
        problem += " (it forwards to a target group that is not an ALB-type target group of this stack, so TLS does not pass through to an ALB)"
    return message(name, resource_type, "protocol", protocol, problem,
                   "listen with HTTPS/TLS and a public certificate, redirect HTTP to HTTPS, or forward TCP only to ALB-type target groups")


def _target_group_types(listener: Any, by_arn: Mapping[str, Any]) -> Any:
    """The ``targetType`` of each target group a TCP listener forwards to ("not in the stack" where no target group of the
    stack is it), or :data:`UNKNOWN` when the stack cannot say which target groups they are (first preview, no dependency)."""
    arns = forwarded_target_groups(_default_actions(listener.props))
    groups = {dep.urn: dep for dep in listener.property_dependencies.get("defaultActions", []) if dep.resource_type in t.TARGET_GROUPS}
    unknown = [arn for arn in arns if not isinstance(arn, str) or arn is UNKNOWN]
    if unknown and not groups:
        return UNKNOWN
    types: list[Any] = []
    for arn in arns:
        if arn in by_arn:
            groups[by_arn[arn].urn] = by_arn[arn]
        elif arn not in unknown:
            types.append("not in the stack")
    return types + [read(group.props, "targetType", default="instance") for group in groups.values()]


def check_stack(resources: Sequence[Any], on_path: Mapping[str, str], report_violation: ReportViolation, unverified: Unverified) -> None:
    """On-path TCP listeners that forward: plaintext unless every target group they forward to is ALB-type."""
    groups = [group for group in resources if group.resource_type in t.TARGET_GROUPS]
    by_arn = {arn: group for group in groups if isinstance(arn := read(group.props, "arn"), str)}
    for listener in resources:
        if listener.urn not in on_path or listener.resource_type not in t.LISTENERS or read(listener.props, "protocol") != "TCP":
            continue
        actions = _default_actions(listener.props)
        if actions is not UNKNOWN and not forwarded_target_groups(actions):
            continue  # judged by the resource check
        types = UNKNOWN if actions is UNKNOWN else _target_group_types(listener, by_arn)
        if types is UNKNOWN or UNKNOWN in types:
            unverified.add(listener.name, listener.resource_type, "defaultActions", "which target groups it forwards to, and their type, "
                           "are known at update")
        elif any(kind != "alb" for kind in types):
            report_violation(_plaintext(listener.name, listener.resource_type, "TCP", forwards_elsewhere=True), listener.urn)


RULE = RuleDeclaration(
    id="https-only-path-listeners",
    kind=AGENTCORE_PATH,
    description="Listeners of load balancers on an AgentCore path are HTTPS/TLS, or HTTP redirecting to HTTPS.",
    level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    controls=("ELB.1",),
    tags=("tls", "load-balancer"),
    remediation=(
        "Make the listener HTTPS/TLS on 443 with an Amazon-issued certificate, or make an HTTP listener's default "
        "action a redirect to HTTPS (type redirect, protocol HTTPS, status_code HTTP_301); remove TCP listeners from "
        "the path's load balancer. No automatic fix: a redirect without an HTTPS listener, or a TCP listener turned TLS"
        " without a certificate, breaks the backend."
    ),
    validate=validate,
    check_stack=check_stack,
    docs=RuleDocs(
        checks=(
            "a listener of a load balancer on an AgentCore path is HTTPS/TLS, or HTTP whose default actions all "
            "redirect to HTTPS; TCP is plaintext unless every target group it forwards to is ALB-type (`targetType: "
            "alb`: TLS passes through to the ALB, whose listeners are judged instead)"
        ),
        resource_types="`aws:lb/listener` (and `alb`)",
        fix="HTTPS/TLS with a public certificate, or an HTTP→HTTPS redirect",
        unset_unknown=(
            "unset `protocol`: AWS's default for the load balancer (HTTP/TCP: plaintext, judged); unknown protocol or "
            "default actions: *cannot verify at preview*; a forwarding TCP listener is judged with the stack's target "
            "groups, at the end of preview and of `up` (not before it is created, even when tagged): matched by its "
            "property dependency (decides at preview), else by ARN; one not in the stack is not known to be ALB-type: "
            "plaintext"
        ),
        reference="no automatic fix: a redirect without an HTTPS listener, or TLS without a certificate, breaks the backend.",
    ),
)
