"""preflight and audit in bounded time: accounts read in parallel, each within its budget, results in stack order."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from child_processes import run_cli
from moto_aws import account, write_zone

from agentcore_egress.live.account_pool import AccountTimeout, run_bounded
from agentcore_egress.live.audit import run_audit
from agentcore_egress.live.aws_accounts import AccountSession
from agentcore_egress.live.preflight import run_preflight
from agentcore_egress.stacks.landing_zone import LandingZone

ACCOUNTS = ["111111111111", "222222222222", "333333333333"]


class StalledEndpoint:
    """A loopback TCP server that accepts connections and never answers, as a black-holed endpoint does.
    It stops itself after ``lifetime`` seconds whatever happens to the test."""

    def __init__(self, lifetime: float = 120.0) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stop = threading.Event()
        self._until = time.monotonic() + lifetime
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        held = []
        while not self._stop.is_set() and time.monotonic() < self._until:
            try:
                held.append(self._listener.accept()[0])
            except socket.timeout:
                continue
        for connection in held:
            connection.close()
        self._listener.close()

    def __enter__(self) -> "StalledEndpoint":
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def zone_of_accounts(tmp_path):
    return write_zone(tmp_path / "zone", {f"stack-{index}": {"account": account(number)} for index, number in enumerate(ACCOUNTS)})


def test_jobs_run_a_few_at_a_time_and_outcomes_keep_the_order_of_the_jobs():
    running, most = 0, 0
    lock = threading.Lock()

    def job(index):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05 * (7 - index))  # later jobs finish first
        with lock:
            running -= 1
        return index

    outcomes = run_bounded([lambda index=index: job(index) for index in range(7)], parallel=3, budget=30)
    assert [outcome.value for outcome in outcomes] == list(range(7))
    assert 2 <= most <= 3


def test_a_job_past_its_budget_is_reported_and_left_behind():
    release = threading.Event()
    try:
        outcomes = run_bounded([lambda: "quick", lambda: release.wait(60), lambda: "also quick"], parallel=2, budget=0.2)
    finally:
        release.set()
    assert outcomes[0].value == "quick" and outcomes[2].value == "also quick"
    assert isinstance(outcomes[1].error, AccountTimeout) and "0.2 s" in str(outcomes[1].error)


def test_a_spent_budget_sends_no_further_attempt(aws):
    session = AccountSession(ACCOUNTS[0], "eu-west-1", endpoint_url=aws.url, budget=0)
    with pytest.raises(AccountTimeout, match="time budget of 0 s"):
        session.client("sts").get_caller_identity()
    assert session.call_log.calls == [("sts", "GetCallerIdentity")]  # asked for, never sent


def test_a_stalled_endpoint_ends_within_the_budget_with_one_line_per_account(tmp_path):
    # Before the budget: 2 attempts x 30 s read timeout per call, one account after another (minutes).
    zone = zone_of_accounts(tmp_path)
    with StalledEndpoint() as endpoint:
        for command in ("preflight", "audit"):
            completed = run_cli(command, str(zone), "--endpoint-url", endpoint.url, "--timeout", "2", timeout=60, cwd=tmp_path,
                                AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_CONFIG_FILE="/dev/null",
                                AWS_SHARED_CREDENTIALS_FILE="/dev/null")
            assert completed.returncode == 2, completed.stderr[-2000:]
            assert "Traceback" not in completed.stderr
            errors = [line for line in completed.stderr.splitlines() if line.startswith("error:")]
            assert len(errors) == len(ACCOUNTS), errors
            for number, line in zip(ACCOUNTS, errors):  # in stack order
                assert f"account {number}" in line and "no answer within the time budget of 2 s" in line, line
            # The fix is said once: preflight's report on the terminal says it per account, so its error lines do not.
            said = completed.stdout if command == "preflight" else completed.stderr
            assert said.count("--timeout") == len(ACCOUNTS), (completed.stdout, completed.stderr)


def test_accounts_read_in_parallel_report_in_stack_order(aws, tmp_path):
    zone = LandingZone.load(zone_of_accounts(tmp_path))

    def sessions(account_id, region, role_arn):
        return AccountSession(account_id, region, role_arn, endpoint_url=aws.url)

    checks = run_preflight(zone, sessions, parallel=4)
    assert [check.stack for check in checks if check.name == "credentials"] == zone.order()
    assert list(dict.fromkeys(check.stack for check in checks)) == zone.order()
    assert all(check.status == "pass" for check in checks if check.name == "credentials")
    audited = run_audit(zone, sessions, parallel=4)
    assert audited.accounts == len(ACCOUNTS)
    assert list(dict.fromkeys(finding.stack for finding in audited.findings)) == zone.order()  # moto's default groups: a finding each
