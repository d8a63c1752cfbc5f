"""When the plan lets Python's cyclic garbage collector run.

A plan builds millions of objects that all live to its end (stack files, every
stack's registrations, cache entries, worker results); left to itself, the
collector walks them again and again as they arrive, which grows with the
square of the landing zone. Only simulating a program makes cyclic garbage
(Pulumi's outputs and futures) at a high rate, so the plan collects after each
stack it simulates, and nowhere else.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside (loading the stack files: half the time of a 400-file load was the collector's)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def collecting_new_objects_only() -> Iterator[None]:
    """Around one stack's simulation: paused, then one collection of the young generations frees that stack's
    garbage only (measured: a 200-spoke plan in 70 % of the CPU time).

    When the simulation imported modules (a process's first stack imports its components and their pulumi-aws modules),
    what is young is mostly those modules, which live as long as the process: they are moved out of the collector's
    sight instead of walked (0.03 s, an eighth of a fresh worker's first stack; the few objects that stack left behind stay)."""
    modules = len(sys.modules)
    with paused():
        yield
    if len(sys.modules) > modules:
        gc.freeze()
    else:
        gc.collect(1)


def keep_everything_so_far() -> None:
    """What is alive now stays to the plan's end: moved out of the collector's sight, so that the collections after
    each later stack do not walk it again (see :func:`plan_collections`)."""
    gc.freeze()


@contextmanager
def plan_collections() -> Iterator[None]:
    """A whole plan: paused, with the collections of :func:`collecting_new_objects_only`; at its end what it froze is
    the collector's again, to be freed with the result."""
    try:
        with paused():
            yield
    finally:
        gc.unfreeze()
