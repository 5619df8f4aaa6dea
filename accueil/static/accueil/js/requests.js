// "Use my position" on the request form: a progressive extra. The button stays hidden unless
// the browser can give a position; typing an address or coordinates always works without it.
(function () {
  "use strict";
  if (!navigator.geolocation) { return; }
  document.querySelectorAll("[data-geolocate]").forEach(function (button) {
    var name = button.getAttribute("data-geolocate");
    var status = document.querySelector('[data-geolocate-status="' + name + '"]');
    var latitude = document.getElementById(name + "_lat");
    var longitude = document.getElementById(name + "_lng");
    if (!latitude || !longitude) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = button.getAttribute("data-searching") || "…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          latitude.value = position.coords.latitude.toFixed(6);
          longitude.value = position.coords.longitude.toFixed(6);
          status.textContent = button.getAttribute("data-found");
        },
        function () { status.textContent = button.getAttribute("data-failed"); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  });
})();
