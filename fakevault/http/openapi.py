"""``GET /v1/sys/internal/specs/openapi``: an OpenAPI 3.0 document of every path fakevault serves.

Built from ``fakevault.http.routes.ROUTES`` (every route and method), the parameter table in
``openapi_params`` and the answers in ``openapi_schemas``. As Vault's, the document is top-level
JSON (no ``data`` envelope), its paths are relative to ``/v1`` (``servers``), LIST is GET with
``?list=true``, and ``x-vault-unauthenticated``/``x-vault-sudo`` mark special paths. The
catch-all KV route is described as Vault describes the dev server's ``secret/`` mount (or with
a ``{secret_mount_path}`` parameter when ``generic_mount_paths`` is set). The ``/_fakevault``
control plane is included, tagged ``fakevault``, with its own server (the root, not ``/v1``).

``x-fakevault-route`` and ``x-fakevault-endpoint`` on each path item name the route it came from.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import re
from typing import Any

from fakevault.http.openapi_params import DR_OPERATION_TOKEN, PARAMETERS, Param
from fakevault.http.openapi_schemas import ANSWERS, COMPONENTS, content, ref
from fakevault.http.routes import CONTROL_ROUTES, ROUTES, Route

OPENAPI_VERSION = "3.0.2"  # what Vault's sdk/framework writes
_CONVERTER = re.compile(r"<(?:(?P<kind>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
_OPERATION = {"GET": "read", "HEAD": "head", "POST": "update", "PUT": "update",
              "DELETE": "delete", "PATCH": "patch"}
#: Routes whose GET is only a LIST (a plain GET is 405, as in Vault).
_LIST_ONLY = frozenset({"policies:list_policies"})
_PATH_DESCRIPTIONS = {
    "rtype": "The replication type.",
    "mount": "The mount path (may contain slashes).",
    "name": "The policy's name.",
    "path": "The secret's path inside the mount (may contain slashes).",
    "secret_mount_path": 'The path of a KV version 2 mount (the dev server\'s is "secret").',
}
#: The KV version 2 paths of one mount: suffix, sub-endpoint, methods, summary.
_KV_PATHS = (
    ("data/{path}", "data", "GET POST PUT PATCH DELETE",
     "Read, write, patch or soft-delete the current version of a secret."),
    ("metadata/{path}", "metadata", "GET LIST POST PUT DELETE",
     "Read, list, configure or delete a secret's metadata and every version."),
    ("delete/{path}", "delete", "POST PUT", "Soft-delete versions of a secret."),
    ("undelete/{path}", "undelete", "POST PUT", "Restore soft-deleted versions of a secret."),
    ("destroy/{path}", "destroy", "POST PUT", "Destroy versions of a secret for good."),
    ("config", "config", "GET POST PUT", "Read or write the engine's configuration."),
)
_ERRORS = {
    "400": "invalid request, or the path is disabled on a DR secondary",
    "403": "permission denied (no token, an invalid token, or a policy that does not allow it)",
    "404": "no such path, mount or object",
    "405": "unsupported operation",
    "413": "request body too large",
    "415": "PATCH without Content-Type application/merge-patch+json",
    "503": "the cluster is down, or cannot forward or catch up now",
}
_TAGS = (
    ("system", "Vault's system backend: replication, health, mounts, policies."),
    ("auth", "The token store."),
    ("secrets", "The KV secrets engine."),
    ("fakevault", "fakevault's control plane (root token only; not part of Vault)."),
)


def build_document(generic_mount_paths: bool = False) -> dict[str, Any]:
    """The whole OpenAPI document (a new object on every call)."""
    paths: dict[str, Any] = {}
    for route in ROUTES:
        if route.endpoint == "kv:logical":
            paths.update(_kv_paths(route, generic_mount_paths))
        else:
            paths[_doc_path(route)] = _path_item(route)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "HashiCorp Vault API",
            "description": "HTTP API that gives you full access to Vault. All API routes are "
                           "prefixed with `/v1/`. Served by fakevault, a simulator of Vault "
                           "Enterprise replication; `/_fakevault/` is its control plane.",
            "version": _vault_version(),
            "license": {"name": "Mozilla Public License 2.0",
                        "url": "https://www.mozilla.org/en-US/MPL/2.0"},
        },
        "servers": [{"url": "/v1", "description": "Vault's API prefix"}],
        "tags": [{"name": name, "description": text} for name, text in _TAGS],
        "paths": paths,
        "components": {
            "schemas": dict(COMPONENTS),
            "securitySchemes": {
                "token": {"type": "apiKey", "in": "header", "name": "X-Vault-Token",
                          "description": "A Vault token (fakevault's root token is "
                                         "configurable, `root` by default)."},
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "The same token as `Authorization: Bearer`."},
            },
        },
    }


@functools.cache
def _document_text(generic_mount_paths: bool) -> str:
    return json.dumps(build_document(generic_mount_paths))


def document(generic_mount_paths: bool = False) -> dict[str, Any]:
    """The document, built once per process and handed out as a fresh copy."""
    loaded: dict[str, Any] = json.loads(_document_text(generic_mount_paths))
    return loaded


def _vault_version() -> str:
    from fakevault.http.handlers.system import VERSION

    return VERSION


# -- paths -------------------------------------------------------------------------------------


def _doc_path(route: Route) -> str:
    """``sys/replication/<any(performance, dr):rtype>/status`` -> ``/sys/.../{rtype}/status``."""
    path = _CONVERTER.sub(lambda m: "{" + m["name"] + "}", route.path)
    return path if path.startswith("/") else "/" + path


def _path_parameters(route: Route) -> list[dict[str, Any]]:
    parameters = []
    for match in _CONVERTER.finditer(route.path):
        schema: dict[str, Any] = {"type": "string"}
        if match["kind"] == "any":
            schema["enum"] = [value.strip() for value in (match["args"] or "").split(",")]
        parameter = _path_parameter(match["name"], schema)
        if route.control:
            parameter["description"] = "A cluster's name."
        parameters.append(parameter)
    return parameters


def _path_parameter(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True,
            "description": _PATH_DESCRIPTIONS.get(name, ""), "schema": schema}


def _path_item(route: Route) -> dict[str, Any]:
    item = _item_header(route, _summary(route.endpoint))
    parameters = _path_parameters(route)
    if parameters:
        item["parameters"] = parameters
    item.update(_operations(route, route.endpoint, route.methods, _summary(route.endpoint)))
    return item


def _item_header(route: Route, description: str) -> dict[str, Any]:
    item: dict[str, Any] = {"description": description}
    if route.control:
        item["servers"] = [{"url": "/", "description": "the control plane is not under /v1"}]
    if route.auth in ("none", "dr_op"):
        item["x-vault-unauthenticated"] = True
    if route.auth == "sudo":
        item["x-vault-sudo"] = True
    item["x-fakevault-route"] = route.path
    item["x-fakevault-endpoint"] = route.endpoint
    return item


def _kv_paths(route: Route, generic: bool) -> dict[str, Any]:
    mount = "{secret_mount_path}" if generic else "secret"
    paths = {}
    for suffix, name, methods, summary in _KV_PATHS:
        item = _item_header(route, summary)
        parameters = [_path_parameter(match, {"type": "string"})
                      for match in re.findall(r"{(\w+)}", f"{mount}/{suffix}")]
        if parameters:
            item["parameters"] = parameters
        item.update(_operations(route, f"kv:{name}", tuple(methods.split()), summary))
        paths[f"/{mount}/{suffix}"] = item
    return paths


def _summary(endpoint: str) -> str:
    """The handler's docstring, first sentence, without reST markup."""
    module_name, _, function = endpoint.partition(":")
    handler = getattr(importlib.import_module(f"fakevault.http.handlers.{module_name}"),
                      function)
    first = (inspect.getdoc(handler) or endpoint).split("\n\n")[0]
    return " ".join(first.replace("``", "`").split())


# -- operations --------------------------------------------------------------------------------


def _operations(route: Route, endpoint: str, methods: tuple[str, ...],
                summary: str) -> dict[str, Any]:
    operations = {}
    for method in methods:
        if method == "LIST":
            continue  # LIST is GET with ?list=true
        operation = _OPERATION[method]
        answer_op = "read" if method == "HEAD" and "head" not in ANSWERS[endpoint] else operation
        op: dict[str, Any] = {
            "summary": summary,
            "operationId": _operation_id(method, route, endpoint),
            "tags": [_tag(route)],
        }
        parameters = _query_parameters(endpoint, method, "LIST" in methods)
        if parameters:
            op["parameters"] = parameters
        body = _request_body(route, endpoint, operation)
        if body is not None:
            op["requestBody"] = body
        responses = {**_error_responses(route, endpoint, method),
                     **ANSWERS[endpoint][answer_op]}
        op["responses"] = dict(sorted(responses.items()))
        op["security"] = [{"token": []}, {"bearer": []}] if route.auth in (
            "token", "sudo", "root") else []
        operations[method.lower()] = op
    return operations


def _operation_id(method: str, route: Route, endpoint: str) -> str:
    path = route.path if endpoint == route.endpoint else endpoint
    slug = re.sub(r"[^a-z0-9]+", "-", _CONVERTER.sub(lambda m: m["name"], path).lower())
    return f"{method.lower()}-{slug.strip('-')}"


def _tag(route: Route) -> str:
    if route.control:
        return "fakevault"
    if route.path.startswith("auth/"):
        return "auth"
    return "secrets" if route.endpoint.startswith("kv:") else "system"


def _query_parameters(endpoint: str, method: str, lists: bool) -> list[dict[str, Any]]:
    if method not in ("GET", "HEAD"):
        return []
    parameters = [{"name": p.name, "in": "query", "required": p.required,
                   "description": p.description, "schema": _query_schema(p)}
                  for p in _params(endpoint, "read")]
    if lists and method == "GET":
        only = endpoint in _LIST_ONLY
        parameters.append({
            "name": "list", "in": "query", "required": only,
            "description": "Must be set to `true`" if only else "Return a list if `true`",
            "schema": {"type": "string", "enum": ["true"]} if only else {"type": "string"}})
    return parameters


def _params(endpoint: str, operation: str) -> tuple[Param, ...]:
    operations = PARAMETERS.get(endpoint)
    return operations.get(operation, ()) if operations is not None else ()


def _query_schema(param: Param) -> dict[str, Any]:
    schema = param.schema()
    del schema["description"]
    return schema


def _request_body(route: Route, endpoint: str, operation: str) -> dict[str, Any] | None:
    if operation not in ("update", "patch"):
        return None
    if endpoint == "control:restore":
        return {"required": True, "description": "A snapshot (GET /_fakevault/snapshot).",
                "content": content(ref("Snapshot"))}
    params = list(_params(endpoint, operation))
    if route.auth == "dr_op":
        params.append(DR_OPERATION_TOKEN)
    if not params:
        return None
    schema: dict[str, Any] = {"type": "object",
                              "properties": {p.name: p.schema() for p in params}}
    required = sorted(p.name for p in params if p.required)
    if required:
        schema["required"] = required
    media_type = "application/merge-patch+json" if operation == "patch" else "application/json"
    return {"required": bool(required), "content": content(schema, media_type)}


def _error_responses(route: Route, endpoint: str, method: str) -> dict[str, Any]:
    codes = ["400"]
    if route.auth in ("token", "sudo", "root"):
        codes.append("403")
    if endpoint.startswith(("kv:", "policies:")) or route.control or "<" in route.path:
        codes.append("404")  # a path parameter the route's pattern does not match, too
    if endpoint.startswith("kv:") or endpoint in _LIST_ONLY:
        codes.append("405")
    if method in ("POST", "PUT", "PATCH"):
        codes.append("413")
    if method == "PATCH":
        codes.append("415")
    if route not in CONTROL_ROUTES:
        codes.append("503")
    answers = {}
    for code in codes:
        answer: dict[str, Any] = {"description": _ERRORS[code]}
        if method != "HEAD":
            answer["content"] = content(ref("Errors"))
        answers[code] = answer
    return answers
