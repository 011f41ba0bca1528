// Filters a list in the page: a text box and selects narrow the items marked
// data-filter-item; groups left empty are hidden. Without JavaScript the form stays
// hidden and the whole list shows.
(function () {
  "use strict";
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-filter-form]");
    var list = document.querySelector("[data-filter-list]");
    if (!form || !list) { return; }
    var items = list.querySelectorAll("[data-filter-item]");
    var groups = list.querySelectorAll("[data-filter-group]");
    var text = form.querySelector("[data-filter-text]");
    var selects = form.querySelectorAll("[data-filter-key]");
    var count = form.querySelector("[data-filter-count]");
    function apply() {
      var words = text ? fold(text.value).split(/\s+/).filter(Boolean) : [];
      var shown = 0;
      items.forEach(function (item) {
        var ok = true;
        selects.forEach(function (s) {
          if (s.value && item.getAttribute("data-" + s.getAttribute("data-filter-key")) !== s.value) { ok = false; }
        });
        var hay = item.getAttribute("data-text") || "";
        words.forEach(function (w) { if (hay.indexOf(w) < 0) { ok = false; } });
        item.hidden = !ok;
        if (ok) { shown += 1; }
      });
      groups.forEach(function (g) {
        g.hidden = !g.querySelector("[data-filter-item]:not([hidden])");
      });
      if (count) {
        count.textContent = count.getAttribute("data-template").replace("{shown}", shown).replace("{total}", items.length);
      }
    }
    form.hidden = false;
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    apply();
  });
})();
