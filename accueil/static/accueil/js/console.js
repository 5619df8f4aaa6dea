// Agent console: single-key shortcuts (can be turned off, WCAG 2.1.4) and a live waiting list.
(function () {
  "use strict";
  var toggle = document.getElementById("shortcuts");
  var KEY = "accueil.shortcuts";
  if (toggle) {
    toggle.checked = localStorage.getItem(KEY) !== "off";
    toggle.addEventListener("change", function () {
      localStorage.setItem(KEY, toggle.checked ? "on" : "off");
    });
  }
  document.addEventListener("keydown", function (event) {
    if (!toggle || !toggle.checked || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (target.closest("input, select, textarea, [contenteditable]")) { return; }
    var button = document.querySelector('[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (button) { event.preventDefault(); button.click(); }
  });
  // The service timer: minutes and seconds since the visitor was called or started.
  var elapsed = document.querySelector("time.elapsed[data-since]");
  if (elapsed) {
    var since = Date.parse(elapsed.dataset.since);
    var tick = function () {
      var seconds = Math.max(0, Math.floor((Date.now() - since) / 1000));
      var minutes = Math.floor(seconds / 60);
      elapsed.textContent = minutes + ":" + String(seconds % 60).padStart(2, "0");
    };
    if (!isNaN(since)) { tick(); setInterval(tick, 1000); }
  }
  var console_ = document.querySelector(".console");
  if (console_ && window.EventSource && window.htmx) {
    var panel = function () { return document.getElementById("queue-panel"); };
    var source = new EventSource(console_.dataset.events);
    var pending = null;
    source.addEventListener("board", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { if (panel()) { htmx.trigger(panel(), "refresh"); } }, 300);
    });
  }
})();
