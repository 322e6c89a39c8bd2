// Stackworks console: our own small script, no library.
// - live pages: an element with data-live-src opens an EventSource on that URL; "swap" events
//   replace every element whose data-live-key matches (or append to the element whose
//   data-live-container names the key's prefix, for a new one), "append" events add text to
//   it, "done" closes the stream;
// - forms, and submit buttons, with data-confirm ask before they submit;
// - textareas with data-json-editor say where their JSON is invalid (line and column) as you
//   type; the server checks again.
"use strict";

(function () {
  function byKey(key) {
    return Array.prototype.filter.call(
      document.querySelectorAll("[data-live-key]"),
      function (el) { return el.getAttribute("data-live-key") === key; }
    );
  }

  function fromHtml(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function swap(data) {
    var targets = byKey(data.key);
    if (targets.length === 0) {
      var prefix = data.key.split(":")[0];
      var container = document.querySelector('[data-live-container="' + prefix + '"]');
      var created = container && fromHtml(data.html);
      if (created) { container.appendChild(created); }
      return;
    }
    targets.forEach(function (el) {
      var replacement = fromHtml(data.html);
      if (replacement) { el.replaceWith(replacement); }
    });
  }

  function append(data) {
    byKey(data.key).forEach(function (el) {
      var atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
      el.appendChild(document.createTextNode(data.text));
      if (atBottom) { el.scrollTop = el.scrollHeight; }
    });
  }

  function follow(el) {
    if (!window.EventSource) { return; }
    var source = new EventSource(el.getAttribute("data-live-src"));
    el.setAttribute("data-live-state", "connecting");
    source.onopen = function () { el.setAttribute("data-live-state", "open"); };
    source.onerror = function () { el.setAttribute("data-live-state", "reconnecting"); };
    source.addEventListener("swap", function (e) { swap(JSON.parse(e.data)); });
    source.addEventListener("append", function (e) { append(JSON.parse(e.data)); });
    source.addEventListener("done", function () {
      source.close();
      el.setAttribute("data-live-state", "done");
    });
  }

  function position(text, offset) {
    var before = text.slice(0, offset).split("\n");
    return { line: before.length, column: before[before.length - 1].length + 1 };
  }

  function jsonProblem(text) {
    if (!text.trim()) { return ""; }
    try {
      var value = JSON.parse(text);
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return "expected a JSON object {...}";
      }
      return "";
    } catch (err) {
      var match = /position (\d+)/.exec(err.message);
      var lineCol = /line (\d+) column (\d+)/.exec(err.message);
      if (lineCol) { return "not valid JSON at line " + lineCol[1] + ", column " + lineCol[2]; }
      if (match) {
        var where = position(text, Number(match[1]));
        return "not valid JSON at line " + where.line + ", column " + where.column;
      }
      return "not valid JSON: " + err.message;
    }
  }

  function checkJson(area) {
    var status = document.getElementById(area.getAttribute("aria-describedby") || "");
    var problem = jsonProblem(area.value);
    area.setAttribute("aria-invalid", problem ? "true" : "false");
    if (status) { status.textContent = problem; }
  }

  document.addEventListener("submit", function (e) {
    var button = e.submitter;
    var message = (button && button.getAttribute("data-confirm")) ||
      (e.target.getAttribute && e.target.getAttribute("data-confirm"));
    if (message && !window.confirm(message)) { e.preventDefault(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-live-src]").forEach(follow);
    document.querySelectorAll("textarea[data-json-editor]").forEach(function (area) {
      area.addEventListener("input", function () { checkJson(area); });
    });
  });
})();
