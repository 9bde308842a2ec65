// fakevault's web view, 3 of 4: clusters, violations, the timeline, and the report page.
(function () {
  "use strict";
  var fv = window.fakevault = window.fakevault || {};
  var el = fv.dom.el, append = fv.dom.append, age = fv.dom.age, clockTime = fv.dom.clockTime;
  var section = fv.dom.section, replace = fv.dom.replace, PAGE = fv.PAGE;
  var alarmsOf = fv.graph.alarmsOf, renderTopology = fv.graph.renderTopology;

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

  fv.panels = { renderClusters: renderClusters, renderViolations: renderViolations,
                renderTimeline: renderTimeline, report: report };
})();
