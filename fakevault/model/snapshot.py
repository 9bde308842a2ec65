"""Rebuilding a Simulator from ``Simulator.snapshot()`` data, with clear errors for bad files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from fakevault.model.clock import Clock, ManualClock, SystemClock
from fakevault.model.errors import VaultError
from fakevault.model.history import History
from fakevault.model.invariants import InvariantChecker
from fakevault.model.network import Network
from fakevault.model.versions import DEFAULT_VERSION

if TYPE_CHECKING:
    from fakevault.model.simulator import Simulator


class SnapshotError(ValueError):
    """The snapshot data is not something ``Simulator.snapshot()`` wrote."""


def restore_simulator(cls: type[Simulator], data: Mapping[str, Any]) -> Simulator:
    """Build a ``cls`` world from snapshot ``data``."""
    from fakevault.model.simulator import SNAPSHOT_FORMAT, SNAPSHOT_VERSION

    if not isinstance(data, Mapping) or data.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError("not a fakevault snapshot (no \"format\": \"fakevault-snapshot\")")
    if data.get("version") != SNAPSHOT_VERSION:
        raise SnapshotError(f"unsupported snapshot version {data.get('version')!r}; "
                            f"this fakevault reads version {SNAPSHOT_VERSION}")
    try:
        sim = _restore(cls, data)
        for cluster in sim:  # a world that restores but cannot show its status is corrupt
            cluster.status()
        return sim
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError,
            VaultError) as exc:
        raise SnapshotError(f"corrupt snapshot: {type(exc).__name__}: {exc}") from None


def _restore(cls: type[Simulator], data: Mapping[str, Any]) -> Simulator:
    config = data["config"]
    sim = cls(seed=config["seed"], clusters=tuple(config["clusters"]), sync=config["sync"],
              strict=config["strict"], root_token=config["root_token"],
              wal_retention=config["wal_retention"], key_shares=config["key_shares"],
              key_threshold=config["key_threshold"], clock=_clock(data["clock"]),
              vault_version=config.get("vault_version", DEFAULT_VERSION))
    version, internal, gauss = data["rng"]
    sim.rng.setstate((version, tuple(internal), gauss))
    sim._seq = int(data["seq"])
    sim.started_at = float(config.get("started_at", sim.started_at))
    sim.network = Network.from_json(data["network"])
    for name, cluster_data in data["clusters"].items():
        sim[name].load_json(cluster_data)
    sim.history = History.from_json(data["history"])
    sim.invariants = InvariantChecker.from_json(data["invariants"])
    sim.promotions = {str(k): int(v) for k, v in data.get("promotions", {}).items()}
    return sim


def _clock(data: Mapping[str, Any]) -> Clock:
    from fakevault.model.simulator import LATEST

    clock: Clock = SystemClock(float(data["offset"])) if data["kind"] == "system" \
        else ManualClock(float(data["now"]))
    if not 0 <= clock.now() <= LATEST:  # also NaN
        raise ValueError(f"the clock ({clock.now()!r}) is not a time fakevault simulates")
    return clock


