// A small SVG line chart: <svg class="chart" data-chart-url="/some/json/"></svg>.
// The JSON is {"labels": [...], "series": [{"name": "...", "points": [numbers]}], "unit": "..."}.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLOURS = ["#1f4e79", "#d9822b", "#1e7a3c", "#b42318", "#6941c6", "#0e7490"];

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function draw(svg, data) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var width = svg.clientWidth || 600, height = svg.clientHeight || 220;
    var left = 48, right = 12, top = 12, bottom = 28;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var max = 0;
    data.series.forEach(function (s) { s.points.forEach(function (p) { if (p !== null && p > max) max = p; }); });
    if (max === 0) max = 1;
    var count = data.labels.length;
    var x = function (i) { return left + (count <= 1 ? 0 : i * (width - left - right) / (count - 1)); };
    var y = function (v) { return height - bottom - v * (height - top - bottom) / max; };
    [0, 0.5, 1].forEach(function (f) {
      el("line", { x1: left, x2: width - right, y1: y(max * f), y2: y(max * f), stroke: "#e6eaef" }, svg);
      el("text", { x: left - 6, y: y(max * f) + 4, "text-anchor": "end", "font-size": 11, fill: "#5b6675" }, svg)
        .textContent = (Math.round(max * f * 10) / 10) + (data.unit ? " " + data.unit : "");
    });
    [0, Math.floor((count - 1) / 2), count - 1].forEach(function (i) {
      if (count === 0) return;
      el("text", { x: x(i), y: height - 8, "text-anchor": "middle", "font-size": 11, fill: "#5b6675" }, svg)
        .textContent = data.labels[i];
    });
    data.series.forEach(function (s, n) {
      var path = "", pen = false;
      s.points.forEach(function (p, i) {
        if (p === null) { pen = false; return; }
        path += (pen ? " L" : " M") + x(i).toFixed(1) + " " + y(p).toFixed(1);
        pen = true;
      });
      el("path", { d: path, fill: "none", stroke: COLOURS[n % COLOURS.length], "stroke-width": 2 }, svg);
      el("text", { x: left + 8 + n * 140, y: top + 10, "font-size": 12, fill: COLOURS[n % COLOURS.length] }, svg)
        .textContent = s.name;
    });
    if (!data.series.length) {
      el("text", { x: width / 2, y: height / 2, "text-anchor": "middle", fill: "#5b6675" }, svg).textContent = "No data yet";
    }
  }

  function load(svg) {
    fetch(svg.dataset.chartUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { draw(svg, data); });
  }

  document.querySelectorAll("svg[data-chart-url]").forEach(function (svg) {
    load(svg);
    var every = parseInt(svg.dataset.refreshSeconds || "0", 10);
    if (every > 0) setInterval(function () { load(svg); }, every * 1000);
  });
})();
