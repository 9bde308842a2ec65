// fakevault's web view, 4 of 4: the live page (token, controls, polling) and the start.
(function () {
  "use strict";
  var fv = window.fakevault = window.fakevault || {};
  var TOKEN_KEY = "fakevault.token";
  var POLL_MS = 1000;
  var el = fv.dom.el, append = fv.dom.append, clockTime = fv.dom.clockTime;
  var section = fv.dom.section, replace = fv.dom.replace, PAGE = fv.PAGE;
  var renderAlarms = fv.graph.renderAlarms, renderTopology = fv.graph.renderTopology;
  var renderClusters = fv.panels.renderClusters, renderViolations = fv.panels.renderViolations;
  var renderTimeline = fv.panels.renderTimeline, report = fv.panels.report;

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
      if (data.timeline.offset > 0 && data.timeline.offset >= data.timeline.total) {
        state.offset = 0;  // paged past the end of a world that was reset: back to the newest
        return refresh();
      }
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
