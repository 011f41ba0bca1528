// Thống kê truy cập: counts this page view once and shows the unit's live figures.
// The block (templates/partials/counter.html) carries the counter's address and the page's
// unit and site path exactly as cong-counter.json lists them, so a base URL with a path
// prefix (https://host/portal/) needs nothing here. When the counter cannot be reached the
// figures baked in when the site was built stay, with the note saying as of when.
(function () {
  "use strict";
  var block = document.querySelector(".counter[data-endpoint]");
  if (!block || !window.fetch || !window.JSON) return;
  var endpoint = block.getAttribute("data-endpoint");
  var unit = block.getAttribute("data-unit");
  var path = block.getAttribute("data-path");
  var FIELDS = ["online", "today", "yesterday", "week", "month", "total"];
  var WAIT_MS = 8000;

  // 12798780 → "12.798.780".
  var format = (function () {
    try {
      var f = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 0 });
      if (f.format(1234567) === "1.234.567") {
        return function (n) { return f.format(n); };
      }
    } catch (e) { /* no Intl: group by hand below */ }
    return function (n) {
      return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    };
  })();

  // One id per page view: a hit resent with it is counted once.
  function randomId() {
    var bytes = new Uint8Array(12);
    var i;
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    var id = "";
    for (i = 0; i < bytes.length; i++) id += ("0" + bytes[i].toString(16)).slice(-2);
    return id;
  }

  function wait(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // A fetch that gives up after WAIT_MS and treats 5xx (store unreachable) as a failure.
  function request(url, options) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, WAIT_MS) : 0;
    if (controller) options.signal = controller.signal;
    options.credentials = "omit";
    return fetch(url, options).then(function (answer) {
      clearTimeout(timer);
      if (answer.status >= 500) throw new Error("the counter answered " + answer.status);
      return answer;
    }, function (error) {
      clearTimeout(timer);
      throw error;
    });
  }

  // Posts the hit; without an answer it is sent again once with the same id. A text/plain
  // body keeps it a simple request (no preflight).
  function hit(body, retries) {
    return request(endpoint + "/hit", {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: body,
      keepalive: true
    }).catch(function (error) {
      if (retries <= 0) throw error;
      return wait(1000).then(function () { return hit(body, retries - 1); });
    });
  }

  function stats() {
    return request(endpoint + "/stats?unit=" + encodeURIComponent(unit), {
      method: "GET",
      cache: "no-store"
    }).then(function (answer) {
      if (!answer.ok) throw new Error("the counter answered " + answer.status);
      return answer.json();
    });
  }

  function note(name, visible) {
    var element = block.querySelector('[data-counter-note="' + name + '"]');
    if (element) element.hidden = !visible;
  }

  function fill(counts) {
    for (var i = 0; i < FIELDS.length; i++) {
      var cell = block.querySelector('[data-counter="' + FIELDS[i] + '"]');
      var value = Number(counts[FIELDS[i]]);
      if (cell && isFinite(value)) cell.textContent = format(value);
    }
    block.querySelector(".counter-figures").hidden = false;
    note("offline", false);
    note("as-of", false);
    note("unavailable", false);
    block.setAttribute("data-state", "live");
  }

  // Keeps whatever the build baked in (figures and date, or "not available") and says the
  // counter could not be reached.
  function keepSnapshot() {
    note("offline", true);
    block.setAttribute("data-state", block.querySelector('[data-counter-note="as-of"]') ? "offline" : "unavailable");
  }

  var body = { unit: unit, id: randomId() };
  if (path) body.path = path;
  hit(JSON.stringify(body), 1)
    .catch(function () { /* still try to show the figures */ })
    .then(stats)
    .then(fill, keepSnapshot);
})();
