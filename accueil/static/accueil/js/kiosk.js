// Kiosk: a shared touch screen. After a minute without a touch the welcome (attract) screen
// comes back, on a clean page, so the next person starts fresh; on-screen keypads type the phone
// number and the booking code; the ticket prints itself when the office's kiosk has a printer.
// Everything here is an addition: without JavaScript the forms work as they are.
(function () {
  "use strict";
  var body = document.body;
  var attract = document.getElementById("attract");
  var attractAfter = parseInt(body.dataset.attractAfter || "0", 10);
  var resetAfter = parseInt(body.dataset.resetAfter || "0", 10);
  var target = body.dataset.resetUrl;
  // Something was chosen or typed, or the page answers someone (an error, a message): the
  // next person must not see it.
  var touched = Boolean(document.getElementById("problems") || document.querySelector(".messages"));
  var timer;

  function showAttract() {
    if (touched && target) {  // someone left halfway: start again from a clean page
      window.location.replace(target + "?attract=1");  // a fresh page: no answer left
      return;
    }
    attract.hidden = false;
    document.getElementById("attract-start").focus();
  }
  function idle() {
    if (attract && attractAfter) { showAttract(); }
    else if (target) { window.location.replace(target); }
  }
  function arm() {
    clearTimeout(timer);
    var seconds = attract && attractAfter ? attractAfter : resetAfter;
    if (seconds) { timer = setTimeout(idle, seconds * 1000); }
  }
  ["pointerdown", "keydown", "input", "touchstart"].forEach(function (name) {
    document.addEventListener(name, arm, { passive: true });
  });
  document.addEventListener("input", function () { touched = true; });
  document.addEventListener("change", function () { touched = true; });

  if (attract) {
    attract.addEventListener("click", function () {
      attract.hidden = true;
      if (window.location.search) { history.replaceState(null, "", window.location.pathname); }
      var heading = document.querySelector("main h1");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    });
    if (new URLSearchParams(window.location.search).has("attract")) { attract.hidden = false; }
  }
  arm();

  // Keypads: shown under their field while it is being filled; a key types into the field.
  Array.prototype.forEach.call(document.querySelectorAll("[data-keypad-for]"), function (pad) {
    var field = document.getElementById(pad.dataset.keypadFor);
    if (!field) { return; }
    pad.hidden = false;
    pad.addEventListener("click", function (event) {
      var key = event.target.closest("[data-key]");
      if (!key) { return; }
      var value = field.value;
      if (key.dataset.key === "delete") { value = value.slice(0, -1); }
      else if (key.dataset.key === "clear") { value = ""; }
      else if (!field.maxLength || field.maxLength < 0 || value.length < field.maxLength) { value += key.dataset.key; }
      field.value = value;
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // After an error, bring the summary into view and focus.
  var problems = document.getElementById("problems");
  if (problems) { problems.focus(); }

  // The office's kiosk prints tickets: once, as the ticket appears (80 mm layout in kiosk.css).
  if (body.dataset.print === "1" && window.print) {
    window.addEventListener("load", function () { window.print(); });
  }
})();
