"""The client history and its checkers: stale consistent reads, lost updates, monotonic reads."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fakevault.model.clienthistory import (
    ClientHistory,
    ClientOp,
    lost_updates,
    nonmonotonic_reads,
    stale_reads,
)


class Recorder:
    """A sequential world's clients: each operation completes before the next starts."""

    def __init__(self) -> None:
        self.history = ClientHistory()
        self.seq = 0
        self.stored: dict[str, dict[str, Any]] = {}

    def write(self, client: str, key: str, *, based_on: ClientOp | None = None,
              rmw: bool = False, ok: bool = True) -> ClientOp:
        self.seq += 1
        value = self.history.new_value(client)
        op = self.history.invoke(client, "write", key, "a", time=0, seq=self.seq - 1,
                                 value=value, rmw=rmw,
                                 based_on=based_on.write_id if based_on else None)
        if ok:
            self.stored[key] = value
        return self.history.complete(op, "ok" if ok else "fail", time=0, seq=self.seq)

    def read(self, client: str, key: str, value: dict[str, Any] | None, *, cluster: str = "b",
             consistent: bool = False) -> ClientOp:
        op = self.history.invoke(client, "read", key, cluster, time=0, seq=self.seq,
                                 consistent=consistent)
        return self.history.complete(op, "ok", time=0, seq=self.seq, value=value)


def kinds(history: ClientHistory) -> list[str]:
    return [a.kind for a in history.check()]


def test_a_consistent_read_must_see_the_clients_own_write() -> None:
    r = Recorder()
    first = r.write("c1", "k")
    r.write("c1", "k")
    r.read("c1", "k", first.value, consistent=True)
    (anomaly,) = stale_reads(r.history)
    assert anomaly.kind == "stale_read" and "older than its own acknowledged w2" in str(anomaly)


def test_an_eventual_read_may_be_stale_and_another_clients_write_is_not_owed() -> None:
    r = Recorder()
    first = r.write("c1", "k")
    r.write("c1", "k")
    r.read("c1", "k", first.value)  # not consistent: eventual on a secondary
    r.read("c2", "k", first.value, consistent=True, cluster="c")  # c2 wrote nothing
    assert kinds(r.history) == []


def test_a_read_modify_write_that_overwrote_a_newer_value_is_a_lost_update() -> None:
    r = Recorder()
    base = r.write("c1", "k")
    r.write("c2", "k")  # newer, acknowledged
    stale = r.read("c1", "k", base.value)  # from a lagging secondary
    r.write("c1", "k", based_on=stale, rmw=True)
    (anomaly,) = lost_updates(r.history)
    assert "based on w1 but overwrote w2" in anomaly.message


def test_a_refused_cas_write_is_no_lost_update() -> None:
    r = Recorder()
    base = r.write("c1", "k")
    r.write("c2", "k")
    r.write("c1", "k", based_on=base, rmw=True, ok=False)  # cas mismatch
    assert kinds(r.history) == []


def test_a_read_modify_write_of_nothing_over_an_existing_value_is_a_lost_update() -> None:
    r = Recorder()
    r.write("c1", "k")
    r.write("c2", "k", based_on=None, rmw=True)
    assert kinds(r.history) == ["lost_update"]


def test_one_clients_reads_of_one_cluster_never_go_back() -> None:
    r = Recorder()
    first, second = r.write("c1", "k"), r.write("c1", "k")
    r.read("c2", "k", second.value)
    r.read("c2", "k", first.value, cluster="c")  # another cluster: allowed
    assert nonmonotonic_reads(r.history) == []
    r.read("c2", "k", first.value)  # back on b: went back in time
    assert [a.kind for a in nonmonotonic_reads(r.history)] == ["nonmonotonic_read"]


# -- the incremental judge (what the machine uses) agrees with the whole-history checkers -----
step = st.tuples(st.sampled_from(["write", "rmw", "read", "consistent"]),
                 st.sampled_from(["c1", "c2"]), st.sampled_from(["k0", "k1"]),
                 st.sampled_from(["b", "c"]), st.integers(0, 5), st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(step, max_size=25))
def test_anomalies_as_they_happen_equal_the_whole_history_check(
        steps: list[tuple[str, str, str, str, int, bool]]) -> None:
    r = Recorder()
    writes: dict[str, list[ClientOp]] = {}
    for kind, client, key, cluster, back, ok in steps:
        known = writes.get(key, [])
        seen = known[-1 - back % len(known)] if known else None
        if kind in ("write", "rmw"):
            writes.setdefault(key, []).append(
                r.write(client, key, based_on=seen, rmw=kind == "rmw", ok=ok))
        else:
            r.read(client, key, seen.value if seen and seen.outcome == "ok" else None,
                   cluster=cluster, consistent=kind == "consistent")
    assert sorted(map(str, r.history.anomalies)) == sorted(map(str, r.history.check()))
