// Search in the browser, over the index the build writes under tim-kiem/chi-muc/
// (see src/search/index.rs). Words are folded as the build folds them: NFC, lower case,
// tones and letter marks stripped, đ as d. Ranking follows src/search/query.rs:
// syllables found, then syllables with the query's exact tones, then adjacent pairs
// (phrases), then a score where a title counts ten times a body, then newer first.
(function () {
  "use strict";
  var form = document.querySelector("[data-search-index]");
  if (!form || !window.fetch) return;
  var base = form.getAttribute("data-search-index");
  var version = form.getAttribute("data-search-version");
  var input = form.querySelector("input[name=q]");
  var unitSelect = form.querySelector("select[name=don-vi]");
  var facetSelect = form.querySelector("select[name=loai]");
  var status = document.querySelector("[data-search-status]");
  var list = document.querySelector("[data-search-results]");
  var more = document.querySelector("[data-search-more]");
  var PAGE = 10;
  var LONGEST_WORD = 40;
  var cache = {};

  function get(path) {
    if (!cache[path]) {
      cache[path] = fetch(base + path + "?v=" + version).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      });
    }
    return cache[path];
  }

  var LETTER = /[\p{L}\p{N}\p{M}]/u;
  var SPACE = /\s/u;

  function fold(word) {
    return word.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }

  // The words of a text: {exact, key, joined, start, end} (start and end in the NFC text).
  function words(text) {
    var out = [];
    var chars = Array.from(text.normalize("NFC"));
    var current = "";
    var start = 0;
    var offset = 0;
    var joined = false;
    function push(end) {
      if (current && Array.from(current).length <= LONGEST_WORD) {
        out.push({ exact: current, key: fold(current), joined: joined, start: start, end: end });
      }
      current = "";
    }
    chars.forEach(function (c) {
      if (LETTER.test(c)) {
        if (!current) start = offset;
        current += c.toLowerCase();
      } else {
        if (current) {
          push(offset);
          joined = true;
        }
        if (c === "\n" || !SPACE.test(c)) joined = false;
      }
      offset += c.length;
    });
    push(offset);
    return out;
  }

  function fnv1a(key) {
    var bytes = new TextEncoder().encode(key);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  function weight(title, body) {
    return (title > 0 ? 8 : 0) + Math.min(body, 7);
  }

  function termScore(w) {
    return (w & 8 ? 10 : 0) + 1 + (w & 7) / 2;
  }

  // [doc, weight] of each posting: `delta * 16 + weight` in an array, or one character
  // per document in a string, "0" + weight ("0" where absent).
  function postings(list) {
    var out = [];
    if (typeof list === "string") {
      for (var j = 0; j < list.length; j++) {
        var w = list.charCodeAt(j) - 48;
        if (w > 0) out.push([j, w]);
      }
      return out;
    }
    var doc = 0;
    for (var i = 0; i < list.length; i++) {
      doc += Math.floor(list[i] / 16);
      out.push([doc, list[i] % 16]);
    }
    return out;
  }

  function keys(ws) {
    var out = ws.map(function (w) { return w.key; });
    for (var i = 0; i + 1 < ws.length; i++) out.push(ws[i].key + " " + ws[i + 1].key);
    return out.filter(function (k, i) { return out.indexOf(k) === i; });
  }

  function rank(ws, entries, months) {
    var hits = new Map();
    function hit(doc) {
      var h = hits.get(doc);
      if (!h) {
        h = { doc: doc, matched: 0, exact: 0, phrase: 0, score: 0, month: months[doc] || 0 };
        hits.set(doc, h);
      }
      return h;
    }
    var seen = [];
    ws.forEach(function (w) {
      if (seen.indexOf(w.key) >= 0) return;
      seen.push(w.key);
      var forms = entries[w.key];
      if (!forms || Array.isArray(forms)) return;
      var toned = w.exact !== w.key;
      var total = new Map();
      Object.keys(forms).forEach(function (form) {
        postings(forms[form]).forEach(function (p) {
          var t = total.get(p[0]) || [0, 0];
          t[0] += p[1] >> 3;
          t[1] += p[1] & 7;
          total.set(p[0], t);
          if (toned && form === w.exact) {
            var h = hit(p[0]);
            h.exact += 1;
            h.score += termScore(p[1]);
          }
        });
      });
      total.forEach(function (t, doc) {
        var h = hit(doc);
        h.matched += 1;
        h.score += termScore(weight(t[0], t[1]));
      });
    });
    for (var i = 0; i + 1 < ws.length; i++) {
      var pair = entries[ws[i].key + " " + ws[i + 1].key];
      if (!Array.isArray(pair) && typeof pair !== "string") continue;
      postings(pair).forEach(function (p) {
        var h = hit(p[0]);
        h.phrase += 1;
        h.score += 2 * termScore(p[1]);
      });
    }
    var out = [];
    hits.forEach(function (h) { if (h.matched > 0) out.push(h); });
    out.sort(function (a, b) {
      return b.matched - a.matched || b.exact - a.exact || b.phrase - a.phrase ||
        b.score - a.score || b.month - a.month || a.doc - b.doc;
    });
    return out;
  }

  // The [unit, facet] of a document, from the meta file's groups.
  function group(meta, doc) {
    var g = meta.groups;
    var lo = 0;
    var hi = g.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (g[mid][0] <= doc) lo = mid; else hi = mid - 1;
    }
    return [g[lo][1], g[lo][2]];
  }

  // The part of `text` around the most query words, with those words in <mark>.
  function snippet(text, queryKeys) {
    var p = document.createElement("p");
    p.className = "search-snippet";
    var ws = words(text);
    var nfc = text.normalize("NFC");
    var SPAN = 32;
    var best = 0;
    var bestCount = -1;
    for (var i = 0; i < Math.max(1, ws.length - SPAN + 1); i += 4) {
      var count = 0;
      for (var j = i; j < Math.min(ws.length, i + SPAN); j++) {
        if (queryKeys.indexOf(ws[j].key) >= 0) count++;
      }
      if (count > bestCount) {
        bestCount = count;
        best = i;
      }
    }
    var shown = ws.slice(best, best + SPAN);
    if (!shown.length) return p;
    var from = best === 0 ? 0 : shown[0].start;
    var to = best + SPAN >= ws.length ? nfc.length : shown[shown.length - 1].end;
    if (from > 0) p.appendChild(document.createTextNode("… "));
    var at = from;
    shown.forEach(function (w) {
      if (queryKeys.indexOf(w.key) < 0) return;
      p.appendChild(document.createTextNode(nfc.slice(at, w.start)));
      var mark = document.createElement("mark");
      mark.textContent = nfc.slice(w.start, w.end);
      p.appendChild(mark);
      at = w.end;
    });
    p.appendChild(document.createTextNode(nfc.slice(at, to)));
    if (to < nfc.length) p.appendChild(document.createTextNode(" …"));
    return p;
  }

  function say(template, q, n) {
    return template.replace("{q}", q).replace("{n}", String(n));
  }

  var current = null;

  function show(meta, state, ws) {
    var queryKeys = ws.map(function (w) { return w.key; });
    var slice = state.hits.slice(state.shown, state.shown + PAGE);
    state.shown += slice.length;
    return Promise.all(slice.map(function (h) {
      return get("d/" + Math.floor(h.doc / meta.chunk) + ".json").then(function (docs) {
        return docs[h.doc % meta.chunk];
      });
    })).then(function (docs) {
      if (state !== current) return;
      docs.forEach(function (d, i) {
        var g = group(meta, slice[i].doc);
        var li = document.createElement("li");
        li.className = "search-result";
        var h2 = document.createElement("h2");
        var a = document.createElement("a");
        a.href = d[1];
        a.textContent = d[0];
        h2.appendChild(a);
        li.appendChild(h2);
        var info = document.createElement("p");
        info.className = "search-meta";
        info.textContent = [d[2], meta.units[g[0]].name, meta.facets[g[1]]].filter(Boolean).join(" · ");
        li.appendChild(info);
        li.appendChild(snippet(d[3], queryKeys));
        list.appendChild(li);
      });
      more.hidden = state.shown >= state.hits.length;
    });
  }

  function run() {
    var q = input.value.trim();
    list.textContent = "";
    more.hidden = true;
    var state = { hits: [], shown: 0 };
    current = state;
    if (!q) {
      status.textContent = "";
      return Promise.resolve();
    }
    status.textContent = status.getAttribute("data-loading");
    var ws = words(q);
    return get("meta.json").then(function (meta) {
      var ks = keys(ws);
      return Promise.all(ks.map(function (k) {
        return get("k/" + (fnv1a(k) & (meta.buckets - 1)) + ".json");
      })).then(function (buckets) {
        if (state !== current) return;
        var entries = {};
        ks.forEach(function (k, i) { if (buckets[i][k] !== undefined) entries[k] = buckets[i][k]; });
        var months = Array.from(meta.months, function (c) { return c.codePointAt(0) - 0x30; });
        var unit = unitSelect.value;
        var facet = facetSelect.value;
        state.hits = rank(ws, entries, months).filter(function (h) {
          var g = group(meta, h.doc);
          return (unit === "" || g[0] === Number(unit)) && (facet === "" || g[1] === Number(facet));
        });
        status.textContent = state.hits.length
          ? say(status.getAttribute("data-count"), q, state.hits.length)
          : say(status.getAttribute("data-none"), q, 0);
        more.onclick = function () { show(meta, state, ws); };
        return show(meta, state, ws).then(function () {
          if (state === current) form.setAttribute("data-searched", q);
        });
      });
    }).catch(function () {
      status.textContent = status.getAttribute("data-error");
    });
  }

  function remember() {
    var params = new URLSearchParams();
    params.set("q", input.value.trim());
    if (unitSelect.value) params.set("don-vi", unitSelect.value);
    if (facetSelect.value) params.set("loai", facetSelect.value);
    history.replaceState(null, "", "?" + params.toString());
  }

  var params = new URLSearchParams(location.search);
  if (params.has("q")) input.value = params.get("q");
  if (params.has("don-vi")) unitSelect.value = params.get("don-vi");
  if (params.has("loai")) facetSelect.value = params.get("loai");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    remember();
    run();
  });
  [unitSelect, facetSelect].forEach(function (s) {
    s.addEventListener("change", function () {
      remember();
      run();
    });
  });
  window.congSearch = { words: words, fold: fold, fnv1a: fnv1a };
  run();
})();
