"""Clients bound to a fake cluster in-process: no sockets, the WSGI app answers directly.

``session(sim, "a")`` is a ``requests.Session`` whose requests to cluster ``a``'s api_addr go
straight into the app; ``hvac_client(sim, "a")`` is an unmodified ``hvac.Client`` on top of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from werkzeug.test import EnvironBuilder, run_wsgi_app

from fakevault.model.simulator import Simulator
from fakevault.optional import require

if TYPE_CHECKING:
    import hvac

    from fakevault.http.app import FakeVaultApp


class WSGIAdapter(BaseAdapter):
    """A requests transport that hands every request to a WSGI application."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        """Run ``request`` through the app and wrap its answer as a ``requests.Response``.

        A crashed cluster refuses the connection, as a real one does (``ClusterDownError``).
        """
        url = urlsplit(request.url or "")
        _refuse_if_down(self.app, request)
        builder = EnvironBuilder(path=url.path or "/", query_string=url.query,
                                 method=request.method or "GET",
                                 headers=[(k, _text(v)) for k, v in request.headers.items()],
                                 data=_body(request.body), base_url=f"{url.scheme}://{url.netloc}")
        try:
            app_iter, status, headers = run_wsgi_app(self.app, builder.get_environ())
            content = b"".join(app_iter)
            close = getattr(app_iter, "close", None)
            if close is not None:
                close()
        finally:
            builder.close()
        return _response(request, status, list(headers.items()), content)

    def close(self) -> None:
        """Nothing to release: there is no connection."""


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes):
        return body
    return b"".join(part.encode() if isinstance(part, str) else part for part in body)


def _response(request: requests.PreparedRequest, status: str, headers: list[tuple[str, str]],
              content: bytes) -> requests.Response:
    response = requests.Response()
    code, _, reason = status.partition(" ")
    response.status_code = int(code)
    response.reason = reason
    response.headers = CaseInsensitiveDict(dict(headers))
    response._content = content
    response.url = request.url or ""
    response.request = request
    response.encoding = "utf-8"
    return response


def _app(sim: Simulator, app: FakeVaultApp | None) -> FakeVaultApp:
    if app is not None:
        return app
    from fakevault.http.app import create_app

    return create_app(sim)


class ClusterDownError(requests.ConnectionError):
    """A request to a crashed cluster: refused, as a closed port refuses a connection.

    hvac and requests raise ``requests.ConnectionError`` for a node that is down (hvac's
    ``VaultDown`` is a sealed node's 503), so automation must handle exactly this.
    """


def _refuse_if_down(app: Any, request: requests.PreparedRequest) -> None:
    sim = getattr(app, "sim", None)
    if sim is None:  # not a fakevault app: nothing can be down
        return
    bound = getattr(app, "bound", None)
    cluster = sim.clusters.get(bound) if bound else sim.cluster_at(request.url or "")
    if cluster is not None and cluster.crashed:
        raise ClusterDownError(f"connection refused: cluster {cluster.name} "
                               f"({cluster.api_addr}) is down (crashed)", request=request)


class UnknownAddressError(requests.ConnectionError):
    """A request from an in-process session to a URL that is no cluster of its world.

    A ``requests.ConnectionError``, as the real network would raise for an address nobody
    answers; the message lists the addresses that do answer. Nothing goes out to the network.
    """


class _NoNetwork(BaseAdapter):
    """The transport for every URL that is not a cluster's: refuses, naming the clusters."""

    def __init__(self, sim: Simulator) -> None:
        super().__init__()
        self.sim = sim

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        """Refuse: the URL is no cluster of the world."""
        known = ", ".join(f"{c.name}={c.api_addr}" for c in self.sim)
        raise UnknownAddressError(f"{request.url} is not a cluster of this fakevault world "
                                  f"(clusters: {known}); in-process sessions never use the "
                                  "network", request=request)

    def close(self) -> None:
        """Nothing to release."""


def session(sim: Simulator, cluster: str | None = None, *,
            app: FakeVaultApp | None = None) -> requests.Session:
    """A ``requests.Session`` answered in-process by every cluster of ``sim``.

    ``cluster``, if given, must name a cluster (it is the one the caller means to talk to), but
    every cluster's address answers, as on a real network. Any other URL raises
    ``UnknownAddressError`` instead of leaving the process.
    """
    if cluster is not None:
        sim[cluster]
    wsgi = _app(sim, app)
    http = requests.Session()
    # Nothing leaves the process, so proxy, netrc and CA settings from the environment do not
    # apply; reading them costs about a third of an in-process request.
    http.trust_env = False
    refuse = _NoNetwork(sim)
    http.mount("http://", refuse)
    http.mount("https://", refuse)
    adapter = WSGIAdapter(wsgi)
    for name in sim.names:
        http.mount(sim[name].api_addr.rstrip("/") + "/", adapter)
    return http


def hvac_client(sim: Simulator, cluster: str, token: str | None = None, *,
                app: FakeVaultApp | None = None) -> hvac.Client:
    """An unmodified ``hvac.Client`` for ``cluster``, answered in-process."""
    hvac = require("hvac", "pytest")
    return hvac.Client(url=sim[cluster].api_addr, token=token or sim.root_token,
                       session=session(sim, cluster, app=app))


class VaultTestClient:
    """A thin ``werkzeug.test.Client`` for tests: ``vault.post("a", "sys/...", json=...)``.

    Requests go to the named cluster (by its api_addr's host) with the root token unless
    ``token`` says otherwise (``token=None`` sends none).
    """

    _ROOT = object()

    def __init__(self, sim: Simulator, app: FakeVaultApp | None = None) -> None:
        from werkzeug.test import Client

        self.sim = sim
        self.app = _app(sim, app)
        self.client = Client(self.app)

    def __repr__(self) -> str:
        return f"VaultTestClient(sim={self.sim!r})"

    def request(self, cluster: str, method: str, path: str, *, token: Any = _ROOT,
                json: Any = None, data: str | bytes | None = None,
                query: Mapping[str, str] | None = None,
                headers: Mapping[str, str] | None = None) -> Any:
        """Send one request to ``cluster``; ``path`` is the Vault path without ``/v1/``."""
        sent = dict(headers or {})
        sent["Host"] = urlsplit(self.sim[cluster].api_addr).netloc
        chosen = self.sim.root_token if token is self._ROOT else token
        if chosen is not None:
            sent["X-Vault-Token"] = str(chosen)
        return self.client.open("/v1/" + path.lstrip("/"), method=method, headers=sent,
                                json=json, data=data, query_string=dict(query or {}))

    def get(self, cluster: str, path: str, **kwargs: Any) -> Any:
        """GET ``path`` on ``cluster``."""
        return self.request(cluster, "GET", path, **kwargs)

    def post(self, cluster: str, path: str, **kwargs: Any) -> Any:
        """POST ``path`` on ``cluster``."""
        return self.request(cluster, "POST", path, **kwargs)

    def delete(self, cluster: str, path: str, **kwargs: Any) -> Any:
        """DELETE ``path`` on ``cluster``."""
        return self.request(cluster, "DELETE", path, **kwargs)

    def list(self, cluster: str, path: str, **kwargs: Any) -> Any:
        """LIST ``path`` on ``cluster``."""
        return self.request(cluster, "LIST", path, **kwargs)
