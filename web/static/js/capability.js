// The capability map's charts, drawn with Chart.js (web/static/vendor/chartjs, v4.6.1, MIT; loaded only on
// the dashboard) from the figures embedded in the page (<script type="application/json" id="capability-data">).
// Each chart has a table view with the same numbers beside it, so the page reads without this script too.
(function () {
  "use strict";
  var source = document.getElementById("capability-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var css = getComputedStyle(document.documentElement);
  var navy = css.getPropertyValue("--navy").trim() || "#123b6d";
  var red = css.getPropertyValue("--red").trim() || "#b71c1c";
  var palette = [navy, "#8fa9cc", "#c3ccd8", "#5b7fb0", "#e0a100"];
  Chart.defaults.font.family = css.getPropertyValue("--font").trim() || "sans-serif";
  Chart.defaults.animation = false;  // reduced motion, and charts ready for screenshots
  Chart.defaults.maintainAspectRatio = false;

  function canvas(name) { return document.querySelector('canvas[data-capability-chart="' + name + '"]'); }

  var topics = canvas("topics");
  if (topics && data.topics) {
    topics.parentNode.style.height = Math.max(180, 34 * data.topics.labels.length + 60) + "px";
    new Chart(topics, {
      type: "bar",
      data: {
        labels: data.topics.labels,
        datasets: data.topics.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: palette[i % palette.length], stack: "experts" };
        })
      },
      options: {
        indexAxis: "y",
        scales: { x: { stacked: true, title: { display: true, text: data.text.experts }, ticks: { precision: 0 } },
                  y: { stacked: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }

  var gaps = canvas("gaps");
  if (gaps && data.gaps) {
    gaps.parentNode.style.height = Math.max(180, 40 * data.gaps.labels.length + 60) + "px";
    new Chart(gaps, {
      type: "bar",
      data: {
        labels: data.gaps.labels,
        datasets: [
          { label: data.text.needs, data: data.gaps.needs, backgroundColor: "#c3ccd8" },
          { label: data.text.gaps, data: data.gaps.gaps, backgroundColor: red }
        ]
      },
      options: { indexAxis: "y", scales: { x: { ticks: { precision: 0 } } }, plugins: { legend: { position: "bottom" } } }
    });
  }

  var workload = canvas("workload");
  if (workload && data.workload) {
    workload.parentNode.style.height = "260px";
    new Chart(workload, {
      type: "line",
      data: {
        labels: data.workload.labels,
        datasets: [
          { label: data.text.share, data: data.workload.share, borderColor: red, backgroundColor: red, tension: 0.2 },
          { label: data.text.equal, data: data.workload.equal, borderColor: "#b9c2ce", borderDash: [6, 4], pointRadius: 0 }
        ]
      },
      options: {
        scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } },
                  x: { title: { display: true, text: data.text.top } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  }
})();
