// Time-series charts drawn with uPlot (static/vendor/uplot/), fed chart JSON by our own views.
//
//   <figure class="chart" data-chart-url="/dashboard/queries.json" data-refresh-seconds="30"
//           data-chart-source="queries-data" data-chart-label="Queries per minute">…</figure>
//
// data-chart-source names a json_script element holding the first data (no request on load);
// data-chart-url is fetched on load when there is no source, and every data-refresh-seconds.
// The JSON: {"times": [Unix seconds], "series": [{"name", "points": [number or null]}],
//            "unit": "q/min", "bands": [{"start", "end"}] (shaded, e.g. unhealthy),
//            "band_label": "Unhealthy", "is_stepped": false, "error": "…"}.
// The legend under each chart shows every series' value at the cursor (uPlot's live legend);
// a visually hidden caption lists the axis labels for screen readers.
(function () {
  "use strict";

  // Distinct on white and readable as text in the legend (contrast at least 4.5:1).
  const COLOURS = ["#1f4e79", "#b45309", "#15803d", "#b42318", "#6d28d9", "#0e7490", "#9d174d", "#4d5b23"];
  const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  const HEIGHT = 240;
  const numbers = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
  // Nice whole-number tick steps: 1, 2, 5, 10, 20, 50 … 5e9 (no "0.5 q/min").
  const STEPS = [];
  for (let power = 1; power <= 1e9; power *= 10) STEPS.push(power, 2 * power, 5 * power);

  const measure = document.createElement("canvas").getContext("2d");
  measure.font = FONT;

  function two(n) { return String(n).padStart(2, "0"); }

  // Times are UTC, as everywhere in the console: "14:05", or "12-01 14:00" over more than a day.
  function timeLabels(u, splits) {
    const isLong = u.scales.x.max - u.scales.x.min > 2 * 86400;
    return splits.map((seconds) => {
      const at = new Date(seconds * 1000);
      const clock = two(at.getUTCHours()) + ":" + two(at.getUTCMinutes());
      return isLong ? two(at.getUTCMonth() + 1) + "-" + two(at.getUTCDate()) + " " + clock : clock;
    });
  }

  function format(value) {
    return value === null || value === undefined ? "—" : numbers.format(value);
  }

  // The y axis is as wide as its longest label, so "1,583,075" is never clipped to "5".
  function yAxisSize(u, values) {
    const widest = (values || []).reduce((width, text) => Math.max(width, measure.measureText(text).width), 0);
    return Math.ceil(widest) + 18;
  }

  function bandsPlugin(bands) {
    return {
      hooks: {
        drawClear: [
          (u) => {
            const { ctx } = u;
            const { top, height, left, width } = u.bbox;
            ctx.save();
            ctx.fillStyle = "rgba(180, 35, 24, 0.12)";
            bands.forEach((band) => {
              const from = Math.max(left, u.valToPos(band.start, "x", true));
              const to = Math.min(left + width, u.valToPos(band.end, "x", true));
              if (to > from) ctx.fillRect(from, top, to - from, height);
            });
            ctx.restore();
          },
        ],
      },
    };
  }

  function caption(figure, data, labels) {
    let text = figure.querySelector(".chart-caption");
    if (!text) {
      text = document.createElement("figcaption");
      text.className = "chart-caption visually-hidden";
      figure.appendChild(text);
    }
    text.textContent = (figure.dataset.chartLabel || "Chart") + ". Vertical axis (" + (data.unit || "") + "): "
      + labels.join(", ") + ". Series: " + data.series.map((s) => s.name).join(", ") + ".";
    text.dataset.yLabels = JSON.stringify(labels);
  }

  function options(figure, data, width) {
    const unit = data.unit || "";
    const yLabels = [];
    const plugins = data.bands && data.bands.length ? [bandsPlugin(data.bands)] : [];
    return {
      width: width,
      height: HEIGHT,
      plugins: plugins,
      scales: {
        x: { time: true },
        y: { range: (u, min, max) => [0, max > 0 ? uPlot.rangeNum(0, max, 0.1, true)[1] : 5] },
      },
      axes: [
        { font: FONT, stroke: "#5b6675", grid: { stroke: "#e6eaef" }, values: timeLabels, space: 60 },
        {
          font: FONT,
          stroke: "#5b6675",
          grid: { stroke: "#e6eaef" },
          incrs: STEPS,
          size: yAxisSize,
          values: (u, splits) => {
            const labels = splits.map(format);
            yLabels.splice(0, yLabels.length, ...labels);
            return labels;
          },
          label: unit,
          labelFont: FONT,
          labelSize: 18,
        },
      ],
      series: [
        {
          label: "Time (UTC)",
          value: (u, seconds) => (seconds === null || seconds === undefined ? "—"
            : new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")),
        },
        ...data.series.map((s, index) => ({
          label: s.name,
          stroke: COLOURS[index % COLOURS.length],
          width: 2,
          points: { show: false },
          paths: data.is_stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
          value: (u, value) => format(value) + (value === null || value === undefined ? "" : " " + unit),
        })),
      ],
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      hooks: { draw: [() => caption(figure, data, yLabels)] },
    };
  }

  function bandKey(figure, data) {
    let key = figure.querySelector(".chart-band-key");
    if (data.bands && data.bands.length) {
      if (!key) {
        key = document.createElement("p");
        key.className = "chart-band-key";
        figure.appendChild(key);
      }
      key.textContent = data.band_label || "Shaded";
    } else if (key) {
      key.remove();
    }
  }

  function empty(figure, text) {
    let note = figure.querySelector(".chart-empty");
    if (text && !note) {
      note = document.createElement("p");
      note.className = "chart-empty empty";
      figure.appendChild(note);
    }
    if (note) {
      note.hidden = !text;
      note.textContent = text || "";
    }
  }

  function draw(figure, data) {
    const width = Math.max(figure.clientWidth, 200);
    const aligned = [data.times].concat(data.series.map((s) => s.points));
    const names = data.series.map((s) => s.name).join("\n") + (data.bands ? JSON.stringify(data.bands) : "");
    if (figure.uplot && figure.uplot.seriesNames === names) {
      figure.uplot.setData(aligned);
    } else {
      if (figure.uplot) figure.uplot.destroy();
      figure.uplot = new uPlot(options(figure, data, width), aligned, figure);
      figure.uplot.seriesNames = names;
    }
    bandKey(figure, data);
    empty(figure, data.error || (data.series.length ? "" : figure.dataset.chartEmpty || "No data yet."));
  }

  function load(figure) {
    fetch(figure.dataset.chartUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => { if (data) draw(figure, data); });
  }

  document.querySelectorAll("figure.chart").forEach((figure) => {
    const source = figure.dataset.chartSource && document.getElementById(figure.dataset.chartSource);
    if (source) draw(figure, JSON.parse(source.textContent));
    else if (figure.dataset.chartUrl) load(figure);
    const every = parseInt(figure.dataset.refreshSeconds || "0", 10);
    if (every > 0 && figure.dataset.chartUrl) window.setInterval(() => load(figure), every * 1000);
    new ResizeObserver(() => {
      if (figure.uplot) figure.uplot.setSize({ width: Math.max(figure.clientWidth, 200), height: HEIGHT });
    }).observe(figure);
  });
})();
