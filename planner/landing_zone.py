"""A landing zone: the account stacks of one folder, validated together and put in rollout order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcore_egress.stacks.config_schema import NAMESPACE, ConfigError, StackConfig, parse_stack_file
from agentcore_egress.stacks.stack_file import StackFile, read_stack_file

STACK_FILE_PREFIX = "Pulumi."
STACK_FILE_SUFFIX = ".yaml"


def default_stacks_dir() -> Path:
    """``./stacks`` when it holds stack files (a checkout, as the user edits it), else the bundled example."""
    local = Path("stacks")
    if any(local.glob(f"{STACK_FILE_PREFIX}*{STACK_FILE_SUFFIX}")):
        return local
    import agentcore_egress.stacks

    return Path(agentcore_egress.stacks.__file__).resolve().parent


@dataclass(frozen=True)
class AccountStack:
    name: str
    file: Path
    display_file: str
    config: StackConfig
    source: StackFile
    """The parsed file, which maps a key path to its line."""


class LandingZone:
    """Every ``Pulumi.<stack>.yaml`` of a folder, each validated, cross-checked and ordered."""

    def __init__(self, stacks: dict[str, AccountStack]) -> None:
        self.stacks = stacks
        self._waves: list[list[str]] | None = None

    @classmethod
    def load(cls, directory: Path) -> "LandingZone":
        directory = Path(directory)
        if not directory.is_dir():
            raise ConfigError([f"{directory}: is not a folder. Fix: give the folder that holds the Pulumi.<stack>.yaml files"])
        files = sorted(directory.glob(f"{STACK_FILE_PREFIX}*{STACK_FILE_SUFFIX}"))
        if not files:
            raise ConfigError([f"{directory}: holds no Pulumi.<stack>.yaml files. Fix: point plan at the stacks folder"])
        stacks: dict[str, AccountStack] = {}
        problems: list[str] = []
        for file in files:
            name = file.name[len(STACK_FILE_PREFIX) : -len(STACK_FILE_SUFFIX)]
            display = display_path(file)
            try:
                source = read_stack_file(file, display)
                stacks[name] = AccountStack(name, file, display, parse_stack_file(source), source)
            except ConfigError as error:
                problems.extend(error.problems)
        if problems:
            raise ConfigError(problems)
        zone = cls(stacks)
        problems = zone.cross_reference_problems()
        if problems:
            raise ConfigError(problems)
        zone.waves()  # a cycle is bad input too
        return zone

    def cross_reference_problems(self) -> list[str]:
        """Names of other stacks' items must exist there."""
        problems: list[str] = []
        for stack in self.stacks.values():
            for path, remote, kind, item in _remote_references(stack.config):
                where = f"{stack.display_file}: {NAMESPACE}:{path}"
                other = self.stacks.get(remote)
                if other is None:
                    known = sorted(self.stacks)
                    problems.append(f"{where}: {remote!r} is not a stack of this landing zone. Fix: add stacks/Pulumi.{remote}.yaml or use one of {known}")
                    continue
                available = _names(other.config, kind)
                if item is not None and item not in available:
                    problems.append(
                        f"{where}: {item!r} is not among stack '{remote}''s {kind} {sorted(available)}. Fix: declare it there or use one of those"
                    )
                elif item is None and not available:
                    problems.append(f"{where}: stack '{remote}' declares no {kind}. Fix: point at the stack that does")
        return problems

    def waves(self) -> list[list[str]]:
        """Stacks grouped in rollout waves: each wave reads only stacks of earlier waves (computed once)."""
        if self._waves is None:
            self._waves = self._compute_waves()
        return [list(wave) for wave in self._waves]

    def _compute_waves(self) -> list[list[str]]:
        needs = {name: set(stack.config.referenced_stacks()) for name, stack in self.stacks.items()}
        waves: list[list[str]] = []
        done: set[str] = set()
        while len(done) < len(needs):
            ready = sorted(name for name, deps in needs.items() if name not in done and deps <= done)
            if not ready:
                blocked = sorted(name for name in needs if name not in done)
                cycle = _find_cycle({name: needs[name] - done for name in blocked})
                raise ConfigError(
                    [f"stack references form a cycle: {' -> '.join(cycle)}. Fix: move what one of these stacks reads into a stack of its own "
                     "(e.g. a network stack that the others read), so that the order is a line"]
                )
            waves.append(ready)
            done.update(ready)
        return waves

    def order(self) -> list[str]:
        return [name for wave in self.waves() for name in wave]

    def account_of(self, stack: str) -> str:
        return self.stacks[stack].config.account.id

    @property
    def accounts(self) -> set[str]:
        return {stack.config.account.id for stack in self.stacks.values()}


def display_path(file: Path) -> str:
    """``file`` relative to the working directory where it lies below it, as people and SARIF viewers want it."""
    try:
        return str(file.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(file)


def _find_cycle(needs: dict[str, set[str]]) -> list[str]:
    start = min(needs)
    path, seen = [start], {start}
    current = start
    while True:
        following = min(needs[current] & set(needs))
        if following in seen:
            return path[path.index(following):] + [following]
        path.append(following)
        seen.add(following)
        current = following


def _names(config: StackConfig, kind: str) -> set[str]:
    if kind == "transit_gateway_hub":
        return {"hub"} if config.transit_gateway_hub else set()
    if kind == "tgw_spokes":
        return {spoke.vpc for spoke in config.tgw_spokes}
    if kind == "peering_spokes":
        return {spoke.vpc for spoke in config.peering_spokes}
    return {item.name for item in getattr(config, kind)}


def _remote_references(config: StackConfig):
    """(key path, stack, kind of item, item name or None) for everything read from other stacks."""
    for index, spoke in enumerate(config.tgw_spokes):
        yield f"tgw_spokes[{index}].hub_stack", spoke.hub_stack, "transit_gateway_hub", None
    for index, acceptance in enumerate(config.tgw_acceptances):
        yield f"tgw_acceptances[{index}].spoke", acceptance.spoke.stack, "tgw_spokes", acceptance.spoke.vpc
        if acceptance.hub_stack:
            yield f"tgw_acceptances[{index}].hub_stack", acceptance.hub_stack, "transit_gateway_hub", None
    for index, spoke in enumerate(config.peering_spokes):
        yield f"peering_spokes[{index}].hub", spoke.hub.stack, "vpcs", spoke.hub.vpc
    for index, acceptance in enumerate(config.peering_acceptances):
        yield f"peering_acceptances[{index}].spoke", acceptance.spoke.stack, "peering_spokes", acceptance.spoke.vpc
        yield from _vpc_ref(f"peering_acceptances[{index}].hub_vpc", acceptance.hub_vpc)
    for index, group in enumerate(config.security_groups):
        yield from _vpc_ref(f"security_groups[{index}].vpc", group.vpc)
    for index, name in enumerate(config.private_names):
        yield from _vpc_ref(f"private_names[{index}].vpc", name.vpc)
        if not isinstance(name.load_balancer, str):
            yield f"private_names[{index}].load_balancer", name.load_balancer.stack, "load_balancers", name.load_balancer.name
        for position, remote in enumerate(name.authorize):
            yield f"private_names[{index}].authorize[{position}]", remote.stack, "vpcs", remote.vpc
    for index, association in enumerate(config.zone_associations):
        yield f"zone_associations[{index}].private_name", association.private_name.stack, "private_names", association.private_name.name
        yield from _vpc_ref(f"zone_associations[{index}].vpc", association.vpc)
    for index, acceptance in enumerate(config.share_acceptances):
        yield f"share_acceptances[{index}].lattice", acceptance.lattice.stack, "lattice_resources", acceptance.lattice.name
    for index, target in enumerate(config.targets):
        if target.managed:
            yield from _vpc_ref(f"targets[{index}].managed.vpc", target.managed.vpc)
        if target.lattice:
            yield f"targets[{index}].lattice", target.lattice.stack, "lattice_resources", target.lattice.resource
        if target.endpoint.private_api:
            yield f"targets[{index}].endpoint.private_api", target.endpoint.private_api.stack, "private_apis", target.endpoint.private_api.name


def _vpc_ref(path: str, ref: Any):
    if not isinstance(ref, str):
        yield path, ref.stack, "vpcs", ref.vpc
