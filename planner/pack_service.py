"""A policy pack's policies loaded in this process the way the pack's own ``__main__.py`` builds them, for ``plan``.

The engine runs ``python __main__.py`` in the pack's folder; the pack constructs
``PolicyPack(name=..., policies=...)``, whose constructor serves pulumi-policy's
analyzer service over gRPC and blocks. :func:`load_pack_service` runs that same
``__main__.py`` (in the folder, the folder first on ``sys.path``, as
``__main__``) with the public name ``pulumi_policy.PolicyPack`` standing for a
class that checks the arguments as the SDK's constructor does and hands them
back instead of serving: they become a :class:`~agentcore_egress.policies.policy_runner.PolicyRunner`,
which answers the engine's requests with the SDK's semantics through its public
API. :class:`InProcessStub` then lets the engine's client call it as a stub.

Why not over gRPC: at 400 accounts the plan sends the pack about 15,000 Analyze
requests; gRPC's per-call cost in the client and the server was three quarters
of the pack's CPU time (measured with ``benchmarks/plan_landing_zone.py``). The
verdicts are the same either way: ``tests/test_pack_service.py`` judges the same
stacks over gRPC (``PolicyAnalyzer``, the SDK's own service) and in process and compares.
"""

from __future__ import annotations

import os
import re
import runpy
import sys
from pathlib import Path
from typing import Any

import grpc

from agentcore_egress.policies.policy_runner import PolicyRunner

_PACK_NAME = re.compile("^[a-zA-Z0-9-_.]{1,100}$")
"""The names pulumi-policy accepts for a pack."""


class PackDidNotStart(RuntimeError):
    """The pack's ``__main__.py`` failed, or ended without constructing a PolicyPack."""


class _PackBuilt(BaseException):
    """Raised where the PolicyPack constructor would start serving; carries the runner (a BaseException, so that
    a pack's own ``except Exception`` cannot swallow it)."""

    def __init__(self, runner: PolicyRunner) -> None:
        super().__init__("the pack's policies are loaded")
        self.runner = runner


def _check_pack(name: Any, policies: Any, enforcement_level: Any, initial_config: Any) -> None:
    """The checks pulumi-policy's PolicyPack constructor makes before it serves, with its words (TypeError)."""
    from pulumi_policy import EnforcementLevel, Policy

    if not name:
        raise TypeError("Missing name argument")
    if not isinstance(name, str):
        raise TypeError("Expected name to be a string")
    if not _PACK_NAME.match(name):
        raise TypeError(f"Invalid policy pack name {name}. Policy pack names may only contain alphanumerics, hyphens, underscores, or periods.")
    if not policies:
        raise TypeError("Missing policies argument")
    if not isinstance(policies, list) or not all(isinstance(policy, Policy) for policy in policies):
        raise TypeError("Expected policies to be a list of policies" if not isinstance(policies, list) else "Expected each policy in policies to be a Policy")
    if enforcement_level is not None and not isinstance(enforcement_level, EnforcementLevel):
        raise TypeError("Expected enforcement_level to be an EnforcementLevel")
    if initial_config is not None and not isinstance(initial_config, dict):
        raise TypeError("Expected initial_config to be a dict")


def _loading_pack(name: Any, policies: Any, enforcement_level: Any = None, initial_config: Any = None, description: Any = None,
                  display_name: Any = None, readme: Any = None, provider: Any = None, tags: Any = None, repository: Any = None) -> None:
    """What ``PolicyPack(...)`` does while a pack is loaded here (same parameters): check its arguments, then hand them back."""
    _check_pack(name, policies, enforcement_level, initial_config)
    raise _PackBuilt(PolicyRunner(name, policies, enforcement_level, initial_config, description, display_name, readme, provider, tags,
                                  repository))


def load_pack_service(pack_dir: Path) -> PolicyRunner:
    """Run ``pack_dir/__main__.py`` as the engine would, up to its ``PolicyPack(...)``; return those policies as a runner.

    Changes this process's working folder and ``sys.path`` as the engine's ``python __main__.py`` has them:
    call it in a process of its own (the policy worker). Raises PackDidNotStart with the pack's reason.
    """
    import pulumi_policy
    from pulumi_policy import policy as sdk_policy

    main = pack_dir / "__main__.py"
    if not main.is_file():
        raise PackDidNotStart(f"{main} does not exist")
    os.chdir(pack_dir)
    sys.path.insert(0, str(pack_dir))
    public = pulumi_policy.PolicyPack, sdk_policy.PolicyPack
    pulumi_policy.PolicyPack = sdk_policy.PolicyPack = _loading_pack
    try:
        runpy.run_path(str(main), run_name="__main__")
    except _PackBuilt as built:
        return built.runner
    except SystemExit as stop:
        raise PackDidNotStart(f"{stop.code}" if stop.code not in (None, 0) else "its __main__.py exited") from None
    except Exception as error:  # noqa: BLE001 - the pack's own failure, reported as its reason
        raise PackDidNotStart(f"{type(error).__name__}: {error}") from None
    finally:
        pulumi_policy.PolicyPack, sdk_policy.PolicyPack = public
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
