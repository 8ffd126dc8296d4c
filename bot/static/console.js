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
      if (item.previously_with) {  /* "URGENT — previously with alice", as the page shows it */
        var moved = document.createElement("span");
        moved.className = "moved";
        moved.textContent = "previously with " + item.previously_with;
        priority.appendChild(document.createTextNode(" \u2014 "));
        priority.appendChild(moved);
      }
      if (item.duty_alert_failed) {  /* kept through each refresh, as the page first showed it */
        var failed = document.createElement("span");
        failed.className = "alert-failed";
        failed.textContent = "Duty alert failed";
        priority.appendChild(document.createTextNode(" "));
        priority.appendChild(failed);
      }
      cell(tr, item.topic_title);  /* the title parents were offered, as the page shows it */
      cell(tr, item.channel);
      cell(tr, item.waiting || item.waiting_minutes + " min");  /* the server's words, as the page shows them */
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
    if (locked || ended) { return; }  /* nothing to show while locked, and it must not look like activity */
    fetch(table.dataset.source, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) { sessionEnded(); return null; }
        if (response.status === 423) { lockHere(); tell("lock"); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) { if (data && !locked) { renderQueue(table, data.rows); } })
      .catch(function () { /* try again next time */ });
  }

  /* ---- idle lock (policy 8.4), shared by every console tab of this browser ----
     On lock the page's content is thrown away, not kept aside: anyone at the locked screen could read a
     kept copy with the browser's developer tools. Only what the caseworker had typed and not yet sent (a
     half-written note or text) is kept, in the `drafts` variable (memory), never in storage, cookies or the
     URL. After the password the page is fetched again by GET (never a reload, which could repeat a POST,
     such as a text) and shown in place, with the typing put back into its boxes.
     Tabs talk over a BroadcastChannel: only the words "active", "alive", "lock", "unlock", "ended". */
  var ENDED = "Your session has ended. Please sign in again.";
  var ALIVE_EVERY = 60 * 1000;  /* keep-alive at most once a minute while the caseworker is active */
  var SHOUT_EVERY = 1000;       /* tell the other tabs about activity at most once a second */
  var GRACE = 2000;             /* a tab that only heard of activity locks a little later: the busy tab locks */
  var locked = false;
  var ended = false;
  var timer = null;
  var drafts = null;             /* while locked: [{key, value | checked}] typed but not sent */
  var hadFocus = null;          /* while locked: the key of the box the caseworker was in */
  var shown = 0;                /* counts unlocks, so an older page fetch never replaces a newer one */
  var coming = null;            /* after the password, until the page is back: {kept, focusKey} */
  var lastAlive = Date.now();   /* this page's own request just refreshed the login */
  var lastShout = 0;
  var aliveBusy = false;
  var channel = null;

  function lockForm() { return document.getElementById("unlock-form"); }

  function tell(kind) {
    if (channel) { channel.postMessage({ type: kind }); }
  }

  function showError(text) {
    var error = document.getElementById("unlock-error");
    if (error) { error.textContent = text; }
  }

  function restart(grace) {
    var minutes = parseFloat(meta("idle-minutes"));
    if (locked || ended || !minutes) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(lockScreen, minutes * 60 * 1000 + (grace || 0));
  }

  var NOT_TYPED = { hidden: 1, password: 1, submit: 1, button: 1, reset: 1, file: 1, image: 1 };

  /* Every box a caseworker can type in or choose with, each with a key that finds it again on the page
     fetched after the unlock (its form's action, its name, and which one of that pair it is). */
  function boxes(root) {
    var seen = {};
    var found = [];
    Array.prototype.forEach.call(root.querySelectorAll("textarea, select, input"), function (field) {
      if (field.tagName === "INPUT" && NOT_TYPED[field.type]) { return; }
      var form = field.form;
      var base = (form ? form.getAttribute("action") || "" : "") + "\n" + (field.name || field.id || "");
      seen[base] = (seen[base] || 0) + 1;
      found.push({ key: base + "\n" + seen[base], field: field });
    });
    return found;
  }

  /* What was typed or chosen and not sent: only boxes that differ from what the page first held. */
  function typedDrafts(root) {
    var kept = [];
    boxes(root).forEach(function (box) {
      var field = box.field;
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked !== field.defaultChecked) { kept.push({ key: box.key, checked: field.checked }); }
      } else if (field.tagName === "SELECT") {
        var changed = Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
        if (changed) { kept.push({ key: box.key, value: field.value }); }
      } else if (field.value !== field.defaultValue) {
        kept.push({ key: box.key, value: field.value });
      }
    });
    return kept;
  }

  function putBack(root, kept, focusKey) {
    var byKey = {};
    (kept || []).forEach(function (draft) { byKey[draft.key] = draft; });
    boxes(root).forEach(function (box) {
      var draft = byKey[box.key];
      if (draft && "checked" in draft) { box.field.checked = draft.checked; }
      else if (draft) { box.field.value = draft.value; }
      if (focusKey && box.key === focusKey) { box.field.focus(); }
    });
  }

  /* Throw this tab's content away (keeping only unsent typing) and ask for the password; no request. */
  function lockHere() {
    if (locked || !lockForm()) { return; }
    locked = true;
    window.clearTimeout(timer);
    var content = document.getElementById("content");
    var focused = null;
    boxes(content).forEach(function (box) { if (box.field === document.activeElement) { focused = box.key; } });
    hadFocus = focused;
    drafts = typedDrafts(content);
    if (coming) {  /* locked again before the page came back: the typing is still only in memory */
      drafts = coming.kept || [];
      hadFocus = coming.focusKey;
      coming = null;
    }
    while (content.firstChild) { content.removeChild(content.firstChild); }
    document.body.classList.add("locked");
    if (!ended) { showError(""); }
    document.getElementById("idle-lock").hidden = false;
    document.getElementById("unlock-password").focus();
  }

  /* The idle time ran out in this tab: lock it, the server's login and every other tab. */
  function lockScreen() {
    if (locked || ended) { return; }
    lockHere();
    tell("lock");
    post(lockForm().dataset.lock).then(function (response) {
      if (response.status === 401 || response.status === 400) { sessionEnded(); }
    }, function () { /* the server locks an idle login itself, when this browser (or a copy) next asks */ });
  }

  /* The page's content as the server shows it now, fetched by GET and put in place with the unsent typing.
     A page the server no longer shows at this address (a form's answer to a POST, a case since moved on)
     is left for a plain GET of the console's front page: never a reload, which could repeat a POST. */
  function showAgain(kept, focusKey) {
    var mine = ++shown;
    coming = { kept: kept, focusKey: focusKey };
    var home = lockForm().dataset.home || "/caseworker/";
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (mine !== shown || locked || ended) { return; }
        var path = new URL(response.url).pathname;
        if (!response.ok || path === new URL(lockForm().action).pathname
            || path === new URL(lockForm().dataset.signIn, window.location.href).pathname) {
          window.location.assign(response.ok ? response.url : home);
          return;
        }
        return response.text().then(function (html) {
          if (mine !== shown || locked || ended) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("content");
          if (!fresh) { window.location.assign(home); return; }
          coming = null;
          if (response.redirected) { window.history.replaceState(null, "", response.url); }
          var content = document.getElementById("content");
          while (content.firstChild) { content.removeChild(content.firstChild); }
          while (fresh.firstChild) { content.appendChild(document.adoptNode(fresh.firstChild)); }
          reveal();
          putBack(content, kept, focusKey);
        });
      })
      .catch(function () { if (mine === shown && !locked && !ended) { window.location.assign(home); } });
  }

  /* Take the lock screen away once the page is back (not before: no empty page in between). */
  function reveal() {
    document.getElementById("unlock-password").value = "";
    showError("");
    document.getElementById("idle-lock").hidden = true;
    document.body.classList.remove("locked");
  }

  /* The password was accepted (here or in another tab): show the page again, with the unsent typing. */
  function unlockHere() {
    if (!locked || ended) { return; }
    locked = false;
    var kept = drafts;
    var focusKey = hadFocus;
    drafts = null;
    hadFocus = null;
    lastAlive = Date.now();  /* the unlock itself refreshed the login */
    showAgain(kept, focusKey);
    restart();
  }

  /* A case note typed and not saved, among the boxes' unsent typing: {action, text}, or null. */
  function unsavedNote(kept) {
    var found = null;
    (kept || []).forEach(function (draft) {
      var parts = draft.key.split("\n");
      if (/\/case\/[^\/]+\/note$/.test(parts[0]) && parts[1] === "note" && draft.value && draft.value.trim()) {
        found = { action: parts[0], text: draft.value };
      }
    });
    return found;
  }

  /* Send that note as the page's own form would (a POST, then the sign-in page): the server keeps it for this
     caseworker, encrypted with the case, and offers it back when they next open the case. Nothing is kept
     in this browser (no storage, no cookie, no address). */
  function sendNote(note) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = note.action;
    form.hidden = true;
    [["csrf_token", meta("csrf-token")], ["note", note.text]].forEach(function (pair) {
      var field = document.createElement("textarea");
      field.name = pair[0];
      field.value = pair[1];
      form.appendChild(field);
    });
    document.body.appendChild(form);
    form.submit();
  }

  /* The login is over, whatever ended it: the lock's timer stops and what it held in memory is dropped. Returns
     a note that was typed and not saved, for the caller to send to the server to keep. */
  function endLogin() {
    var note = unsavedNote(drafts);
    ended = true;
    drafts = null;
    coming = null;
    hadFocus = null;
    window.clearTimeout(timer);
    return note;
  }

  /* The login is over (idle, nightly lock, 12 hours, signed out): drop the content and go to sign in,
     sending first a note that was typed and not saved, so it is not lost. */
  function sessionEnded(signIn) {
    var form = lockForm();
    if (ended) { return; }
    if (form) { lockHere(); }
    var note = endLogin();
    tell("ended");
    if (form) {
      showError(ENDED);
      Array.prototype.forEach.call(form.elements, function (field) { field.disabled = true; });
    }
    var target = signIn || (form && form.dataset.signIn) || "/caseworker/login";
    /* A GET of the sign-in page (which says why): never a reload, which could repeat a POST. */
    window.setTimeout(function () {
      if (note) { sendNote(note); } else { window.location.assign(target); }
    }, form ? 2500 : 0);
  }

  function answer(response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      return { status: response.status, ok: response.ok, data: data || {} };
    });
  }

  /* A small request while the caseworker is busy, so a long note is not lost to the server's idle end. */
  function keepAlive() {
    var now = Date.now();
    var form = lockForm();
    /* Well inside the idle time, however short it is set: the server locks a login it has not heard from
       for that long, so a caseworker busy on the page must be heard from sooner. */
    var every = Math.min(ALIVE_EVERY, (parseFloat(meta("idle-minutes")) || 1) * 60 * 1000 / 3);
    if (!form || locked || ended || aliveBusy || now - lastAlive < every) { return; }
    aliveBusy = true;
    lastAlive = now;
    tell("alive");
    post(form.dataset.alive).then(answer).then(function (reply) {
      aliveBusy = false;
      if (reply.status === 401 || reply.status === 400) { sessionEnded(reply.data.sign_in); }
      else if (reply.status === 423) { lockHere(); tell("lock"); }
    }, function () { aliveBusy = false; });
  }

  function activity() {
    if (locked || ended) { return; }
    restart();
    keepAlive();
    var now = Date.now();
    if (now - lastShout >= SHOUT_EVERY) { lastShout = now; tell("active"); }
  }

  function heard(event) {
    var kind = event.data && event.data.type;
    if (kind === "active") { restart(GRACE); }
    else if (kind === "alive") { lastAlive = Date.now(); restart(GRACE); }
    else if (kind === "lock") { lockHere(); }
    else if (kind === "unlock") { unlockHere(); }
    else if (kind === "ended") { sessionEnded(); }
  }

  function setUpLock() {
    var form = lockForm();
    if (!form || !meta("idle-minutes")) { return; }
    if (typeof BroadcastChannel === "function") {
      channel = new BroadcastChannel("caseworker-console");
      channel.onmessage = heard;
    }
    ["mousemove", "mousedown", "keydown", "scroll", "touchstart"].forEach(function (name) {
      document.addEventListener(name, activity, { passive: true });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (ended) { return; }
      post(form.action, new FormData(form)).then(answer).then(function (reply) {
        if (reply.ok) { unlockHere(); tell("unlock"); return; }
        /* The unlock view says 401 for a wrong password; the guard says 401 with "ended" for a login
           that is over, and CSRF fails (400) once the login was cleared (signed out in another tab). */
        if (reply.status === 401 && !reply.data.ended) {
          document.getElementById("unlock-password").value = "";
          showError("That password is not right.");
          return;
        }
        if (reply.status === 401 || reply.status === 400) { sessionEnded(reply.data.sign_in); return; }
        /* Any other answer the server gave in words (429: too many wrong passwords, and how long to wait)
           is shown as it is: "could not be reached" would send the caseworker chasing the network. */
        if (reply.data.error) {
          document.getElementById("unlock-password").value = "";
          showError(reply.data.error);
          return;
        }
        showError("The console could not be reached. Please try again.");
      }, function () { showError("The console could not be reached. Please try again."); });
    });
    activity();  /* a page just opened counts as activity for every tab */
  }

  /* ---- the nightly lock is said a few minutes before it falls, so a note can be saved in time ---- */
  var WARN_BEFORE = 5 * 60 * 1000;

  function warnBeforeTheLock() {
    var seconds = parseFloat(meta("lock-in"));
    var warning = document.getElementById("lock-warning");
    if (!warning || isNaN(seconds)) { return; }
    window.setTimeout(function () { if (!ended) { warning.hidden = false; } },
                      Math.max(0, seconds * 1000 - WARN_BEFORE));
    window.setTimeout(nightLock, Math.max(0, seconds * 1000));
  }

  /* The nightly lock fell (policy 8.4): the server refuses this login from now on, so the case must not stay
     on screen until the next request. The content is thrown away as the idle lock does, a neutral screen
     says the console has locked for the night, and a note typed and not saved is sent as the page's own
     form would, for the server to keep (sessionEnded's path). No request otherwise: the page just waits. */
  function nightLock() {
    var night = document.getElementById("night-lock");
    if (ended || !night || !lockForm()) { return; }
    lockHere();  /* keeps only the unsent typing, in memory; already done if the idle lock came first */
    var note = endLogin();
    document.getElementById("idle-lock").hidden = true;
    document.getElementById("lock-warning").hidden = true;
    night.hidden = false;
    document.getElementById("night-lock-title").focus();
    if (note) { window.setTimeout(function () { sendNote(note); }, 2500); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpLock();
    warnBeforeTheLock();
    if (document.getElementById("queue")) {
      /* Looked up each time: the page shown again after an unlock holds a new table. */
      window.setInterval(function () {
        var table = document.getElementById("queue");
        if (table) { pollQueue(table); }
      }, 10000);
    }
  });
})();
