// Forum enhancements: copy a post's link, keep drafts on the server as members type.
// Without JavaScript every one of these is a plain link or form that still works.
"use strict";

(function () {
  const COPIED = "Link copied to your clipboard.";
  const DRAFT_DELAY_MS = 2000;

  function copyWithTextarea(text) {
    const field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    let copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    field.remove();
    return copied;
  }

  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a.copy-link");
    if (!link) return;
    const permalink = link.dataset.permalink || link.href;
    event.preventDefault();
    let copied = false;
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(permalink); copied = true; } catch (error) { copied = false; }
    }
    if (!copied) copied = copyWithTextarea(permalink);
    if (copied) window.hearth.showToast(COPIED);
    else window.location.href = link.href;
  });

  function setupDraft(form) {
    const url = form.dataset.draftUrl;
    const status = form.querySelector("[data-draft-status]");
    if (!url || !status) return;
    let timer = null;
    let lastSent = null;

    async function save() {
      const data = new FormData(form);
      const snapshot = `${data.get("title") || ""}\u0000${data.get("body") || ""}`;
      if (snapshot === lastSent) return;
      const body = new URLSearchParams();
      for (const name of ["csrfmiddlewaretoken", "thread", "category", "title", "body"]) {
        if (data.has(name)) body.append(name, data.get(name));
      }
      try {
        const response = await fetch(url, {
          method: "POST", body, credentials: "same-origin", redirect: "manual",
          headers: { "X-Requested-With": "fetch" },
        });
        if (response.type === "opaqueredirect" || response.status === 302 || response.status === 403) {
          status.textContent = "You seem to be signed out, so this draft could not be saved. Your text is still here: copy it before signing in again.";
          return;
        }
        status.textContent = response.ok ? await response.text() : await response.text() || "The draft could not be saved.";
        if (response.ok) lastSent = snapshot;
      } catch (error) {
        status.textContent = "The draft could not be saved just now; we'll try again as you type.";
      }
    }

    form.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DRAFT_DELAY_MS);
    });
    // Leaving the page right after typing still saves.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && timer) { window.clearTimeout(timer); save(); }
    });
  }

  document.querySelectorAll("form.composer[data-draft-url]").forEach(setupDraft);
})();
