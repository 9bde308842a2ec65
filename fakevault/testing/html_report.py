"""``pytest --fakevault-report=html``: one self-contained HTML file per failing test.

The plugin registers ``HtmlReporter`` when asked. It attaches a ``TopologyRecorder`` to each
test's world as its fixture is made (so the report can show the topology before and after the
violating operation), and when a test fails it writes the report of the world the test used:
the ``fakevault`` or ``fakevault_server`` fixture's, or the one a failing
``ReplicationMachine`` carries in its ``WorldViolationError``. The failure section names the
file, and the run ends with the list of files written.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fakevault.model.simulator import Simulator

from fakevault.testing.failures import world_in

#: ``user_properties`` key of a written report's path (xdist carries it to the controller).
PROPERTY = "fakevault_html_report"
DEFAULT_DIRECTORY = "fakevault-reports"


def report_name(nodeid: str) -> str:
    """A file name for ``nodeid``'s report: readable, and distinct for distinct ids."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_.")[:120] or "test"
    digest = hashlib.sha1(nodeid.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{slug}-{digest}.html"


class HtmlReporter:
    """The pytest plugin object behind ``--fakevault-report=html``."""

    def __init__(self, config: pytest.Config) -> None:
        chosen = config.getoption("fakevault_report_dir", None) or DEFAULT_DIRECTORY
        self.directory = Path(config.invocation_params.dir, chosen)
        self.written: list[str] = []

    def __repr__(self) -> str:
        return f"HtmlReporter(directory={str(self.directory)!r})"

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any],
                             request: pytest.FixtureRequest) -> Generator[None, Any, Any]:
        """Watch each world a fakevault fixture makes, from its first operation on."""
        value = yield
        world = {"fakevault": lambda: value,
                 "fakevault_server": lambda: value.sim}.get(fixturedef.argname)
        if world is not None:
            from fakevault.web.recorder import attach

            attach(world())
        return value

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item,
                                  call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        """A failing test with a world gets its report written and its path in the output."""
        report: pytest.TestReport = yield
        if report.failed:
            excinfo = call.excinfo
            world = _fixture_world(item) or world_in(excinfo.value if excinfo else None)
            if world is not None:
                try:
                    path = self.write(world, item.nodeid, report)
                except OSError as exc:  # a report is a by-product: never end the run for it
                    report.sections.append(("fakevault report",
                                            f"could not write the HTML report: {exc}"))
                    return report
                report.sections.append(("fakevault report", f"HTML report: {path}"))
                report.user_properties.append((PROPERTY, str(path)))
        return report

    def write(self, world: Simulator, nodeid: str, report: pytest.TestReport) -> Path:
        """Write ``world``'s report for test ``nodeid``; returns its path."""
        from fakevault.testing.assertions import violation_report
        from fakevault.web.report import write_report

        return write_report(world, self.directory / report_name(nodeid), nodeid,
                            failure=report.longreprtext, text=violation_report(world))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Collect the paths written (here or on an xdist worker) for the summary."""
        for key, value in report.user_properties:
            if key == PROPERTY and str(value) not in self.written:
                self.written.append(str(value))

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """List the reports written."""
        if self.written:
            terminalreporter.write_sep("-", f"fakevault: {len(self.written)} HTML report(s)")
            for path in self.written:
                terminalreporter.write_line(path)


def _fixture_world(item: pytest.Item) -> Simulator | None:
    from fakevault.testing.plugin import SERVER_KEY, SIM_KEY

    server = item.stash.get(SERVER_KEY, None)
    return server.sim if server is not None else item.stash.get(SIM_KEY, None)
