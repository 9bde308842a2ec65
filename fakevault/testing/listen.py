"""Listening sockets bound by fakevault itself, so a failure is one clear exception.

Werkzeug, left to bind, prints its own lines to stderr and exits the process when a port is
taken, and reports an unresolvable host the same way; binding here first gives the caller an
exception it can word (the CLI prints one line).
"""

from __future__ import annotations

import errno
import socket

LISTEN_BACKLOG = 128  # werkzeug's own queue length
ADDRESS_IN_USE = frozenset({errno.EADDRINUSE, 48, 10048})  # Linux, macOS, Windows


class PortInUseError(OSError):
    """A port the server was asked to use is taken."""


class BadHostError(OSError):
    """The host to listen on is not an address or a name this machine can resolve."""


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` (0: a free port) and listening."""
    if not 0 <= port <= 65535:
        raise ValueError(f"port {port} is out of range: use 0 to 65535")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise BadHostError(errno.EINVAL, f"cannot listen on {host!r}: not an address or a host "
                           f"name this machine resolves ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(LISTEN_BACKLOG)
    except OSError as exc:
        sock.close()
        if exc.errno in ADDRESS_IN_USE:
            raise PortInUseError(exc.errno, f"port {port} on {host} is in use (pick another "
                                 "--port, or --port 0 for free ports)") from None
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock
