"""Vault duration strings, parsed as parseutil.ParseDurationSecond does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakevault.model.durations import format_duration, parse_seconds
from fakevault.model.errors import InvalidRequestError


@pytest.mark.parametrize(("value", "seconds"), [
    ("30m", 1800),
    ("1h30m", 5400),
    ("1h", 3600),
    ("2h", 7200),
    ("45s", 45),
    ("1.5h", 5400),
    ("1500ms", 1),
    ("90", 90),
    ("+90", 90),
    ("0", 0),
    ("", 0),
    ("2d", 172800),
    ("0d", 0),
    (90, 90),
    (0, 0),
    (2.9, 2),
    (None, 0),
])
def test_parse_seconds_accepts_vault_durations(value: object, seconds: int) -> None:
    assert parse_seconds(value) == seconds


@pytest.mark.parametrize(("value", "reason"), [
    ("abc", "not a duration"),
    ("1.5", "not a duration"),
    ("30x", "not a duration"),
    ("1d12h", "not a duration"),
    ("1.5d", "not a duration"),
    ("-5", "must not be negative"),
    ("-5m", "must not be negative"),
    (-1, "must not be negative"),
    (True, "not a boolean"),
    ([30], "not list"),
    ({"ttl": 1}, "not dict"),
])
def test_parse_seconds_refuses_with_the_field_named(value: object, reason: str) -> None:
    with pytest.raises(InvalidRequestError) as info:
        parse_seconds(value, field="ttl")
    message = str(info.value)
    assert message.startswith('invalid duration for "ttl": ')
    assert reason in message
    assert info.value.status_hint == 400


def test_parse_seconds_names_the_field_it_was_given() -> None:
    with pytest.raises(InvalidRequestError, match='"wrap_ttl"'):
        parse_seconds("soon", field="wrap_ttl")


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"),
    (45, "45s"),
    (60, "1m"),
    (1800, "30m"),
    (3600, "1h"),
    (5400, "1h30m"),
    (3661, "1h1m1s"),
    (90000, "25h"),
])
def test_format_duration_as_the_cli_prints(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("seconds", [0, 1, 59, 60, 61, 1800, 3599, 3600, 86399, 172800])
def test_format_then_parse_round_trips(seconds: int) -> None:
    assert parse_seconds(format_duration(seconds)) == seconds


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=10**7))
def test_any_whole_duration_round_trips(seconds: int) -> None:
    assert parse_seconds(format_duration(seconds)) == seconds
    assert parse_seconds(str(seconds)) == seconds
