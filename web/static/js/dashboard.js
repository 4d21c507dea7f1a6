// Dashboard charts drawn as inline SVG from the figures embedded in the page
// (<script type="application/json" id="dashboard-data">). No chart library:
// the intranet is offline and four simple chart shapes are all we need.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var source = document.getElementById("dashboard-data");
  if (!source) { return; }
  var payload = JSON.parse(source.textContent);
  var figures = payload.figures;
  var labels = payload.labels;

  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function svg(width, height) {
    return el("svg", { viewBox: "0 0 " + width + " " + height, preserveAspectRatio: "xMinYMin meet" });
  }

  function title(node, text) { node.appendChild(el("title", {}, text)); return node; }

  // A label cut to fit `px` pixels at the 12px chart font (CJK glyphs are
  // about twice as wide as Latin ones); the bar's tooltip keeps the full text.
  function fit(text, px) {
    var width = 0;
    for (var i = 0; i < text.length; i++) {
      width += text.charCodeAt(i) > 0x2e80 ? 12 : 6.8;
      if (width > px) { return text.slice(0, Math.max(1, i - 1)) + "…"; }
    }
    return text;
  }

  // {key: count} → [{key, value}], largest first, ties by key. The server's
  // JSON sorts object keys, so ranking has to happen here, not in Python.
  function ranked(counts, limit) {
    return Object.keys(counts || {}).map(function (k) { return { key: k, value: counts[k] }; })
      .sort(function (a, b) { return b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0); })
      .slice(0, limit || 15);
  }

  // Horizontal bars: rows of {label, value, target?, cls?}.
  function hbars(rows, opts) {
    opts = opts || {};
    var width = 480, labelW = opts.labelWidth || 150, rowH = 28, valueW = 80;
    var height = rows.length * rowH + 6;
    var max = Math.max(1, Math.max.apply(null, rows.map(function (r) { return Math.max(r.value, r.target || 0); })));
    var plotW = width - labelW - valueW;
    var root = svg(width, height);
    rows.forEach(function (r, i) {
      var y = i * rowH + 4;
      root.appendChild(el("text", { x: labelW - 8, y: y + 15, "text-anchor": "end" }, fit(r.label, labelW - 12)));
      root.appendChild(el("rect", { x: labelW, y: y + 3, width: plotW, height: 16, rx: 2, "class": "track" }));
      var bar = el("rect", { x: labelW, y: y + 3, width: Math.max(0, plotW * r.value / max), height: 16, rx: 2,
                             "class": "bar " + (r.cls || "") });
      root.appendChild(title(bar, r.label + ": " + r.value));
      if (r.target) {
        var tx = labelW + plotW * r.target / max;
        root.appendChild(title(el("line", { x1: tx, x2: tx, y1: y, y2: y + 22, "class": "target" }),
                               labels.target + " " + r.target));
      }
      var text = r.target ? r.value + " / " + r.target : String(r.value);
      root.appendChild(el("text", { x: labelW + plotW + 8, y: y + 15 }, text));
    });
    return root;
  }

  // Vertical columns with a label under each (every n-th one when they would
  // overlap, e.g. many months). opts.width widens the chart for wide cards.
  function columns(rows, opts) {
    opts = opts || {};
    var width = opts.width || 480, height = 210, base = 170, top = 20, left = 10;
    var max = Math.max(1, Math.max.apply(null, rows.map(function (r) { return r.value; })));
    var step = (width - left * 2) / rows.length;
    var labelEvery = Math.ceil((opts.labelWidth || 60) / step);
    var root = svg(width, height);
    root.appendChild(el("line", { x1: left, x2: width - left, y1: base, y2: base, "class": "axis" }));
    // A few columns on a wide chart would be slabs: cap the width, keep each centred in its step.
    var barW = Math.min(step * 0.6, 56);
    rows.forEach(function (r, i) {
      var h = (base - top) * r.value / max;
      var cx = left + step * (i + 0.5);
      var x = cx - barW / 2;
      var bar = el("rect", { x: x, y: base - h, width: barW, height: h, rx: 2, "class": "bar " + (r.cls || "") });
      root.appendChild(title(bar, r.label + ": " + r.value));
      root.appendChild(el("text", { x: cx, y: base - h - 5, "text-anchor": "middle" }, String(r.value)));
      if (i % labelEvery === 0 || i === rows.length - 1) {
        root.appendChild(el("text", { x: cx, y: base + 18, "text-anchor": "middle", "class": "muted" }, r.label));
      }
    });
    return root;
  }

  // Monthly growth: columns of new talents, a line of the running total.
  function growth(points) {
    var width = 1100, height = 250, left = 50, right = 50, top = 20, base = 200;
    var root = svg(width, height);
    if (!points.length) { return root; }
    var maxNew = Math.max(1, Math.max.apply(null, points.map(function (p) { return p.new; })));
    var maxTotal = Math.max(1, points[points.length - 1].total);
    var step = (width - left - right) / points.length;
    var barW = Math.min(step * 0.6, 48);
    root.appendChild(el("line", { x1: left, x2: width - right, y1: base, y2: base, "class": "axis" }));
    var path = "";
    var labelEvery = Math.ceil(points.length / 12);
    points.forEach(function (p, i) {
      var cx = left + step * (i + 0.5);
      var h = (base - top) * p.new / maxNew;
      root.appendChild(title(el("rect", { x: cx - barW / 2, y: base - h, width: barW, height: h, "class": "bar alt" }),
                             p.month + " " + labels["new"] + " " + p.new));
      var ty = base - (base - top) * p.total / maxTotal;
      path += (i ? " L " : "M ") + cx.toFixed(1) + " " + ty.toFixed(1);
      root.appendChild(title(el("circle", { cx: cx, cy: ty, r: 3, "class": "dot" }), p.month + " " + labels.total + " " + p.total));
      if (i % labelEvery === 0 || i === points.length - 1) {
        root.appendChild(el("text", { x: cx, y: base + 18, "text-anchor": "middle", "class": "muted" }, p.month));
      }
    });
    root.appendChild(el("path", { d: path, "class": "line" }));
    root.appendChild(el("text", { x: left - 6, y: top + 4, "text-anchor": "end", "class": "muted" }, String(maxNew)));
    root.appendChild(el("text", { x: width - right + 6, y: top + 4, "class": "muted" }, String(maxTotal)));
    var legendY = height - 6;
    root.appendChild(el("rect", { x: left, y: legendY - 10, width: 12, height: 10, "class": "bar alt" }));
    root.appendChild(el("text", { x: left + 18, y: legendY, "class": "muted" }, labels["new"]));
    root.appendChild(el("line", { x1: left + 80, x2: left + 100, y1: legendY - 5, y2: legendY - 5, "class": "line" }));
    root.appendChild(el("text", { x: left + 106, y: legendY, "class": "muted" }, labels.total));
    return root;
  }

  // Freshness over time: one line per state (current, ageing, stale) over the daily snapshots.
  function stateLines(days) {
    var width = 1100, height = 250, left = 50, right = 20, top = 20, base = 200;
    var root = svg(width, height);
    if (!days.length) { return root; }
    var states = ["current", "ageing", "stale"];
    var max = Math.max(1, Math.max.apply(null, days.map(function (d) { return d.current + d.ageing + d.stale; })));
    var step = days.length > 1 ? (width - left - right) / (days.length - 1) : 0;
    root.appendChild(el("line", { x1: left, x2: width - right, y1: base, y2: base, "class": "axis" }));
    states.forEach(function (s) {
      var path = "";
      days.forEach(function (d, i) {
        var x = left + step * i, y = base - (base - top) * d[s] / max;
        path += (i ? " L " : "M ") + x.toFixed(1) + " " + y.toFixed(1);
      });
      root.appendChild(title(el("path", { d: path, "class": "line state-" + s }), labels.states[s]));
    });
    var labelEvery = Math.max(1, Math.ceil(days.length / 12));
    days.forEach(function (d, i) {
      if (i % labelEvery === 0 || i === days.length - 1) {
        var x = left + step * i;
        root.appendChild(title(el("circle", { cx: x, cy: base - (base - top) * d.stale / max, r: 2, "class": "dot" }),
                               d.day + " " + states.map(function (s) { return labels.states[s] + " " + d[s]; }).join(" · ")));
        root.appendChild(el("text", { x: x, y: base + 18, "text-anchor": "middle", "class": "muted" }, d.day.slice(0, 7)));
      }
    });
    root.appendChild(el("text", { x: left - 6, y: top + 4, "text-anchor": "end", "class": "muted" }, String(max)));
    states.forEach(function (s, i) {
      var x = left + i * 140, y = height - 6;
      root.appendChild(el("line", { x1: x, x2: x + 20, y1: y - 5, y2: y - 5, "class": "line state-" + s }));
      root.appendChild(el("text", { x: x + 26, y: y, "class": "muted" }, labels.states[s]));
    });
    return root;
  }

  var charts = {
    freshnessHistory: function () { return stateLines(figures.freshness_history); },
    categories: function () {
      return hbars(figures.categories.map(function (c) {
        return { label: labels.categories[c.code] || c.code, value: c.count, target: c.target,
                 cls: c.code === "A" ? "red" : "" };
      }), { labelWidth: 120 });
    },
    freshness: function () {
      return columns(figures.freshness.map(function (f, i) {
        return { label: f.bucket + " " + labels.days, value: f.count, cls: i >= 3 ? "red" : "" };
      }));
    },
    growth: function () { return growth(figures.growth); },
    fields: function () {
      var rows = figures.fields.filter(function (f) { return f.count > 0; })
        .sort(function (a, b) { return b.count - a.count; }).slice(0, 15);
      return hbars(rows.map(function (f) { return { label: labels.fields[f.code] || f.code, value: f.count }; }),
                   { labelWidth: 170 });
    },
    sectors: function () {
      return hbars(figures.sectors.map(function (s) {
        return { label: labels.sectors[s.code] || s.code, value: s.count, cls: "alt" };
      }), { labelWidth: 200 });
    },
    // Consultations (present only for accounts allowed consultation figures).
    consultUnits: function () {
      return hbars(ranked(figures.consultations.requests_by_unit, 10).map(function (r) {
        return { label: r.key, value: r.value };
      }), { labelWidth: 190 });
    },
    consultFields: function () {
      return hbars(ranked(figures.consultations.requests_by_field, 10).map(function (r) {
        return { label: labels.fields[r.key] || r.key, value: r.value, cls: "alt" };
      }), { labelWidth: 170 });
    },
    consultTalents: function () {
      return hbars(figures.consultations.most_consulted_talents.map(function (t, i) {
        return { label: t.name, value: t.consultations, cls: i === 0 ? "red" : "" };
      }), { labelWidth: 120 });
    },
    consultAdvice: function () {
      return hbars(figures.consultations.most_consulted_fields.map(function (f) {
        return { label: labels.fields[f.field] || f.field, value: f.advice, cls: "alt" };
      }), { labelWidth: 170 });
    },
    // Events.
    eventMonths: function () {
      var months = figures.events.events_per_month;
      return columns(Object.keys(months).sort().map(function (m) { return { label: m, value: months[m] }; }),
                     { width: 1100 });
    },
    eventRegistrations: function () {
      var regs = figures.events.registrations;
      return hbars(["registered", "waitlisted", "invited", "declined", "cancelled"].map(function (s) {
        return { label: labels.registrations[s] || s, value: regs[s] || 0,
                 cls: s === "registered" ? "" : s === "waitlisted" ? "alt" : "muted" };
      }), { labelWidth: 190 });
    },
    eventFields: function () {
      return hbars(ranked(figures.events.fields_covered, 15).map(function (r) {
        return { label: labels.fields[r.key] || r.key, value: r.value, cls: "alt" };
      }), { labelWidth: 170 });
    }
  };

  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), function (holder) {
    var draw = charts[holder.getAttribute("data-chart")];
    if (draw) { holder.appendChild(draw()); }
  });
})();
