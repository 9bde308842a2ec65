"""A live fake: one hardened threaded Werkzeug server per cluster, on loopback, one world.

Each port serves one cluster (any loopback Host is answered, others only if allowed: see
``HostCheck``), so a client may use ``localhost`` or ``127.0.0.1`` alike; every cluster's
``api_addr`` becomes its real URL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from werkzeug.serving import BaseWSGIServer

from fakevault.http.app import FakeVaultApp, create_app
from fakevault.model.simulator import Simulator
from fakevault.serving.hardened import HardenedRequestHandler, HardenedServer, HostCheck, WSGIApp
from fakevault.testing.listen import PortInUseError, listening_socket
from fakevault.web.wsgi import WebView

__all__ = ["FakeVaultServer", "PortInUseError"]


class _BoundToCluster:
    """WSGI wrapper that tells the app which cluster this port serves."""

    def __init__(self, app: WSGIApp, name: str) -> None:
        self.app = app
        self.name = name

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ["fakevault.cluster"] = self.name
        return self.app(environ, start_response)


class FakeVaultServer:
    """Serve every cluster of ``sim`` on ``host``: ports ``port``, ``port + 1``, ... (0 = free).

    Use as a context manager, or ``start()`` / ``stop()``. ``url(name)`` is a cluster's
    ``VAULT_ADDR``. Errors raised inside request handling are collected in ``errors``.
    """

    def __init__(self, sim: Simulator, *, host: str = "127.0.0.1", port: int = 0,
                 ports: Sequence[int] | None = None, log_requests: bool = False,
                 wrap: Callable[[FakeVaultApp], WSGIApp] | None = None,
                 allowed_hosts: Sequence[str] = ()) -> None:
        self.app = create_app(sim)
        # What the ports serve: the app, maybe wrapped (durable state), behind a Host check.
        # The Host check first, for the web view too; then /ui/; then (durable) the app.
        self.wsgi: WSGIApp = HostCheck(WebView(wrap(self.app) if wrap else self.app), host,
                                       allowed_hosts)
        self.host = host
        self.log_requests = log_requests
        names = sim.names
        if ports is None:
            ports = [0 if port == 0 else port + i for i in range(len(names))]
        if any(not 0 <= p <= 65535 for p in ports):
            raise ValueError(f"{len(names)} cluster(s) from port {port} need ports up to "
                             f"{max(ports)}: pick a --port of at most {65536 - len(names)}")
        if len(ports) != len(names):
            raise ValueError(f"need one port per cluster ({len(names)}), got {len(ports)}")
        self._wanted = dict(zip(names, ports, strict=True))
        self._servers: dict[str, BaseWSGIServer] = {}
        self._threads: list[threading.Thread] = []

    def __repr__(self) -> str:
        return f"FakeVaultServer(host={self.host!r}, clusters={list(self._wanted)!r})"

    @property
    def sim(self) -> Simulator:
        """The world being served (the control plane may have replaced it)."""
        return self.app.sim

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised while answering requests (fakevault bugs)."""
        return self.app.internal_errors

    def url(self, name: str) -> str:
        """``VAULT_ADDR`` of cluster ``name``."""
        return self.sim[name].api_addr

    def start(self) -> FakeVaultServer:
        """Bind every port, point each cluster's api_addr at it, and serve in threads."""
        try:
            for name, port in self._wanted.items():
                self._servers[name] = self._bind(name, port)
        except BaseException:
            self._close_all()
            raise
        for name, server in self._servers.items():
            cluster_port = server.server_port
            self.sim.set_address(name, f"http://{_url_host(self.host)}:{cluster_port}")
            thread = threading.Thread(target=server.serve_forever, name=f"fakevault-{name}",
                                      kwargs={"poll_interval": 0.1}, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _bind(self, name: str, port: int) -> BaseWSGIServer:
        sock = listening_socket(self.host, port)  # its errors are clear; werkzeug's exit
        try:
            server = HardenedServer(self.host, port, _BoundToCluster(self.wsgi, name),
                                    handler=HardenedRequestHandler, fd=sock.fileno())
        finally:
            sock.close()  # werkzeug listens on its own duplicate of the descriptor
        # what HTTPServer.server_bind would have set, had werkzeug bound the socket
        server.server_name, server.server_port = str(server.server_address[0]), server.port
        server.fakevault_log_requests = self.log_requests  # type: ignore[attr-defined]
        return server

    def stop_accepting(self) -> None:
        """Close the listening ports; connections already open are still answered."""
        for server in self._servers.values():
            server.shutdown()
        self._close_all()

    def stop(self) -> None:
        """Stop serving and release the ports."""
        for server in self._servers.values():
            server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        self._close_all()
        self._threads.clear()

    def _close_all(self) -> None:
        for server in self._servers.values():
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> FakeVaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
