"""The plan's worker processes (the standard library's pool): apart from the user's terminal, ending with the run.

Each case runs a small program that uses a :class:`WorkerPool` in a process of
its own (a user's environment, a session of its own, its stdin a pipe of the
test's), so that what it and its workers print, and what they leave running,
can be looked at from outside.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from child_processes import user_environment

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="looks at workers in /proc")

LIMIT = 60


def start(program: str, marker: str = "") -> subprocess.Popen:
    code = "from agentcore_egress.planner.worker_pool import WorkerPool\nimport json, os, sys, time\n" + program
    return subprocess.Popen([sys.executable, "-c", code], env=user_environment(WORKER_POOL_TEST=marker), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def finished(program: str, marker: str = "") -> tuple[str, str]:
    """Standard output and error of ``program`` (see :func:`start`), once it ended well."""
    running = start(program, marker)
    stdout, stderr = running.communicate(timeout=LIMIT)
    assert running.returncode == 0, stderr
    return stdout, stderr


def marked(marker: str, within: float = 10.0) -> list[int]:
    """Processes whose environment carries ``marker`` (waiting up to ``within`` seconds for them to go)."""
    deadline = time.monotonic() + within
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and f"WORKER_POOL_TEST={marker}".encode() in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_worker_reads_no_terminal_prints_to_stderr_and_leads_its_own_process_group():
    program = ("with WorkerPool(1) as pool:\n"
               "    pool.submit(print, 'printed by a worker').result()\n"
               "    facts = [pool.submit(call, *args).result() for call, args in\n"
               "             ((os.readlink, ('/proc/self/fd/0',)), (os.getpid, ()), (os.getpgid, (0,)), (os.getsid, (0,)))]\n"
               "print(json.dumps(facts + [os.getpgid(0)]))\n")
    stdout, stderr = finished(program)
    stdin, pid, group, session, parents_group = json.loads(stdout)
    assert stdin == "/dev/null" and group == session == pid != parents_group
    assert "printed by a worker" in stderr and "printed by a worker" not in stdout


def test_closing_the_pool_ends_what_a_worker_started():
    marker = f"close-{os.getpid()}"
    running = start("with WorkerPool(1) as pool:\n    pool.submit(os.system, 'sleep 600 &').result()\n", marker)
    _, stderr = running.communicate(timeout=LIMIT)
    assert running.returncode == 0, stderr
    assert marked(marker) == []


def test_workers_die_with_a_parent_killed_with_sigkill():
    marker = f"killed-{os.getpid()}"
    program = ("pool = WorkerPool(2)\n"
               "pids = [pool.submit(os.getpid) for _ in range(2)]\n"
               "sleeping = [pool.submit(time.sleep, 600) for _ in range(2)]\n"
               "print(sorted({future.result() for future in pids}), flush=True)\n"
               "time.sleep(600)\n")
    running = start(program, marker)
    try:
        workers = json.loads(running.stdout.readline())
        assert workers and set(workers) <= set(marked(marker, within=0))
    finally:
        running.kill()
        running.wait()
    assert marked(marker) == []


def test_a_ctrl_c_while_workers_start_is_the_runs_alone():
    # Sent to the whole group the moment the worker is spawned: the worker, not yet in a session of its own, must not die of it.
    program = ("import signal\n"
               "signal.signal(signal.SIGINT, lambda *_: print('the run got SIGINT', flush=True))\n"
               "with WorkerPool(1) as pool:\n"
               "    future = pool.submit(os.getpid)\n"
               "    os.killpg(0, signal.SIGINT)\n"
               "    print('worker', future.result(timeout=60), flush=True)\n")
    running = start(program)
    stdout, stderr = running.communicate(timeout=LIMIT)
    assert running.returncode == 0 and "Traceback" not in stderr, stderr
    assert "the run got SIGINT" in stdout and "worker" in stdout


def test_a_worker_that_dies_breaks_its_tasks_and_the_pool_still_closes():
    program = ("from concurrent.futures.process import BrokenProcessPool\n"
               "with WorkerPool(1) as pool:\n"
               "    try:\n"
               "        pool.submit(os._exit, 3).result(timeout=60)\n"
               "    except BrokenProcessPool:\n"
               "        print(pool.exit_codes())\n")
    stdout, stderr = finished(program)
    assert stdout.strip() == "exit code 3"


def test_closing_ends_while_a_large_task_is_still_being_written_to_a_busy_worker():
    # Tasks larger than a pipe holds, queued behind a busy worker: the executor's thread is blocked writing one when the
    # pool kills the worker. CPython 3.10 and early 3.11s then waited on that write for ever (the run hung at its end).
    program = ("pool = WorkerPool(1)\n"
               "pool.submit(os.getpid).result()\n"
               "queued = [pool.submit(time.sleep, 600)] + [pool.submit(len, b'x' * 5_000_000) for _ in range(3)]\n"
               "time.sleep(1)\n"
               "pool.close()\n"
               "print('closed', flush=True)\n")
    running = start(program)
    stdout, stderr = running.communicate(timeout=LIMIT)
    assert running.returncode == 0 and stdout.strip() == "closed", stderr


PRELOADED_IN_WORKER = "pool.submit(eval, \"'pulumi_policy' in __import__('sys').modules\").result()"
"""In a worker, before anything imported it there: whether the pack's SDK came with the process (the fork server's)."""


def test_workers_are_forks_of_one_server_that_imported_the_pack_and_see_the_runs_environment_as_it_is_now():
    program = ("with WorkerPool(1) as pool:\n"
               f"    first = {PRELOADED_IN_WORKER}\n"
               "os.environ['CHANGED_AFTER_THE_FIRST_POOL'] = 'yes'\n"
               "with WorkerPool(1) as pool:\n"
               f"    second = {PRELOADED_IN_WORKER}\n"
               "    seen = pool.submit(os.getenv, 'CHANGED_AFTER_THE_FIRST_POOL').result()\n"
               "print(json.dumps([first, second, seen]))\n")
    stdout, stderr = finished(program)
    assert json.loads(stdout) == [True, True, "yes"]


def test_a_temp_folder_too_deep_for_the_servers_socket_starts_fresh_interpreters(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    program = f"with WorkerPool(1) as pool:\n    print(json.dumps({PRELOADED_IN_WORKER}))\n"
    running = subprocess.Popen([sys.executable, "-c", "from agentcore_egress.planner.worker_pool import WorkerPool\nimport json\n" + program],
                               env=user_environment(TMPDIR=str(deep)), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    stdout, stderr = running.communicate(timeout=LIMIT)
    assert running.returncode == 0 and "AF_UNIX" not in stderr, stderr
    assert json.loads(stdout) is False


def test_a_worker_started_in_the_background_answers_and_closing_at_once_still_ends_it():
    # The call returns before the worker exists (it waits for the fork server's imports in a thread); the pool's close,
    # right after, waits for that start and kills the worker: nothing is left running.
    marker = f"background-{os.getpid()}"
    program = ("import multiprocessing\n"
               "with WorkerPool(1) as pool:\n"
               "    future = pool.submit_starting_in_background(os.getpid)\n"
               "    print(json.dumps(len(multiprocessing.active_children())), flush=True)\n"
               "    print(json.dumps(future.result(timeout=60) != os.getpid()), flush=True)\n"
               "with WorkerPool(1) as pool:\n"
               "    pool.submit_starting_in_background(time.sleep, 600)\n")
    stdout, stderr = finished(program, marker)
    assert stdout.split() == ["0", "true"], "no worker yet when the call returned; then its answer"
    assert marked(marker) == []


def test_a_server_started_early_is_the_one_the_pools_fork_from():
    program = ("from agentcore_egress.planner.worker_pool import start_server\n"
               "start_server()\n"
               "servers = [int(entry.name) for entry in __import__('pathlib').Path('/proc').iterdir() if entry.name.isdigit()\n"
               "           and b'forkserver' in (entry / 'cmdline').read_bytes() and (entry / 'stat').read_text().split()[3] == str(os.getpid())]\n"
               "with WorkerPool(1) as pool:\n"
               "    parent = pool.submit(os.getppid).result(timeout=60)\n"
               "print(json.dumps([servers, parent]))\n")
    stdout, stderr = finished(program)
    servers, parent = json.loads(stdout)
    assert servers == [parent], "started by start_server, before any pool, and then forking the pool's worker"


def test_tasks_handed_over_while_a_worker_starts_return_at_once_and_keep_their_order():
    # start() and the tasks after it return before any worker exists (nothing waits for the fork server's imports):
    # the plan reads its cache meanwhile. The tasks reach the worker in the order they were given.
    program = ("import multiprocessing\n"
               "with WorkerPool(1) as pool:\n"
               "    pool.start(1)\n"
               "    futures = [pool.submit_starting_in_background(time.monotonic_ns) for _ in range(5)]\n"
               "    print(json.dumps(len(multiprocessing.active_children())), flush=True)\n"
               "    print(json.dumps([future.result(timeout=60) for future in futures]), flush=True)\n")
    stdout, stderr = finished(program)
    started, ran_at = map(json.loads, stdout.split("\n")[:2])
    assert started == 0, "returned before the worker started"
    assert len(ran_at) == 5 and ran_at == sorted(ran_at), "the one worker ran the tasks in the order they were given"
