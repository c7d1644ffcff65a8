// Satisfaction results: NPS and CSAT (left axis, −100…100) and CES (right axis, 1…7) by quarter.
// The data comes from the page's json_script ("survey-trend-data"), the labels from the canvas.
(function () {
  const canvas = document.getElementById("survey-trend-chart");
  const dataNode = document.getElementById("survey-trend-data");
  if (!canvas || !dataNode || typeof Chart === "undefined") return;
  const data = JSON.parse(dataNode.textContent);
  const line = (label, values, color, axis, dash) => ({
    label: label,
    data: values,
    borderColor: color,
    backgroundColor: color,
    yAxisID: axis,
    borderDash: dash || [],
    spanGaps: true,
    tension: 0.2,
  });
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        line(canvas.dataset.npsLabel, data.nps, "#0d6efd", "y"),
        line(canvas.dataset.csatLabel, data.csat, "#198754", "y"),
        line(canvas.dataset.cesLabel, data.ces, "#fd7e14", "ces", [6, 4]),
      ],
    },
    options: {
      animation: false,
      scales: {
        y: { min: -100, max: 100, position: "left" },
        ces: { min: 1, max: 7, position: "right", grid: { drawOnChartArea: false } },
      },
      plugins: { legend: { position: "bottom" } },
    },
  });
})();
