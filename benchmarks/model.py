"""Model costs: merkle writes as storage grows, and bootstrapping a secondary."""

from __future__ import annotations

import hashlib
import os
import time

from benchmarks.harness import Result, compare
from fakevault import Simulator
from fakevault.model.merkle import MerkleTree

BIG = 100_000
SMALL = 1_000


def _tree(size: int) -> MerkleTree:
    return MerkleTree.build((f"secret/data/k{n}", hashlib.sha1(str(n).encode()).digest())
                            for n in range(size))


def bench_merkle_scaling() -> Result:
    """One write at 100,000 keys against one write at 1,000 keys (target: at most 1.5x)."""
    big, small = _tree(BIG), _tree(SMALL)
    digests = [hashlib.sha1(str(n).encode()).digest() for n in range(512)]
    counter = iter(range(10**9))

    def write(tree: MerkleTree) -> None:
        n = next(counter)
        tree.set(f"secret/data/k{n % 997}", digests[n % 512])

    return compare("merkle write at 100k vs 1k keys", lambda: write(big), lambda: write(small),
                   target=1.5, calls=2000)


def bench_bootstrap() -> Result:
    """Enabling a secondary of a primary with 100,000 keys, against hashing the same values
    with hashlib (target: at most 3x)."""
    sim = Simulator(seed=1, wal_retention=16)
    primary = sim["a"]
    primary.performance.enable_primary()
    for n in range(BIG):
        primary.storage.put(f"secret/data/k{n}", {"v": os.urandom(16).hex()})
    values = [text.encode() for _, text in primary.storage.items()]

    def hash_values() -> None:
        for value in values:
            hashlib.sha1(value).digest()

    def bootstrap() -> None:
        if sim["b"].performance.mode == "secondary":
            sim["b"].performance.disable()
        token = primary.performance.secondary_token(f"b{time.perf_counter_ns()}")
        sim["b"].performance.enable_secondary(token.token)
        assert len(sim["b"].storage) == BIG

    return compare("secondary bootstrap, 100k keys, vs hashlib", bootstrap, hash_values,
                   target=3.0, calls=1, rounds=5)
