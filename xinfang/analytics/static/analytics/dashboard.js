/* Analytics charts (Apache ECharts, served from this site). The figures come from the page's
   JSON data island (#analytics-data); clicking a bar or a slice opens the list of the cases
   behind it. No inline scripts or styles: the pages run under a strict CSP, so tooltips are
   drawn on the canvas (renderMode "richText") rather than as HTML. */
(function () {
  "use strict";
  var island = document.getElementById("analytics-data");
  var root = document.getElementById("analytics");
  if (!island || !root || !window.echarts) { return; }
  var data = JSON.parse(island.textContent);
  var caseList = root.getAttribute("data-case-list") || "";
  var labels = data.labels || {};
  var charts = [];
  var palette = ["#c8102e", "#627d98", "#2f855a", "#d69e2e", "#3182ce", "#805ad5",
                 "#dd6b20", "#319795", "#718096", "#b83280", "#2c5282", "#9c4221"];

  function make(id, option, links) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    option.color = palette;
    option.tooltip = Object.assign({ renderMode: "richText", confine: true }, option.tooltip || {});
    option.animation = false;
    chart.setOption(option);
    if (links && caseList) {
      chart.on("click", function (params) {
        var link = links[params.dataIndex];
        if (link) { window.location.assign(caseList + "?" + link); }
      });
      el.setAttribute("data-drill", "1");
    }
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
    return chart;
  }

  var t = data.trend;
  if (t && t.months && t.months.length) {
    make("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 48, top: 36, bottom: 28 },
      xAxis: { type: "category", data: t.months },
      yAxis: [{ type: "value", minInterval: 1 },
              { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: labels.registered, type: "bar", data: t.registered },
        { name: labels.answered, type: "bar", data: t.answered },
        { name: labels.onTime, type: "line", yAxisIndex: 1, connectNulls: true, data: t.onTime },
        { name: labels.timely, type: "line", yAxisIndex: 1, connectNulls: true, data: t.timely }
      ]
    }, t.links);
  }

  var towns = data.towns || [];
  if (towns.length) {
    make("chart-towns", {
      tooltip: { trigger: "item" },
      grid: { left: 110, right: 24, top: 12, bottom: 24 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: towns.map(function (r) { return r.name; }) },
      series: [{ name: labels.registered, type: "bar", data: towns.map(function (r) { return r.value; }) }]
    }, towns.map(function (r) { return r.link; }));
  }

  var cats = data.categories || [];
  if (cats.length) {
    make("chart-categories", {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { type: "scroll", bottom: 0 },
      series: [{ name: labels.registered, type: "pie", radius: ["35%", "65%"], top: -20,
                 data: cats.map(function (r) { return { name: r.name, value: r.value }; }) }]
    }, cats.map(function (r) { return r.link; }));
  }

  var ranking = (data.ranking || []).filter(function (r) { return r.value !== null; });
  if (ranking.length) {
    make("chart-ranking", {
      tooltip: { trigger: "item" },
      grid: { left: 120, right: 24, top: 12, bottom: 24 },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", inverse: true, data: ranking.map(function (r) { return r.name; }) },
      series: [{ name: labels.score, type: "bar", data: ranking.map(function (r) { return r.value; }) }]
    }, null);
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
