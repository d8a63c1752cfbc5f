"""One module per rule, each with its check and its one declaration (``RULE``); :data:`RULES` is the pack, in the order the README lists them.

Each policy is built from its rule's declaration (:func:`..policy_builder.build_policy`): AgentCore-path rules
are scoped to resources on an AgentCore path, rules with a safe fix get a remediation.
"""

from ..policy_builder import build_policy
from . import (
    default_security_group_adopted,
    explicit_security_groups,
    https_only_path_listeners,
    https_target_endpoints,
    internal_load_balancers,
    listener_certificates_from_stack,
    modern_tls,
    no_default_security_group,
    non_overlapping_cidrs,
    private_api_gateway,
    public_ca_certificates,
    path_security_group_ingress,
    ram_inside_organization,
    required_tags,
    scoped_resource_gateway_egress,
    target_security_group_limit,
    tgw_no_auto_accept,
    tgw_no_default_route_tables,
    tgw_peering_non_overlapping_cidrs,
)

MODULES = [
    public_ca_certificates,
    listener_certificates_from_stack,
    explicit_security_groups,
    no_default_security_group,
    modern_tls,
    tgw_no_auto_accept,
    tgw_no_default_route_tables,
    ram_inside_organization,
    scoped_resource_gateway_egress,
    internal_load_balancers,
    private_api_gateway,
    https_target_endpoints,
    non_overlapping_cidrs,
    target_security_group_limit,
    required_tags,
    path_security_group_ingress,
    https_only_path_listeners,
    default_security_group_adopted,
    tgw_peering_non_overlapping_cidrs,
]

DECLARATIONS = [module.RULE for module in MODULES]
"""Every rule of the pack, as its module declares it."""

RULES = [build_policy(rule) for rule in DECLARATIONS]
"""Every policy of the pack."""
