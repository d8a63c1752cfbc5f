"""Every file the tool writes (the report, the workflow, the rollout's state, the plan cache): checked before the run,
written whole or not at all, only where it belongs, and only its own files ever removed.

- :func:`check_target` runs before any work: the target is none of the run's
  inputs nor inside a folder the run reads, not a symbolic link, not a folder,
  and its folder can be written.
- :func:`write_atomically` writes a temp file of a unique name in the target's
  folder (so the rename stays on one file system), flushes it to disk, gives it
  the target's permissions (or what a new file gets under the umask) and renames
  it over the target. A reader sees the old file or the new one, never half of
  one; on any failure (a full disk, a file-size limit, an interrupt) the temp
  file is removed and the target is left as it was. A target that is a
  symbolic link is refused, never written through nor replaced.
- With ``within=ROOT`` (the plan cache), the target's folder is reached from
  ROOT one folder at a time, each opened without following a link and relative
  to the one before (:func:`open_folder`): a link anywhere under ROOT, or ROOT
  itself a link, is refused, even one swapped in while the plan runs.
- :func:`remove_own_files` and :func:`remove_own_file` delete only regular files
  that the caller recognises as its own (by name, or by content), never a link.

Refusals raise :class:`RefusedTarget` (an OSError) with a reason and a fix;
callers word it for their own users with the flag and path they were given.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Optional

_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
OWN_FILE_LIMIT = 64 << 20
"""The most :func:`remove_own_file` reads to recognise a file as its own."""


class RefusedTarget(OSError):
    """A path the tool will not write or remove: ``reason`` says why and ``fix`` what to do (callers add flag and path)."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(f"{reason}. Fix: {fix}")
        self.reason, self.fix = reason, fix


def same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return Path(first).resolve() == Path(second).resolve()


def lies_in(path: Path, folder: Path) -> bool:
    """Whether ``path``, links resolved, is ``folder`` or lies under it."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def check_target(path: Path, inputs: Iterable[Path] = (), input_folders: Iterable[Path] = (), new_folders: bool = False) -> None:
    """Refuse, before any work, a file the run would write: one of its inputs, in a folder it reads, a link, a folder,
    a device, FIFO or socket, or (unless ``new_folders``: missing folders are made when writing) a folder that is missing or not writable."""
    path = Path(path)
    for read in inputs:
        if same_file(path, Path(read)):
            raise RefusedTarget(f"is {read}, a file this run reads", "write to another file")
    for read_folder in input_folders:
        if lies_in(path, Path(read_folder)):
            raise RefusedTarget(f"lies in {read_folder}, which this run reads", "write elsewhere")
    if path.is_symlink():
        raise RefusedTarget(f"is a symbolic link (to {os.readlink(path)}); files are never written through links",
                            "give the file it leads to, or another path")
    if path.is_dir():
        raise RefusedTarget("is a folder", f"give a file name, e.g. {path / 'result.txt'}")
    if path.exists() and not path.is_file():
        raise RefusedTarget("is not a regular file (a device, a FIFO or a socket), which a rename would replace", "give a file's path")
    folder = path.parent if str(path.parent) else Path(".")
    if new_folders and not folder.exists():
        return
    if not folder.is_dir():
        raise RefusedTarget(f"the folder {folder} does not exist", "create it first, or write elsewhere")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RefusedTarget(f"the folder {folder} is not writable", "write elsewhere, or make it writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise RefusedTarget("is read-only", "write elsewhere, or make it writable")


def open_folder(folder: Path, within: Optional[Path] = None, create: bool = False) -> int:
    """A descriptor of ``folder``; with ``within``, reached from it without following any link (missing folders made
    when ``create``). Raises RefusedTarget for a link or a path leaving ``within``, OSError when it cannot be opened."""
    folder = Path(folder) if str(folder) else Path(".")
    if within is None:
        return os.open(folder, _FOLDER_FLAGS)
    try:
        parts = folder.relative_to(within).parts
    except ValueError:
        parts = ("..",)
    if ".." in parts:
        raise RefusedTarget(f"{folder} is not inside {within}", f"keep every file under {within}")
    descriptor = _open_step(within, None, within)
    try:
        for part in parts:
            if create:
                try:
                    os.mkdir(part, dir_fd=descriptor)
                except FileExistsError:
                    pass
            child = _open_step(part, descriptor, within)
            os.close(descriptor)
            descriptor = child
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _open_step(name: object, parent: Optional[int], within: Path) -> int:
    try:
        return os.open(name, _FOLDER_FLAGS | _NOFOLLOW, dir_fd=parent)
    except OSError as error:
        # A link opened with O_NOFOLLOW | O_DIRECTORY fails with ELOOP or ENOTDIR (Linux says either); ROOT itself is
        # refused only for being a link (a missing or file ancestor is the caller's plain OSError).
        if error.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR) and (parent is not None or os.path.islink(within)):
            raise RefusedTarget(f"{name if parent is not None else within} under {within} is a symbolic link or not a folder",
                                f"remove it, so that nothing under {within} leads elsewhere") from None
        raise


def _refuse_link(name: str, folder: int, path: Path) -> None:
    try:
        if stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode):
            raise RefusedTarget(f"{path} is a symbolic link; files are never written through links", "remove the link, or give another path")
    except FileNotFoundError:
        pass


def _mode_for(name: str, folder: int) -> int:
    """The file's current permissions, else what a new file gets under the umask."""
    try:
        return os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path: Path, text: str, within: Optional[Path] = None, mode: Optional[int] = None) -> None:
    """``text`` to ``path`` through a temp file in the same folder renamed into place; raises OSError (RefusedTarget
    for a link, or a path leaving ``within``), changing nothing. ``mode``: the file's permissions (default: kept)."""
    path = Path(path)
    folder = open_folder(path.parent, within, create=within is not None)
    try:
        _refuse_link(path.name, folder, path)
        temporary = f".{path.name}.{secrets.token_hex(6)}.tmp"
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600, dir_fd=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
                os.fchmod(stream.fileno(), _mode_for(path.name, folder) if mode is None else mode)
            _refuse_link(path.name, folder, path)
            os.replace(temporary, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            try:
                os.unlink(temporary, dir_fd=folder)
            except FileNotFoundError:
                pass
            raise
    finally:
        os.close(folder)


def remove_own_files(folder: Path, own_name: re.Pattern[str], keep: int, within: Optional[Path] = None) -> None:
    """Delete the regular files of ``folder`` named as ``own_name`` matches, all but the ``keep`` newest; nothing else."""
    descriptor = open_folder(folder, within)
    try:
        owned = []
        with os.scandir(descriptor) as entries:
            for entry in entries:
                try:
                    if own_name.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                        owned.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name))
                except FileNotFoundError:  # removed meanwhile by another plan
                    continue
        for _, name in sorted(owned, reverse=True)[keep:]:
            try:
                os.unlink(name, dir_fd=descriptor)
            except FileNotFoundError:
                pass
    finally:
        os.close(descriptor)


def remove_own_file(path: Path, is_own: Callable[[bytes], bool], what: str) -> None:
    """Delete ``path`` only if it is a regular file whose content ``is_own`` recognises (absent: nothing to do);
    anything else (a link, a folder, another kind of file) is refused with RefusedTarget, left as it was."""
    path = Path(path)
    try:
        handle = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise RefusedTarget(f"is a symbolic link, not {what}", "give another path") from None
        raise
    with os.fdopen(handle, "rb") as stream:
        kind = os.fstat(stream.fileno()).st_mode
        own = stat.S_ISREG(kind) and is_own(stream.read(OWN_FILE_LIMIT + 1))
    if not own:
        raise RefusedTarget(f"is not {what}, so it is not removed", "give another path, or remove it yourself if it is an old one")
    path.unlink()
