// Bars of each worker's load against capacity on the unit dashboard; data comes from json_script.
(function () {
  "use strict";
  var source = document.getElementById("load-chart-data");
  var canvas = document.getElementById("load-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "sv";
  var sv = lang.indexOf("sv") === 0;
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        {label: sv ? "Belastning" : "Load", data: data.load, backgroundColor: "#1f5f8b"},
        {label: sv ? "Kapacitet" : "Capacity", data: data.capacity, backgroundColor: "#b8c4cc"}
      ]
    },
    options: {indexAxis: "y", responsive: true, animation: false, scales: {x: {beginAtZero: true}}}
  });
})();
