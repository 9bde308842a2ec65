"""``fakevault status --watch``: the status table, refreshed in place until Ctrl-C.

On a terminal each refresh redraws the screen (cursor home, clear) under a one-line header, as
``watch`` does; piped into a file or another program, a new table is printed only when
something changed, so a log of a long run stays readable. An unreachable server is shown in
place of the table and retried: a watch survives the server's restart.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TextIO

HOME_AND_CLEAR = "\x1b[H\x1b[2J"
HIDE_CURSOR, SHOW_CURSOR = "\x1b[?25l", "\x1b[?25h"


def _interval(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid interval {text!r}: use seconds, e.g. 0.5") \
            from None
    if not 0.1 <= seconds <= 3600:
        raise argparse.ArgumentTypeError(f"invalid interval {text}: use 0.1 to 3600 seconds")
    return seconds


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: use a whole number >= 1")
    return int(text)


def add_watch_options(status: argparse.ArgumentParser) -> None:
    """``--watch``, ``--interval`` and ``--count`` on the ``status`` command."""
    status.add_argument("--watch", action="store_true",
                        help="refresh the table in place until Ctrl-C")
    status.add_argument("--interval", type=_interval, default=None, metavar="SECONDS",
                        help="with --watch: seconds between refreshes (default 1)")
    status.add_argument("--count", type=_count, default=None, metavar="N",
                        help="with --watch: stop after N refreshes")


def watch_status(args: argparse.Namespace, out: TextIO,
                 sleep: Callable[[float], None] = time.sleep) -> int:
    """Run ``status --watch``; 0 when stopped, 1 if the last refresh could not reach the server."""
    from fakevault.cli import CommandError, fetch_state

    if not args.watch:
        raise _usage("--interval and --count only apply with --watch")
    interval = 1.0 if args.interval is None else args.interval
    tty = out.isatty()
    shown, reached, done = None, True, 0
    if tty:
        out.write(HIDE_CURSOR)
    try:
        while args.count is None or done < args.count:
            try:
                state = fetch_state(args.addr, args.token)
                body, change, reached = render_state(state), render_state(state, False), True
            except CommandError as exc:
                body = change = f"fakevault: {exc} (retrying)"
                reached = False
            if tty:
                out.write(HOME_AND_CLEAR + header(args.addr, interval) + "\n\n" + body + "\n")
            elif change != shown:  # a moving clock alone is no news in a log
                out.write(("\n" if shown is not None else "") + f"-- {_now()}\n{body}\n")
            out.flush()
            shown, done = change, done + 1
            if args.count is None or done < args.count:
                sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        if tty:
            out.write(SHOW_CURSOR)
            out.flush()
    return 0 if reached else 1


def header(addr: str, interval: float) -> str:
    """The line above the table: where, how often, when, how to stop."""
    return f"fakevault status {addr}, every {interval:g}s, {_now()} (Ctrl-C to stop)"


def render_state(state: dict[str, Any], clock: bool = True) -> str:
    """The status table, then the network, the clock and the violations in one line each."""
    from fakevault.cli import format_table, status_rows

    network = state.get("network", {})
    partitions = ", ".join(" x ".join(pair) for pair in network.get("partitions", []))
    crashed = ", ".join(network.get("crashed", []))
    when = datetime.fromtimestamp(state.get("clock", 0.0), UTC).strftime("%Y-%m-%d %H:%M:%S")
    mode = f"sync {state.get('sync')}" + (", strict" if state.get("strict") else "")
    lines = [format_table(status_rows(state)), "",
             f"network: partitioned {partitions or 'none'}; down {crashed or 'none'}",
             f"clock: {when} UTC ({mode})" if clock else mode]
    violations = state.get("violations", 0)
    lines.append(f"violations: {violations}" + (" (GET /_fakevault/invariants for the report)"
                                                  if violations else ""))
    return "\n".join(lines)


def _now() -> str:
    return datetime.now(UTC).strftime("%H:%M:%S")


def _usage(message: str) -> Exception:
    from fakevault.cli import UsageError

    return UsageError(message)
