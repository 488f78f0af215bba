// Keeps the dashboard's upload progress bars current: polls the dashboard's own JSON while any upload runs.
(function () {
  const root = document.getElementById("uploads");
  if (!root) return;
  const list = root.querySelector("ul.uploads");
  const empty = root.querySelector("[data-empty]");
  const INTERVAL = 1500;

  function text(tag, className, value) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    element.textContent = value;
    return element;
  }

  function row(upload) {
    const item = document.createElement("li");
    item.dataset.upload = upload.id;
    item.append(
      text("span", "upload-name", "#" + upload.id + " " + upload.original_name),
      text("span", "upload-status", ""),
      Object.assign(document.createElement("progress"), { max: 100 }),
      text("span", "percent", ""),
      text("span", "muted", "")
    );
    item.children[1].dataset.field = "status";
    item.children[3].dataset.field = "percent";
    item.children[4].dataset.field = "rows";
    return item;
  }

  function render(uploads) {
    const seen = new Set();
    uploads.forEach(function (upload, index) {
      let item = list.querySelector('[data-upload="' + upload.id + '"]');
      if (!item) item = row(upload);
      if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
      item.querySelector("progress").value = upload.progress_percent;
      item.querySelector('[data-field="percent"]').textContent = upload.progress_percent + "%";
      item.querySelector('[data-field="status"]').textContent = upload.status_display + (upload.dry_run ? " (preview)" : "");
      item.querySelector('[data-field="rows"]').textContent =
        upload.rows_done + " / " + (upload.rows_total ?? "?") + " rows";
      seen.add(String(upload.id));
    });
    Array.from(list.children).forEach(function (item) {
      if (!seen.has(item.dataset.upload)) item.remove();
    });
    empty.hidden = uploads.length > 0;
  }

  async function poll() {
    let again = true;
    try {
      const response = await fetch(root.dataset.pollUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const data = await response.json();
        render(data.uploads);
        again = data.uploads.some(function (upload) { return upload.running; });
      }
    } catch (error) {
      // A missed poll is harmless: the next one catches up.
    }
    // Nothing running: look again now and then, in case someone starts an upload.
    window.setTimeout(poll, again ? INTERVAL : INTERVAL * 10);
  }
  window.setTimeout(poll, INTERVAL);
})();
