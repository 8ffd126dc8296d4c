// Embeddable chat for the service's own website: <script src="https://<this host>/widget.js" defer></script>
// Adds a "Chat with us" button that opens the chat in a frame. No cookies, no tracking.
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = new URL(script.src).origin;
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
}());
