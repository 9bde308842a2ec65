"""Vault duration strings ("30m", "1h30m", "2d", "90", 90), parsed as Vault's parseutil does."""

from __future__ import annotations

import math
import re

from fakevault.model.errors import InvalidRequestError
from fakevault.model.messages import error

_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}
_GO_COMPONENT = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DAYS = re.compile(r"([0-9]+)d")
#: The longest duration Go's time.Duration holds (int64 nanoseconds, about 292 years).
MAX_SECONDS = (2**63 - 1) // 10**9


def _go_duration(text: str) -> float:
    """Go's time.ParseDuration, in seconds."""
    sign = 1.0
    if text[:1] in "+-":
        sign = -1.0 if text[0] == "-" else 1.0
        text = text[1:]
    if text == "0":
        return 0.0
    if not text:
        raise ValueError("empty duration")
    total, position = 0.0, 0
    while position < len(text):
        match = _GO_COMPONENT.match(text, position)
        if match is None:
            raise ValueError("not a duration: use a number of seconds or units like 30m, 1h30m")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    return sign * total


def parse_seconds(value: object, *, field: str = "ttl") -> int:
    """Parse a Vault duration (int seconds or a string like "30m", "1h", "2d") to whole seconds.

    Raises InvalidRequestError naming ``field`` for anything Vault would refuse, for negative
    durations, and for NaN, infinities and durations longer than Go's ``time.Duration`` holds.
    """
    try:
        seconds = _parse(value)
    except OverflowError:
        seconds = math.inf  # an integer too large for a float: out of range below
    except (ValueError, TypeError) as exc:
        raise error("bad_duration", field=field, value=value, reason=str(exc)) from None
    if seconds < 0:
        raise error("bad_duration", field=field, value=value, reason="must not be negative")
    if math.isnan(seconds):
        raise error("bad_duration", field=field, value=value, reason="not a number")
    if seconds > MAX_SECONDS:
        raise error("bad_duration", field=field, value=value,
                    reason=f"out of range: at most {MAX_SECONDS} seconds (about 292 years)")
    return int(seconds)


def _parse(value: object) -> float:
    if value is None:  # parseutil: nil is the zero duration (the caller's default applies)
        return 0.0
    if isinstance(value, bool):
        raise TypeError("expected a duration string or a number of seconds, not a boolean")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        raise TypeError(f"expected a duration string, not {type(value).__name__}")
    text = value.strip()
    if text == "":
        return 0.0
    if _INTEGER.fullmatch(text):
        return float(int(text))
    days = _DAYS.fullmatch(text)
    if days:
        return float(int(days.group(1)) * 86400)
    return _go_duration(text)


def format_duration(seconds: int) -> str:
    """Format whole seconds as Vault's CLI does ("30m", "1h30m", "45s")."""
    if seconds == 0:
        return "0s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    units = ((hours, "h"), (minutes, "m"), (secs, "s"))
    return "".join(f"{amount}{unit}" for amount, unit in units if amount)


def go_duration(seconds: int) -> str:
    """Whole seconds as Go's time.Duration prints them ("768h0m0s", "3m20s", "45s")."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"


__all__ = ["InvalidRequestError", "format_duration", "go_duration", "parse_seconds"]
