"""The web view in a real browser, against a live server: what a person sees and can do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from fakevault import Simulator
from fakevault.testing.server import FakeVaultServer
from fakevault.vault.backends.control import fresh_world

TOKEN_FORM = "#token-form"


@pytest.fixture(scope="module")
def live() -> Iterator[FakeVaultServer]:
    with FakeVaultServer(Simulator(seed=15)) as server:
        yield server


@pytest.fixture
def server(live: FakeVaultServer) -> FakeVaultServer:
    """The module's server with a fresh world (same addresses) for this test."""
    live.app.replace_world(fresh_world(live.sim))
    return live


def vault(server: FakeVaultServer, name: str, path: str, body: dict[str, Any] | None = None,
          ) -> dict[str, Any]:
    """``POST /v1/<path>`` on cluster ``name`` with the root token; the JSON answer."""
    answer = requests.post(f"{server.url(name)}/v1/{path}", json=body or {}, timeout=10,
                           headers={"X-Vault-Token": "root"})
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else {}


def replicate(server: FakeVaultServer) -> None:
    """a: DR primary of b and performance primary of c, through Vault's HTTP API."""
    vault(server, "a", "sys/replication/dr/primary/enable")
    token = vault(server, "a", "sys/replication/dr/primary/secondary-token", {"id": "b"})
    vault(server, "b", "sys/replication/dr/secondary/enable",
          {"token": token["wrap_info"]["token"]})
    vault(server, "a", "sys/replication/performance/primary/enable")
    token = vault(server, "a", "sys/replication/performance/primary/secondary-token",
                  {"id": "c"})
    vault(server, "c", "sys/replication/performance/secondary/enable",
          {"token": token["wrap_info"]["token"]})
    server.sim.mint_root_token("c", "root")  # a performance secondary keeps no earlier token


def open_view(page: Any, server: FakeVaultServer, token: str = "root") -> None:
    page.goto(server.control_url + "/ui/")
    page.fill("#token", token)
    page.press("#token", "Enter")
    if token == "root":
        page.wait_for_selector("#timeline-range")


def link(page: Any, link_id: str, state: str) -> Any:
    found = page.wait_for_selector(f'svg g.link[data-link="{link_id}"][data-state="{state}"]')
    states_are_in_words(page)
    return found


def states_are_in_words(page: Any) -> None:
    """Every state the page draws is also written: colour never says it alone."""
    nodes = page.eval_on_selector_all(
        "svg g.node", "ns => ns.map(n => [n.dataset.up, n.querySelector('.node-status')"
        ".textContent])")
    assert nodes and all(text.startswith("UP" if up == "true" else "DOWN") for up, text in nodes)
    rows = page.eval_on_selector_all(
        "tr[data-link]", "rs => rs.map(r => [r.dataset.state, r.querySelector('.state')"
        ".textContent])")
    assert all(state in text for state, text in rows)
    broken = page.eval_on_selector_all(
        "svg g.link.broken", "ls => ls.map(l => [l.dataset.state, l.textContent])")
    assert all("\u2715 " + state in text for state, text in broken)


def test_the_topology_after_enabling_dr_and_performance(server: FakeVaultServer, page: Any,
                                                        screenshot: Any) -> None:
    replicate(server)
    vault(server, "a", "sys/replication/dr/primary/secondary-token",
          {"id": "<img src=x onerror=pwned=1>"})
    page.goto(server.url("b") + "/ui/")  # any cluster's port serves the whole world
    assert page.is_visible(TOKEN_FORM)
    screenshot("token")
    page.fill("#token", "root")
    page.click("#token-form button")
    assert "lag 0" in link(page, "dr:b->a", "connected").text_content()
    link(page, "performance:c->a", "connected")
    node_a = page.text_content('g.node[data-cluster="a"]')
    assert "UP" in node_a and "perf: primary" in node_a and "DR: primary" in node_a
    assert "DR: secondary" in page.text_content('g.node[data-cluster="b"]')
    row = page.text_content('#clusters article[data-cluster="c"] tr[data-role="performance"]')
    assert "secondary" in row and "stream-wals" in row and "primary: a" in row
    peers = page.text_content('#clusters article[data-cluster="a"] tr[data-role="dr"]')
    assert "tokens outstanding: <img src=x onerror=pwned=1> (30m left)" in peers
    assert page.evaluate("window.pwned") is None  # data is shown as text, never as markup
    assert page.evaluate("sessionStorage.getItem('fakevault.token')") == "root"
    assert page.evaluate("localStorage.length") == 0
    assert page.context.cookies() == []
    screenshot("replicating")


def test_a_refused_token_is_asked_for_again(server: FakeVaultServer, page: Any) -> None:
    open_view(page, server, token="not-root")
    page.wait_for_selector(f"{TOKEN_FORM} [role=alert]")
    assert "refused" in page.text_content(TOKEN_FORM)
    assert page.evaluate("sessionStorage.getItem('fakevault.token')") is None


def test_partitioning_a_pair_through_the_page_breaks_the_link(
        server: FakeVaultServer, page: Any, screenshot: Any) -> None:
    replicate(server)
    open_view(page, server)
    page.select_option("#pair-a", "b")
    page.select_option("#pair-b", "b")
    page.click("#partition")
    page.wait_for_selector("#control-status:has-text('Choose two different clusters.')")
    page.select_option("#pair-a", "a")
    page.click("#partition")
    broken = link(page, "dr:b->a", "partitioned")
    assert "\u2715 partitioned" in broken.text_content()
    assert server.sim.network.partitions == {frozenset(("a", "b"))}
    link(page, "performance:c->a", "connected")
    assert "FAULT" in page.text_content("#timeline tbody tr")
    screenshot("partitioned")
    page.click("#heal")
    link(page, "dr:b->a", "connected")
    assert not server.sim.network.partitions


def test_crashing_the_primary_takes_its_node_down(server: FakeVaultServer, page: Any,
                                                  screenshot: Any) -> None:
    replicate(server)
    open_view(page, server)
    page.click("#crash-a")
    node = page.wait_for_selector('g.node[data-cluster="a"][data-up="false"]')
    assert "DOWN" in node.text_content()
    states_are_in_words(page)
    assert "DOWN" in page.text_content('#clusters article[data-cluster="a"] .badge')
    link(page, "dr:b->a", "primary down")
    assert server.sim["a"].crashed
    screenshot("primary-down")
    page.click("#restart-a")
    page.wait_for_selector('g.node[data-cluster="a"][data-up="true"]')


def test_a_split_brain_reads_in_the_timeline(server: FakeVaultServer, page: Any,
                                             screenshot: Any) -> None:
    replicate(server)
    open_view(page, server)
    page.select_option("#pair-a", "a")
    page.select_option("#pair-b", "c")
    page.click("#partition")
    link(page, "performance:c->a", "partitioned")
    vault(server, "c", "sys/replication/performance/secondary/promote", {"force": True})
    detail = page.wait_for_selector('#timeline tr.violation-detail[data-violation="split_brain"]')
    assert "caused by #9 c.performance.promote(" in detail.text_content()
    cause = page.text_content('#timeline tr.violating[data-seq="9"]')
    assert "c.performance.promote(" in cause and "force=True" in cause
    banner = page.text_content("#alarms")
    assert "SPLIT BRAIN: a and c are all performance primaries" in banner
    assert "split brain" in page.text_content('g.node[data-cluster="c"]')
    screenshot("split-brain")


def test_the_controls_work_from_the_keyboard(server: FakeVaultServer, page: Any) -> None:
    replicate(server)
    open_view(page, server)
    for _ in range(60):  # Tab through the page until the Sync button has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "sync":
            break
    else:
        pytest.fail("Tab never reached the Sync button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#control-status:has-text('Sync: done')")
    page.focus("#advance-seconds")
    page.fill("#advance-seconds", "90")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "advance"
    before = server.sim.clock.now()
    page.keyboard.press("Enter")
    page.wait_for_selector("#control-status:has-text('Advance 90s: done')")
    assert server.sim.clock.now() - before >= 90
    labels = page.eval_on_selector_all("button", "bs => bs.map(b => b.textContent.trim())")
    assert labels and all(labels)
    unlabelled = page.eval_on_selector_all(
        "select, input", "es => es.filter(e => !e.labels || !e.labels.length).map(e => e.id)")
    assert unlabelled == []


def test_ten_clusters_and_ten_thousand_operations_are_windowed(page: Any,
                                                               screenshot: Any) -> None:
    names = tuple("abcdefghij")
    world = Simulator(seed=15, clusters=names)
    while len(world.history) < 9_981:  # cheap operations first, while nothing replicates
        world.advance(1)
    world["a"].performance.enable_primary()
    for name in names[1:]:
        world[name].performance.enable_secondary(
            world["a"].performance.secondary_token(name).token)
    world.advance(1)
    assert len(world.history) == 10_001
    with FakeVaultServer(world) as server:
        open_view(page, server)
        page.wait_for_selector('g.node[data-cluster="j"]')
        assert page.locator("#timeline tbody tr.op").count() == 100
        assert page.text_content("#timeline-range") == \
            "operations 1\u2013100 of 10001, newest first"
        page.click("#older")
        page.wait_for_selector("#timeline-range:has-text('operations 101\u2013200')")
        assert page.locator("g.link").count() == 9
        screenshot("ten-clusters", full_page=False)  # the topology; the page is very long
        for path in ("reset", "sync"):  # a new world with one operation, fewer than a page
            requests.post(f"{server.url('a')}/_fakevault/{path}", timeout=10,
                          headers={"X-Vault-Token": "root"}).raise_for_status()
        page.wait_for_selector("#timeline-range:has-text('operations 1\u20131 of 1')")
        assert page.locator("g.link").count() == 0
