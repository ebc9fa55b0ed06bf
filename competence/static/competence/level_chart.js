// People per level over time (seed 000's chart). Data comes from json_script; no inline script.
(function () {
  "use strict";
  var source = document.getElementById("level-chart-data");
  var canvas = document.getElementById("level-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#1d3f5e", "#2a7f62", "#b35c00", "#6f42c1", "#c2185b", "#00796b", "#5d4037"];
  data.datasets.forEach(function (set, i) {
    set.borderColor = colours[i % colours.length];
    set.backgroundColor = colours[i % colours.length];
    set.tension = 0.2;
  });
  new Chart(canvas, {
    type: "line",
    data: data,
    options: { responsive: true, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
})();
