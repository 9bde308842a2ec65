"""``POST /_fakevault/clusters/NAME/root-token``: a root token without the ceremony.

Not a Vault API. A performance secondary accepts no earlier token until ``sys/generate-root``
has run on it with the primary's unseal keys; scripts that are not about that ceremony call
this instead (``{"id": "root"}`` puts the configured root token back).
"""

from __future__ import annotations

from fakevault.model.ceremony import mint_root
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response as Reply


def root_token(ctx: Context) -> Reply:
    """Mint a root token on the named cluster; answer ``{"cluster", "token"}``."""
    name = str(ctx.args["name"])
    token = mint_root(ctx.sim[name], ctx.data.get("id"))
    return Reply(raw={"cluster": name, "token": token})


PATHS: tuple[Path, ...] = (
    Path("clusters/(?P<name>[^/]+)/root-token", {"update": root_token},
         (Field("id", "string", "The token to mint (default: a new hvs. token); refused if "
                "it is already a live token on the cluster."),),
         auth="control", dr_ok=True, answers="control:root_token",
         summary="Mint a root token on a cluster without generate-root (not a Vault API)."),
)
