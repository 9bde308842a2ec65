"""A live fake: one hardened threaded Werkzeug server per cluster, on loopback, one world.

Each port serves one cluster (any loopback Host is answered, others only if allowed: see
``HostCheck``), so a client may use ``localhost`` or ``127.0.0.1`` alike; every cluster's
``api_addr`` becomes its real URL. A crashed cluster's port is closed, so connections are
refused as a down node refuses them, and reopened (the same port) when it restarts. The control
port serves only the control plane and the web view, and stays up whatever crashes.
"""

from __future__ import annotations

import json
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


class _ControlOnly:
    """The control port: ``/_fakevault/`` and ``/ui/`` only (Vault's API is on cluster ports)."""

    def __init__(self, app: WSGIApp, server: FakeVaultServer) -> None:
        self.app = app
        self.server = server

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(("/_fakevault/", "/ui")):
            environ["fakevault.cluster"] = self.server.sim.names[0]  # any: none is addressed
            return self.app(environ, start_response)
        clusters = ", ".join(f"{c.name}={c.api_addr}" for c in self.server.sim)
        body = json.dumps({"errors": [f"fakevault: this is the control port (/_fakevault/ and "
                                      f"/ui/ only); Vault's API is on the clusters' ports: "
                                      f"{clusters}"]})
        start_response("404 NOT FOUND", [("Content-Type", "application/json"),
                                         ("Cache-Control", "no-store")])
        return [body.encode()]


class FakeVaultServer:
    """Serve every cluster of ``sim`` on ``host``: ports ``port``, ``port + 1``, ... (0 = free).

    Use as a context manager, or ``start()`` / ``stop()``. ``url(name)`` is a cluster's
    ``VAULT_ADDR``; ``control_url`` the control port's (``control_port``: None for none, 0 for
    a free one), which answers the control plane and the web view even while every cluster is
    down. Errors raised inside request handling are collected in ``errors``.
    """

    def __init__(self, sim: Simulator, *, host: str = "127.0.0.1", port: int = 0,
                 ports: Sequence[int] | None = None, log_requests: bool = False,
                 wrap: Callable[[FakeVaultApp], WSGIApp] | None = None,
                 allowed_hosts: Sequence[str] = (), control_port: int | None = 0) -> None:
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
        self._ports: dict[str, int] = {}  # the ports bound, kept while a cluster is down
        if control_port is not None and not 0 <= control_port <= 65535:
            raise ValueError(f"control port {control_port} is not a port (0-65535)")
        taken = {p: n for n, p in self._wanted.items() if p}
        if control_port and control_port in taken:
            raise ValueError(f"control port {control_port} is also cluster "
                             f"{taken[control_port]}'s port: pick another --control-port")
        self._control_port = control_port
        self._control: BaseWSGIServer | None = None
        self._serving = False
        self._listeners_lock = threading.Lock()
        self.app.world_listeners.append(self._watch)

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

    @property
    def control_url(self) -> str:
        """The control port's URL (the control plane and the web view), once started."""
        if self._control is None:
            raise RuntimeError("the server has no control port (or is not started)")
        return f"http://{_url_host(self.host)}:{self._control.server_port}"

    def start(self) -> FakeVaultServer:
        """Bind every port, point each cluster's api_addr at it, and serve in threads."""
        try:
            for name, port in self._wanted.items():
                self._servers[name] = self._bind(name, port)
            if self._control_port is not None:
                self._control = self._listen(self._control_port, _ControlOnly(self.wsgi, self))
        except BaseException:
            self._close_all()
            raise
        for name, server in self._servers.items():
            self._ports[name] = server.server_port
            self.sim.set_address(name, f"http://{_url_host(self.host)}:{server.server_port}")
            self._serve(name, server)
        if self._control is not None:
            self._serve("control", self._control)
        self._serving = True
        self._watch(self.sim)
        return self

    def _serve(self, name: str, server: BaseWSGIServer) -> None:
        thread = threading.Thread(target=server.serve_forever, name=f"fakevault-{name}",
                                  kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        self._threads.append(thread)

    # -- crashed clusters refuse connections -------------------------------------------------
    def _watch(self, sim: Simulator) -> None:
        """Follow ``sim`` (a new world too): its crashes and restarts open and close ports."""
        if self._on_operation not in sim.observers:
            sim.observers.append(self._on_operation)
        self.sync_listeners()

    def _on_operation(self, sim: Simulator, operation: Any) -> None:
        if operation.name in ("crash", "restart") and sim is self.sim:
            self.sync_listeners()

    def sync_listeners(self) -> None:
        """Close the port of every crashed cluster; reopen, on its old port, every one back."""
        with self._listeners_lock:
            if not self._serving:
                return
            for name, port in self._ports.items():
                down = name not in self.sim or self.sim[name].crashed
                server = self._servers.get(name)
                if down and server is not None:
                    server.shutdown()  # the answer being written still goes out
                    server.server_close()
                    del self._servers[name]
                elif not down and server is None:
                    self._servers[name] = self._bind(name, port)
                    self._serve(name, self._servers[name])

    def _bind(self, name: str, port: int) -> BaseWSGIServer:
        return self._listen(port, _BoundToCluster(self.wsgi, name))

    def _listen(self, port: int, app: WSGIApp) -> BaseWSGIServer:
        sock = listening_socket(self.host, port)  # its errors are clear; werkzeug's exit
        try:
            server = HardenedServer(self.host, port, app, handler=HardenedRequestHandler,
                                    fd=sock.fileno())
        finally:
            sock.close()  # werkzeug listens on its own duplicate of the descriptor
        # what HTTPServer.server_bind would have set, had werkzeug bound the socket
        server.server_name, server.server_port = str(server.server_address[0]), server.port
        server.fakevault_log_requests = self.log_requests  # type: ignore[attr-defined]
        return server

    def stop_accepting(self) -> None:
        """Close the listening ports; connections already open are still answered."""
        with self._listeners_lock:
            self._serving = False
        for server in self._all():
            server.shutdown()
        self._close_all()

    def stop(self) -> None:
        """Stop serving and release the ports."""
        with self._listeners_lock:
            self._serving = False
        for server in self._all():
            server.shutdown()
        for thread in self._threads:
            thread.join(timeout=5)
        self._close_all()
        self._threads.clear()

    def _all(self) -> list[BaseWSGIServer]:
        return [*self._servers.values(), *([self._control] if self._control else [])]

    def _close_all(self) -> None:
        for server in self._all():
            server.server_close()
        self._servers.clear()
        self._control = None

    def __enter__(self) -> FakeVaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
