// evcat site search: loads the index evcat built (search/*.js) only when the search box is
// used, and only the parts a query needs. Scripts rather than fetch, so it works from file://.
(function () {
  "use strict";
  var root = document.documentElement.getAttribute("data-root") || "";
  var state = { dict: null, wordsPerPart: 0, entriesPerPart: 0, postings: {}, entries: {}, waiting: {} };
  var loaded = {};

  function load(file, ready) {
    if (loaded[file] === true) { ready(); return; }
    if (loaded[file]) { loaded[file].push(ready); return; }
    loaded[file] = [ready];
    var script = document.createElement("script");
    script.src = root + file;
    script.onload = function () { var waiting = loaded[file]; loaded[file] = true; waiting.forEach(function (f) { f(); }); };
    document.head.appendChild(script);
  }

  window.EVCAT_SEARCH = {
    dict: function (words, wordsPerPart, entriesPerPart) {
      state.dict = words.split("\n"); state.wordsPerPart = wordsPerPart; state.entriesPerPart = entriesPerPart;
    },
    postings: function (part, lists) { state.postings[part] = lists; },
    entries: function (part, list) { state.entries[part] = list; }
  };

  function normalize(text) { return text.toLowerCase().replace(/[_\-. ]/g, ""); }

  // Optimal string alignment distance, stopping early past `limit`.
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var previous2 = null, previous = [], current, i, j;
    for (j = 0; j <= b.length; j++) previous.push(j);
    for (i = 1; i <= a.length; i++) {
      current = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (previous2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, previous2[j - 2] + 1);
        }
        current.push(value);
        if (value < best) best = value;
      }
      if (best > limit) return limit + 1;
      previous2 = previous; previous = current;
    }
    return previous[b.length];
  }

  // The dictionary's words a query word matches, with the match's quality (3 exact, 2 prefix,
  // 1 a typo away), as `evcat search` grades them.
  function matches(word) {
    var found = [], allowed = word.length >= 8 ? 2 : word.length >= 4 ? 1 : 0;
    state.dict.forEach(function (entry, index) {
      if (entry === word) found.push([index, 3]);
      else if (word.length >= 2 && entry.indexOf(word) === 0) found.push([index, 2]);
      else if (allowed && distance(entry, word, allowed) <= allowed) found.push([index, 1]);
    });
    return found.slice(0, 400);
  }

  function partsOf(found) {
    var parts = {};
    found.forEach(function (words) { words.forEach(function (m) { parts[Math.floor(m[0] / state.wordsPerPart)] = true; }); });
    return Object.keys(parts);
  }

  function rank(found) {
    var scores = null;
    found.forEach(function (words) {
      var best = {};
      words.forEach(function (m) {
        var part = Math.floor(m[0] / state.wordsPerPart);
        var list = state.postings[part][m[0] - part * state.wordsPerPart];
        for (var k = 0; k < list.length; k += 2) {
          var points = list[k + 1] * (m[1] + (m[1] === 3 ? 1 : 0));
          if (!(best[list[k]] >= points)) best[list[k]] = points;
        }
      });
      if (scores === null) { scores = best; return; }
      var both = {};
      Object.keys(scores).forEach(function (entry) { if (best[entry]) both[entry] = scores[entry] + best[entry]; });
      scores = both;
    });
    return Object.keys(scores || {}).map(function (entry) { return [Number(entry), scores[entry]]; })
      .sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; }).slice(0, 20);
  }

  var input, list, selected = -1, generation = 0;

  function show(results) {
    list.innerHTML = "";
    results.forEach(function (result, position) {
      var part = Math.floor(result[0] / state.entriesPerPart);
      var entry = state.entries[part][result[0] - part * state.entriesPerPart];
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = "search-result-" + position;
      var link = document.createElement("a");
      link.href = root + entry[2];
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = entry[0];
      var name = document.createElement("span");
      name.className = "name";
      name.textContent = entry[1];
      link.appendChild(kind); link.appendChild(name);
      if (entry[3]) {
        var summary = document.createElement("span");
        summary.className = "summary";
        summary.textContent = entry[3];
        link.appendChild(summary);
      }
      item.appendChild(link);
      list.appendChild(item);
    });
    if (!results.length) {
      var none = document.createElement("li");
      none.className = "none";
      none.textContent = "Nothing found";
      list.appendChild(none);
    }
    list.hidden = false;
    selected = -1;
  }

  function search() {
    var mine = ++generation;
    var words = input.value.split(/\s+/).map(normalize).filter(function (w) { return w; });
    if (!words.length) { list.hidden = true; return; }
    load("search/dict.js", function () {
      if (mine !== generation) return;
      var found = words.map(matches);
      var parts = partsOf(found), pending = parts.length + 1;
      var ranked;
      var afterEntries = function () { if (mine === generation) show(ranked); };
      var afterPostings = function () {
        if (--pending > 0 || mine !== generation) return;
        ranked = rank(found);
        var entryParts = {};
        ranked.forEach(function (r) { entryParts[Math.floor(r[0] / state.entriesPerPart)] = true; });
        var keys = Object.keys(entryParts), left = keys.length + 1;
        var done = function () { if (--left === 0) afterEntries(); };
        keys.forEach(function (p) { load("search/e" + p + ".js", done); });
        done();
      };
      parts.forEach(function (p) { load("search/p" + p + ".js", afterPostings); });
      afterPostings();
    });
  }

  function move(step) {
    var items = list.querySelectorAll("li[role=option]");
    if (!items.length) return;
    if (selected >= 0) items[selected].removeAttribute("aria-selected");
    selected = (selected + step + items.length) % items.length;
    items[selected].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", items[selected].id);
    items[selected].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    input = document.getElementById("search");
    list = document.getElementById("search-results");
    if (!input || !list) return;
    input.addEventListener("input", search);
    input.addEventListener("focus", function () { load("search/dict.js", function () {}); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { move(1); event.preventDefault(); }
      else if (event.key === "ArrowUp") { move(-1); event.preventDefault(); }
      else if (event.key === "Escape") { list.hidden = true; }
      else if (event.key === "Enter") {
        var items = list.querySelectorAll("li[role=option] a");
        var target = items[selected >= 0 ? selected : 0];
        if (target) { window.location.href = target.href; event.preventDefault(); }
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "/" && document.activeElement !== input) { input.focus(); event.preventDefault(); }
    });
    document.querySelectorAll("button.copy").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-target"));
        if (source && navigator.clipboard) {
          navigator.clipboard.writeText(source.textContent).then(function () { button.textContent = "Copied"; },
            function () { button.textContent = "Copy failed"; });
        }
      });
    });
  });
})();
