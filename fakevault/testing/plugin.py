"""The pytest plugin (``pytest11`` entry point ``fakevault``).

Fixtures: ``fakevault`` (a fresh Simulator per test), ``fakevault_server`` (a live server, one
per session, reset for every test), ``fakevault_client`` / ``fakevault_session`` (hvac and
requests bound in-process to a cluster). Configure with
``@pytest.mark.fakevault(clusters=..., seed=..., sync=..., strict=..., allow_violations=...)``,
with ini options (``fakevault_seed`` ...) or flags (``--fakevault-seed`` ...). A test whose world
ends with an invariant violation (two primaries in a set, lost writes, ...) fails, with the
operations that led there, unless the marker allows it.

Importing this module is cheap: fakevault itself loads when a fixture is first used.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from fakevault.model.versions import DEFAULT_VERSION, PROFILES

if TYPE_CHECKING:
    import hvac
    import requests

    from fakevault.model.simulator import Simulator
    from fakevault.testing.server import FakeVaultServer

SIM_KEY = pytest.StashKey["Simulator"]()
SERVER_KEY = pytest.StashKey["FakeVaultServer"]()
OPTIONS_KEY = pytest.StashKey["WorldOptions"]()


@dataclass(frozen=True)
class WorldOptions:
    """How a test's world is made, after marker, flags and ini options are merged."""

    clusters: tuple[str, ...] = ("a", "b", "c")
    seed: int = 0
    sync: str = "eager"
    strict: bool = False
    allow_violations: bool = False
    vault_version: str = DEFAULT_VERSION

    def make(self) -> Simulator:
        """A new world with these options."""
        from fakevault.world import Simulator

        try:
            return Simulator(seed=self.seed, clusters=self.clusters,
                             sync="manual" if self.sync == "manual" else "eager",
                             strict=self.strict, vault_version=self.vault_version)
        except ValueError as exc:
            pytest.fail(f"fakevault: {exc}", pytrace=False)


# -- configuration ---------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    """Flags and ini options for the world's defaults."""
    group = parser.getgroup("fakevault", "simulated Vault Enterprise replication")
    group.addoption("--fakevault-seed", type=int, default=None, help="world seed (default 0)")
    group.addoption("--fakevault-sync", choices=("eager", "manual"), default=None,
                    help="replicate after every operation, or on step()/sync() only")
    group.addoption("--fakevault-vault-version", default=None, choices=tuple(PROFILES),
                    help=f"which Vault the worlds answer as (default {DEFAULT_VERSION}; 0.7 is "
                    "the seed's document)")
    group.addoption("--fakevault-strict", action="store_true", default=None,
                    help="refuse a second primary in a replication set")
    group.addoption("--fakevault-clusters", default=None,
                    help="comma-separated cluster names (default a,b,c)")
    group.addoption("--fakevault-report", nargs="?", const="text", default=None,
                    choices=("text", "html"),
                    help="text (the default): print each failing test's replication history; "
                    "=html: also write an HTML report per failing test")
    group.addoption("--fakevault-report-dir", default=None, metavar="DIR",
                    help="where --fakevault-report=html writes (default ./fakevault-reports)")
    parser.addini("fakevault_seed", "default world seed", default="0")
    parser.addini("fakevault_sync", "default sync mode: eager or manual", default="eager")
    parser.addini("fakevault_vault_version", "which Vault the worlds answer as: "
                  + ", ".join(PROFILES), default=DEFAULT_VERSION)
    parser.addini("fakevault_strict", "refuse two primaries by default", type="bool",
                  default=False)
    parser.addini("fakevault_clusters", "default cluster names, comma-separated",
                  default="a,b,c")
    parser.addini("fakevault_scenarios", "folders whose *.toml scenario files run as tests",
                  type="paths", default=[])


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker."""
    config.addinivalue_line(
        "markers", "fakevault(clusters=('a','b','c'), seed=0, sync='eager', strict=False, "
        f"allow_violations=False, vault_version='{DEFAULT_VERSION}'): configure this test's "
        "simulated Vault clusters")
    if config.getoption("fakevault_report", None) == "html":
        from fakevault.testing.html_report import HtmlReporter

        config.pluginmanager.register(HtmlReporter(config), "fakevault-html-report")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Scenario files in a ``fakevault_scenarios`` folder run as tests."""
    folders = parent.config.getini("fakevault_scenarios")
    if not folders or file_path.suffix != ".toml":
        return None
    from fakevault.testing.scenario_items import ScenarioFile, is_scenario_file

    if is_scenario_file(file_path, folders):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def _defaults(config: pytest.Config) -> WorldOptions:
    def pick(flag: str, ini: str) -> Any:
        value = config.getoption(flag)
        return config.getini(ini) if value is None else value

    names = str(pick("fakevault_clusters", "fakevault_clusters"))
    try:
        seed = int(pick("fakevault_seed", "fakevault_seed"))
    except ValueError:
        raise pytest.UsageError("fakevault_seed must be an integer") from None
    sync = str(pick("fakevault_sync", "fakevault_sync"))
    if sync not in ("eager", "manual"):
        raise pytest.UsageError(f"fakevault_sync must be eager or manual, not {sync!r}")
    version = str(pick("fakevault_vault_version", "fakevault_vault_version"))
    if version not in PROFILES:
        raise pytest.UsageError(f"fakevault_vault_version must be one of "
                                f"{', '.join(PROFILES)}, not {version!r}")
    return WorldOptions(clusters=tuple(n.strip() for n in names.split(",") if n.strip()),
                        seed=seed, sync=sync,
                        strict=bool(pick("fakevault_strict", "fakevault_strict")),
                        vault_version=version)


def options_for(item: pytest.Item) -> WorldOptions:
    """The world options of ``item``: its marker over the flags over the ini file."""
    options = _defaults(item.config)
    marker = item.get_closest_marker("fakevault")
    if marker is None:
        return options
    if marker.args:
        pytest.fail("@pytest.mark.fakevault takes keyword arguments only", pytrace=False)
    from fakevault.testing.marker import checked_marker_options

    try:
        return replace(options, **checked_marker_options(marker.kwargs))
    except ValueError as exc:
        pytest.fail(f"@pytest.mark.fakevault: {exc}", pytrace=False)


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture
def fakevault(request: pytest.FixtureRequest) -> Simulator:
    """A fresh world of simulated Vault Enterprise clusters for this test."""
    options = options_for(request.node)
    sim = options.make()
    request.node.stash[SIM_KEY] = sim
    request.node.stash[OPTIONS_KEY] = options
    return sim


@pytest.fixture
def fakevault_client(fakevault: Simulator) -> Callable[..., hvac.Client]:
    """``fakevault_client("a")``: an hvac.Client answered in-process by cluster ``a``."""
    from fakevault.http.app import create_app
    from fakevault.testing.clients import hvac_client

    app = create_app(fakevault)

    def make(cluster: str, token: str | None = None) -> hvac.Client:
        return hvac_client(fakevault, cluster, token, app=app)

    return make


@pytest.fixture
def fakevault_session(fakevault: Simulator) -> Callable[..., requests.Session]:
    """``fakevault_session("a")``: a requests.Session answered in-process by the world.

    It reaches every cluster's address (a client that follows ``leader_address`` or fails over
    keeps working); ``"a"`` is the cluster the caller means, checked to exist. A URL that is no
    cluster of the world raises ``fakevault.testing.clients.UnknownAddressError`` instead of
    going out to the network.
    """
    from fakevault.http.app import create_app
    from fakevault.testing.clients import session

    app = create_app(fakevault)

    def make(cluster: str | None = None) -> requests.Session:
        return session(fakevault, cluster, app=app)

    return make


@pytest.fixture(scope="session")
def _fakevault_live_server(pytestconfig: pytest.Config) -> Iterator[FakeVaultServer]:
    from fakevault.testing.server import FakeVaultServer

    server = FakeVaultServer(_defaults(pytestconfig).make())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fakevault_server(request: pytest.FixtureRequest) -> Iterator[FakeVaultServer]:
    """A live server on free loopback ports: shared by the session, reset for this test.

    ``fakevault_server.url("a")`` is cluster ``a``'s VAULT_ADDR; ``.sim`` its world. An error
    raised while the server handled this test's requests fails this test.
    """
    from fakevault.testing.server import FakeVaultServer

    options = options_for(request.node)
    shared: FakeVaultServer = request.getfixturevalue("_fakevault_live_server")
    own = None
    if options.clusters != tuple(shared.sim.names):
        own = server = FakeVaultServer(options.make()).start()
    else:
        server = shared
        fresh = options.make()
        for cluster in server.sim:
            fresh.set_address(cluster.name, cluster.api_addr, cluster.cluster_addr)
        server.app.replace_world(fresh)
    server.errors.clear()
    request.node.stash[OPTIONS_KEY] = options
    request.node.stash[SERVER_KEY] = server
    try:
        yield server
    finally:
        if own is not None:
            own.stop()


# -- failing tests whose world ended badly -----------------------------------------------------
@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """After the test body: an invariant violation fails the test (unless allowed)."""
    result = yield
    server = item.stash.get(SERVER_KEY, None)
    if server is not None and server.errors:
        raise server.errors[0]  # an error inside the server thread fails the test it served
    sim = server.sim if server is not None else item.stash.get(SIM_KEY, None)
    options = item.stash.get(OPTIONS_KEY, None)
    if sim is not None and options is not None and not options.allow_violations:
        violations = sim.check()
        if violations:
            from fakevault.testing.assertions import PYTEST_HINT, violation_report

            pytest.fail(violation_report(sim, PYTEST_HINT), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """With ``--fakevault-report``, a failing test shows its world's history."""
    report = yield
    if report.failed and item.config.getoption("fakevault_report"):
        server = item.stash.get(SERVER_KEY, None)
        sim = server.sim if server is not None else item.stash.get(SIM_KEY, None)
        if sim is not None:
            report.sections.append(("fakevault history", sim.history.format()))
    return report
