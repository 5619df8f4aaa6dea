// Switching language in the middle of a form keeps what the person chose and typed.
// The language link loads the same page in the other language; just before, the form's
// answers go to sessionStorage, and the new page puts them back once (then forgets them).
(function () {
  "use strict";
  var form = document.querySelector("form.check-in-form");
  if (!form || !window.sessionStorage) { return; }
  var key = "accueil.form:" + location.pathname.replace(/^\/(fr|en)\//, "/");
  var SKIP = { csrfmiddlewaretoken: true, attempt: true };

  function save() {
    var answers = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || SKIP[field.name]) { return; }
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) { return; }
      if (field.type === "radio" || field.type === "checkbox" || field.value) {
        answers.push([field.name, field.value]);
      }
    });
    sessionStorage.setItem(key, JSON.stringify(answers));
  }

  function restore() {
    var saved = sessionStorage.getItem(key);
    if (!saved) { return; }
    sessionStorage.removeItem(key);
    JSON.parse(saved).forEach(function (pair) {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name !== pair[0]) { return; }
        if (field.type === "radio" || field.type === "checkbox") {
          if (field.value !== pair[1]) { return; }
          field.checked = true;
        } else {
          field.value = pair[1];
        }
        var folded = field.closest("details");  // show what was filled in
        if (folded) { folded.open = true; }
      });
    });
  }

  document.querySelectorAll("a[hreflang]").forEach(function (link) {
    link.addEventListener("click", save);
  });
  restore();
})();
