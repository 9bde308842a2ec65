"""The page's files (HTML, CSS, a script), shipped as package data and read once per use."""

from __future__ import annotations

from importlib import resources

#: file name -> Content-Type of everything the view serves.
FILES = {
    "index.html": "text/html; charset=utf-8",
    "view.css": "text/css; charset=utf-8",
    "view.js": "text/javascript; charset=utf-8",
}


def read(name: str) -> str:
    """The text of static file ``name`` (one of ``FILES``, or ``report.html``)."""
    return resources.files("fakevault.web").joinpath("static", name).read_text(encoding="utf-8")
