// Font size controls (A- A A+) that persist across pages, and the print link.
(function () {
  "use strict";
  var KEY = "cong-font-scale";
  var root = document.documentElement;
  function apply(scale) {
    root.style.setProperty("--font-scale", String(scale));
  }
  var saved = null;
  try { saved = parseFloat(localStorage.getItem(KEY)); } catch (e) { saved = null; }
  if (saved && saved >= 0.8 && saved <= 1.6) { apply(saved); }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-font]").forEach(function (button) {
      button.addEventListener("click", function () {
        var step = parseInt(button.getAttribute("data-font"), 10);
        var current = parseFloat(getComputedStyle(root).getPropertyValue("--font-scale")) || 1;
        var next = step === 0 ? 1 : Math.min(1.6, Math.max(0.8, Math.round((current + step * 0.1) * 10) / 10));
        apply(next);
        try { localStorage.setItem(KEY, String(next)); } catch (e) { /* private mode: size lasts for this page */ }
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
