"""README's main job, run as a user runs it: the console script, an unbuffered-free environment, a deadline."""

from child_processes import run_cli, user_environment


def test_user_environment_has_no_pythonunbuffered(monkeypatch):
    monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    assert "PYTHONUNBUFFERED" not in user_environment()


def test_plan_of_the_bundled_landing_zone_ends_without_pythonunbuffered():
    # Before the pack was started unbuffered this run never ended: the pack's port sat in
    # its stdout buffer and the client waited for it forever.
    completed = run_cli("plan", timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "ready to roll out" in completed.stdout
    assert "Traceback" not in completed.stderr
