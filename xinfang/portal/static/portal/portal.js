/* Citizen portal behaviours (no inline scripts: the pages run under a CSP). */
(function () {
  "use strict";
  // Print or save the receipt with the case number and query code.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Copy the case number and query code.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!navigator.clipboard) { return; }
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = button.getAttribute("data-copied-label") || button.textContent;
      }, function () {});
    });
  });
  // Move the focus to the error summary so screen readers and small screens show it first.
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
  // One submission only: a second tap on a slow mobile connection does not send it twice.
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button) { return; }
      window.setTimeout(function () {
        button.disabled = true;
        var busy = button.getAttribute("data-busy-label");
        if (busy) { button.textContent = busy; }
      }, 0);
    });
  });
})();
