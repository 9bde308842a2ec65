"""fakevault: an in-memory simulator and test double of Vault Enterprise replication."""

from fakevault.model.clock import ManualClock, SystemClock
from fakevault.model.errors import VaultError
from fakevault.model.invariants import Violation
from fakevault.model.simulator import Simulator

__all__ = ["ManualClock", "Simulator", "SystemClock", "VaultError", "Violation"]
__version__ = "0.1.0"
