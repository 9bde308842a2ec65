"""The recorder, the self-contained HTML report, and the ``/ui/`` middleware (no browser)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from fakevault import Simulator, create_app
from fakevault.web import WebView, attach, render_report, write_report
from fakevault.web.assets import FILES, SCRIPTS, read
from fakevault.web.recorder import recorder_of


def split_brain(sim: Simulator) -> None:
    sim["a"].dr.enable_primary()
    sim["b"].dr.enable_secondary(sim["a"].dr.secondary_token("b").token)
    sim.partition("a", "b")
    sim["b"].dr.promote(force=True)


def embedded(page: str) -> Any:
    found = re.search(r'<script type="application/json" id="fakevault-report-data">(.*?)'
                      r"</script>", page, re.S)
    assert found is not None
    return json.loads(found[1])


def test_the_recorder_keeps_the_topology_before_and_after_the_violating_operation() -> None:
    sim = Simulator(seed=2)
    recorder = attach(sim)
    assert attach(sim) is recorder and recorder_of(sim) is recorder
    split_brain(sim)
    (seq,) = recorder.pinned
    assert seq == sim.violations[0].operation == 5
    before, after = recorder.pinned[seq]
    assert before["alarms"] == [] and before["partitions"] == [["a", "b"]]
    assert [alarm["primaries"] for alarm in after["alarms"]] == [["a", "b"]]
    assert recorder.around(seq) == (before, after)
    assert recorder.around(4) is None and recorder.around(None) is None


def test_observers_see_each_operation_that_succeeded_and_are_not_snapshotted() -> None:
    sim = Simulator(seed=2)
    seen: list[int] = []
    sim.observers.append(lambda world, operation: seen.append(operation.seq))
    sim.advance(1)
    with pytest.raises(Exception, match="not a DR secondary"):
        sim["a"].dr.promote()
    sim.sync()
    assert seen == [1, 3]
    assert Simulator.restore(sim.snapshot()).observers == []


def test_the_report_embeds_the_world_and_shows_before_and_after() -> None:
    sim = Simulator(seed=2)
    attach(sim)
    split_brain(sim)
    data = embedded(render_report(sim, "tests/test_x.py::test_failover", "AssertionError"))
    assert (data["title"], data["failure"]) == ("tests/test_x.py::test_failover", "AssertionError")
    (moment,) = data["moments"]
    assert (moment["seq"], moment["kinds"]) == (5, ["split_brain"])
    assert moment["text"] == "#5 b.dr.promote(force=True)"
    assert moment["before"]["alarms"] == [] and moment["after"]["alarms"]
    assert data["violations"]["total"] == 1
    assert [e["seq"] for e in data["timeline"]["entries"]] == [5, 4, 3, 2, 1]


def test_the_report_without_a_recorder_shows_the_end_state_only() -> None:
    sim = Simulator(seed=2)
    split_brain(sim)
    data = embedded(render_report(sim, "t"))
    assert data["moments"] == [] and data["topology"]["alarms"]


def test_the_report_needs_nothing_from_the_network() -> None:
    page = render_report(Simulator(seed=2), "t")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in read("view.css").replace("url(#", "")
    assert all(read(name) in page for name in SCRIPTS) and read("view.css") in page


def test_text_from_the_world_cannot_break_out_of_the_report() -> None:
    sim = Simulator(seed=2)
    sim["a"].write("secret/data/</script><script>alert(1)</script>", {"data": {}})
    title = "test_<b>bold</b> @@CSS@@ @@DATA@@"
    page = render_report(sim, title, failure="</script><!--", text="<i>x</i>")
    assert page.count("</script>") == 2  # the data's and the script's own ends
    data = embedded(page)
    assert data["title"] == title and data["failure"] == "</script><!--"
    assert "</script><script>alert(1" in data["timeline"]["entries"][0]["text"]
    assert "<title>fakevault report: test_&lt;b&gt;bold&lt;/b&gt; @@CSS@@ @@DATA@@</title>" \
        in page
    assert "&lt;i&gt;x&lt;/i&gt;" in page


def test_write_report_makes_its_folders(tmp_path: Path) -> None:
    path = write_report(Simulator(seed=2), tmp_path / "deep" / "er" / "r.html", "t")
    assert path.read_text(encoding="utf-8").startswith("<!doctype html>")


# -- /ui/ ------------------------------------------------------------------------------------
@pytest.fixture
def web() -> Client:
    return Client(WebView(create_app(Simulator(seed=2), cluster="a")))


@pytest.mark.parametrize("name", sorted(FILES))
def test_ui_serves_each_file_with_its_type_and_a_same_origin_policy(web: Client,
                                                                    name: str) -> None:
    response = web.get("/ui/" + ("" if name == "index.html" else name))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == FILES[name]
    assert response.get_data(as_text=True) == read(name)
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_ui_answers_head_and_redirects_to_the_page(web: Client) -> None:
    head = web.head("/ui/live.js")
    assert head.status_code == 200 and head.get_data() == b""
    assert int(head.headers["Content-Length"]) == len(read("live.js").encode())
    moved = web.get("/ui")
    assert (moved.status_code, moved.headers["Location"]) == (301, "/ui/")


@pytest.mark.parametrize(("method", "path", "status", "says"), [
    ("GET", "/ui/secret.txt", 404, "no such file in the web view"),
    ("GET", "/ui/../pyproject.toml", 404, "no such file"),
    ("POST", "/ui/", 405, "read-only"),
    ("DELETE", "/ui/view.css", 405, "read-only"),
])
def test_ui_refuses_anything_else_with_vaults_error_shape(web: Client, method: str, path: str,
                                                          status: int, says: str) -> None:
    response = web.open(path, method=method)
    assert response.status_code == status and response.mimetype == "application/json"
    assert says in response.get_json()["errors"][0]


def test_everything_outside_ui_goes_to_the_fake_untouched(web: Client) -> None:
    assert web.get("/v1/sys/health").get_json()["initialized"] is True
    assert web.get("/uix").status_code == 404
    assert web.get("/v1/ui/").status_code in (403, 404)


def test_serve_names_the_web_view_in_its_banner() -> None:
    from fakevault.cli import banner

    assert "Web view: http://127.0.0.1:8200/ui/" in banner(Simulator(seed=2), "127.0.0.1")
