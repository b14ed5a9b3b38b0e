// The dashboard's two charts, drawn by Chart.js (served from /static/vendor/chartjs) from the
// figures the page carries in <script type="application/json" id="dashboard-charts">. Nothing is
// counted here: the server's roll-up counted every figure. Without scripts, the tables say it all.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("dashboard-charts");
  if (!window.Chart || !source) return;
  const data = JSON.parse(source.textContent);
  const ink = "#1d1d1f";
  const ok = "#1b7a3d";
  const warn = "#8f4a00";
  const grid = "#d9d9e0";
  const percent = (value) => `${String(value).replace(".", ",")}%`;
  const rate = (value) => (value === null ? "–" : percent(value.toFixed(data.precision)));
  window.Chart.defaults.color = ink;
  window.Chart.defaults.font.size = 13;
  window.Chart.defaults.animation = false;  // a cheap phone draws once, and print gets the full chart
  const scale = { min: 0, max: 100, grid: { color: grid }, ticks: { callback: percent } };
  // The target, drawn across the chart: a vertical line on the bars, a horizontal one on progress.
  const targetLine = (axis) => ({
    id: "targetLine",
    afterDatasetsDraw(chart) {
      if (data.target === null) return;
      const { ctx, chartArea: area } = chart;
      const at = chart.scales[axis].getPixelForValue(data.target);
      ctx.save();
      ctx.strokeStyle = ink;
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      if (axis === "x") { ctx.moveTo(at, area.top); ctx.lineTo(at, area.bottom); }
      else { ctx.moveTo(area.left, at); ctx.lineTo(area.right, at); }
      ctx.stroke();
      ctx.restore();
    },
  });

  // A long unit name on two or three short lines, so that the bars keep most of a phone's width.
  const wrap = (name, width = 16) => name.split(" ").reduce((lines, word) => {
    const last = lines[lines.length - 1];
    if (last && (last + " " + word).length <= width) lines[lines.length - 1] = last + " " + word;
    else lines.push(word);
    return lines;
  }, []);

  const bars = document.getElementById("coverage-canvas");
  if (bars && data.units.length) {
    // One row a unit, tall enough to tap and read its name.
    bars.parentElement.style.height = `${data.units.length * 48 + 48}px`;
    new window.Chart(bars, {
      type: "bar",
      data: {
        labels: data.units.map((unit) => wrap(unit.name)),
        datasets: [{
          label: bars.dataset.labelRate,
          data: data.units.map((unit) => (unit.rate === null ? 0 : unit.rate)),
          backgroundColor: data.units.map((unit) => (unit.below ? warn : ok)),
          barThickness: 18,
        }],
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: { x: scale, y: { grid: { display: false }, ticks: { autoSkip: false } } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => data.units[items[0].dataIndex].name,
              label: (item) => {
                const unit = data.units[item.dataIndex];
                return unit.rate === null ? bars.dataset.labelNone : rate(unit.rate);
              },
            },
          },
        },
      },
      plugins: [targetLine("x")],
    });
  }

  const line = document.getElementById("progress-canvas");
  if (line && data.progress.length > 1) {
    new window.Chart(line, {
      type: "line",
      data: {
        labels: data.progress.map((point) => point.day.slice(0, 5)),
        datasets: [{
          label: line.dataset.labelRate,
          data: data.progress.map((point) => point.rate),
          borderColor: ok,
          backgroundColor: ok,
          pointRadius: 3,
          spanGaps: true,
        }],
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: scale, x: { grid: { color: grid }, ticks: { maxRotation: 0, autoSkipPadding: 12 } } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => data.progress[items[0].dataIndex].day,
              label: (item) => rate(item.raw),
            },
          },
        },
      },
      plugins: [targetLine("y")],
    });
  }
});
