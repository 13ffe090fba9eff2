// Forum enhancements: copy a post's link, quote the words selected in a post, keep drafts
// on the server as members type (retrying while the server is away), count towards a
// post's size limit, put the cursor in the reply box, close a post's "More" menu. Without
// JavaScript every one of these is a plain link or form that still works (Quote then quotes
// the whole post). Its words come from the page's JavaScript catalogue (gettext,
// interpolate: docs/translating.md), loaded before it.
"use strict";

(function () {
  const DRAFT_DELAY_MS = 2000;
  const RETRY_FIRST_MS = 5000;
  const RETRY_LONGEST_MS = 60000;

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
    // data-permalink carries SITE_URL when the operator set one; otherwise the link as
    // the browser completes it, with this page's own address.
    const permalink = link.dataset.permalink || link.href;
    event.preventDefault();
    let copied = false;
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(permalink); copied = true; } catch (error) { copied = false; }
    }
    if (!copied) copied = copyWithTextarea(permalink);
    if (copied) window.hearth.showToast(gettext("Link copied to your clipboard."));
    else window.location.href = link.href;
  });

  // Quote: with words selected inside the post's text, quote just those. They are posted,
  // not put in the address, so they stay out of history and logs; the server checks they
  // are the post's words. Pressing the link may clear the selection before the click, so
  // it is read as the pointer goes down.
  function selectedTextIn(article) {
    const body = article && article.querySelector(".post__body");
    const selection = window.getSelection();
    if (!body || !selection || selection.isCollapsed || !selection.rangeCount) return "";
    for (let index = 0; index < selection.rangeCount; index += 1) {
      if (!body.contains(selection.getRangeAt(index).commonAncestorContainer)) return "";
    }
    return selection.toString().trim();
  }

  let pressedQuote = null;
  document.addEventListener("pointerdown", (event) => {
    const link = event.target.closest && event.target.closest("a.quote-link");
    pressedQuote = link ? { link, text: selectedTextIn(link.closest("article.post")) } : null;
  }, true);

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.quote-link");
    if (!link) return;
    const text = pressedQuote && pressedQuote.link === link
      ? pressedQuote.text
      : selectedTextIn(link.closest("article.post"));
    pressedQuote = null;
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!text || !token) return;  // the link quotes the whole post
    event.preventDefault();
    const form = document.createElement("form");
    form.method = "post";
    form.action = link.href;
    form.hidden = true;
    for (const [name, value] of [["csrfmiddlewaretoken", token.value], ["selection", text]]) {
      const field = document.createElement("input");
      field.type = "hidden";
      field.name = name;
      field.value = value;
      form.appendChild(field);
    }
    document.body.appendChild(form);
    form.submit();
  });

  // Near the size limit the composer says how much is left, before the server has to.
  function setupSizeCounter(form) {
    const limit = Number(form.dataset.maxBytes);
    const body = form.querySelector("textarea[name=body]");
    const status = form.querySelector("[data-size-status]");
    if (!limit || !body || !status) return;
    const encoder = new TextEncoder();
    let shown = null;
    function update() {
      const used = encoder.encode(body.value).length;
      if (used < limit * 0.75) { status.hidden = true; shown = null; return; }
      const kilobytes = Math.ceil(used / 1024);
      if (kilobytes === shown) return;  // announce whole kilobytes, not every keystroke
      shown = kilobytes;
      status.hidden = false;
      const sizes = {
        used: window.hearth.formatNumber(kilobytes),
        limit: window.hearth.formatNumber(limit / 1024),
      };
      status.textContent = used > limit
        // Translators: the size of the post being written, in kilobytes, and the most a post may hold.
        ? interpolate(gettext("This is %(used)s KB, over the %(limit)s KB a post can hold: please split it into two posts."), sizes, true)
        // Translators: the size of the post being written, in kilobytes, and the most a post may hold.
        : interpolate(gettext("%(used)s KB of the %(limit)s KB a post can hold."), sizes, true);
    }
    body.addEventListener("input", update);
    update();
  }

  // The composer's data-draft-url says where its draft goes: the forum's one address
  // (the thread or category fields say which draft), or a conversation's own.
  function setupDraft(form) {
    const url = form.dataset.draftUrl;
    const status = form.querySelector("[data-draft-status]");
    if (!url || !status) return;
    let timer = null;
    let lastSent = null;
    let retryDelay = RETRY_FIRST_MS;
    let sending = false;

    async function save() {
      const data = new FormData(form);
      const snapshot = `${data.get("title") || ""}\u0000${data.get("body") || ""}`;
      if (snapshot === lastSent) return;
      const body = new URLSearchParams();
      for (const name of ["csrfmiddlewaretoken", "thread", "category", "post", "base_revision", "title", "body"]) {
        if (data.has(name)) body.append(name, data.get(name));
      }
      try {
        const response = await fetch(url, {
          method: "POST", body, credentials: "same-origin", redirect: "manual",
          headers: { "X-Requested-With": "fetch" },
        });
        if (response.type === "opaqueredirect" || response.status === 302 || response.status === 403) {
          status.textContent = gettext("You seem to be signed out, so this draft could not be saved. Your text is still here: copy it before signing in again.");
          return;
        }
        if (response.status >= 500 || response.status === 429) {
          retryLater();
          return;
        }
        if (response.status === 404) {  // the thread or conversation is no longer open to them
          status.textContent = gettext("This draft can no longer be saved here. Your text is still here: copy it if you want to keep it.");
          return;
        }
        // The server's answer is in the member's language; it says why, or that it saved.
        status.textContent = await response.text() || (response.ok ? "" : gettext("The draft could not be saved."));
        if (response.ok) { lastSent = snapshot; retryDelay = RETRY_FIRST_MS; }
      } catch (error) {
        retryLater();
      }
    }

    // The server or the connection is away: keep the text here and keep trying.
    function retryLater() {
      status.textContent = gettext("Not saved — we'll keep trying. Your text is still here.");
      window.clearTimeout(timer);
      timer = window.setTimeout(save, retryDelay);
      retryDelay = Math.min(retryDelay * 2, RETRY_LONGEST_MS);
    }

    form.addEventListener("input", () => {
      sending = false;
      window.clearTimeout(timer);
      timer = window.setTimeout(save, DRAFT_DELAY_MS);
    });
    // Sending removes the draft on the server: a save still waiting must not bring it back
    // as the page goes.
    form.addEventListener("submit", () => { sending = true; window.clearTimeout(timer); timer = null; });
    // Leaving the page right after typing still saves.
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden" && timer && !sending) { window.clearTimeout(timer); save(); }
    });
  }

  // "Reply" at the top of a thread: the link alone scrolls to the reply box; with this,
  // the cursor is in it, ready to write.
  document.addEventListener("click", (event) => {
    const link = event.target.closest(".thread-reply-jump a[href='#reply']");
    const field = link && document.querySelector("#reply textarea[name=body]");
    if (!field) return;
    event.preventDefault();
    history.replaceState(null, "", "#reply");
    field.focus();
  });

  // A post's "More" menu is a <details>: it opens and closes without this. Here it also
  // closes on Escape (focus back on its button) and on a click anywhere else, and only
  // one is open at a time.
  function closeMenus(except) {
    document.querySelectorAll("details.post-menu[open]").forEach((menu) => {
      if (menu !== except) menu.open = false;
    });
  }
  document.addEventListener("click", (event) => {
    closeMenus(event.target.closest && event.target.closest("details.post-menu"));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const menu = event.target.closest && event.target.closest("details.post-menu[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });

  document.querySelectorAll("form.composer[data-draft-url]").forEach(setupDraft);
  document.querySelectorAll("form.composer[data-max-bytes]").forEach(setupSizeCounter);
})();
