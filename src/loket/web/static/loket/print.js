// A "Print" button: shown only where scripts run (the page says how to print otherwise).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
