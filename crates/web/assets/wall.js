// The wall display (wall.html): the clock and the filing countdown tick every second; the body
// is asked for again every 30 seconds and swapped in whole. While the server is away (a restart,
// the network) the last body stays on screen, marked with the time it was fetched, and the
// next attempt comes at the same pace.
(function () {
  "use strict";
  var wall = document.getElementById("wall");
  var stale = document.getElementById("wall-stale");
  if (!wall) { return; }
  var EVERY_MS = 30000;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var now = new Date();
    // Beijing time (+08:00) whatever the display machine's zone, as the server writes it.
    var bj = new Date(now.getTime() + 8 * 3600 * 1000);
    var clock = document.getElementById("wall-clock");
    if (clock) { clock.textContent = pad(bj.getUTCHours()) + ":" + pad(bj.getUTCMinutes()) + ":" + pad(bj.getUTCSeconds()); }
    var c = wall.querySelector(".wall-countdown");
    if (c) {
      var left = Date.parse(c.getAttribute("data-deadline")) - now.getTime();
      if (isNaN(left)) { return; }
      if (left <= 0) { c.textContent = "已截止"; return; }
      var s = Math.floor(left / 1000);
      var days = Math.floor(s / 86400);
      c.textContent = "还剩 " + (days > 0 ? days + " 天 " : "") + pad(Math.floor(s % 86400 / 3600)) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60);
    }
  }

  function refresh() {
    if (!window.fetch) { return; }
    fetch(wall.getAttribute("data-refresh"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.redirected || !r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        wall.innerHTML = html;
        stale.hidden = true;
        tick();
      })
      .catch(function () {
        var updated = document.getElementById("wall-updated");
        stale.textContent = "连接中断，显示的是 " + (updated ? updated.textContent : "") + " 的数据，正在重试";
        stale.hidden = false;
      });
  }

  tick();
  setInterval(tick, 1000);
  setInterval(refresh, EVERY_MS);
})();
