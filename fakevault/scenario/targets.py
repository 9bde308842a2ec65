"""Where a scenario runs: an in-process fake, a live fakevault, or real Vault clusters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from fakevault.model.simulator import Simulator
    from fakevault.scenario.format import Scenario

TIMEOUT = 30


@dataclass
class Target:
    """Clusters by name (their VAULT_ADDR), a session, a root token, and whether it is a fake."""

    urls: dict[str, str]
    http: requests.Session
    root_token: str = "root"
    fake: bool = False
    sim: Simulator | None = None
    #: On real Vault, wait for a person to do each manual step (press Enter).
    interactive: bool = False
    notes: list[str] = field(default_factory=list)

    def request(self, cluster: str, method: str, path: str, *, token: str | None,
                body: Any = None) -> tuple[int, Any]:
        """One Vault API call; the JSON body (or None)."""
        headers = {"X-Vault-Token": token} if token else {}
        response = self.http.request(method, f"{self.urls[cluster].rstrip('/')}/v1/{path}",
                                     json=body, headers=headers, timeout=TIMEOUT)
        return response.status_code, _json(response)

    def control(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """A call on the fake's control plane (every live cluster's port serves it; a crashed
        cluster's port refuses connections, so the next one is tried)."""
        urls = [url.rstrip("/") for url in self.urls.values()]
        for url in urls:
            try:
                response = self.http.request(method, f"{url}/_fakevault/{path}", json=body,
                                             headers={"X-Vault-Token": self.root_token},
                                             timeout=TIMEOUT)
            except requests.ConnectionError:
                if url == urls[-1]:
                    raise
                continue
            return response.status_code, _json(response)
        raise requests.ConnectionError("no cluster to reach the control plane on")


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def in_process(scenario: Scenario) -> Target:
    """A fresh world configured by ``scenario``, answered in-process (no sockets)."""
    from fakevault.testing.clients import session
    from fakevault.world import Simulator

    sim = Simulator(seed=scenario.seed, clusters=scenario.clusters,
                    sync="manual" if scenario.sync == "manual" else "eager",
                    strict=scenario.strict, vault_version=scenario.vault_version)
    return Target(urls={c.name: c.api_addr for c in sim}, http=session(sim), fake=True, sim=sim,
                  root_token=sim.root_token)


def remote(urls: dict[str, str], token: str) -> Target:
    """Live servers: a ``fakevault serve`` (its control plane answers) or real Vault."""
    http = requests.Session()
    target = Target(urls=dict(urls), http=http, root_token=token)
    first = next(iter(urls.values())).rstrip("/")
    try:
        probe = http.get(f"{first}/_fakevault/state", headers={"X-Vault-Token": token},
                         timeout=TIMEOUT)
        target.fake = probe.status_code == 200 and isinstance(_json(probe), dict) \
            and "clusters" in probe.json()
    except requests.RequestException:
        target.fake = False
    return target
