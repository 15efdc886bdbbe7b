// The sandbox page, live. Forms marked data-act are sent in the background; the server then announces, on an
// event stream, that the world changed (a message reached a phone, the clock moved), and we fetch the world's
// fragment and swap each part marked data-live (the clock bar, each phone, the "what happened" panel), keeping
// what is being typed and where the focus is. Without this script every form still works by a full page load.
(function () {
  "use strict";
  var busy = false, wanted = -1;  // a fetch under way; the newest version announced

  function rendered() {
    var clock = document.getElementById("clock");
    return clock ? Number(clock.dataset.version) : -1;
  }

  function swap(html) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var focused = document.activeElement && document.activeElement.id;
    next.querySelectorAll("[data-live]").forEach(function (part) {
      var old = document.getElementById(part.id);
      if (!old) return;
      var fresh = document.importNode(part, true);
      old.querySelectorAll("input[id]").forEach(function (box) {  // what is being typed stays
        var same = fresh.querySelector("#" + box.id);
        if (same) same.value = box.value;
      });
      old.replaceWith(fresh);
    });
    var back = focused && document.getElementById(focused);
    if (back && back !== document.activeElement) back.focus();
  }

  // Fetch the world once the page is behind what was announced; one fetch at a time, then again only if
  // something newer was announced meanwhile (a late, older announcement changes nothing).
  function want(version) {
    if (version > wanted) wanted = version;
    if (wanted > rendered()) refresh();
  }

  function refresh() {
    if (busy) return;
    busy = true;
    var ok = false;
    fetch("/sandbox/world", {credentials: "same-origin"})
      .then(function (r) {
        if (r.status === 204) { window.location.assign("/sandbox"); return null; }  // the world is gone
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html) { swap(html); ok = true; } })
      .finally(function () {
        busy = false;
        if (ok && wanted > rendered()) refresh();
      });
  }

  // An action: sent in the background; its answer names the world's version it left (tests wait on it).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute("data-act")) return;
    e.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (form.classList.contains("type")) form.reset();
    fetch(form.action, {method: "POST", body: body, credentials: "same-origin", headers: {"X-Sandbox": "1"}})
      .then(function (r) {
        if (r.redirected || r.status === 303) { window.location.assign("/sandbox"); return; }
        var version = r.headers.get("X-World-Version");
        if (version) {
          document.body.dataset.acted = version;
          want(Number(version));  // don't wait for the stream to say so
        }
      });
  });

  function listen() {
    if (!window.EventSource) return;
    var events = new EventSource("/sandbox/events?v=" + rendered());
    events.addEventListener("change", function (e) {
      want(Number(e.data));
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", listen);
  else listen();
})();
