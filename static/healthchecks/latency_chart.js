// Draws the latency chart from the JSON our view embeds (json_script "latency-data"): one line per region.
(function () {
  "use strict";
  var svg = document.getElementById("latency-chart");
  var source = document.getElementById("latency-data");
  if (!svg || !source) { return; }
  var data = JSON.parse(source.textContent);
  var ns = "http://www.w3.org/2000/svg";
  var width = 600, height = 220, left = 44, bottom = 24, top = 10, right = 10;
  var start = Date.parse(data.start), span = { hour: 3600e3, day: 86400e3, week: 604800e3 }[data.window] || 3600e3;
  var colours = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626"];
  var max = 1;
  Object.keys(data.series).forEach(function (region) {
    data.series[region].forEach(function (point) { if (point.latency_ms > max) { max = point.latency_ms; } });
  });
  function x(at) { return left + (Date.parse(at) - start) / span * (width - left - right); }
  function y(ms) { return height - bottom - ms / max * (height - bottom - top); }
  function add(name, attrs, text) {
    var el = document.createElementNS(ns, name);
    Object.keys(attrs).forEach(function (key) { el.setAttribute(key, attrs[key]); });
    if (text) { el.textContent = text; }
    svg.appendChild(el);
    return el;
  }
  add("line", { x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, stroke: "#94a3b8" });
  add("text", { x: 2, y: top + 10, "font-size": 11, fill: "#64748b" }, max + " ms");
  add("text", { x: 2, y: height - bottom, "font-size": 11, fill: "#64748b" }, "0");
  Object.keys(data.series).forEach(function (region, index) {
    var colour = colours[index % colours.length];
    var points = data.series[region].filter(function (p) { return p.latency_ms !== null; })
      .map(function (p) { return x(p.at).toFixed(1) + "," + y(p.latency_ms).toFixed(1); });
    add("polyline", { points: points.join(" "), fill: "none", stroke: colour, "stroke-width": 1.5 });
    data.series[region].forEach(function (p) {
      if (p.failures > 0) { add("circle", { cx: x(p.at), cy: height - bottom, r: 3, fill: "#dc2626" }); }
    });
    add("text", { x: left + 8 + index * 120, y: height - 6, "font-size": 11, fill: colour }, region);
  });
})();
