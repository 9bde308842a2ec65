"""The README's promises, checked: its example runs as printed, its differences are complete."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from fakevault.model.messages import WARNINGS, guessed_messages

README = Path(__file__).resolve().parents[2] / "README.md"
FIND = settings(max_examples=100, stateful_step_count=10, derandomize=True, deadline=None)


def readme_python_blocks(after: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index(after):]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    buggy, fixed = readme_python_blocks("## Hunting failover bugs")[:2]
    namespace: dict[str, Any] = {}
    exec(compile(buggy + "\n" + fixed, str(README), "exec"), namespace)
    return namespace


def test_the_buggy_failover_is_caught_with_lost_writes(example: dict[str, Any]) -> None:
    with pytest.raises(AssertionError) as found:
        run_state_machine_as_test(example["FailoverMachine"], settings=FIND)
    report = str(found.value)
    assert "lost_writes" in report
    assert re.search(r"caused by #\d+ [abc]\.dr\.promote\(\)", report)


def test_the_fixed_failover_passes(example: dict[str, Any]) -> None:
    run_state_machine_as_test(example["FixedFailoverMachine"], settings=FIND)


def test_every_guess_is_listed_under_differences() -> None:
    text = README.read_text(encoding="utf-8")
    differences = text[text.index("## Differences from real Vault"):]
    missing = [key for key, _ in guessed_messages() if f"`{key}`" not in differences]
    missing += [key for key, (_, how) in WARNINGS.items()
                if how == "U" and f"`{key}` (warning)" not in differences]
    assert not missing, f"add these to the README's differences table: {missing}"


def test_quick_start_is_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    quick = text[text.index("## Quick start"):]
    block = re.search(r"```sh\n(.*?)```", quick, flags=re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "fakevault serve" in commands[0] and "pip install" in commands[0]
    assert "pytest" in commands[1]
