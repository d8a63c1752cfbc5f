"""boto3 sessions for the accounts of a landing zone: assume-role, standard retries, read-only, recorded, bounded.

Every client of an :class:`AccountSession` uses botocore's standard retry mode
and records the API calls it makes (``calls``), which is how the tests prove
that preflight and audit never modify an account. Time is bounded: connect and
read timeouts per attempt (botocore's defaults are 60 s each, and a read timeout
is retried), and a budget for the whole account: once it is spent, no further
attempt is sent (:class:`~.account_pool.AccountTimeout`). AWS errors become one
line each through :func:`describe_error`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Optional

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import (BotoCoreError, ClientError, ConnectTimeoutError, EndpointConnectionError, NoCredentialsError, NoRegionError,
                                 ReadTimeoutError)
from botocore.parsers import ResponseParserError

from .account_pool import AccountTimeout

RETRIES = {"mode": "standard", "max_attempts": 5}
LOCAL_RETRIES = {"mode": "standard", "max_attempts": 2}
"""A local endpoint (--endpoint-url) does not throttle: fail fast on what it does not implement."""
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20
"""Seconds per attempt; each is capped at the account's budget."""
ACCOUNT_BUDGET = 120.0
"""Seconds an account may take in all (every call and retry), unless --timeout says otherwise."""
TIMEOUT_FIX = "Fix: check the network and the region's endpoint (or --endpoint-url), or give the account more time with --timeout SECONDS"
SESSION_NAME = "agentcore-egress-audit"
READ_ONLY_PREFIXES = ("Describe", "List", "Get", "Simulate", "Search")
ALLOWED_OTHERS = {"AssumeRole"}
"""AssumeRole starts a session in the account; it changes nothing there."""


def is_timeout(error: BaseException) -> bool:
    """The account or its endpoint ran out of time: no point in trying its other calls."""
    return isinstance(error, (AccountTimeout, ReadTimeoutError, ConnectTimeoutError))


def is_unsupported(error: BaseException) -> bool:
    """The endpoint does not implement the call (a local emulator, or a partition without the service)."""
    if isinstance(error, ResponseParserError):
        return True
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error.response.get("Error", {}).get("Code", "")
        return code in ("NotImplemented", "404", "InvalidAction") or (status in (404, 501) and not code.endswith(("NotFound", "NotFoundException")))
    return False


class AwsAccessError(RuntimeError):
    """An account cannot be read: no credentials, access denied, region not enabled, endpoint unreachable."""


def describe_error(error: BaseException, account: str = "", action: str = "") -> str:
    """One line a person can act on, for any AWS or botocore error."""
    where = " ".join(part for part in (f"account {account}" if account else "", action) if part)
    prefix = f"{where}: " if where else ""
    if isinstance(error, NoCredentialsError):
        return f"{prefix}no AWS credentials found. Fix: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --profile"
    if isinstance(error, AccountTimeout):
        return f"{prefix}{error}; stopped there. {TIMEOUT_FIX}"
    if isinstance(error, (ReadTimeoutError, ConnectTimeoutError)):
        return f"{prefix}{error.kwargs.get('endpoint_url', 'the AWS endpoint')} did not answer in time, even after retries. {TIMEOUT_FIX}"
    if isinstance(error, NoRegionError):
        return f"{prefix}no region. Fix: set account.region in the stack file"
    if isinstance(error, EndpointConnectionError):
        return f"{prefix}cannot reach {error.kwargs.get('endpoint_url', 'the AWS endpoint')}. Fix: check the network, the region, or --endpoint-url"
    if is_unsupported(error):
        operation = getattr(error, "operation_name", "this call")
        return f"{prefix}the endpoint does not implement {operation}"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "Unknown")
        message = error.response.get("Error", {}).get("Message", "")
        operation = error.operation_name
        if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "Forbidden"):
            return f"{prefix}{operation} was denied ({code}). Fix: grant the read-only policy in live/preflight_audit_policy.json to the role you use"
        if code in ("InvalidClientTokenId", "UnrecognizedClientException", "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch"):
            return f"{prefix}{operation}: the credentials are invalid or expired ({code}). Fix: refresh them, or check the profile"
        if code in ("Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"):
            return f"{prefix}{operation} is throttled even after retries ({code}). Fix: run again later, or audit fewer accounts at once"
        if code in ("OptInRequired", "InvalidRegion", "UnrecognizedRegion"):
            return f"{prefix}{operation}: the region is not enabled for this account ({code}). Fix: enable it, or correct account.region"
        return f"{prefix}{operation} failed ({code}): {message}".rstrip(": ")
    if isinstance(error, BotoCoreError):
        return f"{prefix}{error}"
    return f"{prefix}{type(error).__name__}: {error}"


@dataclass
class CallLog:
    """The API calls made, as (service, operation) pairs, across threads."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, model: Any, **_: Any) -> None:
        with self.lock:
            self.calls.append((model.service_model.service_name, model.name))

    def mutating(self) -> list[tuple[str, str]]:
        return [(service, operation) for service, operation in self.calls
                if not operation.startswith(READ_ONLY_PREFIXES) and operation not in ALLOWED_OTHERS]


class _SharedModels:
    """botocore's data loader, one for every session of the process.

    Each new session reads and parses the service models again (EC2's alone is megabytes of JSON), about a fifth of a
    second a session, and an account takes two (its base and its deploy role's). The loader only reads files that
    ship with botocore (or under AWS_DATA_PATH, the same for the whole process) and caches what it parsed.
    """

    _lock = threading.Lock()
    _loader: Any = None

    @classmethod
    def session(cls, **arguments: Any) -> boto3.Session:
        core = botocore.session.Session()
        with cls._lock:
            if cls._loader is None:
                cls._loader = core.get_component("data_loader")
            else:
                core.register_component("data_loader", cls._loader)
        return boto3.Session(botocore_session=core, **arguments)


class AccountSession:
    """One account and region, entered through its deploy role when the stack names one."""

    def __init__(
        self,
        account_id: str,
        region: str,
        role_arn: Optional[str] = None,
        *,
        profile: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        call_log: Optional[CallLog] = None,
        budget: float = ACCOUNT_BUDGET,
    ) -> None:
        self.account_id = account_id
        self.region = region
        self.role_arn = role_arn
        self.endpoint_url = endpoint_url
        self.call_log = call_log or CallLog()
        self.budget = budget
        self.deadline = time.monotonic() + budget
        self.config = Config(retries=dict(LOCAL_RETRIES if endpoint_url else RETRIES),
                             connect_timeout=max(0.1, min(CONNECT_TIMEOUT, budget)), read_timeout=max(0.1, min(READ_TIMEOUT, budget)))
        self._base = _SharedModels.session(profile_name=profile, region_name=region)
        self._watch(self._base)
        self._session: Optional[boto3.Session] = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _watch(self, session: boto3.Session) -> None:
        """Record every call, and send no attempt (first or retry) once the account's budget is spent."""
        session.events.register("before-call", self.call_log.record)
        session.events.register("before-send", self._within_budget)

    def _within_budget(self, **_: Any) -> None:
        if time.monotonic() >= self.deadline:
            raise AccountTimeout(budget=self.budget)

    def _client_of(self, session: boto3.Session, service: str) -> Any:
        return session.client(service, region_name=self.region, endpoint_url=self.endpoint_url, config=self.config)

    @property
    def session(self) -> boto3.Session:
        if self._session is None:
            if self.role_arn is None:
                self._session = self._base
            else:
                credentials = self._client_of(self._base, "sts").assume_role(RoleArn=self.role_arn, RoleSessionName=SESSION_NAME)["Credentials"]
                session = _SharedModels.session(
                    aws_access_key_id=credentials["AccessKeyId"],
                    aws_secret_access_key=credentials["SecretAccessKey"],
                    aws_session_token=credentials["SessionToken"],
                    region_name=self.region,
                )
                self._watch(session)
                self._session = session
        return self._session

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = self._client_of(self.session, service)
            return self._clients[service]

    def paginate(self, service: str, operation: str, key: str, **kwargs: Any) -> list[Any]:
        """Every item of a paginated list call."""
        items: list[Any] = []
        for page in self.client(service).get_paginator(operation).paginate(**kwargs):
            items.extend(page.get(key, []))
        return items
