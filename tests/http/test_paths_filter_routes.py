"""Performance paths filters over HTTP: paths-filter/:id and dynamic-filter/:id.

Modern Vault fact 8 (vault/logical_system_helpers.go entStubPaths registers
``performance/primary/paths-filter/:id`` and ``dynamic-filter/:id``; api-docs
replication-performance.mdx "Create paths filter": ``mode`` allow|deny, ``paths`` mounts; reads
answer ``{"mode", "paths"}`` and ``{"dynamic_filtered_mounts", "dynamic_filtered_namespaces"}``).
hvac has no paths-filter methods, so hvac users reach these with ``client.write_data`` and
``client.read``: tested here too.
"""

from __future__ import annotations

from typing import Any

import pytest

from fakevault import Simulator
from fakevault.testing.assertions import unchanged
from fakevault.testing.clients import VaultTestClient, hvac_client

PRIMARY = "sys/replication/performance/primary"
FILTER = f"{PRIMARY}/paths-filter"


def perf_set(vault: VaultTestClient) -> None:
    """``a`` the performance primary of ``b`` and ``c``; a KV v2 mount ``kv2/`` beside
    ``secret/``, with one secret in each."""
    assert vault.post("a", "sys/mounts/kv2", json={"type": "kv", "options": {"version": "2"}}
                      ).status_code == 204
    assert vault.post("a", f"{PRIMARY}/enable").status_code == 200
    for secondary in ("b", "c"):
        token = vault.post("a", f"{PRIMARY}/secondary-token",
                           json={"id": secondary}).json["wrap_info"]["token"]
        assert vault.post(secondary, "sys/replication/performance/secondary/enable",
                          json={"token": token}).status_code == 200
        # A performance secondary keeps no earlier token: give it its root back (not the
        # point of these tests; tests/http/test_generate_root.py runs the real ceremony).
        vault.sim.mint_root_token(secondary, "root")
    for mount in ("secret", "kv2"):
        assert vault.post("a", f"{mount}/data/app", json={"data": {"v": mount}}
                          ).status_code == 200


def secret(vault: VaultTestClient, cluster: str, mount: str, name: str = "app") -> Any:
    """The secret's data on ``cluster``, or None when it has none."""
    response = vault.get(cluster, f"{mount}/data/{name}")
    return response.json["data"]["data"] if response.status_code == 200 else None


def test_a_deny_filter_keeps_the_mount_from_that_secondary(vault: VaultTestClient,
                                                           sim: Simulator) -> None:
    perf_set(vault)
    response = vault.post("a", f"{FILTER}/b", json={"mode": "deny", "paths": ["kv2/"]})
    assert response.status_code == 204
    assert secret(vault, "b", "kv2") is None  # the re-sync removed what is now filtered
    assert vault.post("a", "kv2/data/new", json={"data": {"v": 1}}).status_code == 200
    assert secret(vault, "b", "kv2", "new") is None
    assert secret(vault, "c", "kv2", "new") == {"v": 1}
    assert secret(vault, "b", "secret") == {"v": "secret"}
    assert vault.get("a", f"{FILTER}/b").json["data"] == {"mode": "deny", "paths": ["kv2/"]}
    assert vault.get("a", f"{PRIMARY}/dynamic-filter/b").json["data"] == {
        "dynamic_filtered_mounts": ["kv2/"], "dynamic_filtered_namespaces": []}
    on_secondary = "sys/replication/performance/secondary/dynamic-filter"
    assert vault.get("b", f"{on_secondary}/b").json["data"] == {
        "dynamic_filtered_mounts": ["kv2/"], "dynamic_filtered_namespaces": []}
    assert vault.get("c", f"{on_secondary}/c").json["data"]["dynamic_filtered_mounts"] == []
    status = vault.get("b", "sys/replication/performance/status").json["data"]
    assert status["state"] == "stream-wals"
    assert sim.check() == []


def test_an_allow_filter_covers_mounts_made_later(vault: VaultTestClient, sim: Simulator) -> None:
    perf_set(vault)
    assert vault.post("a", f"{FILTER}/b", json={"mode": "allow", "paths": "kv2/"}
                      ).status_code == 204  # Vault's weak typing: a comma-separated string
    assert vault.post("a", "sys/mounts/later", json={"type": "kv"}).status_code == 204
    assert vault.post("a", "later/app", json={"v": 1}).status_code == 204
    assert vault.get("a", f"{PRIMARY}/dynamic-filter/b").json["data"][
        "dynamic_filtered_mounts"] == ["later/", "secret/"]
    assert secret(vault, "b", "secret") is None and secret(vault, "b", "kv2") == {"v": "kv2"}
    assert vault.get("b", "later/app").status_code == 404
    assert vault.get("c", "later/app").json["data"] == {"v": 1}
    assert sim.check() == []


def test_deleting_the_filter_sends_everything_again(vault: VaultTestClient,
                                                    sim: Simulator) -> None:
    perf_set(vault)
    vault.post("a", f"{FILTER}/b", json={"mode": "deny", "paths": ["kv2/", "secret/"]})
    assert secret(vault, "b", "kv2") is None and secret(vault, "b", "secret") is None
    assert vault.delete("a", f"{FILTER}/b").status_code == 204
    assert vault.get("a", f"{FILTER}/b").status_code == 404
    assert vault.get("a", f"{FILTER}/b").json == {"errors": []}
    assert secret(vault, "b", "kv2") == {"v": "kv2"}
    assert secret(vault, "b", "secret") == {"v": "secret"}
    roots = {vault.get(name, "sys/replication/performance/status").json["data"]["merkle_root"]
             for name in ("a", "b")}
    assert len(roots) == 1
    assert sim.check() == []


def test_hvac_reaches_the_filter_with_its_generic_calls(sim: Simulator) -> None:
    perf_set(VaultTestClient(sim))
    client = hvac_client(sim, "a")
    client.write_data(f"{FILTER}/c", data={"mode": "deny", "paths": ["secret/"]})
    assert client.read(f"{FILTER}/c")["data"] == {"mode": "deny", "paths": ["secret/"]}
    assert client.read(f"{PRIMARY}/dynamic-filter/c")["data"]["dynamic_filtered_mounts"] == [
        "secret/"]


# -- bad input: a 400 that changes nothing ------------------------------------------------------
BAD: list[tuple[str, str, str, dict[str, Any] | None, str]] = [
    ("a", "POST", "nobody", {"mode": "deny", "paths": ["kv2/"]},
     'no performance secondary with id "nobody" is known to this primary'),
    ("a", "GET", "nobody", None, 'no performance secondary with id "nobody"'),
    ("a", "DELETE", "nobody", None, 'no performance secondary with id "nobody"'),
    ("a", "POST", "b", {"mode": "block", "paths": ["kv2/"]}, 'invalid mode "block"'),
    ("a", "POST", "b", {"mode": ["deny"], "paths": ["kv2/"]}, 'invalid value for "mode"'),
    ("a", "POST", "b", {"mode": "deny", "paths": [1, 2]}, 'invalid value for "paths"'),
    ("a", "POST", "b", {"mode": "deny", "paths": ["ns1/"]}, "does not simulate namespaces"),
    ("a", "POST", "b", {"mode": "deny", "paths": ["ns1/kv2/"]}, "is not a replicated"),
    ("a", "POST", "b", {"mode": "deny", "paths": ["sys/"]}, "is not a replicated"),
    ("a", "POST", "b", {"mode": "allow", "paths": ["cubbyhole/"]}, "is not a replicated"),
    ("b", "POST", "b", {"mode": "deny", "paths": ["kv2/"]}, "is not a performance primary"),
    ("c", "GET", "b", None, "is not a performance primary"),
]


@pytest.mark.parametrize(("cluster", "method", "id", "body", "text"), BAD,
                         ids=[f"{c}-{m}-{i}-{t[:20]}" for c, m, i, _, t in BAD])
def test_bad_filter_requests_are_400s_that_change_nothing(
        vault: VaultTestClient, sim: Simulator, cluster: str, method: str, id: str,
        body: dict[str, Any] | None, text: str) -> None:
    perf_set(vault)
    vault.post("a", f"{FILTER}/b", json={"mode": "allow", "paths": ["secret/"]})
    with unchanged(sim):
        response = vault.request(cluster, method, f"{FILTER}/{id}", json=body)
    assert response.status_code == 400, response.json
    assert text in response.json["errors"][0]
    assert vault.get("a", f"{FILTER}/b").json["data"] == {"mode": "allow", "paths": ["secret/"]}


def test_a_cluster_without_replication_refuses_filters(vault: VaultTestClient,
                                                       sim: Simulator) -> None:
    with unchanged(sim):
        response = vault.get("a", f"{PRIMARY}/dynamic-filter/b")
    assert response.status_code == 400
    assert response.json["errors"] == [
        "this cluster is not a performance primary (mode: disabled); run this on the primary"]


@pytest.mark.parametrize(("cluster", "id", "text"), [
    ("b", "c", 'this performance secondary has id "b", not "c"'),
    ("a", "b", "this cluster is not a performance secondary (mode: primary)"),
])
def test_the_secondarys_dynamic_filter_refuses_another_id_or_a_primary(
        vault: VaultTestClient, sim: Simulator, cluster: str, id: str, text: str) -> None:
    perf_set(vault)
    with unchanged(sim):
        response = vault.get(cluster, f"sys/replication/performance/secondary/dynamic-filter/{id}")
    assert response.status_code == 400
    assert response.json["errors"][0].startswith(text)
