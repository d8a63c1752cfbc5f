"""The pack folder runs alone, as `pulumi policy publish` uploads it and the service runs it.

The folder is copied without the rest of the repository to a folder of another name
(the service unpacks a pack into its own folder), its requirements.txt is installed
into the virtualenv its PulumiPolicy.yaml names, and it is started as the engine
starts it: ``python __main__.py`` in the folder, in a user's environment. Then it
is driven over its gRPC analyzer interface.
"""

import re
import shutil
import tomllib
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from agentcore_egress.policies.rules import RULES
from child_processes import REPOSITORY
from fresh_venvs import install_requirements, start_plugin, stop, virtualenv_of

POLICIES = REPOSITORY / "policies"


@pytest.fixture(scope="module")
def published_pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("service") / "package"
    shutil.copytree(POLICIES, folder, ignore=shutil.ignore_patterns("__pycache__", "venv"))
    python = install_requirements(folder, "PulumiPolicy.yaml")
    process, port = start_plugin(python, folder)
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    grpc.channel_ready_future(channel).result(timeout=30)
    yield python, analyzer_pb2_grpc.AnalyzerStub(channel)
    channel.close()
    stop(process)


def test_the_pack_runs_from_its_folder_without_the_package(published_pack):
    python, stub = published_pack
    info = stub.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "agentcore-egress"
    assert [policy.name for policy in info.policies] == [rule.name for rule in RULES]
    installed = {Path(p).name.split("-")[0].lower() for p in python.parent.parent.glob("lib/python*/site-packages/*.dist-info")}
    assert "agentcore_egress" not in installed, "the folder must not need the package"


def test_the_published_pack_rejects_a_failing_resource(published_pack):
    _, stub = published_pack
    properties = struct_pb2.Struct()
    properties.update({"autoAcceptSharedAttachments": "enable", "defaultRouteTableAssociation": "disable",
                       "defaultRouteTablePropagation": "disable"})
    response = stub.Analyze(analyzer_pb2.AnalyzeRequest(
        type="aws:ec2transitgateway/transitGateway:TransitGateway", properties=properties,
        urn="urn:pulumi:hub::agentcore-egress::aws:ec2transitgateway/transitGateway:TransitGateway::open-hub", name="open-hub",
    ))
    assert [(d.policyName, d.enforcementLevel) for d in response.diagnostics] == [("tgw-no-auto-accept", analyzer_pb2.MANDATORY)]


def test_the_pack_virtualenv_lives_in_the_folder_and_is_not_uploaded():
    assert virtualenv_of(POLICIES, "PulumiPolicy.yaml").parent == POLICIES
    # `pulumi policy publish` archives the folder honouring its .gitignore.
    assert "venv/" in (POLICIES / ".gitignore").read_text().split()


def test_the_pack_requirements_match_the_package_dependencies():
    declared = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["project"]["dependencies"]
    ranges = {re.split(r"[<>=!~ ]", line, maxsplit=1)[0]: line for line in declared}
    lines = [line.strip() for line in (POLICIES / "requirements.txt").read_text().splitlines()]
    requirements = [line for line in lines if line and not line.startswith("#")]
    assert {re.split(r"[<>=!~ ]", line, maxsplit=1)[0] for line in requirements} == {"pulumi", "pulumi-policy"}
    for line in requirements:
        assert ranges[re.split(r"[<>=!~ ]", line, maxsplit=1)[0]].replace(" ", "") == line.replace(" ", "")


def test_the_folder_loads_the_same_rules_as_the_package():
    import runpy

    loaded = runpy.run_path(str(POLICIES / "__main__.py"), run_name="pack_entry")["load_rules"]()
    assert [rule.name for rule in loaded] == [rule.name for rule in RULES]
    assert all(type(a) is not type(b) or a is not b for a, b in zip(loaded, RULES)), "loaded from the folder, not the package"
