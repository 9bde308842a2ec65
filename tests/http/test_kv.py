"""The KV secrets engine (v1 and v2) through the WSGI app, on its own and under replication."""

from __future__ import annotations

from collections.abc import Mapping
from json import dumps
from typing import Any
from urllib.parse import urlsplit

import hvac
import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import Client, TestResponse

from fakevault import Simulator, create_app
from fakevault.model.auth import TokenEntry, store_token
from fakevault.testing.assertions import world_state as world

HOSTS = {"a": "127.0.0.1:8200", "b": "127.0.0.1:8201", "c": "127.0.0.1:8202"}
MERGE = "application/merge-patch+json"


# -- helpers -----------------------------------------------------------------------------------


class WSGIAdapter(BaseAdapter):
    """A requests transport that hands each request to a WSGI app (no sockets)."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.client = Client(app)

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None,
             verify: Any = True, cert: Any = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        """Run ``request`` through the app; answer as ``requests`` would."""
        url = urlsplit(request.url or "")
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self.client.open(url.path, method=request.method or "GET",
                                  query_string=url.query, headers=dict(request.headers),
                                  data=body or b"", base_url=f"{url.scheme}://{url.netloc}")
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.status.partition(" ")[2]
        response.headers = CaseInsensitiveDict(dict(answer.headers))
        response._content = answer.get_data()
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to close."""


def hvac_client(sim: Simulator, cluster: str = "a") -> hvac.Client:
    """An unmodified hvac client whose HTTP goes into the app in-process."""
    session = requests.Session()
    session.mount("http://", WSGIAdapter(create_app(sim)))
    return hvac.Client(url=f"http://{HOSTS[cluster]}", token="root", session=session)


def call(sim: Simulator, method: str, cluster: str, path: str, *, token: str | None = "root",
         json: Any = None, data: bytes | None = None,
         content_type: str | None = None) -> TestResponse:
    """One request to ``cluster``."""
    headers = {"Host": HOSTS[cluster]}
    if token is not None:
        headers["X-Vault-Token"] = token
    if content_type is not None:
        headers["Content-Type"] = content_type
        data, json = (b"" if json is None else dumps(json).encode()), None
    return Client(create_app(sim)).open(f"/v1/{path}", method=method, headers=headers,
                                        json=json, data=data)


def put(sim: Simulator, path: str, data: dict[str, Any], cluster: str = "a",
        **options: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"data": data}
    if options:
        body["options"] = options
    response = call(sim, "POST", cluster, f"secret/data/{path}", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    result: dict[str, Any] = response.json["data"]
    return result


def perf_pair(sim: Simulator) -> None:
    sim["a"].performance.enable_primary()
    sim["b"].performance.enable_secondary(sim["a"].performance.secondary_token("b").token)
    sim.mint_root_token("b", sim.root_token)  # b's token store was wiped; not what KV tests test


# -- KV v2 -----------------------------------------------------------------------------------


def test_v2_write_and_read(sim: Simulator) -> None:
    written = put(sim, "app/db", {"password": "s3cret", "port": 5432})
    assert written["version"] == 1 and written["destroyed"] is False
    assert written["deletion_time"] == "" and written["custom_metadata"] is None
    assert written["created_time"].endswith("Z")
    response = call(sim, "GET", "a", "secret/data/app/db")
    assert response.status_code == 200
    assert response.json["mount_type"] == "kv"
    assert response.json["data"] == {"data": {"password": "s3cret", "port": 5432},
                                     "metadata": written}


def test_v2_versions(sim: Simulator) -> None:
    for value in ("one", "two", "three"):
        put(sim, "app", {"v": value})
    assert call(sim, "GET", "a", "secret/data/app").json["data"]["data"] == {"v": "three"}
    old = call(sim, "GET", "a", "secret/data/app?version=1").json["data"]
    assert (old["data"], old["metadata"]["version"]) == ({"v": "one"}, 1)
    assert call(sim, "GET", "a", "secret/data/app?version=9").status_code == 404


def test_v2_missing_secret_is_an_empty_404(sim: Simulator) -> None:
    response = call(sim, "GET", "a", "secret/data/nothing")
    assert (response.status_code, response.json) == (404, {"errors": []})
    assert response.headers["Content-Type"] == "application/json"
    assert call(sim, "GET", "a", "secret/metadata/nothing").json == {"errors": []}


@pytest.mark.parametrize(("options", "existing", "code", "error"), [
    ({"cas": 0}, 0, 200, None),
    ({"cas": 0}, 1, 400, "check-and-set parameter did not match the current version"),
    ({"cas": 1}, 1, 200, None),
    ({"cas": "1"}, 1, 200, None),
    ({"cas": 2}, 1, 400, "check-and-set parameter did not match the current version"),
    ({"cas": "one"}, 1, 400, "error parsing check-and-set parameter"),
    ({}, 1, 200, None),
])
def test_v2_check_and_set(sim: Simulator, options: dict[str, Any], existing: int, code: int,
                          error: str | None) -> None:
    for _ in range(existing):
        put(sim, "cas", {"n": 0})
    before = world(sim)
    body = {"data": {"n": 1}, "options": options}
    response = call(sim, "POST", "a", "secret/data/cas", json=body)
    assert response.status_code == code
    if error is not None:
        assert response.json == {"errors": [error]}
        assert world(sim) == before


def test_v2_cas_required_by_metadata_and_config(sim: Simulator) -> None:
    put(sim, "strict", {"n": 0})
    assert call(sim, "POST", "a", "secret/metadata/strict", json={"cas_required": True}) \
        .status_code == 204
    refused = call(sim, "POST", "a", "secret/data/strict", json={"data": {"n": 1}})
    assert refused.json == {"errors": ["check-and-set parameter required for this call"]}
    put(sim, "strict", {"n": 1}, cas=1)
    call(sim, "POST", "a", "secret/config", json={"cas_required": True})
    assert call(sim, "GET", "a", "secret/config").json["data"]["cas_required"] is True
    assert call(sim, "POST", "a", "secret/data/new", json={"data": {}}).status_code == 400


def test_v2_soft_delete_undelete_destroy(sim: Simulator) -> None:
    put(sim, "life", {"v": 1})
    put(sim, "life", {"v": 2})
    assert call(sim, "DELETE", "a", "secret/data/life").status_code == 204
    deleted = call(sim, "GET", "a", "secret/data/life")
    assert deleted.status_code == 404
    assert deleted.json["data"]["data"] is None
    assert deleted.json["data"]["metadata"]["deletion_time"] != ""
    assert call(sim, "GET", "a", "secret/data/life?version=1").json["data"]["data"] == {"v": 1}
    assert call(sim, "POST", "a", "secret/undelete/life", json={"versions": [2]}).status_code \
        == 204
    assert call(sim, "GET", "a", "secret/data/life").json["data"]["data"] == {"v": 2}
    assert call(sim, "POST", "a", "secret/delete/life", json={"versions": "1,2"}).status_code \
        == 204
    assert call(sim, "GET", "a", "secret/data/life?version=1").status_code == 404
    assert call(sim, "POST", "a", "secret/destroy/life", json={"versions": [1]}).status_code \
        == 204
    destroyed = call(sim, "GET", "a", "secret/data/life?version=1").json["data"]["metadata"]
    assert destroyed["destroyed"] is True
    call(sim, "POST", "a", "secret/undelete/life", json={"versions": [1, 2]})
    assert call(sim, "GET", "a", "secret/data/life?version=1").status_code == 404  # gone for good
    assert call(sim, "GET", "a", "secret/data/life").status_code == 200
    versions = call(sim, "GET", "a", "secret/metadata/life").json["data"]["versions"]
    assert versions["1"]["destroyed"] is True and versions["2"]["deletion_time"] == ""
    assert call(sim, "DELETE", "a", "secret/metadata/life").status_code == 204
    assert call(sim, "GET", "a", "secret/metadata/life").json == {"errors": []}


def test_v2_metadata(sim: Simulator) -> None:
    put(sim, "meta", {"v": 1})
    sim.advance(90)
    put(sim, "meta", {"v": 2})
    call(sim, "POST", "a", "secret/metadata/meta",
         json={"max_versions": 5, "delete_version_after": "1h",
               "custom_metadata": {"owner": "ops", "tier": 1}})
    body = call(sim, "GET", "a", "secret/metadata/meta").json["data"]
    assert body["current_version"] == 2 and body["oldest_version"] == 0
    assert body["max_versions"] == 5 and body["delete_version_after"] == "1h0m0s"
    assert body["custom_metadata"] == {"owner": "ops", "tier": "1"}
    assert body["created_time"] != body["updated_time"]
    assert set(body["versions"]) == {"1", "2"}
    assert body["cas_required"] is False
    with_ttl = put(sim, "meta", {"v": 3})
    assert with_ttl["deletion_time"] != ""
    assert with_ttl["custom_metadata"] == body["custom_metadata"]


def test_v2_max_versions_prunes_the_oldest(sim: Simulator) -> None:
    call(sim, "POST", "a", "secret/metadata/few", json={"max_versions": 2})
    for n in range(1, 5):
        put(sim, "few", {"n": n})
    body = call(sim, "GET", "a", "secret/metadata/few").json["data"]
    assert (body["current_version"], body["oldest_version"]) == (4, 3)
    assert set(body["versions"]) == {"3", "4"}
    assert call(sim, "GET", "a", "secret/data/few?version=2").status_code == 404


def test_v2_patch_merges_into_the_latest_version(sim: Simulator) -> None:
    put(sim, "patch", {"keep": 1, "change": "old", "drop": True, "nested": {"a": 1}})
    response = call(sim, "PATCH", "a", "secret/data/patch", content_type=MERGE,
                    json={"data": {"change": "new", "drop": None, "nested": {"b": 2}}})
    assert response.status_code == 200 and response.json["data"]["version"] == 2
    assert call(sim, "GET", "a", "secret/data/patch").json["data"]["data"] == {
        "keep": 1, "change": "new", "nested": {"a": 1, "b": 2}}
    missing = call(sim, "PATCH", "a", "secret/data/none", content_type=MERGE, json={"data": {}})
    assert missing.status_code == 404
    wrong_type = call(sim, "PATCH", "a", "secret/data/patch", json={"data": {}})
    assert wrong_type.status_code == 415


def test_v2_metadata_list(sim: Simulator) -> None:
    for path in ("team/a", "team/b", "team/sub/c", "other"):
        put(sim, path, {"v": 1})
    root = call(sim, "LIST", "a", "secret/metadata/")
    assert root.json["data"]["keys"] == ["other", "team/"]
    assert call(sim, "GET", "a", "secret/metadata/team?list=true").json["data"]["keys"] == [
        "a", "b", "sub/"]
    empty = call(sim, "LIST", "a", "secret/metadata/nobody/")
    assert (empty.status_code, empty.json) == (404, {"errors": []})


@pytest.mark.parametrize(("method", "path", "code", "warning"), [
    ("GET", "secret/foo", 404, "use 'vault kv get' for this operation"),
    ("POST", "secret/foo", 404, "use 'vault kv put' for this operation"),
    ("GET", "secret/data", 404, "Non-listing operations on the root of a K/V v2 mount"),
    ("GET", "secret/data/", 404, "use 'vault kv get'"),
    ("GET", "secret/metadata", 404, "Non-listing operations on the root of a K/V v2 mount"),
    ("LIST", "secret/data/foo", 405, None),
    ("DELETE", "secret/destroy/foo", 405, None),
])
def test_v2_invalid_paths(sim: Simulator, method: str, path: str, code: int,
                          warning: str | None) -> None:
    response = call(sim, method, "a", path, json={"data": {}} if method == "POST" else None)
    assert response.status_code == code
    if warning is None:
        assert response.json == {"errors": ["1 error occurred:\n\t* unsupported operation\n\n"]}
    else:
        assert warning in response.json["warnings"][0]


def test_no_mount_no_handler(sim: Simulator) -> None:
    response = call(sim, "GET", "a", "nowhere/x")
    assert response.status_code == 404
    assert response.json == {"errors": ['no handler for route "nowhere/x". route entry not found.']}
    assert call(sim, "GET", "a", "cubbyhole/x").status_code == 404


# -- KV v1 -----------------------------------------------------------------------------------


def test_v1_mount_and_crud(sim: Simulator) -> None:
    assert call(sim, "POST", "a", "sys/mounts/kv1", json={"type": "kv", "options": {"version": "1"}}
                ).status_code == 204
    assert call(sim, "PUT", "a", "kv1/app/one", json={"user": "u", "ttl": "1h"}).status_code == 204
    call(sim, "POST", "a", "kv1/app/two", json={"n": 2})
    read = call(sim, "GET", "a", "kv1/app/one").json
    assert read["data"] == {"user": "u", "ttl": "1h"} and read["lease_duration"] == 3600
    assert call(sim, "GET", "a", "kv1/app/two").json["lease_duration"] == 2764800
    assert call(sim, "LIST", "a", "kv1/app").json["data"]["keys"] == ["one", "two"]
    assert call(sim, "LIST", "a", "kv1").json["data"]["keys"] == ["app/"]
    assert call(sim, "DELETE", "a", "kv1/app/one").status_code == 204
    assert call(sim, "GET", "a", "kv1/app/one").json == {"errors": []}
    empty = call(sim, "POST", "a", "kv1/app/three", json={})
    assert empty.json == {"errors": ["missing data fields"]}
    assert call(sim, "LIST", "a", "kv1/nothing").json == {"errors": []}


# -- permissions -----------------------------------------------------------------------------


@pytest.mark.parametrize(("capabilities", "create_code", "update_code"), [
    (["create"], 200, 403),
    (["update"], 403, 200),
    (["create", "update"], 200, 200),
])
def test_a_write_that_creates_needs_create(sim: Simulator, capabilities: list[str],
                                           create_code: int, update_code: int) -> None:
    cluster = sim["a"]
    cluster.write("sys/policy/writer", {"paths": {"secret/data/*": capabilities}})
    store_token(cluster, TokenEntry(id="hvs.writer", accessor="acc-writer", policies=["writer"]))
    put(sim, "existing", {"v": 0})
    new = call(sim, "POST", "a", "secret/data/fresh", token="hvs.writer", json={"data": {"v": 1}})
    old = call(sim, "POST", "a", "secret/data/existing", token="hvs.writer",
               json={"data": {"v": 1}})
    assert (new.status_code, old.status_code) == (create_code, update_code)


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body", "needle"), [
    ("POST", "secret/data/x", {"data": "text"}, '"data"'),
    ("POST", "secret/data/x", {"data": ["a"]}, '"data"'),
    ("POST", "secret/data/x", {}, "no data provided"),
    ("POST", "secret/data/x", {"data": None}, "no data provided"),
    ("POST", "secret/data/x", {"data": {}, "options": "cas"}, '"options"'),
    ("POST", "secret/data/x", b'{"data": ', "error parsing JSON"),
    ("POST", "secret/data/x", b'["data"]', "error parsing JSON"),
    ("POST", "secret/delete/x", {}, "No version number provided"),
    ("POST", "secret/destroy/x", {"versions": []}, "no version number provided"),
    ("POST", "secret/undelete/x", {"versions": ["one"]}, '"versions"'),
    ("POST", "secret/delete/x", {"versions": {"1": True}}, '"versions"'),
    ("POST", "secret/metadata/x", {"max_versions": "many"}, '"max_versions"'),
    ("POST", "secret/metadata/x", {"cas_required": "perhaps"}, '"cas_required"'),
    ("POST", "secret/metadata/x", {"delete_version_after": "-1h"}, "delete_version_after"),
    ("POST", "secret/metadata/x", {"custom_metadata": {"k": ["v"]}}, "custom_metadata"),
    ("GET", "secret/data/x?version=latest", None, '"version"'),
])
def test_bad_input_is_a_400_and_changes_nothing(sim: Simulator, method: str, path: str,
                                                 body: Any, needle: str) -> None:
    put(sim, "x", {"v": 1})
    before = world(sim)
    raw = body if isinstance(body, bytes) else None
    response = call(sim, method, "a", path, json=None if raw else body, data=raw)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert needle in response.json["errors"][0]
    assert world(sim) == before


def test_reads_change_nothing(sim: Simulator) -> None:
    put(sim, "r", {"v": 1})
    before = world(sim)
    for method, path in (("GET", "secret/data/r"), ("GET", "secret/metadata/r"),
                         ("LIST", "secret/metadata/"), ("GET", "secret/data/none"),
                         ("GET", "secret/config")):
        call(sim, method, "a", path)
    assert world(sim) == before


# -- replication -----------------------------------------------------------------------------


def test_a_write_on_the_primary_reaches_the_secondary(sim: Simulator) -> None:
    perf_pair(sim)
    put(sim, "shared", {"v": 1}, cluster="a")
    assert call(sim, "GET", "b", "secret/data/shared").json["data"]["data"] == {"v": 1}


def test_a_write_on_the_secondary_is_forwarded(sim: Simulator) -> None:
    perf_pair(sim)
    before = sim["a"].storage.last_wal
    written = put(sim, "from-b", {"v": "b"}, cluster="b")
    assert written["version"] == 1
    assert sim["a"].storage.last_wal > before
    for name in "ab":
        assert call(sim, "GET", name, "secret/data/from-b").json["data"]["data"] == {"v": "b"}


def test_a_forwarded_write_starts_from_the_primarys_record() -> None:
    sim = Simulator(seed=5, sync="manual")
    perf_pair(sim)
    sim.sync()
    put(sim, "race", {"by": "a"}, cluster="a")
    assert call(sim, "GET", "b", "secret/data/race").status_code == 404  # b has not synced yet
    written = put(sim, "race", {"by": "b"}, cluster="b")
    assert written["version"] == 2  # computed on the primary, as Vault forwards the request
    sim.sync()
    versions = call(sim, "GET", "b", "secret/metadata/race").json["data"]["versions"]
    assert set(versions) == {"1", "2"}
    assert call(sim, "GET", "b", "secret/data/race?version=1").json["data"]["data"] == {"by": "a"}


def test_a_local_mount_on_the_secondary_stays_there(sim: Simulator) -> None:
    perf_pair(sim)
    call(sim, "POST", "b", "sys/mounts/mine", json={"type": "kv-v2", "local": True})
    wal = sim["a"].storage.last_wal
    put_local = call(sim, "POST", "b", "mine/data/x", json={"data": {"v": 1}})
    assert put_local.status_code == 200
    assert sim["a"].storage.last_wal == wal
    assert call(sim, "GET", "b", "mine/data/x").json["data"]["data"] == {"v": 1}


def test_a_write_moves_the_merkle_root(sim: Simulator) -> None:
    perf_pair(sim)

    def roots() -> tuple[str, str]:
        status = [call(sim, "GET", n, "sys/replication/status", token=None).json["data"]
                  for n in "ab"]
        return status[0]["performance"]["merkle_root"], status[1]["performance"]["merkle_root"]

    first = roots()
    put(sim, "m", {"v": 1})
    second = roots()
    assert second[0] != first[0]
    assert second[0] == second[1]  # the secondary converged


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "secret/data/x"), ("POST", "secret/data/x"), ("LIST", "secret/metadata/"),
    ("GET", "sys/mounts"),
])
def test_a_dr_secondary_refuses_kv_but_answers_health(sim: Simulator, method: str,
                                                      path: str) -> None:
    sim["a"].dr.enable_primary()
    sim["c"].dr.enable_secondary(sim["a"].dr.secondary_token("c").token)
    response = call(sim, method, "c", path, json={"data": {}} if method == "POST" else None)
    assert (response.status_code, response.json) == (
        400, {"errors": ["path disabled in replication DR secondary mode"]})
    assert call(sim, "GET", "c", "sys/health", token=None).status_code == 472


# -- hvac ------------------------------------------------------------------------------------


def test_hvac_end_to_end(sim: Simulator) -> None:
    client = hvac_client(sim)
    written = client.secrets.kv.v2.create_or_update_secret("app/db", secret={"pw": "x"})
    assert written["data"]["version"] == 1
    read = client.secrets.kv.v2.read_secret_version("app/db", raise_on_deleted_version=True)
    assert read["data"]["data"] == {"pw": "x"}
    health = client.sys.read_health_status(method="GET")
    assert health["initialized"] is True and health["replication_dr_mode"] == "disabled"
    assert client.read("secret/data/app/db")["data"]["data"] == {"pw": "x"}
    assert client.read("secret/data/missing") is None
    client.write_data("secret/data/other", data={"data": {"k": "v"}})
    assert client.secrets.kv.v2.read_secret_version(
        "other", raise_on_deleted_version=True)["data"]["data"] == {"k": "v"}
    client.secrets.kv.v2.delete_latest_version_of_secret("app/db")
    deleted = client.secrets.kv.v2.read_secret_version("app/db", raise_on_deleted_version=False)
    assert deleted["data"]["metadata"]["deletion_time"] != ""
    with pytest.raises(hvac.exceptions.InvalidPath):
        client.secrets.kv.v2.read_secret_version("app/db", raise_on_deleted_version=True)
    with pytest.raises(hvac.exceptions.InvalidRequest) as caught:
        client.secrets.kv.v2.create_or_update_secret("app/db", secret={"pw": "y"}, cas=7)
    assert caught.value.errors == ["check-and-set parameter did not match the current version"]
    listed = client.secrets.kv.v2.list_secrets("")
    assert listed["data"]["keys"] == ["app/", "other"]
    mounts = client.sys.list_mounted_secrets_engines()
    assert "secret/" in mounts["data"]
