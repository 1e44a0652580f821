/* Loket: copy buttons beside a transfer's details (IBAN, amount, structured communication).
 * The buttons are in the page, hidden; this script shows them where the browser can copy. A
 * press copies the value (the IBAN without spaces) and says so in the status line, for screen
 * readers too. Without JavaScript the details stay text to select and copy.
 */
(function () {
  "use strict";

  var status = document.querySelector("[data-copy-status]");
  var buttons = document.querySelectorAll("[data-copy-target]");
  if (!status || !buttons.length || !navigator.clipboard) { return; }

  function say(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  Array.prototype.forEach.call(buttons, function (button) {
    var value = document.getElementById(button.getAttribute("data-copy-target"));
    if (!value) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = (value.getAttribute("data-copy") || value.textContent).replace(/\s+/g, " ").trim();
      if (value.id === "value-iban") { text = text.replace(/ /g, ""); }
      navigator.clipboard.writeText(text).then(
        function () { say(status.getAttribute("data-copied")); },
        function () {
          window.getSelection().selectAllChildren(value);
          say(status.getAttribute("data-failed"));
        }
      );
    });
  });
}());
