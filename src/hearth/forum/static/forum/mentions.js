// @mention suggestions in the composer. Typing "@fe" asks the server which members who
// can see this thread (or category) have a name starting "fe", and shows them as a
// listbox under the text: Up/Down move, Enter or Tab inserts "@username ", Escape closes,
// a click chooses. Without JavaScript, typing @name mentions exactly as before.
"use strict";

(function () {
  const DELAY_MS = 200;
  // The "@name" just before the caret, starting a word as the server's mention rule wants.
  const TYPED_MENTION = /(?:^|[\s([{"'\u201c\u2018\u00ab])@([\p{L}\p{N}_.+-]{1,150})$/u;
  const EDITING_KEYS = new Set(["ArrowLeft", "ArrowRight", "Home", "End"]);
  let composers = 0;

  function setup(form) {
    const url = form.dataset.mentionableUrl;
    const body = form.querySelector("textarea[name=body]");
    if (!url || !body) return;
    const listId = `mention-options-${++composers}`;
    const list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-options";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    body.after(list, status);
    body.setAttribute("aria-autocomplete", "list");
    body.setAttribute("aria-controls", listId);

    let timer = null;
    let request = null;
    let active = -1;
    let dismissedAt = null;  // where the @ was when Escape closed its suggestions

    function typedMention() {
      if (body.selectionStart !== body.selectionEnd) return null;
      const before = body.value.slice(0, body.selectionStart);
      const match = TYPED_MENTION.exec(before);
      if (!match) return null;
      return { start: before.length - match[1].length - 1, prefix: match[1] };
    }

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function activate(index) {
      options().forEach((option, each) => option.setAttribute("aria-selected", String(each === index)));
      active = index;
      if (index < 0) {
        body.removeAttribute("aria-activedescendant");
      } else {
        body.setAttribute("aria-activedescendant", options()[index].id);
        options()[index].scrollIntoView({ block: "nearest" });
      }
    }

    function close() {
      window.clearTimeout(timer);
      if (request) request.abort();
      list.hidden = true;
      list.replaceChildren();
      activate(-1);
    }

    function show(fragment) {
      const found = [...fragment.querySelectorAll("[role=option]")];
      found.forEach((option, index) => { option.id = `${listId}-${index}`; });
      list.setAttribute("aria-label", fragment.querySelector("[role=listbox]")?.getAttribute("aria-label") || "");
      list.replaceChildren(...found);
      list.hidden = found.length === 0;
      status.textContent = fragment.querySelector("[data-announcement]")?.dataset.announcement || "";
      activate(found.length ? 0 : -1);
    }

    async function lookUp(prefix) {
      if (request) request.abort();
      request = new AbortController();
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(prefix)}`, {
          credentials: "same-origin", signal: request.signal,
          headers: { "X-Requested-With": "fetch" },
        });
        if (!response.ok) { close(); return; }
        const fragment = new DOMParser().parseFromString(await response.text(), "text/html");
        if (typedMention()?.prefix === prefix) show(fragment);  // else typed on meanwhile
      } catch (error) {
        // Aborted by newer typing, or offline: no suggestions, and typing goes on.
      }
    }

    function choose(option) {
      const mention = typedMention();
      if (mention) {
        body.setRangeText(`@${option.dataset.username} `, mention.start, body.selectionStart, "end");
        // Tell the draft saver and the size counter, as typing would.
        body.dispatchEvent(new Event("input", { bubbles: true }));
      }
      close();
      body.focus();
    }

    body.addEventListener("input", () => {
      const mention = typedMention();
      if (!mention || mention.start === dismissedAt) {
        if (!mention) dismissedAt = null;
        close();
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(() => lookUp(mention.prefix), DELAY_MS);
    });

    body.addEventListener("keydown", (event) => {
      if (list.hidden || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
      const count = options().length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        activate((active + (event.key === "ArrowDown" ? 1 : count - 1)) % count);
      } else if ((event.key === "Enter" || (event.key === "Tab" && !event.shiftKey)) && active >= 0) {
        event.preventDefault();
        choose(options()[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        dismissedAt = typedMention()?.start ?? null;
        close();
      } else if (EDITING_KEYS.has(event.key)) {
        close();
      }
    });

    body.addEventListener("blur", close);
    body.addEventListener("click", close);
    // Keep the focus in the text box while an option is clicked.
    list.addEventListener("mousedown", (event) => event.preventDefault());
    list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) choose(option);
    });
  }

  document.querySelectorAll("form.composer[data-mentionable-url]").forEach(setup);
})();
