(function () {
  "use strict";
  var source = new EventSource("/__cong/events");
  function overlay(messages) {
    var box = document.getElementById("cong-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "cong-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:#1b1b1b;color:#fff;padding:2rem;font:16px/1.5 monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "The last change could not be built; this page is the last good version.\n\n" + messages.join("\n") + "\n\nFix the file and save it again.";
  }
  source.addEventListener("failed", function (event) {
    overlay(JSON.parse(event.data).messages);
  });
  source.addEventListener("reload", function (event) {
    var data = JSON.parse(event.data);
    if (congFollow && data.path && data.path !== location.pathname) {
      location.href = data.path;
    } else {
      location.reload();
    }
  });
})();
