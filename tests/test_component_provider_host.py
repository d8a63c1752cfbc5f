"""The plugin entry point serves every component's schema over the provider gRPC interface."""

import json
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from agentcore_egress.components import COMPONENTS

COMPONENTS_DIR = Path(__file__).resolve().parents[1] / "components"


@pytest.fixture(scope="module")
def provider_stub():
    # As the engine does: plugin folder, then the engine's address (unused for GetSchema).
    process = subprocess.Popen(
        [sys.executable, "-m", "agentcore_egress.components", str(COMPONENTS_DIR), "127.0.0.1:1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = process.stdout.readline().strip()
        assert port.isdigit(), f"the host printed {port!r}, stderr: {process.stderr.read() if process.poll() is not None else ''}"
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield provider_pb2_grpc.ResourceProviderStub(channel)
        channel.close()
    finally:
        process.kill()
        process.wait()


def test_schema_lists_every_component_with_inputs_and_outputs(provider_stub):
    schema = json.loads(provider_stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema)
    assert schema["name"] == "agentcore-egress"
    resources = schema["resources"]
    assert set(resources) == {f"agentcore-egress:index:{component.__name__}" for component in COMPONENTS}
    for token, resource in resources.items():
        assert resource["isComponent"] is True
        assert resource["inputProperties"] and resource["properties"], token
    target = resources["agentcore-egress:index:GatewayTarget"]
    assert {"gatewayId", "managedVpc", "selfManagedLattice", "mcpServerEndpoint"} <= set(target["inputProperties"])
    assert target["requiredInputs"] == ["gatewayId"]
    assert {"targetId", "reuseKey", "mode"} <= set(target["properties"])
    assert "agentcore-egress:index:ManagedVpcEndpointArgs" in schema["types"]


def test_plugin_manifest_names_the_python_runtime():
    manifest = (COMPONENTS_DIR / "PulumiPlugin.yaml").read_text()
    assert "name: python" in manifest
