// Import job page: polls the job's status every second and moves the progress bar; when the job
// has finished, reloads the page, which then shows the counts or the problems. Without JavaScript
// the page offers a refresh link instead.
(() => {
  "use strict";
  const box = document.getElementById("job-progress");
  if (!box) return;
  const bar = document.getElementById("job-bar");
  const rows = document.getElementById("job-rows");
  const status = document.getElementById("job-status");
  const waiting = document.getElementById("job-waiting");
  const stalled = document.getElementById("job-stalled"); // no job runner took the job for a minute
  const numbers = new Intl.NumberFormat("vi-VN");
  const rowsText = box.dataset.rowsText || "{done} / {total}";
  let failures = 0;

  function show(data) {
    if (data.total > 0) {
      bar.max = data.total;
      bar.value = data.done;
    } else {
      bar.removeAttribute("value"); // indeterminate until the rows are counted
    }
    rows.textContent = rowsText
      .replace("{done}", numbers.format(data.done))
      .replace("{total}", numbers.format(data.total));
    if (status) status.textContent = data.status_label;
    if (waiting) waiting.hidden = data.status !== "queued";
    if (stalled) stalled.hidden = !data.stalled;
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      failures = 0;
      show(data);
      if (data.finished) {
        window.location.reload();
        return;
      }
    } catch (error) {
      failures += 1; // the server may be busy writing; keep trying, more slowly
    }
    window.setTimeout(poll, Math.min(1000 * (1 + failures), 10000));
  }

  window.setTimeout(poll, 1000);
})();
