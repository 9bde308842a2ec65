"""Clients that read and write a world and record a ``ClientHistory`` as they go.

``Workload(sim)`` performs reads, writes and read-modify-writes through the model API, or
through in-process hvac clients (``api="http"``, KV v2, with or without ``cas``), each recorded
with invoke and complete times, the value and the outcome. Each client believes some cluster is
the primary and writes there; when that fails it asks every cluster it can reach for its status
and believes the first that says it is a primary (as a client configured with several addresses
does), so after a split brain clients may write to different primaries.

Consistency: ``read(..., consistent=True)`` carries the client's ``X-Vault-Index`` (the WAL
position of its last acknowledged write) and is refused, as Vault answers 412, by a cluster
that has not applied it yet. A cluster that holds neither that WAL nor a stream of it cannot
compare, and answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import requests

from fakevault.model.auth import lookup_token
from fakevault.model.ceremony import mint_root
from fakevault.model.clienthistory import ClientHistory, ClientOp
from fakevault.model.errors import VaultError

if TYPE_CHECKING:
    import hvac

    from fakevault.model.cluster import Cluster
    from fakevault.model.simulator import Simulator

Api = Literal["model", "http"]
KV_MOUNT = "secret"


@dataclass
class ClientState:
    """What one client knows: the cluster it believes is primary and its last write's index."""

    believed_primary: str
    index: tuple[str, int, int] | None = None  # (cluster, WAL epoch, WAL index)
    versions: dict[tuple[str, str], int] = field(default_factory=dict)  # KV v2, over HTTP


class Workload:
    """Client operations on ``sim`` recorded in ``self.history``."""

    def __init__(self, sim: Simulator, *, api: Api = "model", primary: str | None = None,
                 history: ClientHistory | None = None) -> None:
        if api not in ("model", "http"):
            raise ValueError(f"api must be 'model' or 'http', not {api!r}")
        self.sim = sim
        self.api: Api = api
        self.history = history if history is not None else ClientHistory()
        self._first = primary or sim.names[0]
        self.clients: dict[str, ClientState] = {}
        #: Clusters the clients cannot reach (a client-side partition).
        self.unreachable: set[str] = set()
        self._hvac: dict[str, hvac.Client] = {}

    def __repr__(self) -> str:
        return f"Workload(api={self.api!r}, operations={len(self.history)})"

    def client(self, name: str) -> ClientState:
        """Client ``name``'s state (created on first use, believing the first cluster)."""
        return self.clients.setdefault(name, ClientState(self._first))

    # -- operations -----------------------------------------------------------------------
    def write(self, client: str, key: str, payload: Any = None) -> ClientOp:
        """``client`` writes a fresh value at ``key`` on the cluster it believes is primary."""
        return self._write(client, key, self.history.new_value(client, payload), rmw=False,
                           based_on=None, cas=False)

    def read(self, client: str, cluster: str, key: str, *, consistent: bool = False) -> ClientOp:
        """``client`` reads ``key`` from ``cluster`` (``consistent``: with its X-Vault-Index)."""
        op = self.history.invoke(client, "read", key, cluster, time=self.sim.clock.now(),
                                 seq=self.sim.last_operation, consistent=consistent)
        try:
            value = self._read(client, cluster, key, consistent)
        except _Refused as exc:
            return self._complete(op, "fail", error=str(exc))
        return self._complete(op, "ok", value=value)

    def increment(self, client: str, read_from: str, key: str, *, cas: bool = False) -> ClientOp:
        """A read-modify-write: read ``key`` from ``read_from``, write back its count plus one
        on the believed primary (``cas``: only if the value is still the one read)."""
        read = self.read(client, read_from, key)
        if read.outcome != "ok":
            return read
        count = read.value.get("data", 0) if isinstance(read.value, dict) else 0
        value = self.history.new_value(client, (count or 0) + 1)
        return self._write(client, key, value, rmw=True, based_on=read.write_id, cas=cas)

    # -- writes -----------------------------------------------------------------------------
    def _write(self, client: str, key: str, value: dict[str, Any], *, rmw: bool,
               based_on: str | None, cas: bool) -> ClientOp:
        state = self.client(client)
        if not self._answers(state.believed_primary):
            state.believed_primary = self.discover_primary(state.believed_primary)
        target = state.believed_primary
        op = self.history.invoke(client, "write", key, target, time=self.sim.clock.now(),
                                 seq=self.sim.last_operation, value=value, rmw=rmw,
                                 based_on=based_on, cas=cas)
        try:
            self._reach(target)
            if self.api == "http":
                self._http_write(state, target, key, value, cas)
            else:
                self._model_write(state, target, key, value, based_on if cas else None, cas)
        except _Refused as exc:
            state.believed_primary = self.discover_primary(target)
            return self._complete(op, "fail", error=str(exc))
        return self._complete(op, "ok")

    def _model_write(self, state: ClientState, target: str, key: str, value: dict[str, Any],
                     expected: str | None, cas: bool) -> None:
        cluster = self.sim[target]
        if cas:
            current = self._serving(cluster).storage.get(_model_key(key))
            found = current.get("write_id") if isinstance(current, dict) else None
            if found != expected:
                raise _Refused("check-and-set parameter did not match the current version")
        try:
            index = cluster.write(_model_key(key), value)
        except VaultError as exc:
            raise _Refused(exc.messages[0]) from None
        acknowledging = self._serving(cluster)
        state.index = (acknowledging.name, acknowledging.storage.epoch, index)

    def _serving(self, cluster: Cluster) -> Cluster:
        """The cluster that acknowledges a replicated write sent to ``cluster``."""
        primary = self.sim.primary_of(cluster.performance)
        return primary.cluster if primary is not None else cluster

    def _http_write(self, state: ClientState, target: str, key: str, value: dict[str, Any],
                    cas: bool) -> None:
        version = state.versions.get((target, key), 0) if cas else None
        try:
            answer = self.hvac(target).secrets.kv.v2.create_or_update_secret(
                path=key, secret=value, cas=version, mount_point=KV_MOUNT)
        except (requests.RequestException, _hvac_errors()) as exc:
            raise _Refused(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
                from None
        state.versions[(target, key)] = int(answer["data"]["version"])

    # -- reads ------------------------------------------------------------------------------
    def _read(self, client: str, cluster: str, key: str, consistent: bool) -> Any:
        state = self.client(client)
        self._reach(cluster)
        if consistent and not self.applied(cluster, state.index):
            raise _Refused("412: this cluster has not yet applied the X-Vault-Index state")
        if self.api == "http":
            return self._http_read(state, cluster, key)
        try:
            return self.sim[cluster].read(_model_key(key))
        except VaultError as exc:
            raise _Refused(exc.messages[0]) from None

    def _http_read(self, state: ClientState, cluster: str, key: str) -> Any:
        import hvac.exceptions

        try:
            answer = self.hvac(cluster).secrets.kv.v2.read_secret_version(
                path=key, mount_point=KV_MOUNT, raise_on_deleted_version=False)
        except hvac.exceptions.InvalidPath:
            for primary in {state.believed_primary, cluster}:
                state.versions[(primary, key)] = 0
            return None
        except (requests.RequestException, _hvac_errors()) as exc:
            raise _Refused(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
                from None
        version = int(answer["data"]["metadata"]["version"])
        state.versions[(state.believed_primary, key)] = version
        return answer["data"]["data"]

    def applied(self, cluster: str, index: tuple[str, int, int] | None) -> bool:
        """True if ``cluster`` has applied WAL position ``index`` (or cannot compare it)."""
        if index is None:
            return True
        origin, epoch, position = index
        found = self.sim[cluster]
        if found.name == origin:
            return found.storage.epoch == epoch and found.storage.last_wal >= position
        for role in found.roles:
            if role.mode == "secondary" and role.primary == origin:
                return role.remote_epoch == epoch and role.last_remote_wal >= position
        return True

    # -- discovery --------------------------------------------------------------------------
    def _reach(self, name: str) -> None:
        if name in self.unreachable:
            raise _Refused(f"dial tcp {self.sim[name].api_addr}: i/o timeout (client-side "
                           "partition)")

    def _answers(self, name: str) -> bool:
        cluster = self.sim[name]
        if name in self.unreachable or cluster.crashed or cluster.is_dr_secondary:
            return False
        return any(role.mode == "primary" for role in cluster.roles)

    def discover_primary(self, fallback: str) -> str:
        """The first cluster (in name order) that answers and says it is a primary."""
        for name in self.sim.names:
            if self._answers(name):
                return name
        return fallback

    def hvac(self, cluster: str) -> hvac.Client:
        """A cached in-process hvac client for ``cluster``."""
        if cluster not in self._hvac:
            from fakevault.testing.clients import hvac_client

            self._hvac[cluster] = hvac_client(self.sim, cluster)
        self._root_token_on(cluster)
        return self._hvac[cluster]

    def _root_token_on(self, cluster: str) -> None:
        """The clients' token works on every live cluster: a performance secondary keeps no
        earlier token, so the token is put back there (the runbook's generate-root step)."""
        target = self.sim[cluster]
        if not target.crashed and lookup_token(target, self.sim.root_token) is None:
            mint_root(target, self.sim.root_token)

    def _complete(self, op: ClientOp, outcome: Literal["ok", "fail"], *, value: Any = None,
                  error: str | None = None) -> ClientOp:
        return self.history.complete(op, outcome, time=self.sim.clock.now(),
                                     seq=self.sim.last_operation, value=value, error=error)


class _Refused(Exception):
    """The cluster refused or could not answer."""


def _hvac_errors() -> type[Exception]:
    import hvac.exceptions

    found: type[Exception] = hvac.exceptions.VaultError
    return found


def _model_key(key: str) -> str:
    return f"{KV_MOUNT}/data/{key}"
