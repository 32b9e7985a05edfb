// The project map (map.html): pan by dragging, arrow keys or the arrow links; zoom with the
// wheel, two fingers, +/− or the links; a project's dot opens its card, a cluster zooms onto
// it. The server draws every view (/map.svg); this script only asks for the next one and moves
// the current picture meanwhile. Without it the map's links do the same by loading pages.
(function () {
  "use strict";
  var frame = document.getElementById("project-map");
  if (!frame || !window.fetch) { return; }
  var canvas = frame.querySelector(".map-canvas");
  var card = frame.querySelector(".map-card");
  var count = document.querySelector("#map-count .map-count-text");
  var TILE = 256, MIN_ZOOM = 3, MAX_ZOOM = 18, MAX_LAT = 85.0511287798066;
  var view = null;
  var pending = null;

  function svg() { return canvas.querySelector("svg"); }

  function readView() {
    var s = svg();
    if (!s) { return null; }
    return {
      lon: parseFloat(s.getAttribute("data-lon")),
      lat: parseFloat(s.getAttribute("data-lat")),
      zoom: parseInt(s.getAttribute("data-zoom"), 10),
      w: parseInt(s.getAttribute("width"), 10),
      h: parseInt(s.getAttribute("height"), 10)
    };
  }

  // Web Mercator, as the server's domain::map computes it.
  function worldPx(lon, lat, zoom) {
    var size = TILE * Math.pow(2, zoom);
    var r = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * Math.PI / 180;
    return [(lon + 180) / 360 * size, (1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2 * size];
  }
  function fromWorld(x, y, zoom) {
    var size = TILE * Math.pow(2, zoom);
    var n = Math.PI * (1 - 2 * y / size);
    return [x / size * 360 - 180, Math.atan(Math.sinh(n)) * 180 / Math.PI];
  }

  // The size the map should be drawn at: the frame's width, a shape that suits the screen.
  function wanted() {
    var w = Math.max(240, Math.min(2560, Math.round(canvas.clientWidth)));
    var h = Math.round(w * (w < 600 ? 1.15 : 0.62));
    return { w: w, h: Math.max(200, Math.min(1600, h)) };
  }

  function setTransform(t) {
    var s = svg();
    if (s) { s.style.transform = t; s.style.transformOrigin = "0 0"; }
  }

  // Asks for a view; `at` is null to let the server fit the projects.
  function load(at) {
    var size = wanted();
    var url = frame.getAttribute("data-svg") + "&w=" + size.w + "&h=" + size.h;
    var page = frame.getAttribute("data-page");
    if (at) {
      var tail = "&lon=" + at.lon.toFixed(6) + "&lat=" + at.lat.toFixed(6) + "&zoom=" + at.zoom;
      url += tail;
      page += tail;
    }
    var ticket = {};
    pending = ticket;
    frame.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "image/svg+xml" } })
      .then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (text) {
        if (pending !== ticket) { return; }
        canvas.innerHTML = text;
        view = readView();
        var desc = canvas.querySelector("desc");
        if (count && desc) { count.textContent = desc.textContent; }
        if (window.history && history.replaceState) { history.replaceState(null, "", page); }
      })
      .catch(function () {
        // Keep the picture; put it back where it was so it does not lie about the view.
        setTransform("");
      })
      .then(function () {
        if (pending === ticket) { frame.removeAttribute("aria-busy"); pending = null; }
      });
  }

  function clampZoom(z) { return Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z)); }

  // The view moved by (dx, dy) drawing pixels.
  function panBy(dx, dy) {
    var c = worldPx(view.lon, view.lat, view.zoom);
    var ll = fromWorld(c[0] + dx, c[1] + dy, view.zoom);
    return { lon: ll[0], lat: ll[1], zoom: view.zoom };
  }

  // The view zoomed by `steps` keeping the point at drawing pixel (px, py) where it is.
  function zoomAbout(steps, px, py) {
    var zoom = clampZoom(view.zoom + steps);
    if (zoom === view.zoom) { return null; }
    var c = worldPx(view.lon, view.lat, view.zoom);
    var ox = c[0] - view.w / 2, oy = c[1] - view.h / 2;
    var f = Math.pow(2, zoom - view.zoom);
    var wx = (ox + px) * f, wy = (oy + py) * f;
    var ll = fromWorld(wx - (px - view.w / 2), wy - (py - view.h / 2), zoom);
    return { lon: ll[0], lat: ll[1], zoom: zoom };
  }

  // Drawing pixels per screen pixel.
  function scale() {
    var s = svg();
    var shown = s ? s.getBoundingClientRect().width : 0;
    return shown > 0 ? view.w / shown : 1;
  }

  function toDrawing(clientX, clientY) {
    var r = svg().getBoundingClientRect();
    var k = scale();
    return [(clientX - r.left) * k, (clientY - r.top) * k];
  }

  function paramsOf(href) {
    var q = href.split("?")[1] || "";
    var out = {};
    q.split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) { out[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); }
    });
    return out;
  }

  function showCard(a) {
    card.querySelector("h2").textContent = a.getAttribute("data-name") || "";
    var ul = card.querySelector("ul");
    ul.textContent = "";
    (a.getAttribute("data-lines") || "").split("\n").forEach(function (line) {
      if (!line) { return; }
      var li = document.createElement("li");
      li.textContent = line;
      ul.appendChild(li);
    });
    card.querySelector(".map-card-link").setAttribute("href", a.getAttribute("href"));
    card.hidden = false;
    card.querySelector(".map-card-link").focus();
  }

  // Pointers: one drags, two pinch.
  var pointers = {};
  var gesture = null;
  var suppressClick = false;

  function pointerList() { return Object.keys(pointers).map(function (k) { return pointers[k]; }); }
  function spread(ps) { return Math.hypot(ps[0].x - ps[1].x, ps[0].y - ps[1].y); }

  canvas.addEventListener("pointerdown", function (e) {
    if (!view || (e.pointerType === "mouse" && e.button !== 0)) { return; }
    // A new gesture: a drag that ended without a click (a touch) must not swallow this tap.
    suppressClick = false;
    pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
    var ps = pointerList();
    if (ps.length === 1) {
      gesture = { kind: "drag", x: e.clientX, y: e.clientY, dx: 0, dy: 0, moved: false };
    } else if (ps.length === 2) {
      var mid = [(ps[0].x + ps[1].x) / 2, (ps[0].y + ps[1].y) / 2];
      gesture = { kind: "pinch", start: spread(ps), ratio: 1, mid: mid, moved: true };
    }
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!gesture || !pointers[e.pointerId]) { return; }
    pointers[e.pointerId] = { x: e.clientX, y: e.clientY };
    if (gesture.kind === "drag") {
      gesture.dx = e.clientX - gesture.x;
      gesture.dy = e.clientY - gesture.y;
      if (!gesture.moved && Math.hypot(gesture.dx, gesture.dy) > 5) {
        gesture.moved = true;
        try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* not capturable */ }
      }
      if (gesture.moved) {
        setTransform("translate(" + gesture.dx + "px," + gesture.dy + "px)");
        e.preventDefault();
      }
    } else {
      var ps = pointerList();
      if (ps.length < 2) { return; }
      gesture.ratio = spread(ps) / gesture.start;
      var r = svg().getBoundingClientRect();
      var mx = gesture.mid[0] - r.left, my = gesture.mid[1] - r.top;
      setTransform("translate(" + mx + "px," + my + "px) scale(" + gesture.ratio + ") translate(" + (-mx) + "px," + (-my) + "px)");
      e.preventDefault();
    }
  });
  function release(e) {
    if (!pointers[e.pointerId]) { return; }
    delete pointers[e.pointerId];
    if (!gesture) { return; }
    var g = gesture;
    if (g.kind === "pinch" && pointerList().length > 0) { return; }
    gesture = null;
    pointers = {};
    if (g.kind === "drag" && g.moved) {
      suppressClick = true;
      var k = scale();
      load(panBy(-g.dx * k, -g.dy * k));
    } else if (g.kind === "pinch") {
      suppressClick = true;
      var steps = Math.round(Math.log(g.ratio) / Math.LN2);
      var p = toDrawing(g.mid[0], g.mid[1]);
      var next = steps ? zoomAbout(steps, p[0], p[1]) : null;
      if (next) { load(next); } else { setTransform(""); }
    }
  }
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);

  canvas.addEventListener("click", function (e) {
    if (suppressClick) {
      suppressClick = false;
      e.preventDefault();
      return;
    }
    var a = e.target.closest ? e.target.closest("a") : null;
    if (!a || !view) { return; }
    if (a.classList.contains("pt")) {
      e.preventDefault();
      showCard(a);
    } else if (a.classList.contains("cluster")) {
      e.preventDefault();
      var q = paramsOf(a.getAttribute("href"));
      load({ lon: parseFloat(q.lon), lat: parseFloat(q.lat), zoom: parseInt(q.zoom, 10) });
    }
  });

  canvas.addEventListener("dblclick", function (e) {
    if (!view) { return; }
    e.preventDefault();
    var p = toDrawing(e.clientX, e.clientY);
    var next = zoomAbout(1, p[0], p[1]);
    if (next) { load(next); }
  });

  var lastWheel = 0;
  canvas.addEventListener("wheel", function (e) {
    if (!view) { return; }
    e.preventDefault();
    var now = Date.now();
    if (now - lastWheel < 250 || e.deltaY === 0) { return; }
    lastWheel = now;
    var p = toDrawing(e.clientX, e.clientY);
    var next = zoomAbout(e.deltaY < 0 ? 1 : -1, p[0], p[1]);
    if (next) { load(next); }
  }, { passive: false });

  function move(key) {
    if (!view) { return false; }
    var stepX = view.w / 3, stepY = view.h / 3;
    var next = null;
    switch (key) {
      case "ArrowLeft": next = panBy(-stepX, 0); break;
      case "ArrowRight": next = panBy(stepX, 0); break;
      case "ArrowUp": next = panBy(0, -stepY); break;
      case "ArrowDown": next = panBy(0, stepY); break;
      case "+": case "=": next = zoomAbout(1, view.w / 2, view.h / 2); break;
      case "-": case "_": next = zoomAbout(-1, view.w / 2, view.h / 2); break;
      case "0": load(null); return true;
      default: return false;
    }
    if (next) { load(next); }
    return true;
  }

  frame.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !card.hidden) {
      card.hidden = true;
      frame.focus();
      return;
    }
    if (e.target !== frame || e.altKey || e.ctrlKey || e.metaKey) { return; }
    if (move(e.key)) { e.preventDefault(); }
  });

  frame.querySelectorAll(".map-moves a").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (move(a.getAttribute("data-key"))) { e.preventDefault(); }
    });
  });

  card.querySelector(".map-card-close").addEventListener("click", function () {
    card.hidden = true;
    frame.focus();
  });

  view = readView();
  // Drawn for a desktop-sized box: ask again at this screen's size (refitting unless the
  // address names a view).
  if (view) {
    var size = wanted();
    if (Math.abs(size.w - view.w) > view.w * 0.15 || Math.abs(size.h - view.h) > view.h * 0.15) {
      load(/[?&]zoom=/.test(location.search) ? { lon: view.lon, lat: view.lat, zoom: view.zoom } : null);
    }
  }
})();
