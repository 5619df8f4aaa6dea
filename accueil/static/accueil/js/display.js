// Display board: live through server-sent events; polls the board when the stream is down;
// highlights (and optionally chimes) each new call; always redraws the whole, true state.
(function () {
  "use strict";
  var body = document.body;
  var language = body.dataset.language === "en" ? "en" : "fr";
  var labels = document.getElementById("labels").dataset;
  var current = document.getElementById("current-call");
  var earlier = document.getElementById("earlier-calls");
  var rows = document.getElementById("waiting-rows");
  var status = document.getElementById("connection");
  var notices = document.getElementById("notices");
  var chime = document.getElementById("chime-toggle");
  var lastCall;  // undefined until the first board: that one sets the baseline, unhighlighted
  var source = null;
  var sound = false;
  var audio = null;
  var lastMessage = Date.now();
  var pollTimer = null;
  // After the stream is refused (429: too many displays connected; 503: the server restarts),
  // EventSource gives up. Try again after 5 s, then twice as long each time up to 2 minutes,
  // at a random point of the second half of that wait so displays refused together do not
  // all come back together. The board is polled meanwhile, so the screen stays right.
  var RETRY_FIRST = 5000;
  var RETRY_MOST = 120000;
  var retryWait = 0;
  var retryTimer = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function deskLabel(desk) { return labels.desk.replace("{desk}", desk); }

  function beep() {
    if (!sound) { return; }
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.35].forEach(function (delay, index) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = index ? 660 : 880;
        gain.gain.setValueAtTime(0.2, audio.currentTime + delay);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + delay + 0.3);
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(audio.currentTime + delay); osc.stop(audio.currentTime + delay + 0.3);
      });
    } catch (e) { /* no sound device: the highlight is enough */ }
  }

  function render(board) {
    var calls = board.calls || [];
    var top = calls[0];
    var key = top ? top.ticket + "@" + top.called_at : null;
    current.replaceChildren();
    if (top) {
      current.append(el("span", "call-ticket", top.ticket), el("span", "call-arrow", "→"),
        el("span", "call-desk", deskLabel(top.desk)));
      current.querySelector(".call-arrow").setAttribute("aria-hidden", "true");
    } else {
      current.append(el("span", "call-none", labels.none));
    }
    if (lastCall !== undefined && key && key !== lastCall) {
      current.classList.remove("fresh");
      void current.offsetWidth;  // restart the highlight
      current.classList.add("fresh");
      beep();
    }
    lastCall = key;
    earlier.replaceChildren();
    calls.slice(1).forEach(function (call) {
      var item = el("li");
      item.append(el("span", "call-ticket", call.ticket), document.createTextNode(" "),
        el("span", "call-desk", deskLabel(call.desk)));
      earlier.append(item);
    });
    notices.replaceChildren();
    var now = Date.now();
    (board.notices || []).forEach(function (notice) {
      if (Date.parse(notice.until) > now) { notices.append(el("p", "service-notice", notice[language])); }
    });
    notices.hidden = !notices.childElementCount;
    rows.replaceChildren();
    (board.services || []).forEach(function (service) {
      var row = el("tr");
      var name = el("th");
      name.setAttribute("scope", "row");
      name.append(el("span", "prefix", service.prefix), document.createTextNode(" " + service.name[language]));
      var wait = service.wait_minutes
        ? labels.minutes.replace("{low}", service.wait_minutes[0]).replace("{high}", service.wait_minutes[1])
        : "—";
      row.append(name, el("td", "", String(service.waiting)), el("td", "", wait));
      rows.append(row);
    });
  }

  function online(yes) {
    status.textContent = yes ? status.dataset.live : status.dataset.offline;
  }

  function poll() {
    fetch(body.dataset.board, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (board) { render(board); })
      .catch(function () { online(false); });
  }

  function reconnectLater() {
    retryWait = retryWait ? Math.min(retryWait * 2, RETRY_MOST) : RETRY_FIRST;
    retryTimer = setTimeout(function () { retryTimer = null; connect(); },
      retryWait / 2 + Math.random() * retryWait / 2);
  }

  function connect() {
    source = new EventSource(body.dataset.events);
    source.addEventListener("board", function (event) {
      lastMessage = Date.now();
      retryWait = 0;  // the stream works: a later refusal starts the waits over
      online(true);
      render(JSON.parse(event.data));
    });
    source.addEventListener("ping", function () { lastMessage = Date.now(); online(true); });
    source.onopen = function () { lastMessage = Date.now(); online(true); };
    source.onerror = function () {
      online(false);
      // A dropped stream reconnects by itself; a refused one is closed for good.
      if (source.readyState === EventSource.CLOSED && retryTimer === null) { reconnectLater(); }
    };
  }

  if (window.EventSource) {
    connect();
    // Fallback: while the stream is silent for too long, poll the same board.
    setInterval(function () {
      if (Date.now() - lastMessage > 40000) { online(false); poll(); }
    }, 5000);
  } else {
    setInterval(poll, 5000);
  }

  chime.addEventListener("click", function () {
    sound = !sound;
    chime.setAttribute("aria-pressed", String(sound));
    chime.textContent = sound ? chime.dataset.on : chime.dataset.off;
    if (sound) { beep(); }
  });
})();
