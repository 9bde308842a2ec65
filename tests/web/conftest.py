"""Browser fixtures: the system's Chromium driven by Playwright, one per test session.

Screenshots of each state go to ``artifacts/browser/`` at the repository root (or
``$FAKEVAULT_ARTIFACTS``); each test prints the paths it saved (``pytest -rP`` shows them).
The tests skip, saying why, only when no browser can be had: Playwright missing, or no Chromium
on the PATH (``apt-get install chromium``, as ``.ci/run`` does).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> str | None:
    """The Chromium to drive: $FAKEVAULT_CHROMIUM, else the first one on the PATH."""
    chosen = os.environ.get("FAKEVAULT_CHROMIUM")
    if chosen:
        return chosen
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium, shared by every browser test of the session (or xdist worker)."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on the PATH: apt-get install chromium (.ci/run does), or set "
                    "FAKEVAULT_CHROMIUM to a Chromium executable")
    with sync_api.sync_playwright() as playwright:
        # As root (CI containers), Chromium's sandbox cannot start: run without it.
        launched = playwright.chromium.launch(executable_path=executable,
                                              args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (its own context: no sessionStorage shared between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
    assert not errors, f"the page raised script errors: {errors}"


@pytest.fixture(scope="session")
def artifacts(pytestconfig: pytest.Config) -> Path:
    """Where screenshots go."""
    chosen = os.environ.get("FAKEVAULT_ARTIFACTS")
    directory = Path(chosen) if chosen else pytestconfig.rootpath / "artifacts" / "browser"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def screenshot(page: Any, artifacts: Path,
               request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``screenshot("partitioned")`` saves the page as an artifact and prints its path."""
    def save(state: str, full_page: bool = True) -> Path:
        path = artifacts / f"{request.node.name}-{state}.png"
        page.screenshot(path=str(path), full_page=full_page)
        print(f"screenshot: {path}")
        return path

    return save
