"""The HTML report of a failing test: one self-contained file (no network, no other files).

It embeds the view's own stylesheet and script and the world's data as JSON, so it shows the
same topology and timeline as the live page: the violations, the topology before and after
each violating operation (when a recorder watched the world), the topology at the end and the
whole timeline, newest first. Without JavaScript it still shows the plain-text report.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fakevault.web import assets
from fakevault.web.recorder import recorder_of
from fakevault.web.timeline import by_operation, lanes, window
from fakevault.web.topology import topology
from fakevault.web.view import violation_list, world_summary

if TYPE_CHECKING:
    from fakevault.model.simulator import Simulator

#: Operations embedded in one report, newest first (a longer history is cut, and says so).
MAX_OPERATIONS = 10_000
_MARKER = re.compile(r"@@(TITLE|TEXT|CSS|DATA|JS)@@")


def report_data(sim: Simulator, title: str, failure: str = "") -> dict[str, Any]:
    """What the report shows, as the page's script reads it."""
    violations = sim.violations
    return {
        "title": title,
        "failure": failure,
        "world": world_summary(sim),
        "lanes": lanes(sim.names),
        "topology": topology(sim),
        "moments": _moments(sim),
        "timeline": window(sim.history, violations, 0, MAX_OPERATIONS),
        "violations": violation_list(violations),
    }


def _moments(sim: Simulator) -> list[dict[str, Any]]:
    """Each violating operation with the frames before and after it, if they were recorded."""
    recorder = recorder_of(sim)
    if recorder is None:
        return []
    moments = []
    for seq, found in by_operation(sim.violations).items():
        frames = recorder.around(seq)
        operation = sim.history.find(seq) if seq is not None else None
        if frames is None or operation is None:
            continue
        moments.append({"seq": seq, "text": operation.describe(),
                        "kinds": sorted({v.kind for v in found}),
                        "before": frames[0], "after": frames[1]})
    return moments


def render_report(sim: Simulator, title: str, failure: str = "", text: str = "") -> str:
    """The report as one HTML document; ``text`` is the plain report shown without JavaScript."""
    script = "\n".join(assets.read(name) for name in assets.SCRIPTS)
    if "</script" in script.lower():  # would end the inline script early
        raise ValueError("the view's scripts must not contain '</script'")
    data = json.dumps(report_data(sim, title, failure), separators=(",", ":"))
    # Inside <script>, only "</" (and "<!--") can end the element early: escape every "<".
    data = data.replace("<", "\\u003c")
    values = {"TITLE": html.escape(title), "TEXT": html.escape(text),
              "CSS": assets.read("view.css"), "DATA": data, "JS": script}
    # One pass: text put in (a title, say) is never scanned for markers again.
    return _MARKER.sub(lambda match: values[match[1]], assets.read("report.html"))


def write_report(sim: Simulator, path: str | Path, title: str, failure: str = "",
                 text: str = "") -> Path:
    """Write the report of ``sim`` to ``path`` (folders created); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(sim, title, failure, text), encoding="utf-8")
    return target
