"""The public :class:`Simulator`: the model's world, with its Vault and HTTP faces attached.

The model (:mod:`fakevault.model`) knows nothing above itself; this subclass, at the top of the
package, adds what a user reaches for: each cluster's logical layer (:meth:`Simulator.vault`)
and the WSGI app (:meth:`Simulator.wsgi_app`). Both load lazily, so importing fakevault (as the
pytest plugin does) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fakevault.model import simulator as model

if TYPE_CHECKING:
    from fakevault.http.app import FakeVaultApp
    from fakevault.model.cluster import Cluster
    from fakevault.vault.router import Vault


class Simulator(model.Simulator):
    """A world of simulated Vault clusters (see :class:`fakevault.model.simulator.Simulator`)."""

    def vault(self, name: str) -> Vault:
        """Cluster ``name``'s logical layer: ``sim.vault("a").request("read", "sys/health")``."""
        from fakevault.vault.router import Vault

        return Vault(self, name)

    def filterable_mounts(self, cluster: Cluster) -> dict[str, str]:
        """The replicated secrets-engine mounts of ``cluster``'s mount table, with the storage
        prefix of each one's data (what performance paths filters name)."""
        from fakevault.vault.mount_table import filterable_mounts

        return filterable_mounts(cluster)

    def wsgi_app(self, name: str | None = None) -> FakeVaultApp:
        """The WSGI app of this world (``fakevault.create_app``), bound to cluster ``name``
        if given, else routing by Host to each cluster's api_addr."""
        from fakevault.http.app import create_app

        return create_app(self, cluster=None if name is None else self[name].name)

    # -- tokens a runbook would generate (fakevault.model.ceremony) ---------------------------
    def generate_root(self, name: str, keys: list[str] | None = None) -> str:
        """Run ``sys/generate-root`` on cluster ``name`` with ``keys`` (default: its unseal
        keys, which are the primary's once it is a secondary) and answer the new root token.

        A performance secondary accepts no earlier token, the configured root token included,
        until this (or the same ceremony over HTTP) has run on it.
        """
        from fakevault.model.ceremony import ROOT, run_ceremony

        cluster = self[name]
        return run_ceremony(cluster, list(cluster.unseal_keys if keys is None else keys), ROOT)

    def generate_dr_operation_token(self, name: str, keys: list[str] | None = None) -> str:
        """Run the DR operation token ceremony on DR secondary ``name``; answer the token."""
        from fakevault.model.ceremony import DR, run_ceremony

        cluster = self[name]
        return run_ceremony(cluster, list(cluster.unseal_keys if keys is None else keys), DR)

    def mint_root_token(self, name: str, token_id: str = "") -> str:
        """Put a root token in cluster ``name``'s token store without a ceremony (not a Vault
        operation: a shortcut for tests that do not exercise generate-root). ``token_id``
        chooses the token (for example the configured root token); default a new one."""
        from fakevault.model.ceremony import mint_root

        return mint_root(self[name], token_id)
