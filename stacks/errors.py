"""The one error type for bad stack files and landing zones, and how messages quote user values."""

from __future__ import annotations

MAX_QUOTED = 80


class ConfigError(ValueError):
    """One or more problems in stack files; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def shorten(value: object, limit: int = MAX_QUOTED) -> str:
    """A user value as a message may quote it: one line, at most ``limit`` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
