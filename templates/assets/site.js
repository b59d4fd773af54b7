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
  var idx = JSON.parse(holder.getAttribute("data-index"));
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
    var servers = {};
    if (active) {
      var bit = g === "" ? 0 : Math.pow(2, Number(g));
      for (var i = 0; i < idx.tools.length; i++) {
        var t = idx.tools[i];
        if (s !== "" && t[0] !== Number(s)) continue;
        if (c !== "" && t[2] !== Number(c)) continue;
        if (r !== "" && t[3] !== Number(r)) continue;
        if (bit && Math.floor(t[4] / bit) % 2 !== 1) continue;
        if (text && t[1].toLowerCase().indexOf(text) < 0 &&
            idx.servers[t[0]][0].toLowerCase().indexOf(text) < 0) continue;
        hits.push(t);
        servers[t[0]] = true;
      }
    }
    Array.prototype.forEach.call(rows, function (row) {
      row.hidden = active && !servers[row.getAttribute("data-server")];
    });
    list.textContent = "";
    hits.slice(0, MAX).forEach(function (t) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.setAttribute("href", t[5]);
      a.textContent = t[1];
      li.appendChild(a);
      li.appendChild(span("muted small", idx.servers[t[0]][0]));
      li.appendChild(span("chip c-" + idx.classes[t[2]], idx.classes[t[2]]));
      li.appendChild(span("badge r-" + idx.risks[t[3]], idx.risks[t[3]]));
      list.appendChild(li);
    });
    box.hidden = !active;
    count.textContent = hits.length === 1 ? "1 matching tool" :
      hits.length + " matching tools" + (hits.length > MAX ? " (first " + MAX + " shown)" : "");
  }
  q.addEventListener("input", update);
  [fs, fc, fr, fg].forEach(function (el) { el.addEventListener("change", update); });
  update();
})();
