// Unit trend: one line per statement across tertials, the baseline as a dashed line.
(function () {
  "use strict";
  var canvas = document.getElementById("trend-chart");
  var source = document.getElementById("trend-data");
  if (!canvas || !source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#1f5f8b", "#b5451b", "#2e7d32"];
  var datasets = [];
  data.series.forEach(function (s, i) {
    datasets.push({ label: s.label, data: s.values, borderColor: colours[i], backgroundColor: colours[i], spanGaps: true });
    if (data.baseline) {
      datasets.push({
        label: s.label + " (" + data.baseline_year + ")",
        data: data.labels.map(function () { return data.baseline[s.key]; }),
        borderColor: colours[i], borderDash: [6, 4], pointRadius: 0, fill: false
      });
    }
  });
  new Chart(canvas, {
    type: "line",
    data: { labels: data.labels, datasets: datasets },
    options: { scales: { y: { min: 1, max: 5 } }, animation: false }
  });
})();
