// The sandbox page follows its world live. The server sends an event whenever something a page shows changed
// (a message reached a phone, the clock moved); we then fetch the world's fragment and swap each part marked
// data-live (the clock bar, each phone's header and chat, the "what happened" panel), leaving text boxes alone.
// Without this script (or JavaScript) every form still works by a full page load.
(function () {
  "use strict";
  var busy = false, again = false;

  function rendered() {
    var clock = document.getElementById("clock");
    return clock ? Number(clock.dataset.version) : -1;
  }

  function swap(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    next.querySelectorAll("[data-live]").forEach(function (part) {
      var old = document.getElementById(part.id);
      if (!old) return;
      var fresh = document.importNode(part, true);
      old.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
    });
  }

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch("/sandbox/world", {credentials: "same-origin", headers: {"HX-Request": "true"}})
      .then(function (r) {
        if (r.status === 204) { window.location.assign("/sandbox"); return null; }  // the world is gone
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html) swap(html); })
      .finally(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function listen() {
    if (!window.EventSource) return;
    var events = new EventSource("/sandbox/events?v=" + rendered());
    events.addEventListener("change", function (e) {
      if (Number(e.data) !== rendered()) refresh();
    });
  }

  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.target;
    if (form.classList && form.classList.contains("type") && e.detail.successful) form.reset();
    var version = e.detail.xhr && e.detail.xhr.getResponseHeader("X-World-Version");
    if (version) document.body.dataset.acted = version;  // what the page is about to show (tests wait on it)
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", listen);
  else listen();
})();
