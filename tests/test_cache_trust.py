"""The plan cache can't lie: nothing a pull request ships (a stacks folder, a forged entry, a link) decides a verdict,
and nothing in a cache folder makes `plan` write outside it, crash or hang."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from agentcore_egress.cli.main import main
from agentcore_egress.planner.cache_folder import KEY_FILE, zone_folder
from agentcore_egress.planner.plan_cache import PlanCache
from child_processes import run_cli
from landing_zones import TGW_EXAMPLE, copy_zone, edit_stack


PLAN = ("--jobs", "1", "--quiet", "--format", "json")


def plan_cli(zone: Path, *extra: str) -> subprocess.CompletedProcess:
    """A plan as its own process: where what is at stake is a hang (a FIFO, a huge file), which its time limit ends."""
    return run_cli("plan", str(zone), *PLAN, *extra, timeout=180)


@dataclass
class Ended:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def plan(capsys) -> Callable[..., Ended]:
    """A plan in this process (the CLI's own ``main``): the same exit code and streams, without a second or two of start-up."""
    def run(zone: Path, *extra: str, quiet: bool = True) -> Ended:
        capsys.readouterr()
        code = main(["plan", str(zone), *(PLAN if quiet else [a for a in PLAN if a != "--quiet"]), *extra])
        out, err = capsys.readouterr()
        return Ended(code, out, err)
    return run


def break_payments(zone: Path) -> None:
    """A mandatory finding of the policy pack, kept in tools-payments' cache entry: a certificate from a private CA."""
    def change(config):
        config["load_balancers"][0].pop("certificate")
        config["load_balancers"][0]["certificate_arn"] = "arn:aws:acm:eu-west-1:222222222222:certificate/issued-by-private-ca"
    edit_stack(zone, "tools-payments", change)


def git_work_tree(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True, timeout=60, stdin=subprocess.DEVNULL)
    return folder


def forge_clean_entry(cache_root: Path, zone: Path, stack: str) -> Path:
    """What an attacker does with the tool itself: take the entry of the broken stack and drop its findings, in a
    cache of their own (signed with their key); the path of the forged entry."""
    cache = PlanCache(cache_root, zone=zone_folder(zone))
    (entry,) = (cache.directory / stack).glob("*.json")
    cached = cache.load(stack, entry.stem)
    assert cached is not None and cached.findings, "the broken stack's entry holds its mandatory finding"
    cached.findings = []
    cache.store(stack, entry.stem, cached)
    return entry


def test_a_pull_request_cannot_turn_a_failing_plan_into_a_passing_one(tmp_path, plan):
    repository = git_work_tree(tmp_path / "repository")
    zone = copy_zone(TGW_EXAMPLE, repository / "stacks")
    trusted = repository / ".plan-cache"
    assert plan(zone, "--cache", str(trusted), "--trust-cache").returncode == 0, "the maintainer's own cache, before the pull request"

    break_payments(zone)  # the pull request
    attacker = tmp_path / "attacker-cache"
    assert plan(zone, "--cache", str(attacker)).returncode == 1
    forged = forge_clean_entry(attacker, zone, "tools-payments")
    assert plan(zone, "--cache", str(attacker)).returncode == 0, "the forgery would pass a plan that trusted it"

    # Shipped in the stacks folder, where the cache used to be by default (key and all): not read.
    shutil.copytree(attacker, zone / ".agentcore-egress" / "cache")
    assert plan(zone).returncode == 1
    refused = plan(zone, "--cache", str(zone / ".agentcore-egress" / "cache"), "--trust-cache")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1 and "lies in STACKS_DIR" in refused.stderr

    # Shipped into a trusted --cache folder: not signed with that cache's key.
    target = trusted / forged.relative_to(attacker)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(forged, target)
    shutil.copytree(attacker / zone_folder(zone) / "tools-payments" / "files", target.parent / "files", dirs_exist_ok=True)
    result = plan(zone, "--cache", str(trusted), "--trust-cache")
    assert result.returncode == 1, result.stderr
    assert f"plan cache: ignoring {target}: not signed with this cache's key" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_cache_in_a_git_work_tree_is_refused_unless_trusted(tmp_path, plan):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    repository = git_work_tree(tmp_path / "repository")
    refused = plan(zone, "--cache", str(repository / "cache"))
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip() == (f"error: --cache {repository / 'cache'}: lies in the git work tree {repository.resolve()}, where a pull "
                                      "request or a checked-out branch could ship entries that decide the verdict. Fix: pass --cache DIR "
                                      "outside any repository, or add --trust-cache if only your own plans write there")
    assert not (repository / "cache").exists()
    assert plan(zone, "--cache", str(repository / "cache"), "--trust-cache").returncode == 0
    assert (repository / "cache" / KEY_FILE).stat().st_mode & 0o777 == 0o600


def test_a_linked_worktree_and_the_default_folder_in_a_work_tree_are_refused_too(tmp_path, plan, monkeypatch):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    worktree = tmp_path / "worktree"
    worktree.mkdir()
    (worktree / ".git").write_text("gitdir: /elsewhere/.git/worktrees/x\n")  # `git worktree add` makes .git a file
    assert plan(zone, "--cache", str(worktree / "cache")).returncode == 2
    repository = git_work_tree(tmp_path / "repository")
    monkeypatch.setenv("XDG_CACHE_HOME", str(repository / ".cache"))
    result = plan(zone)
    assert result.returncode == 2 and "the plan cache's default folder" in result.stderr and "set XDG_CACHE_HOME outside" in result.stderr


def test_the_ci_cache_in_runner_temp_beside_the_checkout_is_accepted(tmp_path, plan):
    # GitHub's layout: the checkout in /home/runner/work/<repo>/<repo>, runner.temp in /home/runner/work/_temp.
    work = tmp_path / "work"
    zone = copy_zone(TGW_EXAMPLE, git_work_tree(work / "repo" / "repo") / "stacks")
    cache = work / "_temp" / "agentcore-egress-cache"
    assert plan(zone, "--cache", str(cache)).returncode == 0
    warm = plan(zone, "--cache", str(cache), quiet=False)
    assert warm.returncode == 0 and "5 of 5 stacks from the cache" in warm.stderr, warm.stderr


def test_a_folder_that_is_not_a_plan_cache_is_refused(tmp_path, plan):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitignore").write_text("mine\n")
    result = plan(zone, "--cache", str(home))
    assert result.returncode == 2 and "holds files that are not a plan cache's" in result.stderr
    assert [path.name for path in home.iterdir()] == [".gitignore"] and (home / ".gitignore").read_text() == "mine\n"


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(path.relative_to(folder)): (path.lstat().st_mtime_ns, path.lstat().st_size) for path in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("link", ["root", "zone", "stack", "files", "entry"])
def test_a_link_in_the_cache_never_makes_plan_write_or_delete_outside_it(capsys, tmp_path, link):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    root = tmp_path / "cache"
    assert main(["plan", str(zone), "--jobs", "1", "--quiet", "--cache", str(root)]) == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    for number in range(6):  # named as entries are, to tempt pruning
        (outside / f"{number:016x}-{'0' * 64}.json").write_text("someone else's")
        (outside / f"{number:064x}.json").write_text("someone else's")
    before = snapshot(outside)
    stack = root / zone_folder(zone) / "tools-mcp"
    replaced = {"root": root, "zone": stack.parent, "stack": stack, "files": stack / "files",
                "entry": next(stack.glob("*.json"))}[link]
    shutil.rmtree(replaced) if replaced.is_dir() else replaced.unlink()
    replaced.symlink_to(outside / f"{0:016x}-{'0' * 64}.json" if link == "entry" else outside)
    capsys.readouterr()
    code = main(["plan", str(zone), "--jobs", "1", "--quiet", "--cache", str(root)])
    err = capsys.readouterr().err
    if link == "root":
        assert code == 2 and "is a symbolic link" in err
    else:
        assert code == 0 and "plan cache: cannot write to" in err and "symbolic link" in err
    assert snapshot(outside) == before
    assert "Traceback" not in err


def sign(root: Path, entry: Path, body: bytes) -> None:
    """An entry as the cache writes it (see plan_cache's docstring): an HMAC of its path and text under the cache's key."""
    key = bytes.fromhex((root / KEY_FILE).read_text())
    signature = hmac.new(key, entry.relative_to(root).as_posix().encode() + b"\0" + body, hashlib.sha256).hexdigest().encode()
    entry.write_bytes(signature + b"\n" + body)


def _signed(body: bytes):
    return lambda root, entry: sign(root, entry, body)


def _wrong_types(change: dict):
    """The entry itself, signed, with ``change`` applied: only the types of its content are wrong."""
    def damage(root: Path, entry: Path) -> None:
        document = json.loads(entry.read_bytes().split(b"\n", 1)[1])
        sign(root, entry, json.dumps({**document, **change}).encode())
    return damage


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The TGW example planned once with an empty cache: its folder, that cache (copied by each case) and the JSON report."""
    folder = tmp_path_factory.mktemp("planned")
    zone = copy_zone(TGW_EXAMPLE, folder / "zone")
    cold = plan_cli(zone, "--cache", str(folder / "cache"))
    assert cold.returncode == 0, cold.stderr
    return zone, folder / "cache", json.loads(cold.stdout)


@pytest.mark.parametrize("damage, note, hang", [
    (_signed(b"\xff\xfe not UTF-8"), "not UTF-8", False),
    (lambda root, entry: entry.write_bytes(b"\xff\xfe\x00 not UTF-8, not signed"), "not signed with this cache's key", False),
    (_wrong_types({"registrations": "x"}), "not a valid entry (TypeError: registrations is not a JSON array)", False),
    (_wrong_types({"registrations": [{"urn": 1}]}), "not a valid entry (TypeError: registrations[0].urn is int, not str)", False),
    (_wrong_types({"findings": [{"policy": "p", "level": 2}]}), "not a valid entry (TypeError: findings[0].level is int, not str)", False),
    (_wrong_types({"footprint": {"ram_shares": "many"}}), "not a valid entry (TypeError: footprint.ram_shares is str, not int)", False),
    (_wrong_types({"key_paths": {"a": 1}}), "not a valid entry (TypeError: key_paths.a is int, not str)", False),
    (_wrong_types({"format": 99}), "not a valid entry (ValueError: format 99, not 2)", False),
    (_wrong_types({"key": "0"}), "not a valid entry (ValueError: it records stack 'tools-mcp' and another key)", False),
    (_signed(b"[" * 100_000), "not a valid entry (RecursionError", False),
    (lambda root, entry: os.truncate(entry, 1 << 30), "larger than 64 MiB", True),
    (lambda root, entry: (entry.unlink(), os.mkfifo(entry)), "not a regular file", True),
], ids=["non-utf8-signed", "non-utf8", "registrations", "registration", "finding", "footprint", "key-paths", "format", "key", "deep", "huge-sparse", "fifo"])
def test_a_damaged_entry_is_ignored_with_a_note_never_a_traceback_nor_a_hang(tmp_path, planned, plan, damage, note, hang):
    zone, pristine, cold = planned
    root = Path(shutil.copytree(pristine, tmp_path / "cache"))  # entries are signed over their path inside the cache: a copy holds
    entry = next((root / zone_folder(zone) / "tools-mcp").glob("*.json"))
    damage(root, entry)
    again = (plan_cli if hang else plan)(zone, "--cache", str(root))
    assert again.returncode == 0 and json.loads(again.stdout) == cold
    assert f"plan cache: ignoring {entry}: {note}" in again.stderr, again.stderr
    assert "Traceback" not in again.stderr


def test_a_parsed_stack_file_is_reused_only_for_the_text_whose_hash_it_records(tmp_path, plan):
    zone = copy_zone(TGW_EXAMPLE, tmp_path / "zone")
    root = tmp_path / "cache"
    assert plan(zone, "--cache", str(root)).returncode == 0
    files = root / zone_folder(zone)
    (entry,) = (files / "tools-mcp" / "files").glob("*.json")
    (other,) = (files / "agentcore" / "files").glob("*.json")
    sign(root, entry, other.read_bytes().split(b"\n", 1)[1])  # another file's document, signed under this text's name
    again = plan(zone, "--cache", str(root))
    assert again.returncode == 0 and f"plan cache: ignoring {entry}: not this text's parsed document; the file is parsed again" in again.stderr


def test_a_user_without_a_home_folder_is_told_where_the_cache_could_go(tmp_path, monkeypatch):
    from agentcore_egress.planner.plan_cache import open_plan_cache
    from agentcore_egress.stacks.config_schema import ConfigError

    def no_home(cls=None):
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", classmethod(no_home))
    with pytest.raises(ConfigError) as error:
        open_plan_cache(None, tmp_path / "stacks")
    assert len(error.value.problems) == 1 and "Fix: set XDG_CACHE_HOME, pass --cache DIR, or --no-cache" in error.value.problems[0]
