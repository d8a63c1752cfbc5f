"""The one exception type that components raise for bad input."""

from __future__ import annotations

from typing import Any


class InputValidationError(ValueError):
    """Bad input to a component, raised before any resource is created.

    The message names the component, the field, the value found and how to fix
    it, so that ``pulumi preview`` prints something a user can act on without
    reading our source.
    """

    def __init__(self, component: str, field: str, value: Any, problem: str, fix: str):
        self.component = component
        self.field = field
        self.value = value
        self.problem = problem
        self.fix = fix
        super().__init__(f"{component}: {field}: {value!r} {problem}. Fix: {fix}")
