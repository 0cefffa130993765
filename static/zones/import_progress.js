// Import page: poll the job's row while it runs and move the progress bar; reload when it ends.
(function () {
  "use strict";
  const job = document.getElementById("import-job");
  if (!job || !["planning", "applying"].includes(job.dataset.status)) return;
  const progress = job.querySelector("progress");
  const poll = async () => {
    const response = await fetch(job.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    const answer = await response.json();
    if (answer.status !== job.dataset.status) { window.location.reload(); return; }
    progress.value = answer.percent;
    progress.textContent = answer.percent + "%";
    job.querySelector("[data-done]").textContent = answer.done;
    job.querySelector("[data-total]").textContent = answer.total;
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
})();
