// Kiosk: go back to the start after a while without a touch, so the next person starts fresh.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.dataset.resetAfter || "0", 10);
  var target = body.dataset.resetUrl;
  if (!seconds || !target) { return; }
  var timer;
  function arm() {
    clearTimeout(timer);
    timer = setTimeout(function () { window.location.replace(target); }, seconds * 1000);
  }
  ["pointerdown", "keydown", "input", "touchstart"].forEach(function (name) {
    document.addEventListener(name, arm, { passive: true });
  });
  arm();
  // After an error, bring the summary into view and focus.
  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }
})();
