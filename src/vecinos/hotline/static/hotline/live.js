/* The console's live updates. Vendored with Vecinos; no build step, no dependencies.
 *
 * The server's event stream (/hotline/live/) says only which report or incident changed. This
 * script then re-reads the parts of the page marked data-live-url, which the server renders
 * for this viewer. A new report is highlighted, announced to screen readers and, if the
 * dispatcher turned sound on, chimes.
 *
 * Browsers allow six streaming connections per site over HTTP/1.1, so one tab per browser holds
 * the stream: the tabs elect a leader with a Web Lock, and the leader passes each event to the
 * others over a BroadcastChannel. When the leader closes, the lock passes to another tab, which
 * opens the stream. Every tab also re-reads every 10 seconds, so a dropped stream delays an
 * update and never loses it.
 */
(function () {
  "use strict";

  var bar = document.getElementById("live");
  if (!bar || !window.fetch) {
    return;
  }
  var STREAM_URL = bar.getAttribute("data-live-stream");
  var POLL_MS = 10000;
  var FRESH_MS = 60000;
  var CHANNEL = "vecinos-console";
  var STREAM_LOCK = "vecinos-console-stream";
  var CHIME_LOCK = "vecinos-console-chime";
  var SOUND_KEY = "vecinos-console-sound";
  var CSRF = /name="csrfmiddlewaretoken" value="[^"]*"/g;

  var regions = Array.prototype.slice.call(document.querySelectorAll("[data-live-url]"));
  var lastHtml = new WeakMap();
  var pending = new Set();
  var fresh = new Set();
  var timer = null;
  var status = document.getElementById("live-status");
  var channel = "BroadcastChannel" in window ? new BroadcastChannel(CHANNEL) : null;

  function wants(region, event) {
    var report = region.getAttribute("data-live-report");
    var incident = region.getAttribute("data-live-incident");
    if (!report && !incident) {
      return true; // the console's lists: every event
    }
    if (event.kind === "ready" || event.kind === "poll") {
      return true;
    }
    return (
      (report && String(event.report_id) === report) ||
      (incident && String(event.incident_id) === incident) ||
      // A report joining or leaving an incident changes the incident's list of reports.
      (incident && event.kind === "report.changed")
    );
  }

  function markFresh(region) {
    var rows = region.querySelectorAll("[data-report-id]");
    for (var i = 0; i < rows.length; i++) {
      rows[i].classList.toggle("fresh", fresh.has(rows[i].getAttribute("data-report-id")));
    }
  }

  function refresh(region) {
    return fetch(region.getAttribute("data-live-url"), {
      headers: { "HX-Request": "true" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (response) {
        // Logged out, or the session expired: leave the page as it is.
        return response.ok && !response.redirected ? response.text() : null;
      })
      .then(function (html) {
        // Forms carry a new CSRF token each time: it alone is no change.
        var key = html === null ? null : html.replace(CSRF, "");
        if (key !== null && key !== lastHtml.get(region)) {
          // Only a changed fragment is swapped, so focus and scrolling stay put on quiet polls.
          lastHtml.set(region, key);
          var focus = focusKey(region);
          region.innerHTML = html;
          restoreFocus(region, focus);
        }
        markFresh(region);
      })
      .catch(function () {
        /* offline for a moment: the next event or poll tries again */
      });
  }

  // What had the keyboard focus inside a region, to give it back after the region is redrawn.
  function focusKey(region) {
    var active = document.activeElement;
    if (!active || active === document.body || !region.contains(active)) {
      return null;
    }
    if (active.id) {
      return "#" + CSS.escape(active.id);
    }
    if (active.getAttribute("href")) {
      return 'a[href="' + CSS.escape(active.getAttribute("href")) + '"]';
    }
    if (active.name) {
      return (
        active.tagName.toLowerCase() +
        '[name="' + CSS.escape(active.name) + '"][value="' + CSS.escape(active.value || "") + '"]'
      );
    }
    return null;
  }

  function restoreFocus(region, key) {
    var target = key ? region.querySelector(key) : null;
    if (target) {
      target.focus();
    }
  }

  function schedule(event) {
    regions.forEach(function (region) {
      if (wants(region, event)) {
        pending.add(region);
      }
    });
    if (timer === null && pending.size) {
      // A burst of events (a report and its incident) becomes one re-read.
      timer = setTimeout(function () {
        timer = null;
        var due = Array.from(pending);
        pending.clear();
        due.forEach(refresh);
      }, 100);
    }
  }

  function handle(event) {
    if (!event || typeof event.kind !== "string") {
      return;
    }
    if (event.kind === "report.new" && event.report_id) {
      var id = String(event.report_id);
      fresh.add(id);
      setTimeout(function () {
        fresh.delete(id);
        regions.forEach(markFresh);
      }, FRESH_MS);
      if (status) {
        status.textContent = bar.getAttribute("data-new-report");
      }
      chime();
    }
    schedule(event);
  }

  /* --- The stream, one per browser -------------------------------------------------------- */

  function openStream() {
    var source = new EventSource(STREAM_URL);
    source.onmessage = function (message) {
      var event;
      try {
        event = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      handle(event);
      if (channel) {
        channel.postMessage(event);
      }
    };
    document.documentElement.setAttribute("data-live", "leader");
    return source;
  }

  if (channel) {
    channel.onmessage = function (message) {
      handle(message.data);
    };
  }
  if (channel && navigator.locks && navigator.locks.request) {
    document.documentElement.setAttribute("data-live", "follower");
    // Granted to one tab at a time and held until that tab closes or leaves the page.
    navigator.locks.request(STREAM_LOCK, function () {
      openStream();
      return new Promise(function () {});
    });
  } else {
    openStream(); // no Web Locks (an old browser, or plain http on a LAN): a stream per tab
  }

  setInterval(function () {
    if (!document.hidden) {
      schedule({ kind: "poll" });
    }
  }, POLL_MS);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      schedule({ kind: "poll" });
    }
  });

  /* --- Sound ------------------------------------------------------------------------------ */

  var toggle = document.getElementById("sound-toggle");
  var audio = new Audio(bar.getAttribute("data-chime"));
  audio.preload = "auto";
  var soundOn = false;
  try {
    soundOn = window.localStorage.getItem(SOUND_KEY) === "on";
  } catch (error) {
    /* storage refused: sound starts off */
  }

  function showSound() {
    toggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
  }

  if (toggle) {
    toggle.hidden = false;
    showSound();
    toggle.addEventListener("click", function () {
      soundOn = !soundOn;
      try {
        window.localStorage.setItem(SOUND_KEY, soundOn ? "on" : "off");
      } catch (error) {
        /* remembered for this page only */
      }
      showSound();
      if (soundOn) {
        play(); // this click is the interaction that lets the page play sound
      }
    });
  }

  function play() {
    audio.currentTime = 0;
    var played = audio.play();
    if (played && played.catch) {
      played.catch(function () {
        if (status) {
          status.textContent = bar.getAttribute("data-sound-blocked");
        }
      });
    }
  }

  function chime() {
    if (!soundOn) {
      return;
    }
    // Browsers block sound until the person has interacted with the page.
    if (navigator.userActivation && !navigator.userActivation.hasBeenActive) {
      return;
    }
    if (!navigator.locks || !navigator.locks.request) {
      play();
      return;
    }
    // Several tabs with sound on hear the same event: the first to take the lock chimes.
    navigator.locks.request(CHIME_LOCK, { ifAvailable: true }, function (lock) {
      if (!lock) {
        return undefined;
      }
      play();
      return new Promise(function (resolve) {
        setTimeout(resolve, 1500);
      });
    });
  }
})();
