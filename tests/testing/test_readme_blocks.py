"""Every code block of the README runs: Python blocks here, shell blocks against live servers.

The blocks that install fakevault (the quick start's first, "Use it in your project", "Working on
fakevault") are run by ``.ci/run`` in fresh virtual environments; everything else runs here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from fakevault.cli import READY_LINE
from fakevault.endpoints import END, START, endpoints_markdown
from fakevault.scenario.bundled import BUNDLED

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", flags=re.S | re.M)
#: Shell blocks that install things: .ci/run runs them, each in a fresh virtual environment.
RUN_BY_CI = ("pip install",)


def blocks(language: str, section: str | None = None) -> list[str]:
    text = README.read_text(encoding="utf-8")
    if section is not None:
        start = text.index(section)
        following = text.find("\n## ", start + 1)
        text = text[start:following if following != -1 else None]
    return [body for lang, body in BLOCK.findall(text) if lang == language]


def test_every_block_has_a_language_this_module_or_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    languages = {lang for lang, _ in BLOCK.findall(text)}
    assert languages <= {"python", "sh", "toml"}, languages
    shell = blocks("sh")
    ours = [b for b in shell if not any(marker in b for marker in RUN_BY_CI)]
    assert len(ours) == 3 and len(shell) - len(ours) == 3  # the three install blocks: .ci/run


def test_the_pytest_example_passes_as_a_downstream_projects_tests(
        pytester: pytest.Pytester) -> None:
    failover, generate_root = blocks("python", "## In your pytest suite")
    pytester.makepyfile(test_example=failover, test_readme_root_example=generate_root)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_the_ini_snippet_collects_a_runbook_folder(pytester: pytest.Pytester) -> None:
    (snippet,) = blocks("toml", "## Use it in your project")
    pytester.makepyprojecttoml(snippet)
    runbooks = pytester.mkdir("runbooks")
    shutil.copy(BUNDLED / "dr-setup-and-health.toml", runbooks)
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*dr-setup-and-health*PASSED*"])


def test_the_python_api_block_runs() -> None:
    (block,) = blocks("python", "## The Python API")
    namespace: dict[str, Any] = {}
    exec(compile(block, str(README), "exec"), namespace)
    assert namespace["app"] is not None and not namespace["sim"].violations


def test_the_endpoints_table_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    table = text[text.index(START) + len(START):text.index(END)].strip()
    assert table == endpoints_markdown().strip(), \
        "the README's endpoint table is stale: run python -m fakevault.endpoints --write README.md"


# -- shell blocks, against live `fakevault serve` processes -------------------------------------
class Serve:
    """``fakevault serve`` as a README line says, on free ports instead of the printed ones."""

    def __init__(self, line: str) -> None:
        port = re.search(r"--port (\d+)", line)
        self.first_port = int(port.group(1)) if port else 8200
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fakevault", *line.split()[1:], "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addrs: list[str] = []
        assert self.process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            out = self.process.stdout.readline()
            assert out, f"{line!r} exited: {self.process.stderr.read()}"  # type: ignore[union-attr]
            if "VAULT_ADDR=" in out:
                self.addrs.append(out.split("VAULT_ADDR=")[1].strip())
            if out.strip() == READY_LINE:
                return
        raise AssertionError(f"{line!r} never got ready")

    def rewrite(self, script: str) -> str:
        """The printed addresses (127.0.0.1:8200, :8201, ...) replaced by the real ones."""
        for offset, addr in enumerate(self.addrs):
            script = script.replace(f"http://127.0.0.1:{self.first_port + offset}", addr)
        return script

    def stop(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=60)


def run_shell_block(block: str, default_server: bool = False) -> str:
    lines = block.replace("\\\n", " ").splitlines()
    servers = [Serve("fakevault serve")] if default_server else []
    script = []
    try:
        for line in lines:
            if line.startswith("fakevault serve"):
                servers.append(Serve(line.split("#")[0]))
            else:
                script.append(line)
        text = "\n".join(script)
        for server in servers:
            text = server.rewrite(text)
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", text], capture_output=True,
                                text=True, timeout=120, cwd=ROOT)
        assert result.returncode == 0, f"{text}\n{result.stdout}\n{result.stderr}"
        return result.stdout
    finally:
        for server in servers:
            server.stop()


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_the_curl_block_sets_up_dr_replication() -> None:
    (_, curl) = blocks("sh", "## Quick start")
    out = run_shell_block(curl, default_server=True)
    rows = [line.split()[:4] for line in out.splitlines()]
    assert ["a", "dr", "primary", "running"] in rows
    assert ["b", "dr", "secondary", "stream-wals"] in rows


def test_the_scenario_blocks_run() -> None:
    listing, live = blocks("sh", "## Scenarios")
    out = run_shell_block(listing)
    assert "dr-failover" in out and "passed: 26 of 26" in out
    assert "passed: 24 of 24" in run_shell_block(live)


def test_the_reference_lists_every_flag_ini_option_marker_option_and_fixture(
        pytester: pytest.Pytester) -> None:
    from fakevault.testing.marker import CHECKS

    text = README.read_text(encoding="utf-8")
    reference = text[text.index("## In your pytest suite"):text.index("## The Python API")]
    help_text = pytester.runpytest("--help").stdout.str()
    flags = set(re.findall(r"(--fakevault-[a-z-]+)", help_text))
    inis = set(re.findall(r"^\s+(fakevault_[a-z_]+)", help_text, flags=re.M))
    fixtures = set(re.findall(r"^(fakevault\w*)\b", pytester.runpytest("--fixtures")
                              .stdout.str(), flags=re.M)) - {"_fakevault_live_server"}
    assert len(flags) >= 5 and len(inis) >= 5 and len(fixtures) == 4
    missing = [name for name in sorted(flags | inis | fixtures | set(CHECKS))
               if f"`{name}" not in reference]
    assert not missing, f"document these in the README's plugin reference: {missing}"
