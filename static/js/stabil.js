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
          region.dataset.stabilLabel = "1";
        }
      } else if (!scrolls && region.dataset.stabilScroll === "1") {
        region.removeAttribute("tabindex");
        region.removeAttribute("role");
        if (region.dataset.stabilLabel === "1") {
          region.removeAttribute("aria-label"); // only the name this script gave
        }
        delete region.dataset.stabilScroll;
        delete region.dataset.stabilLabel;
      }
    });
  }

  /* A form with data-confirm-unsaved="<selector>" asks before it is sent when a choice inside that element
   * differs from what the page was loaded with (a proposal row changed but not saved), leaving out the
   * form's own row. The question is the form's data-confirm-message with {rows} replaced by the changed
   * rows' data-row names. A form with data-confirm="<question>" always asks. */
  function unsavedRows(scope, own) {
    var names = [];
    document.querySelectorAll(scope + " select").forEach(function (select) {
      if (own && own.contains(select)) {
        return;
      }
      var initial = 0;
      Array.prototype.forEach.call(select.options, function (option, index) {
        if (option.defaultSelected) {
          initial = index;
        }
      });
      var row = select.closest("[data-row]");
      if (select.selectedIndex !== initial && row && names.indexOf(row.dataset.row) < 0) {
        names.push(row.dataset.row);
      }
    });
    return names;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset) {
      return;
    }
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (!form.dataset.confirmUnsaved) {
      return;
    }
    var names = unsavedRows(form.dataset.confirmUnsaved, form.closest("[data-row]"));
    if (names.length && !window.confirm(form.dataset.confirmMessage.replace("{rows}", names.join(", ")))) {
      event.preventDefault();
    }
  });

  /* Back at a row after saving it (the address ends in #<row id>): focus the row's messages, so a screen
   * reader reads them and the next Tab continues in the row. */
  function focusRowMessages() {
    if (!window.location.hash) {
      return;
    }
    var id;
    try {
      id = decodeURIComponent(window.location.hash.slice(1));
    } catch (error) {
      return; // a malformed fragment: nothing to focus
    }
    var row = document.getElementById(id);
    var notes = row && row.querySelector(".row-notes");
    if (notes) {
      notes.focus();
    }
  }

  var pending = null;
  document.addEventListener("DOMContentLoaded", markScrollingTables);
  // After "load": the browser's own move to the #fragment comes after DOMContentLoaded and would reset focus.
  window.addEventListener("load", function () {
    window.setTimeout(focusRowMessages, 0);
  });
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(markScrollingTables, 150);
  });
})();
