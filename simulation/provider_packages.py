"""pulumi-aws's service packages, each module imported when a program first names something of it.

A service package of pulumi-aws (``pulumi_aws.ec2``, ``pulumi_aws.lb``...) is generated as one ``__init__.py`` of
star imports, one per resource or function module: naming ``pulumi_aws.ec2.Vpc`` imports all 180 modules of EC2.
That was half a second of every simulation process's second and a half of imports (the warm plan a user waits for
after touching one stack). The planner's simulation imports them here through :class:`OnDemandServicePackages`,
which gives each such package a ``__getattr__`` (PEP 562) that imports the one module defining the name asked for,
from an index of the names each module exports (its ``__all__``, the list the star import copies).

What a program gets is the same object the eager package holds: the same module defines it and the last star import
of a name wins in both. A package whose ``__init__.py`` does anything other than those imports, or a module without
a literal ``__all__``, is imported as written. Only packages not yet imported are affected, and only in the process
that installed this (the plan and its simulation workers; ``pulumi up`` runs the program as written).
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.machinery
import re
import sys
import types
from pathlib import Path
from typing import Any, Optional

PROVIDER = "pulumi_aws"

_STAR_IMPORT = re.compile(r"from \.(\w+) import \*")
_EXPECTED_STATEMENT = re.compile(r"(from \.\w+ import \*|from \. import \w+|import builtins as _builtins|from \.\. import _utilities|import typing)")
"""Every statement a generated service package's ``__init__.py`` holds (one per line, beside comments)."""


def install() -> None:
    """From now on in this process, pulumi-aws's service packages not yet imported load their modules on demand."""
    if not any(isinstance(finder, OnDemandServicePackages) for finder in sys.meta_path):
        sys.meta_path.insert(0, OnDemandServicePackages())


class OnDemandServicePackages(importlib.abc.MetaPathFinder):
    """Finds ``pulumi_aws.<service>`` as the standard path finder does and hands it an on-demand loader."""

    def find_spec(self, fullname: str, path: Any = None, target: Optional[types.ModuleType] = None) -> Optional[importlib.machinery.ModuleSpec]:
        package, _, service = fullname.partition(".")
        if package != PROVIDER or not service or "." in service:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.submodule_search_locations is None or spec.origin is None or spec.loader is None:
            return spec
        # pulumi-aws finds all 240 service packages at import (its lazy_import): the index is read only when one is used.
        spec.loader = _OnDemandLoader(spec.loader, Path(spec.origin))
        return spec


class _OnDemandLoader(importlib.abc.Loader):
    def __init__(self, as_written: Any, init_file: Path) -> None:
        self._as_written = as_written
        self._init_file = init_file

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default module

    def exec_module(self, module: types.ModuleType) -> None:
        index = exported_names(self._init_file)
        if index is None:
            self._as_written.exec_module(module)
            return
        folder = self._init_file.parent

        def exported(name: str) -> Any:
            defining = importlib.import_module(f"{module.__name__}.{index[name]}")
            # Importing a module binds its name in the package: where a function shares its module's name
            # (``get_vpc``), the eager package's star import then rebinds it to the function, and so do we.
            if index.get(index[name]) == index[name]:
                setattr(module, index[name], getattr(defining, index[name]))
            return getattr(defining, name)

        def __getattr__(name: str) -> Any:
            if name in index:
                value = exported(name)
            elif (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file():
                value = importlib.import_module(f"{module.__name__}.{name}")  # a module, as the eager package has them all
            else:
                raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
            setattr(module, name, value)
            return value

        def __dir__() -> list[str]:
            return sorted({*module.__dict__, *index})

        module.__getattr__ = __getattr__  # type: ignore[attr-defined]
        module.__dir__ = __dir__  # type: ignore[attr-defined]
        module.__all__ = list(index)  # type: ignore[attr-defined]


def exported_names(init_file: Path) -> Optional[dict[str, str]]:
    """Each name a generated service package exports, mapped to the module that defines it; None when ``init_file``
    is not only star imports of modules with a literal ``__all__``."""
    index: dict[str, str] = {}
    for line in init_file.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not _EXPECTED_STATEMENT.fullmatch(line):
            return None
        star = _STAR_IMPORT.fullmatch(line)
        if star:
            names = _literal_all(init_file.parent / f"{star.group(1)}.py")
            if names is None:
                return None
            index.update(dict.fromkeys(names, star.group(1)))  # a later star import of a name wins, as in the package
    return index


def _literal_all(module_file: Path) -> Optional[list[str]]:
    """The module's ``__all__``, read from its source up to the end of that list (it comes before the code)."""
    try:
        with open(module_file, encoding="utf-8") as source:
            text = ""
            for line in source:
                if text or line.startswith("__all__ = ["):
                    text += line
                    if line.rstrip().endswith("]"):
                        names = ast.literal_eval(text.partition("=")[2].strip())
                        return names if isinstance(names, list) and all(isinstance(name, str) for name in names) else None
    except (OSError, ValueError, SyntaxError):
        return None
    return None
