// Agents' workspace: single-key shortcuts (off inside fields; can be turned off, WCAG 2.1.4)
// and a draft of the reply and note kept in this browser until they are sent.
(function () {
  "use strict";
  var KEY = "accueil.shortcuts";  // one preference with the agent console
  var toggle = document.getElementById("shortcuts");
  var help = document.getElementById("shortcuts-help");
  if (toggle) {
    toggle.checked = localStorage.getItem(KEY) !== "off";
    toggle.addEventListener("change", function () {
      localStorage.setItem(KEY, toggle.checked ? "on" : "off");
    });
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-case-row]"));
  var current = -1;
  function select(index) {
    if (!rows.length) { return; }
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, i) { row.classList.toggle("is-current", i === current); });
    var link = rows[current].querySelector("[data-case-link]");
    if (link) { link.focus(); }
  }
  function focusTarget(key) {
    var field = document.querySelector('[data-shortcut-target="' + key + '"]');
    if (!field) { return false; }
    field.focus();
    field.scrollIntoView({ block: "center" });
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (!toggle || !toggle.checked || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target.closest("input, select, textarea, button, [contenteditable]")) { return; }
    var key = event.key;
    var handled = true;
    if (key === "j") { select(current + 1); }
    else if (key === "k") { select(current - 1); }
    else if (key === "o" && current >= 0) { rows[current].querySelector("[data-case-link]").click(); }
    else if (key === "Enter" && current >= 0 && event.target.tagName !== "A") {
      rows[current].querySelector("[data-case-link]").click();
    }
    else if (key === "/" || key === "r" || key === "n") { handled = focusTarget(key); }
    else if (key === "?") { if (help) { help.open = !help.open; } }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  });

  // Drafts: what the agent types is kept in this browser, per request, until the form is sent
  // (listeners on the document, so a textarea replaced by a chosen template keeps working).
  function draftKey(area) { return "accueil.draft:" + area.dataset.draft; }
  document.querySelectorAll("textarea[data-draft]").forEach(function (area) {
    var saved = localStorage.getItem(draftKey(area));
    if (!area.value && saved) { area.value = saved; }
  });
  document.addEventListener("input", function (event) {
    var area = event.target.closest && event.target.closest("textarea[data-draft]");
    if (area) { localStorage.setItem(draftKey(area), area.value); }
  });
  document.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "check") { return; }
    event.target.querySelectorAll("textarea[data-draft]").forEach(function (area) {
      localStorage.removeItem(draftKey(area));
    });
  });
  // A chosen template replaces the text: it is the draft from now on.
  document.body.addEventListener("htmx:afterSettle", function () {
    var area = document.querySelector("#reply-draft textarea[data-draft]");
    if (area) { localStorage.setItem(draftKey(area), area.value); }
  });
})();
