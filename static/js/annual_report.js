// The annual satisfaction report's charts: NPS and CSAT by family (the year and the year
// before), service-level attainment by case type, and the overall standings distribution.
// Data from the page's json_script ("report-chart-data"); labels from the canvases' data-*.
(function () {
  const dataNode = document.getElementById("report-chart-data");
  if (!dataNode || typeof Chart === "undefined") return;
  const data = JSON.parse(dataNode.textContent);
  const year = String(data.year);
  const before = String(data.previous_year);
  const options = (title, extra) =>
    Object.assign(
      {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" }, title: { display: true, text: title } },
      },
      extra || {},
    );

  const satisfaction = document.getElementById("report-satisfaction-chart");
  if (satisfaction) {
    const s = data.satisfaction;
    new Chart(satisfaction, {
      type: "bar",
      data: {
        labels: s.labels,
        datasets: [
          { label: satisfaction.dataset.npsLabel + " " + year, data: s.nps, backgroundColor: "#0d6efd" },
          { label: satisfaction.dataset.npsLabel + " " + before, data: s.nps_before, backgroundColor: "#9ec5fe" },
          { label: satisfaction.dataset.csatLabel + " " + year, data: s.csat, backgroundColor: "#198754" },
          { label: satisfaction.dataset.csatLabel + " " + before, data: s.csat_before, backgroundColor: "#a3cfbb" },
        ],
      },
      options: options(satisfaction.dataset.title, { scales: { y: { min: -100, max: 100 } } }),
    });
  }

  const cases = document.getElementById("report-cases-chart");
  if (cases) {
    new Chart(cases, {
      type: "bar",
      data: {
        labels: data.cases.labels,
        datasets: [
          { label: cases.dataset.responseLabel, data: data.cases.response, backgroundColor: "#6f42c1" },
          { label: cases.dataset.resolutionLabel, data: data.cases.resolution, backgroundColor: "#fd7e14" },
        ],
      },
      options: options(cases.dataset.title, { scales: { y: { min: 0, max: 100 } } }),
    });
  }

  const standings = document.getElementById("report-standings-chart");
  if (standings) {
    new Chart(standings, {
      type: "bar",
      data: {
        labels: data.standings.labels,
        datasets: [
          { label: year, data: data.standings.values, backgroundColor: "#0d6efd" },
          { label: before, data: data.standings.before, backgroundColor: "#9ec5fe" },
        ],
      },
      options: options(standings.dataset.title),
    });
  }
})();
