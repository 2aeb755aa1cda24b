/* Routing suggestions on the registration form: as the clerk types the title and content, ask
   /routing/suggest/ for the likely categories (with the unit that usually handles them and a
   confidence) and for earlier related cases (same person, same or near-identical matter).
   Progressive enhancement: without JavaScript the form works as before. Personal identifiers
   travel in a POST body, never in the URL. No HTML is built from the answer (textContent). */
(function () {
  "use strict";
  var FIELDS = ["title", "content", "name", "phone", "id_number", "division"];

  function percent(p) {
    // A calibrated 0.998 is not certainty: never show 100 % or 0 %.
    if (p >= 0.995) { return ">99%"; }
    if (p < 0.01) { return "<1%"; }
    return Math.round(p * 100) + "%";
  }

  function field(form, name) { return form.querySelector("[name='" + name + "']"); }

  function item(list, text, cls) {
    var li = document.createElement("li");
    if (cls) { li.className = cls; }
    if (text) { li.textContent = text; }
    list.appendChild(li);
    return li;
  }

  function renderCategories(panel, form, suggestions) {
    var list = panel.querySelector("[data-routing-categories]");
    var select = field(form, "category");
    list.textContent = "";
    suggestions.forEach(function (s, index) {
      var li = item(list, "", index === 0 ? "first" : "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "routing-choice";
      button.setAttribute("data-category", s.category ? s.category.id : "");
      button.title = panel.getAttribute("data-label-choose") || "";
      button.textContent = s.label + " · " + percent(s.confidence);
      button.disabled = !s.category || !select;
      button.addEventListener("click", function () {
        select.value = String(s.category.id);
        select.dispatchEvent(new Event("change", { bubbles: true }));
        list.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", b === button ? "true" : "false"); });
      });
      li.appendChild(button);
      if (s.unit) {
        var unit = document.createElement("span");
        unit.className = "routing-unit";
        unit.textContent = " " + (panel.getAttribute("data-label-unit") || "") + " " + s.unit.name;
        li.appendChild(unit);
      }
    });
  }

  function renderStatus(panel, status) {
    var note = panel.querySelector("[data-routing-status]");
    var text = status === "training" ? panel.getAttribute("data-label-training")
      : status === "unavailable" ? panel.getAttribute("data-label-unavailable") : "";
    note.textContent = text || "";
    note.hidden = !text;
  }

  function renderSimilar(panel, similar) {
    var list = panel.querySelector("[data-routing-similar]");
    list.textContent = "";
    if (!similar.length) { item(list, panel.getAttribute("data-label-none") || "", "hint"); return; }
    similar.forEach(function (c) {
      var li = item(list, "", "routing-" + c.reason);
      var link = document.createElement("a");
      link.href = c.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.className = "mono";
      link.textContent = c.number;
      li.appendChild(link);
      li.appendChild(document.createTextNode(" " + c.title + " (" + c.received_on + ", " + c.status_label + ") — " + c.reason_label + " · " + Math.round(c.similarity * 100) + "%"));
    });
  }

  function enhance(panel) {
    var form = panel.closest("form") || document.querySelector("form");
    if (!form) { return; }
    var url = panel.getAttribute("data-url");
    var timer = null;
    var seq = 0;
    function ask() {
      var title = field(form, "title"), content = field(form, "content");
      if (!title || !content || (title.value + content.value).trim().length < 4) { panel.hidden = true; return; }
      var body = new FormData();
      var token = field(form, "csrfmiddlewaretoken");
      if (token) { body.append("csrfmiddlewaretoken", token.value); }
      FIELDS.forEach(function (name) { var f = field(form, name); if (f) { body.append(name, f.value); } });
      var mine = ++seq;
      fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          if (mine !== seq) { return; }  // an older answer arriving late
          renderStatus(panel, data.model_status);
          renderCategories(panel, form, data.suggestions || []);
          renderSimilar(panel, data.similar || []);
          if (data.model_status === "training") { clearTimeout(timer); timer = setTimeout(ask, 15000); }
          panel.hidden = false;
          panel.setAttribute("data-ready", String(mine));
        })
        .catch(function () { /* suggestions are optional: the form works without them */ });
    }
    function later() { clearTimeout(timer); timer = setTimeout(ask, 400); }
    FIELDS.forEach(function (name) {
      var f = field(form, name);
      if (f) { f.addEventListener("input", later); f.addEventListener("change", later); }
    });
    later();
  }

  function start() { document.querySelectorAll("[data-routing-suggest]").forEach(enhance); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
