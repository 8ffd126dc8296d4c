// Embeddable chat for the service's own website: <script src="https://<this host>/widget.js" defer></script>
// Adds a "Chat with us" button that opens the chat in a frame. No cookies, no tracking.
// Quick exit in the chat (its button, or Shift 3 times) must take the whole tab away from the service's site,
// not just the frame: the chat asks this page to, and this page removes the chat and leaves for the exit site.
// Shift 3 times on this page itself is the same quick exit, chat wiped too (see quickExit below).
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  var FALLBACK_EXIT = "https://www.bbc.co.uk/weather";  // the chat names the service's own exit site
  var EXIT_WAIT = 1000;  // ms the chat has to wipe itself and answer before the tab leaves for FALLBACK_EXIT
  var button = document.createElement("button");
  button.type = "button";
  button.textContent = "Chat with us";
  button.setAttribute("aria-expanded", "false");
  button.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:99999;padding:.7rem 1rem;font:700 1rem system-ui,sans-serif;background:#1d3557;color:#fff;border:2px solid #fff;border-radius:6px;cursor:pointer";
  var frame = null;
  button.addEventListener("click", function () {
    if (frame) {
      frame.remove(); frame = null; button.setAttribute("aria-expanded", "false"); button.textContent = "Chat with us"; return;
    }
    frame = document.createElement("iframe");
    frame.src = origin + "/";
    frame.title = "Chat with the SEND advice service";
    frame.referrerPolicy = "no-referrer";
    frame.style.cssText = "position:fixed;right:1rem;bottom:4.5rem;z-index:99999;width:min(26rem,calc(100vw - 2rem));height:min(38rem,calc(100vh - 6rem));border:2px solid #1d3557;border-radius:8px;background:#fff";
    document.body.appendChild(frame);
    button.setAttribute("aria-expanded", "true");
    button.textContent = "Close chat";
  });
  document.body.appendChild(button);

  function exitAddress(url) {
    // Only a web address: never a javascript: or data: URL, whoever managed to send it.
    try {
      var parsed = new URL(String(url));
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : FALLBACK_EXIT;
    } catch (e) { return FALLBACK_EXIT; }
  }

  function hide() {
    document.documentElement.style.visibility = "hidden";  // nothing of this site shows while the exit loads
    document.title = "";
  }

  var left = false;
  function leave(exit) {
    if (left) { return; }  // the first exit asked for stands: a later one must not redirect a slow exit site
    left = true;
    if (frame) { frame.remove(); frame = null; }  // the chat goes first, with nothing of it left in this tab's history
    button.remove();
    hide();
    window.location.replace(exit);  // replace: Back does not come back to this page
  }

  window.addEventListener("message", function (event) {
    // Only our own chat frame may ask: another frame or script on the page cannot send the visitor away.
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin) { return; }
    var data = event.data;
    if (!data || data.type !== "intake-quick-exit") { return; }
    leave(exitAddress(data.url));
  });

  // Shift 3 times on this page (keys pressed in the chat stay in its frame, which has its own quick exit).
  // What the parent typed in the chat is kept for this tab under the chat's own address (its session token,
  // also after "Close chat"), where only a page of the chat can wipe it; and only the chat knows the service's
  // exit site. So the chat is opened at #quick-exit, out of sight: it wipes itself and asks this page to leave,
  // as after its own Exit button. If it cannot answer in time, the tab leaves anyway, for FALLBACK_EXIT.
  var exiting = false;
  function quickExit() {
    if (exiting) { return; }
    exiting = true;
    hide();
    if (frame) { frame.remove(); }
    frame = document.createElement("iframe");
    frame.hidden = true;
    frame.referrerPolicy = "no-referrer";
    frame.src = origin + "/#quick-exit";
    document.body.appendChild(frame);
    window.setTimeout(function () { leave(FALLBACK_EXIT); }, EXIT_WAIT);
  }

  var shifts = [];
  window.addEventListener("keyup", function (event) {  // capture: the page's own handlers cannot swallow it
    if (event.key !== "Shift") { shifts = []; return; }  // Shift for capitals is typing, not an exit
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 1500; });
    shifts.push(now);
    if (shifts.length >= 3) { quickExit(); }
  }, true);
}());
