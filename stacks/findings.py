"""One registry of findings: the :class:`Finding` type, the planner's own rules with their default
levels (a policy config sets them through :mod:`.policy_config`, the one parser of levels).

Three kinds of rule make findings: the policy pack's rules (judging each stack's resources,
registered in ``agentcore_egress.policies.rules``), the cross-stack checks and preconditions of
the landing-zone model (:mod:`agentcore_egress.planner.cross_stack_checks`, :mod:`agentcore_egress.planner.preconditions`) and reachability
(:mod:`agentcore_egress.planner.reachability`). :data:`PLANNER_RULES` names the planner's own rules once; the policy
config parser takes them, with the pack's rules, as the set of known rules, so that
``--policy-pack-config`` sets any rule's level, cross-stack ones included.

Every :class:`Rule` also carries what reports show of it (code scanning's rule help): its severity,
its fix and its documentation; :func:`pack_rule` reads them from a pack rule's declaration (its module's ``RULE``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agentcore_egress.policies.rule_declaration import RuleDeclaration

MANDATORY, ADVISORY, DISABLED = "mandatory", "advisory", "disabled"


@dataclass(frozen=True)
class Finding:
    """One verdict: on a resource (``urn``) or on the landing zone's config (``stack`` + ``config_path``)."""

    policy: str
    level: str
    message: str
    urn: str
    config_path: str = ""
    """The key path in the stack file the finding is about (``targets[2].lattice``), without the namespace."""
    stack: str = ""
    """The stack whose file holds ``config_path``."""
    phases: tuple[str, ...] = ()

    def located(self, stack: str, config_path: str) -> "Finding":
        """The same finding, placed at ``config_path`` of ``stack``'s file."""
        return replace(self, stack=stack, config_path=config_path)


@dataclass(frozen=True)
class Rule:
    """A rule that makes findings: its id, default level and what it asks for, with what a report shows of it
    (code scanning's rule help): how bad a violation is, how to fix one, and where the rule is documented."""

    id: str
    level: str
    description: str
    severity: str
    """``low``, ``medium``, ``high`` or ``critical`` (the pack's rules: their ``severity``)."""
    remediation: str
    """How to make a violation go away."""
    url: str
    """The rule's documentation, relative to the repository root, with its anchor (``policies/README.md#modern-tls``)."""
    detail: str = ""
    """What the rule judges and where, beyond ``description`` (its kind, the control it implements)."""
    tags: tuple[str, ...] = ()


PLAN_DOCUMENTATION = "README.md#plan-a-landing-zone-offline-in-ci"
"""Where the planner's rules are listed (the table of "Plan a landing zone")."""
LANDING_ZONE_CHECK = "A landing-zone check of `agentcore-egress plan`, across the stacks of one folder."
AWS_PRECONDITION = ("What AWS requires before the cross-account or cross-region call succeeds (planner/preconditions.py names the AWS "
                    "documentation); a landing-zone check of `agentcore-egress plan`.")


def _rules(detail: str, tags: tuple[str, ...], *rules: Rule) -> dict[str, Rule]:
    return {rule.id: replace(rule, detail=detail, tags=tags) for rule in rules}


def _planner_rule(rule_id: str, level: str, description: str, severity: str, remediation: str) -> Rule:
    return Rule(rule_id, level, description, severity, remediation, PLAN_DOCUMENTATION)


CROSS_STACK_RULES = _rules(
    LANDING_ZONE_CHECK, ("landing-zone", "cross-stack"),
    _planner_rule("cross-stack-cidr-overlap", MANDATORY, "VPCs that a Transit Gateway route table or a peering joins, across stacks, do not overlap.",
                  "high", "Renumber one of the two VPCs (its cidr and subnets) so that no joined VPCs share addresses."),
    _planner_rule("cross-stack-managed-path", MANDATORY,
                  "A managed-mode target's VPC is in the gateway's account and region and joined to its backend's VPC by an accepted TGW attachment or peering.",
                  "medium", "Put the target's VPC in the gateway's account and region, and join it to the backend's VPC with a tgw_spokes entry "
                  "and its tgw_acceptances entry in the hub, or a peering_spokes entry and its peering_acceptances entry."),
    _planner_rule("cross-stack-lattice-share", MANDATORY,
                  "A self-managed target's Resource Configuration exists, is in the gateway's region and is shared with the gateway's account, its OU or its organization.",
                  "medium", "Declare the Resource Configuration in the owner's lattice_resources, in the gateway's region, and add the gateway's "
                  "account (or its OU or organization) to its share_with."),
    _planner_rule("cross-stack-share-outside-zone", ADVISORY, "RAM shares name only accounts of the landing zone.",
                  "high", "Remove the account from share_with, or add the account's stack to the landing zone."),
)
"""Cross-stack checks of the landing zone's config."""

PRECONDITION_RULES = _rules(
    AWS_PRECONDITION, ("landing-zone", "aws-precondition"),
    _planner_rule("precondition-tgw-attachment", MANDATORY,
                  "A Transit Gateway attachment's VPC is in the hub's region, the hub shares the Transit Gateway with its account (directly, its OU "
                  "or the organization), and the hub accepts, associates and propagates it into segments the hub has.",
                  "medium", "Attach a VPC of the hub's region, share the Transit Gateway with the spoke's account (transit_gateway_hub.share_with), "
                  "and add a tgw_acceptances entry for the spoke in the hub's stack."),
    _planner_rule("precondition-tgw-route", MANDATORY, "A Transit Gateway route table gets one static route per destination block, "
                  "across the hub's blackhole routes and the acceptances' static routes.",
                  "medium", "Keep one static route per destination in each segment's route table, or make one of the two more specific."),
    _planner_rule("precondition-tgw-peering", MANDATORY,
                  "A Transit Gateway peering a hub requests is accepted by a stack of the other hub's account and region, and each side is "
                  "placed on its own hub by a stack of that hub's account and region.",
                  "medium", "Add a tgw_peerings entry without accepted_in (the acceptance) in a stack of the accepter hub's account and region, "
                  "and one with accepted_in (the requester's routes) in a stack of the requester hub's account and region."),
    _planner_rule("precondition-listener", MANDATORY,
                  "A target's URL port is a listener of the load balancer its host resolves to, and that listener is HTTPS (ALB) or TLS (NLB).",
                  "medium", "Name the listener's port in the target's URL (or set the load balancer's listener_port to the URL's), and make the "
                  "listener HTTPS or TLS with a public certificate."),
    _planner_rule("precondition-resource-gateway", MANDATORY,
                  "A self-managed Resource Gateway's subnets have its IP address family, and the load balancer behind each of its configurations "
                  "admits its ENIs (their subnets' blocks or its security groups).",
                  "medium", "Use ip_address_type IPV4 in IPv4-only subnets, and admit the Resource Gateway's subnets (client_cidrs) or its security "
                  "groups (client_groups) on the load balancer."),
    _planner_rule("precondition-peering", MANDATORY,
                  "A VPC peering is requested and accepted by the hub, the acceptance names the requested VPC, and DNS resolution is turned on "
                  "only once the peering is active.",
                  "medium", "Add a peering_acceptances entry for the spoke in the hub VPC's stack, and set accepted: true on the spoke only after "
                  "that acceptance is deployed."),
    _planner_rule("precondition-ram-organization", MANDATORY,
                  "RAM shares name only the landing zone's organization and its OUs, and sharing with AWS Organizations is enabled where they "
                  "name the organization or OUs.",
                  "high", "Name the landing zone's organization or its OUs (organization.units) in share_with, and run `aws ram "
                  "enable-sharing-with-aws-organization` in the management account before setting organization.ram_sharing_enabled."),
    _planner_rule("precondition-zone-association", MANDATORY,
                  "A VPC of another account is associated with a private zone only after the zone's owner authorized it, and no VPC gets two "
                  "private zones of one name.",
                  "medium", "Authorize the VPC in the zone owner's private_names entry and associate it from the VPC's own stack "
                  "(zone_associations), once per zone name."),
    _planner_rule("precondition-certificate-region", MANDATORY, "A load balancer's ACM certificate is in the load balancer's account and region.",
                  "medium", "Request the certificate in the load balancer's account and region (a certificates entry of the same stack) and name it there."),
    _planner_rule("precondition-security-group-vpc", MANDATORY,
                  "A managed target's ENIs and a private API's endpoint use security groups of their own VPC, and a load balancer admits groups by "
                  "reference only from its VPC, a peered VPC of its region, or a VPC on a Transit Gateway with security group referencing enabled.",
                  "medium", "Name security groups of the target's (or the endpoint's) own VPC: a group of another VPC cannot be attached to its ENIs; "
                  "admit a group of another VPC only where AWS matches the reference, or admit its subnets' blocks instead."),
    _planner_rule("precondition-subnet-room", MANDATORY,
                  "Every subnet has room, after the 5 addresses AWS reserves, for the ENIs the landing zone puts in it; an ALB's subnets are /27 or larger.",
                  "medium", "Give the subnet a larger block (an ALB's at least /27), or lower the self-managed Resource Gateway's ipv4_addresses_per_eni, "
                  "or place fewer ENIs in it."),
)
"""What AWS requires before a cross-account or cross-region call succeeds (see :mod:`agentcore_egress.planner.preconditions`)."""

REACHABILITY_RULES = _rules(
    LANDING_ZONE_CHECK, ("landing-zone", "reachability"),
    _planner_rule("reachability", MANDATORY,
                  "Every AgentCore gateway target can reach its backend on the declared infrastructure: DNS, routes both ways, security groups, "
                  "listener, public certificate matching the name, forward port.",
                  "medium", "Fix the first broken hop the finding names (its message ends with the smallest fix), then plan again."),
)

PLANNER_RULES: dict[str, Rule] = {**CROSS_STACK_RULES, **PRECONDITION_RULES, **REACHABILITY_RULES}
"""Every rule the planner checks itself (not the pack's): id → rule."""


def planner_finding(rule_id: str, stack: str, config_path: str, message: str) -> Finding:
    """A finding of one of the planner's rules at its default level, placed at ``config_path`` of ``stack``'s file."""
    return Finding(policy=rule_id, level=PLANNER_RULES[rule_id].level, message=message, urn="", config_path=config_path, stack=stack)


_PACK_RULES: dict[str, Rule] = {}
"""The pack's rules, read once per process: from its declarations, or as a plan cache kept them (:mod:`.pack_rules`)."""


def pack_rules() -> dict[str, Rule]:
    """The policy pack's rules (their declarations in its rule modules, unless a plan cache gave them), by id."""
    if not _PACK_RULES:
        from agentcore_egress.policies.rules import DECLARATIONS

        _PACK_RULES.update((rule.id, pack_rule(rule)) for rule in DECLARATIONS)
    return dict(_PACK_RULES)


def remember_pack_rules(rules: dict[str, Rule]) -> None:
    """Take the pack's rules as a plan cache kept them, unless read already (then the pack is not imported for them)."""
    if not _PACK_RULES:
        _PACK_RULES.update(rules)


def known_rules() -> dict[str, Rule]:
    """Every rule a plan can report: the policy pack's and the planner's own."""
    return {**pack_rules(), **PLANNER_RULES}


def pack_rule(rule: RuleDeclaration) -> Rule:
    """A rule of the pack (its declaration, ``policies/rule_declaration.py``) as a :class:`Rule`."""
    from agentcore_egress.policies.rule_declaration import AGENTCORE_PATH, FSBP, GENERAL

    kinds = {AGENTCORE_PATH: "An AgentCore-path rule of the policy pack: it judges only resources on an AgentCore path.",
             GENERAL: "A general network rule of the policy pack: it judges every resource of its types."}
    detail = [kinds[rule.kind]]
    if rule.controls:
        detail.append(f"{FSBP}: {', '.join(rule.controls)}.")
    return Rule(rule.id, rule.level.value, rule.description, rule.severity.value, rule.remediation, rule.url, " ".join(detail),
                ("policy-pack", *rule.policy_tags))
