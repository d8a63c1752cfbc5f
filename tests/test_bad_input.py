"""Bad input and faults against every command, run as a user runs them: the console script in a child process
without PYTHONUNBUFFERED, killed past a deadline.

Each row asserts the exit code, that there is no traceback, the parts of the one-line message (the file, key
path or value, and the fix), what must never be printed (file contents), and that nothing in the stacks folder
changed. Most rows fail before any planning; the few that need a full plan are marked in their comment.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pytest
from child_processes import run_cli

ACCOUNT = 'config:\n  agentcore-egress:account:\n    id: "{id}"\n    region: eu-west-1\n'
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2


def as_a_user() -> None:
    """In the child: without root's power to read and write any file, so that permissions apply as to a user."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def with_file_size_limit(limit: int) -> Callable[[], None]:
    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limited


@pytest.fixture(scope="module")
def permissions_apply() -> None:
    """Skip rows about permissions where they cannot apply (root that may not drop its capabilities)."""
    try:
        subprocess.run([sys.executable, "-c", "pass"], preexec_fn=as_a_user, check=True, timeout=30)
    except (subprocess.SubprocessError, OSError):
        pytest.skip("running as root without CAP_SETPCAP: file permissions cannot be made to apply")


@dataclass(frozen=True)
class Row:
    arguments: tuple[str, ...]
    """{zone}, {tmp} and {project} are replaced by the stacks folder, a scratch folder and the project folder."""
    code: int
    says: tuple[str, ...]
    setup: Callable[[Path, Path], None] = lambda zone, tmp: None
    never: tuple[str, ...] = ()
    preexec: Optional[Callable[[], None]] = None
    environment: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    afterwards: Callable[[Path, Path], None] = lambda zone, tmp: None


def stack(name: str, text: str) -> Callable[[Path, Path], None]:
    def write(zone: Path, tmp: Path) -> None:
        (zone / f"Pulumi.{name}.yaml").write_bytes(text.encode() if isinstance(text, str) else text)
    return write


def steps(*setups: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
    def run(zone: Path, tmp: Path) -> None:
        for setup in setups:
            setup(zone, tmp)
    return run


def link_out(zone: Path, tmp: Path) -> None:
    credentials = tmp / "credentials"
    credentials.write_text(f"[default]\naws_secret_access_key = {SECRET}\n")
    (zone / "Pulumi.creds.yaml").symlink_to(credentials)


def unreadable_folder(zone: Path, tmp: Path) -> None:
    zone.chmod(0)


def read_only_folder(zone: Path, tmp: Path) -> None:
    (tmp / "reports").mkdir()
    (tmp / "reports").chmod(0o555)


def old_report(zone: Path, tmp: Path) -> None:
    (tmp / "plan.md").write_text("old report\n")


def old_report_untouched(zone: Path, tmp: Path) -> None:
    assert (tmp / "plan.md").read_text() == "old report\n"
    assert sorted(path.name for path in tmp.iterdir() if path.name.startswith(".plan.md")) == [], "a temp file was left behind"


def two_stacks(zone: Path, tmp: Path) -> None:
    stack("second", ACCOUNT.format(id="222222222222"))(zone, tmp)


ANCHORS = "config:\n  agentcore-egress:account:\n    a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"    {chr(98 + level)}: &{chr(98 + level)} [*{chr(97 + level)}, *{chr(97 + level)}, *{chr(97 + level)}, *{chr(97 + level)}, "
    f"*{chr(97 + level)}, *{chr(97 + level)}, *{chr(97 + level)}, *{chr(97 + level)}, *{chr(97 + level)}, *{chr(97 + level)}]\n"
    for level in range(8))
DEEP = "config:\n  agentcore-egress:account: " + "[" * 5000 + "]" * 5000 + "\n"

ROWS = [
    pytest.param(Row(("plan", "{zone}"), 2, ("Pulumi.bomb.yaml", "expands to more than", "Fix:"), stack("bomb", ANCHORS)), id="plan-anchor-bomb"),
    pytest.param(Row(("plan", "{zone}"), 2, ("Pulumi.deep.yaml", "line 2", "nesting is deeper", "Fix:"), stack("deep", DEEP)), id="plan-deep-nesting"),
    pytest.param(Row(("preflight", "{zone}"), 2, ("Pulumi.latin.yaml", "line 5, column 15", "byte 0xe9", "Fix: save the file as UTF-8"),
                     stack("latin", ACCOUNT.format(id="111111111111").encode() + b"    tags: {caf\xe9: x}\n")), id="preflight-non-utf8"),
    pytest.param(Row(("plan", "{zone}"), 2, ("Pulumi.creds.yaml", "is a link to a file outside", "refused", "Fix:"), link_out, never=(SECRET,)),
                 id="plan-symlink-out-of-folder"),
    pytest.param(Row(("audit", "{zone}"), 2, ("Pulumi.creds.yaml", "line 4", "not valid YAML", "Fix:"),
                     stack("creds", f"config:\n  aws:secretKey: {SECRET}\n  agentcore-egress:account: {{id: [\n"), never=(SECRET,)),
                 id="audit-yaml-error-in-credentials-like-file"),
    pytest.param(Row(("plan", "{zone}"), 2, ("Pulumi.octal.yaml", "agentcore-egress:account.id", "is a number", "Fix: quote"),
                     stack("octal", ACCOUNT.replace('"{id}"', "012345670123"))), id="plan-unquoted-octal-account-id"),
    pytest.param(Row(("audit", "{zone}"), 2, ("Pulumi.digits.yaml", "agentcore-egress:account.id", "111111111112", "Fix: quote"),
                     stack("digits", ACCOUNT.replace('"{id}"', "111111111112"))), id="audit-unquoted-account-id"),
    pytest.param(Row(("plan", "{zone}"), 2, ("Pulumi.long.yaml", "999...999", "is not an AWS account id"), stack("long", ACCOUNT.format(id="9" * 5000)),
                     never=("9" * 200,)), id="plan-long-value-cut-short"),
    pytest.param(Row(("plan", "{zone}"), 2, ("Pulumi.gone.yaml", "does not exist", "Fix:"),
                     lambda zone, tmp: (zone / "Pulumi.gone.yaml").symlink_to(zone / "nowhere.yaml")), id="plan-dangling-link"),
    pytest.param(Row(("preflight", "{zone}"), 2, ("Pulumi.dir.yaml", "is a folder", "Fix:"),
                     lambda zone, tmp: (zone / "Pulumi.dir.yaml").mkdir()), id="preflight-folder-named-as-stack-file"),
    pytest.param(Row(("plan", "{zone}"), 2, ("stacks: cannot be read (permission denied)", "Fix:"), unreadable_folder, preexec=as_a_user,
                     never=("holds no",)), id="plan-unreadable-folder"),
    pytest.param(Row(("audit", "{zone}"), 2, ("Pulumi.solo.yaml", "cannot be read (permission denied)", "Fix:"),
                     lambda zone, tmp: (zone / "Pulumi.solo.yaml").chmod(0), preexec=as_a_user), id="audit-unreadable-stack-file"),
    pytest.param(Row(("plan", "{zone}", "--output", "{zone}/Pulumi.solo.yaml"), 2, ("--output", "Pulumi.solo.yaml", "a file this run reads", "Fix:")),
                 id="plan-output-onto-a-stack-file"),
    pytest.param(Row(("audit", "{zone}", "--output", "{tmp}/missing/audit.json"), 2, ("--output", "missing", "does not exist", "Fix:")),
                 id="audit-output-into-a-missing-folder"),
    pytest.param(Row(("preflight", "{zone}", "--output", "{tmp}/reports/preflight.txt"), 2, ("--output", "reports", "is not writable", "Fix:"),
                     read_only_folder, preexec=as_a_user), id="preflight-output-into-an-unwritable-folder"),
    pytest.param(Row(("audit", "{zone}", "--output", "{tmp}"), 2, ("--output", "is a folder", "Fix:")), id="audit-output-is-a-folder"),
    # A full plan (~3 s): the report is bigger than the file-size limit; the old report stays whole, no temp file is left.
    # (--no-cache: the plan's cache is not what this row is about.)
    pytest.param(Row(("plan", "{zone}", "--no-cache", "--format", "markdown", "--output", "{tmp}/plan.md"), 2,
                     ("--output", "plan.md", "could not be written", "File too large", "unchanged", "Fix:"), old_report,
                     preexec=with_file_size_limit(128), timeout=90, afterwards=old_report_untouched), id="plan-output-past-a-file-size-limit"),
    pytest.param(Row(("preflight", "{zone}", "--timeout", "0"), 2, ("--timeout", "positive", "Fix:")), id="preflight-zero-timeout"),
    pytest.param(Row(("components", "--bogus"), 2, ("unrecognized arguments: --bogus",)), id="components-unknown-option"),
    pytest.param(Row(("plan", "{zone}", "--format", "pdf"), 2, ("invalid choice: 'pdf'",)), id="plan-unknown-format"),
    pytest.param(Row(("rollout", "{zone}", "--parallel", "0"), 2, ("--parallel", "Fix:")), id="rollout-parallel-zero"),
    # A pack that refuses its config on a zone of two stacks (one plan); other helpers' fixes: marked only where they fail here.
    pytest.param(Row(("plan", "{zone}", "--policy-pack-config", "{tmp}/pack.json"), 2, ("no-such-policy",),
                     steps(two_stacks, lambda zone, tmp: (tmp / "pack.json").write_text(json.dumps({"no-such-policy": "mandatory"}))),
                     timeout=60), id="plan-pack-config-misspelt"),
    pytest.param(Row(("rollout", "{zone}"), 2, (".rollout-state.json", "--restart"),
                     lambda zone, tmp: (zone / ".rollout-state.json").write_text('[{"version": 1}]')), id="rollout-state-file-of-the-wrong-shape"),
    pytest.param(Row(("rollout", "{zone}"), 2, ("pulumi", "Fix:"), environment={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}),
                 id="rollout-without-the-pulumi-cli"),
]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every entry below ``folder``: a file's hash, a link's target, a folder's mark (links are not followed)."""
    found = {}
    for root, folders, files in os.walk(folder):
        for name in folders + files:
            path = Path(root) / name
            key = str(path.relative_to(folder))
            if path.is_symlink():
                found[key] = f"link to {os.readlink(path)}"
            elif path.is_dir():
                found[key] = "folder"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.mark.parametrize("row", ROWS)
def test_bad_input_ends_in_one_clear_line(row: Row, tmp_path: Path, request):
    if row.preexec is as_a_user:
        request.getfixturevalue("permissions_apply")
    project = tmp_path / "project"
    zone = project / "stacks"
    zone.mkdir(parents=True)
    (project / "Pulumi.yaml").write_text("name: bad-input\nruntime: python\nstackConfigDir: stacks\n")
    (zone / "Pulumi.solo.yaml").write_text(ACCOUNT.format(id="111111111111"))
    row.setup(zone, tmp_path)
    zone_mode = zone.stat().st_mode
    zone.chmod(0o755)
    before = fingerprint(zone)
    zone.chmod(zone_mode)
    arguments = [argument.format(zone=zone, tmp=tmp_path, project=project) for argument in row.arguments]
    try:
        completed = run_cli(*arguments, cwd=tmp_path, timeout=row.timeout, preexec_fn=row.preexec,
                            AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_CONFIG_FILE="/dev/null",
                            AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true", **row.environment)
    finally:
        zone.chmod(0o755)
    output = completed.stdout + completed.stderr
    assert completed.returncode == row.code, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    errors = [line for line in completed.stderr.splitlines() if line.startswith("error:") or "error:" in line[:40]]
    assert errors, output[-3000:]
    assert any(all(part in line for part in row.says) for line in errors), (row.says, errors)
    for secret in row.never:
        assert secret not in output
    assert fingerprint(zone) == before
    row.afterwards(zone, tmp_path)
