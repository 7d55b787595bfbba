// vidsite live reload: injected into pages by `vidsite serve`, never into built files.
(function () {
  "use strict";
  var here = location.pathname.replace(/index\.html$/, "").replace(/^\/+/, "");
  var key = "vidsite:time:" + here;
  var video = document.querySelector("video");

  if (video) {  // restore the time saved before a reload, once the video can seek
    var saved = sessionStorage.getItem(key);
    if (saved !== null) {
      sessionStorage.removeItem(key);
      var seek = function () { video.currentTime = parseFloat(saved); };
      if (video.readyState >= 1) seek(); else video.addEventListener("loadedmetadata", seek, { once: true });
    }
  }

  function overlay(message) {
    var box = document.getElementById("vidsite-overlay");
    if (!message) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "vidsite-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(15,23,42,.94);color:#fecaca;" +
        "font:16px/1.5 ui-monospace,monospace;padding:48px;white-space:pre-wrap;overflow:auto";
      document.body.appendChild(box);
    }
    box.textContent = "vidsite: the last build failed; this page shows the last good output.\n\n" + message;
  }

  var source = new EventSource("/_vidsite/events");
  source.addEventListener("hello", function (e) { overlay(JSON.parse(e.data).last_error); });
  source.addEventListener("error", function (e) { if (e.data) overlay(JSON.parse(e.data).message); });
  source.addEventListener("built", function (e) {
    var data = JSON.parse(e.data);
    overlay(null);
    var mine = data.pages[here.replace(/\/$/, "")];
    var isIndex = here === "" ;
    if (!mine && !(isIndex && Object.keys(data.pages).length) && !data.files_written) return;
    if (video && mine && video.currentTime > 0 && video.currentTime < mine.unchanged_until) {
      sessionStorage.setItem(key, String(video.currentTime));
    }
    location.reload();
  });
  window.__vidsiteLive = true;
})();
