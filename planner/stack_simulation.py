"""One stack's program run under the simulated AWS, in this process or in a simulation worker (:mod:`.simulation_pool`)."""

from __future__ import annotations

import sys
import time
from importlib import import_module
from dataclasses import dataclass, field
from typing import Any

from agentcore_egress.components.errors import InputValidationError
from agentcore_egress.process import garbage_collection
from agentcore_egress.simulation.footprint import Footprint, footprint_of
from agentcore_egress.simulation.registration import Registration
from agentcore_egress.stacks.config_schema import ConfigError
from agentcore_egress.stacks.landing_zone import AccountStack

from . import interruption
from .existing_network import checked_snapshot

REFERENCE_PREFIX = "organization/agentcore-egress/"


@dataclass
class SimulatedStack:
    """One stack's program run under the simulated AWS: what it registered and exported, and the footprint predicted from it."""

    registrations: list[Registration]
    outputs: dict[str, Any]
    footprint: Footprint
    seconds: float
    minted: frozenset = frozenset()
    """Values the simulated AWS computed: unknown at the stack's first preview, so the pack judges both phases."""
    key_paths: dict[str, str] = field(default_factory=dict)


def simulate_stack(name: str, stack: AccountStack, reads: dict[str, dict[str, Any]]) -> SimulatedStack:
    """Run ``stack``'s program; its stack references read ``reads`` (outputs by stack name). ConfigError for what it refuses.

    The Pulumi SDK, pulumi-aws and the components are imported here, by the first stack simulated: a plan that the
    cache answers whole never imports them."""
    import_programs()
    import pulumi

    from agentcore_egress.simulation.monitor import run_program
    from agentcore_egress.simulation.simulated_aws import SimulatedAws
    from agentcore_egress.stacks.account_program import build

    account = stack.config.account
    began = time.perf_counter()
    key_paths: dict[str, str] = {}
    try:
        with interruption.deferred(), garbage_collection.collecting_new_objects_only():
            deployment = run_program(
                lambda: build(name, stack.config, REFERENCE_PREFIX, key_paths, stack_accounts=_accounts_of(reads)),
                mocks=SimulatedAws(account.id, account.region, dict(reads), scope=f"{account.id}/{account.region}/{name}", existing=checked_snapshot(stack)),
                stack=name,
            )
    except (InputValidationError, pulumi.RunError) as error:
        raise ConfigError([f"{stack.display_file}: {error}"]) from None
    except Exception as error:  # noqa: BLE001 - a program failure is reported against its stack file, not as a traceback
        raise ConfigError([f"{stack.display_file}: the stack's program failed: {type(error).__name__}: {error}"]) from None
    return SimulatedStack(deployment.registrations, deployment.result or {}, footprint_of(deployment), time.perf_counter() - began,
                          deployment.minted, key_paths)


def programs_imported() -> bool:
    """Whether this process has imported what simulating a stack needs (it has simulated one, or is a worker)."""
    return "agentcore_egress.stacks.account_program" in sys.modules


def import_programs() -> None:
    """What simulating a stack imports: the Pulumi SDK, the simulated AWS and the stacks' programs, with pulumi-aws's
    modules on demand (installed first: each module a program names, not all 180 of EC2's). A program imports its
    components, and their pulumi-aws modules, as it builds them: all of them would double this (half a second)."""
    from agentcore_egress.simulation import provider_packages

    provider_packages.install()
    import_module("agentcore_egress.simulation.monitor")
    import_module("agentcore_egress.simulation.simulated_aws")
    import_module("agentcore_egress.stacks.account_program")


def _accounts_of(reads: dict[str, dict[str, Any]]) -> dict[str, str]:
    """The account of each stack read, from the ``account`` every stack exports."""
    return {stack: outputs["account"]["id"] for stack, outputs in reads.items() if isinstance(outputs.get("account"), dict)}
