// Hearth's small progressive enhancements. Everything works without this file.
"use strict";

(function () {
  const toastRegion = () => document.getElementById("toast-region");

  /** Announce a short message in the polite live region and show it as a toast. */
  function showToast(message) {
    const region = toastRegion();
    if (!region) return;
    region.textContent = "";
    const toast = document.createElement("p");
    toast.className = "toast";
    toast.textContent = message;
    region.appendChild(toast);
    window.clearTimeout(showToast.timer);
    showToast.timer = window.setTimeout(() => { region.textContent = ""; }, 4000);
  }

  /** A number as the server writes it in the page's language ("2.5", "2,5"): the
   * language's decimal separator from the JavaScript catalogue's formats, no grouping
   * (Django's default), so a count a script updates reads as the one on the page. */
  function formatNumber(number) {
    const separator = typeof window.get_format === "function" ? window.get_format("DECIMAL_SEPARATOR") : ".";
    return String(number).replace(".", separator);
  }

  window.hearth = { showToast, formatNumber };

  // The header's "Menu" is a <details>: it opens and closes without this. Here it also
  // closes on Escape (focus back on its toggle) and on a click or focus outside it, so
  // an open panel never hides the page behind it. On wide screens its contents are the
  // header row itself (hearth.css) and its toggle is hidden: nothing to close there.
  const menu = document.querySelector("details.site-menu");
  if (menu) {
    const toggle = menu.querySelector("summary");
    const isCollapsible = () => toggle && toggle.offsetParent !== null;
    const close = () => {
      if (menu.open && isCollapsible()) menu.open = false;
    };
    document.addEventListener("click", (event) => {
      if (!menu.contains(event.target)) close();
    });
    document.addEventListener("focusin", (event) => {
      if (!menu.contains(event.target)) close();
    });
    menu.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !menu.open || !isCollapsible()) return;
      menu.open = false;
      toggle.focus();
    });
  }
})();
