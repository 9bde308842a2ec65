"""Hypothesis fuzzing of every declared path (``fakevault.vault.endpoints``).

Each example sends ONE request (any route with its placeholders filled in, any method including
unknown verbs, arbitrary bodies, wrong-typed parameters, huge and odd strings, garbage tokens,
query strings and headers) to one cluster of a fresh copy of one of two worlds: a fresh
Simulator, and one where a is a DR and performance primary, b its DR secondary, c its
performance secondary and d replicates nothing. Whatever was sent:

- the answer is never a 5xx and ``app.internal_errors`` stays empty;
- every body is strict JSON (no NaN/Infinity, which Go clients refuse);
- every 4xx has Content-Type exactly ``application/json`` and ``{"errors": [str, ...]}`` (the
  405 for an unknown verb an empty list), save the 4xx bodies Vault itself sends that are not
  errors: ``sys/health``'s body with 429/472/473 or a code the caller chose, kv-v2's 404
  envelopes (a deleted version, an invalid KV v2 path: data and warnings), kv-v2's empty 404
  for a PATCH of a missing secret, and HEAD answers (no body);
- a request answered with status >= 400 leaves the world unchanged (history aside; compared
  with ``world_state`` before and after, as ``unchanged()`` does, since only refusals count);
- after a request that succeeded, the (possibly replaced) world still answers its status pages.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fuzz_worlds import CLUSTERS, WORLDS, fresh_copy, mutated_snapshot, snapshot_paths
from hypothesis import example, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from fakevault.http.app import FakeVaultApp
from fakevault.http.errors import KNOWN_METHODS
from fakevault.testing.assertions import world_state
from fakevault.testing.clients import VaultTestClient
from fakevault.testing.strategies import invalid_durations
from fakevault.vault.endpoints import Endpoint as Route
from fakevault.vault.endpoints import endpoints

RTYPES = ("performance", "dr")
UNKNOWN_VERBS = ("BREW", "PROPFIND", "MKCOL", "TRACE", "CONNECT", "FOO-BAR", "X")
METHODS = tuple(sorted(KNOWN_METHODS))
HEALTH_CODES = ("activecode", "standbycode", "drsecondarycode", "performancestandbycode",
                "sealedcode", "uninitcode", "haunhealthycode", "removedcode")

#: Every parameter name a handler reads (and a few Vault knows that the fake ignores).
PARAMETERS = (
    "id", "ttl", "token", "force", "update_primary_addrs", "dr_operation_token", "policy",
    "rules", "data", "options", "seconds", "clusters", "seed", "kind", "tree", "type",
    "primary_cluster_addr", "primary_api_addr", "ca_file", "ca_path", "secondary_public_key",
    "diff", "skip_flush", "otp", "pgp_key", "key", "nonce", "policies", "explicit_max_ttl",
    "period", "no_parent", "no_default_policy", "renewable", "display_name", "meta",
    "num_uses", "lease", "description", "config", "local", "seal_wrap", "max_versions",
    "cas_required", "delete_version_after", "custom_metadata", "versions", "version", "name",
    "list", "cas", "plugin_name", "path", "format", "clock", "standbyok", "perfstandbyok",
    *HEALTH_CODES,
)

# -- strategies --------------------------------------------------------------------------------

HUGE = ("x" * 100_000, "é" * 50_000, "\U0001f600" * 25_000, "a/" * 50_000, "0" * 100_000)
#: Huge path segments and query values: plain ones (percent-decoding 100 KB of "%F0%9F..." in
#: the test client alone costs a second per example).
HUGE_PATHS = ("x" * 100_000, "\U0001f600" * 500 + "é" * 500)
ODD = ("", " ", "\x00", "a\x00b", "\t", "\u202e", "\ufeff", "\U0001f600", "\U00010348",
       "%", "%00", "..", ".", "?", "#", "*", "+", "\\", "'", '"', "{{}}", "null", "true",
       "0x10", "1e999", "٣", "²", "-0", "NaN", "Infinity")
LEAF_TEXT = st.one_of(
    st.text(max_size=12),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
    st.sampled_from(ODD),
    st.sampled_from(HUGE),
)
JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(),
                        st.floats(allow_nan=False, allow_infinity=False), LEAF_TEXT)
KEYS = st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=8), st.sampled_from(ODD))
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=10)
#: Values of the wrong type (or shape, or size) for any parameter.
BAD_VALUES = st.one_of(
    st.sampled_from([None, True, False, 0, -1, 1, 2**63, 2**64 + 1, 10**30, -(10**30), 1e308,
                     -1e308, 0.5, 1.0, [], {}, [None], ["a", 1], {"a": {"b": []}}, "",
                     "true", "maybe", "x", "-1", "0x10", "1_000", "+5", "5s5", "∞", "٣", "²"]),
    invalid_durations(),
    LEAF_TEXT,
    JSON_VALUES,
)
SAFE = string.ascii_letters + string.digits + "-_."
SEGMENTS = st.one_of(
    st.text(SAFE, min_size=1, max_size=10),
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=6),
    st.sampled_from([s for s in ODD if s]),
    st.sampled_from(HUGE_PATHS),
)
NAMES = st.one_of(st.sampled_from(["a", "b", "c", "d", "x", "default", "root", "fuzz",
                                   "response-wrapping", "control-group", "A", "zz"]),
                  SEGMENTS)
MOUNTS = st.one_of(
    st.sampled_from(["secret", "kv1", "kv2", "localkv", "sys", "auth/token", "cubbyhole",
                     "identity", "newkv", "secret/data", "kv1/sub", "audit/x"]),
    st.lists(SEGMENTS, min_size=1, max_size=3).map("/".join),
)
LOGICAL_PREFIXES = ("secret/data/", "secret/metadata/", "secret/delete/", "secret/undelete/",
                    "secret/destroy/", "secret/config", "secret/", "secret", "kv1/", "kv2/data/",
                    "kv2/metadata/", "kv2/config", "localkv/data/", "cubbyhole/", "identity/",
                    "nonsense/", "x", "sysx/", "authz/")
LOGICAL = st.builds(lambda prefix, rest: prefix + rest, st.sampled_from(LOGICAL_PREFIXES),
                    st.one_of(st.just(""), st.sampled_from(["app", "deep/er/app", "app/",
                                                            "deep/", "none"]),
                              st.lists(SEGMENTS, min_size=1, max_size=3).map("/".join)))
PLACEHOLDERS: dict[str, st.SearchStrategy[str]] = {
    "{rtype}": st.sampled_from(RTYPES),
    "{name}": NAMES,
    "{mount}": MOUNTS,
    "{path}": st.one_of(st.sampled_from(["app", "deep/er/app", "app/", "deep/", ""]),
                        st.lists(SEGMENTS, min_size=1, max_size=3).map("/".join)),
    "{logical}": LOGICAL,
    "{id}": st.one_of(st.sampled_from(["b", "c", "d", "nope"]), SEGMENTS),  # secondary ids
}
#: Secrets engines answer under any mount, not only secret/: one catch-all for the fuzzer.
ANY_MOUNT = replace(next(e for e in endpoints() if e.path == "secret/data/{path}"),
                    path="{logical}", methods=("GET", "POST", "PUT", "DELETE", "LIST", "PATCH"))
ROUTES = [*endpoints(), ANY_MOUNT]


def _quote_path(path: str) -> str:
    """Percent-encode each segment (a generated "?" or "#" stays in the path)."""
    return "/".join(quote(part, safe="") for part in path.split("/"))


@st.composite
def route_paths(draw: st.DrawFn, route: Route) -> str:
    """The route's URL path with every placeholder filled in, percent-encoded."""
    path = route.path
    for placeholder, strategy in PLACEHOLDERS.items():
        while placeholder in path:
            path = path.replace(placeholder, draw(strategy), 1)
    if route.control:
        return _quote_path(path)
    return "/v1/" + _quote_path(path)


def _latin1(text: str) -> str:
    """What a WSGI server puts in environ for a header sent as UTF-8 (no CR/LF in headers)."""
    return text.encode("utf-8").decode("latin-1").replace("\r", "").replace("\n", "")


TOKENS = st.one_of(
    st.sampled_from(["root", " root ", "root\t", "ROOT", "Root", "root\x00", "\x00", "hvs.",
                     "hvs.AAAA", "s.abc", "hvb.AAAAAQxyz", "null", "undefined", "Bearer root",
                     "root root", "-", "*", "root;", "root,root"]),
    st.text(max_size=30).map(_latin1),
    st.sampled_from(HUGE[:2]).map(_latin1),
)
AUTHORIZATIONS = st.one_of(
    st.sampled_from(["Bearer root", "Bearer", "Bearer ", "bearer root", "BEARER root",
                     "Bearer  root", "Bearer root extra", "Basic cm9vdDo=", "Token root",
                     "Bearer \x00", "Bearer hvs.garbage", "root"]),
    st.text(max_size=30).map(_latin1),
)
CONTENT_TYPES = st.sampled_from([
    "text/plain", "application/json", "application/json; charset=utf-16", "application/xml",
    "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "multipart/form-data", "application/merge-patch+json", "", ";;;=", "*/*",
    "application/json; charset=latin-1", "application/merge-patch+json; charset=utf-8"])
WRAP_TTLS = st.one_of(st.sampled_from(["0", "-1", "abc", "1h", "", "30s", "99999999999h"]),
                      invalid_durations().map(str), st.text(max_size=10).map(_latin1))
NAMESPACES = st.one_of(st.sampled_from(["", "admin", "admin/", "../..", "ns1/ns2", "\x00",
                                        "root", "/"]),
                       st.text(max_size=10).map(_latin1))


@st.composite
def odd_headers(draw: st.DrawFn) -> dict[str, str]:
    """Tokens, Authorization, content types, wrapping and namespace headers, any mix."""
    headers: dict[str, str] = {}
    if draw(st.booleans()):
        headers["X-Vault-Token"] = draw(TOKENS)
    if draw(st.integers(0, 3)) == 0:
        headers["Authorization"] = draw(AUTHORIZATIONS)
    if draw(st.booleans()):
        headers["Content-Type"] = draw(CONTENT_TYPES)
    if draw(st.integers(0, 3)) == 0:
        headers["X-Vault-Wrap-TTL"] = draw(WRAP_TTLS)
    if draw(st.integers(0, 3)) == 0:
        headers["X-Vault-Namespace"] = draw(NAMESPACES)
    if draw(st.integers(0, 5)) == 0:
        headers["X-Vault-Request"] = draw(st.sampled_from(["true", "false", "", "\x00"]))
    if draw(st.integers(0, 5)) == 0:
        headers["X-Vault-Policy-Override"] = draw(st.sampled_from(["true", "x", ""]))
    if draw(st.integers(0, 5)) == 0:
        headers["Accept"] = draw(st.sampled_from(["text/html", "*/*", "", "application/xml"]))
    return headers


QUERY_VALUES = st.one_of(
    st.sampled_from(["maybe", "x", "abc", "", "-1", "0", "1", "true", "false", "TRUE", "t",
                     "99999999999999999999999", "1e3", "0x1f", "%", "\x00", "٣", "²", "200",
                     "99", "100", "204", "299", "304", "404", "472", "1000", "+200", " 200"]),
    st.text(max_size=10),
    st.sampled_from(HUGE_PATHS),
)
RAW_QUERIES = st.sampled_from([
    "list=maybe", "version=x", "drsecondarycode=abc", "list=true&list=false", "%zz", "a=%ff%fe",
    "&&&", "=", "list", "version=-1", "version=99999999999999999999999", "activecode=0",
    "activecode=99", "activecode=1000", "standbyok=maybe", "perfstandbyok=", "version=%00",
    "ttl=inf", "list=true", "list=TRUE", "version=1&version=2", "token=", "token=%00",
    "drsecondarycode=", "activecode=+200", "activecode=abc&standbycode=1e2"])


@st.composite
def query_strings(draw: st.DrawFn) -> str:
    """A raw query string: generated parameters, or a known-bad one."""
    if draw(st.booleans()):
        return draw(RAW_QUERIES)
    pairs = draw(st.lists(st.tuples(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=6)),
                                    QUERY_VALUES), max_size=4))
    return urlencode(pairs)


@st.composite
def bodies(draw: st.DrawFn) -> bytes | None:
    """No body, any JSON value (objects mostly), known parameters of the wrong type, or bytes."""
    kind = draw(st.sampled_from(["none", "json", "object", "params", "params", "raw"]))
    if kind == "none":
        return None
    if kind == "raw":
        return draw(st.one_of(st.binary(max_size=40), st.sampled_from(RAW_BODIES)))
    if kind == "json":
        value = draw(JSON_VALUES)
    elif kind == "object":
        value = draw(st.dictionaries(KEYS, JSON_VALUES, max_size=5))
    else:
        value = draw(st.dictionaries(st.sampled_from(PARAMETERS), BAD_VALUES, min_size=1,
                                     max_size=4))
    return json.dumps(value, ensure_ascii=draw(st.booleans())).encode("utf-8")


#: Bodies that are not (Go-acceptable) JSON objects.
RAW_BODIES = (b"", b" ", b"null", b"[]", b"{", b"}", b"{}{}", b'{"a":1}garbage', b"\xff\xfe",
              b"\xef\xbb\xbf{}", b'{"a": 1, "a": 2}', b"\x00", b"0", b'"text"', b"1e999",
              b'{"ttl": 1e999}', b"{'single': 1}", b'{"data": {"x": 1}', b"\n\n\t",
              "{}".encode("utf-16"), b"a=1&b=2", b"--x\r\nContent-Disposition: form-data\r\n")


@dataclass
class Call:
    """One request: where it goes and what it carries."""

    world: str
    cluster: str
    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@st.composite
def _methods(draw: st.DrawFn, route: Route) -> str:
    """Mostly the route's own methods; sometimes another known one, or an unknown verb."""
    roll = draw(st.integers(0, 9))
    if roll < 7:
        return draw(st.sampled_from(route.methods))
    return draw(st.sampled_from(METHODS if roll < 9 else UNKNOWN_VERBS))


@st.composite
def calls(draw: st.DrawFn, routes: Sequence[Route] = ROUTES, *,
          body: st.SearchStrategy[bytes | None] | None = None,
          headers: st.SearchStrategy[dict[str, str]] | None = None,
          query: st.SearchStrategy[str] | None = None,
          method: Callable[[Route], st.SearchStrategy[str]] = _methods) -> Call:
    """A request for one of ``routes``; the root token unless ``headers`` says otherwise."""
    route = draw(st.sampled_from(list(routes)))
    sent = draw(headers) if headers is not None else {"X-Vault-Token": "root"}
    return Call(world=draw(st.sampled_from(WORLDS)), cluster=draw(st.sampled_from(CLUSTERS)),
                method=draw(method(route)), path=draw(route_paths(route)),
                query=draw(query) if query is not None else "",
                headers=sent, body=draw(body if body is not None else bodies()))


# -- running one call and checking the properties ----------------------------------------------


def _strict_json(body: bytes) -> Any:
    def refuse(constant: str) -> Any:
        raise AssertionError(f"{constant} in a JSON answer (Go clients refuse it)")

    return json.loads(body, parse_constant=refuse)


def _health_codes(query: str) -> bool:
    """True if the caller chose the status code (sys/health's *code parameters)."""
    return any(name in query for name in HEALTH_CODES)


def _is_vault_non_error_4xx(response: TestResponse, payload: Any) -> bool:
    """4xx bodies Vault itself sends without "errors": health, and kv-v2's 404 envelopes."""
    if not isinstance(payload, dict):
        return False
    if "initialized" in payload and "replication_dr_mode" in payload:
        return True  # sys/health answers 429/472/473 or a caller-chosen code with its body
    return response.status_code == 404 and payload.get("mount_type") == "kv" \
        and "data" in payload and "warnings" in payload


def send(vault: VaultTestClient, call: Call) -> TestResponse:
    """Send ``call`` through ``vault``'s app (raw path, query string, headers and body)."""
    headers = {"Host": urlsplit(vault.sim[call.cluster].api_addr).netloc, **call.headers}
    response: TestResponse = vault.client.open(call.path, method=call.method, headers=headers,
                                               data=call.body, query_string=call.query)
    return response


def check_answer(app: FakeVaultApp, call: Call, response: TestResponse) -> None:
    """Never a 5xx or internal error; strict JSON; 4xx: application/json and "errors"."""
    status, body = response.status_code, response.get_data()
    detail = f"{call.method} {call.path}?{call.query[:200]} -> {status} {body[:300]!r}"
    assert not app.internal_errors, f"{detail}: {app.internal_errors!r}"
    if not (_health_codes(call.query) and "health" in call.path):
        assert status < 500, detail
    if call.method.upper() not in KNOWN_METHODS:
        assert (status, _strict_json(body)) == (405, {"errors": []}), detail
        return
    if call.method.upper() == "HEAD" or not body:
        # Vault's kv-v2 answers a PATCH of a missing secret with an empty 404
        # (RespondWithStatusCode(nil, ...)); HEAD answers never have a body.
        assert status < 400 or call.method.upper() == "HEAD" \
            or (call.method.upper(), status) == ("PATCH", 404), f"an empty error: {detail}"
        return
    payload = _strict_json(body)
    if status < 400:
        return
    assert response.headers.get("Content-Type") == "application/json", detail
    if _is_vault_non_error_4xx(response, payload):
        return
    assert isinstance(payload, dict) and isinstance(payload.get("errors"), list), detail
    assert all(isinstance(message, str) for message in payload["errors"]), detail


def check_still_serving(app: FakeVaultApp, call: Call) -> None:
    """After a success, the (possibly replaced) world still answers its status pages."""
    vault = VaultTestClient(app.sim, app)
    host = urlsplit(app.sim[app.sim.names[0]].api_addr).netloc
    root = app.sim.root_token  # a restored snapshot may name one no header can carry
    if root.isascii() and root.isprintable() and root == root.strip():
        state = vault.client.open("/_fakevault/state",
                                  headers={"Host": host, "X-Vault-Token": root})
        assert state.status_code == 200, state.get_data(as_text=True)[:300]
        _strict_json(state.get_data())
    if call.cluster in app.sim and not app.sim[call.cluster].crashed:
        health = vault.get(call.cluster, "sys/health", token=None)
        assert health.status_code < 500, health.get_data(as_text=True)[:300]
        _strict_json(health.get_data())
    assert not app.internal_errors, app.internal_errors


def run(call: Call) -> TestResponse:
    """Send ``call`` to a fresh copy of its world and check every property."""
    sim = fresh_copy(call.world)
    app = FakeVaultApp(sim)
    vault = VaultTestClient(sim, app)
    before = world_state(sim)
    response = send(vault, call)
    check_answer(app, call, response)
    if response.status_code >= 400:
        assert app.sim is sim, "a refused request replaced the world"
        after = world_state(sim)
        changed = sorted(key for key in before if before[key] != after.get(key))
        assert not changed, (f"a refused request changed the world ({', '.join(changed)}): "
                             f"{call.method} {call.path} -> {response.status_code} "
                             f"{response.get_data()[:300]!r}")
    else:
        check_still_serving(app, call)
    return response


V1_ROUTES = [route for route in ROUTES if not route.control]
CONTROL_ROUTES = [route for route in ROUTES if route.control]
LOGICAL_ROUTE = [ANY_MOUNT]
REPLICATION_ROUTES = [route for route in ROUTES if route.path.startswith("sys/replication")]
READ_METHODS = ("GET", "LIST", "DELETE")
READABLE_ROUTES = [route for route in ROUTES if set(route.methods) & set(READ_METHODS)]


def _read_methods(route: Route) -> st.SearchStrategy[str]:
    methods = [m for m in route.methods if m in READ_METHODS]
    return st.sampled_from(methods + (["HEAD"] if "GET" in methods else []))


def _own_methods(route: Route) -> st.SearchStrategy[str]:
    return st.sampled_from(route.methods)


def _json_object(keys: Sequence[str], values: st.SearchStrategy[Any] = BAD_VALUES,
                 max_size: int = 4) -> st.SearchStrategy[bytes]:
    return st.dictionaries(st.sampled_from(list(keys)), values, min_size=1,
                           max_size=max_size).map(lambda v: json.dumps(v).encode())


# -- the fuzz tests ----------------------------------------------------------------------------


def test_every_placeholder_has_a_strategy() -> None:
    """A route added later with a new placeholder would need a strategy here."""
    for route in ROUTES:
        remaining = route.path
        for placeholder in PLACEHOLDERS:
            remaining = remaining.replace(placeholder, "")
        assert "{" not in remaining, route.path


@settings(max_examples=300)
@given(call=calls(V1_ROUTES))
def test_any_route_any_body(call: Call) -> None:
    run(call)


@settings(max_examples=200)
@given(call=calls(V1_ROUTES, body=_json_object(PARAMETERS, max_size=5), method=_own_methods))
@example(call=Call("fresh", "a", "POST", "/v1/auth/token/create", headers={
    "X-Vault-Token": "root"}, body=b'{"ttl": "1e300h", "explicit_max_ttl": 1e300}'))
@example(call=Call("replicating", "a", "POST", "/v1/secret/config", headers={
    "X-Vault-Token": "root"}, body=b'{"delete_version_after": 1e300}'))
def test_known_parameters_of_the_wrong_type(call: Call) -> None:
    run(call)


@settings(max_examples=100)
@given(call=calls(REPLICATION_ROUTES, body=_json_object(
    ("id", "ttl", "token", "force", "update_primary_addrs", "dr_operation_token",
     "primary_cluster_addr", "primary_api_addr", "secondary_public_key", "diff", "skip_flush",
     "otp", "key", "nonce", "ca_file", "ca_path"), max_size=3), method=_own_methods))
@example(call=Call("replicating", "b", "POST",
                   "/v1/sys/replication/dr/secondary/generate-operation-token/attempt",
                   headers={}, body=json.dumps({"otp": "\u00e9" * 28}).encode()))
@example(call=Call("replicating", "a", "POST", "/v1/sys/replication/dr/primary/enable",
                   headers={}, body=b'{"a": ' * 600 + b'"\\ud800"' + b"}" * 600))
@example(call=Call("replicating", "a", "POST",
                   "/v1/sys/replication/dr/primary/secondary-token",
                   headers={"X-Vault-Token": "root"}, body=b'{"id": "d", "ttl": 1e300}'))
def test_replication_routes_with_bad_parameters(call: Call) -> None:
    run(call)


@settings(max_examples=200)
@given(call=calls(LOGICAL_ROUTE, method=lambda route: st.one_of(
    _own_methods(route), _own_methods(route), st.sampled_from(METHODS))))
@example(call=Call("replicating", "a", "PATCH", "/v1/secret/data/app",
                   headers={"X-Vault-Token": "root",
                            "Content-Type": "application/merge-patch+json"},
                   body=b'{"data": {"x": null}, "options": {"cas": "abc"}}'))
@example(call=Call("replicating", "c", "POST", "/v1/secret/data/app",
                   headers={"X-Vault-Token": "root"}, body=b'{"data": ["not", "an object"]}'))
@example(call=Call("replicating", "a", "POST", "/v1/secret/data/app",
                   headers={"X-Vault-Token": "root"},
                   body=b'{"data": {"a": 1}, "options": {"cas": 1e999}}'))
def test_logical_paths(call: Call) -> None:
    run(call)


@settings(max_examples=150)
@given(call=calls(V1_ROUTES, headers=odd_headers()))
@example(call=Call("fresh", "a", "POST", "/v1/auth/token/create",
                   headers={"Authorization": "Bearer root", "X-Vault-Wrap-TTL": "abc"}))
@example(call=Call("fresh", "a", "GET", "/v1/sys/mounts",
                   headers={"X-Vault-Token": "x" * 100_000}))
def test_garbage_tokens_and_odd_headers(call: Call) -> None:
    run(call)


@settings(max_examples=150)
@given(call=calls(READABLE_ROUTES, query=query_strings(), body=st.none(), method=_read_methods))
@example(call=Call("replicating", "b", "GET", "/v1/sys/health", query="drsecondarycode=abc"))
@example(call=Call("replicating", "a", "GET", "/v1/secret/data/app", query="version=x"))
@example(call=Call("replicating", "a", "GET", "/v1/secret/metadata/", query="list=maybe",
                   headers={"X-Vault-Token": "root"}))
def test_bad_query_strings(call: Call) -> None:
    run(call)


@settings(max_examples=30)
@given(call=calls(ROUTES, method=lambda route: st.sampled_from(UNKNOWN_VERBS),
                  headers=st.one_of(st.just({"X-Vault-Token": "root"}), odd_headers())))
def test_unknown_verbs_are_405_with_no_errors(call: Call) -> None:
    response = run(call)
    assert response.status_code == 405
    assert response.json == {"errors": []}


CONTROL_PARAMETERS = ("seconds", "seed", "clusters", "kind", "tree", "type", "format",
                      "version", "config")


@settings(max_examples=150)
@given(call=calls(CONTROL_ROUTES, body=st.one_of(
    bodies(),
    _json_object(CONTROL_PARAMETERS, max_size=3),
    st.fixed_dictionaries({"seconds": st.one_of(st.floats(), st.integers(), BAD_VALUES)}).map(
        lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"clusters": st.lists(NAMES, max_size=3)}).map(
        lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"kind": st.sampled_from(["corrupt-merkle", "stall", "crash", "x"]),
                           "tree": BAD_VALUES, "type": BAD_VALUES}).map(
        lambda v: json.dumps(v).encode()),
), method=_own_methods))
@example(call=Call("replicating", "a", "POST", "/_fakevault/clock/advance",
                   headers={"X-Vault-Token": "root"}, body=b'{"seconds": 1e12}'))
@example(call=Call("fresh", "a", "POST", "/_fakevault/seed",
                   headers={"X-Vault-Token": "root"}, body=b'{"seed": "99999999999999999999"}'))
def test_control_plane(call: Call) -> None:
    run(call)


@settings(max_examples=100)
@given(data=st.data())
def test_restore_of_a_corrupted_snapshot(data: st.DataObject) -> None:
    """One value anywhere in a real snapshot replaced: a 400, or a world that still serves."""
    path = data.draw(st.sampled_from(snapshot_paths()), label="path")
    value = data.draw(BAD_VALUES, label="value")
    body = json.dumps(mutated_snapshot(path, value)).encode()
    run(Call(data.draw(st.sampled_from(WORLDS)), data.draw(st.sampled_from(CLUSTERS)), "POST",
             "/_fakevault/restore", headers={"X-Vault-Token": "root"}, body=body))
