"""Path declarations, in the manner of Vault's ``sdk/framework``: one declaration per path.

A backend is a table of :class:`Path` declarations. Each names its pattern (a regular
expression relative to the mount, named groups for captures), its typed :class:`Field` s, the
operations it answers (each a callback), who may call it (``auth``), and whether a DR secondary
still serves it. That one declaration is what routes a request, decodes and validates its data
with Vault's weak typing, warns about parameters it does not know, and describes the path in
the OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from fakevault.model.durations import parse_seconds
from fakevault.model.errors import InvalidRequestError, VaultError
from fakevault.model.messages import error

if TYPE_CHECKING:
    from fakevault.model.versions import Profile
    from fakevault.vault.context import Context
    from fakevault.vault.logical import Response

FieldType = Literal["string", "bool", "int", "duration", "strings", "map", "raw"]
JsonType = Literal["string", "boolean", "integer", "number", "array", "object"]
#: Who may call a path: nobody needs a token (``none``), a token the policies allow
#: (``token``), that and ``sudo`` (``sudo``), a DR operation token in the body (``dr_op``), or
#: the root token on fakevault's own control plane (``control``).
Auth = Literal["none", "token", "sudo", "dr_op", "control"]
Callback = Callable[["Context"], "Response"]
ExistenceCheck = Callable[["Context"], bool]

#: What fakevault.model.durations.parse_seconds accepts: seconds, "2d", or Go units ("1h30m").
DURATION_PATTERN = r"^([0-9]{1,9}|[0-9]{1,5}d|([0-9]{1,6}(ns|us|ms|s|m|h)){1,4})$"
_JSON_TYPES: dict[FieldType, JsonType] = {
    "string": "string", "bool": "boolean", "int": "integer", "duration": "string",
    "strings": "array", "map": "object", "raw": "string"}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_TRUE = {"true", "1", "t", "yes"}
_FALSE = {"false", "0", "f", "no", ""}
#: Where each operation's data comes from, for required fields (a delete sends none).
_REQUIRED_IN = {"read": "query", "list": "query", "update": "body", "patch": "body"}
_REGEX_SYNTAX = frozenset("()[]{}?*+.^$|\\")


@dataclass(frozen=True)
class Field:
    """One parameter of a path (Vault's ``FieldSchema``).

    ``type`` decides decoding: ``string``, ``bool`` ("true", 1), ``int`` ("5"), ``duration``
    (seconds or "1h30m"; decoded to seconds), ``strings`` (a list or "a,b"), ``map`` (a JSON
    object), or ``raw`` (as sent; the callback checks it, and ``json`` documents it).
    ``location`` says where a client sends it: ``body`` (writes), ``query`` (reads) or
    ``both``. ``required`` is enforced for the operations of its location: a missing or empty
    value is a 400, with Vault's own message for that path when ``missing`` names one in
    :data:`fakevault.model.messages.MESSAGES`.
    """

    name: str
    type: FieldType
    description: str
    required: bool = False
    default: Any = None
    location: Literal["body", "query", "both"] = "body"
    json: JsonType | None = None
    items: JsonType | None = None
    values: JsonType | None = None
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    missing: str = ""

    def decode(self, value: Any) -> Any:
        """``value`` as this field's type, or a 400 naming the field."""
        decoder = _DECODERS[self.type]
        return decoder(self.name, value)

    @property
    def json_type(self) -> JsonType:
        """The JSON type the OpenAPI document gives the field."""
        return self.json or _JSON_TYPES[self.type]

    def schema(self) -> dict[str, Any]:
        """The field's JSON schema (OpenAPI 3.0 flavour)."""
        schema: dict[str, Any] = {"type": self.json_type, "description": self.description}
        if self.type == "duration":
            schema["description"] += ' A duration: seconds, or "30m", "1h30m", "2d".'
            schema["pattern"] = DURATION_PATTERN
        if self.required and self.json_type == "string":
            schema["minLength"] = 1  # an empty required string is a missing one
        items = self.items or ("string" if self.type == "strings" else None)
        if items is not None:
            schema["items"] = {"type": items}
        if self.values is not None:
            schema["additionalProperties"] = {"type": self.values}
        for key, value in (("enum", list(self.enum)), ("minimum", self.minimum),
                           ("maximum", self.maximum)):
            if value:
                schema[key] = value
        return schema


# -- weak decoding (mapstructure's, as Vault's FieldData) ------------------------------------


def kind_of(value: Any) -> str:
    """How an error message names a JSON value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else type(value).__name__


def _invalid(name: str, expected: str, value: Any) -> InvalidRequestError:
    return InvalidRequestError(
        f'invalid value for "{name}": expected {expected}, got {kind_of(value)}')


def _string(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _invalid(name, "a string", value)
    return str(value)


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _invalid(name, "a boolean", value)


def _int(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        try:
            return int(value)
        except ValueError:  # past Python's limit of 4300 digits
            raise InvalidRequestError(f'invalid value for "{name}": too many digits') from None
    raise _invalid(name, "an integer", value)


def _duration(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _invalid(name, "a duration", value)
    return parse_seconds(value, field=name)


def _strings(name: str, value: Any) -> list[str]:
    if value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise _invalid(name, "a list of strings", value)


def _map(name: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(name, "an object", value)
    return value


def _raw(name: str, value: Any) -> Any:
    return value


_DECODERS: dict[FieldType, Callable[[str, Any], Any]] = {
    "string": _string, "bool": _bool, "int": _int, "duration": _duration,
    "strings": _strings, "map": _map, "raw": _raw}
_ZERO: dict[FieldType, Callable[[], Any]] = {
    "string": str, "bool": bool, "int": int, "duration": int, "strings": list, "map": dict,
    "raw": lambda: None}


# -- decoded request data --------------------------------------------------------------------


class FieldData:
    """A request's data decoded by its path's fields (Vault's ``FieldData``).

    :meth:`validate` decodes every declared field that was sent (a 400 for a wrong type or a
    missing required field); :meth:`get` answers the decoded value or the field's default.
    Asking for a field the path does not declare is a fakevault bug and raises ``KeyError``.
    """

    __slots__ = ("_decoded", "fields", "values")

    def __init__(self, values: Mapping[str, Any], fields: Mapping[str, Field]) -> None:
        self.values = dict(values)
        self.fields = fields
        self._decoded: dict[str, Any] = {}

    def validate(self, operation: str) -> None:
        """Decode every declared field that was sent; check the ones ``operation`` requires."""
        for name, schema in self.fields.items():
            value = self.values.get(name)
            if value is not None:
                self._decoded[name] = _in_range(schema, schema.decode(value))
        where = _REQUIRED_IN.get(operation)
        for name, schema in self.fields.items():
            if schema.required and schema.location in (where, "both") and \
                    self._decoded.get(name) in (None, "", []):
                raise _missing(schema)

    def get(self, name: str) -> Any:
        """The decoded value of field ``name``, else its default (else its type's zero)."""
        if name in self._decoded:
            return self._decoded[name]
        schema = self.fields[name]
        if schema.default is not None:
            return schema.default
        return _ZERO[schema.type]()

    def __contains__(self, name: str) -> bool:
        """True when the caller sent ``name`` (even as null)."""
        return name in self.values

    def raw(self, name: str) -> Any:
        """Field ``name`` as sent (None when it was not)."""
        self.fields[name]  # a path reads only what it declares
        return self.values.get(name)

    def ignored(self) -> list[str]:
        """What the caller sent that the path does not declare, sorted."""
        return sorted(name for name in self.values if name not in self.fields)


def _in_range(schema: Field, value: Any) -> Any:
    """An int field's ``minimum``/``maximum`` are enforced, not only documented."""
    if schema.type != "int":
        return value
    if schema.minimum is not None and value < schema.minimum:
        raise InvalidRequestError(
            f'invalid value for "{schema.name}": {value} is less than {schema.minimum}')
    if schema.maximum is not None and value > schema.maximum:
        raise InvalidRequestError(
            f'invalid value for "{schema.name}": {value} is more than {schema.maximum}')
    return value


def _missing(schema: Field) -> VaultError:
    if schema.missing:
        return error(schema.missing)
    return InvalidRequestError(f'missing required field "{schema.name}"')


def ignored_warning(names: Iterable[str]) -> str:
    """Vault's warning for parameters a framework path does not know."""
    return f"Endpoint ignored these unrecognized parameters: [{' '.join(names)}]"


# -- paths and backends ----------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """One path of a backend (Vault's ``framework.Path``).

    ``pattern`` is a regular expression relative to the backend's mount, anchored at both
    ends; named groups are captures (``captures`` gives defaults for groups a legacy alias
    does not have). ``operations`` maps each operation to its callback. ``raw_data`` marks a
    path whose data is the secret itself (KV v1): nothing is declared and nothing is ignored.
    ``existence_check`` answers whether an update would create (Vault then needs ``create``).
    ``legacy`` marks the 0.7 document's generic replication paths; ``requires`` names the
    profile flag (:mod:`fakevault.model.versions`) a path exists under; ``answers`` names the
    response schemas of the OpenAPI document.
    """

    pattern: str
    operations: Mapping[str, Callback]
    fields: tuple[Field, ...] = ()
    auth: Auth = "token"
    dr_ok: bool = False
    summary: str = ""
    captures: Mapping[str, str] = field(default_factory=dict)
    existence_check: ExistenceCheck | None = None
    raw_data: bool = False
    legacy: bool = False
    answers: str = ""
    #: Vault serves it from its HTTP layer: where the profile says so (``bare_health_errors``),
    #: its refusals carry an empty error list (sys/health).
    bare_errors: bool = False
    #: Vault copies this path's ``data`` to the top level too (http/handler.go's list).
    copy_data_to_top: bool = False
    #: The path exists only where this profile flag is set (``"!flag"``: where it is not).
    requires: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "operations", MappingProxyType(dict(self.operations)))
        object.__setattr__(self, "captures", MappingProxyType(dict(self.captures)))
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"path {self.pattern!r} declares a field twice")

    @property
    def field_map(self) -> Mapping[str, Field]:
        """Fields by name."""
        return {f.name: f for f in self.fields}

    def exists_in(self, profile: Profile) -> bool:
        """True when the path exists in ``profile`` (the version a world answers as)."""
        if not self.requires:
            return True
        flag = self.requires.removeprefix("!")
        return bool(getattr(profile, flag)) is (flag == self.requires)

    @property
    def literal(self) -> bool:
        """True when the pattern has no regular-expression syntax (matched by a dict)."""
        return not any(char in _REGEX_SYNTAX for char in self.pattern)


class Backend:
    """A table of paths mounted somewhere (``sys/``, ``auth/token/``, a KV mount).

    Routing tries the literal paths by dictionary first, then the patterns in declaration
    order, as Vault's framework does. ``lenient_slash`` lets a path with one trailing slash
    reach the path without it (LIST appends one); ``fallback`` answers every path no
    declaration matches (KV v2's 404s that explain themselves).
    """

    def __init__(self, name: str, mount_type: str, paths: Iterable[Path], *,
                 fallback: Callback | None = None, lenient_slash: bool = False) -> None:
        self.name = name
        self.mount_type = mount_type
        self.paths: tuple[Path, ...] = tuple(paths)
        self.lenient_slash = lenient_slash
        self._literal: dict[str, list[tuple[Path, dict[str, Any], dict[str, Field]]]] = {}
        self._patterns: list[tuple[re.Pattern[str], Path, dict[str, Field]]] = []
        for path in self.paths:
            fields = dict(path.field_map)
            if path.literal:
                self._literal.setdefault(path.pattern, []).append(
                    (path, dict(path.captures), fields))
            else:
                self._patterns.append((re.compile(path.pattern, re.DOTALL), path, fields))
        self._fallback = None if fallback is None else Path(
            ".*", dict.fromkeys(("read", "update", "delete", "list", "patch"), fallback),
            raw_data=True)

    def __repr__(self) -> str:
        return f"<Backend {self.name}: {len(self.paths)} paths>"

    def route(self, rest: str, profile: Profile,
              ) -> tuple[Path, dict[str, Any], Mapping[str, Field]] | None:
        """The path serving ``rest`` (relative to the mount) in ``profile``, with its captures,
        or None."""
        found = self._match(rest, profile)
        if found is None and self.lenient_slash and rest.endswith("/"):
            found = self._match(rest[:-1], profile)
        if found is None and self._fallback is not None:
            return self._fallback, {}, {}
        return found

    def _match(self, rest: str, profile: Profile,
               ) -> tuple[Path, dict[str, Any], Mapping[str, Field]] | None:
        for path, captures, fields in self._literal.get(rest, ()):
            if path.exists_in(profile):
                return path, dict(captures), fields
        for regex, path, fields in self._patterns:
            match = regex.fullmatch(rest)
            if match is not None and path.exists_in(profile):
                captures = {**path.captures,
                            **{k: v for k, v in match.groupdict().items() if v is not None}}
                return path, captures, fields
        return None
