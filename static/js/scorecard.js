// Trend chart of a supplier scorecard: period score and overall score per period.
(function () {
  const canvas = document.getElementById("trend-chart");
  const dataNode = document.getElementById("trend-data");
  if (!canvas || !dataNode || typeof Chart === "undefined") return;
  const data = JSON.parse(dataNode.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: canvas.dataset.periodLabel, data: data.scores, borderColor: "#0d6efd", spanGaps: true, tension: 0.2 },
        { label: canvas.dataset.overallLabel, data: data.overall, borderColor: "#198754", borderDash: [6, 4], spanGaps: true, tension: 0.2 },
      ],
    },
    options: { animation: false, scales: { y: { min: 0, max: 100 } }, plugins: { legend: { position: "bottom" } } },
  });
})();
