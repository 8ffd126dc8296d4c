/* Caseworker console: queue polling and the idle lock (policy 8.4). No inline script; nothing stored. */
(function () {
  "use strict";

  function meta(name) {
    var tag = document.querySelector('meta[name="' + name + '"]');
    return tag ? tag.getAttribute("content") : null;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": meta("csrf-token"), "Accept": "application/json" },
      body: body || new FormData()
    });
  }

  /* ---- the queue refreshes itself ---- */
  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function renderQueue(table, rows) {
    var body = table.tBodies[0];
    var fresh = document.createElement("tbody");
    if (!rows.length) {
      var empty = document.createElement("tr");
      empty.className = "empty";
      cell(empty, "No enquiries are waiting.").colSpan = 7;
      fresh.appendChild(empty);
    }
    rows.forEach(function (item) {
      var tr = document.createElement("tr");
      tr.dataset.reference = item.reference;
      if (item.urgent) { tr.className = "urgent"; }
      cell(tr, item.reference);
      var priority = cell(tr, "");
      if (item.urgent) {
        var flag = document.createElement("strong");
        flag.className = "flag";
        flag.textContent = "URGENT";
        priority.appendChild(flag);
      } else {
        priority.textContent = "normal";
      }
      cell(tr, item.topic);
      cell(tr, item.channel);
      cell(tr, item.waiting_minutes + " min");
      /* The server's words (the parent's safe time as its label, and whether it is safe now), as the page shows them. */
      cell(tr, item.safe_times);
      var form = document.createElement("form");
      form.method = "post";
      form.action = table.dataset.claim.replace("REF", encodeURIComponent(item.reference));
      var token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrf_token";
      token.value = meta("csrf-token");
      var button = document.createElement("button");
      button.type = "submit";
      button.textContent = "Claim " + item.reference;
      form.appendChild(token);
      form.appendChild(button);
      cell(tr, "").appendChild(form);
      fresh.appendChild(tr);
    });
    table.replaceChild(fresh, body);
  }

  function pollQueue(table) {
    fetch(table.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) { if (data && !locked) { renderQueue(table, data.rows); } })
      .catch(function () { /* try again next time */ });
  }

  /* ---- idle lock ---- */
  var locked = false;
  var timer = null;

  function lockScreen() {
    if (locked) { return; }
    locked = true;
    /* Take the confidential content out of the page, not just out of sight; unlocking reloads it. */
    document.getElementById("content").replaceChildren();
    document.body.classList.add("locked");
    document.getElementById("idle-lock").hidden = false;
    document.getElementById("unlock-password").focus();
    post(document.getElementById("unlock-form").dataset.lock);
  }

  function restart() {
    var minutes = parseFloat(meta("idle-minutes"));
    if (locked || !minutes) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(lockScreen, minutes * 60 * 1000);
  }

  function setUpLock() {
    var form = document.getElementById("unlock-form");
    if (!form || !meta("idle-minutes")) { return; }
    ["mousemove", "mousedown", "keydown", "scroll", "touchstart"].forEach(function (name) {
      document.addEventListener(name, restart, { passive: true });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      post(form.action, new FormData(form)).then(function (response) {
        if (response.ok) { window.location.reload(); return; }
        document.getElementById("unlock-error").textContent =
          response.status === 401 ? "That password is not right." : "Please sign in again.";
        if (response.status !== 401) { window.location.reload(); }
      });
    });
    restart();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpLock();
    var table = document.getElementById("queue");
    if (table) { window.setInterval(function () { pollQueue(table); }, 10000); }
  });
})();
