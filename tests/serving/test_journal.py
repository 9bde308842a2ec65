"""The durable state journal in-process: replay rebuilds the world exactly, whatever the crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from fakevault import Simulator
from fakevault.http.app import FakeVaultApp
from fakevault.model.clock import SystemClock
from fakevault.serving.durable import DurableApp
from fakevault.serving.journal import StateError, StateStore
from fakevault.testing.assertions import world_state

ROOT = {"X-Vault-Token": "root"}


def started(path: Path, **options: Any) -> tuple[DurableApp, StateStore, Client]:
    """A durable app on ``path`` as ``fakevault serve --state`` starts one."""
    store = StateStore(path, **options)
    sim = store.load().sim if store.exists() else Simulator(seed=3, clock=SystemClock())
    store.start(sim)
    durable = DurableApp(FakeVaultApp(sim, cluster="a"), store)
    return durable, store, Client(durable)


def busy_world(client: Client, writes: int = 20) -> None:
    """Replication, a token with a TTL (time-dependent), KV writes, a clock advance."""
    client.post("/v1/sys/replication/performance/primary/enable", headers=ROOT)
    client.post("/v1/sys/replication/dr/primary/enable", headers=ROOT)
    secondary = client.post("/v1/sys/replication/dr/primary/secondary-token", headers=ROOT,
                            json={"id": "b", "ttl": "10m"})
    assert secondary.status_code == 200
    token = client.post("/v1/auth/token/create", headers=ROOT, json={"ttl": "1h"})
    assert token.status_code == 200
    for n in range(writes):
        answer = client.post(f"/v1/secret/data/k{n}", headers=ROOT, json={"data": {"n": n}})
        assert answer.status_code == 200
    client.post("/_fakevault/clock/advance", headers=ROOT, json={"seconds": 30})


def test_a_killed_server_loses_nothing_it_answered(tmp_path: Path) -> None:
    durable, _, client = started(tmp_path / "state.json")
    busy_world(client)
    expected = world_state(durable.app.sim)
    # no shutdown, no save: as after SIGKILL
    loaded = StateStore(tmp_path / "state.json").load()
    assert loaded.replayed > 20 and loaded.diverged == 0
    assert world_state(loaded.sim) == expected


def test_replay_pins_each_request_to_the_instant_it_ran(tmp_path: Path) -> None:
    """A token's creation and expiry times come from the wall clock; replay reproduces them
    exactly, though it runs at another time."""
    durable, _, client = started(tmp_path / "state.json")
    token = client.post("/v1/auth/token/create", headers=ROOT, json={"ttl": "90s"}).json
    lookup = {"token": token["auth"]["client_token"]}
    loaded = StateStore(tmp_path / "state.json").load().sim
    assert isinstance(loaded.clock, SystemClock)
    again = Client(FakeVaultApp(loaded, cluster="a"))
    fields = ("creation_time", "expire_time", "issue_time")
    original = client.post("/v1/auth/token/lookup", headers=ROOT, json=lookup).json["data"]
    replayed = again.post("/v1/auth/token/lookup", headers=ROOT, json=lookup).json["data"]
    assert [replayed[f] for f in fields] == [original[f] for f in fields]
    assert world_state(loaded) == world_state(durable.app.sim)


def test_compaction_keeps_every_change_and_drops_old_journals(tmp_path: Path) -> None:
    durable, store, client = started(tmp_path / "state.json", compact_bytes=2_000)
    busy_world(client, writes=150)
    assert store.generation >= 2  # compacted after the start
    journals = sorted(p.name for p in tmp_path.glob("state.json.journal.*"))
    assert journals == [f"state.json.journal.{store.generation}"]
    loaded = StateStore(tmp_path / "state.json").load()
    assert world_state(loaded.sim) == world_state(durable.app.sim)


def test_a_crash_between_new_journal_and_new_snapshot_loads_both_journals(
        tmp_path: Path) -> None:
    durable, store, client = started(tmp_path / "state.json")
    busy_world(client, writes=5)
    store._begin(durable.app.sim)  # killed before the new snapshot replaced the file
    client.post("/v1/secret/data/after", headers=ROOT, json={"data": {"x": 1}})
    loaded = StateStore(tmp_path / "state.json").load()
    assert world_state(loaded.sim) == world_state(durable.app.sim)
    after = Client(FakeVaultApp(loaded.sim, cluster="a")).get("/v1/secret/data/after",
                                                               headers=ROOT)
    assert after.json["data"]["data"] == {"x": 1}


def test_a_torn_last_line_is_an_unanswered_request(tmp_path: Path) -> None:
    durable, store, client = started(tmp_path / "state.json")
    busy_world(client, writes=3)
    expected = world_state(durable.app.sim)
    with store.journal_path(store.generation).open("ab") as journal:
        journal.write(b'{"t": 1, "c": "a", "m": "POST", "p": "/v1/secret/data/tor')
    assert world_state(StateStore(tmp_path / "state.json").load().sim) == expected


def test_a_corrupt_line_in_the_middle_is_a_clear_error(tmp_path: Path) -> None:
    _, store, client = started(tmp_path / "state.json")
    busy_world(client, writes=3)
    journal = store.journal_path(store.generation)
    lines = journal.read_bytes().split(b"\n")
    lines[2] = b"not json"
    journal.write_bytes(b"\n".join(lines))
    with pytest.raises(StateError, match=r"corrupt journal .* line 3"):
        StateStore(tmp_path / "state.json").load()


def test_a_clean_close_leaves_only_the_state_file(tmp_path: Path) -> None:
    durable, store, client = started(tmp_path / "state.json")
    busy_world(client, writes=3)
    durable.close()
    store.compact(durable.app.lock, lambda: durable.app.sim)
    store.close()
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    data = json.loads((tmp_path / "state.json").read_text())
    assert world_state(Simulator.restore(data)) == world_state(durable.app.sim)
    refused = client.post("/v1/secret/data/late", headers=ROOT, json={"data": {"x": 1}})
    assert refused.status_code == 503 and refused.json["errors"]


def test_a_full_disk_is_a_503_not_an_acknowledgement(tmp_path: Path) -> None:
    durable, store, client = started(tmp_path / "state.json")
    store.close()  # the journal cannot be written any more
    errors: list[str] = []
    durable.on_error = errors.append
    answer = client.post("/v1/secret/data/x", headers=ROOT, json={"data": {"x": 1}})
    assert answer.status_code == 503 and "not saved" in answer.json["errors"][0]
    assert errors and "journal" in errors[0]


def test_an_oversized_body_is_413_and_not_journaled(tmp_path: Path) -> None:
    durable, store, client = started(tmp_path / "state.json")
    durable.app.max_request_size = 100
    answer = client.post("/v1/secret/data/x", headers=ROOT,
                         data=b'{"data": {"x": "' + b"y" * 200 + b'"}}')
    assert answer.status_code == 413
    assert store.journal_path(store.generation).read_bytes().count(b"\n") == 1  # header only


def test_leftover_temporary_files_are_removed(tmp_path: Path) -> None:
    leftover = tmp_path / ".state.json.abc123.tmp"
    leftover.write_text("half a snapshot")
    other = tmp_path / ".unrelated.tmp"
    other.write_text("not ours")
    assert StateStore(tmp_path / "state.json").remove_leftovers() == [leftover]
    assert not leftover.exists() and other.exists()


@pytest.mark.parametrize("content", ["[" * 100_000, '{"journal": {"generation": -1}}'])
def test_bad_state_files_are_state_errors(tmp_path: Path, content: str) -> None:
    (tmp_path / "state.json").write_text(content)
    with pytest.raises(StateError, match="cannot load state"):
        StateStore(tmp_path / "state.json").load()


def test_a_missing_folder_is_refused_before_serving(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="does not exist"):
        StateStore(tmp_path / "missing" / "state.json").check_writable()


@pytest.mark.parametrize(("edit", "message"), [
    (lambda data: data["clusters"]["a"]["storage"]["data"].__setitem__("core/mounts", "x"),
     "cluster a cannot answer /v1/sys/mounts"),
    (lambda data: data["invariants"].__setitem__("used_tokens", ["a", 1]),
     "cannot be saved again"),
])
def test_a_hand_edited_state_file_that_would_answer_500s_is_refused(
        tmp_path: Path, edit: Any, message: str) -> None:
    sim = Simulator(seed=3)
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    data = sim.snapshot()
    edit(data)
    (tmp_path / "state.json").write_text(json.dumps(data))
    with pytest.raises(StateError, match=message):
        StateStore(tmp_path / "state.json").load()

