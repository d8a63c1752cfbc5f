"""The folder of a landing zone's stack files: which files are stack files, the stack each is for, how a path is shown.

Light on purpose (no validation, no pydantic): the plan reads it before anything heavy is imported, to tell from the
files alone whether it will simulate (:meth:`agentcore_egress.planner.plan_cache.PlanCache.stack_files_changed`).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError

STACK_FILE_PREFIX = "Pulumi."
STACK_FILE_SUFFIX = ".yaml"


def default_stacks_dir() -> Path:
    """``./stacks`` when it holds stack files (a checkout, as the user edits it), else the bundled example."""
    local = Path("stacks")
    if any(local.glob(f"{STACK_FILE_PREFIX}*{STACK_FILE_SUFFIX}")):
        return local
    import agentcore_egress.stacks

    return Path(agentcore_egress.stacks.__file__).resolve().parent


def stack_name(file: Path) -> str:
    """The stack a ``Pulumi.<stack>.yaml`` file is for."""
    return file.name[len(STACK_FILE_PREFIX) : -len(STACK_FILE_SUFFIX)]


def stack_files_of(directory: Path) -> list[Path]:
    """The folder's ``Pulumi.<stack>.yaml`` entries, sorted; an unreadable folder is an error, not an empty one
    (``Path.glob`` silently yields nothing for a folder it may not list)."""
    try:
        with os.scandir(directory) as entries:
            names = sorted(entry.name for entry in entries
                           if entry.name.startswith(STACK_FILE_PREFIX) and entry.name.endswith(STACK_FILE_SUFFIX))
    except PermissionError:
        raise ConfigError([f"{directory}: cannot be read (permission denied). Fix: give the user running this read access to the folder (chmod u+rx)"]) from None
    except OSError as error:
        raise ConfigError([f"{directory}: cannot be read ({error.strerror or type(error).__name__}). Fix: check the folder"]) from None
    return [directory / name for name in names]


def display_path(file: Path) -> str:
    """``file`` relative to the working directory where it lies below it, as people and SARIF viewers want it."""
    return display_paths([file])[0]


def display_paths(files: list[Path]) -> list[str]:
    """:func:`display_path` of each file, the working directory and each folder resolved once (every file of a
    400-stack zone resolving both was a seventh of its load)."""
    working = Path.cwd().resolve()
    folders: dict[Path, Path] = {}
    shown = []
    for file in files:
        folder = folders.get(file.parent)
        if folder is None:  # the folder resolved, not the file: a link is shown by its own name, not its target's
            folder = folders[file.parent] = file.parent.resolve()
        try:
            shown.append(str((folder / file.name).relative_to(working)))
        except ValueError:
            shown.append(str(file))
    return shown
