/* The progress bar of an import's preview or apply: asks the run's status every second and reloads the
   page when the run is done (previewed, applied or failed). No inline script: the CSP allows none. */
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector(".progress");
  var fill = box.querySelector(".progress-bar");
  var label = document.getElementById("import-progress-label");
  var status = document.getElementById("import-status");
  var running = { previewing: true, applying: true };
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (!running[data.status]) { window.location.reload(); return; }
        fill.style.width = data.percent + "%";
        bar.setAttribute("aria-valuenow", String(data.done));
        bar.setAttribute("aria-valuemax", String(data.total));
        label.textContent = label.textContent.replace(/\d+(\D+)\d+/, data.done + "$1" + data.total);
        status.textContent = data.status_label;
        window.setTimeout(tick, 1000);
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 500);
}());
