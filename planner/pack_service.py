"""A policy pack's analyzer service built in this process, the way the pack's own ``__main__.py`` builds it, for ``plan``.

The engine runs ``python __main__.py`` in the pack's folder; the pack constructs
``PolicyPack(...)``, whose constructor builds pulumi-policy's analyzer service
(or the one the pack installed, see ``policies/analyzer_service.py``), serves it
over gRPC and blocks. :func:`load_pack_service` runs that same ``__main__.py``
(in the folder, the folder first on ``sys.path``, as ``__main__``) and lets the
real ``PolicyPack`` constructor do all its checks and build its service; only
the hand-over to the gRPC server is caught, and the service is returned instead
of served. :class:`InProcessStub` then answers the engine's requests (the same
protobuf messages) by calling that service directly.

Why not over gRPC: at 400 accounts the plan sends the pack about 15,000 Analyze
requests; gRPC's per-call cost in the client and the server was three quarters
of the pack's CPU time (measured with ``benchmarks/plan_landing_zone.py``). The
verdicts are the service's own either way: ``tests/test_pack_service.py`` judges
the same stacks over gRPC (``PolicyAnalyzer``) and in process and compares.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import grpc


class PackDidNotStart(RuntimeError):
    """The pack's ``__main__.py`` failed, or ended without constructing a PolicyPack."""


class _ServiceBuilt(BaseException):
    """Raised where the PolicyPack constructor would start serving; carries the service (a BaseException, so that
    a pack's own ``except Exception`` cannot swallow it)."""

    def __init__(self, service: Any) -> None:
        super().__init__("the pack's analyzer service is built")
        self.service = service


def _caught_hand_over(service: Any, _server: Any) -> None:
    raise _ServiceBuilt(service)


def load_pack_service(pack_dir: Path) -> Any:
    """Run ``pack_dir/__main__.py`` as the engine would, up to its PolicyPack's service; return that service.

    Changes this process's working folder and ``sys.path`` as the engine's ``python __main__.py`` has them:
    call it in a process of its own (the policy worker). Raises PackDidNotStart with the pack's reason.
    """
    from pulumi_policy import policy as sdk

    main = pack_dir / "__main__.py"
    if not main.is_file():
        raise PackDidNotStart(f"{main} does not exist")
    os.chdir(pack_dir)
    sys.path.insert(0, str(pack_dir))
    # The constructor makes a gRPC server, then hands it the service: neither is wanted here. Merely made, a gRPC
    # server already runs six threads of its own; left behind, one of them aborted the worker (an epoll error).
    server_module, hand_over = sdk.grpc, sdk.analyzer_pb2_grpc
    sdk.grpc = SimpleNamespace(server=lambda *args, **kwargs: None)
    sdk.analyzer_pb2_grpc = SimpleNamespace(add_AnalyzerServicer_to_server=_caught_hand_over)
    try:
        runpy.run_path(str(main), run_name="__main__")
    except _ServiceBuilt as built:
        return built.service
    except SystemExit as stop:
        raise PackDidNotStart(f"{stop.code}" if stop.code not in (None, 0) else "its __main__.py exited") from None
    except Exception as error:  # noqa: BLE001 - the pack's own failure, reported as its reason
        raise PackDidNotStart(f"{type(error).__name__}: {error}") from None
    finally:
        sdk.grpc, sdk.analyzer_pb2_grpc = server_module, hand_over
    raise PackDidNotStart("its __main__.py ended without constructing a PolicyPack")


class ApplicationError(grpc.RpcError):
    """What a gRPC client gets when the service raised: status UNKNOWN with the exception (as grpc's server reports it)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self._details = f"Exception calling application: {error}"

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.UNKNOWN

    def details(self) -> str:
        return self._details


class _Answered:
    """A call's answer, shaped as the future a gRPC stub returns."""

    def __init__(self, call: Any, request: Any) -> None:
        try:
            self._answer, self._error = call(request, None), None
        except Exception as error:  # noqa: BLE001 - handed to the caller as grpc would hand it
            self._answer, self._error = None, ApplicationError(error)

    def result(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._answer


class _Method:
    """One method of the service, callable as a stub's method is: blocking, or ``future``."""

    def __init__(self, call: Any) -> None:
        self._call = call

    def __call__(self, request: Any, timeout: Any = None) -> Any:
        return _Answered(self._call, request).result()

    def future(self, request: Any, timeout: Any = None) -> _Answered:
        return _Answered(self._call, request)


class InProcessStub:
    """An analyzer stub whose calls go straight to ``service`` (a pack's analyzer service) in this process."""

    def __init__(self, service: Any) -> None:
        self.service = service

    def __getattr__(self, method: str) -> _Method:
        return _Method(getattr(self.service, method))
