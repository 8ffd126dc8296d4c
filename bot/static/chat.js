// The chat page: talks to /api/chat, keeps the session token in sessionStorage only, and offers a
// quick exit (button, or Shift pressed 3 times) that wipes everything and leaves for a neutral site (the
// whole tab, also when the chat is in the widget on the service's website).
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
  var lastSeen = 0;
  var poller = null;

  function quickExit() {
    try { sessionStorage.clear(); } catch (e) { /* storage may be blocked */ }
    chat = null;
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

  function show(message) {
    var item = document.createElement("li");
    item.className = "msg " + message.from;
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = message.from === "parent" ? "You" : message.from === "caseworker" ? "Caseworker" : "Advice bot";
    item.appendChild(who);
    item.appendChild(document.createTextNode(message.text));
    if (message.choices && message.choices.length) {
      var group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Choices");
      message.choices.forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice.label;
        button.addEventListener("click", function () { send(choice.key, choice.label); });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function api(method, path, body) {
    var headers = { "Content-Type": "application/json" };
    if (chat) { headers.Authorization = "Bearer " + chat.token; }
    return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined,
                         credentials: "omit", cache: "no-store" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) { throw new Error(data.error || "Sorry, something went wrong. Please try again."); }
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
    if (!chat) { return; }
    api("GET", "/api/chat/sessions/" + encodeURIComponent(chat.id) + "/messages?after=" + lastSeen)
      .then(function (data) {
        data.messages.forEach(show);
        if (data.last > lastSeen) { lastSeen = data.last; saveChat(); }
      })
      .catch(function () { /* try again next time */ });
  }

  function send(text, label) {
    text = (text || "").trim();
    if (!text) { status.textContent = "Please type a message first."; return; }
    status.textContent = "";
    show({ from: "parent", text: label || text });
    var id = Math.random().toString(36).slice(2) + Date.now().toString(36);
    var attempt = function () {
      return api("POST", "/api/chat/sessions/" + encodeURIComponent(chat.id) + "/messages", { text: text, id: id });
    };
    (chat ? attempt() : start().then(attempt))
      .catch(function (error) {
        if (/ended/.test(error.message)) { return start().then(attempt); }
        throw error;
      })
      .then(function (data) { data.messages.forEach(show); })
      .catch(function (error) { status.textContent = error.message + " Your message was not lost: press Send to try again."; box.value = text; });
  }

  document.getElementById("quick-exit").addEventListener("click", quickExit);
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
    button.addEventListener("click", function () { send(button.getAttribute("data-send"), button.textContent); });
  });

  // Opened at #quick-exit (by the widget, when Shift was pressed 3 times on the service's own page): wipe and
  // leave at once, as the Exit button does, without starting a chat.
  if (window.location.hash === "#quick-exit") { quickExit(); return; }

  var saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { saved = null; }
  if (saved && saved.id && saved.token) {
    chat = { id: saved.id, token: saved.token };
    lastSeen = 0;
    show({ from: "bot", text: "Welcome back. Your chat is still open." });
    poll();
  } else {
    start().catch(function (error) { status.textContent = error.message; });
  }
  poller = setInterval(poll, 5000);
}());
