"""One registry of findings: the :class:`Finding` type, the planner's own rules with their default
levels (a policy config sets them through :mod:`.policy_config`, the one parser of levels).

Three kinds of rule make findings: the policy pack's rules (judging each stack's resources,
registered in ``agentcore_egress.policies.rules``), the cross-stack checks and preconditions of
the landing-zone model (:mod:`.cross_stack_checks`, :mod:`.preconditions`) and reachability
(:mod:`.reachability`). :data:`PLANNER_RULES` names the planner's own rules once; the policy
config parser takes them, with the pack's rules, as the set of known rules, so that
``--policy-pack-config`` sets any rule's level, cross-stack ones included.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
    """A rule the planner itself checks: its id, default level and what it asks for."""

    id: str
    level: str
    description: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {rule.id: rule for rule in rules}


CROSS_STACK_RULES = _rules(
    Rule("cross-stack-cidr-overlap", MANDATORY, "VPCs that a Transit Gateway route table or a peering joins, across stacks, do not overlap."),
    Rule("cross-stack-managed-path", MANDATORY,
         "A managed-mode target's VPC is in the gateway's account and region and joined to its backend's VPC by an accepted TGW attachment or peering."),
    Rule("cross-stack-lattice-share", MANDATORY,
         "A self-managed target's Resource Configuration exists, is in the gateway's region and is shared with the gateway's account, its OU or its organization."),
    Rule("cross-stack-share-outside-zone", ADVISORY, "RAM shares name only accounts of the landing zone."),
)
"""Cross-stack checks of the landing zone's config."""

PRECONDITION_RULES = _rules(
    Rule("precondition-tgw-attachment", MANDATORY,
         "A Transit Gateway attachment's VPC is in the hub's region, the hub shares the Transit Gateway with its account (directly, its OU or the "
         "organization), and the hub accepts, associates and propagates it into segments the hub has."),
    Rule("precondition-peering", MANDATORY,
         "A VPC peering is requested and accepted by the hub, the acceptance names the requested VPC, and DNS resolution is turned on only once the peering is active."),
    Rule("precondition-ram-organization", MANDATORY,
         "RAM shares name only the landing zone's organization and its OUs, and sharing with AWS Organizations is enabled where they name the organization or OUs."),
    Rule("precondition-zone-association", MANDATORY,
         "A VPC of another account is associated with a private zone only after the zone's owner authorized it, and no VPC gets two private zones of one name."),
    Rule("precondition-certificate-region", MANDATORY, "A load balancer's ACM certificate is in the load balancer's account and region."),
    Rule("precondition-security-group-vpc", MANDATORY, "A managed target's ENIs and a private API's endpoint use security groups of their own VPC."),
    Rule("precondition-subnet-room", MANDATORY,
         "Every subnet has room, after the 5 addresses AWS reserves, for the ENIs the landing zone puts in it; an ALB's subnets are /27 or larger."),
)
"""What AWS requires before a cross-account or cross-region call succeeds (see :mod:`.preconditions`)."""

REACHABILITY_RULES = _rules(
    Rule("reachability", MANDATORY,
         "Every AgentCore gateway target can reach its backend on the declared infrastructure: DNS, routes both ways, security groups, "
         "listener, public certificate matching the name, forward port."),
)

PLANNER_RULES: dict[str, Rule] = {**CROSS_STACK_RULES, **PRECONDITION_RULES, **REACHABILITY_RULES}
"""Every rule the planner checks itself (not the pack's): id → rule."""


def planner_finding(rule_id: str, stack: str, config_path: str, message: str) -> Finding:
    """A finding of one of the planner's rules at its default level, placed at ``config_path`` of ``stack``'s file."""
    return Finding(policy=rule_id, level=PLANNER_RULES[rule_id].level, message=message, urn="", config_path=config_path, stack=stack)


def known_rules() -> dict[str, Rule]:
    """Every rule a plan can report: the policy pack's (from its rule modules) and the planner's own."""
    from agentcore_egress.policies.rules import RULES

    pack = {rule.name: Rule(rule.name, rule.enforcement_level.value, rule.description) for rule in RULES}
    return {**pack, **PLANNER_RULES}
