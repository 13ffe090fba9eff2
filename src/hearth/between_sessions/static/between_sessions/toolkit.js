// The toolkit's small enhancements. Every page works without this file. Its words come
// from the page's JavaScript catalogue (gettext: docs/translating.md), loaded before it.
"use strict";

(function () {
  // "Leave quickly": blank the page at once, then replace it (and its history
  // entry) with the neutral page, so Back does not return here.
  document.addEventListener("click", function (event) {
    const link = event.target.closest("[data-leave-quickly]");
    if (!link) return;
    event.preventDefault();
    // Translators: the title of the neutral page "Leave quickly" goes to; the same words as its title.
    document.title = gettext("Notes");
    document.body.replaceChildren();
    window.location.replace(link.href);
  });

  // Print buttons only make sense with JavaScript; without it, the browser's menu prints.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
