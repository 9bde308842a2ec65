// fakevault's web view, 2 of 4: the topology as a drawing (SVG) and as a table of links.
(function () {
  "use strict";
  var fv = window.fakevault = window.fakevault || {};
  var el = fv.dom.el, svg = fv.dom.svg, age = fv.dom.age;
  var TYPE_LABEL = fv.TYPE_LABEL;

  // -- topology ------------------------------------------------------------------------------
  function alarmsOf(frame) {
    var byCluster = {};
    frame.alarms.forEach(function (alarm) {
      alarm.primaries.forEach(function (name) { byCluster[name] = alarm; });
    });
    return byCluster;
  }

  function renderAlarms(frame) {
    if (!frame.alarms.length) return null;
    return el("div", { "class": "alarm-banner", role: "alert" }, frame.alarms.map(function (a) {
      return el("p", { "data-alarm": a.kind, text: "\u26a0 SPLIT BRAIN: " + a.primaries.join(" and ") +
        " are all " + a.type + " primaries of replication set " + a.cluster_id.slice(0, 8) });
    }));
  }

  function hubOf(frame) {
    // With many clusters, the one most secondaries follow goes in the middle (no arrow
    // then crosses the ring of the others).
    var followers = {}, best = null;
    frame.links.forEach(function (l) { followers[l.to] = (followers[l.to] || 0) + 1; });
    Object.keys(followers).forEach(function (name) {
      if (followers[name] >= 3 && (best === null || followers[name] > followers[best])) best = name;
    });
    return frame.clusters.length >= 5 ? best : null;
  }

  function layout(frame, width, height, rx, ry) {
    // Clusters on an ellipse, the first at the top; wide enough that neighbours never overlap.
    var positions = {};
    var hub = hubOf(frame);
    var ring = frame.clusters.filter(function (c) { return c.name !== hub; });
    var n = ring.length;
    if (hub !== null) positions[hub] = { x: width / 2, y: height / 2 };
    ring.forEach(function (cluster, i) {
      var angle = (n === 2 ? Math.PI : -Math.PI / 2) + (2 * Math.PI * i) / Math.max(n, 1);
      positions[cluster.name] = n === 1 ? { x: width / 2, y: height / 2 } :
        { x: width / 2 + rx * Math.cos(angle), y: height / 2 + ry * Math.sin(angle) };
    });
    return positions;
  }

  var NODE_W = 170, NODE_H = 112;

  function edgePoint(from, to, shift) {
    // Where the segment from `from` to `to` leaves `from`'s box, moved `shift` sideways.
    var dx = to.x - from.x, dy = to.y - from.y;
    var length = Math.sqrt(dx * dx + dy * dy) || 1;
    var t = Math.min((NODE_W / 2 + 6) / (Math.abs(dx) || 1e-9), (NODE_H / 2 + 6) / (Math.abs(dy) || 1e-9));
    return { x: from.x + dx * Math.min(t, 0.45) - (dy / length) * shift,
             y: from.y + dy * Math.min(t, 0.45) + (dx / length) * shift };
  }

  function linkLabel(link, compact) {
    if (compact) return link.broken ? "\u2715 " + link.state : "lag " + link.lag;
    var parts = [TYPE_LABEL[link.type]];
    parts.push(link.broken ? "\u2715 " + link.state : "connected");
    parts.push("lag " + link.lag);
    parts.push("hb " + age(link.heartbeat_age));
    return parts.join(" \u00b7 ");
  }

  function drawLink(group, positions, link, shift, compact) {
    var from = positions[link.from], to = positions[link.to];
    if (!from || !to) return;
    var start = edgePoint(from, to, shift), end = edgePoint(to, from, -shift);
    var classes = "link type-" + link.type + (link.broken ? " broken" : "");
    var marker = "url(#arrow-" + (link.broken ? "broken" : link.type) + ")";
    var mid = { x: (start.x + end.x) / 2, y: (start.y + end.y) / 2 + (shift > 0 ? 14 : -6) };
    group.appendChild(svg("g", { "class": classes, "data-link": link.id, "data-state": link.state }, [
      svg("line", { x1: start.x, y1: start.y, x2: end.x, y2: end.y, "marker-end": marker }),
      link.broken ? svg("text", { x: (start.x + end.x) / 2, y: (start.y + end.y) / 2 + 5,
                                 "class": "break-mark", "text-anchor": "middle", text: "\u2715" }) : null,
      svg("text", { x: mid.x, y: mid.y, "class": "link-label", "text-anchor": "middle",
                    text: linkLabel(link, compact) })
    ]));
  }

  function drawPartition(group, positions, pair) {
    var a = positions[pair[0]], b = positions[pair[1]];
    if (!a || !b) return;
    var start = edgePoint(a, b, 0), end = edgePoint(b, a, 0);
    group.appendChild(svg("g", { "class": "partition", "data-partition": pair.join("|") }, [
      svg("line", { x1: start.x, y1: start.y, x2: end.x, y2: end.y }),
      svg("text", { x: (start.x + end.x) / 2, y: (start.y + end.y) / 2 - 4, "text-anchor": "middle",
                    text: "\u2715 partitioned " + pair.join("\u2013") })
    ]));
  }

  function roleLines(type, role) {
    // Two lines per replication type: mode and set, then state and connection.
    if (!role || role.mode === "disabled") return [TYPE_LABEL[type] + ": disabled", ""];
    var detail = role.mode === "primary" ? role.state + " \u00b7 " + role.known_secondaries.length +
      " secondar" + (role.known_secondaries.length === 1 ? "y" : "ies") :
      role.state + " \u00b7 " + role.connection_state;
    return [TYPE_LABEL[type] + ": " + role.mode + " " + role.cluster_id_short.slice(0, 4), detail];
  }

  function drawNode(group, cluster, position, alarm) {
    var x = position.x - NODE_W / 2, y = position.y - NODE_H / 2;
    var classes = "node " + (cluster.up ? "up" : "down") + (alarm ? " alarm" : "");
    var status = cluster.up ? "UP" : "DOWN";
    if (alarm) status += " \u26a0 split brain";
    var perf = roleLines("performance", cluster.roles.performance), dr = roleLines("dr", cluster.roles.dr);
    group.appendChild(svg("g", { "class": classes, "data-cluster": cluster.name,
                                 "data-up": cluster.up ? "true" : "false" }, [
      svg("title", { text: cluster.name + " at " + cluster.api_addr }),
      svg("rect", { x: x, y: y, width: NODE_W, height: NODE_H, rx: 8 }),
      svg("text", { x: x + 10, y: y + 18, "class": "node-name", text: cluster.name }),
      svg("text", { x: x + NODE_W - 10, y: y + 18, "class": "node-status", "text-anchor": "end",
                    text: status }),
      svg("text", { x: x + 10, y: y + 37, text: perf[0] }),
      svg("text", { x: x + 10, y: y + 50, "class": "node-detail", text: perf[1] }),
      svg("text", { x: x + 10, y: y + 69, text: dr[0] }),
      svg("text", { x: x + 10, y: y + 82, "class": "node-detail", text: dr[1] }),
      svg("text", { x: x + 10, y: y + 102, "class": "node-detail", text: cluster.api_addr.replace(/^[a-z]+:\/\//, "") })
    ]));
  }

  function describeTopology(frame) {
    var words = frame.clusters.map(function (c) {
      return c.name + " " + (c.up ? "up" : "down") + ", performance " + c.roles.performance.mode +
        ", DR " + c.roles.dr.mode;
    });
    frame.links.forEach(function (l) { words.push(l.type + " link " + l.from + " to " + l.to + ": " + l.state); });
    frame.partitions.forEach(function (p) { words.push("partition between " + p.join(" and ")); });
    frame.alarms.forEach(function (a) { words.push(a.message); });
    return words.join("; ");
  }

  function renderGraph(frame) {
    var count = frame.clusters.length;
    var rx = Math.max(230, count * 38), ry = count <= 2 ? 0 : Math.max(140, count * 26);
    var width = 2 * rx + NODE_W + 60, height = 2 * ry + NODE_H + 70;
    var positions = layout(frame, width, height, rx, ry);
    var compact = frame.links.length > 6;  // many arrows: the table below has the details
    var alarms = alarmsOf(frame);
    var graph = svg("svg", { viewBox: "0 0 " + width + " " + height, width: width, "class": "graph", role: "img",
                             "aria-label": "Replication topology: " + describeTopology(frame) });
    graph.appendChild(svg("defs", {}, ["perf", "dr", "broken"].map(function (kind) {
      var id = kind === "perf" ? "performance" : kind;
      return svg("marker", { id: "arrow-" + id, viewBox: "0 0 10 10", refX: 9, refY: 5,
                             markerWidth: 8, markerHeight: 8, orient: "auto-start-reverse",
                             "class": "marker-" + id }, [svg("path", { d: "M 0 0 L 10 5 L 0 10 z" })]);
    })));
    var lines = svg("g", { "class": "links" });
    var linked = {};
    frame.links.forEach(function (link) {
      linked[[link.from, link.to].sort().join("|")] = true;
      drawLink(lines, positions, link, link.type === "dr" ? 9 : -9, compact);
    });
    frame.partitions.forEach(function (pair) {
      if (!linked[pair.slice().sort().join("|")]) drawPartition(lines, positions, pair);
    });
    graph.appendChild(lines);
    var nodes = svg("g", { "class": "nodes" });
    frame.clusters.forEach(function (c) { drawNode(nodes, c, positions[c.name], alarms[c.name]); });
    graph.appendChild(nodes);
    return graph;
  }

  function renderLinkTable(frame) {
    if (!frame.links.length && !frame.partitions.length) {
      return el("p", { "class": "muted", text: "No replication links yet: no cluster is a secondary." });
    }
    var rows = frame.links.map(function (link) {
      return el("tr", { "data-link": link.id, "data-state": link.state, "class": link.broken ? "broken" : "" }, [
        el("td", { text: link.type }), el("td", { text: link.from }), el("td", { text: link.to }),
        el("td", { "class": "state", text: (link.broken ? "\u2715 " : "\u2713 ") + link.state }),
        el("td", { text: link.replication_state }), el("td", { text: String(link.lag) }),
        el("td", { text: age(link.heartbeat_age) })
      ]);
    });
    var table = el("table", { "class": "links-table" }, [
      el("caption", { text: "Links: each secondary and the primary it follows" }),
      el("thead", {}, [el("tr", {}, ["Type", "Secondary", "Primary", "Link", "Replication state",
                                     "Lag (WAL entries)", "Heartbeat age"].map(function (h) {
        return el("th", { scope: "col", text: h });
      }))]),
      el("tbody", {}, rows)
    ]);
    var partitions = frame.partitions.length ? el("p", { "class": "partitions", text: "Partitioned: " +
      frame.partitions.map(function (p) { return p.join(" \u2715 "); }).join(", ") }) : null;
    return el("div", {}, [table, partitions]);
  }

  function renderTopology(frame, heading, withoutAlarms) {
    return el("div", { "class": "topology" }, [
      heading ? el("h3", { text: heading }) : null,
      withoutAlarms ? null : renderAlarms(frame),
      renderGraph(frame),
      el("p", { "class": "legend", text: "Arrows point from each secondary to its primary " +
        "(solid: performance, dashed: DR). \u2715 marks a broken link, with the reason. " +
        "lag: WAL entries behind; hb: heartbeat age." }),
      renderLinkTable(frame)
    ]);
  }

  fv.graph = { alarmsOf: alarmsOf, renderAlarms: renderAlarms, renderTopology: renderTopology };
})();
