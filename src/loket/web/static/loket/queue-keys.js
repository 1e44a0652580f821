/* Loket back-office: keyboard shortcuts in the queue. Once a case's reference in the list has
 * the focus (Tab), "j" goes to the next case and "k" to the previous one; Enter opens it. The
 * keys act only while the focus is in the list (WCAG 2.1.4: no single-key shortcut elsewhere),
 * and never while typing. Without JavaScript, Tab does the same.
 */
(function () {
  "use strict";

  var table = document.querySelector("table.table-queue");
  if (!table) { return; }

  table.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.key !== "j" && event.key !== "k") { return; }
    var links = Array.prototype.slice.call(table.querySelectorAll("tbody td:nth-child(2) a"));
    var row = event.target.closest("tr");
    var current = row ? links.indexOf(row.querySelector("td:nth-child(2) a")) : -1;
    if (current < 0) { return; }
    var next = links[current + (event.key === "j" ? 1 : -1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });
})();
