/* Hotline import page: poll the job's counters and move the progress bars (no inline
   scripts: the pages run under a CSP). Reloads once at the end to show the rejected rows. */
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.dataset.finished === "1") { return; }
  var url = box.dataset.url;
  function set(name, value) {
    box.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
      el.textContent = value === null || value === undefined ? "?" : value;
    });
  }
  function bar(name, value, max) {
    var el = box.querySelector('[data-bar="' + name + '"]');
    if (el) { el.max = max || 1; el.value = value || 0; }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        ["state_label", "rows_done", "total_rows", "imported", "duplicates", "rejected",
         "registered", "to_register", "registration_failed", "message"].forEach(function (k) { set(k, p[k]); });
        bar("rows", p.rows_done, p.total_rows);
        bar("cases", p.registered + p.registration_failed, p.to_register);
        var resume = box.querySelector('[data-show-if="resumable"]');
        if (resume) { resume.hidden = !p.resumable; }
        if (p.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
