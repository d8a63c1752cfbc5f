"""The policy pack a plan judges with, as the plan's own process knows it: where the bundled pack lives and how a pack fails.

Apart from :mod:`.policy_analyzer` (the pack's client, on gRPC and the SDK's protobufs), so that a plan whose stacks the
cache answers names the pack and its errors without importing either.
"""

from __future__ import annotations

from pathlib import Path


class PolicyPackError(RuntimeError):
    """The policy pack could not be started or answered with an error."""


def default_pack_dir() -> Path:
    """The installed pack (the repository's ``policies/`` folder)."""
    import agentcore_egress.policies

    return Path(agentcore_egress.policies.__file__).resolve().parent
