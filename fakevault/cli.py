"""``fakevault``: serve fake Vault Enterprise clusters, show their status, run scenarios.

Exit codes: 0 success, 1 runtime error (port in use, unreadable state, server unreachable),
2 usage error. User mistakes get one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import string
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from fakevault import __version__
from fakevault.model import simulator as model
from fakevault.model.clock import SystemClock
from fakevault.model.snapshot import SnapshotError
from fakevault.model.versions import DEFAULT_VERSION, PROFILES
from fakevault.watch import add_watch_options, watch_status
from fakevault.world import Simulator

READY_LINE = "fakevault: ready"


class CommandError(Exception):
    """A runtime failure the user can act on: printed as one line, exit code 1."""

    exit_code = 1


class UsageError(CommandError):
    """Flags that make no sense together or name something invalid: exit code 2."""

    exit_code = 2


# -- argument parsing ----------------------------------------------------------------------
def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: use a number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {port}: use 0 to 65535")
    return port


def _count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: use a number") from None
    if not 1 <= count <= 26:
        raise argparse.ArgumentTypeError("--clusters must be between 1 and 26")
    return count


def _url(text: str) -> str:
    """A cluster address: ``http(s)://host[:port]``, as VAULT_ADDR is written."""
    try:
        parts = urllib.parse.urlsplit(text)
        parts.port  # noqa: B018 -- raises for a port that is not a number
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid URL {text!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"invalid URL {text!r}: use http://HOST:PORT, "
                                         "e.g. http://127.0.0.1:8200")
    return text


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is fakevault's one line on stderr (exit code 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``message`` and where to read more, then exit 2."""
        fail(f"{self.prog.removeprefix('fakevault ')}: {message} (see `{self.prog} --help`)"
             if self.prog != "fakevault" else f"{message} (see `fakevault --help`)", 2)


def build_parser() -> argparse.ArgumentParser:
    """The command line, with one subcommand per job."""
    parser = _Parser(prog="fakevault", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"fakevault {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_serve(commands)
    _add_scenario(commands)
    status = commands.add_parser("status", help="print every cluster's replication status")
    status.add_argument("--addr", type=_url,
                        default=os.environ.get("VAULT_ADDR", "http://127.0.0.1:8200"),
                        help="any cluster of a running `fakevault serve` (default: $VAULT_ADDR)")
    status.add_argument("--token", default=os.environ.get("VAULT_TOKEN", "root"),
                        help="the root token (default: $VAULT_TOKEN or root)")
    add_watch_options(status)
    return parser


def _add_serve(commands: Any) -> None:
    serve = commands.add_parser("serve", help="serve simulated clusters on loopback ports")
    which = serve.add_mutually_exclusive_group()
    which.add_argument("--clusters", type=_count, metavar="N",
                       help="how many clusters, named a, b, c, ... (default 3)")
    which.add_argument("--cluster", action="append", metavar="NAME", dest="names",
                       help="a cluster name (repeat for several)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8200,
                       help="first port; clusters get consecutive ports (0: free ports)")
    serve.add_argument("--root-token", default="root", help="root token of every cluster")
    serve.add_argument("--seed", type=int, default=0, help="seed of the world's random source")
    serve.add_argument("--vault-version", choices=tuple(PROFILES), default=DEFAULT_VERSION,
                       help=f"which Vault to answer as (default {DEFAULT_VERSION}; 0.7 is the "
                       "seed's /sys/replication document)")
    serve.add_argument("--sync", choices=("eager", "manual"), default="eager",
                       help="replicate after every operation, or only when told to")
    serve.add_argument("--strict", action="store_true",
                       help="refuse operations that would leave two primaries in one set")
    serve.add_argument("--state", type=Path, metavar="FILE",
                       help="load the world from FILE if it exists; save it there on shutdown")
    serve.add_argument("--log-requests", action="store_true", help="log one line per request")
    serve.add_argument("--scenario", type=_scenario_path, metavar="FILE",
                       help="start with the world as this scenario leaves it")


def _add_scenario(commands: Any) -> None:
    scenario = commands.add_parser("scenario", help="list or run replication scenarios")
    actions = scenario.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the scenarios in a folder, with their titles")
    listing.add_argument("folder", nargs="?", type=Path, default=None,
                         help="a folder of *.toml scenarios (default: the ones fakevault ships)")
    run = actions.add_parser("run", help="run scenario files (in-process unless --target)")
    run.add_argument("files", nargs="+", type=_scenario_path, metavar="FILE",
                     help="a scenario file, or the name of one fakevault ships (dr-failover)")
    run.add_argument("--target", action="append", default=[], metavar="NAME=URL",
                     help="run against a live cluster (repeat for each cluster)")
    run.add_argument("--token", default=os.environ.get("VAULT_TOKEN", "root"),
                     help="root token of the targets (default: $VAULT_TOKEN or root)")
    run.add_argument("--var", action="append", default=[], metavar="NAME=VALUE",
                     help="a variable for ${NAME} (a comma in VALUE makes a list)")
    run.add_argument("--interactive", action="store_true",
                     help="on real Vault, wait for Enter after printing each manual step")


def _scenario_path(text: str) -> Path:
    from fakevault.scenario.bundled import find_scenario

    return find_scenario(text)


def cluster_names(args: argparse.Namespace) -> list[str]:
    """The names the user asked for."""
    if args.names:
        return list(args.names)
    return list(string.ascii_lowercase[: args.clusters or 3])


# -- serve -----------------------------------------------------------------------------------
def load_world(args: argparse.Namespace) -> Simulator:
    """The world from ``--state`` if that file exists, else a new one from the flags."""
    state: Path | None = args.state
    if state is not None and not state.resolve().parent.is_dir():
        raise UsageError(f"--state {state}: the folder {state.resolve().parent} does not exist")
    if args.scenario is not None:
        if state is not None and state.exists():
            raise UsageError("--scenario starts a new world; it cannot be combined with an "
                             "existing --state file")
        scenario = _load_scenario(args.scenario)
        return Simulator(seed=scenario.seed, clusters=scenario.clusters,
                         sync="manual" if scenario.sync == "manual" else "eager",
                         vault_version=scenario.vault_version,
                         strict=scenario.strict, root_token=args.root_token,
                         clock=SystemClock())
    if state is not None and state.exists():
        try:
            data = json.loads(state.read_text(encoding="utf-8"))
            return Simulator.restore(data)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, SnapshotError) as exc:
            raise CommandError(f"cannot load state from {state}: {exc}") from None
    return Simulator(seed=args.seed, clusters=cluster_names(args), sync=args.sync,
                     vault_version=args.vault_version,
                     strict=args.strict, root_token=args.root_token, clock=SystemClock())


def save_world(sim: model.Simulator, path: Path) -> None:
    """Write the world to ``path`` atomically: a crash mid-save leaves the old file intact."""
    directory = path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(sim.snapshot(), out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def banner(sim: model.Simulator, host: str) -> str:
    """What ``serve`` prints once listening, in the spirit of ``vault server -dev``."""
    lines = [f"fakevault {__version__}: {len(sim.clusters)} simulated Vault Enterprise clusters "
             f"answering as Vault {sim.vault_version} "
             f"(seed {sim.seed}, sync {sim.sync_mode}{', strict' if sim.strict else ''})", ""]
    lines += [f"    {c.name}: VAULT_ADDR={c.api_addr}" for c in sim]
    lines += ["", f"Root Token: {sim.root_token}"]
    lines += [f"Unseal Key ({c.name}): {', '.join(c.unseal_keys)}" for c in sim]
    first = next(iter(sim))
    lines += [f"Control plane: {first.api_addr}/_fakevault/state (X-Vault-Token: root token)"]
    lines += [f"Web view: {first.api_addr}/ui/ (any cluster's port; asks for the root token)"]
    if host not in ("127.0.0.1", "localhost", "::1"):
        lines += [f"WARNING: listening on {host}: reachable from beyond this machine"]
    return "\n".join(lines) + "\n"


def serve(args: argparse.Namespace) -> int:
    """Run the fake server until SIGINT or SIGTERM."""
    from fakevault.testing.server import FakeVaultServer

    try:
        sim = load_world(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        server = FakeVaultServer(sim, host=args.host, port=args.port,
                                 log_requests=args.log_requests)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        server.start()
    except OSError as exc:  # a port in use, a host that does not resolve: one line
        raise CommandError(exc.strerror or str(exc)) from None
    if args.scenario is not None:
        _play(args.scenario, server)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    sys.stdout.write(banner(server.sim, args.host) + "\n" + READY_LINE + "\n")
    sys.stdout.flush()
    try:
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
        if args.state is not None:
            save_world(server.sim, args.state)
            print(f"fakevault: saved the world to {args.state}", flush=True)
    print("fakevault: stopped", flush=True)
    return 0


def _play(path: Path, server: Any) -> None:
    from fakevault.scenario import run_scenario
    from fakevault.scenario.targets import remote

    scenario = _load_scenario(path)
    target = remote({c.name: c.api_addr for c in server.sim}, server.sim.root_token)
    outcome = run_scenario(scenario, target)
    print(outcome.report() + "\n", flush=True)
    if not outcome.ok:
        server.stop()
        raise CommandError(f"scenario {path} failed; the server was not started")


def _load_scenario(path: Path) -> Any:
    from fakevault.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from None


# -- scenario ------------------------------------------------------------------------------
def _pairs(items: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"{flag} {item!r}: use NAME=VALUE")
        pairs[name] = value
    return pairs


def scenario(args: argparse.Namespace) -> int:
    """``scenario list`` and ``scenario run``."""
    if args.action == "list":
        return _list_scenarios(args.folder)
    from fakevault.scenario import run_scenario
    from fakevault.scenario.targets import in_process, remote

    targets = _pairs(args.target, "--target")
    for url in targets.values():
        try:
            _url(url)
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"--target: {exc}") from None
    variables: dict[str, Any] = {k: v.split(",") if "," in v else v
                                 for k, v in _pairs(args.var, "--var").items()}
    scenarios = [_load_scenario(path) for path in args.files]
    failed = 0
    for item in scenarios:
        missing = sorted(set(item.clusters) - set(targets))
        if targets and missing:
            raise UsageError(f"{item.path} needs --target for {', '.join(missing)}")
        target = remote(targets, args.token) if targets else in_process(item)
        target.interactive = args.interactive
        outcome = run_scenario(item, target, variables)
        print(outcome.report() + "\n", flush=True)
        failed += not outcome.ok
    if failed:
        raise CommandError(f"{failed} of {len(scenarios)} scenario(s) failed")
    return 0


def _list_scenarios(folder: Path | None) -> int:
    if folder is not None and not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    from fakevault.scenario.bundled import bundled_scenarios

    files = sorted(folder.glob("*.toml")) if folder is not None else bundled_scenarios()
    if not files:
        raise CommandError(f"no scenario files (*.toml) in {folder}")
    rows = [["SCENARIO", "CLUSTERS", "STEPS", "SERVE WITH", "TITLE"]]
    for path in files:
        item = _load_scenario(path)
        serve_with = " ".join(["--sync manual"] * (item.sync == "manual")
                              + ["--strict"] * item.strict) or "-"
        rows.append([path.stem, ",".join(item.clusters), str(len(item.steps)), serve_with,
                     item.title])
    print(format_table(rows))
    return 0


# -- status ----------------------------------------------------------------------------------
def fetch_state(addr: str, token: str) -> dict[str, Any]:
    """``GET /_fakevault/state`` from a running server."""
    url = addr.rstrip("/") + "/_fakevault/state"
    request = urllib.request.Request(url, headers={"X-Vault-Token": token})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            data: dict[str, Any] = json.load(response)
            return data
    except urllib.error.HTTPError as exc:
        raise CommandError(f"{url} answered {exc.code}: {exc.read().decode(errors='replace')}"
                           .strip()) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CommandError(f"cannot reach {addr}: {reason} (is `fakevault serve` running?)") \
            from None
    except json.JSONDecodeError:
        raise CommandError(f"{url} did not answer JSON: is it a fakevault server?") from None


def status_rows(state: dict[str, Any]) -> list[list[str]]:
    """One row per cluster and replication role."""
    rows = [["CLUSTER", "ROLE", "MODE", "STATE", "CLUSTER_ID", "WAL", "MERKLE", "LINKS"]]
    for name, cluster in state["clusters"].items():
        for rtype in ("performance", "dr"):
            rows.append([name + (" (down)" if cluster["crashed"] else ""), rtype,
                         *_role_cells(cluster["replication"][rtype])])
    return rows


def _role_cells(role: dict[str, Any]) -> list[str]:
    mode = role["mode"]
    if mode == "disabled":
        return [mode, "-", "-", "-", "-", "-"]
    if mode == "primary":
        wal = f"last_wal={role['last_wal']}"
        links = ", ".join(f"{s['node_id']}:{s['connection_status']}" for s in role["secondaries"])
        links = links or ("known: " + ", ".join(role["known_secondaries"])
                          if role["known_secondaries"] else "-")
    else:
        wal = f"remote={role['last_remote_wal']}"
        primaries = role["primaries"]
        links = f"primary {primaries[0]['api_address']} ({primaries[0]['connection_status']})" \
            if primaries else "no primary"
    return [mode, role["state"], role["cluster_id"][:8], wal, role["merkle_root"][:10], links]


def format_table(rows: list[list[str]]) -> str:
    """Left-aligned columns, two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
                     .rstrip() for row in rows)


def status(args: argparse.Namespace) -> int:
    """Print the replication table of a running server (``--watch``: until Ctrl-C)."""
    if args.watch or args.interval is not None or args.count is not None:
        return watch_status(args, sys.stdout)
    print(format_table(status_rows(fetch_state(args.addr, args.token))))
    return 0


# -- entry point -----------------------------------------------------------------------------
COMMANDS = {"serve": serve, "status": status, "scenario": scenario}


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``message`` as fakevault's one-line error and exit with ``code``."""
    print(f"fakevault: error: {message}", file=sys.stderr)
    raise SystemExit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CommandError as exc:
        fail(str(exc), exc.exit_code)
    except OSError as exc:  # the file system or the network refused: one line, not a traceback
        fail(f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""), 1)
    except KeyboardInterrupt:
        return 130
