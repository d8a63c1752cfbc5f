"""Reading a file a user named: only a regular file, only up to a size, never blocking.

Every input the tool reads by a name it was given (a stack file, the policy pack
config, ``Pulumi.yaml``, an engine event log, the rollout state) goes through
:func:`read_regular`. What is not a regular file is refused before anything is
read from it: a FIFO would block ``open()`` until a writer comes (it is opened
with ``O_NONBLOCK``, which returns at once, and refused by its ``fstat``), a
character device such as ``/dev/zero`` would be read without end, a socket
cannot be opened at all. The kind is taken from the opened descriptor, not from
the name, so a file swapped between a check and the open cannot slip through.

Symbolic links are followed: a link to a regular file is a legitimate way to
share one config between folders (the landing zone refuses links leaving its
folder on its own, see ``stacks/landing_zone.py``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import ConfigError

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular(path: Path, display: str, limit: int, what: str = "file") -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes; else ConfigError, one line naming ``display``.

    ``what`` names the file in the fix ("stack file", "policy pack config").
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ConfigError([f"{display}: does not exist (or is a dangling link). Fix: point at an existing {what}"]) from None
    except PermissionError:
        raise ConfigError([f"{display}: cannot be read (permission denied). Fix: give the user running this read access (chmod u+r)"]) from None
    except IsADirectoryError:
        raise ConfigError([f"{display}: is a folder, not a {what}. Fix: point at the {what} itself (or rename the folder)"]) from None
    except OSError as error:  # a socket (ENXIO), a name too long, a loop of links
        raise ConfigError([f"{display}: cannot be opened ({error.strerror or type(error).__name__}). Fix: point at a regular {what}"]) from None
    try:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            raise ConfigError([f"{display}: is {_kind(mode)}, not a regular file. Fix: point at a regular {what}"])
        os.set_blocking(handle, True)
        with os.fdopen(handle, "rb", closefd=False) as stream:
            data = stream.read(limit + 1)
    except OSError as error:
        raise ConfigError([f"{display}: cannot be read ({error.strerror or type(error).__name__}). Fix: check the {what} and its folder"]) from None
    finally:
        os.close(handle)
    if len(data) > limit:
        raise ConfigError([f"{display}: is over the {limit // 1024} KiB a {what} may have. Fix: make it smaller"])
    return data
