"""``GET /v1/sys/internal/specs/openapi``: an OpenAPI 3.0 document generated from the paths.

Every path item comes from one :class:`~fakevault.vault.framework.Path` declaration: its
pattern gives the URL template and its path parameters, its fields the query parameters and the
request body, its operations the methods, its auth class the security and Vault's
``x-vault-unauthenticated`` / ``x-vault-sudo`` marks. Only the success answers come from
:mod:`fakevault.vault.openapi_schemas`, named by each declaration's ``answers``.

As Vault's, the document is top-level JSON, its paths are relative to ``/v1`` (``servers``),
LIST is GET with ``?list=true``, and KV paths are described as the dev server's ``secret/``
mount (or with a ``{secret_mount_path}`` parameter when ``generic_mount_paths`` is set). The
``/_fakevault`` control plane is included, tagged ``fakevault``, with its own server.
``x-fakevault-declaration`` names the backend and pattern each item came from.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
from typing import Any

from fakevault.model.versions import DEFAULT_VERSION, PROFILES
from fakevault.vault.endpoints import endpoint, template
from fakevault.vault.framework import Backend, Field, Path
from fakevault.vault.openapi_schemas import ANSWERS, COMPONENTS, content, ref, warned
from fakevault.vault.router import CONTROL, KV_V2, SYSTEM, TOKEN

OPENAPI_VERSION = "3.0.2"  # what Vault's sdk/framework writes
#: Logical operation -> the HTTP methods documented for it (LIST is GET with ?list=true).
_METHODS = {"read": ("get",), "update": ("post", "put"), "delete": ("delete",),
            "patch": ("patch",), "list": ("get",)}
_PATH_DESCRIPTIONS = {
    "rtype": "The replication type.",
    "mount": "The mount path (may contain slashes).",
    "name": "The name.",
    "path": "The secret's path inside the mount (may contain slashes).",
    "secret_mount_path": 'The path of a KV version 2 mount (the dev server\'s is "secret").',
    "id": "A performance secondary's id (the id its secondary-token was issued for).",
}
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
#: The documented backends: mount (None: the KV mount, named by the caller), backend, tag.
DOCUMENTED: tuple[tuple[str | None, Backend, str], ...] = (
    ("/sys/", SYSTEM, "system"), ("/auth/token/", TOKEN, "auth"), (None, KV_V2, "secrets"),
    ("/_fakevault/", CONTROL, "fakevault"))


def build_document(generic_mount_paths: bool = False,
                   version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The whole OpenAPI document of a world of Vault ``version``; a new object each call."""
    profile = PROFILES[version]
    kv_mount = "/{secret_mount_path}/" if generic_mount_paths else "/secret/"
    paths: dict[str, Any] = {}
    for mount, backend, tag in DOCUMENTED:
        for path in (p for p in backend.paths if p.exists_in(profile)):
            url = (mount or kv_mount) + template(path.pattern)
            paths[url] = _path_item(url, backend, path, tag)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "HashiCorp Vault API",
            "description": "HTTP API that gives you full access to Vault. All API routes are "
                           "prefixed with `/v1/`. Served by fakevault, a simulator of Vault "
                           "Enterprise replication; `/_fakevault/` is its control plane.",
            "version": profile.version,
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
def _document_text(generic_mount_paths: bool, version: str) -> str:
    return json.dumps(build_document(generic_mount_paths, version))


def document(generic_mount_paths: bool = False, version: str = DEFAULT_VERSION) -> dict[str, Any]:
    """The document, built once per process (per version) and handed out as a fresh copy."""
    loaded: dict[str, Any] = json.loads(_document_text(generic_mount_paths, version))
    return loaded


# -- path items ------------------------------------------------------------------------------


def _path_item(url: str, backend: Backend, path: Path, tag: str) -> dict[str, Any]:
    summary = path.summary or _summary(path)
    item: dict[str, Any] = {"description": summary}
    if backend is CONTROL:
        item["servers"] = [{"url": "/", "description": "the control plane is not under /v1"}]
    if path.auth in ("none", "dr_op"):
        item["x-vault-unauthenticated"] = True
    if path.auth == "sudo":
        item["x-vault-sudo"] = True
    item["x-fakevault-declaration"] = f"{backend.name}:{path.pattern}"
    item["x-fakevault-endpoint"] = path.answers
    parameters = _path_parameters(url, path)
    if parameters:
        item["parameters"] = parameters
    for method, operation in documented_methods(path):
        item[method] = _operation(url, backend, path, tag, method, operation, summary)
    return item


def documented_methods(path: Path) -> list[tuple[str, str]]:
    """(HTTP method, logical operation) for each method the path documents."""
    methods: dict[str, str] = {}
    for operation in path.operations:
        for method in _METHODS[operation]:
            methods.setdefault(method, operation)
    if "head" in ANSWERS.get(path.answers, {}):
        methods["head"] = "read"
    return sorted(methods.items())


def _summary(path: Path) -> str:
    """The first callback's docstring, first sentence, without reST markup."""
    callback = next(iter(path.operations.values()))
    first = (inspect.getdoc(callback) or path.pattern).split("\n\n")[0]
    return " ".join(first.replace("``", "`").split())


def _path_parameters(url: str, path: Path) -> list[dict[str, Any]]:
    choices = dict(endpoint("", path).choices)
    parameters = []
    for name in re.findall(r"{(\w+)}", url):
        schema: dict[str, Any] = {"type": "string"}
        if name in choices:
            schema["enum"] = list(choices[name])
        parameters.append({"name": name, "in": "path", "required": True,
                           "description": _PATH_DESCRIPTIONS.get(name, ""), "schema": schema})
    return parameters


def _operation(url: str, backend: Backend, path: Path, tag: str, method: str,
               operation: str, summary: str) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary,
                          "operationId": f"{method}-{_slug(url)}", "tags": [tag]}
    parameters = _query_parameters(path, method)
    if parameters:
        op["parameters"] = parameters
    body = _request_body(path, operation)
    if body is not None:
        op["requestBody"] = body
    answers = ANSWERS[path.answers]
    answer = answers.get(method if method == "head" else operation) or answers["read"]
    if "204" in answer and "200" not in answer:
        answer = {**answer, **warned()}  # unknown parameters make any 204 a 200 with warnings
    op["responses"] = dict(sorted({**_error_responses(backend, path, method),
                                   **answer}.items()))
    op["security"] = [{"token": []}, {"bearer": []}] if path.auth in (
        "token", "sudo", "control") else []
    return op


def _slug(url: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", url.lower().replace("{", "").replace("}", "")).strip("-")


def _query_parameters(path: Path, method: str) -> list[dict[str, Any]]:
    if method not in ("get", "head"):
        return []
    parameters: list[dict[str, Any]] = [
        {"name": f.name, "in": "query", "required": f.required, "description": f.description,
         "schema": _without_description(f)}
        for f in path.fields if f.location in ("query", "both")]
    if "list" in path.operations and method == "get":
        only = "read" not in path.operations
        parameters.append({
            "name": "list", "in": "query", "required": only,
            "description": "Must be set to `true`" if only else "Return a list if `true`",
            "schema": {"type": "string", "enum": ["true"]} if only else {"type": "string"}})
    return parameters


def _without_description(field: Field) -> dict[str, Any]:
    schema = field.schema()
    del schema["description"]
    return schema


def _request_body(path: Path, operation: str) -> dict[str, Any] | None:
    if operation not in ("update", "patch"):
        return None
    if path.raw_data and path.auth == "control":
        return {"required": True, "description": "A snapshot (GET /_fakevault/snapshot).",
                "content": content(ref("Snapshot"))}
    fields = [f for f in path.fields if f.location in ("body", "both")]
    if not fields:
        return None
    schema: dict[str, Any] = {"type": "object",
                              "properties": {f.name: f.schema() for f in fields}}
    required = sorted(f.name for f in fields if f.required)
    if required:
        schema["required"] = required
    media_type = "application/merge-patch+json" if operation == "patch" else "application/json"
    return {"required": bool(required), "content": content(schema, media_type)}


def _error_responses(backend: Backend, path: Path, method: str) -> dict[str, Any]:
    codes = ["400"]
    if path.auth in ("token", "sudo", "control"):
        codes.append("403")
    if backend in (KV_V2, CONTROL) or "(?P<" in path.pattern or path.answers.startswith(
            "policies:"):
        codes.append("404")  # also: a path parameter the pattern does not match
    if backend is KV_V2 or "read" not in path.operations:
        codes.append("405")
    if method in ("post", "put", "patch"):
        codes.append("413")
    if method == "patch":
        codes.append("415")
    if backend is not CONTROL:
        codes.append("503")
    answers = {}
    for code in codes:
        answer: dict[str, Any] = {"description": _ERRORS[code]}
        if method != "head":
            answer["content"] = content(ref("Errors"))
        answers[code] = answer
    return answers
