"""fakevault's web view and HTML reports: see the replication world instead of reading JSON.

* ``/ui/`` on every port of ``fakevault serve`` (``WebView``): the topology, each cluster's
  replication, the violations and the timeline, live, with controls for faults and time.
* ``GET /_fakevault/view`` (``view_model``): the page's data as JSON.
* ``write_report`` / ``render_report``: one self-contained HTML file for a failing test, with
  the topology before and after the violating operation (``TopologyRecorder`` keeps those).
"""

from fakevault.web.recorder import TopologyRecorder, attach
from fakevault.web.report import render_report, write_report
from fakevault.web.topology import topology
from fakevault.web.view import view_model
from fakevault.web.wsgi import WebView, with_web_view

__all__ = ["TopologyRecorder", "WebView", "attach", "render_report", "topology", "view_model",
           "with_web_view", "write_report"]
