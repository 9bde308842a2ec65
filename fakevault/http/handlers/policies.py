"""``sys/policies/acl``: list, read, write and delete ACL policies (replicated data)."""

from __future__ import annotations

import base64
import binascii

from fakevault.http.context import Context
from fakevault.http.errors import UNSUPPORTED_OPERATION
from fakevault.http.params import ignored_warning
from fakevault.http.serialize import Reply
from fakevault.model import auth
from fakevault.model.errors import UnsupportedOperationError
from fakevault.model.messages import error


def list_policies(ctx: Context) -> Reply:
    """``LIST sys/policies/acl`` (or GET with ``?list=true``); a plain GET is 405, as Vault."""
    if ctx.operation != "list":
        raise UnsupportedOperationError(UNSUPPORTED_OPERATION)
    return Reply(data={"keys": auth.list_policies(ctx.cluster)})


def policy(ctx: Context) -> Reply:
    """``sys/policies/acl/<name>``: GET reads, POST/PUT writes, DELETE deletes."""
    name = str(ctx.args["name"])
    if ctx.operation == "read":
        return _read(ctx, name)
    if ctx.operation == "delete":
        auth.delete_policy(ctx.cluster, name)
        return Reply(empty=True)
    return _write(ctx, name)


def _read(ctx: Context, name: str) -> Reply:
    found = auth.read_policy(ctx.cluster, name)
    if found is None:
        return Reply(raw={"errors": []}, raw_status=404)  # Vault: a read that found nothing
    return Reply(data=dict(found))


def _write(ctx: Context, name: str) -> Reply:
    text = ctx.params.string("policy")
    if not text:
        raise error("policy_missing")
    auth.write_policy(ctx.cluster, name, decoded(text))
    ignored = ctx.params.ignored(("name",))
    warnings = [ignored_warning(ignored)] if ignored else []
    return Reply(empty=not warnings, warnings=warnings)


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
    names = auth.list_policies(ctx.cluster)
    return Reply(data={"keys": names, "policies": names})


def legacy_policy(ctx: Context) -> Reply:
    """``sys/policy/<name>``: the old API, where the text is called ``rules``."""
    name = str(ctx.args["name"])
    if ctx.operation == "read":
        found = auth.read_policy(ctx.cluster, name)
        if found is None:
            return Reply(raw={"errors": []}, raw_status=404)
        return Reply(data={"name": found["name"], "rules": found["policy"]})
    if ctx.operation == "delete":
        auth.delete_policy(ctx.cluster, name)
        return Reply(empty=True)
    if "rules" in ctx.params and "policy" not in ctx.params:
        ctx.params.values["policy"] = ctx.params.raw("rules")
    return _write(ctx, name)
