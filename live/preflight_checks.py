"""Every check ``preflight`` makes, as a rule: what it asks of the live account, how bad a failure is and the
usual fix (each failing check names its own fix too). Reports (SARIF's rules) read them from here.

A check's result names it by the keys of :data:`PREFLIGHT_CHECKS` (``Check.name``); its rule id is
``preflight/<name>``.
"""

from __future__ import annotations

from agentcore_egress.stacks.findings import MANDATORY, Rule

DOCUMENTATION = "README.md#check-accounts-before-a-rollout-audit-them-after"
"""Where preflight's checks are described."""
DETAIL = "A check of `agentcore-egress preflight` on the live account, with read-only calls, before a rollout."
TAGS = ("preflight", "live-account")


def _check(name: str, description: str, severity: str, remediation: str) -> Rule:
    return Rule(f"preflight/{name}", MANDATORY, description, severity, remediation, DOCUMENTATION, DETAIL, TAGS)


PREFLIGHT_CHECKS: dict[str, Rule] = {
    "credentials": _check("credentials", "The base credentials assume the stack's account.role_arn and resolve to the stack's account.", "medium",
                          "Use base credentials that may assume account.role_arn, and a role in the account the stack names."),
    "time-budget": _check("time-budget", "The account answers within the time budget (--timeout).", "low",
                          "Check the network path to AWS and the endpoint, or raise --timeout."),
    "region": _check("region", "The stack's region is enabled for the account and has available availability zones.", "medium",
                     "Enable the region for the account (AWS Account Management, opt-in regions)."),
    "agentcore-service-linked-role": _check(
        "agentcore-service-linked-role",
        "The AgentCore Gateway service-linked role exists, or the deploy role may create it (iam:CreateServiceLinkedRole).", "medium",
        "Create the service-linked role for bedrock-agentcore.amazonaws.com, or allow the deploy role iam:CreateServiceLinkedRole for it."),
    "ram-organization-sharing": _check(
        "ram-organization-sharing", "RAM sharing with AWS Organizations is enabled where stacks share with the organization or its OUs.", "medium",
        "Run `aws ram enable-sharing-with-aws-organization` in the management account, or share with account ids."),
    "vpc-capacity": _check("vpc-capacity", "A VPC that already exists has subnets in distinct AZs with free addresses for the predicted ENIs.",
                           "medium", "Free addresses in the VPC's subnets, or give the targets subnets with room for their ENIs."),
    "security-group": _check("security-group", "A security group referenced by id exists and is not a VPC's default security group.", "high",
                             "Reference a security group of its own (TargetSecurityGroups) that exists in the account."),
    "certificate": _check("certificate", "A certificate referenced by ARN is Amazon-issued, issued and not expired.", "high",
                          "Request an Amazon-issued certificate with DNS validation (PublicCertificate) and reference that one."),
    "public-zone": _check("public-zone", "The hosted zone used for DNS validation exists and is public.", "medium",
                          "Name the public hosted zone of the certificate's domain in certificates[].public_zone_id."),
    "existing-drift": _check("existing-drift", "The resources named under agentcore-egress:existing still match their committed snapshot "
                             "(existing/<stack>.json).", "high",
                             "Restore what changed in the account, or run `agentcore-egress discover --stack NAME` and commit the snapshot."),
}
"""Every check of ``preflight``: its name → its rule."""


def preflight_rule(name: str) -> Rule:
    """The rule of the check ``name``; a check this registry does not know yet gets a rule that says only its name."""
    return PREFLIGHT_CHECKS.get(name) or _check(name, f"The preflight check {name}.", "medium", "Follow the fix its result names.")
