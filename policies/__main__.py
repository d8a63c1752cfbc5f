"""The policy pack's entry point: the Pulumi engine runs ``python __main__.py`` in this folder.

The folder runs alone: ``pulumi policy publish`` uploads it without the rest of the
repository and the engine runs it where it unpacked it, under any folder name, with
only ``requirements.txt`` installed. So the rules are loaded from this folder, as a
package of a private name (their relative imports, ``from .. import resource_types``,
resolve inside it), never from an installed ``agentcore_egress``.

Only here is the PolicyPack constructed (its constructor starts pulumi-policy's
own analyzer server, prints the port and blocks), so the rules stay importable
for tests and for ``agentcore-egress plan`` (which loads them through this file
with ``planner/pack_service.py`` and runs them with ``policy_runner.py``).
"""

import importlib
import importlib.util
import io
import sys
from pathlib import Path

PACK_NAME = "agentcore-egress"
FOLDER_PACKAGE = "_agentcore_egress_policy_pack"
"""The name this folder is loaded under when it runs as a script."""


def load_rules(folder: Path = Path(__file__).resolve().parent) -> list:
    """The pack's policies, imported from ``folder`` as the package :data:`FOLDER_PACKAGE`."""
    if FOLDER_PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            FOLDER_PACKAGE, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )
        package = importlib.util.module_from_spec(spec)
        sys.modules[FOLDER_PACKAGE] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"{FOLDER_PACKAGE}.rules").RULES


def unbuffered_stdout() -> None:
    """Make what the pack writes to stdout leave at once, whatever the environment says.

    pulumi-policy writes the analyzer's port to ``sys.stdout.buffer`` without a flush;
    unless ``PYTHONUNBUFFERED`` is set, the port would wait in the buffer and whoever
    started the pack (the engine, ``agentcore-egress plan``) would wait for it forever.
    """
    raw = io.FileIO(sys.stdout.fileno(), "wb", closefd=False)
    sys.stdout = io.TextIOWrapper(raw, encoding=sys.stdout.encoding, errors=sys.stdout.errors, write_through=True)


if __name__ == "__main__":
    from pulumi_policy import PolicyPack

    unbuffered_stdout()
    # pulumi-policy's own analyzer service, as the SDK builds it: nothing of the SDK is replaced or subclassed here.
    PolicyPack(name=PACK_NAME, policies=load_rules())
