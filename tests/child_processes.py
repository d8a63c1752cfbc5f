"""How tests start the CLI, the pack or a worker: as a user's shell would, not as this machine does.

The machines that run these tests set PYTHONUNBUFFERED=1 (and PYTHONDONTWRITEBYTECODE=1)
for every process; users' terminals and most CI runners don't. A child that only works with it set (a pipe
read line by line, a port printed without a flush) must fail here, so every child
a test starts gets an environment without it, and a hard time limit.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

REPOSITORY = Path(__file__).resolve().parent.parent
CONSOLE_SCRIPT = Path(sys.executable).parent / "agentcore-egress"


SET_BY_THESE_MACHINES = ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")
"""What these machines set for every process and a user's shell does not. Without bytecode written, each child compiled
again every module of the package it imports (a quarter of a second a CLI), as no user's second run does."""


def user_environment(**overrides: str) -> dict[str, str]:
    """This process's environment as a user's shell has it: no PYTHONUNBUFFERED, no PYTHONDONTWRITEBYTECODE."""
    environment = {key: value for key, value in os.environ.items() if key not in SET_BY_THESE_MACHINES}
    environment.update(overrides)
    return environment


def run_cli(*arguments: str, cwd: Path = REPOSITORY, timeout: float = 120.0, preexec_fn: Optional[Callable[[], None]] = None,
            **overrides: str) -> subprocess.CompletedProcess:
    """Run the installed ``agentcore-egress`` console script; a run past ``timeout`` is killed and fails the test.
    ``preexec_fn`` runs in the child before the script (to set a resource limit or drop a capability)."""
    return subprocess.run(
        [str(CONSOLE_SCRIPT), *arguments], cwd=cwd, env=user_environment(**overrides),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, preexec_fn=preexec_fn,
    )
