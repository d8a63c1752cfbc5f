"""Entry point of the ``agentcore-egress`` command."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

EXIT_CLEAN, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def _version() -> str:
    from importlib import metadata  # here, not at the top: a hundredth of a second before a warm plan starts its fork server

    try:
        return metadata.version("agentcore-egress")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def _first_line(text: Optional[str]) -> str:
    return (text or "").strip().splitlines()[0] if text and text.strip() else ""


def list_components() -> str:
    """One line per component: its name and what it is for."""
    from agentcore_egress.components import COMPONENTS

    width = max(len(component.__name__) for component in COMPONENTS)
    return "\n".join(f"  {component.__name__:<{width}}  {_first_line(component.__doc__)}" for component in COMPONENTS)


def _stacks_dir_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument("stacks_dir", nargs="?", type=Path, metavar="STACKS_DIR",
                         help="folder of Pulumi.<stack>.yaml files (default: ./stacks if it holds any, else the bundled example landing zone)")


def _account_commands(commands: Any) -> None:  # preflight, audit and discover: the commands that read live accounts
    for name, summary in (
        ("preflight", "check with read-only AWS calls that every account is ready for its stack"),
        ("audit", "judge the live accounts with the policy pack's rules (read-only AWS calls)"),
        ("discover", "snapshot what each stack names under agentcore-egress:existing to STACKS_DIR/existing/<stack>.json (read-only AWS calls)"),
    ):
        command = commands.add_parser(name, help=summary, description=f"{summary[0].upper()}{summary[1:]}. "
                                      f"Each stack's account is entered through its account.role_arn. Exit 0 clean, {'' if name == 'discover' else '1 findings, '}2 bad input or no access.")
        _stacks_dir_argument(command)
        command.add_argument("--profile", help="AWS profile of the base credentials (default: the standard credential chain)")
        command.add_argument("--endpoint-url", metavar="URL", help="send every AWS call there (a local moto server, for trying it out)")
        if name == "discover":
            command.add_argument("--stack", action="append", default=[], metavar="NAME", help="only this stack (repeatable)")
        else:
            command.add_argument("--format", choices=("text", "json", "sarif", "markdown"), default="text", help="what to print (default: text)")
            command.add_argument("--output", type=Path, metavar="FILE", help="write the result there instead of standard output")
        command.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                             help="time each account may take in all, retries included (default 120); an account past it is reported, not waited for")
        command.add_argument("--parallel", type=int, default=8, metavar="N", help="accounts read at the same time (default 8)")
        if name == "audit":
            command.add_argument("--policy-pack-config", type=Path, metavar="FILE", help="rule levels and options, as for the policy pack")


def _add_plan_command(commands: Any) -> None:
    plan = commands.add_parser(
        "plan",
        help="plan every account stack offline: resources, policy verdicts, AgentCore footprint, topology",
        description="Run every Pulumi.<stack>.yaml of STACKS_DIR under a simulated AWS, in rollout order, through the policy pack. "
        "No cloud credentials and no Pulumi CLI needed. Exit 0 clean, 1 mandatory findings, 2 bad input.",
    )
    _stacks_dir_argument(plan)
    plan.add_argument("--format", choices=("text", "json", "sarif", "markdown"), default="text", help="what to print (default: text)")
    plan.add_argument("--output", type=Path, metavar="FILE", help="write the result there instead of standard output")
    plan.add_argument("--policy-pack", type=Path, metavar="DIR", help="policy pack folder (default: the bundled pack)")
    plan.add_argument("--policy-pack-config", type=Path, metavar="FILE", help="policy pack config JSON, as for `pulumi up --policy-pack-config`")
    plan.add_argument("--quiet", action="store_true", help="no progress lines on standard error")
    plan.add_argument("--require-stacks-dir", action="store_true", help="exit 2 unless STACKS_DIR is given, instead of planning ./stacks or the bundled example (the pre-commit hook)")
    plan.add_argument("--pack-start-timeout", type=float, default=60.0, metavar="SECONDS",
                      help="time the policy pack may take to start before the plan ends with an error (default 60)")
    plan.add_argument("--cache", type=Path, metavar="DIR",
                      help="keep each simulated and judged stack there and reuse it while nothing it depends on changed "
                      "(default: $XDG_CACHE_HOME/agentcore-egress/plan, else ~/.cache/agentcore-egress/plan; a folder per landing zone)")
    plan.add_argument("--trust-cache", action="store_true",
                      help="use a cache folder inside a git work tree: only if nobody else (no pull request, no checked-out branch) can write it")
    plan.add_argument("--no-cache", action="store_true", help="simulate and judge every stack, read and write no cache")
    plan.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                      help="processes simulating the stacks of a wave side by side: this one and N-1 workers "
                      "(default and most: the CPUs this process may use; never more than the stacks of the widest wave)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="agentcore-egress",
        description="Private, policy-checked egress from Amazon Bedrock AgentCore Gateway into VPCs across accounts.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    _add_plan_command(commands)

    rollout = commands.add_parser(
        "rollout",
        help="preview or deploy every account stack in dependency waves through the Pulumi Automation API",
        description="Run `pulumi preview` or `pulumi up` for every stack of STACKS_DIR, wave by wave (stacks of a wave in parallel), "
        "stopping at the first failing wave; run it again to resume. Needs the Pulumi CLI and each account's credentials.",
    )
    _stacks_dir_argument(rollout)
    operation = rollout.add_mutually_exclusive_group()
    operation.add_argument("--up", action="store_true", help="deploy (default: preview only)")
    operation.add_argument("--refresh", action="store_true", help="refresh every stack's state from the cloud")
    operation.add_argument("--destroy", action="store_true", help="destroy every stack, in reverse waves (needs --yes-destroy)")
    rollout.add_argument("--yes-destroy", action="store_true", help="confirm --destroy: delete every resource of the selected stacks")
    rollout.add_argument("--stack", action="append", default=[], metavar="NAME", help="only this stack (repeatable)")
    rollout.add_argument("--with-dependencies", action="store_true", help="with --stack: also the stacks it reads, transitively")
    rollout.add_argument("--with-dependents", action="store_true", help="with --stack: also the stacks that read it, transitively")
    rollout.add_argument("--format", choices=("text", "json"), default="text",
                         help="json: one JSON line per stack state change on standard output (progress stays on standard error)")
    rollout.add_argument("--parallel", type=int, default=4, metavar="N", help="stacks of one wave run at the same time (default 4)")
    rollout.add_argument("--policy-pack", type=Path, action="append", default=[], metavar="DIR", help="policy pack to enforce (repeatable)")
    rollout.add_argument("--policy-pack-config", type=Path, action="append", default=[], metavar="FILE", help="config for each --policy-pack")
    rollout.add_argument("--install-policy-packs", action="store_true", help="run `pulumi install` in each --policy-pack folder whose virtualenv is missing or incomplete (default: stop with the fix)")
    rollout.add_argument("--state-file", type=Path, metavar="FILE", help="where progress is kept for resuming (default: STACKS_DIR/.rollout-state.json)")
    rollout.add_argument("--restart", action="store_true", help="forget earlier progress and start from the first wave")
    rollout.add_argument("--project-dir", type=Path, metavar="DIR", help="the Pulumi project (folder of Pulumi.yaml; default: STACKS_DIR's parent)")
    rollout.add_argument("--emit", nargs=2, metavar=("github-actions", "FILE"),
                         help="instead of rolling out here, write a GitHub Actions workflow that rolls out the same waves, "
                         "each stack's job assuming its account.role_arn through OIDC")

    _account_commands(commands)
    schema = commands.add_parser("schema", help="print the JSON Schema of a stack file, or check stack files against it",
                                 description="Print the JSON Schema of Pulumi.<stack>.yaml (for editors), or with --check "
                                 "validate the given stack files (for pre-commit). Exit 0 valid, 2 bad input.")
    schema.add_argument("--check", nargs="+", type=Path, metavar="FILE", help="stack files to validate instead")
    commands.add_parser("components", help="list the Pulumi components the package provides")
    return parser


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _bad_input(problems: list[str]) -> int:
    """Every problem on its own line, then the exit code for bad input."""
    for problem in problems:
        _stderr(f"error: {problem}")
    return EXIT_BAD_INPUT


def _check_output(args: argparse.Namespace, zone: Any, policy_config: Optional[Path] = None, pack_dir: Optional[Path] = None) -> None:
    """Before any work: --output must be writable and none of the files the run reads (raises OutputError)."""
    if getattr(args, "output", None):
        from .output_file import check_output_path

        inputs = [stack.file for stack in zone.stacks.values()] + ([policy_config] if policy_config else [])
        check_output_path(args.output, inputs, [pack_dir] if pack_dir else [])


def _emit(args: argparse.Namespace, rendered: str) -> None:
    """The result to --output, whole or not at all (saying so unless --quiet), or to standard output."""
    if args.output:
        from .output_file import write_atomically

        write_atomically(args.output, rendered)
        if not getattr(args, "quiet", False):
            _stderr(f"wrote {args.format} to {args.output}")
    else:
        from .standard_streams import write_stdout

        write_stdout(rendered)


def run_plan_command(args: argparse.Namespace) -> int:
    # What tells whether this plan will simulate is imported first: the fork server then starts before the rest is imported.
    from agentcore_egress.stacks.errors import ConfigError
    from agentcore_egress.stacks.stack_folder import default_stacks_dir, display_path
    from agentcore_egress.planner.plan_cache import open_plan_cache
    from agentcore_egress.planner.policy_pack import PolicyPackError, default_pack_dir
    from agentcore_egress.planner.worker_pool import start_server

    stacks_dir = args.stacks_dir or default_stacks_dir()
    shown = display_path(stacks_dir)
    try:
        if args.require_stacks_dir and args.stacks_dir is None:
            raise ConfigError(["STACKS_DIR: not given, and --require-stacks-dir forbids planning ./stacks or the bundled example instead. "
                               "Fix: name the landing zone's folder (for the pre-commit hook: args: [stacks])"])
        if args.jobs < 1:
            raise ConfigError([f"--jobs: {args.jobs} is not a positive number. Fix: give 1 or more"])
        if not 0 < args.pack_start_timeout < float("inf"):
            raise ConfigError([f"--pack-start-timeout: {args.pack_start_timeout:g} is not a positive number of seconds. Fix: e.g. 60"])
        cache = None if args.no_cache else open_plan_cache(args.cache, stacks_dir, trusted=args.trust_cache,
                                                             pack_dir=args.policy_pack or default_pack_dir(), note=_stderr)
        if cache is None or cache.empty() or cache.stack_files_changed(stacks_dir):
            # Some stack will be simulated and judged: the workers' fork server imports what they need (half a second)
            # while this process reads the stack files and the cache.
            start_server()
    except ConfigError as error:
        return _bad_input(error.problems)
    from agentcore_egress.stacks.landing_zone import LandingZone
    from agentcore_egress.planner.plan import PolicyJudge, run_plan
    from agentcore_egress.stacks.policy_config import load_policy_config
    from agentcore_egress.planner.simulation_pool import SimulationWorkerError
    from .output_file import OutputError
    from agentcore_egress.process import garbage_collection
    from agentcore_egress.reports.plan_report import render
    from .standard_streams import StreamError

    try:
        # The stack files before the policy config: checking the config reads the pack's rules, which imports the pack
        # (a fifth of a second) unless the cache kept them, and a bad stack file ends the run without it.
        zone = LandingZone.load(stacks_dir, read=cache.read_stack_file) if cache else LandingZone.load(stacks_dir)
        if cache is not None:
            cache.read_pack_rules()  # what the config is checked against, without importing the pack when the cache has it
        policy_config = load_policy_config(args.policy_pack_config, args.policy_pack)
        with PolicyJudge(args.policy_pack, policy_config, source=str(args.policy_pack_config or "policy config"),
                         start_timeout=args.pack_start_timeout) as judge:
            _check_output(args, zone, args.policy_pack_config, args.policy_pack or default_pack_dir())
            # Once the input is known good (bad input ends in a tenth of a second, starting no pack): with every stack to be
            # judged, the pack starts now, while this process imports the stacks' programs (a second), which it outlasts.
            if cache is None or cache.empty():
                judge.start()  # (else run_plan starts it once it knows some stack needs judging)
            if not args.quiet:
                _stderr(f"planning {len(zone.stacks)} stacks of {shown} in {len(zone.waves())} waves")
            result = run_plan(zone, pack_dir=args.policy_pack, policy_config=policy_config, progress=(lambda line: None) if args.quiet else _stderr,
                              cache=cache, jobs=args.jobs, judge=judge)
    except ConfigError as error:
        return _bad_input(error.problems)
    except (PolicyPackError, SimulationWorkerError, OutputError) as error:
        return _bad_input([str(error)])
    try:
        with garbage_collection.paused():  # a report makes no cyclic garbage, and a collection would walk the whole plan
            report = render(result, args.format, shown, _version())
        _emit(args, report)
    except (OutputError, StreamError) as error:
        return _bad_input([str(error)])
    if not args.quiet:
        reused = f", {result.timings['cached']} of {len(result.stacks)} stacks from the cache" if cache else ""
        _stderr(f"done in {result.timings['total']:.1f} s: {result.mandatory} mandatory finding(s){reused}")
    return result.exit_code


def run_rollout_command(args: argparse.Namespace) -> int:
    import json

    from agentcore_egress.stacks.config_schema import ConfigError

    from agentcore_egress.stacks.landing_zone import LandingZone, default_stacks_dir
    from agentcore_egress.live.rollout import AutomationWorkspace, Rollout, RolloutError, check_write_target, select_stacks
    from .standard_streams import write_stdout

    def emit(event: dict) -> None:
        if args.format == "json":
            write_stdout(json.dumps(event, sort_keys=True) + "\n")

    stacks_dir = args.stacks_dir or default_stacks_dir()
    try:
        zone = LandingZone.load(stacks_dir)
        if args.parallel < 1:
            raise ConfigError([f"--parallel: {args.parallel} is not a positive number. Fix: give 1 or more"])
        project_dir = args.project_dir or Path(stacks_dir).resolve().parent
        if args.emit:
            return _emit_workflow(args, zone, stacks_dir, project_dir)
        if args.policy_pack_config and len(args.policy_pack_config) != len(args.policy_pack):
            raise ConfigError(["--policy-pack-config: give one per --policy-pack, in the same order"])
        if (args.with_dependencies or args.with_dependents) and not args.stack:
            raise ConfigError(["--with-dependencies/--with-dependents: select stacks with --stack NAME first"])
        selected = select_stacks(zone, args.stack, with_dependencies=args.with_dependencies, with_dependents=args.with_dependents) if args.stack else None
        operation = "up" if args.up else "refresh" if args.refresh else "destroy" if args.destroy else "preview"
        state_file = args.state_file or Path(stacks_dir) / ".rollout-state.json"
        check_write_target("--state-file", state_file, zone, project_dir, args.policy_pack, args.policy_pack_config)
        rollout = Rollout(
            zone, None, state_file=state_file, parallel=args.parallel,
            operation=operation, stacks=selected, policy_packs=[str(p) for p in args.policy_pack],
            policy_pack_configs=[str(p) for p in args.policy_pack_config], install_policy_packs=args.install_policy_packs,
            progress=_stderr, on_event=emit,
        )
        if args.destroy and not args.yes_destroy:
            order = " then ".join(", ".join(wave) for wave in rollout.waves())
            raise ConfigError([f"--destroy deletes every resource of {len(rollout.selected)} stack(s), in this order: {order}. "
                               "Fix: add --yes-destroy to confirm"])
        rollout.workspace = AutomationWorkspace(project_dir)
        rollout.workspace.check_stacks_dir(stacks_dir)
        rollout.run(restart=args.restart)
    except ConfigError as error:
        emit({"event": "rollout", "state": "bad-input", "error": "; ".join(error.problems)})
        return _bad_input(error.problems)
    except RolloutError as error:
        emit({"event": "rollout", "state": "failed", "error": str(error)})
        _stderr(f"error: {error}")
        return EXIT_FINDINGS
    emit({"event": "rollout", "state": "succeeded"})
    return EXIT_CLEAN


def _emit_workflow(args: argparse.Namespace, zone: Any, stacks_dir: Path, project_dir: Path) -> int:
    from agentcore_egress.stacks.config_schema import ConfigError

    from agentcore_egress.live.github_actions import package_spec, write_workflow
    from agentcore_egress.live.rollout import check_write_target, select_stacks
    from agentcore_egress.stacks.landing_zone import display_path

    kind, file = args.emit
    if kind != "github-actions":
        raise ConfigError([f"--emit: {kind!r} is not a workflow kind this tool writes. Fix: --emit github-actions FILE"])
    if args.destroy or args.refresh:
        raise ConfigError([f"--emit github-actions: the workflow previews on pull requests and deploys on pushes; it does not "
                           f"{'destroy' if args.destroy else 'refresh'}. Fix: drop --{'destroy' if args.destroy else 'refresh'}, "
                           "or run that rollout here without --emit"])
    if args.stack or args.with_dependencies or args.with_dependents:
        select_stacks(zone, args.stack)  # an unknown stack is named first
        raise ConfigError(["--emit github-actions: the workflow rolls out every stack of the landing zone, in waves. "
                           "Fix: drop --stack/--with-dependencies/--with-dependents"])
    if len(args.policy_pack) > 1:
        raise ConfigError(["--emit github-actions: give at most one --policy-pack (the workflow enforces one pack)"])
    check_write_target("--emit github-actions", Path(file), zone, project_dir, args.policy_pack, args.policy_pack_config)
    pack = display_path(args.policy_pack[0]) if args.policy_pack else "policies"
    config = Path(display_path(args.policy_pack_config[0])).as_posix() if args.policy_pack_config else ""
    try:
        write_workflow(zone, Path(file), stacks_dir=Path(display_path(Path(stacks_dir))).as_posix(), policy_pack=Path(pack).as_posix(),
                       policy_pack_config=config, parallel=args.parallel, package=package_spec(project_dir))
    except OSError as error:
        raise ConfigError([f"--emit github-actions {file}: could not be written ({error.strerror or error}); the previous file, if any, "
                           "is unchanged. Fix: write it elsewhere, or free disk space"]) from None
    _stderr(f"wrote a GitHub Actions workflow of {len(zone.waves())} waves, {len(zone.stacks)} stacks to {file}")
    return EXIT_CLEAN


def run_account_command(args: argparse.Namespace) -> int:
    """preflight, audit and discover: read-only boto3 against every account of the landing zone."""
    from agentcore_egress.stacks.config_schema import ConfigError

    from agentcore_egress.live.aws_accounts import AccountSession, CallLog
    from agentcore_egress.stacks.landing_zone import LandingZone, default_stacks_dir
    from .output_file import OutputError
    from .standard_streams import StreamError

    call_log = CallLog()

    def sessions(account_id: str, region: str, role_arn: Optional[str]) -> AccountSession:
        return AccountSession(account_id, region, role_arn, profile=args.profile, endpoint_url=args.endpoint_url, call_log=call_log,
                              budget=args.timeout)

    stacks_dir = args.stacks_dir or default_stacks_dir()
    try:
        zone = LandingZone.load(stacks_dir)
        if not args.timeout > 0 or args.parallel < 1:
            raise ConfigError([f"--timeout {args.timeout:g} --parallel {args.parallel}: both must be positive. Fix: e.g. --timeout 120 --parallel 8"])
        _check_output(args, zone, getattr(args, "policy_pack_config", None))
        # The input is good: only now the command's own modules (half a second of imports: boto3's clients, the pack's
        # rules, the reports), so that bad input ends in a few tenths of a second.
        if args.command == "discover":
            from agentcore_egress.live.discover import discover_to_files

            return _bad_input(problems) if (problems := discover_to_files(zone, sessions, Path(stacks_dir), args.stack, args.parallel, args.timeout, _stderr)) else EXIT_CLEAN
        if args.command == "preflight":
            from agentcore_egress.live.preflight import FAIL, NO_ACCESS, run_preflight
            from agentcore_egress.reports.account_reports import render_preflight

            checks = run_preflight(zone, sessions, parallel=args.parallel, budget=args.timeout)
            _emit(args, render_preflight(checks, args.format, zone, _version()))
            shown_fixes = args.format == "text" and not args.output  # the report on the terminal already says each fix
            for check in checks:
                if check.status == NO_ACCESS:
                    _stderr(f"error: {check.stack}: {check.reason}" + (f" Fix: {check.fix}" if check.fix and not shown_fixes else ""))
            if any(check.status == NO_ACCESS for check in checks):
                return EXIT_BAD_INPUT
            return EXIT_FINDINGS if any(check.status == FAIL for check in checks) else EXIT_CLEAN
        from agentcore_egress.live.audit import AuditAccessError, run_audit
        from agentcore_egress.reports.account_reports import render_audit
        from agentcore_egress.stacks.policy_config import load_policy_config

        try:
            result = run_audit(zone, sessions, load_policy_config(args.policy_pack_config), parallel=args.parallel, budget=args.timeout)
        except AuditAccessError as error:
            return _bad_input(str(error).splitlines())
        _emit(args, render_audit(result, args.format, zone, _version()))
        return EXIT_FINDINGS if result.findings else EXIT_CLEAN
    except ConfigError as error:
        return _bad_input(error.problems)
    except (OutputError, StreamError) as error:
        return _bad_input(str(error).splitlines())
    except Exception as error:  # noqa: BLE001 - any AWS/botocore failure is one line, never a traceback
        from agentcore_egress.live.aws_accounts import describe_error

        _stderr(f"error: {describe_error(error)}")
        return EXIT_BAD_INPUT
    finally:
        mutating = call_log.mutating()
        if mutating:  # pragma: no cover - a bug: every call here must be read-only
            _stderr(f"internal error: non-read-only AWS calls were made: {mutating}")


def run_schema_command(args: argparse.Namespace) -> int:
    from agentcore_egress.stacks.config_schema import ConfigError, load_stack_file
    from agentcore_egress.stacks.json_schema import render

    if not args.check:
        from .standard_streams import write_stdout

        write_stdout(render())  # a StreamError is main's to report
        return EXIT_CLEAN
    problems: list[str] = []
    for file in args.check:
        try:
            load_stack_file(file)
        except ConfigError as error:
            problems.extend(error.problems)
    return _bad_input(problems) if problems else EXIT_CLEAN


def main(argv: Optional[Sequence[str]] = None) -> int:
    from agentcore_egress.planner.interruption import ANNOUNCED, Interrupted, ended_by_signals

    from .standard_streams import StreamError, reserve_standard_streams, working_folder_problem

    reserve_standard_streams()
    args = build_parser().parse_args(argv)
    problem = working_folder_problem()
    if problem:
        return _bad_input([problem])
    with ended_by_signals():
        try:
            return _run_command(args)
        except Interrupted as stop:
            _stderr(f"interrupted: {stop.name} received; the run ended without writing a result")
            ANNOUNCED.set()
            return stop.exit_code
        except StreamError as error:  # the commands' own output (the schema, rollout's events, the component list)
            return _bad_input([str(error)])


def _run_command(args: argparse.Namespace) -> int:
    if args.command == "schema":
        return run_schema_command(args)
    if args.command in ("preflight", "audit", "discover"):
        return run_account_command(args)
    if args.command == "plan":
        return run_plan_command(args)
    if args.command == "rollout":
        return run_rollout_command(args)
    from .standard_streams import write_stdout

    write_stdout(f"agentcore-egress {_version()}\nPulumi components (import from agentcore_egress.components):\n{list_components()}\n"
                 "\nCommands: plan (offline plan of a landing zone), rollout (deploy it in waves), preflight and audit (read-only checks of "
                 "live accounts), discover (snapshot existing resources), schema; see --help.\n")
    return EXIT_CLEAN


def run() -> int:
    """The process's entry point (the ``agentcore-egress`` script, ``python -m``): :func:`main`, then an exit without the
    interpreter's teardown (see :mod:`agentcore_egress.process.exit_without_teardown`)."""
    from agentcore_egress.process import exit_without_teardown

    exit_without_teardown.register()
    return exit_without_teardown.ending_with(main())


if __name__ == "__main__":
    sys.exit(run())
