"""The rollout as a GitHub Actions workflow: the plan's waves as jobs, each account entered through OIDC.

``agentcore-egress rollout --emit github-actions FILE`` writes it. One matrix job
per wave (split in parts of at most 256 stacks, GitHub's limit for one matrix),
each part ``needs:`` every part of the wave before, so the jobs run in the
order ``plan`` prints. Every stack's job asks GitHub for an OIDC token
(``id-token: write``), exchanges it for its account's ``account.role_arn`` with
``aws-actions/configure-aws-credentials``, and runs ``pulumi preview`` on pull
requests or ``pulumi up`` on the default branch with the policy pack. The
engine's policy events become SARIF for code scanning (see
:mod:`agentcore_egress.cli.engine_policy_events`), and after ``up`` the stack's outputs are kept as an
artifact. A ``plan`` job, on pull requests and on pushes to the default branch
(so code scanning has a default-branch analysis to compare a pull request
with), runs the offline plan of the whole landing zone and uploads its SARIF.

Where the engine finds what it runs: the program runs in the project's
``.venv`` (Pulumi.yaml's ``virtualenv``), which the install step fills with
agentcore-egress and its dependencies. The policy pack runs in its own
virtualenv (PulumiPolicy.yaml's ``virtualenv: venv``, inside the pack's
folder), which the engine does NOT create for a local ``--policy-pack``
folder: the Pulumi CLI installs a pack's requirements itself only for packs
it downloads from Pulumi Cloud. ``pulumi install`` run in the pack's folder
is the CLI's own installer for it (it reads PulumiPolicy.yaml's runtime
options, so the virtualenv is where and how the engine then looks for it),
hence a step running it in every engine job, once the CLI is on the PATH and
before any ``pulumi preview`` / ``up``.

The plan cache lives outside the checkout (``$RUNNER_TEMP``): a job restores
the newest entry of its branch or, on a pull request, of the base branch
(GitHub scopes caches by branch: a run reads its own branch's and the default
branch's), and only a push to the default branch saves one, so nothing a
pull request computes is ever read by the default branch.

Every ``--stack`` is written ``--stack="$STACK"``, so that a stack whose name
starts with ``-`` is not read as an option.

Stack jobs run only once the repository variable ``AGENTCORE_EGRESS_ROLLOUT``
is ``enabled`` (after the OIDC roles exist), so that the example pipeline of
a fresh fork does not try to enter accounts it cannot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agentcore_egress.files.atomic_file import write_atomically
from agentcore_egress.stacks.landing_zone import LandingZone
from agentcore_egress.stacks.config_schema import ConfigError

MATRIX_LIMIT = 256
"""GitHub runs at most this many jobs of one matrix."""
PYTHON = "3.12"
ENABLED = "vars.AGENTCORE_EGRESS_ROLLOUT == 'enabled'"
_CHECKOUT = {"uses": "actions/checkout@v5"}
_PYTHON = {"uses": "actions/setup-python@v6", "with": {"python-version": PYTHON}}
STACK = '--stack="$STACK"'
"""The stack option in every step: one word, so that a stack named ``-canary`` is its value, not an option."""
INSTALL_PACK = "install the policy pack (pulumi install)"


class _PlainDumper(yaml.SafeDumper):
    """Repeated steps written out in full: no YAML anchors, which older runners and many tools do not read."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _install(package: str) -> dict[str, Any]:
    return {"name": "install agentcore-egress", "run": f"python -m venv .venv && .venv/bin/pip install {package}"}


CACHE = "${{ runner.temp }}/agentcore-egress-cache"
"""The plan cache in the plan job: outside the checkout, restored and saved by actions/cache."""
CACHE_KEY, CACHE_PREFIX = "agentcore-egress-plan-${{ github.sha }}", "agentcore-egress-plan-"
ON_DEFAULT_BRANCH_PUSH = "github.event_name == 'push' && github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"


def _plan_job(stacks_dir: str, package: str) -> dict[str, Any]:
    return {
        "name": "plan the landing zone",
        "runs-on": "ubuntu-latest",
        "permissions": {"contents": "read", "security-events": "write"},
        "steps": [
            _CHECKOUT, _PYTHON, _install(package),
            {"name": "restore the plan cache", "uses": "actions/cache/restore@v5",
             "with": {"path": CACHE, "key": CACHE_KEY, "restore-keys": CACHE_PREFIX}},
            {"name": "agentcore-egress plan",
             "run": f'.venv/bin/agentcore-egress plan {stacks_dir} --cache "{CACHE}" --format sarif --output plan.sarif'},
            {"name": "save the plan cache (default branch only)", "if": f"!cancelled() && {ON_DEFAULT_BRANCH_PUSH}",
             "uses": "actions/cache/save@v5", "with": {"path": CACHE, "key": CACHE_KEY}},
            {"name": "upload the plan's findings", "if": "always()", "uses": "github/codeql-action/upload-sarif@v4",
             "with": {"sarif_file": "plan.sarif", "category": "agentcore-egress-plan"}},
        ],
    }


def _stack_steps(stacks_dir: str, package: str, policy_pack: str, policy_pack_config: str) -> list[dict[str, Any]]:
    config = f" --policy-pack-config {policy_pack_config}" if policy_pack_config else ""
    stack = f'{STACK} --policy-pack {policy_pack}{config} --event-log events.jsonl'
    return [
        _CHECKOUT, _PYTHON, _install(package),
        {"name": "install the Pulumi CLI", "run": 'curl -fsSL https://get.pulumi.com | sh && echo "$HOME/.pulumi/bin" >> "$GITHUB_PATH"'},
        {"name": INSTALL_PACK, "working-directory": policy_pack, "run": "pulumi install"},
        {"name": "assume the account's role (OIDC)", "uses": "aws-actions/configure-aws-credentials@v6",
         "with": {"role-to-assume": "${{ matrix.role }}", "aws-region": "${{ matrix.region }}",
                  "role-session-name": "agentcore-egress-${{ matrix.stack }}"}},
        {"name": "pulumi preview", "if": "github.event_name == 'pull_request'", "run": f"pulumi preview --diff {stack}"},
        {"name": "pulumi up", "if": "github.event_name != 'pull_request'", "run": f"pulumi up --yes {stack}"},
        {"name": "policy findings as SARIF", "if": "always() && hashFiles('events.jsonl') != ''",
         "run": f'.venv/bin/python -m agentcore_egress.cli.engine_policy_events {stacks_dir} {STACK} --events events.jsonl --output policy.sarif'},
        {"name": "upload the policy findings", "if": "always() && hashFiles('policy.sarif') != ''", "uses": "github/codeql-action/upload-sarif@v4",
         "with": {"sarif_file": "policy.sarif", "category": "stack-${{ matrix.stack }}"}},
        {"name": "stack outputs", "if": "github.event_name != 'pull_request'", "run": f"pulumi stack output {STACK} --json > outputs.json"},
        {"name": "keep the stack outputs", "if": "github.event_name != 'pull_request'", "uses": "actions/upload-artifact@v6",
         "with": {"name": "outputs-${{ matrix.stack }}", "path": "outputs.json"}},
    ]


def _entry(zone: LandingZone, name: str) -> dict[str, str]:
    stack = zone.stacks[name]
    account = stack.config.account
    if not account.role_arn:
        raise ConfigError([f"{stack.display_file}: agentcore-egress:account.role_arn is not set. "
                           "Fix: give the role the workflow assumes through OIDC (its trust policy must allow GitHub's OIDC provider)"])
    return {"stack": name, "role": account.role_arn, "region": account.region}


def workflow(zone: LandingZone, *, stacks_dir: str, policy_pack: str = "policies", policy_pack_config: str = "", parallel: int = 4,
             package: str = ".") -> str:
    """The workflow's YAML; ``stacks_dir`` and ``policy_pack`` as paths from the repository root."""
    jobs: dict[str, Any] = {"plan": _plan_job(stacks_dir, package)}
    before: list[str] = []
    for number, wave in enumerate(zone.waves(), start=1):
        parts = [wave[start:start + MATRIX_LIMIT] for start in range(0, len(wave), MATRIX_LIMIT)]
        ids = [f"wave-{number}" if len(parts) == 1 else f"wave-{number}-part-{index}" for index in range(1, len(parts) + 1)]
        for job_id, part in zip(ids, parts):
            job: dict[str, Any] = {"name": f"wave {number}: ${{{{ matrix.stack }}}}", "if": ENABLED}
            if before:
                job["needs"] = before
            job.update({
                "runs-on": "ubuntu-latest",
                "permissions": {"contents": "read", "id-token": "write", "security-events": "write"},
                "strategy": {"fail-fast": False, "max-parallel": parallel, "matrix": {"include": [_entry(zone, name) for name in part]}},
                "env": {"STACK": "${{ matrix.stack }}", "PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"},
                "steps": _stack_steps(stacks_dir, package, policy_pack, policy_pack_config),
            })
            jobs[job_id] = job
        before = ids
    document = {
        "name": "landing zone",
        "on": {"pull_request": {"branches": ["main"]}, "push": {"branches": ["main"]}},
        "permissions": {"contents": "read"},
        "concurrency": {"group": "landing-zone-${{ github.ref }}", "cancel-in-progress": False},
        "jobs": jobs,
    }
    header = (
        "# Generated by `agentcore-egress rollout --emit github-actions`: regenerate it rather than editing it.\n"
        "# Waves of the landing zone as jobs; each stack assumes its account.role_arn through GitHub's OIDC provider.\n"
        "# Stack jobs run once the repository variable AGENTCORE_EGRESS_ROLLOUT is 'enabled'.\n"
    )
    text = yaml.dump(document, Dumper=_PlainDumper, sort_keys=False, width=200, default_flow_style=False)
    return header + text.replace("'on':", "on:", 1)


def write_workflow(zone: LandingZone, file: Path, **options: Any) -> None:
    """Write the workflow to ``file`` (all or nothing, never through a link: :mod:`agentcore_egress.files.atomic_file`); its folder is
    made if missing. Raises OSError."""
    text = workflow(zone, **options)
    file = Path(file)
    file.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(file, text)


def package_spec(project_dir: Path) -> str:
    """What the workflow installs: this checkout when the project is this package's repository, else the released package."""
    from agentcore_egress.stacks.fingerprint import package_version

    manifest = Path(project_dir) / "pyproject.toml"
    if manifest.is_file() and 'name = "agentcore-egress"' in manifest.read_text():
        return "."
    return f"agentcore-egress=={package_version()}"
