// vidsite live reload: injected into pages by `vidsite serve`, never into built files.
// A rebuild reloads this page only when the server says its own files changed; the viewer's
// place (time, playing, muted, speed) survives the reload when the video is the same up to there.
(function () {
  "use strict";
  var here = location.pathname.replace(/index\.html$/, "").replace(/^\/+/, "").replace(/\/+$/, "");
  var key = "vidsite:place:" + here;
  var video = document.querySelector("video");

  function restore() {  // the place saved before the reload, once the video can seek
    var raw = sessionStorage.getItem(key);
    if (raw === null || !video) return;
    sessionStorage.removeItem(key);
    var place;
    try { place = JSON.parse(raw); } catch (err) { return; }
    var apply = function () {
      video.muted = !!place.muted;
      video.playbackRate = place.rate || 1;
      var resume = function () {
        if (place.playing) {
          var started = video.play();
          if (started && started.catch) started.catch(function () {});  // autoplay refused: stay paused there
        }
        window.__vidsiteRestored = place;
      };
      if (Math.abs(video.currentTime - place.time) < 0.01) { resume(); return; }
      video.addEventListener("seeked", resume, { once: true });
      video.currentTime = place.time;
    };
    if (video.readyState >= 1) apply(); else video.addEventListener("loadedmetadata", apply, { once: true });
  }
  restore();

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
    var mine = data.pages[here];
    if (!mine) {  // another page, or the same bytes again: leave the viewer alone
      window.__vidsiteSkipped = (window.__vidsiteSkipped || 0) + 1;
      return;
    }
    var until = mine.unchanged_until === null ? Infinity : mine.unchanged_until;
    if (video && video.currentTime > 0 && video.currentTime <= until) {
      sessionStorage.setItem(key, JSON.stringify({
        time: video.currentTime, playing: !video.paused && !video.ended, muted: video.muted, rate: video.playbackRate
      }));
    }
    location.reload();
  });
  window.__vidsiteLive = true;
})();
