"""Vault's logical layer over the model: router, token checks, and backends of declared paths.

Nothing here knows HTTP (:mod:`fakevault.http` turns HTTP into these logical requests). Use
:meth:`fakevault.Simulator.vault` to make a logical request in-process.
"""
