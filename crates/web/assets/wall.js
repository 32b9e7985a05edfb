// The wall display (wall.html): the clock and the filing countdown tick every second; the body
// is asked for again every 30 seconds and swapped in whole. While the server is away (a restart,
// the network) the last body stays on screen, marked with the time it was fetched, and the
// next attempt comes at the same pace. A wall opened by a link that has since been revoked or
// has expired (410), or is not known (404), stops asking and says so in place of the figures.
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

  var timer = null;

  // The server's own words (its refusal page's heading and sentence), read as text only.
  function gone(html) {
    if (timer !== null) { clearInterval(timer); timer = null; }
    var title = "大屏链接已失效";
    var why = "此大屏链接已被撤销或已过有效期，不再显示数据。";
    if (window.DOMParser) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var h = doc.querySelector("h1");
      var p = doc.querySelector("main p");
      if (h && h.textContent) { title = h.textContent; }
      if (p && p.textContent) { why = p.textContent; }
    }
    var h1 = document.createElement("h1");
    h1.textContent = title;
    var para = document.createElement("p");
    para.textContent = why;
    wall.className = "wall-gone";
    wall.setAttribute("role", "alert");
    wall.innerHTML = "";
    wall.appendChild(h1);
    wall.appendChild(para);
    stale.hidden = true;
  }

  function refresh() {
    if (!window.fetch) { return; }
    fetch(wall.getAttribute("data-refresh"), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (r.status === 410 || r.status === 404) {
          return r.text().then(function (html) { gone(html); return null; });
        }
        if (r.redirected || !r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        if (html === null) { return; }
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
  timer = setInterval(refresh, EVERY_MS);
})();
