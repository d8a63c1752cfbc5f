"""Where a landing zone's files are in the repository that holds them: the git work tree of its stacks folder.

Reports name files relative to the repository root (code scanning matches them to committed files), found
by walking up from the stacks folder to a ``.git`` entry, so they are the same wherever a command runs;
outside git, relative to the working directory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from agentcore_egress.stacks.landing_zone import LandingZone


def work_tree_root(folder: Path) -> Optional[Path]:
    """The nearest folder at or above ``folder`` with a ``.git`` entry (a folder, or a worktree's file); None outside git."""
    folder = folder.resolve()
    return next((candidate for candidate in (folder, *folder.parents) if (candidate / ".git").exists()), None)


@dataclass(frozen=True)
class SourceTree:
    """The repository root of a landing zone (else the working directory), and its stacks folder."""

    root: Path
    stacks_dir: Path

    @classmethod
    def of(cls, zone: LandingZone) -> "SourceTree":
        stacks_dir = next(iter(zone.stacks.values())).file.resolve().parent
        return cls(work_tree_root(stacks_dir) or Path.cwd().resolve(), stacks_dir)

    def relative(self, path: Path) -> Optional[str]:
        """``path`` (links resolved, as code scanning needs) relative to the root, posix; None when it lies outside."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def stacks_folder(self) -> str:
        """The stacks folder from the root (``stacks``; ``.`` for the root itself), or its absolute path without the leading ``/``."""
        relative = self.relative(self.stacks_dir)
        return relative if relative is not None else self.stacks_dir.as_posix().lstrip("/")

    def document_uri(self, url: str) -> Optional[str]:
        """Where a document of the repository (``url`` relative to the root, with its anchor) can be read: on GitHub at
        the analysed commit when running in its Actions checkout, else the file here; None when the repository lacks it."""
        path, _, anchor = url.partition("#")
        document = self.root / path
        if not path or not document.is_file():
            return None
        fragment = f"#{anchor}" if anchor else ""
        server, repository, commit, workspace = (os.environ.get(key, "") for key in
                                                 ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_WORKSPACE"))
        if server and repository and commit and workspace and Path(workspace).resolve() == self.root:
            return f"{server}/{repository}/blob/{commit}/{path}{fragment}"
        return document.as_uri() + fragment
