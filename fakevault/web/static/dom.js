// fakevault's web view, 1 of 4: DOM helpers and shared constants. The live page at /ui/ loads
// dom.js, graph.js, panels.js and live.js in that order; the HTML report inlines the same four.
// No build step, no dependencies, no network beyond the page's own origin. Every state is
// written out in words (colour only repeats what the text says), every control is a native
// button, select or input, so the page works from the keyboard and with a screen reader.
(function () {
  "use strict";
  var fv = window.fakevault = window.fakevault || {};
  var SVG_NS = "http://www.w3.org/2000/svg";

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

  function section(id, title, content) {
    return el("section", { id: id, "aria-labelledby": id + "-title" },
              [el("h2", { id: id + "-title", text: title })].concat(content));
  }

  function replace(node, child) {
    while (node.firstChild) node.removeChild(node.firstChild);
    if (child) node.appendChild(child);
  }

  fv.TYPE_LABEL = { performance: "perf", dr: "DR" };
  fv.PAGE = 100;  // timeline rows per page
  fv.dom = { el: el, svg: svg, append: append, age: age, clockTime: clockTime, section: section,
             replace: replace };
})();
