"""The page's files (HTML, CSS, a script), shipped as package data and read once per use."""

from __future__ import annotations

from importlib import resources

#: file name -> Content-Type of everything the view serves.
FILES = {
    "index.html": "text/html; charset=utf-8",
    "view.css": "text/css; charset=utf-8",
    "dom.js": "text/javascript; charset=utf-8",
    "graph.js": "text/javascript; charset=utf-8",
    "panels.js": "text/javascript; charset=utf-8",
    "live.js": "text/javascript; charset=utf-8",
}
#: The page's scripts, in the order they load (each builds on the ones before).
SCRIPTS = ("dom.js", "graph.js", "panels.js", "live.js")


def read(name: str) -> str:
    """The text of static file ``name`` (one of ``FILES``, or ``report.html``)."""
    return resources.files("fakevault.web").joinpath("static", name).read_text(encoding="utf-8")
