// The supervisor's live floor: asks the server for the floor's fragment again when the office's
// event stream says something changed (the same stream the display boards follow), and every
// 30 seconds in case the stream is down. Nothing is drawn here: htmx swaps in the server's
// fragment. While the tab is hidden nothing is fetched; the floor catches up when it is shown.
(function () {
  "use strict";
  var floor = document.getElementById("floor-live");
  if (!floor || !window.htmx) { return; }
  var POLL = 30000;
  var stale = false;
  var pending = null;

  function refresh() {
    if (document.hidden) { stale = true; return; }
    stale = false;
    htmx.trigger(floor, "refresh");
  }

  function soon() {  // a burst of changes (a call, then its notice) costs one fetch
    clearTimeout(pending);
    pending = setTimeout(refresh, 300);
  }

  if (window.EventSource && floor.dataset.events) {
    var source = new EventSource(floor.dataset.events);
    source.addEventListener("board", soon);
  }
  setInterval(refresh, POLL);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && stale) { refresh(); }
  });
})();
