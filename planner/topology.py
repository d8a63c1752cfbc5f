"""The landing zone as a Mermaid flowchart: accounts, VPCs, hub, attachments or peerings,
Resource Gateways and configurations, shares, gateways and targets."""

from __future__ import annotations

import re
from typing import Any, Optional

from agentcore_egress.stacks.config_schema import StackConfig
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.landing_zone_model import LandingZoneModel, vpc_key


def _id(*parts: str) -> str:
    return "__".join(re.sub(r"[^A-Za-z0-9]", "_", part) for part in parts)


def _label(text: str) -> str:
    return text.replace('"', "'")


def _hub(stack: str, existing: Optional[str]) -> str:
    """The node of a stack's Transit Gateway: its hub's, or the existing one it names."""
    return _id(stack, "tgw", existing) if existing else _id(stack, "tgw")


def _existing_nodes(stack: str, config: StackConfig) -> list[str]:
    """The existing resources a stack names that the diagram links to (VPCs, Transit Gateways, load balancers), marked existing."""
    existing = config.existing
    if existing is None:
        return []
    return ([f'{_id(stack, "vpc", name)}["existing VPC {name}<br/>{ident}"]' for name, ident in existing.vpcs.items()]
            + [f'{_hub(stack, name)}{{{{"existing Transit Gateway {name}<br/>segments: {", ".join(gateway.route_tables)}"}}}}'
               for name, gateway in existing.transit_gateways.items()]
            + [f'{_id(stack, "load_balancers", name)}(["existing load balancer {name}"])' for name in existing.load_balancers])


def mermaid(zone: LandingZone, managed_groups: Optional[dict[str, int]] = None, existing: Optional[dict[str, dict[str, Any]]] = None) -> str:
    """A ``flowchart LR``; ``managed_groups`` (stack → predicted managed Resource Gateways) annotates gateways; ``existing``
    (the stacks' snapshots) lets a target's edge reach an existing load balancer through an existing zone's record."""
    model = LandingZoneModel(zone, existing)
    lines = ["flowchart LR"]
    edges: list[str] = []
    by_account: dict[str, list[str]] = {}
    for name, stack in zone.stacks.items():
        by_account.setdefault(stack.config.account.id, []).append(name)
    for account, stack_names in sorted(by_account.items()):
        lines.append(f'  subgraph {_id("account", account)}["account {account}"]')
        for name in sorted(stack_names):
            config = zone.stacks[name].config
            lines.append(f'    subgraph {_id("stack", name)}["stack {name}"]')
            nodes = []
            if config.transit_gateway_hub:
                nodes.append(f'{_id(name, "tgw")}{{{{"Transit Gateway<br/>segments: {", ".join(config.transit_gateway_hub.segments)}"}}}}')
            for vpc in config.vpcs:
                nodes.append(f'{_id(name, "vpc", vpc.name)}["VPC {vpc.name}<br/>{", ".join(vpc.blocks)}"]')
            nodes += _existing_nodes(name, config)
            if config.tgw_acceptances or config.peering_acceptances:
                accepted = [f"{a.spoke.stack}/{a.spoke.vpc}" for a in (*config.tgw_acceptances, *config.peering_acceptances)]
                nodes.append(f'{_id(name, "acceptances")}[/"accepts {", ".join(accepted)}"/]')
                for acceptance in config.tgw_acceptances:
                    edges.append(f"{_id(name, 'acceptances')} -. accepts .-> {_hub(acceptance.hub_stack or name, acceptance.transit_gateway)}")
            for api in config.private_apis:
                nodes.append(f'{_id(name, "private_apis", api.name)}(["private API {api.name}"])')
                edges.append(f"{_id(name, 'private_apis', api.name)} --- {_id(name, 'vpc', api.vpc)}")
            for balancer in config.load_balancers:
                nodes.append(f'{_id(name, "load_balancers", balancer.name)}(["{balancer.kind.upper()} {balancer.name}"])')
                edges.append(f"{_id(name, 'load_balancers', balancer.name)} --- {_id(name, 'vpc', balancer.vpc)}")
            for resource in config.lattice_resources:
                gateway = _id(name, "rgw", resource.name)
                nodes.append(f'{gateway}[("Resource Gateway {resource.name}")]')
                edges.append(f"{gateway} --- {_id(name, 'vpc', resource.vpc)}")
                for configuration in resource.configurations:
                    node = _id(name, "rcfg", resource.name, configuration.name)
                    nodes.append(f'{node}>"Resource Configuration {configuration.name}<br/>{_label(configuration.domain or configuration.ip or configuration.arn or ", ".join(c.domain or c.ip for c in configuration.children))}:{",".join(configuration.ports)}"]')
                    edges.append(f"{node} --> {gateway}")
            if config.gateway:
                predicted = (managed_groups or {}).get(name)
                suffix = f"<br/>{predicted} managed Resource Gateway(s)" if predicted is not None else ""
                nodes.append(f'{_id(name, "gateway")}(("AgentCore Gateway<br/>{config.gateway.name}{suffix}"))')
                for target in config.targets:
                    mode = "managed" if target.managed else "self-managed"
                    node = _id(name, "target", target.name)
                    nodes.append(f'{node}["target {target.name}<br/>{mode}"]')
                    edges.append(f"{_id(name, 'gateway')} --> {node}")
                    if target.managed:
                        source = vpc_key(name, target.managed.vpc)
                        edges.append(f"{node} -. ENIs .-> {_id(source[0], 'vpc', source[1])}")
                        backend = model.backend_of(name, target)
                        if backend:
                            edges.append(f"{node} ==> {_id(backend.stack, backend.kind, backend.name)}")
                    else:
                        lattice = target.lattice
                        edges.append(f"{node} ==> {_id(lattice.stack, 'rcfg', lattice.resource, lattice.configuration)}")
            for node in nodes:
                lines.append(f"      {node}")
            lines.append("    end")
        lines.append("  end")
    gateways = [(name, stack.config.account.id) for name, stack in zone.stacks.items() if stack.config.gateway]  # once, not per share
    for name, stack in zone.stacks.items():
        for spoke in stack.config.tgw_spokes:
            edges.append(f"{_id(name, 'vpc', spoke.vpc)} ---|attachment| {_hub(spoke.hub_stack, spoke.transit_gateway)}")
        for spoke in stack.config.peering_spokes:
            edges.append(f"{_id(name, 'vpc', spoke.vpc)} <-->|peering| {_id(spoke.hub.stack, 'vpc', spoke.hub.vpc)}")
        for resource in stack.config.lattice_resources:
            consumers = [other for other, account in gateways if model.share_reaches(resource.share_with, account)]
            for consumer in consumers:
                edges.append(f"{_id(name, 'rgw', resource.name)} -. RAM share .-> {_id(consumer, 'gateway')}")
    lines.extend(f"  {edge}" for edge in dict.fromkeys(edges))
    return "\n".join(lines) + "\n"
