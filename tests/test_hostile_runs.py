"""Hostile and careless runs end: in time, in one line, with the right exit code, leaving no process and no file behind.

Each run is the installed console script in a session of its own (as a shell job
is a process group of its own), under a time limit and an address-space limit, in
a user's environment (no PYTHONUNBUFFERED) whose HOME, cache and temp folders are
inside the test's folder. Every process of the run carries a marker in its
environment, so that anything it left running (a worker, the pack, a helper the
pack started, a fake ``pulumi``) is found in /proc afterwards, whatever its
process group.
"""

from __future__ import annotations

import json
import os
import queue
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pytest

from agentcore_egress.live.rollout import MINIMUM_CLI_VERSION

from agentcore_egress.planner.plan import WORKERS_FROM
from agentcore_egress.planner.simulation_pool import usable_cpus
from child_processes import CONSOLE_SCRIPT, REPOSITORY, user_environment
from landing_zones import TGW_EXAMPLE, copy_zone
from test_plan_failures import pack_copy

sys.path.insert(0, str(REPOSITORY / "benchmarks"))
from plan_landing_zone import write_zone  # noqa: E402 - the benchmark's generator of N-spoke landing zones

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="looks for leftover processes in /proc")

MARKER = "AGENTCORE_EGRESS_HOSTILE_RUN"
MEMORY_LIMIT = 4 * 1024**3
"""Address space of the run (the CLI and each child): a plan needs well under it; reading /dev/zero whole would not."""
LIMIT = 90.0


@dataclass
class Ended:
    code: int
    stdout: str
    stderr: str
    leftovers: list[str]

    def one_line(self, code: int, *says: str, prefix: str = "error:") -> str:
        """The run ended with ``code`` and one ``prefix`` line holding every part of ``says``, no traceback, nothing left running."""
        lines = [line for line in self.stderr.splitlines() if line.startswith(prefix)]
        assert self.code == code and len(lines) == 1 and "Traceback" not in self.stderr, (self.code, self.stderr[-3000:])
        assert all(part in lines[0] for part in says), (says, lines[0])
        assert self.leftovers == [], self.leftovers
        return lines[0]


def leftovers(marker: str, within: float = 5.0) -> list[str]:
    """Processes still carrying ``marker`` in their environment (waiting up to ``within`` seconds for them to go)."""
    deadline = time.monotonic() + within
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if f"{MARKER}={marker}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")[:200].decode(errors="replace")
                    found.append(f"{entry.name}: {command}")
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def limited(*then: Callable[[], None]) -> Callable[[], None]:
    def in_child() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        for step in then:
            step()
    return in_child


class Run:
    """One run of the CLI in its own session; stderr read line by line as it comes."""

    def __init__(self, tmp_path: Path, *arguments: str, cwd: Optional[Path] = None, stdout=subprocess.PIPE,
                 preexec: tuple[Callable[[], None], ...] = (), **environment: str) -> None:
        self.marker = str(tmp_path)
        home = tmp_path / "home"
        home.mkdir(exist_ok=True)
        env = user_environment(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), TMPDIR=str(home), **{MARKER: self.marker})
        env.update(environment)
        self.process = subprocess.Popen([str(CONSOLE_SCRIPT), *arguments], cwd=cwd or tmp_path, env=env, stdin=subprocess.DEVNULL,
                                        stdout=stdout, stderr=subprocess.PIPE, text=True, start_new_session=True,
                                        preexec_fn=limited(*preexec))
        self.lines: queue.Queue = queue.Queue()
        self.stderr: list[str] = []
        self.stdout = ""
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr.append(line)
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = LIMIT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if text in self.lines.get(timeout=0.5):
                    return
            except queue.Empty:
                if self.process.poll() is not None:
                    break
        self.kill()
        pytest.fail(f"never printed {text!r}: {''.join(self.stderr)[-3000:]}")

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def end(self, timeout: float = LIMIT) -> Ended:
        try:
            self.stdout = self.process.stdout.read() if self.process.stdout else ""
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the run did not end within {timeout:.0f} s: {''.join(self.stderr)[-3000:]}")
        time.sleep(0.2)  # the reader has the last lines
        return Ended(code, self.stdout, "".join(self.stderr), leftovers(self.marker))


def run(tmp_path: Path, *arguments: str, timeout: float = LIMIT, **options) -> Ended:
    return Run(tmp_path, *arguments, **options).end(timeout)


@pytest.fixture
def zone(tmp_path: Path) -> Path:
    return copy_zone(TGW_EXAMPLE, tmp_path / "stacks")


@pytest.fixture
def small_zone(tmp_path: Path) -> Path:
    """One account and nothing in it: for runs whose plan's content is not the point (a closed output, a pack that
    never starts), so that they do not simulate the example's five stacks (a second of CPU) first."""
    folder = tmp_path / "stacks"
    folder.mkdir()
    (folder / "Pulumi.solo.yaml").write_text('config:\n  agentcore-egress:account:\n    id: "111111111111"\n    region: eu-west-1\n')
    return folder


@pytest.fixture(scope="module")
def wide_zone(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wide")
    write_zone(folder, WORKERS_FROM + 1, backends=True)
    return folder


# --- what is not a regular file is refused before it is opened -----------------------------------------------------

def test_a_fifo_as_a_stack_file(tmp_path, zone):
    os.mkfifo(zone / "Pulumi.fifo.yaml")
    run(tmp_path, "plan", str(zone), "--no-cache").one_line(2, "Pulumi.fifo.yaml", "named pipe (FIFO)", "Fix:")


def test_a_fifo_as_the_policy_config(tmp_path, zone):
    os.mkfifo(tmp_path / "config.json")
    run(tmp_path, "plan", str(zone), "--no-cache", "--policy-pack-config", str(tmp_path / "config.json")).one_line(
        2, "config.json", "named pipe (FIFO)", "Fix:")


def test_a_fifo_through_schema_check(tmp_path):
    os.mkfifo(tmp_path / "Pulumi.fifo.yaml")
    run(tmp_path, "schema", "--check", str(tmp_path / "Pulumi.fifo.yaml")).one_line(2, "Pulumi.fifo.yaml", "named pipe (FIFO)", "Fix:")


def test_dev_zero_linked_as_a_stack_file(tmp_path, zone):
    (tmp_path / "Pulumi.zero.yaml").symlink_to("/dev/zero")
    run(tmp_path, "schema", "--check", str(tmp_path / "Pulumi.zero.yaml")).one_line(2, "Pulumi.zero.yaml", "character device", "Fix:")
    (zone / "Pulumi.zero.yaml").symlink_to("/dev/zero")  # in the stacks folder, a link leaving it is refused before
    run(tmp_path, "plan", str(zone), "--no-cache").one_line(2, "Pulumi.zero.yaml", "Fix:")


def test_a_folder_named_as_a_stack_file(tmp_path, zone):
    (zone / "Pulumi.x.yaml").mkdir()
    run(tmp_path, "plan", str(zone), "--no-cache").one_line(2, "Pulumi.x.yaml", "is a folder", "Fix:")


def test_a_fifo_as_the_engine_event_log(tmp_path, zone):
    os.mkfifo(tmp_path / "events.jsonl")
    completed = subprocess.run(
        [sys.executable, "-m", "agentcore_egress.cli.engine_policy_events", str(zone), "--stack", "agentcore", "--events",
         str(tmp_path / "events.jsonl"), "--output", str(tmp_path / "out.sarif")],
        env=user_environment(), capture_output=True, text=True, timeout=LIMIT, preexec_fn=limited(), start_new_session=True)
    assert completed.returncode == 2 and "named pipe (FIFO)" in completed.stderr and "Traceback" not in completed.stderr, completed.stderr


# --- the policy config: any size, strict JSON ------------------------------------------------------------------------

def config_file(tmp_path: Path, text: str) -> str:
    (tmp_path / "config.json").write_text(text)
    return str(tmp_path / "config.json")


def test_a_valid_policy_config_of_200_kib(tmp_path, zone):
    # Far past the 128 KiB one command-line argument may have: the config reaches the pack's worker through its input.
    policies = [f"ELBSecurityPolicy-TLS13-1-2-{index:06d}" for index in range(6000)] + ["ELBSecurityPolicy-TLS13-1-2-2021-06"]
    text = config_file(tmp_path, json.dumps({"modern-tls": {"enforcementLevel": "mandatory", "allowedPolicies": policies}}))
    assert Path(text).stat().st_size > 200 * 1024
    ended = run(tmp_path, "plan", str(zone), "--no-cache", "--policy-pack-config", text, "--format", "json")
    assert ended.code == 0 and "Traceback" not in ended.stderr and ended.leftovers == [], ended.stderr[-3000:]
    assert json.loads(ended.stdout)["totals"]["mandatory"] == 0


@pytest.mark.parametrize("text, says", [
    pytest.param('{"modern-tls": ' + "[" * 100_000 + "]" * 100_000 + "}", ("nested deeper",), id="100k-deep"),
    pytest.param('{"modern-tls": {"requireTls13": Infinity}}', ("modern-tls.requireTls13", "Infinity", "not a JSON number"), id="infinity"),
    pytest.param('{"modern-tls": {"allowedPolicies": [NaN]}}', ("modern-tls.allowedPolicies[0]", "NaN"), id="nan"),
    pytest.param('{"modern-tls": "advisory", "modern-tls": "mandatory"}', ("modern-tls", "given twice"), id="duplicate-key"),
    pytest.param('{"modern-tls": {"requireTls14": true}}', ("modern-tls.requireTls14", "no option", "requireTls13"), id="unknown-option"),
])
def test_a_bad_policy_config_names_file_and_key(tmp_path, zone, text, says):
    path = config_file(tmp_path, text)
    run(tmp_path, "plan", str(zone), "--no-cache", "--policy-pack-config", path).one_line(2, path, *says, "Fix:")


def test_an_unknown_option_of_a_pack_folder_rule_is_named_by_the_pack_worker(tmp_path, small_zone):
    path = config_file(tmp_path, '{"modern-tls": {"requireTls14": true}}')
    folder = pack_copy(tmp_path)
    run(tmp_path, "plan", str(small_zone), "--no-cache", "--policy-pack", str(folder), "--policy-pack-config", path).one_line(
        2, path, "modern-tls.requireTls14", "no option")


# --- children with deadlines, ending with the run ---------------------------------------------------------------------

def test_a_pack_slow_to_start_ends_the_plan_at_its_start_timeout(tmp_path, small_zone):
    folder = pack_copy(tmp_path, "import time\ntime.sleep(600)\n")
    run(tmp_path, "plan", str(small_zone), "--no-cache", "--policy-pack", str(folder), "--pack-start-timeout", "3").one_line(
        2, "did not start within 3 s")


def test_a_pack_that_fails_after_starting_a_helper_leaves_nothing_running(tmp_path, small_zone):
    folder = pack_copy(tmp_path, 'import subprocess\nsubprocess.Popen(["sleep", "600"])\nraise SystemExit("helper started, then failed")\n')
    run(tmp_path, "plan", str(small_zone), "--no-cache", "--policy-pack", str(folder)).one_line(2, "helper started, then failed")


def test_a_pulumi_version_that_never_answers(tmp_path, zone):
    (tmp_path / "Pulumi.yaml").write_text("name: hostile\nruntime: python\nstackConfigDir: stacks\n")
    fake = tmp_path / "bin" / "pulumi"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\nsleep 600\n")
    fake.chmod(0o755)
    ended = run(tmp_path, "rollout", str(zone), "--state-file", str(tmp_path / "state.json"), PATH=f"{fake.parent}:{os.environ['PATH']}")
    ended.one_line(2, "pulumi version", "did not answer within", "Fix:")


def test_jobs_10000_starts_no_more_processes_than_cpus(tmp_path, wide_zone):
    ended = run(tmp_path, "plan", str(wide_zone), "--no-cache", "--jobs", "10000")
    assert ended.code == 0 and ended.leftovers == [], ended.stderr[-3000:]
    line = next(line for line in ended.stderr.splitlines() if "simulating" in line)
    processes = int(line.split(" in ")[1].split()[0])
    assert 1 < processes <= min(usable_cpus(), WORKERS_FROM + 1), line


# --- signals -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("number, to_group, attempt", [
    *[(signal.SIGINT, True, attempt) for attempt in range(4)],  # Ctrl-C at a terminal: the whole foreground group
    (signal.SIGINT, False, 0),
    (signal.SIGTERM, False, 0),
    (signal.SIGTERM, True, 0),
])
def test_a_signal_mid_plan_ends_it_at_once(tmp_path, wide_zone, number, to_group, attempt):
    running = Run(tmp_path, "plan", str(wide_zone), "--no-cache", "--jobs", "2", "--format", "markdown", "--output", str(tmp_path / "plan.md"))
    running.wait_for("simulating")  # the workers are busy
    (os.killpg if to_group else os.kill)(running.process.pid, number)
    ended = running.end(timeout=20)
    ended.one_line(128 + number, signal.Signals(number).name, prefix="interrupted:")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["home"], "a report or a temporary file was written"


# --- the process the command was started in ---------------------------------------------------------------------------

def test_standard_output_full(tmp_path, small_zone):
    with open("/dev/full", "w") as full:
        run(tmp_path, "plan", str(small_zone), "--no-cache", stdout=full).one_line(2, "standard output cannot be written", "Fix:")


def test_standard_output_closed(tmp_path, small_zone):
    run(tmp_path, "plan", str(small_zone), "--no-cache", stdout=subprocess.DEVNULL, preexec=(lambda: os.close(1),)).one_line(
        2, "standard output is closed", "Fix:")


def test_a_deleted_working_folder(tmp_path, small_zone):
    gone = tmp_path / "gone"
    gone.mkdir()
    run(tmp_path, "plan", str(small_zone), "--no-cache", cwd=gone, preexec=(lambda: os.rmdir(gone),)).one_line(2, "working folder", "Fix:")


def test_a_malformed_pulumi_yaml_is_one_line_without_its_content(tmp_path, zone):
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
    (tmp_path / "Pulumi.yaml").write_text(f"name: hostile\nruntime: python\nbackend: {{url: [{secret}\n")
    ended = run(tmp_path, "rollout", str(zone), "--state-file", str(tmp_path / "state.json"))
    ended.one_line(2, "Pulumi.yaml", "line", "Fix:")
    assert secret not in ended.stderr + ended.stdout


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_rollout_ends_it_at_once(tmp_path, zone, number):
    (tmp_path / "Pulumi.yaml").write_text("name: hostile\nruntime: python\nstackConfigDir: stacks\n")
    fake = tmp_path / "bin" / "pulumi"  # answers `pulumi version`; every stack operation takes ten minutes
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nif [ "$1" = version ]; then echo v{MINIMUM_CLI_VERSION}; exit 0; fi\nexec sleep 600\n')
    fake.chmod(0o755)
    running = Run(tmp_path, "rollout", str(zone), "--state-file", str(tmp_path / "state.json"), PATH=f"{fake.parent}:{os.environ['PATH']}")
    running.wait_for("wave 1/")
    time.sleep(1)  # the wave's `pulumi` processes are running
    os.killpg(running.process.pid, number)  # as a terminal's Ctrl-C, or a CI runner stopping the job's process group
    running.end(timeout=20).one_line(128 + number, signal.Signals(number).name, prefix="interrupted:")
    assert not (tmp_path / "state.json").exists()


def test_a_fifo_as_the_rollout_state_file(tmp_path, zone):
    (tmp_path / "Pulumi.yaml").write_text("name: hostile\nruntime: python\nstackConfigDir: stacks\n")
    os.mkfifo(tmp_path / "state.fifo")
    run(tmp_path, "rollout", str(zone), "--state-file", str(tmp_path / "state.fifo")).one_line(2, "state.fifo", "FIFO", "Fix:")


def test_a_fifo_as_the_project_file(tmp_path, zone):
    os.mkfifo(tmp_path / "Pulumi.yaml")
    run(tmp_path, "rollout", str(zone), "--state-file", str(tmp_path / "state.json")).one_line(2, "Pulumi.yaml", "named pipe (FIFO)", "Fix:")
