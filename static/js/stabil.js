/* Stabil: the little script every page loads (no third-party code; CSP script-src 'self').
 *
 * A table wider than the screen scrolls sideways inside .table-responsive. Such a region must be
 * reachable and scrollable by keyboard (WCAG 2.1.1; axe rule scrollable-region-focusable), so while it
 * scrolls it gets a tab stop and a name (its table's caption); when it fits it loses both again, so wide
 * screens keep the short tab order.
 */
(function () {
  "use strict";

  function markScrollingTables() {
    document.querySelectorAll(".table-responsive").forEach(function (region) {
      var scrolls = region.scrollWidth > region.clientWidth + 1;
      if (scrolls && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        region.setAttribute("role", "region");
        region.dataset.stabilScroll = "1";
        var caption = region.querySelector("caption");
        if (caption && !region.hasAttribute("aria-label")) {
          region.setAttribute("aria-label", caption.textContent.trim());
        }
      } else if (!scrolls && region.dataset.stabilScroll === "1") {
        region.removeAttribute("tabindex");
        region.removeAttribute("role");
        region.removeAttribute("aria-label");
        delete region.dataset.stabilScroll;
      }
    });
  }

  var pending = null;
  document.addEventListener("DOMContentLoaded", markScrollingTables);
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(markScrollingTables, 150);
  });
})();
