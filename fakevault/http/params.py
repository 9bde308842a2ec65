"""Request parameters with Vault's loose typing and errors that name the field.

Vault decodes parameters weakly (mapstructure): "true" is a bool, 30 is a duration, "a,b" is a
list. Unknown parameters are ignored with a warning, as framework paths do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from fakevault.model.durations import parse_seconds
from fakevault.model.errors import InvalidRequestError

_INTEGER = re.compile(r"[+-]?[0-9]+")
_TRUE = {"true", "1", "t", "yes"}
_FALSE = {"false", "0", "f", "no", ""}


class Params:
    """The parameters of one request (JSON body for writes, query string for reads)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = dict(values)
        self.used: set[str] = set()

    def __contains__(self, name: str) -> bool:
        return name in self.values

    def _get(self, name: str) -> Any:
        self.used.add(name)
        return self.values.get(name)

    def string(self, name: str, default: str = "", *, required: bool = False) -> str:
        """A string parameter; numbers are accepted as their text, as Vault does."""
        value = self._get(name)
        if value is None:
            if required:
                raise InvalidRequestError(f'missing required field "{name}"')
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidRequestError(
                f'invalid value for "{name}": expected a string, got {_kind(value)}')
        text = str(value)
        if required and not text:
            raise InvalidRequestError(f'missing required field "{name}"')
        return text

    def boolean(self, name: str, default: bool = False) -> bool:
        """A bool parameter ("true"/"false"/1/0 accepted)."""
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise InvalidRequestError(f'invalid value for "{name}": expected a boolean, '
                                  f"got {_kind(value)}")

    def integer(self, name: str, default: int = 0) -> int:
        """An integer parameter ("5" accepted)."""
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            try:
                return int(value)
            except ValueError:  # past Python's limit of 4300 digits
                raise InvalidRequestError(f'invalid value for "{name}": too many digits') \
                    from None
        raise InvalidRequestError(f'invalid value for "{name}": expected an integer, '
                                  f"got {_kind(value)}")

    def duration(self, name: str, default: str | int = "") -> str | int:
        """A duration parameter, validated now and returned as given."""
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidRequestError(f'invalid value for "{name}": expected a duration, '
                                      f"got {_kind(value)}")
        parse_seconds(value, field=name)
        return value if isinstance(value, str) else int(value)

    def strings(self, name: str) -> list[str]:
        """A list of strings (a JSON array, or a comma-separated string)."""
        value = self._get(name)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return list(value)
        raise InvalidRequestError(f'invalid value for "{name}": expected a list of strings, '
                                  f"got {_kind(value)}")

    def mapping(self, name: str) -> dict[str, Any]:
        """A JSON object parameter."""
        value = self._get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise InvalidRequestError(f'invalid value for "{name}": expected an object, '
                                      f"got {_kind(value)}")
        return value

    def raw(self, name: str) -> Any:
        """The parameter as sent."""
        return self._get(name)

    def ignored(self, known: Iterable[str] = ()) -> list[str]:
        """Parameters nobody read (besides ``known``), sorted."""
        return sorted(set(self.values) - self.used - set(known))


def _kind(value: Any) -> str:
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
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def ignored_warning(names: list[str]) -> str:
    """Vault's warning for parameters a framework path does not know."""
    return f"Endpoint ignored these unrecognized parameters: [{' '.join(names)}]"
