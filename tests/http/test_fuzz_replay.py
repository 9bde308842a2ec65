"""Any sequence of requests, journaled by ``--state``, replays to exactly the same world.

This is what makes the durable journal correct: the world is deterministic and each request is
pinned to the instant it ran at, so whatever the requests were (any route, bad bodies, control
plane resets and restores, a wall clock), replaying them rebuilds the world that answered.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st
from test_fuzz_routes import WORLDS, Call, _json_object, _own_methods, calls, fresh_copy
from werkzeug.test import Client

from fakevault.http.app import FakeVaultApp
from fakevault.model.clock import SystemClock
from fakevault.serving.durable import DurableApp
from fakevault.serving.journal import StateStore
from fakevault.testing.assertions import world_state

BODIES = st.one_of(st.none(), _json_object(
    ("id", "ttl", "token", "data", "seconds", "clusters", "seed", "kind", "policy", "num_uses",
     "force", "otp", "key", "nonce", "policies")))


@settings(max_examples=40, deadline=None)
@given(world=st.sampled_from(WORLDS),
       batch=st.lists(calls(body=BODIES, method=_own_methods), min_size=1, max_size=6))
def test_a_journaled_request_sequence_replays_to_the_same_world(world: str,
                                                                  batch: list[Call]) -> None:
    sim = fresh_copy(world)
    sim.clock = SystemClock()  # the wall clock: replay must pin each request's instant
    with tempfile.TemporaryDirectory() as folder:
        store = StateStore(Path(folder) / "state.json")
        store.start(sim)
        durable = DurableApp(FakeVaultApp(sim), store)
        client = Client(durable)
        for call in batch:
            host = urlsplit(durable.app.sim[call.cluster].api_addr).netloc \
                if call.cluster in durable.app.sim else "127.0.0.1:8200"
            client.open(call.path, method=call.method, headers={"Host": host, **call.headers},
                        data=call.body, query_string=call.query)
        loaded = StateStore(Path(folder) / "state.json").load()
        store.close()
    assert loaded.diverged == 0
    assert world_state(loaded.sim) == world_state(durable.app.sim)
