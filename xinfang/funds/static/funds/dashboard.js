/* Fund dashboard charts (Apache ECharts, served from this site by xinfang/analytics). The
   figures come from the page's JSON data island (#funds-data); no inline scripts or styles
   (strict CSP), so tooltips are drawn on the canvas (renderMode "richText"). */
(function () {
  "use strict";
  var island = document.getElementById("funds-data");
  var names = document.getElementById("funds-labels");
  if (!island || !names || !window.echarts) { return; }
  var data = JSON.parse(island.textContent);
  var label = function (k) { return names.getAttribute("data-" + k) || k; };
  var charts = [];

  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    option.animation = false;
    option.tooltip = Object.assign({ renderMode: "richText", confine: true, trigger: "axis" }, option.tooltip || {});
    chart.setOption(option);
    el.setAttribute("data-rendered", "1");
    charts.push(chart);
  }

  (data.projects || []).forEach(function (p) {
    if (p.lines.length) {
      make("chart-money-" + p.id, {
        color: ["#627d98", "#2f855a", "#d69e2e"],
        legend: { top: 0 },
        grid: { left: 56, right: 16, top: 36, bottom: 48 },
        xAxis: { type: "category", data: p.lines, axisLabel: { interval: 0, rotate: 20 } },
        yAxis: { type: "value" },
        series: [
          { name: label("budget"), type: "bar", data: p.budget },
          { name: label("spent"), type: "bar", data: p.spent },
          { name: label("forecast"), type: "line", data: p.forecast }
        ]
      });
    }
    if (p.indicators.length) {
      make("chart-targets-" + p.id, {
        grid: { left: 150, right: 24, top: 16, bottom: 24 },
        xAxis: { type: "value", min: 0, max: 150, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", inverse: true, data: p.indicators },
        series: [{
          name: label("progress"), type: "bar",
          data: p.progress.map(function (v, i) {
            return { value: v, itemStyle: { color: p.miss[i] ? "#c8102e" : "#2f855a" } };
          }),
          markLine: { symbol: "none", silent: true, data: [{ xAxis: 100 }] }
        }]
      });
    }
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
