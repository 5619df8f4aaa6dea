// Display board: live through server-sent events; polls the board when the stream is down;
// highlights each new call, chimes and speaks it when this screen's address asks
// (?chime=1&speak=1, see docs/queues.md); always redraws the whole, true state, on one screen.
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
  var clockTime = document.getElementById("clock-time");
  var clockDay = document.getElementById("clock-day");
  var settings = new URLSearchParams(window.location.search);
  var EARLIER_SHOWN = 5;
  var lastCall;  // undefined until the first board: that one sets the baseline, unhighlighted
  var source = null;
  var sound = settings.get("chime") === "1";
  // speak=1: in the board's language; speak=fr, speak=en or speak=fr,en: those, in that order.
  var voices = (settings.get("speak") || "").split(",").map(function (value) {
    return value === "1" ? language : value;
  }).filter(function (value) { return value === "fr" || value === "en"; });
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

  // "A-042" is read as "A 42" (not "A minus forty-two"), in each announcement's language.
  function say(call) {
    if (!voices.length || !window.speechSynthesis) { return; }
    var parts = call.ticket.split("-");
    var ticket = parts.length === 2 ? parts[0] + " " + String(parseInt(parts[1], 10)) : call.ticket;
    window.speechSynthesis.cancel();  // a newer call replaces one still being read
    voices.forEach(function (lang) {
      var text = labels["say" + lang.charAt(0).toUpperCase() + lang.slice(1)]
        .replace("{ticket}", ticket).replace("{desk}", call.desk);
      var utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = lang + "-CA";
      var voice = window.speechSynthesis.getVoices().filter(function (v) {
        return v.lang.toLowerCase().indexOf(lang) === 0;
      })[0];
      if (voice) { utterance.voice = voice; }
      window.speechSynthesis.speak(utterance);
    });
  }

  // The office's time, whatever the screen's computer thinks: « 8 h 30 », "8:30 a.m.".
  function tick() {
    var now = new Date();
    var zone = body.dataset.zone || undefined;
    try {
      var parts = {};
      new Intl.DateTimeFormat("en-CA", { hour: "numeric", minute: "2-digit", hourCycle: "h23", timeZone: zone })
        .formatToParts(now).forEach(function (part) { parts[part.type] = part.value; });
      clockTime.textContent = language === "fr"
        ? parseInt(parts.hour, 10) + "\u00a0h\u00a0" + parts.minute
        : now.toLocaleTimeString("en-CA", { hour: "numeric", minute: "2-digit", timeZone: zone });
      var day = now.toLocaleDateString(language + "-CA", {
        weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: zone
      });
      clockDay.textContent = language === "fr" ? day.replace(/^(\S+) 1 /, "$1 1er ") : day;
    } catch (e) { /* an unknown zone: keep the server's time */ }
  }

  // Long service names at an office with many lines: shrink the table until the board fits.
  function fit() {
    // Earlier calls that do not fit their column are left out, the oldest first.
    var list = earlier.parentNode;
    Array.prototype.forEach.call(earlier.children, function (item) { item.hidden = false; });
    for (var i = earlier.children.length - 1; i >= 0 && list.scrollHeight > list.clientHeight; i--) {
      earlier.children[i].hidden = true;
    }
    var scale = 1;
    body.style.setProperty("--fit", "1");
    var root = document.documentElement;
    var waiting = document.querySelector(".waiting");
    while (scale > 0.5 && (root.scrollHeight > window.innerHeight || waiting.scrollHeight > waiting.clientHeight)) {
      scale -= 0.05;
      body.style.setProperty("--fit", scale.toFixed(2));
    }
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
      say(top);
    }
    lastCall = key;
    earlier.replaceChildren();
    calls.slice(1, EARLIER_SHOWN + 1).forEach(function (call) {
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
      var cell = el("span", "service-cell");
      cell.append(el("span", "prefix", service.prefix), document.createTextNode(" "),
        el("span", "service-name", service.name[language]));
      name.append(cell);
      var wait = service.wait_minutes
        ? labels.minutes.replace("{low}", service.wait_minutes[0]).replace("{high}", service.wait_minutes[1])
        : "—";
      row.append(name, el("td", "", String(service.waiting)), el("td", "", wait));
      rows.append(row);
    });
    fit();
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

  function showSound() {
    chime.setAttribute("aria-pressed", String(sound));
    chime.textContent = sound ? chime.dataset.on : chime.dataset.off;
  }
  chime.addEventListener("click", function () {
    sound = !sound;
    showSound();
    if (sound) { beep(); }
  });
  showSound();
  tick();
  setInterval(tick, 10000);
  fit();
  window.addEventListener("resize", fit);
})();
