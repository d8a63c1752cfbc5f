"""Send a recorded deployment through the policy pack, exactly as the Pulumi engine does.

The pack runs as its own process (``python __main__.py`` in the pack folder,
which prints the analyzer's port); this client configures it and sends
``Analyze`` for every resource's inputs and ``AnalyzeStack`` for all resources'
outputs with parents and dependencies, over the analyzer's gRPC interface.
"""

from __future__ import annotations

import os
import selectors
import sys
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Optional

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from agentcore_egress.policies.analyzer_messages import LEVELS, configure_request
from agentcore_egress.policies.analyzer_messages import struct as _struct
from agentcore_egress.simulation.monitor import Registration
from agentcore_egress.simulation.preview import PROVIDER_PREFIX, PreviewView
from agentcore_egress.simulation.preview import engine_properties as _properties

from agentcore_egress.stacks import policy_config
from agentcore_egress.process.child_processes import Child
from .pack_service import InProcessStub, PackDidNotStart, load_pack_service
from .policy_pack import PolicyPackError, default_pack_dir

from agentcore_egress.stacks.findings import Finding  # noqa: F401 - re-exported: the pack's verdicts are Findings

PREVIEW, UPDATE = "preview", "update"
"""The two phases the pack judges a stack in: its first ``pulumi preview`` (computed values unknown) and ``pulumi up``."""


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



class AnalyzerClient:
    """The engine's side of the analyzer interface, over any stub: configure, then judge stacks in both phases.

    :class:`PolicyAnalyzer` runs the pack and talks to it over gRPC; tests hand
    a stub of their own to drive an analyzer service in process.
    """

    def __init__(self, stub: Any, call_timeout: float = 300.0, name: str = "the policy pack") -> None:
        self.stub, self.call_timeout, self.name = stub, call_timeout, name

    def _call(self, method, request):
        try:
            return method(request, timeout=self.call_timeout)
        except grpc.RpcError as error:
            raise PolicyPackError(self._failure(error)) from None

    def _failure(self, error: grpc.RpcError) -> str:
        detail = error.details() if hasattr(error, "details") else str(error)
        if error.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
            detail = f"no answer within {self.call_timeout:.0f} s"
        return f"{self.name} failed: {(detail or '').strip().splitlines()[-1] if detail else error.code().name}{self._exit_detail()}"

    def _exit_detail(self) -> str:
        """Why the analyzer is gone, when it is (a process that exited): "" here."""
        return ""

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self._call(self.stub.GetAnalyzerInfo, empty_pb2.Empty())

    def configure(self, config: Mapping[str, Any], skip: Collection[str] = (), source: str = "policy config") -> None:
        """Policy config as in ``--policy-pack-config``, resolved against this pack's policies as the engine does.

        ``skip``: names of rules that are not the pack's (the plan's own), left out.
        Raises ConfigError (stacks.config_schema) for config the engine would refuse or we refuse.
        """
        known = policy_config.analyzer_rule_specs(self.info())
        resolved = policy_config.resolve({k: v for k, v in config.items() if k not in skip}, known, source)
        self._call(self.stub.Configure, configure_request(resolved))

    def analyze(self, registrations: Iterable[Registration], minted: Optional[Collection[str]] = None) -> list[Finding]:
        """Judge one stack as ``pulumi up`` does; with ``minted`` (values computed in this stack) also as its first preview.

        Per phase: Analyze (inputs of each custom resource), then AnalyzeStack (outputs
        of all, with parents and dependencies). At preview only resources whose
        inputs differ get a second Analyze; the others' verdicts are the same.
        """
        registrations = list(registrations)
        update_calls = self._send_analyze(registrations, lambda r: r.inputs_proto if r.inputs_proto is not None else _struct(r.inputs))
        update_stack = self._send_stack(registrations, lambda r: _properties(r, "state"))
        if minted is None:
            return [replace(f, phases=(UPDATE,)) for part in self._collect(update_calls, update_stack) for f in part]
        view = PreviewView(registrations, minted)
        changed = [r for r in registrations if view.inputs.get(r.urn) is not None]
        preview_calls = self._send_analyze(changed, lambda r: view.inputs[r.urn])
        preview_stack = self._send_stack(registrations, view.outputs)
        update_resources, update_stacks = self._collect(update_calls, update_stack)
        preview_changed = {urn for urn, _ in preview_calls}
        preview_resources, preview_stacks = self._collect(preview_calls, preview_stack)
        preview = [f for f in update_resources if f.urn not in preview_changed] + preview_resources + preview_stacks
        update = update_resources + update_stacks
        return merge_phases(preview, update)

    def _send_analyze(self, registrations: list[Registration], properties) -> list[tuple[str, grpc.Future]]:
        # All Analyze calls are sent before any answer is read: the pack answers them on its
        # worker threads while this process serializes the next ones.
        providers = {r.urn: r for r in registrations if r.type.startswith(PROVIDER_PREFIX)}
        pending = []
        for resource in registrations:
            if not resource.custom or resource.type.startswith(PROVIDER_PREFIX):
                continue
            request = analyzer_pb2.AnalyzeRequest(
                type=resource.type, properties=properties(resource), urn=resource.urn, name=resource.name,
                options=analyzer_pb2.AnalyzerResourceOptions(parent=resource.parent),
            )
            provider = providers.get(resource.provider.rsplit("::", 1)[0]) if resource.provider else None
            if provider:
                request.provider.CopyFrom(
                    analyzer_pb2.AnalyzerProviderResource(type=provider.type, properties=_properties(provider, "inputs"), urn=provider.urn, name=provider.name)
                )
            pending.append((resource.urn, self.stub.Analyze.future(request, timeout=self.call_timeout)))
        return pending

    def _send_stack(self, registrations: list[Registration], properties) -> grpc.Future:
        stack = analyzer_pb2.AnalyzeStackRequest()
        for resource in registrations:
            entry = stack.resources.add(
                type=resource.type, properties=properties(resource), urn=resource.urn, name=resource.name,
                parent=resource.parent, dependencies=resource.dependencies,
            )
            for key, urns in resource.property_dependencies.items():
                entry.propertyDependencies[key].urns.extend(urns)
        return self.stub.AnalyzeStack.future(stack, timeout=self.call_timeout)

    def _collect(self, calls: list[tuple[str, grpc.Future]], stack: grpc.Future) -> tuple[list[Finding], list[Finding]]:
        """(findings of the resource policies, findings of the stack policies)."""
        resources: list[Finding] = []
        try:
            for urn, future in calls:
                resources.extend(self._findings(future.result(), urn))
            return resources, self._findings(stack.result(), "")
        except grpc.RpcError as error:
            raise PolicyPackError(self._failure(error)) from None

    @staticmethod
    def _findings(response: analyzer_pb2.AnalyzeResponse, urn: str) -> list[Finding]:
        return [
            Finding(policy=d.policyName, level=LEVELS.get(d.enforcementLevel, "advisory"), message=d.message, urn=d.urn or urn)
            for d in response.diagnostics
        ]


class PolicyAnalyzer(AnalyzerClient):
    """A running policy pack. Use as a context manager; one process serves many stacks.

    Every wait is bounded: the port within ``start_timeout`` seconds, each
    gRPC call within ``call_timeout``; the pack ends with this process.
    """

    def __init__(self, pack_dir: Optional[Path] = None, start_timeout: float = 60.0, call_timeout: float = 300.0) -> None:
        self.pack_dir = Path(pack_dir) if pack_dir else default_pack_dir()
        self._channel = None
        # The pack prints its port with a plain write to stdout: without PYTHONUNBUFFERED
        # (any user's terminal, most CI runners) that line sits in the pack's buffer and the
        # port never arrives. -u makes the pack's stdout unbuffered whatever the environment.
        self._child = Child([sys.executable, "-u", "__main__.py"], cwd=self.pack_dir, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            port = _first_line(self._child.process.stdout, start_timeout)
            if not port.isdigit():
                reason = self._child.stderr_tail() or ("no port printed" if port else f"no port printed within {start_timeout:.0f} s")
                raise PolicyPackError(f"the policy pack in {self.pack_dir} did not start: {reason}")
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            grpc.channel_ready_future(self._channel).result(timeout=start_timeout)
        except grpc.FutureTimeoutError:
            self.close()
            raise PolicyPackError(f"the policy pack in {self.pack_dir} did not accept connections within {start_timeout:.0f} s") from None
        except BaseException:
            self.close()
            raise
        super().__init__(analyzer_pb2_grpc.AnalyzerStub(self._channel), call_timeout, f"the policy pack in {self.pack_dir}")

    def __enter__(self) -> "PolicyAnalyzer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int:
        return self._child.pid

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
        self._child.stop()

    def _exit_detail(self) -> str:
        return "" if self._child.alive() else f" (the pack exited with code {self._child.process.returncode}: {self._child.stderr_tail()})"


class LoadedPolicyPack(AnalyzerClient):
    """A pack's analyzer service built in this process as its ``__main__.py`` builds it (see :mod:`.pack_service`).

    What ``plan``'s policy worker judges with: the same service and requests as over
    gRPC, without gRPC's cost per call. It changes this process's working folder to
    the pack's, as the engine runs the pack there: use it in a process of its own.
    """

    def __init__(self, pack_dir: Optional[Path] = None) -> None:
        self.pack_dir = Path(pack_dir).resolve() if pack_dir else default_pack_dir()
        try:
            service = load_pack_service(self.pack_dir)
        except PackDidNotStart as error:
            raise PolicyPackError(f"the policy pack in {self.pack_dir} did not start: {error}") from None
        super().__init__(InProcessStub(service), name=f"the policy pack in {self.pack_dir}")

    def close(self) -> None:
        """Nothing to stop: the service ends with this process."""


def merge_phases(preview: list[Finding], update: list[Finding]) -> list[Finding]:
    """One finding per verdict with the phases it fires in; a verdict found in both keeps the update's message.

    Verdicts are paired by (policy, resource, level) in the order the pack reported them.
    """
    waiting: dict[tuple[str, str, str], list[Finding]] = {}
    for finding in preview:
        waiting.setdefault((finding.policy, finding.urn, finding.level), []).append(finding)
    merged = []
    for finding in update:
        twins = waiting.get((finding.policy, finding.urn, finding.level))
        if twins:
            twins.pop(0)
            merged.append(replace(finding, phases=(PREVIEW, UPDATE)))
        else:
            merged.append(replace(finding, phases=(UPDATE,)))
    merged += [replace(finding, phases=(PREVIEW,)) for twins in waiting.values() for finding in twins]
    return merged
