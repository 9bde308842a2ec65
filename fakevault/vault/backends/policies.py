"""``sys/policies/acl``: list, read, write and delete ACL policies (replicated data)."""

from __future__ import annotations

import base64
import binascii

from fakevault.model import policy_store
from fakevault.model.messages import error
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.logical import Response as Reply


def list_policies(ctx: Context) -> Reply:
    """``LIST sys/policies/acl`` (or GET with ``?list=true``); a plain GET is 405, as Vault."""
    return Reply(data={"keys": policy_store.list_policies(ctx.cluster)})


def policy(ctx: Context) -> Reply:
    """``sys/policies/acl/<name>``: GET reads, POST/PUT writes, DELETE deletes."""
    name = str(ctx.args["name"])
    if ctx.operation == "read":
        return _read(ctx, name)
    if ctx.operation == "delete":
        policy_store.delete_policy(ctx.cluster, name)
        return Reply(empty=True)
    return _write(ctx, name, ctx.data.get("policy"))


def _read(ctx: Context, name: str) -> Reply:
    found = policy_store.read_policy(ctx.cluster, name)
    if found is None:
        return Reply(raw={"errors": []}, raw_status=404)  # Vault: a read that found nothing
    return Reply(data=dict(found))


def _write(ctx: Context, name: str, text: str) -> Reply:
    policy_store.write_policy(ctx.cluster, name, decoded(text))
    return Reply(empty=True)


def decoded(text: str) -> str:
    """The policy text, base64-decoded if it is valid base64 (Go's StdEncoding, as Vault)."""
    compact = text.replace("\r", "").replace("\n", "")  # Go's decoder skips line breaks
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return text
    return raw.decode("utf-8", errors="replace")


# -- the legacy sys/policy API (hvac's create_or_update_policy, read_policy, list_policies) ---
def legacy_list(ctx: Context) -> Reply:
    """``GET sys/policy``: ``keys`` and ``policies``, as Vault's old API answers."""
    names = policy_store.list_policies(ctx.cluster)
    return Reply(data={"keys": names, "policies": names})


def legacy_policy(ctx: Context) -> Reply:
    """``sys/policy/<name>``: the old API, where the text is called ``rules``."""
    name = str(ctx.args["name"])
    if ctx.operation == "read":
        found = policy_store.read_policy(ctx.cluster, name)
        if found is None:
            return Reply(raw={"errors": []}, raw_status=404)
        return Reply(data={"name": found["name"], "rules": found["policy"]})
    if ctx.operation == "delete":
        policy_store.delete_policy(ctx.cluster, name)
        return Reply(empty=True)
    text = ctx.data.get("policy") or ctx.data.get("rules")
    if not text:
        raise error("policy_missing")
    return _write(ctx, name, text)


# -- declarations (relative to sys/) ---------------------------------------------------------

_NAME = "(?P<name>[^/]+)"
PATHS: tuple[Path, ...] = (
    Path("policies/acl/?", {"list": list_policies},
         answers="policies:list_policies"),
    Path(f"policies/acl/{_NAME}", dict.fromkeys(("read", "update", "delete"), policy),
         (Field("policy", "string", "The policy document, HCL or JSON (base64 accepted).",
                required=True, missing="policy_missing"),
          Field("name", "string", "Ignored: the name is the URL's.")),
         answers="policies:policy"),
    Path("policy/?", {"read": legacy_list, "list": legacy_list}, answers="policies:legacy_list",
         copy_data_to_top=True),
    Path(f"policy/{_NAME}", dict.fromkeys(("read", "update", "delete"), legacy_policy),
         (Field("rules", "string", "The policy document, HCL or JSON (this API's name; one of "
                "rules and policy is required)."),
          Field("policy", "string", "The policy document (the new name; wins over rules)."),
          Field("name", "string", "Ignored: the name is the URL's.")),
         answers="policies:legacy_policy", copy_data_to_top=True),
)
