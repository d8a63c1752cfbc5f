"""Where the plan cache may live and who wrote its entries (see :mod:`.plan_cache` for what an entry holds).

A cache entry decides a stack's verdict without simulating it, and its key is
computed from public inputs; so the cache is trusted for its place and its
writer, never for its content:

- its place: the user's cache folder (:func:`default_cache_root`), a sub-folder
  per landing zone (:func:`zone_folder`); never the stacks folder or the pack,
  never a link, never inside a git work tree (which a pull request or a
  checked-out branch can fill) unless the user says it is trusted, never a
  folder holding other files (:func:`location_problem`);
- its writer: every entry carries an HMAC-SHA256 of its path and text
  (:func:`signature`) under the cache's own key (:data:`KEY_FILE`, 32 random
  bytes made 0600 on first use by :func:`make_key`, refused unless a private
  file of this user by :func:`read_key`); the folder's ``.gitignore`` keeps it
  out of any commit;
- its files: read only when regular and at most :data:`ENTRY_LIMIT`, opened
  without following a link or blocking (:func:`read_regular_file`).
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import secrets
import stat
import sys
from pathlib import Path
from typing import Optional

from agentcore_egress.files.atomic_file import lies_in, open_folder, write_atomically

KEY_FILE = "signing-key"
"""The cache's own key, at its root: entries are signed with it."""
ENTRY_LIMIT = 64 << 20
"""The largest entry read (bytes): a larger file is ignored, not read."""
_IGNORE_ALL = "# agentcore-egress plan cache: local results and their signing key, never committed\n*\n"


def default_cache_root() -> Path:
    """The user's cache folder: ``$XDG_CACHE_HOME`` (when absolute), ``~/Library/Caches`` on macOS, else ``~/.cache``."""
    configured = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(configured):
        base = Path(configured)
    else:
        base = Path.home() / ("Library/Caches" if sys.platform == "darwin" else ".cache")
    return base / "agentcore-egress" / "plan"


def zone_folder(stacks_dir: Path) -> str:
    """The sub-folder of one landing zone's entries: its folder's name and a hash of its resolved path."""
    resolved = Path(stacks_dir).resolve()
    return f"{resolved.name or 'root'}-{hashlib.sha256(str(resolved).encode()).hexdigest()[:16]}"


def enclosing_work_tree(path: Path) -> Optional[Path]:
    """The git work tree ``path`` lies in (a folder or an ancestor holding ``.git``, links resolved), if any."""
    resolved = Path(path).resolve()
    return next((folder for folder in (resolved, *resolved.parents) if os.path.lexists(folder / ".git")), None)


def location_problem(root: Path, where: str, trusted: bool, read_folders: dict[str, Path]) -> Optional[str]:
    """Why ``root`` cannot hold the plan cache, as one line with the fix, or None."""
    for name, folder in read_folders.items():
        if lies_in(root, folder):
            return f"{where}: lies in {name} {folder}, which a pull request can change. Fix: keep the cache outside it (by default it is in your cache folder)"
    if root.is_symlink():
        return f"{where}: is a symbolic link (to {os.readlink(root)}). Fix: give the folder it leads to"
    tree = enclosing_work_tree(root)
    if tree is not None and not trusted:
        fix = "pass --cache DIR outside any repository" if where.startswith("--cache") else "set XDG_CACHE_HOME outside any repository, or pass --cache DIR outside it"
        return (f"{where}: lies in the git work tree {tree}, where a pull request or a checked-out branch could ship entries that decide the verdict. "
                f"Fix: {fix}, or add --trust-cache if only your own plans write there")
    if root.exists() and not root.is_dir():
        return f"{where}: is not a folder. Fix: give a folder"
    if root.is_dir() and not os.path.lexists(root / KEY_FILE) and any(root.iterdir()):
        return f"{where}: holds files that are not a plan cache's (it has no {KEY_FILE}). Fix: give a new or empty folder"
    return None


def signature(key: bytes, root: Path, path: Path, body: bytes) -> bytes:
    """The hex HMAC-SHA256 of an entry: its path under ``root`` and its text."""
    return hmac.new(key, path.relative_to(root).as_posix().encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()


def read_regular_file(path: Path, root: Path) -> Optional[bytes]:
    """The bytes of ``path`` (under ``root``, no link followed), or None when it is missing; OSError with the reason when
    it is not a regular file or larger than :data:`ENTRY_LIMIT` (checked on the open file, before reading; a FIFO never blocks)."""
    try:
        folder = open_folder(path.parent, root)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        handle = os.open(path.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise OSError(error.errno, "a symbolic link" if error.errno == errno.ELOOP else error.strerror) from None
    finally:
        os.close(folder)
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if info.st_size > ENTRY_LIMIT:
            raise OSError(errno.EFBIG, f"larger than {ENTRY_LIMIT >> 20} MiB")
        data = stream.read(ENTRY_LIMIT + 1)
    if len(data) > ENTRY_LIMIT:
        raise OSError(errno.EFBIG, f"larger than {ENTRY_LIMIT >> 20} MiB")
    return data


def read_key(root: Path) -> Optional[bytes]:
    """The key at ``root``, None when there is none; ValueError when it is not a private file of this user holding a key."""
    path = root / KEY_FILE
    try:
        data = read_regular_file(path, root)
    except OSError as error:
        raise ValueError(f"{path} is {error.strerror or error}") from None
    if data is None:
        return None
    info = os.stat(path, follow_symlinks=False)
    if info.st_uid != os.geteuid() or info.st_mode & 0o077:
        raise ValueError(f"{path} is not a private file of yours (owner {info.st_uid}, mode {info.st_mode & 0o777:o}, not 600)")
    try:
        key = bytes.fromhex(data.decode("ascii"))
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ValueError(f"{path} does not hold a key of 64 hexadecimal digits")
    return key


def make_key(root: Path) -> bytes:
    """A new key at ``root`` (with the folder and its .gitignore); another plan's, when it made one first."""
    os.makedirs(root, exist_ok=True)
    if not os.path.lexists(root / ".gitignore"):
        write_atomically(root / ".gitignore", _IGNORE_ALL, within=root)
    folder = open_folder(root, root)
    try:
        temporary = f".{KEY_FILE}.{secrets.token_hex(6)}.tmp"
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=folder)
        try:
            with os.fdopen(handle, "w", encoding="ascii") as stream:
                stream.write(secrets.token_hex(32))
                stream.flush()
                os.fsync(stream.fileno())
            try:
                os.link(temporary, KEY_FILE, src_dir_fd=folder, dst_dir_fd=folder)  # never replaces a key: entries signed with it stay good
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary, dir_fd=folder)
    finally:
        os.close(folder)
    key = read_key(root)
    if key is None:
        raise OSError(errno.ENOENT, f"{root / KEY_FILE} was removed while it was made")
    return key
