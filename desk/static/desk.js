// The desk's only script: drag-and-drop upload, progress that follows a running check, select-all.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const drop = document.getElementById("drop");
  const input = document.getElementById("batches");
  if (drop && input) {
    const chosen = document.getElementById("chosen");
    const show = () => {
      chosen.textContent = Array.from(input.files).map((f) => f.name).join("、");
    };
    input.addEventListener("change", show);
    ["dragenter", "dragover"].forEach((type) => drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    }));
    ["dragleave", "drop"].forEach((type) => drop.addEventListener(type, () => drop.classList.remove("over")));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      input.files = event.dataTransfer.files;
      show();
      document.getElementById("upload").submit();  // dropping the files is the clerk's "start"
    });
  }

  // Each running batch asks the server how far it is; when one ends, the page shows its result.
  document.querySelectorAll("[data-progress-url]").forEach((card) => {
    const state = card.querySelector(".state");
    const poll = async () => {
      try {
        const response = await fetch(card.dataset.progressUrl, { headers: { Accept: "application/json" } });
        if (response.ok) {
          const progress = await response.json();
          if (progress.status === "done" || progress.status === "failed") {
            window.location.reload();
            return;
          }
          if (progress.status === "running") {
            state.textContent = `${progress.phase}:已处理 ${progress.rows} 行`;
          }
        }
      } catch (error) {
        state.textContent = "暂时连不上服务,稍后自动重试…";
      }
      setTimeout(poll, 500);
    };
    setTimeout(poll, 300);
  });

  // A file field in Chinese whatever the browser's own language ("Choose Files" otherwise):
  // the native control stays (hidden from sight only) and a button opens it.
  document.querySelectorAll('input[type="file"]').forEach((field) => {
    field.classList.add("file-hidden");
    if (field.closest(".drop")) {
      return;  // the drop zone itself says what to do and lists what was chosen
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = "选择文件";
    const chosen = document.createElement("span");
    chosen.className = "chosen";
    chosen.textContent = "未选择文件";
    field.after(button, chosen);
    button.addEventListener("click", () => field.click());
    field.addEventListener("change", () => {
      chosen.textContent = Array.from(field.files).map((f) => f.name).join("、") || "未选择文件";
    });
  });

  const all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", () => {
      document.querySelectorAll('#notices input[name="id"]').forEach((box) => { box.checked = all.checked; });
    });
  }
});
