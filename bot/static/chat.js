// The chat page: talks to /api/chat, keeps the session token in sessionStorage only, and offers a
// quick exit (button, or Shift pressed 3 times) that wipes everything, ends the chat on the server and leaves
// for a neutral site (the whole tab, also when the chat is in the widget on the service's website).
// A chat kept in this tab's storage (the tab reopened or duplicated, Back, a reload) is shown again only when
// the person at the screen now says it is theirs: on a shared computer that may be someone else.
(function () {
  "use strict";
  // The neutral site: QUICK_EXIT_URL when the service set its own (rendered on <body>), else this default.
  var EXIT_URL = document.body.getAttribute("data-exit-url") || "https://www.bbc.co.uk/weather";
  var KEY = "intake-chat";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var box = document.getElementById("message");
  var status = document.getElementById("status");
  var chat = null;
  var pending = null;  // a chat from earlier in this tab, not shown or used until the person here carries it on
  var lastSeen = 0;
  var poller = null;
  var resuming = false;  // carrying on fetches the replies so far itself: the poll must not show them twice
  var controls = document.getElementById("controls");
  var resumeBox = document.getElementById("resume");

  function savedChat() {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { saved = null; }
    return saved && saved.id && saved.token ? { id: saved.id, token: saved.token } : null;
  }

  // End the chat on the server too, so neither a restored tab nor anyone who copied the token reads the
  // caseworker's replies or posts as the parent. A beacon is sent even as the page unloads, and nothing waits
  // for it. It cannot set headers, so the token goes in the body (never in the address, which logs keep).
  function endOnServer(ending) {
    if (!ending) { return; }
    var url = "/api/chat/sessions/" + encodeURIComponent(ending.id) + "/end";
    var body = new URLSearchParams({ token: ending.token });
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(url, body)) { return; }
    } catch (e) { /* fall through to fetch */ }
    try {
      fetch(url, { method: "POST", body: body, keepalive: true, credentials: "omit", cache: "no-store" })
        .catch(function () { /* the chat still ends when its lifetime runs out */ });
    } catch (e) { /* as above */ }
  }

  // What both the quick exit and "Delete this chat" leave behind in the browser: nothing. The token goes, so a
  // reload or a restored tab neither says "Welcome back" nor fetches the caseworker's replies again.
  function forgetChat() {
    try { sessionStorage.clear(); } catch (e) { /* storage may be blocked */ }
    chat = null;
    lastSeen = 0;
  }

  function quickExit() {
    endOnServer(chat || pending || savedChat());
    pending = null;
    forgetChat();
    if (poller) { clearInterval(poller); }
    document.body.innerHTML = "";
    document.title = "Weather";
    if (window.top === window) { window.location.replace(EXIT_URL); return; }
    // In the widget on the service's own website: leaving only this frame would leave that site on screen.
    // The widget (widget.js) removes the frame and sends the whole tab to the exit site. The message names
    // nothing but the exit address, so any page may receive it; the widget checks who sent it.
    var exit = new URL(EXIT_URL, window.location.href).href;
    window.parent.postMessage({ type: "intake-quick-exit", url: exit }, "*");
    // A host page without the widget (or an old copy of it) never answers: leave the whole tab if the browser
    // lets a frame do that, else at least this frame.
    setTimeout(function () {
      try { window.top.location.replace(exit); } catch (e) { window.location.replace(exit); }
    }, 500);
  }

  function saveChat() {
    try { sessionStorage.setItem(KEY, JSON.stringify({ id: chat.id, token: chat.token, last: lastSeen })); } catch (e) { /* memory only */ }
  }

  // The choices of the newest question on screen: the only ones that still answer anything. Once a newer question
  // is shown, or one of them is used, a question's buttons are retired: an old "Yes" must never answer a later
  // question. The server refuses one that gets through anyway (another tab): it knows where the chat is.
  var latest = null;
  var latestQuestion = null;  // the id the server gave the newest question (sent back with its choices)

  function retire(group, chosen) {
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (button) {
      button.disabled = true;  // out of the Tab order, and announced as unavailable
      button.setAttribute("aria-disabled", "true");
      if (button === chosen) {
        button.classList.add("chosen");
        var said = document.createElement("span");
        said.className = "visually-hidden";
        said.textContent = " (chosen)";
        button.appendChild(said);
      }
    });
    group.classList.add("used");
    if (latest === group) { latest = null; }
  }

  function retireAll() {
    Array.prototype.forEach.call(log.querySelectorAll(".choices:not(.used)"), function (group) { retire(group, null); });
  }

  // A choice that was not sent (no connection): the question is still the newest, so it works again.
  function revive(group) {
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (button) {
      button.disabled = false;
      button.removeAttribute("aria-disabled");
      button.classList.remove("chosen");
      Array.prototype.forEach.call(button.querySelectorAll(".visually-hidden"), function (s) { button.removeChild(s); });
    });
    group.classList.remove("used");
    latest = group;
  }

  // The newest message whole, below the header, and the message box under it too when both fit: on a small
  // phone the sticky header would otherwise hide the top of a long question.
  function reveal(item) {
    var header = document.querySelector(".top").getBoundingClientRect().bottom;
    var place = item.getBoundingClientRect();
    var room = window.innerHeight;
    var end = Math.max(place.bottom, controls.hidden ? 0 : box.getBoundingClientRect().bottom) + 8;
    var by = Math.min(end - room, place.top - header - 8);  // never scroll the message's top under the header
    if (place.bottom + 8 > room || place.top < header || by > 0) { window.scrollBy(0, by); }
  }

  function show(message) {
    var item = document.createElement("li");
    item.className = "msg " + message.from;
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = message.from === "parent" ? "You" : message.from === "caseworker" ? "Caseworker" : "Advice bot";
    item.appendChild(who);
    item.appendChild(document.createTextNode(message.text));
    var choices = message.choices && message.choices.length ? message.choices : null;
    if (message.from === "bot" && (choices || message.asks)) { retireAll(); }
    if (choices) {
      var group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Choices");
      choices.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.label;
        button.addEventListener("click", function (event) {
          if (button.disabled || group !== latest) { return; }
          retire(group, button);
          // detail 0: Enter or Space (or a screen reader's press), not a pointer: focus is then moved on for them.
          send(choice.key, choice.label, { question: message.question, group: group, keyboard: event.detail === 0 });
        });
        group.appendChild(button);
      });
      item.appendChild(group);
      latest = group;
      latestQuestion = message.question || null;
    }
    log.appendChild(item);
    reveal(item);
    return item;
  }

  // After a choice from the keyboard, focus goes on to the new question's first choice, or to the message box
  // when the reply asks for words: never left on a button that would answer the next question. Focus the person
  // has moved elsewhere meanwhile stays there. The log region still announces the reply itself.
  function moveFocus(before, from) {
    var now = document.activeElement;
    var free = !now || now === document.body || now === box || now === from || now.disabled;
    if (!free) { return; }
    var next = latest && latest !== before ? latest.querySelector("button:not([disabled])") : null;
    if (next) { next.focus({ preventScroll: true }); } else if (!from) { box.focus({ preventScroll: true }); }
  }

  function api(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (chat) { headers.Authorization = "Bearer " + chat.token; }
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
                         credentials: "omit", cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            var failed = new Error(data.error || "Sorry, something went wrong. Please try again.");
            failed.stale = data.stale === true;
            throw failed;
          }
          return data;
        });
      });
  }

  function start() {
    return api("POST", "/api/chat/sessions").then(function (data) {
      chat = { id: data.session_id, token: data.token };
      lastSeen = 0;
      saveChat();
      data.messages.forEach(show);
    });
  }

  function poll() {
    if (!chat || resuming) { return; }
    var asked = chat;
    api("GET", "/api/chat/sessions/" + encodeURIComponent(chat.id) + "/messages?after=" + lastSeen)
      .then(function (data) {
        if (chat !== asked) { return; }  // the chat was deleted while this was on its way: show none of it
        data.messages.forEach(show);
        if (data.last > lastSeen) { lastSeen = data.last; saveChat(); }
      })
      .catch(function () { /* try again next time */ });
  }

  function newId() {
    return Math.random().toString(36).slice(2) + Date.now().toString(36);
  }

  // FORGET ended the chat on the server (the button, or the word typed): clear the conversation from this page
  // and the browser as the quick exit does, but stay, showing only what the service said about the deletion.
  function ended(messages) {
    forgetChat();
    closeConfirm(false);
    log.textContent = "";
    latest = null;
    box.value = "";
    status.textContent = "";
    messages.forEach(show);
    box.focus();
  }

  // "Delete this chat" asks first, on the page (no browser pop-up): it withdraws an enquiry sent from here.
  var deleteButton = document.getElementById("delete-chat");
  var confirmBox = document.getElementById("delete-confirm");

  function openConfirm() {
    confirmBox.hidden = false;
    deleteButton.setAttribute("aria-expanded", "true");
    document.getElementById("delete-no").focus();  // the safe choice first; the question is the group's label
  }

  function closeConfirm(refocus) {
    confirmBox.hidden = true;
    deleteButton.setAttribute("aria-expanded", "false");
    if (refocus) { deleteButton.focus(); }
  }

  function deleteChat() {
    var done = [{ from: "bot", text: confirmBox.getAttribute("data-done"), choices: [] }];
    if (!chat) { ended(done); return; }  // nothing was ever sent from this page: only the page to clear
    status.textContent = "";
    api("POST", "/api/chat/sessions/" + encodeURIComponent(chat.id) + "/messages", { text: "FORGET", id: newId() })
      .then(function (data) {
        if (data.ended) { ended(data.messages.length ? data.messages : done); } else { data.messages.forEach(show); }
      })
      .catch(function (error) {
        if (/ended/.test(error.message)) { ended([{ from: "bot", text: error.message, choices: [] }]); return; }
        status.textContent = error.message;
      });
  }

  // `via`: the choice (its question and buttons) or shortcut it came from, and whether from the keyboard.
  function send(text, label, via) {
    via = via || {};
    text = (text || "").trim();
    if (!text) { status.textContent = "Please type a message first."; return; }
    status.textContent = "";
    var before = latest;
    var echo = show({ from: "parent", text: label || text });
    var id = newId();
    var body = { text: text, id: id };
    if (via.question) { body.question = via.question; }
    // Typed (or a shortcut) while a question's buttons are on screen: the answer says whether it still stands.
    var shown = !via.question && latest ? latest : null;
    if (shown && latestQuestion) { body.shown = latestQuestion; }
    var attempt = function () {
      return api("POST", "/api/chat/sessions/" + encodeURIComponent(chat.id) + "/messages", body);
    };
    (chat ? attempt() : start().then(attempt))
      .catch(function (error) {
        if (/ended/.test(error.message)) { return start().then(attempt); }
        throw error;
      })
      .then(function (data) {
        if (data.ended) { ended(data.messages); return; }
        data.messages.forEach(show);
        // Answered by typing ("yes" at the summary): its buttons go too. After PRIVACY the question stands.
        if (shown && shown === latest && data.at && data.at !== latestQuestion) { retire(shown, null); }
        if (via.keyboard) { moveFocus(before, via.from); }
      })
      .catch(function (error) {
        if (error.stale) {  // the chat had moved on from that question: nothing was sent
          if (echo.parentNode) { log.removeChild(echo); }
          status.textContent = error.message;
          if (via.keyboard) { moveFocus(before, via.from); }
          return;
        }
        if (via.group) {  // a choice not sent: the same question can be answered again
          if (latest === null && via.group.parentNode) { revive(via.group); }  // unless a newer one came meanwhile
          status.textContent = error.message + " Your answer was not sent: please choose again.";
          var again = via.group.querySelector("button");
          if (via.keyboard && again && !again.disabled) { again.focus(); }
          return;
        }
        status.textContent = error.message + " Your message was not lost: press Send to try again.";
        box.value = text;
      });
  }

  document.getElementById("quick-exit").addEventListener("click", quickExit);
  deleteButton.addEventListener("click", function () {
    if (confirmBox.hidden) { openConfirm(); } else { closeConfirm(true); }
  });
  document.getElementById("delete-yes").addEventListener("click", deleteChat);
  document.getElementById("delete-no").addEventListener("click", function () { closeConfirm(true); });
  confirmBox.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeConfirm(true); }
  });
  var shifts = [];
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { shifts = []; return; }
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 1500; });
    shifts.push(now);
    if (shifts.length >= 3) { quickExit(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = box.value;
    box.value = "";
    send(text);
    box.focus();
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-send]"), function (button) {
    button.addEventListener("click", function (event) {
      send(button.getAttribute("data-send"), button.textContent, { from: button, keyboard: event.detail === 0 });
    });
  });

  // Opened at #quick-exit (by the widget, when Shift was pressed 3 times on the service's own page): wipe and
  // leave at once, as the Exit button does, without starting a chat.
  if (window.location.hash === "#quick-exit") { quickExit(); return; }

  // Carry on: the caseworker's replies so far are fetched again (the page kept none of them), so a parent whose
  // phone reloaded the page loses nothing they were told. A chat that has ended meanwhile gives way to a new one.
  function carryOn() {
    var kept = pending;
    closeResume();
    if (!kept) { return; }
    chat = kept;
    lastSeen = 0;
    resuming = true;
    api("GET", "/api/chat/sessions/" + encodeURIComponent(kept.id) + "/messages?after=0")
      .then(function (data) {
        resuming = false;
        if (chat !== kept) { return; }
        show({ from: "bot", text: resumeBox.getAttribute("data-welcome") });
        data.messages.forEach(show);
        lastSeen = data.last;
        saveChat();
      })
      .catch(function (error) {
        resuming = false;
        if (chat !== kept) { return; }
        if (!/ended/.test(error.message)) { status.textContent = error.message; return; }  // poll() tries again
        forgetChat();
        show({ from: "bot", text: resumeBox.getAttribute("data-gone") });
        start().catch(function (e) { status.textContent = e.message; });
      });
    box.focus();
  }

  // Not theirs (or not wanted): the earlier chat ends and a new one starts; nothing of the old one was shown.
  function startAfresh() {
    var kept = pending;
    closeResume();
    endOnServer(kept);
    forgetChat();
    start().catch(function (error) { status.textContent = error.message; });
    box.focus();
  }

  function askToResume(kept) {
    pending = kept;
    chat = null;
    lastSeen = 0;
    log.textContent = "";
    latest = null;
    status.textContent = "";
    closeConfirm(false);
    controls.hidden = true;  // nothing can be sent in the earlier chat, or a new one started, before choosing
    resumeBox.hidden = false;
    document.getElementById("resume-yes").focus();
  }

  function closeResume() {
    pending = null;
    resumeBox.hidden = true;
    controls.hidden = false;
  }

  document.getElementById("resume-yes").addEventListener("click", carryOn);
  document.getElementById("resume-no").addEventListener("click", startAfresh);

  // Leaving the page with a chat on it (a link, another address, a reload): the conversation goes from the
  // page before the browser may keep it for Back, and coming Back asks first as a reopened tab does.
  window.addEventListener("pagehide", function () {
    if (chat) { askToResume(chat); }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && pending) { document.getElementById("resume-yes").focus(); }
  });

  var saved = savedChat();
  if (saved) {
    askToResume(saved);
  } else {
    start().catch(function (error) { status.textContent = error.message; });
  }
  poller = setInterval(poll, 5000);
}());
