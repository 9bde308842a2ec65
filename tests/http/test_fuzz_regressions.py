"""What the route fuzzers found, kept as plain regression tests (see test_fuzz_routes.py)."""

from __future__ import annotations

import pytest
from test_fuzz_routes import Call, _strict_json, fresh_copy, run

from fakevault.http.app import FakeVaultApp
from fakevault.testing.clients import VaultTestClient

# -- what the fuzzers found, kept as plain regression tests ------------------------------------

ROOT = {"X-Vault-Token": "root"}


def _post(world: str, path: str, body: bytes, cluster: str = "a") -> Call:
    return Call(world, cluster, "POST", path, headers=ROOT, body=body)


@pytest.mark.parametrize("call", [
    _post("fresh", "/_fakevault/clock/advance", b'{"seconds": 1e999}'),
    _post("fresh", "/_fakevault/clock/advance", b'{"seconds": NaN}'),
    _post("fresh", "/_fakevault/clock/advance", b'{"seconds": 1e300}'),
    _post("replicating", "/_fakevault/clock/advance", b'{"seconds": 1e12}'),
    _post("fresh", "/v1/auth/token/create", b'{"ttl": 1e999}'),
    _post("fresh", "/v1/auth/token/create", b'{"ttl": NaN}'),
    _post("fresh", "/v1/auth/token/create", b'{"explicit_max_ttl": 1e300}'),
    _post("fresh", "/v1/auth/token/create", b'{"ttl": 1' + b"0" * 400 + b"}"),
    _post("replicating", "/v1/secret/data/app", b'{"data": {}, "options": {"cas": 1e999}}'),
    _post("replicating", "/v1/secret/data/app", b'{"data": {}, "options": {"cas": NaN}}'),
    _post("replicating", "/v1/secret/config", b'{"delete_version_after": 1e300}'),
    _post("replicating", "/v1/secret/metadata/app", b'{"delete_version_after": "9e9h"}'),
    _post("replicating", "/v1/sys/replication/dr/primary/secondary-token",
          b'{"id": "d", "ttl": 1e300}'),
], ids=["advance-infinity", "advance-nan", "advance-1e300", "advance-past-year-9707",
        "ttl-infinity", "ttl-nan", "explicit-max-ttl-1e300", "ttl-400-digits", "cas-infinity",
        "cas-nan", "kv-config-1e300", "kv-metadata-huge", "secondary-token-ttl-1e300"])
def test_out_of_range_numbers_are_400(call: Call) -> None:
    """Durations beyond Go's time.Duration, NaN, infinities: refused, never a 500 later."""
    response = run(call)
    assert response.status_code == 400, response.get_data(as_text=True)


@pytest.mark.parametrize("call", [
    _post("fresh", "/v1/auth/token/create", b"[" * 100_000),
    _post("fresh", "/v1/auth/token/create", b'{"a": ' * 100_000),
], ids=["array", "object"])
def test_deeply_nested_json_is_400(call: Call) -> None:
    response = run(call)
    assert response.status_code == 400


def _nested_surrogate(levels: int) -> bytes:
    return b'{"a": ' * levels + b'"\\ud800"' + b"}" * levels


@pytest.mark.parametrize("levels", [257, 489, 600, 900])
@pytest.mark.parametrize("path", ["/v1/auth/token/create", "/v1/secret/data/x",
                                  "/v1/sys/replication/dr/primary/enable",
                                  "/_fakevault/clock/advance"])
def test_deep_nesting_with_a_lone_surrogate_is_400_without_a_token(path: str,
                                                                   levels: int) -> None:
    call = Call("replicating", "a", "POST", path, headers={}, body=_nested_surrogate(levels))
    response = run(call)
    assert response.status_code == 400
    assert response.json == {"errors": ["error parsing JSON"]}


def test_nesting_up_to_the_bound_is_stored_and_answered_back() -> None:
    body = b'{"data": ' + b'{"a": ' * 255 + b'"\\ud800"' + b"}" * 255 + b"}"
    response = run(_post("replicating", "/v1/secret/data/deep", body))
    assert response.status_code == 200


@pytest.mark.parametrize("call", [
    _post("replicating", "/v1/secret/data/x", b'{"data": {"\\ud800": 1}}'),
    _post("replicating", "/v1/kv1/x", b'{"\\udfff": 1}'),
    _post("replicating", "/v1/sys/policies/acl/p",
          b'{"policy": "path \\"\\ud800\\" { capabilities = [\\"read\\"] }"}'),
    _post("replicating", "/v1/auth/token/create", b'{"meta": {"k": "\\ud800"}}'),
    _post("replicating", "/v1/auth/token/lookup", b'{"token": "\\ud800"}'),
    _post("replicating", "/v1/sys/replication/dr/secondary/promote",
          b'{"dr_operation_token": "\\udbff"}', cluster="b"),
], ids=["kv2-key", "kv1-key", "policy", "token-meta", "token-lookup", "dr-operation-token"])
def test_lone_surrogate_escapes_are_not_a_500(call: Call) -> None:
    run(call)


@pytest.mark.parametrize("body", [b'{"data": {"a": NaN}}', b'{"data": {"a": -Infinity}}'])
def test_nan_and_infinity_literals_are_not_json(body: bytes) -> None:
    """Go's encoding/json has neither; they must not be stored and answered back."""
    response = run(_post("replicating", "/v1/secret/data/x", body))
    assert response.status_code == 400


def test_a_number_too_large_for_a_double_is_not_answered_back_as_infinity() -> None:
    sim = fresh_copy("replicating")
    vault = VaultTestClient(sim, FakeVaultApp(sim))
    written = vault.post("a", "secret/data/x", data=b'{"data": {"a": 1e999}}')
    assert written.status_code < 500
    read = vault.get("a", "secret/data/x")
    _strict_json(read.get_data())


@pytest.mark.parametrize("call", [
    _post("fresh", "/v1/auth/token/create", '{"num_uses": "²"}'.encode()),
    _post("fresh", "/_fakevault/seed", '{"seed": "²"}'.encode()),
    _post("replicating", "/v1/secret/metadata/app", '{"max_versions": "³"}'.encode()),
    _post("replicating", "/v1/secret/config", '{"max_versions": "¹"}'.encode()),
], ids=["num_uses", "seed", "max_versions", "config-max_versions"])
def test_superscript_digits_are_not_integers(call: Call) -> None:
    response = run(call)
    assert response.status_code == 400
