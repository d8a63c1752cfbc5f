"""Run a Pulumi program offline and record what it registers.

``pulumi.runtime.set_mocks`` alone hides parents, providers and dependencies;
:class:`RecordingMonitor` keeps them, as the engine would, so that plans and
tests can see which provider (account) a resource belongs to, what it depends
on, and its URN.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.proto import provider_pb2, resource_pb2

from .registration import Registration
from .simulated_aws import SimulatedAws


class _InputCapture(pulumi_mocks.Mocks):
    """Hands registrations to the real mocks and keeps each one's deserialized inputs for the monitor.

    The runtime calls the monitor from worker threads, so the hand-over is per thread.
    """

    def __init__(self, inner: pulumi_mocks.Mocks) -> None:
        self.inner = inner
        self.local = threading.local()

    def new_resource(self, args: pulumi_mocks.MockResourceArgs):
        self.local.inputs = args.inputs
        return self.inner.new_resource(args)

    def call(self, args: pulumi_mocks.MockCallArgs):
        return self.inner.call(args)


class ComponentOutputs(dict):
    """Registered component outputs by URN, deserialized only when read (most never are)."""

    def __init__(self) -> None:
        super().__init__()
        self._raw: dict[str, Any] = {}

    def store(self, urn: str, message: Any) -> None:
        self._raw[urn] = message

    def __missing__(self, urn: str) -> dict[str, Any]:
        value = self[urn] = rpc.deserialize_properties(self._raw[urn])
        return value

    def get(self, urn: str, default: Any = None) -> Any:
        return self[urn] if urn in self else default

    def __contains__(self, urn: object) -> bool:
        return dict.__contains__(self, urn) or urn in self._raw


_INVOKE_RESPONSE = getattr(resource_pb2, "ResourceInvokeResponse", None) or provider_pb2.InvokeResponse
"""What the monitor answers an invoke with: the resource monitor's own message in the SDKs that have one, the provider's
(what pulumi 3.231, the oldest supported, answers) before them."""


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that keeps parents, providers and dependencies of every registration."""

    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        self._capture = _InputCapture(mocks)
        super().__init__(self._capture)
        self.registrations: list[Registration] = []
        self.component_outputs = ComponentOutputs()

    def _answer(self, request: Any, resource_id: str) -> tuple[str, Any, Any]:
        """What MockMonitor does for a register or a read: the mocks' (id, state), the state serialized, kept by URN."""
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = rpc.deserialize_properties(request.object if hasattr(request, "object") else request.properties)
        args = pulumi_mocks.MockResourceArgs(typ=request.type, name=request.name, inputs=inputs, provider=request.provider,
                                             resource_id=resource_id, custom=getattr(request, "custom", True) or False)
        id_, state = self.mocks.new_resource(args)
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, id_, state)
        return urn, id_, finished(rpc.serialize_properties(state, {}))

    def _registered(self, request: Any) -> Any:
        """MockMonitor's RegisterResource, its serializing run in place (no resource transforms: the stacks set none)."""
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=self.make_urn(request.parent, request.type, request.name))
        urn, id_, state = self._answer(request, request.importId)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=state)

    def ReadResource(self, request):  # noqa: N802 (gRPC method name)
        urn, _, state = self._answer(request, request.id)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=state)

    def Invoke(self, request):  # noqa: N802 (gRPC method name)
        args = rpc.deserialize_properties(request.args)
        if request.tok == "pulumi:pulumi:getResource":
            registered = self.resources.get(args["urn"])
            if registered is None:
                raise KeyError(f"unknown resource {args['urn']}")
            return _INVOKE_RESPONSE(**{"return": finished(rpc.serialize_properties(registered._asdict(), {}))})
        answer = self.mocks.call(pulumi_mocks.MockCallArgs(token=request.tok, args=args, provider=request.provider))
        values, failures = (answer, None) if isinstance(answer, dict) else answer
        checked = [provider_pb2.CheckFailure(property=name, reason=reason) for name, reason in failures] if failures else None
        return _INVOKE_RESPONSE(**{"return": finished(rpc.serialize_properties(values, {})), "failures": checked})

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        self._capture.local.inputs = None
        response = self._registered(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = self._capture.local.inputs
            self.registrations.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent,
                    provider=request.provider,
                    custom=request.custom,
                    inputs=inputs if inputs is not None else rpc.deserialize_properties(request.object),
                    dependencies=list(request.dependencies),
                    property_dependencies={key: list(value.urns) for key, value in request.propertyDependencies.items()},
                    state=self.resources[response.urn].state if response.urn in self.resources else {},
                    id=response.id,
                    inputs_proto=request.object,
                    state_proto=response.object,
                )
            )
        return response

    def RegisterResourceOutputs(self, request):  # noqa: N802
        self.component_outputs.store(request.urn, request.outputs)
        return super().RegisterResourceOutputs(request)


class InlineExecutor(futures.ThreadPoolExecutor):
    """The event loop's executor while a program runs under the simulated monitor: each call runs at once, on the loop's thread.

    The SDK sends every monitor call (register, read, invoke, outputs) to the loop's default
    executor, so that a real gRPC round trip does not block its event loop. The simulated
    monitor answers from memory, so a thread pool only adds two thread hand-overs per
    resource: measured, a fifth of a stack's simulation spent with the loop polling for them.
    """

    def submit(self, fn, /, *args, **kwargs):  # ThreadPoolExecutor's contract, without the thread
        future: futures.Future = futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # noqa: BLE001 - a pool's worker hands every exception to the future, as here
            future.set_exception(error)
        return future


def finished(awaitable: Any) -> Any:
    """The value of a coroutine that never waits (serializing a mock's plain answer), run to its end in place.

    Monitor calls run on the event loop's own thread (:class:`InlineExecutor`); waiting there for a
    coroutine through the loop would pump the running loop from inside one of its callbacks.
    """
    steps = awaitable.__await__()
    try:
        steps.send(None)
    except StopIteration as done:
        return done.value
    steps.close()
    raise RuntimeError("a mock answered with a value that is not ready (an Output or a future): the simulated monitor takes plain values")


def event_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop, made and set when it has none (where the SDK's runtime will look for it)."""
    try:
        return asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        return loop


@contextmanager
def _monitor_calls_inline(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    loop.set_default_executor(InlineExecutor(max_workers=1))
    try:
        yield
    finally:
        # A fresh pool for whatever else this process runs on the loop (the SDK's own tests of mocks, a later program).
        loop.set_default_executor(futures.ThreadPoolExecutor())


@dataclass
class Deployment:
    """What a program registered, and the values it returned."""

    registrations: list[Registration]
    component_outputs: dict[str, dict[str, Any]]
    result: Any
    minted: frozenset = frozenset()
    """Values the simulated AWS computed for this stack: unknown at its first preview (see :mod:`.preview`)."""

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_]

    def named(self, name: str) -> Registration:
        matches = [r for r in self.registrations if r.name == name]
        assert len(matches) == 1, f"{len(matches)} resources named {name!r}: {[r.urn for r in matches]}"
        return matches[0]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.registrations if r.urn == urn)

    @property
    def urns(self) -> set[str]:
        return {r.urn for r in self.registrations}

    @property
    def types(self) -> list[str]:
        return [r.type for r in self.registrations]


def run_program(program: Callable[[], Any], *, mocks: pulumi_mocks.Mocks | None = None, stack: str = "test", preview: bool = False) -> Deployment:
    """Run ``program`` under mocks; return its registrations and its result with outputs resolved.

    Exceptions raised by the program (such as the components' validation
    errors) propagate unchanged.
    """
    mocks = mocks or SimulatedAws()
    monitor = RecordingMonitor(mocks)
    # set_mocks makes a root Stack resource only when none is set, and the root lives in a
    # context variable: without this, every later program in the process would hang its
    # resources under the first program's stack (another stack's URN as their parent).
    pulumi.runtime.settings.ROOT.set(None)
    pulumi.runtime.set_mocks(monitor.mocks, project="agentcore-egress", stack=stack, preview=preview, monitor=monitor)
    holder: dict[str, Any] = {}

    def run() -> None:  # called, not awaited, by the SDKs this package supports (pulumi 3.231 does not await it)
        holder["result"] = program()

    pulumi.runtime.settings.SETTINGS.rpc_manager.clear()
    pulumi.runtime.settings.SETTINGS.outputs.clear()
    loop = event_loop()
    with _monitor_calls_inline(loop):
        loop.run_until_complete(run_pulumi_func(run))
        # Every registration has been answered by now (run_pulumi_func waits for them): the result's outputs are known.
        holder["result"] = loop.run_until_complete(_resolve(holder.get("result")))
    return Deployment(monitor.registrations, monitor.component_outputs, holder.get("result"), frozenset(getattr(mocks, "minted", ())))


async def _resolve(value: Any) -> Any:
    if isinstance(value, pulumi.Output):
        return await _resolve(await value.future())
    if isinstance(value, dict):
        return {key: await _resolve(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [await _resolve(item) for item in value]
    return value
