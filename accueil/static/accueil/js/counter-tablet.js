// Counter tablet: a survey screen on the desk. Its page says after how many seconds to look
// again (the welcome screen: for a newly completed visit; a survey left halfway: back to the
// welcome once the visitor's minutes are over; the thank-you: back to the welcome). Any touch
// or key press starts the count again, so nobody is cut off while answering. Without
// JavaScript the survey works as it is; the page simply stays until someone reloads it.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseInt(body.dataset.reloadAfter || "0", 10);
  var target = body.dataset.reloadUrl;
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
})();
