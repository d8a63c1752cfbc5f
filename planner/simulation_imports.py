"""Importing this module imports what simulating a stack needs (:func:`.stack_simulation.import_programs`).

It exists to be named where only a module's name can be given: the fork server's preload
(:data:`.worker_pool.PRELOADED`), so that each simulation worker forked from it starts with the SDK, pulumi-aws's
on-demand packages and the stacks' programs already imported, and a spawned worker's initializer
(:class:`.simulation_pool.SimulationPool`) where there is no fork server.
"""

from .stack_simulation import import_programs

import_programs()
