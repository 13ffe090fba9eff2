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

  window.hearth = { showToast };
})();
