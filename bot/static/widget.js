// Embeddable chat for the service's own website: <script src="https://<this host>/widget.js" defer></script>
// Adds a "Chat with us" button that opens the chat in a frame. No cookies, no tracking.
// Quick exit in the chat (its button, or Shift 3 times) must take the whole tab away from the service's site,
// not just the frame: the chat asks this page to, and this page removes the chat and leaves for the exit site.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  var FALLBACK_EXIT = "https://www.bbc.co.uk/weather";  // the chat names the service's own exit site
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

  window.addEventListener("message", function (event) {
    // Only our own chat frame may ask: another frame or script on the page cannot send the visitor away.
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin) { return; }
    var data = event.data;
    if (!data || data.type !== "intake-quick-exit") { return; }
    var exit = exitAddress(data.url);
    frame.remove(); frame = null;  // the chat goes first, with nothing of it left in this tab's history
    button.remove();
    document.documentElement.style.visibility = "hidden";  // nothing of this site shows while the exit loads
    document.title = "";
    window.location.replace(exit);  // replace: Back does not come back to this page
  });
}());
