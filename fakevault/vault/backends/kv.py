"""The KV secrets engine's paths, versions 1 and 2, relative to the mount they serve.

Callbacks decode nothing themselves (the declarations do) and keep no records (the engine's
:mod:`fakevault.vault.kv_store` does): they route a request to the store and shape Vault's
answers, including its 404s that carry a body.
"""

from __future__ import annotations

from typing import Any

from fakevault.model.durations import go_duration, parse_seconds
from fakevault.model.errors import InvalidRequestError
from fakevault.model.messages import WARNINGS, error
from fakevault.vault import kv_store
from fakevault.vault.context import Context
from fakevault.vault.framework import Field, Path
from fakevault.vault.identity import derived_uuid
from fakevault.vault.kv_store import Store, timestamp, version_meta
from fakevault.vault.logical import Response, envelope

#: The default lease TTL a dev server gives KV v1 reads.
DEFAULT_LEASE_TTL = 32 * 24 * 3600
_CLI_VERB = {"update": "put", "patch": "patch", "read": "get", "list": "list",
             "delete": "delete"}
#: The sub-paths of a KV v2 mount (a bare one is "the root of the mount").
V2_HEADS = ("data", "metadata", "delete", "undelete", "destroy")


def store(ctx: Context) -> Store:
    """The store of the mount the request reached."""
    assert ctx.mount_entry is not None  # the router sets it for every KV path
    return Store(ctx.cluster, ctx.mount_entry)


def _key(ctx: Context) -> str:
    return str(ctx.args.get("path", ""))


def _now(ctx: Context) -> float:
    return ctx.sim.clock.now()


# -- answers ---------------------------------------------------------------------------------


def _nil() -> Response:
    """404 with an empty error list: Vault's answer to a read or list that found nothing."""
    return Response(raw={"errors": []}, raw_status=404)


def _not_found(ctx: Context, data: dict[str, Any] | None, *warnings: str) -> Response:
    """404 whose body is the whole envelope (Vault's RespondWithStatusCode)."""
    request_id = derived_uuid("kv-404", ctx.sim.seed, ctx.cluster.name, ctx.path,
                              ctx.cluster.storage.last_wal, _now(ctx))
    body = envelope(Response(data=data, warnings=list(warnings), mount_type="kv"), request_id)
    return Response(raw=body, raw_status=404)


def _ok(data: dict[str, Any]) -> Response:
    return Response(data=data, mount_type="kv")


def _listing(keys: list[str]) -> Response:
    return _ok({"keys": keys}) if keys else _nil()


# -- KV v1 -----------------------------------------------------------------------------------


def _v1_ttl(value: dict[str, Any]) -> int:
    raw = value.get("ttl", value.get("lease"))
    try:
        return parse_seconds(raw) if raw is not None else DEFAULT_LEASE_TTL
    except InvalidRequestError:
        return DEFAULT_LEASE_TTL


def v1_read(ctx: Context) -> Response:
    """Read a secret (with the lease TTL it asked for, as a dev server answers)."""
    value = store(ctx).get(_key(ctx))
    if value is None:
        return _nil()
    return Response(data=value, top_level={"lease_duration": _v1_ttl(value)}, mount_type="kv")


def v1_list(ctx: Context) -> Response:
    """List a folder."""
    return _listing(store(ctx).list(_key(ctx)))


def v1_write(ctx: Context) -> Response:
    """Write a secret: the whole body is the secret."""
    if not _key(ctx):
        raise error("kv_missing_path")
    if not ctx.data.values:
        raise error("kv_missing_data_fields")
    store(ctx).put(_key(ctx), ctx.data.values)
    return Response(empty=True)


def v1_delete(ctx: Context) -> Response:
    """Delete a secret (204 whether or not it existed)."""
    if _key(ctx):
        store(ctx).delete(_key(ctx))
    return Response(empty=True)


def v1_exists(ctx: Context) -> bool:
    """Vault's existence check: does the secret exist (an update of it needs no create)."""
    return store(ctx).get(_key(ctx)) is not None


# -- KV v2: data/ ----------------------------------------------------------------------------


def read_data(ctx: Context) -> Response:
    """Read the current version of a secret, or ``version``."""
    record = store(ctx).get(_key(ctx))
    if record is None:
        return _nil()
    wanted: int = ctx.data.get("version")
    number = wanted if wanted > 0 else record["current_version"]
    version = record["versions"].get(str(number))
    if version is None:
        return _nil()
    body: dict[str, Any] = {"data": None, "metadata": version_meta(record, number)}
    if kv_store.gone(version, _now(ctx)):
        return _not_found(ctx, body)
    body["data"] = version["data"]
    return _ok(body)


def write_data(ctx: Context) -> Response:
    """Write a new version (check-and-set with ``options.cas``)."""
    kv, key, now = store(ctx), _key(ctx), _now(ctx)
    record = kv.current(key) or kv_store.new_record(now)
    config = kv.config()
    kv_store.check_cas(ctx.data.get("options"), config, record)
    number = kv_store.add_version(record, config, ctx.data.get("data"), now)
    kv.put(key, record)
    return _ok(version_meta(record, number))


def patch_data(ctx: Context) -> Response:
    """Merge-patch the current version into a new one."""
    kv, key = store(ctx), _key(ctx)
    record = kv.current(key)
    if record is None:
        return Response(raw_status=404)
    config = kv.config()
    kv_store.check_cas(ctx.data.get("options"), config, record)
    current = record["versions"].get(str(record["current_version"]))
    if current is None:
        return Response(raw_status=404)
    now = _now(ctx)
    if kv_store.gone(current, now):
        return _not_found(ctx, version_meta(record, record["current_version"]))
    patched = kv_store.merge_patch(current["data"], ctx.data.get("data"))
    number = kv_store.add_version(record, config, patched, now)
    kv.put(key, record)
    return _ok(version_meta(record, number))


def delete_latest(ctx: Context) -> Response:
    """Soft-delete the current version."""
    kv, key, now = store(ctx), _key(ctx), _now(ctx)
    record = kv.current(key)
    latest = record["versions"].get(str(record["current_version"])) if record else None
    if record is not None and latest is not None and not kv_store.gone(latest, now):
        latest["deleted"] = now
        kv.put(key, record)
    return Response(empty=True)


def v2_exists(ctx: Context) -> bool:
    """Vault's existence check on data/ and metadata/: does the secret exist."""
    return store(ctx).get(_key(ctx)) is not None


# -- KV v2: delete/, undelete/, destroy/ -----------------------------------------------------


def _change(ctx: Context, missing: str, change: kv_store.VersionChange) -> Response:
    numbers = kv_store.version_numbers(ctx.data.raw("versions"), missing)
    kv_store.change_versions(store(ctx), _key(ctx), numbers, _now(ctx), change)
    return Response(empty=True)


def delete_versions(ctx: Context) -> Response:
    """Soft-delete ``versions``."""
    return _change(ctx, "kv_no_versions", kv_store.soft_delete)


def undelete_versions(ctx: Context) -> Response:
    """Restore soft-deleted ``versions``."""
    return _change(ctx, "kv_no_versions", kv_store.undeleter(store(ctx).config()))


def destroy_versions(ctx: Context) -> Response:
    """Destroy ``versions`` for good."""
    return _change(ctx, "kv_no_versions_destroy", kv_store.destroy)


# -- KV v2: metadata/ and config -------------------------------------------------------------


def read_metadata(ctx: Context) -> Response:
    """A secret's metadata and every version's times."""
    record = store(ctx).get(_key(ctx))
    if record is None:
        return _nil()
    versions = {number: {name: value for name, value in version_meta(record, int(number)).items()
                         if name in ("created_time", "deletion_time", "destroyed")}
                for number in record["versions"]}
    return _ok({
        "cas_required": record["cas_required"],
        "created_time": timestamp(record["created"]),
        "current_version": record["current_version"],
        "custom_metadata": record["custom_metadata"],
        "delete_version_after": go_duration(record["delete_version_after"]),
        "max_versions": record["max_versions"],
        "oldest_version": record["oldest_version"],
        "updated_time": timestamp(record["updated"]),
        "versions": versions,
    })


def _settings(ctx: Context) -> dict[str, Any]:
    """The version settings a request sets (``config`` and ``metadata`` share them)."""
    return {name: ctx.data.get(name) for name in ("max_versions", "cas_required",
                                                  "delete_version_after") if name in ctx.data}


def write_metadata(ctx: Context) -> Response:
    """Change a secret's version settings or custom metadata (creating its record)."""
    kv, key = store(ctx), _key(ctx)
    if not key:
        raise error("kv_missing_path")
    changes = _settings(ctx)
    if "custom_metadata" in ctx.data:
        changes["custom_metadata"] = kv_store.custom_metadata(ctx.data.get("custom_metadata"))
    if not changes:
        return Response(empty=True)
    record = kv.current(key) or kv_store.new_record(_now(ctx))
    record.update(changes)
    kv.put(key, record)
    return Response(empty=True)


def delete_metadata(ctx: Context) -> Response:
    """Delete a secret and every version."""
    kv, key = store(ctx), _key(ctx)
    if kv.current(key) is not None:
        kv.delete(key)
    return Response(empty=True)


def list_metadata(ctx: Context) -> Response:
    """List a folder of secrets."""
    return _listing(store(ctx).list(_key(ctx)))


def read_config(ctx: Context) -> Response:
    """The engine's configuration (this cluster's copy)."""
    config = store(ctx).config(fresh=False)
    return _ok({"cas_required": config["cas_required"],
                "delete_version_after": go_duration(config["delete_version_after"]),
                "max_versions": config["max_versions"]})


def write_config(ctx: Context) -> Response:
    """Change the engine's configuration."""
    kv = store(ctx)
    config = kv.config()
    config.update(_settings(ctx))
    kv.set_config(config)
    return Response(empty=True)


def v2_fallback(ctx: Context) -> Response:
    """Any other path of a KV v2 mount: Vault's 404s with a warning that says why."""
    head = ctx.rest.partition("/")[0]
    if head in V2_HEADS and ctx.rest == head:
        return _not_found(ctx, None, WARNINGS["kv2_root"][0])
    return _not_found(ctx, None, WARNINGS["kv2_invalid_path"][0].format(
        command=_CLI_VERB.get(ctx.operation, ctx.operation)))


# -- declarations ----------------------------------------------------------------------------

_SETTINGS = (
    Field("max_versions", "int", "The number of versions to keep (0: the default, 10).",
          minimum=0, maximum=1000),
    Field("cas_required", "bool", "Every write must send options.cas."),
    Field("delete_version_after", "duration",
          "Delete a version this long after it was written (0: never)."),
)
_VERSIONS = (Field("versions", "raw", "The versions to change.", required=True, json="array",
                   items="integer", missing="kv_no_versions"),)
_DESTROY_VERSIONS = (Field("versions", "raw", "The versions to destroy.", required=True,
                           json="array", items="integer", missing="kv_no_versions_destroy"),)
_DATA = (
    Field("version", "int", "The version to read (0 or less: the current one).",
          location="query"),
    Field("data", "map", "The secret: a JSON object.", required=True, missing="kv_no_data"),
    Field("options", "map", 'Write options; "cas" is the version the write expects to be '
          "current (0: only create)."),
)
_KEY = "(?P<path>.+)"
_MAYBE_KEY = "(?P<path>.*)"

V1_PATHS: tuple[Path, ...] = (
    Path(_MAYBE_KEY, {"read": v1_read, "list": v1_list, "update": v1_write,
                      "delete": v1_delete},
         existence_check=v1_exists, raw_data=True, summary="Read, write, list or delete a "
         "secret.", answers="kv:v1"),
)
V2_PATHS: tuple[Path, ...] = (
    Path(f"data/{_KEY}", {"read": read_data, "update": write_data, "patch": patch_data,
                          "delete": delete_latest}, _DATA, existence_check=v2_exists,
         summary="Read, write, patch or soft-delete the current version of a secret.",
         answers="kv:data"),
    Path(f"metadata/{_MAYBE_KEY}", {"read": read_metadata, "update": write_metadata,
                                    "delete": delete_metadata, "list": list_metadata},
         (*_SETTINGS, Field("custom_metadata", "map", "User metadata as string pairs.",
                            values="string")),
         existence_check=v2_exists,
         summary="Read, list, configure or delete a secret's metadata and every version.",
         answers="kv:metadata"),
    Path(f"delete/{_MAYBE_KEY}", {"update": delete_versions}, _VERSIONS,
         summary="Soft-delete versions of a secret.", answers="kv:delete"),
    Path(f"undelete/{_MAYBE_KEY}", {"update": undelete_versions}, _VERSIONS,
         summary="Restore soft-deleted versions of a secret.", answers="kv:undelete"),
    Path(f"destroy/{_MAYBE_KEY}", {"update": destroy_versions}, _DESTROY_VERSIONS,
         summary="Destroy versions of a secret for good.", answers="kv:destroy"),
    Path("config", {"read": read_config, "update": write_config}, _SETTINGS,
         summary="Read or write the engine's configuration.", answers="kv:config"),
)
