"""``fakevault``: serve fake Vault Enterprise clusters, show their status, run scenarios.

Exit codes: 0 success, 1 runtime error (port in use, unreadable state, server unreachable),
2 usage error. User mistakes get one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import string
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from fakevault import __version__
from fakevault.model import simulator as model
from fakevault.model.clock import SystemClock
from fakevault.model.versions import DEFAULT_VERSION, PROFILES
from fakevault.serving.hardened import is_loopback
from fakevault.serving.journal import StateError, StateStore
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
    serve.add_argument("--control-port", type=_port, default=None,
                       help="the control plane's and web view's own port, up whatever crashes "
                       "(default: --port + 99, or a free one with --port 0)")
    # World flags default to None so that one given with an existing --state file is known.
    serve.add_argument("--root-token", help="root token of every cluster (default root)")
    serve.add_argument("--seed", type=int, help="seed of the world's random source (default 0)")
    serve.add_argument("--sync", choices=("eager", "manual"),
                       help="replicate after every operation (eager, the default) or only "
                       "when told to (manual)")
    serve.add_argument("--vault-version", choices=tuple(PROFILES),
                       help=f"which Vault to answer as (default {DEFAULT_VERSION}; 0.7 is the "
                       "seed's /sys/replication document)")
    serve.add_argument("--strict", action="store_true", default=None,
                       help="refuse operations that would leave two primaries in one set")
    serve.add_argument("--state", type=Path, metavar="FILE",
                       help="load the world from FILE if it exists; every answered request "
                       "is journaled next to it before the answer is sent")
    serve.add_argument("--fsync", action="store_true",
                       help="with --state, fsync the journal before each answer (survives "
                       "power loss, not only a killed process)")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="HOST",
                       help="also answer requests whose Host header names HOST (repeatable)")
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
def load_world(args: argparse.Namespace, store: StateStore | None = None) -> model.Simulator:
    """The world from ``--state`` (snapshot and journal) if that file exists, else a new one."""
    state: Path | None = args.state
    root_token = "root" if args.root_token is None else args.root_token
    if args.scenario is not None:
        if state is not None and state.exists():
            raise UsageError("--scenario starts a new world; it cannot be combined with an "
                             "existing --state file")
        scenario = _load_scenario(args.scenario)
        return Simulator(seed=scenario.seed, clusters=scenario.clusters,
                         sync="manual" if scenario.sync == "manual" else "eager",
                         vault_version=scenario.vault_version,
                         strict=scenario.strict, root_token=root_token,
                         clock=SystemClock())
    if store is None and state is not None:
        store = StateStore(state)
    if store is not None and store.exists():
        try:
            loaded = store.load()
        except StateError as exc:
            raise CommandError(str(exc)) from None
        _refuse_conflicting_flags(args, loaded.sim, store.path)
        if loaded.diverged:
            print(f"fakevault: warning: {loaded.diverged} of {loaded.replayed} journaled "
                  "request(s) answered differently on replay", file=sys.stderr)
        return loaded.sim
    return Simulator(seed=args.seed or 0, clusters=cluster_names(args),
                     sync=args.sync or "eager", strict=bool(args.strict),
                     vault_version=args.vault_version or DEFAULT_VERSION,
                     root_token=root_token, clock=SystemClock())


def _refuse_conflicting_flags(args: argparse.Namespace, sim: model.Simulator,
                              path: Path) -> None:
    """A world flag given with an existing state file must agree with what the file holds."""
    held = {"--seed": sim.seed, "--sync": sim.sync_mode, "--root-token": sim.root_token,
            "--strict": sim.strict or None, "--clusters": len(sim.names),
            "--cluster": sim.names, "--vault-version": sim.vault_version}
    given = {"--seed": args.seed, "--sync": args.sync, "--root-token": args.root_token,
             "--strict": args.strict, "--clusters": args.clusters, "--cluster": args.names,
             "--vault-version": args.vault_version}
    for flag, value in given.items():
        if value is not None and value != held[flag]:
            raise UsageError(f"{flag}{_shown(value)} conflicts with the state file {path}, "
                             f"which holds {flag.lstrip('-')}{_shown(held[flag])}; drop "
                             "the flag or use another --state file")


def _shown(value: object) -> str:
    if isinstance(value, list):
        return " " + ",".join(value)
    return "" if value is True else " false" if value is None else f" {value}"


def banner(sim: model.Simulator, host: str, control_url: str | None = None) -> str:
    """What ``serve`` prints once listening, in the spirit of ``vault server -dev``."""
    lines = [f"fakevault {__version__}: {len(sim.clusters)} simulated Vault Enterprise clusters "
             f"answering as Vault {sim.vault_version} "
             f"(seed {sim.seed}, sync {sim.sync_mode}{', strict' if sim.strict else ''})", ""]
    lines += [f"    {c.name}: VAULT_ADDR={c.api_addr}" for c in sim]
    lines += ["", f"Root Token: {sim.root_token}"]
    lines += [f"Unseal Key ({c.name}): {', '.join(c.unseal_keys)}" for c in sim]
    first = next(iter(sim))
    control = control_url or first.api_addr
    lines += [f"Control plane: {control}/_fakevault/state (X-Vault-Token: root token; also on "
              "every cluster's port while it is up)"]
    lines += [f"Web view: {control}/ui/ (asks for the root token)"]
    return "\n".join(lines) + "\n"


def serve(args: argparse.Namespace) -> int:
    """Run the fake server until SIGINT or SIGTERM (SIGHUP saves the state and goes on)."""
    from fakevault.serving.durable import DurableApp
    from fakevault.serving.lifecycle import Lifecycle
    from fakevault.testing.server import FakeVaultServer

    store = _state_store(args)
    try:
        sim = load_world(args, store)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    durable: list[DurableApp] = []

    def wrap(app: Any) -> DurableApp:
        durable.append(DurableApp(app, store, on_error=_log_error))
        return durable[0]

    try:
        control_port = args.control_port if args.control_port is not None else (
            args.port + 99 if args.port else 0)
        server = FakeVaultServer(sim, host=args.host, port=args.port,
                                 log_requests=args.log_requests, wrap=wrap,
                                 allowed_hosts=args.allowed_host, control_port=control_port)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        server.start()
    except OSError as exc:  # a port in use, a host that does not resolve: one line
        raise CommandError(exc.strerror or str(exc)) from None
    if store is not None:
        try:
            store.start(server.sim)  # the addresses just bound are part of the saved world
        except (OSError, StateError) as exc:
            server.stop()
            raise CommandError(f"cannot write state to {store.path}: {exc}") from None
    lifecycle = Lifecycle(server, durable[0], store)
    lifecycle.install_signals()
    if args.scenario is not None:
        _play(args.scenario, server)
    if not is_loopback(args.host):
        print(f"fakevault: warning: listening on {args.host}: reachable from beyond this "
              "machine, with a well-known root token", file=sys.stderr, flush=True)
    sys.stdout.write(banner(server.sim, args.host, server.control_url) + "\n" + READY_LINE + "\n")
    sys.stdout.flush()
    return lifecycle.run()


def _state_store(args: argparse.Namespace) -> StateStore | None:
    if args.state is None:
        return None
    folder = args.state.resolve().parent
    if not folder.is_dir():
        raise UsageError(f"--state {args.state}: the folder {folder} does not exist")
    store = StateStore(args.state, fsync=args.fsync)
    try:
        store.check_writable()
    except StateError as exc:
        raise CommandError(str(exc)) from None
    store.remove_leftovers()
    return store


def _log_error(message: str) -> None:
    print(f"fakevault: error: {message}", file=sys.stderr, flush=True)


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
