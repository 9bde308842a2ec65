"""The web view's data: topology frames, the timeline window and ``GET /_fakevault/view``."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from fakevault import Simulator, create_app
from fakevault.model.errors import InvalidRequestError
from fakevault.testing.assertions import world_state
from fakevault.web.timeline import MAX_LIMIT, window
from fakevault.web.topology import topology
from fakevault.web.view import view_model


def dr_pair(sim: Simulator, primary: str = "a", secondary: str = "b") -> None:
    sim[primary].dr.enable_primary()
    sim[secondary].dr.enable_secondary(sim[primary].dr.secondary_token(secondary).token)


def links(sim: Simulator) -> dict[str, dict[str, Any]]:
    return {link["id"]: link for link in topology(sim)["links"]}


def test_a_fresh_world_is_every_cluster_up_and_nothing_linked() -> None:
    frame = topology(Simulator(seed=1))
    assert [c["name"] for c in frame["clusters"]] == ["a", "b", "c"]
    assert all(c["up"] and c["roles"]["dr"] == {"mode": "disabled"} for c in frame["clusters"])
    assert frame["links"] == frame["partitions"] == frame["alarms"] == []


def test_a_partitioned_secondary_lags_by_the_writes_it_missed() -> None:
    sim = Simulator(seed=1)
    dr_pair(sim)
    assert links(sim)["dr:b->a"] | {"heartbeat_age": None} == {
        "id": "dr:b->a", "type": "dr", "from": "b", "to": "a", "secondary_id": "b",
        "state": "connected", "broken": False, "replication_state": "stream-wals", "lag": 0,
        "heartbeat_age": None}
    sim.partition("a", "b")
    for index in range(3):
        sim["a"].write(f"secret/data/{index}", {"data": {"v": index}})
    sim.advance(30)
    link = links(sim)["dr:b->a"]
    assert (link["state"], link["broken"], link["lag"]) == ("partitioned", True, 3)
    assert link["heartbeat_age"] == 30
    b = topology(sim)["clusters"][1]["roles"]["dr"]
    assert (b["connection_state"], b["last_remote_wal"], b["lag"]) == ("connecting", 0, 3)
    assert topology(sim)["partitions"] == [["a", "b"]]


@pytest.mark.parametrize(("fault", "state"), [
    (lambda sim: sim.crash("a"), "primary down"),
    (lambda sim: sim.crash("b"), "secondary down"),
    (lambda sim: sim["a"].dr.revoke_secondary("b"), "revoked"),
    (lambda sim: sim.stall("b", "dr"), "stalled"),
    (lambda sim: sim["a"].dr.demote(), "primary left the set"),
])
def test_each_broken_link_says_why(fault: Any, state: str) -> None:
    sim = Simulator(seed=1)
    dr_pair(sim)
    fault(sim)
    assert (links(sim)["dr:b->a"]["state"], links(sim)["dr:b->a"]["broken"]) == (state, True)


def test_a_split_brain_is_an_alarm_only_while_both_primaries_are_up() -> None:
    sim = Simulator(seed=1)
    dr_pair(sim)
    sim.crash("a")
    sim["b"].dr.promote()
    assert topology(sim)["alarms"] == []
    sim.restart("a")
    (alarm,) = topology(sim)["alarms"]
    assert (alarm["kind"], alarm["type"], alarm["primaries"]) == ("split_brain", "dr", ["a", "b"])
    assert alarm["message"].startswith("split brain: a and b are all dr primaries")


def test_tokens_outstanding_are_the_usable_ones() -> None:
    sim = Simulator(seed=1)
    sim["a"].performance.enable_primary()
    token = sim["a"].performance.secondary_token("b", ttl="10m")
    sim["a"].performance.secondary_token("c", ttl="1m")
    sim.advance(30)

    def outstanding() -> list[dict[str, Any]]:
        tokens: list[dict[str, Any]] = \
            topology(sim)["clusters"][0]["roles"]["performance"]["tokens_outstanding"]
        return tokens

    assert outstanding() == [{"secondary_id": "b", "expires_in": 570},
                             {"secondary_id": "c", "expires_in": 30}]
    sim.advance(60)
    assert [t["secondary_id"] for t in outstanding()] == ["b"]
    sim["b"].performance.enable_secondary(token.token)
    assert outstanding() == []


def test_the_timeline_puts_operations_in_lanes_newest_first() -> None:
    sim = Simulator(seed=1, sync="manual")
    dr_pair(sim)
    sim.partition("a", "c")
    sim.sync()
    with pytest.raises(InvalidRequestError):
        sim["c"].dr.promote()
    entries = window(sim.history, sim.violations)["entries"]
    assert [e["seq"] for e in entries] == [6, 5, 4, 3, 2, 1]
    refused, synced, partitioned = entries[0], entries[1], entries[2]
    assert (refused["kind"], refused["lanes"]) == ("refused", ["c"])
    assert refused["error"] == "this cluster is not a DR secondary (mode: disabled)"
    assert refused["call"] == "c.dr.promote()"
    assert (synced["kind"], synced["lanes"], synced["call"]) == ("operation", ["world"],
                                                                 "sim.sync()")
    assert (partitioned["kind"], partitioned["lanes"]) == ("fault", ["a", "c"])
    assert entries[-1]["lanes"] == ["a"] and entries[-1]["time"] == "2026-01-01T00:00:00Z"


def test_a_violation_is_attached_to_the_operation_that_caused_it() -> None:
    sim = Simulator(seed=1)
    dr_pair(sim)
    sim.partition("a", "b")
    sim["b"].dr.promote(force=True)
    entries = window(sim.history, sim.violations)["entries"]
    assert [v["kind"] for v in entries[0]["violations"]] == ["split_brain"]
    assert entries[0]["violations"][0]["caused_by"].startswith("#5 b.dr.promote(")
    assert all(not e["violations"] for e in entries[1:])


def test_the_timeline_is_a_window_of_the_history() -> None:
    sim = Simulator(seed=1)
    for _ in range(250):
        sim.advance(1)
    page = window(sim.history, [], offset=100, limit=100)
    assert (page["total"], page["offset"], page["limit"]) == (250, 100, 100)
    assert [e["seq"] for e in page["entries"]] == list(range(150, 50, -1))
    assert [e["seq"] for e in window(sim.history, [], 200, 100)["entries"]] == \
        list(range(50, 0, -1))
    assert window(sim.history, [], 900, 100)["entries"] == []


def test_the_view_model_answers_the_window_it_was_asked_for() -> None:
    sim = Simulator(seed=1)
    dr_pair(sim)
    view = view_model(sim, offset=1, limit=2)
    assert view["world"] == {"seed": 1, "sync": "eager", "strict": False,
                             "clusters": ["a", "b", "c"]}
    assert view["lanes"] == ["a", "b", "c", "world"]
    assert [e["seq"] for e in view["timeline"]["entries"]] == [2, 1]
    assert view["violations"] == {"total": 0, "items": []}
    with pytest.raises(InvalidRequestError, match="limit"):
        view_model(sim, limit=MAX_LIMIT + 1)
    with pytest.raises(InvalidRequestError, match="offset"):
        view_model(sim, offset=-1)


def control(sim: Simulator, path: str, token: str | None = "root") -> Any:
    headers = {"Host": "127.0.0.1:8200"}
    if token is not None:
        headers["X-Vault-Token"] = token
    return Client(create_app(sim)).get(path, headers=headers)


def test_get_view_over_http_reads_without_changing_the_world() -> None:
    sim = Simulator(seed=1)
    dr_pair(sim)
    before, operations = world_state(sim), len(sim.history)
    response = control(sim, "/_fakevault/view?offset=0&limit=1")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert [link["id"] for link in body["topology"]["links"]] == ["dr:b->a"]
    assert [e["seq"] for e in body["timeline"]["entries"]] == [3]
    assert world_state(sim) == before and len(sim.history) == operations


@pytest.mark.parametrize(("query", "token", "status", "says"), [
    ("", None, 403, "permission denied"),
    ("", "not-root", 403, "permission denied"),
    ("?offset=-1", "root", 400, "offset"),
    ("?offset=x", "root", 400, "offset"),
    ("?limit=0", "root", 400, "limit"),
    ("?limit=1001", "root", 400, "limit"),
    ("?limit=1.5", "root", 400, "limit"),
])
def test_get_view_refuses_what_it_cannot_answer(query: str, token: str | None, status: int,
                                                says: str) -> None:
    response = control(Simulator(seed=1), "/_fakevault/view" + query, token)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert says in response.get_json()["errors"][0]

