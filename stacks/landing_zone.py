"""A landing zone: the account stacks of one folder, validated together and put in rollout order."""

from __future__ import annotations

import graphlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from agentcore_egress.stacks.config_schema import EXISTING_KINDS, NAMESPACE, ConfigError, Organization, StackConfig, declared_names, existing_names, existing_segments, parse_stack_file
from agentcore_egress.stacks.errors import shorten
from agentcore_egress.stacks.stack_file import StackFile, read_stack_file
from agentcore_egress.stacks.stack_folder import STACK_FILE_PREFIX, STACK_FILE_SUFFIX, default_stacks_dir, display_path, display_paths, stack_files_of, stack_name  # noqa: F401 - re-exported

from agentcore_egress.process import garbage_collection

StackFileReader = Callable[[Path, str], StackFile]
"""Reads one stack file (path, name to show): :func:`read_stack_file` or a plan cache's."""
PULUMI_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
"""What the Pulumi CLI accepts as a stack name (pulumi/pulumi, pkg/backend: validateStackName; the service's rule too)."""


@dataclass(frozen=True)
class AccountStack:
    name: str
    file: Path
    display_file: str
    config: StackConfig
    source: StackFile
    """The parsed file, which maps a key path to its line."""



def _read_stacks(files: list[Path], directory: Path, read: StackFileReader) -> tuple[dict[str, "AccountStack"], list[str]]:
    """Every stack file read and validated: the stacks by name, and every problem found (all files are read)."""
    stacks: dict[str, AccountStack] = {}
    problems: list[str] = []
    for file, display in zip(files, display_paths(files)):
        name = stack_name(file)
        if not PULUMI_STACK_NAME.match(name):
            problems.append(f"{display}: stack name {shorten(name)!r} is not one Pulumi accepts (letters, digits, '-', '_', '.'; at most 100). "
                            "Fix: rename the file to Pulumi.<name>.yaml with such a name")
            continue
        try:
            _refuse_links_leaving(file, directory, display)
            source = read(file, display)
            stacks[name] = AccountStack(name, file, display, parse_stack_file(source), source)
        except ConfigError as error:
            problems.extend(error.problems)
    return stacks, problems


class LandingZone:
    """Every ``Pulumi.<stack>.yaml`` of a folder, each validated, cross-checked and ordered."""

    def __init__(self, stacks: dict[str, AccountStack]) -> None:
        self.stacks = stacks
        self._waves: list[list[str]] | None = None

    @classmethod
    def load(cls, directory: Path, read: StackFileReader = read_stack_file) -> "LandingZone":
        """The stack files of ``directory``; ``read`` reads each (a plan cache's ``read_stack_file`` reuses parsed ones)."""
        directory = Path(directory)
        if not directory.is_dir():
            raise ConfigError([f"{directory}: is not a folder. Fix: give the folder that holds the Pulumi.<stack>.yaml files"])
        files = stack_files_of(directory)
        if not files:
            raise ConfigError([f"{directory}: holds no Pulumi.<stack>.yaml files. Fix: point plan at the stacks folder"])
        with garbage_collection.paused():
            stacks, problems = _read_stacks(files, directory, read)
        if problems:
            raise ConfigError(problems)
        zone = cls(stacks)
        problems = zone.cross_reference_problems() + zone.organization_problems()
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

    def organization_problems(self) -> list[str]:
        """The organization is declared once for the landing zone."""
        declared = [stack for stack in self.stacks.values() if stack.config.organization]
        if len(declared) < 2:
            return []
        first = declared[0]
        return [f"{stack.display_file}: {NAMESPACE}:organization: is declared again (first in {first.display_file}, line "
                f"{first.source.line_of('organization')}). Fix: declare the landing zone's organization in one stack only" for stack in declared[1:]]

    @property
    def organization(self) -> Optional[Organization]:
        """The landing zone's organization, if a stack declares it."""
        return next((stack.config.organization for stack in self.stacks.values() if stack.config.organization), None)

    def waves(self) -> list[list[str]]:
        """Stacks grouped in rollout waves: each wave reads only stacks of earlier waves (computed once)."""
        if self._waves is None:
            self._waves = self._compute_waves()
        return [list(wave) for wave in self._waves]

    def _compute_waves(self) -> list[list[str]]:
        names = set(self.stacks)  # once: a set of every stack for each stack made 2,000 stacks 4 million insertions
        graph = {name: set(stack.config.referenced_stacks()) & names for name, stack in self.stacks.items()}
        sorter = graphlib.TopologicalSorter(graph)
        try:
            sorter.prepare()
        except graphlib.CycleError as error:
            cycle = _reading_order(error.args[1])
            edges = "; ".join(self._reference_edge(reader, read) for reader, read in zip(cycle, cycle[1:]))
            raise ConfigError(
                [f"stack references form a cycle: {' -> '.join(cycle)} ({edges}). Fix: move what one of these stacks reads into a "
                 "stack of its own (e.g. a network stack that the others read), so that the order is a line"]
            ) from None
        waves: list[list[str]] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready())
            waves.append(ready)
            sorter.done(*ready)
        return waves

    def _reference_edge(self, reader: str, read: str, shown: int = 3) -> str:
        """``<file>: agentcore-egress:<key path> -> <read>``: the keys of ``reader``'s file that read ``read`` (the first ``shown``)."""
        stack = self.stacks[reader]
        paths = [path for path, remote, _, _ in _remote_references(stack.config) if remote == read]
        more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
        return f"{stack.display_file}: " + ", ".join(f"{NAMESPACE}:{path}" for path in paths[:shown]) + f"{more} -> {read}"

    def order(self) -> list[str]:
        return [name for wave in self.waves() for name in wave]

    def account_of(self, stack: str) -> str:
        return self.stacks[stack].config.account.id

    @property
    def accounts(self) -> set[str]:
        return {stack.config.account.id for stack in self.stacks.values()}


def _refuse_links_leaving(file: Path, directory: Path, display: str) -> None:
    """A stack file that is a link must stay inside the stacks folder: a link out of it would make plan read,
    and quote in its errors, any file the user can read (a credentials file, a key)."""
    if not file.is_symlink():
        return
    try:
        file.resolve().relative_to(directory.resolve())
    except (RuntimeError, OSError):  # a loop of links
        raise ConfigError([f"{display}: is a link that leads to itself. Fix: replace it with the stack file"]) from None
    except ValueError:
        raise ConfigError([f"{display}: is a link to a file outside {directory}; refused. Fix: copy the file into the folder, "
                           "or make the link point inside it"]) from None


def _reading_order(cycle: list[str]) -> list[str]:
    """graphlib's cycle (each node before the one that reads it) as "reads" arrows, starting at the first name."""
    reading = list(reversed(cycle[:-1]))
    first = reading.index(min(reading))
    reading = reading[first:] + reading[:first]
    return reading + reading[:1]


EXISTING_SEGMENTS = "existing segments of "
"""The kind of the route tables of an existing Transit Gateway, followed by its local name."""


def _names(config: StackConfig, kind: str) -> set[str]:
    if kind == "transit_gateway_hub":
        return {"hub"} if config.transit_gateway_hub else set()
    if kind == "existing transit_gateways":
        return set(config.existing.transit_gateways) if config.existing is not None else set()
    if kind.startswith(EXISTING_SEGMENTS):
        return existing_segments(config, kind.removeprefix(EXISTING_SEGMENTS))
    if kind == "segments":
        return set(config.transit_gateway_hub.segments) if config.transit_gateway_hub else set()
    if kind == "tgw_peering_requests":
        return {peering.name for peering in config.transit_gateway_hub.peerings} if config.transit_gateway_hub else set()
    if kind == "tgw_peering_acceptances":
        return {f"{side.peering.stack}/{side.peering.name}" for side in config.tgw_peerings if not side.requester}
    if kind == "tgw_spokes":
        return {spoke.vpc for spoke in config.tgw_spokes}
    if kind == "peering_spokes":
        return {spoke.vpc for spoke in config.peering_spokes}
    return declared_names(config, kind) | (existing_names(config, kind) if kind in EXISTING_KINDS else set())


def _remote_references(config: StackConfig):
    """(key path, stack, kind of item, item name or None) for everything read from other stacks."""
    for index, spoke in enumerate(config.tgw_spokes):
        if spoke.transit_gateway is None:
            yield f"tgw_spokes[{index}].hub_stack", spoke.hub_stack, "transit_gateway_hub", None
        else:
            yield f"tgw_spokes[{index}].transit_gateway", spoke.hub_stack, "existing transit_gateways", spoke.transit_gateway
    for index, acceptance in enumerate(config.tgw_acceptances):
        yield f"tgw_acceptances[{index}].spoke", acceptance.spoke.stack, "tgw_spokes", acceptance.spoke.vpc
        if acceptance.hub_stack:
            segments = "segments"
            if acceptance.transit_gateway is None:
                yield f"tgw_acceptances[{index}].hub_stack", acceptance.hub_stack, "transit_gateway_hub", None
            else:
                yield f"tgw_acceptances[{index}].transit_gateway", acceptance.hub_stack, "existing transit_gateways", acceptance.transit_gateway
                segments = EXISTING_SEGMENTS + acceptance.transit_gateway
            yield f"tgw_acceptances[{index}].associate_with", acceptance.hub_stack, segments, acceptance.associate_with
            for position, segment in enumerate(acceptance.propagate_to):
                yield f"tgw_acceptances[{index}].propagate_to[{position}]", acceptance.hub_stack, segments, segment
            for position, route in enumerate(acceptance.static_routes):
                yield f"tgw_acceptances[{index}].static_routes[{position}].segment", acceptance.hub_stack, segments, route.segment
    yield from _tgw_peering_references(config)
    for index, spoke in enumerate(config.peering_spokes):
        yield f"peering_spokes[{index}].hub", spoke.hub.stack, "vpcs", spoke.hub.vpc
    for index, acceptance in enumerate(config.peering_acceptances):
        yield f"peering_acceptances[{index}].spoke", acceptance.spoke.stack, "peering_spokes", acceptance.spoke.vpc
        yield from _vpc_ref(f"peering_acceptances[{index}].hub_vpc", acceptance.hub_vpc)
    for index, group in enumerate(config.security_groups):
        yield from _vpc_ref(f"security_groups[{index}].vpc", group.vpc)
    for index, balancer in enumerate(config.load_balancers):
        for position, group in enumerate(balancer.client_groups):
            if not isinstance(group, str):
                yield f"load_balancers[{index}].client_groups[{position}]", group.stack, "security_groups", group.name
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


def _tgw_peering_references(config: StackConfig):
    """What a hub's peering requests and each side of a Transit Gateway peering read from other stacks."""
    for index, peering in enumerate(config.transit_gateway_hub.peerings if config.transit_gateway_hub else []):
        yield f"transit_gateway_hub.peerings[{index}].peer_stack", peering.peer_stack, "transit_gateway_hub", None
    for index, side in enumerate(config.tgw_peerings):
        path = f"tgw_peerings[{index}]"
        yield f"{path}.peering", side.peering.stack, "tgw_peering_requests", side.peering.name
        if side.accepted_in:
            yield f"{path}.accepted_in", side.accepted_in, "tgw_peering_acceptances", f"{side.peering.stack}/{side.peering.name}"
        if side.hub_stack:
            yield f"{path}.hub_stack", side.hub_stack, "transit_gateway_hub", None
            yield f"{path}.associate_with", side.hub_stack, "segments", side.associate_with
            for position, route in enumerate(side.static_routes):
                yield f"{path}.static_routes[{position}].segment", side.hub_stack, "segments", route.segment


def _vpc_ref(path: str, ref: Any):
    if not isinstance(ref, str):
        yield path, ref.stack, "vpcs", ref.vpc
