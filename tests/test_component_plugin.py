"""The components as a plugin from git, the way `pulumi package add <repo>/components@<tag>` installs them.

The engine clones the repository, creates the virtualenv PulumiPlugin.yaml names
inside ``components/``, runs ``pip install -r requirements.txt`` there (pip's working
directory is the plugin folder, so ``..`` is the clone) and starts the plugin as
``python <plugin folder> <engine address>``. This test does the same from a fresh
clone of this repository at HEAD, reads the schema over gRPC ``GetSchema``, and checks
it against Pulumi's package metaschema.
"""

import json
import re
import subprocess
import tomllib
from pathlib import Path

import grpc
import jsonschema
import pytest
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from agentcore_egress.components import COMPONENTS
from agentcore_egress.components.base import NAMESPACE, PACKAGE
from child_processes import REPOSITORY
from fresh_venvs import install_requirements, start_plugin, stop, virtualenv_of

METASCHEMA = Path(__file__).parent / "data" / "pulumi-package-metaschema.json"
COMPONENTS_DIR = REPOSITORY / "components"


@pytest.fixture(scope="module")
def served_schema(tmp_path_factory):
    clone = tmp_path_factory.mktemp("package-add") / "agentcore-egress"
    subprocess.run(["git", "clone", "--quiet", str(REPOSITORY), str(clone)], check=True, timeout=120, stdin=subprocess.DEVNULL)
    plugin = clone / "components"
    python = install_requirements(plugin, "PulumiPlugin.yaml")
    process, port = start_plugin(python, plugin, "127.0.0.1:1", timeout=120)
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        schema = provider_pb2_grpc.ResourceProviderStub(channel).GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema
        channel.close()
    finally:
        stop(process)
    return json.loads(schema)


def test_the_plugin_installs_from_a_clone_and_serves_every_component(served_schema):
    assert served_schema["name"] == PACKAGE
    assert set(served_schema["resources"]) == {f"{PACKAGE}:index:{component.__name__}" for component in COMPONENTS}


def test_the_schema_carries_the_package_version_and_a_namespace(served_schema):
    version = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]["version"]
    assert served_schema["version"] == version != "0.0.0"
    assert served_schema["namespace"] == NAMESPACE


def load_metaschema():
    """The vendored metaschema, its ECMAScript named groups ``(?<name>…)`` spelt as Python's ``re`` needs, ``(?P<name>…)``."""
    return json.loads(re.sub(r"\(\?<(?![=!])", "(?P<", METASCHEMA.read_text()))


def test_the_schema_satisfies_pulumis_package_metaschema(served_schema):
    metaschema = load_metaschema()
    jsonschema.Draft202012Validator.check_schema(metaschema)
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in jsonschema.Draft202012Validator(metaschema).iter_errors(served_schema)]
    assert errors == []


def test_a_dns_account_provider_is_an_input_every_language_can_pass(served_schema):
    certificate = served_schema["resources"][f"{PACKAGE}:index:PublicCertificate"]["inputProperties"]
    reference = certificate["dnsProvider"]["$ref"]
    # A resource of another package, as the metaschema spells it: path#/resources/<token>; aws's provider token.
    assert reference.startswith("/aws/v") and reference.endswith("/schema.json#/resources/pulumi:providers:aws")
    assert "dnsProvider" not in served_schema["resources"][f"{PACKAGE}:index:PublicCertificate"].get("requiredInputs", [])


def test_the_plugin_virtualenv_lives_in_its_folder():
    assert virtualenv_of(COMPONENTS_DIR, "PulumiPlugin.yaml").parent == COMPONENTS_DIR
    assert "venv/" in (COMPONENTS_DIR / ".gitignore").read_text().split()
    lines = [line.strip() for line in (COMPONENTS_DIR / "requirements.txt").read_text().splitlines()]
    assert [line for line in lines if line and not line.startswith("#")] == [".."], "the clone's root, resolved from pip's cwd"
