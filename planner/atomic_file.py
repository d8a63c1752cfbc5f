"""Writing a file whole or not at all: the plan's report, its cache entries and the rollout's state.

The text goes to a temp file in the target's folder (so the rename stays on one
file system), is flushed to disk, takes the target's permissions (or what a new
file gets under the umask), and is renamed over the target. A reader sees the
old file or the new one, never half of one; on any failure (a full disk, a
file-size limit, an interrupt) the temp file is removed and the target is left
as it was. Callers word the OSError for their own users.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _mode_for(path: Path) -> int:
    """The file's current permissions, else what a new file gets under the umask."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path: Path, text: str) -> None:
    """``text`` to ``path`` through a temp file in the same folder renamed into place; raises OSError, changing nothing."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
