(function () {
  "use strict";
  // Copy buttons: the text of the element named by data-copy.
  function copied(btn) {
    btn.textContent = "Copied";
    setTimeout(function () { btn.textContent = "Copy"; }, 1500);
  }
  function selectAndCopy(btn, el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    try { if (document.execCommand("copy")) { copied(btn); return; } } catch (e) { /* fall through */ }
    btn.textContent = "Press Ctrl+C";
  }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (btn) {
    var el = document.getElementById(btn.getAttribute("data-copy"));
    if (!el) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(el.textContent).then(function () { copied(btn); },
          function () { selectAndCopy(btn, el); });
      } else {
        selectAndCopy(btn, el);
      }
    });
  });

  // Search and filters over the embedded index (index page only).
  var holder = document.getElementById("search-index");
  if (!holder) return;
  var idx = JSON.parse(holder.textContent);
  var form = document.getElementById("search");
  var q = document.getElementById("q");
  var fs = document.getElementById("f-server");
  var fc = document.getElementById("f-class");
  var fr = document.getElementById("f-risk");
  var fg = document.getElementById("f-signal");
  var rows = document.querySelectorAll("tr[data-server]");
  var box = document.getElementById("results-box");
  var list = document.getElementById("results");
  var count = document.getElementById("result-count");
  var MAX = 200;
  form.hidden = false;
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  function span(cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }

  // The index is compact (see model.rs, index_json): per server its tool
  // labels, one class-and-risk character per tool, signal masks in base 36,
  // and the few tool slugs that plainSlug cannot recompute.
  function plainSlug(label) {
    var s = label.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-+|-+$/g, "").toLowerCase();
    return s.slice(0, 60).replace(/-+$/, "");
  }
  var DIGITS = "0123456789ab";
  var servers = idx.servers.map(function (row) {
    return {
      name: row[0], lower: row[0].toLowerCase(), slug: row[1], tools: row[2],
      codes: row[3], masks: row[4].split(","),
      slugs: row[5]
    };
  });
  function url(sv, i) {
    var slug = Object.prototype.hasOwnProperty.call(sv.slugs, String(i)) ? sv.slugs[i] : plainSlug(sv.tools[i]);
    return sv.slug + "/" + slug + "." + idx.ext;
  }

  var last = null;
  function update() {
    var text = q.value.trim().toLowerCase();
    var s = fs.value, c = fc.value, r = fr.value, g = fg.value;
    // Rebuild only when the query changed: a rebuild under a pressed link
    // would swallow the click.
    var key = [text, s, c, r, g].join("\u0000");
    if (key === last) return;
    last = key;
    var active = text !== "" || s !== "" || c !== "" || r !== "" || g !== "";
    var hits = [];
    var total = 0;
    var matched = {};
    if (active) {
      var bit = g === "" ? 0 : Math.pow(2, Number(g));
      for (var si = 0; si < servers.length; si++) {
        if (s !== "" && si !== Number(s)) continue;
        var sv = servers[si];
        var serverHit = text !== "" && sv.lower.indexOf(text) >= 0;
        for (var i = 0; i < sv.tools.length; i++) {
          var code = DIGITS.indexOf(sv.codes.charAt(i));
          var cls = Math.floor(code / 4), risk = code % 4;
          if (c !== "" && cls !== Number(c)) continue;
          if (r !== "" && risk !== Number(r)) continue;
          if (bit && Math.floor(parseInt(sv.masks[i] || "0", 36) / bit) % 2 !== 1) continue;
          if (text && !serverHit && sv.tools[i].toLowerCase().indexOf(text) < 0) continue;
          total++;
          matched[si] = true;
          if (hits.length < MAX) hits.push([si, i, cls, risk]);
        }
      }
    }
    Array.prototype.forEach.call(rows, function (row) {
      row.hidden = active && !matched[row.getAttribute("data-server")];
    });
    list.textContent = "";
    hits.forEach(function (h) {
      var sv = servers[h[0]];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.setAttribute("href", url(sv, h[1]));
      a.textContent = sv.tools[h[1]];
      li.appendChild(a);
      li.appendChild(span("muted small", sv.name));
      li.appendChild(span("chip c-" + idx.classes[h[2]], idx.classes[h[2]]));
      li.appendChild(span("badge r-" + idx.risks[h[3]], idx.risks[h[3]]));
      list.appendChild(li);
    });
    box.hidden = !active;
    count.textContent = total === 1 ? "1 matching tool" :
      total + " matching tools" + (total > MAX ? " (first " + MAX + " shown)" : "");
  }
  q.addEventListener("input", update);
  [fs, fc, fr, fg].forEach(function (el) { el.addEventListener("change", update); });
  update();
})();
