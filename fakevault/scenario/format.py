"""The scenario file format, parsed and validated before anything runs.

A scenario is a TOML file: ``title``, ``narrative``, ``clusters`` (and optionally ``seed``,
``sync``, ``strict``, ``allow_violations``, ``vault_version``), then ``[[step]]`` tables. A
step is one of:

* a request: ``cluster``, ``method``, ``path`` (without ``/v1/``), optional ``body``, ``token``
  (default: the root token; ``""`` sends none), ``expect`` and ``capture`` tables;
* a control step on the fake: ``control`` (advance, sync, step, partition, heal, crash, restart,
  fault, unseal-keys, reset), ``args``, and ``manual``: what a person does instead on real Vault;
* a wait: ``wait = {cluster, path, until = {json-path = value}, attempts}``;
* a DR operation token ceremony: ``ceremony = {cluster, keys, token?}`` capturing ``token``;
  with ``generate = "root"`` it is ``sys/generate-root`` instead, and the new root token is
  then the default token of every later step on that cluster.

A scenario starts from a fresh world: a live fakevault target is reset first, and must run
with the scenario's ``sync`` and ``strict``. On real Vault, control steps become instructions
for a person (``--interactive`` waits for Enter) and ``advance`` really waits.

Errors name the file, the step and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakevault.model.versions import DEFAULT_VERSION, PROFILES

CONTROLS = frozenset({"advance", "sync", "step", "partition", "heal", "crash", "restart", "fault",
                      "unseal-keys", "reset"})
TYPES = frozenset({"int", "str", "bool", "list", "dict", "null", "uuid", "sha1", "number"})
METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "LIST", "PATCH", "HEAD"})
_EXPECT_KEYS = frozenset({"status", "json", "types", "present", "absent", "contains",
                          "changes", "unchanged", "violations"})
_STEP_KINDS = ("path", "control", "wait", "ceremony")


class ScenarioError(ValueError):
    """A scenario file that cannot run: the message names the file, the step and the field."""


@dataclass(frozen=True)
class Expect:
    """What a step's response must look like."""

    status: tuple[int, ...] = ()
    json: dict[str, Any] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    contains: dict[str, str] = field(default_factory=dict)
    changes: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    violations: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Step:
    """One step; ``kind`` says which of the fields matter."""

    number: int
    kind: str
    name: str
    cluster: str = ""
    method: str = "GET"
    path: str = ""
    body: Any = None
    token: str | None = None
    expect: Expect = field(default_factory=Expect)
    capture: dict[str, str] = field(default_factory=dict)
    control: str = ""
    args: dict[str, Any] = field(default_factory=dict)
    manual: str = ""
    until: dict[str, Any] = field(default_factory=dict)
    attempts: int = 30
    keys: str = ""
    #: A ceremony's strategy: ``dr`` (a DR operation token) or ``root`` (sys/generate-root).
    generate: str = "dr"


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file."""

    path: Path
    title: str
    narrative: str
    clusters: tuple[str, ...]
    steps: tuple[Step, ...]
    seed: int = 0
    sync: str = "eager"
    strict: bool = False
    allow_violations: bool = False
    vault_version: str = DEFAULT_VERSION

    @property
    def name(self) -> str:
        """The file's stem, e.g. ``dr-failover``."""
        return self.path.stem


class _Where:
    """Builds errors that say where: file, step, field."""

    def __init__(self, path: Path, step: int | None = None, name: str = "") -> None:
        self.path, self.step, self.name = path, step, name

    def error(self, field_name: str, problem: str) -> ScenarioError:
        where = f"{self.path}"
        if self.step is not None:
            where += f": step {self.step}" + (f" ({self.name})" if self.name else "")
        return ScenarioError(f"{where}: field {field_name!r}: {problem}")


def load_scenario(path: str | Path) -> Scenario:
    """Parse and validate the scenario file at ``path``."""
    file = Path(path)
    where = _Where(file)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        hint = (" (not a file, nor the name of a scenario fakevault ships: see `fakevault "
                "scenario list`)") if not file.exists() else ""
        raise ScenarioError(f"{file}: cannot read: {exc.strerror or exc}{hint}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{file}: not valid TOML: {exc}") from None
    known = {"title", "narrative", "clusters", "seed", "sync", "strict", "allow_violations",
             "vault_version", "step"}
    _no_unknown(data, known, where, "")
    clusters = _strings(data.get("clusters"), where, "clusters")
    if not clusters:
        raise where.error("clusters", "name at least one cluster, e.g. clusters = [\"a\", \"b\"]")
    raw_steps = data.get("step")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise where.error("step", "a scenario needs at least one [[step]]")
    steps = tuple(_step(raw, n, file, clusters) for n, raw in enumerate(raw_steps, 1))
    sync = data.get("sync", "eager")
    if sync not in ("eager", "manual"):
        raise where.error("sync", f"must be \"eager\" or \"manual\", not {sync!r}")
    version = data.get("vault_version", DEFAULT_VERSION)
    if version not in PROFILES:
        raise where.error("vault_version", f"must be one of {', '.join(PROFILES)}, "
                          f"not {version!r}")
    return Scenario(path=file, title=_string(data.get("title"), where, "title", required=True),
                    narrative=_string(data.get("narrative", ""), where, "narrative"),
                    clusters=tuple(clusters), steps=steps,
                    seed=_integer(data.get("seed", 0), where, "seed"), sync=sync,
                    strict=_boolean(data.get("strict", False), where, "strict"),
                    allow_violations=_boolean(data.get("allow_violations", False), where,
                                              "allow_violations"),
                    vault_version=version)


def _step(raw: Any, number: int, file: Path, clusters: list[str]) -> Step:
    if not isinstance(raw, dict):
        raise _Where(file, number).error("step", "each [[step]] must be a table")
    name = raw.get("name", "")
    where = _Where(file, number, name if isinstance(name, str) else "")
    kinds = [kind for kind in _STEP_KINDS if kind in raw]
    if len(kinds) != 1:
        raise where.error("path/control/wait/ceremony",
                          "a step is exactly one of a request (path), a control step, a wait "
                          f"or a ceremony; found {kinds or 'none'}")
    builder = {"path": _request, "control": _control, "wait": _wait, "ceremony": _ceremony}
    return builder[kinds[0]](raw, number, where, clusters)


def _request(raw: dict[str, Any], number: int, where: _Where, clusters: list[str]) -> Step:
    _no_unknown(raw, {"name", "cluster", "method", "path", "body", "token", "expect", "capture"},
                where, "")
    method = _string(raw.get("method", "GET"), where, "method").upper()
    if method not in METHODS:
        raise where.error("method", f"{method!r} is not one of {sorted(METHODS)}")
    body = raw.get("body")
    if body is not None and not isinstance(body, dict):
        raise where.error("body", "must be a table (a JSON object)")
    token = raw.get("token")
    return Step(number=number, kind="request", name=_string(raw.get("name", ""), where, "name"),
                cluster=_cluster(raw, where, clusters), method=method,
                path=_string(raw.get("path"), where, "path", required=True).lstrip("/"),
                body=body, token=None if token is None else _string(token, where, "token"),
                expect=_expect(raw.get("expect", {}), where),
                capture=_capture(raw.get("capture", {}), where))


def _control(raw: dict[str, Any], number: int, where: _Where, clusters: list[str]) -> Step:
    _no_unknown(raw, {"name", "control", "args", "manual", "capture", "expect"}, where, "")
    control = _string(raw.get("control"), where, "control", required=True)
    if control not in CONTROLS:
        raise where.error("control", f"{control!r} is not one of {sorted(CONTROLS)}")
    args = raw.get("args", {})
    if not isinstance(args, dict):
        raise where.error("args", "must be a table")
    for key in ("name", "cluster"):
        if key in args and args[key] not in clusters:
            raise where.error(f"args.{key}", f"{args[key]!r} is not one of the scenario's "
                              f"clusters {clusters}")
    return Step(number=number, kind="control", name=_string(raw.get("name", ""), where, "name"),
                control=control, args=args, manual=_string(raw.get("manual", ""), where, "manual"),
                capture=_capture(raw.get("capture", {}), where),
                expect=_expect(raw.get("expect", {}), where))


def _wait(raw: dict[str, Any], number: int, where: _Where, clusters: list[str]) -> Step:
    _no_unknown(raw, {"name", "wait"}, where, "")
    wait = raw["wait"]
    if not isinstance(wait, dict):
        raise where.error("wait", "must be a table: {cluster, path, until, attempts}")
    _no_unknown(wait, {"cluster", "path", "until", "attempts", "token"}, where, "wait.")
    until = wait.get("until")
    if not isinstance(until, dict) or not until:
        raise where.error("wait.until", "give at least one json-path = value to wait for")
    attempts = _integer(wait.get("attempts", 30), where, "wait.attempts")
    if not 1 <= attempts <= 10_000:
        raise where.error("wait.attempts", "must be between 1 and 10000")
    token = wait.get("token")
    return Step(number=number, kind="wait", name=_string(raw.get("name", ""), where, "name"),
                cluster=_cluster(wait, where, clusters, "wait.cluster"),
                path=_string(wait.get("path"), where, "wait.path", required=True).lstrip("/"),
                until=until, attempts=attempts,
                token=None if token is None else _string(token, where, "wait.token"))


def _ceremony(raw: dict[str, Any], number: int, where: _Where, clusters: list[str]) -> Step:
    _no_unknown(raw, {"name", "ceremony", "capture"}, where, "")
    ceremony = raw["ceremony"]
    if not isinstance(ceremony, dict):
        raise where.error("ceremony", "must be a table: {cluster, keys}")
    _no_unknown(ceremony, {"cluster", "keys", "token", "generate"}, where, "ceremony.")
    token = ceremony.get("token")  # Vault 2.x wants a Vault token on the ceremony endpoints
    generate = _string(ceremony.get("generate", "dr"), where, "ceremony.generate")
    if generate not in ("dr", "root"):
        raise where.error("ceremony.generate", f"{generate!r} is not one of ['dr', 'root']")
    return Step(number=number, kind="ceremony", name=_string(raw.get("name", ""), where, "name"),
                cluster=_cluster(ceremony, where, clusters, "ceremony.cluster"),
                token=None if token is None else _string(token, where, "ceremony.token"),
                keys=_string(ceremony.get("keys"), where, "ceremony.keys", required=True),
                capture=_capture(raw.get("capture", {}), where), generate=generate)


def _expect(raw: Any, where: _Where) -> Expect:
    if not isinstance(raw, dict):
        raise where.error("expect", "must be a table")
    _no_unknown(raw, _EXPECT_KEYS, where, "expect.")
    status = raw.get("status", ())
    statuses = (status,) if isinstance(status, int) and not isinstance(status, bool) else status
    if not isinstance(statuses, list | tuple) or not all(
            isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599 for s in statuses):
        raise where.error("expect.status", "must be an HTTP status code or a list of them")
    types = _table(raw.get("types", {}), where, "expect.types")
    for path, name in types.items():
        if name not in TYPES:
            raise where.error(f"expect.types.{path}", f"{name!r} is not one of {sorted(TYPES)}")
    violations = raw.get("violations")
    return Expect(status=tuple(statuses), json=_table(raw.get("json", {}), where, "expect.json"),
                  types=types, present=tuple(_strings(raw.get("present", []), where,
                                                      "expect.present")),
                  absent=tuple(_strings(raw.get("absent", []), where, "expect.absent")),
                  contains={k: str(v) for k, v in _table(raw.get("contains", {}), where,
                                                         "expect.contains").items()},
                  changes=tuple(_strings(raw.get("changes", []), where, "expect.changes")),
                  unchanged=tuple(_strings(raw.get("unchanged", []), where,
                                           "expect.unchanged")),
                  violations=None if violations is None else tuple(
                      _strings(violations, where, "expect.violations")))


def _capture(raw: Any, where: _Where) -> dict[str, str]:
    table = _table(raw, where, "capture")
    for name, path in table.items():
        if not isinstance(path, str) or not name.isidentifier():
            raise where.error(f"capture.{name}", "capture names are identifiers and their "
                              "values json paths, e.g. token = \"wrap_info.token\"")
    return {k: str(v) for k, v in table.items()}


def _cluster(raw: dict[str, Any], where: _Where, clusters: list[str],
             field_name: str = "cluster") -> str:
    name = _string(raw.get("cluster"), where, field_name, required=True)
    if name not in clusters:
        raise where.error(field_name, f"{name!r} is not one of the scenario's clusters {clusters}")
    return name


def _no_unknown(raw: dict[str, Any], known: set[str] | frozenset[str], where: _Where,
                prefix: str) -> None:
    for key in raw:
        if key not in known:
            raise where.error(prefix + key, f"unknown field; expected one of {sorted(known)}")


def _table(value: Any, where: _Where, field_name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(field_name, "must be a table")
    return dict(value)


def _string(value: Any, where: _Where, field_name: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise where.error(field_name, "must be a non-empty string" if required
                          else "must be a string")
    return value


def _strings(value: Any, where: _Where, field_name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise where.error(field_name, "must be a list of strings")
    return list(value)


def _integer(value: Any, where: _Where, field_name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise where.error(field_name, "must be an integer")
    return value


def _boolean(value: Any, where: _Where, field_name: str) -> bool:
    if not isinstance(value, bool):
        raise where.error(field_name, "must be true or false")
    return value
