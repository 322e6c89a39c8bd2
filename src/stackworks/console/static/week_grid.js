// The weekly schedule grid (layer_settings.html): arrow keys move between the checkboxes, a
// day per row and an hour per column, so a keyboard user need not tab through 168 of them.
// Home and End go to the row's first and last hour. Without this script the grid still works:
// every checkbox is in the tab order and labelled with its day and hour.
"use strict";
(function () {
  const MOVES = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };

  function cell(grid, row, column) {
    const rows = grid.tBodies[0].rows;
    if (row < 0 || row >= rows.length) return null;
    const boxes = rows[row].querySelectorAll("input[type=checkbox]");
    if (column < 0 || column >= boxes.length) return null;
    return boxes[column];
  }

  function onKey(event) {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    const grid = box.closest("table[data-week-grid]");
    const tr = box.closest("tr");
    if (!grid || !tr) return;
    const row = Array.prototype.indexOf.call(grid.tBodies[0].rows, tr);
    const column = Array.prototype.indexOf.call(tr.querySelectorAll("input[type=checkbox]"), box);
    let next = null;
    if (event.key in MOVES) {
      const [down, right] = MOVES[event.key];
      next = cell(grid, row + down, column + right);
    } else if (event.key === "Home") {
      next = cell(grid, row, 0);
    } else if (event.key === "End") {
      next = cell(grid, row, 23);
    }
    if (next) {
      event.preventDefault();
      next.focus();
    }
  }

  document.addEventListener("keydown", onKey);
})();
