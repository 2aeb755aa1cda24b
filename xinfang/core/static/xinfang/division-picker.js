/* Division picker: turns a <select data-division-picker> of all divisions into county → town →
   village selects. Progressive enhancement: without JavaScript the plain select still works.
   Data comes from /org/divisions.json (served by this site; nothing external). */
(function () {
  "use strict";
  function option(value, label) {
    var o = document.createElement("option");
    o.value = value; o.textContent = label; return o;
  }
  function enhance(select) {
    var url = select.getAttribute("data-source") || "/org/divisions.json";
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var byParent = {};
      data.divisions.forEach(function (d) { (byParent[d.parent] = byParent[d.parent] || []).push(d); });
      var county = data.divisions.filter(function (d) { return d.level === "county"; })[0];
      if (!county) { return; }
      var wrap = document.createElement("div");
      wrap.className = "division-picker";
      var town = document.createElement("select");
      var village = document.createElement("select");
      town.setAttribute("aria-label", select.getAttribute("data-town-label") || "Town");
      village.setAttribute("aria-label", select.getAttribute("data-village-label") || "Village");
      town.appendChild(option(county.id, county.name + " —"));
      (byParent[county.id] || []).forEach(function (d) { town.appendChild(option(d.id, d.name)); });
      function fillVillages() {
        village.innerHTML = "";
        village.appendChild(option(town.value, "—"));
        (byParent[town.value] || []).forEach(function (d) { village.appendChild(option(d.id, d.name)); });
        village.disabled = !(byParent[town.value] || []).length;
        select.value = village.value || town.value;
      }
      town.addEventListener("change", fillVillages);
      village.addEventListener("change", function () { select.value = village.value || town.value; });
      var current = data.divisions.filter(function (d) { return String(d.id) === select.value; })[0];
      if (current && current.level === "village") { town.value = current.parent; }
      else if (current) { town.value = current.id; }
      fillVillages();
      if (current && current.level === "village") { village.value = current.id; select.value = current.id; }
      wrap.appendChild(town); wrap.appendChild(village);
      select.style.display = "none";
      select.parentNode.insertBefore(wrap, select.nextSibling);
    });
  }
  document.querySelectorAll("select[data-division-picker]").forEach(enhance);
})();
