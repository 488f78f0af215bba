// Keeps an upload's progress bar and counts current while it runs, then reloads the page once.
(function () {
  const root = document.getElementById("upload");
  if (!root || root.dataset.running !== "1") return;
  const bar = root.querySelector("progress");
  const rows = root.querySelector('[data-field="rows"]');
  const status = root.querySelector('[data-field="status"]');

  async function poll() {
    try {
      const response = await fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const upload = await response.json();
        bar.value = upload.progress_percent;
        bar.nextElementSibling.textContent = upload.progress_percent + "%";
        rows.textContent = upload.rows_done + " / " + (upload.rows_total ?? "?");
        status.textContent = upload.status_display;
        if (!upload.running) {  // the server says which statuses are running: the page reloads once it is done
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A missed poll is harmless: the next one catches up.
    }
    window.setTimeout(poll, 1500);
  }
  window.setTimeout(poll, 1000);
})();
