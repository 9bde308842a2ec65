"""fakevault: an in-memory simulator and test double of Vault Enterprise replication."""

from fakevault.model.clock import ManualClock, SystemClock
from fakevault.model.errors import VaultError
from fakevault.model.invariants import Violation
from fakevault.world import Simulator

__all__ = ["ManualClock", "Simulator", "SystemClock", "VaultError", "Violation", "create_app"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # The HTTP layer (and Werkzeug) load only when asked for: the pytest plugin stays cheap.
    if name == "create_app":
        from fakevault.http.app import create_app

        return create_app
    raise AttributeError(f"module 'fakevault' has no attribute {name!r}")
