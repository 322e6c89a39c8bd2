// The custom JSON editor (custom_json.html): when the server refused the text at a line and
// column, put the caret there and select the rest of that line, so the mistake is in view.
"use strict";
(function () {
  function caretAt(textarea) {
    const line = Number(textarea.dataset.errorLine);
    const column = Number(textarea.dataset.errorColumn);
    if (!line || !column) return;
    const lines = textarea.value.split("\n");
    let offset = 0;
    for (let n = 0; n < line - 1 && n < lines.length; n += 1) offset += lines[n].length + 1;
    const here = lines[line - 1] || "";
    const start = offset + Math.min(column - 1, here.length);
    textarea.focus();
    textarea.setSelectionRange(start, offset + here.length);
    const height = textarea.scrollHeight / Math.max(lines.length, 1);
    textarea.scrollTop = Math.max(0, (line - 3) * height);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-error-line]").forEach(caretAt);
  });
})();
