"""Send a recorded deployment through the policy pack, exactly as the Pulumi engine does.

The pack runs as its own process (``python __main__.py`` in the pack folder,
which prints the analyzer's port); this client configures it and sends
``Analyze`` for every resource's inputs and ``AnalyzeStack`` for all resources'
outputs with parents and dependencies, over the analyzer's gRPC interface.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Optional

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from agentcore_egress.simulation.monitor import Registration

from .findings import Finding  # noqa: F401 - re-exported: the pack's verdicts are Findings

PROVIDER_PREFIX = "pulumi:providers:"
LEVELS = {analyzer_pb2.ADVISORY: "advisory", analyzer_pb2.MANDATORY: "mandatory", analyzer_pb2.DISABLED: "disabled", analyzer_pb2.REMEDIATE: "remediate"}
_LEVEL_VALUES = {name: value for value, name in LEVELS.items()}


class PolicyPackError(RuntimeError):
    """The policy pack could not be started or answered with an error."""


def default_pack_dir() -> Path:
    """The installed pack (the repository's ``policies/`` folder)."""
    import agentcore_egress.policies

    return Path(agentcore_egress.policies.__file__).resolve().parent


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(_jsonable(values))
    return message


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def _properties(resource: Registration, which: str) -> struct_pb2.Struct:
    """A resource's inputs or outputs (outputs with its id) as the engine sends them."""
    message = getattr(resource, f"{which}_proto")
    if message is None:
        message = _struct(getattr(resource, which))
    if which == "state" and resource.id:
        copy = struct_pb2.Struct()
        copy.CopyFrom(message)
        copy["id"] = resource.id
        return copy
    return message


def _first_line(stream, timeout: float) -> str:
    """The first line a child prints, or "" if none comes within ``timeout`` seconds (never blocks longer)."""
    if stream is None:
        return ""
    line = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                return ""
            chunk = os.read(stream.fileno(), 1)
            if not chunk:
                break
            line += chunk
    return line.decode(errors="replace").strip()


class PolicyAnalyzer:
    """A running policy pack. Use as a context manager; one process serves many stacks."""

    def __init__(self, pack_dir: Optional[Path] = None, start_timeout: float = 60.0) -> None:
        self.pack_dir = Path(pack_dir) if pack_dir else default_pack_dir()
        # The pack prints its port with a plain write to stdout: without PYTHONUNBUFFERED
        # (any user's terminal, most CI runners) that line sits in the pack's buffer and the
        # port never arrives. -u makes the pack's stdout unbuffered whatever the environment.
        self._process = subprocess.Popen(
            [sys.executable, "-u", "__main__.py"],
            cwd=self.pack_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        port = _first_line(self._process.stdout, start_timeout)
        if not port.isdigit():
            self._process.kill()
            self._process.wait()
            error = self._process.stderr.read().decode(errors="replace") if self._process.stderr else ""
            reason = error.strip()[-2000:] or ("no port printed" if port else f"no port printed within {start_timeout:.0f} s")
            raise PolicyPackError(f"the policy pack in {self.pack_dir} did not start: {reason}")
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self._channel).result(timeout=start_timeout)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)

    def __enter__(self) -> "PolicyAnalyzer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._channel.close()
        self._process.kill()
        self._process.wait()
        for stream in (self._process.stdout, self._process.stderr):
            if stream:
                stream.close()

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self.stub.GetAnalyzerInfo(empty_pb2.Empty())

    def configure(self, config: Mapping[str, Mapping[str, Any] | str]) -> None:
        """Policy config as in ``--policy-pack-config``: {policy: level or {enforcementLevel, ...options}}."""
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for policy, value in config.items():
            options = {"enforcementLevel": value} if isinstance(value, str) else dict(value)
            level = options.pop("enforcementLevel", None)
            entry = request.policyConfig[policy]
            if level is not None:
                if level not in _LEVEL_VALUES:
                    raise PolicyPackError(f"policy config: {policy}.enforcementLevel {level!r} is not one of {sorted(_LEVEL_VALUES)}")
                entry.enforcementLevel = _LEVEL_VALUES[level]
            else:
                entry.enforcementLevel = self._default_levels()[policy]
            entry.properties.update(_jsonable(options))
        self.stub.Configure(request)

    def _default_levels(self) -> dict[str, int]:
        return {policy.name: policy.enforcementLevel for policy in self.info().policies}

    def analyze(self, registrations: Iterable[Registration]) -> list[Finding]:
        """Analyze (inputs of each custom resource) then AnalyzeStack (outputs of all), like ``pulumi up``."""
        registrations = list(registrations)
        providers = {r.urn: r for r in registrations if r.type.startswith(PROVIDER_PREFIX)}
        # All Analyze calls are sent before any answer is read: the pack answers them on its
        # worker threads while this process serializes the next ones.
        pending: list[tuple[str, grpc.Future]] = []
        for resource in registrations:
            if not resource.custom or resource.type.startswith(PROVIDER_PREFIX):
                continue
            request = analyzer_pb2.AnalyzeRequest(
                type=resource.type,
                properties=resource.inputs_proto if resource.inputs_proto is not None else _struct(resource.inputs),
                urn=resource.urn,
                name=resource.name,
                options=analyzer_pb2.AnalyzerResourceOptions(parent=resource.parent),
            )
            provider = providers.get(resource.provider.rsplit("::", 1)[0]) if resource.provider else None
            if provider:
                request.provider.CopyFrom(
                    analyzer_pb2.AnalyzerProviderResource(type=provider.type, properties=_properties(provider, "inputs"), urn=provider.urn, name=provider.name)
                )
            pending.append((resource.urn, self.stub.Analyze.future(request)))
        stack = analyzer_pb2.AnalyzeStackRequest()
        for resource in registrations:
            entry = stack.resources.add(
                type=resource.type,
                properties=_properties(resource, "state"),
                urn=resource.urn,
                name=resource.name,
                parent=resource.parent,
                dependencies=resource.dependencies,
            )
            for key, urns in resource.property_dependencies.items():
                entry.propertyDependencies[key].urns.extend(urns)
        stack_future = self.stub.AnalyzeStack.future(stack)
        findings: list[Finding] = []
        for urn, future in pending:
            findings.extend(self._findings(future.result(), urn))
        findings.extend(self._findings(stack_future.result(), ""))
        return findings

    @staticmethod
    def _findings(response: analyzer_pb2.AnalyzeResponse, urn: str) -> list[Finding]:
        return [
            Finding(policy=d.policyName, level=LEVELS.get(d.enforcementLevel, "advisory"), message=d.message, urn=d.urn or urn)
            for d in response.diagnostics
        ]

