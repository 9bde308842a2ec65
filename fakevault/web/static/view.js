// fakevault's web view: the live page at /ui/ and the HTML report of a failing test.
// No build step, no dependencies, no network beyond the page's own origin. Every state is
// written out in words (colour only repeats what the text says), every control is a native
// button, select or input, so the page works from the keyboard and with a screen reader.
(function () {
  "use strict";

  var TOKEN_KEY = "fakevault.token";
  var POLL_MS = 1000;
  var PAGE = 100;
  var SVG_NS = "http://www.w3.org/2000/svg";
  var TYPE_LABEL = { performance: "perf", dr: "DR" };

  // -- DOM helpers ---------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }

  function setAttrs(node, attrs) {
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = String(value);
      else if (key === "onclick") node.addEventListener("click", value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
  }

  function append(node, children) {
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
  }

  function age(seconds) {
    if (seconds === null || seconds === undefined) return "never";
    if (seconds < 60) return Math.round(seconds) + "s";
    if (seconds < 3600) return Math.round(seconds / 60) + "m";
    return Math.round(seconds / 3600) + "h";
  }

  function clockTime(rfc3339) {
    return String(rfc3339).replace("T", " ").replace("Z", "").slice(0, 19);
  }

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

  // -- clusters ------------------------------------------------------------------------------
  function roleRow(type, role) {
    if (role.mode === "disabled") {
      return el("tr", { "data-role": type }, [el("th", { scope: "row", text: type }),
        el("td", { text: "disabled" }), el("td", { colspan: 6, text: "\u2013" })]);
    }
    var wal, peers;
    if (role.mode === "primary") {
      wal = "last_wal " + role.last_wal;
      peers = "secondaries: " + (role.known_secondaries.join(", ") || "none");
      var tokens = role.tokens_outstanding.map(function (t) {
        return t.secondary_id + " (" + age(t.expires_in) + " left)";
      });
      peers += "; tokens outstanding: " + (tokens.join(", ") || "none");
    } else {
      wal = "last_remote_wal " + role.last_remote_wal + " (lag " + role.lag + ")";
      peers = "primary: " + (role.primary || "none") + " as " + (role.secondary_id || "?") +
        "; heartbeat " + age(role.heartbeat_age) + " ago";
    }
    return el("tr", { "data-role": type, "data-mode": role.mode }, [
      el("th", { scope: "row", text: type }), el("td", { text: role.mode }),
      el("td", { "class": "mono", title: role.cluster_id, text: role.cluster_id_short }),
      el("td", { text: role.state }), el("td", { text: role.connection_state || "\u2013" }),
      el("td", { text: wal }), el("td", { "class": "mono", text: role.merkle_root }),
      el("td", { text: peers })
    ]);
  }

  function renderCluster(cluster, alarm, actions) {
    var buttons = actions ? el("div", { "class": "cluster-actions" }, [
      el("button", { type: "button", id: "crash-" + cluster.name, disabled: !cluster.up,
                     onclick: function () { actions.crash(cluster.name); }, text: "Crash " + cluster.name }),
      el("button", { type: "button", id: "restart-" + cluster.name, disabled: cluster.up,
                     onclick: function () { actions.restart(cluster.name); }, text: "Restart " + cluster.name })
    ]) : null;
    return el("article", { "class": "cluster " + (cluster.up ? "up" : "down") + (alarm ? " alarm" : ""),
                           "data-cluster": cluster.name }, [
      el("h3", {}, [cluster.name + " ", el("span", { "class": "badge " + (cluster.up ? "up" : "down"),
                                                     text: cluster.up ? "UP" : "DOWN" }),
                    alarm ? el("span", { "class": "badge alarm", text: "\u26a0 split brain" }) : null]),
      el("p", { "class": "addr", text: cluster.api_addr + " \u00b7 " + cluster.storage_keys + " keys \u00b7 last WAL " +
                cluster.last_wal + (cluster.corrupted_merkle_tree ? " \u00b7 \u26a0 merkle tree corrupted" : "") }),
      el("table", { "class": "roles" }, [
        el("thead", {}, [el("tr", {}, ["Type", "Mode", "Cluster id", "State", "Connection", "WAL",
                                       "Merkle root", "Peers"].map(function (h) {
          return el("th", { scope: "col", text: h });
        }))]),
        el("tbody", {}, [roleRow("performance", cluster.roles.performance), roleRow("dr", cluster.roles.dr)])
      ]),
      buttons
    ]);
  }

  function renderClusters(frame, actions) {
    var alarms = alarmsOf(frame);
    return el("div", { "class": "cluster-grid" }, frame.clusters.map(function (c) {
      return renderCluster(c, alarms[c.name], actions);
    }));
  }

  // -- violations and timeline ---------------------------------------------------------------
  function renderViolations(violations) {
    if (!violations.total) return el("p", { "class": "ok", text: "\u2713 No invariant violations." });
    var items = violations.items.map(function (v) {
      return el("li", { "data-violation": v.kind }, [el("strong", { text: v.kind }), ": " + v.message +
        " \u2014 caused by " + v.caused_by]);
    });
    var more = violations.total > violations.items.length ?
      el("p", { text: "\u2026 and " + (violations.total - violations.items.length) + " more." }) : null;
    return el("div", { "class": "violations", role: "alert" }, [
      el("p", { "class": "bad", text: "\u2716 " + violations.total + " invariant violation(s):" }),
      el("ol", {}, items), more]);
  }

  function timelineRow(entry, lanes) {
    var classes = "op " + entry.kind + (entry.violations.length ? " violating" : "");
    var badge = entry.kind === "fault" ? "FAULT " : entry.kind === "refused" ? "REFUSED " : "";
    var cells = [el("td", { "class": "seq", text: "#" + entry.seq }), el("td", { "class": "time", title: entry.time, text: clockTime(entry.time).slice(11) })];
    lanes.forEach(function (lane) {
      if (entry.lanes.indexOf(lane) < 0) { cells.push(el("td", { "class": "lane" })); return; }
      cells.push(el("td", { "class": "lane on" }, [
        badge ? el("span", { "class": "badge " + entry.kind, text: badge.trim() }) : null,
        badge ? " " : null, entry.call,
        entry.error ? el("div", { "class": "error", text: "error: " + entry.error }) : null
      ]));
    });
    var rows = [el("tr", { "class": classes, "data-seq": entry.seq }, cells)];
    entry.violations.forEach(function (v) {
      rows.push(el("tr", { "class": "violation-detail", "data-violation": v.kind, "data-seq": entry.seq }, [
        el("td", { colspan: lanes.length + 2 }, [el("strong", { text: "\u2716 VIOLATION " + v.kind }),
          ": " + v.message + " (caused by " + v.caused_by + ")"])]));
    });
    return rows;
  }

  function renderTimeline(timeline, lanes, pager) {
    var first = timeline.offset + 1, last = timeline.offset + timeline.entries.length;
    var rows = [];
    timeline.entries.forEach(function (entry) { rows = rows.concat(timelineRow(entry, lanes)); });
    var summary = timeline.total ? "operations " + first + "\u2013" + last + " of " + timeline.total +
      ", newest first" : "no operations yet";
    return el("div", { "class": "timeline" }, [
      el("div", { "class": "pager" }, [
        el("button", { type: "button", id: "newer", disabled: timeline.offset === 0,
                       onclick: function () { pager(Math.max(0, timeline.offset - timeline.limit)); },
                       text: "\u2190 Newer" }),
        el("span", { id: "timeline-range", text: summary }),
        el("button", { type: "button", id: "older", disabled: last >= timeline.total,
                       onclick: function () { pager(timeline.offset + timeline.limit); }, text: "Older \u2192" })
      ]),
      el("div", { "class": "scroll" }, [el("table", { "class": "timeline-table" }, [
        el("thead", {}, [el("tr", {}, ["#", "Time (UTC)"].concat(lanes).map(function (h) {
          return el("th", { scope: "col", text: h });
        }))]),
        el("tbody", {}, rows)
      ])])
    ]);
  }

  function section(id, title, content) {
    return el("section", { id: id, "aria-labelledby": id + "-title" },
              [el("h2", { id: id + "-title", text: title })].concat(content));
  }

  function replace(node, child) {
    while (node.firstChild) node.removeChild(node.firstChild);
    if (child) node.appendChild(child);
  }

  // -- the report: everything embedded, nothing fetched -----------------------------------------
  function report(root, data) {
    var offset = 0;
    var timelineBox = el("div");
    function page(at) {
      offset = at;
      var all = data.timeline.entries;
      replace(timelineBox, renderTimeline({ total: all.length, offset: offset, limit: PAGE,
                                            entries: all.slice(offset, offset + PAGE) }, data.lanes, page));
    }
    var moments = data.moments.map(function (m) {
      return el("div", { "class": "moment", "data-seq": m.seq }, [
        el("h3", { text: m.kinds.join(", ") + " \u2014 caused by " + m.text }),
        el("div", { "class": "side-by-side" }, [
          renderTopology(m.before, "Before #" + m.seq), renderTopology(m.after, "After #" + m.seq)])
      ]);
    });
    append(root, [
      el("header", { "class": "report-header" }, [
        el("h1", { text: "fakevault report: " + data.title }),
        el("p", { text: "seed " + data.world.seed + " \u00b7 sync " + data.world.sync +
                  (data.world.strict ? " \u00b7 strict" : "") + " \u00b7 clusters " + data.world.clusters.join(", ") })]),
      data.failure ? section("failure", "Failure", [el("pre", { text: data.failure })]) : null,
      section("violations", "Violations", [renderViolations(data.violations)]),
      moments.length ? section("moments", "The violating operation: topology before and after", moments) : null,
      section("topology", "Topology at the end", [renderTopology(data.topology)]),
      section("clusters", "Clusters at the end", [renderClusters(data.topology, null)]),
      section("timeline", "Timeline", [timelineBox])
    ]);
    page(0);
  }

  // -- the live page -------------------------------------------------------------------------
  function live(root) {
    var state = { offset: 0, data: null, timer: null, live: true };
    var token = sessionStorage.getItem(TOKEN_KEY);
    var boxes = {};

    function askForToken(message) {
      sessionStorage.removeItem(TOKEN_KEY);
      token = null;
      clearTimeout(state.timer);
      var input = el("input", { id: "token", type: "password", autocomplete: "off", required: true });
      var form = el("form", { id: "token-form", "class": "token-form" }, [
        el("h2", { text: "Root token" }),
        el("p", { text: "The view reads and drives fakevault's control plane, which answers the " +
                  "root token only (fakevault serve prints it; the default is root). It is kept " +
                  "in this tab's sessionStorage and forgotten when the tab closes." }),
        message ? el("p", { "class": "bad", role: "alert", text: message }) : null,
        el("label", { "for": "token", text: "Root token " }), input, " ",
        el("button", { type: "submit", text: "Open the view" })
      ]);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        token = input.value;
        sessionStorage.setItem(TOKEN_KEY, token);
        start();
      });
      replace(root, form);
      input.focus();
    }

    function call(method, path, body) {
      var headers = { "X-Vault-Token": token };
      if (body !== undefined) headers["Content-Type"] = "application/json";
      return fetch(path, { method: method, headers: headers, cache: "no-store",
                           body: body === undefined ? undefined : JSON.stringify(body) })
        .then(function (response) {
          return response.text().then(function (text) {
            var json = null;
            try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
            if (response.status === 403 || response.status === 401) {
              askForToken("The server refused that token (" + response.status + "). Enter the root token.");
              throw new Error("token refused");
            }
            if (!response.ok) {
              var errors = json && json.errors ? json.errors.join("; ") : text;
              throw new Error(response.status + ": " + errors);
            }
            return json;
          });
        });
    }

    function say(message, bad) {
      var status = document.getElementById("control-status");
      if (!status) return;
      status.textContent = message;
      status.className = bad ? "bad" : "ok";
    }

    function act(label, method, path, body) {
      say(label + "\u2026", false);
      return call(method, path, body).then(function () {
        say(label + ": done", false);
        return refresh();
      }, function (error) {
        if (token) say(label + " failed: " + error.message, true);
      });
    }

    var actions = {
      crash: function (name) { act("Crash " + name, "POST", "/_fakevault/clusters/" + encodeURIComponent(name) + "/crash"); },
      restart: function (name) {
        var fence = document.getElementById("fence");
        act("Restart " + name, "POST", "/_fakevault/clusters/" + encodeURIComponent(name) + "/restart",
            { demote_stale_primaries: !!(fence && fence.checked) });
      }
    };

    function pair() {
      var a = document.getElementById("pair-a").value, b = document.getElementById("pair-b").value;
      if (a === b) { say("Choose two different clusters.", true); return null; }
      return [a, b];
    }

    function buildControls(names) {
      function select(id, label, chosen) {
        return el("label", { "for": id }, [label + " ", el("select", { id: id }, names.map(function (n, i) {
          return el("option", { value: n, selected: i === chosen, text: n });
        }))]);
      }
      var seconds = el("input", { id: "advance-seconds", type: "number", min: 0, step: "any", value: 60, size: 6 });
      return el("section", { id: "controls", "aria-labelledby": "controls-title" }, [
        el("h2", { id: "controls-title", text: "Controls" }),
        el("fieldset", {}, [el("legend", { text: "Network" }),
          select("pair-a", "Between", 0), " ", select("pair-b", "and", Math.min(1, names.length - 1)), " ",
          el("button", { type: "button", id: "partition", text: "Partition", onclick: function () {
            var p = pair(); if (p) act("Partition " + p.join("\u2013"), "POST", "/_fakevault/network/partition", { clusters: p });
          } }), " ",
          el("button", { type: "button", id: "heal", text: "Heal", onclick: function () {
            var p = pair(); if (p) act("Heal " + p.join("\u2013"), "POST", "/_fakevault/network/heal", { clusters: p });
          } }), " ",
          el("button", { type: "button", id: "heal-all", text: "Heal all links", onclick: function () {
            act("Heal all links", "POST", "/_fakevault/network/heal");
          } })]),
        el("fieldset", {}, [el("legend", { text: "Time and replication" }),
          el("label", { "for": "advance-seconds", text: "Seconds " }), seconds, " ",
          el("button", { type: "button", id: "advance", text: "Advance clock", onclick: function () {
            var value = Number(seconds.value);
            if (!isFinite(value) || value < 0) { say("Seconds must be a number of at least 0.", true); return; }
            act("Advance " + value + "s", "POST", "/_fakevault/clock/advance", { seconds: value });
          } }), " ",
          el("button", { type: "button", id: "sync", text: "Sync", onclick: function () { act("Sync", "POST", "/_fakevault/sync"); } }), " ",
          el("button", { type: "button", id: "step", text: "Step", onclick: function () { act("Step", "POST", "/_fakevault/step"); } })]),
        el("fieldset", {}, [el("legend", { text: "Page" }),
          el("label", {}, [el("input", { type: "checkbox", id: "fence" }), " Restart demotes a stale primary"]), " ",
          el("label", {}, [el("input", { type: "checkbox", id: "live", checked: true, onclick: function (event) {
            state.live = event.target.checked;
            if (state.live) refresh();
          } }), " Live updates"]), " ",
          el("button", { type: "button", id: "forget-token", text: "Forget token", onclick: function () {
            askForToken("Token forgotten.");
          } })]),
        el("p", { id: "control-status", role: "status", "aria-live": "polite" })
      ]);
    }

    function build(data) {
      replace(root, null);
      boxes.summary = el("p", { id: "world-summary", "aria-live": "polite" });
      boxes.alarms = el("div", { id: "alarms" });
      boxes.topology = el("div");
      boxes.clusters = el("div");
      boxes.violations = el("div");
      boxes.timeline = el("div");
      append(root, [boxes.summary, boxes.alarms, buildControls(data.world.clusters),
                    section("topology", "Topology", [boxes.topology]),
                    section("clusters", "Clusters", [boxes.clusters]),
                    section("violations", "Violations", [boxes.violations]),
                    section("timeline", "Timeline", [boxes.timeline])]);
    }

    function render(data) {
      if (!state.data || state.data.world.clusters.join() !== data.world.clusters.join()) build(data);
      state.data = data;
      var focused = document.activeElement && document.activeElement.id;
      var frame = data.topology;
      boxes.summary.textContent = "seed " + data.world.seed + " \u00b7 sync " + data.world.sync +
        (data.world.strict ? " \u00b7 strict" : "") + " \u00b7 clock " + clockTime(frame.time) +
        " \u00b7 " + data.timeline.total + " operations \u00b7 " + data.violations.total + " violation(s)";
      replace(boxes.alarms, renderAlarms(frame));
      replace(boxes.topology, renderTopology(frame, null, true));  // the alarms are on top
      replace(boxes.clusters, renderClusters(frame, actions));
      replace(boxes.violations, renderViolations(data.violations));
      replace(boxes.timeline, renderTimeline(data.timeline, data.lanes, function (offset) {
        state.offset = offset;
        refresh();
      }));
      if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
      root.setAttribute("data-loaded", String(data.timeline.total));
    }

    function refresh() {
      if (!token) return Promise.resolve();
      return call("GET", "/_fakevault/view?offset=" + state.offset + "&limit=" + PAGE).then(render, function (error) {
        if (token) say("Cannot read the view: " + error.message, true);
      });
    }

    function poll() {
      clearTimeout(state.timer);
      var next = function () { if (token) state.timer = setTimeout(poll, POLL_MS); };
      var wanted = state.live && !(document.hidden && state.data);  // a hidden tab rests
      (wanted ? refresh() : Promise.resolve()).then(next, next);
    }

    function start() {
      state.data = null;
      replace(root, el("p", { text: "Loading\u2026" }));
      poll();
    }

    if (token) start(); else askForToken(null);
  }

  function boot() {
    var root = document.getElementById("app");
    var embedded = document.getElementById("fakevault-report-data");
    if (embedded) report(root, JSON.parse(embedded.textContent));
    else live(root);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
