/* The Math section's calculator (templates/practice/fulltest/_calculator.html): a graphing mode on
   JSXGraph and a scientific mode, both on MathExpr (static/js/mathexpr.js), never on eval.
   JSXGraph is only given JavaScript functions and numbers, never strings: strings go through its JessieCode
   compiler, which calls eval and is refused by the CSP. Even its "functiongraph" element does that (it
   compiles the identity "x" for the x-coordinate), so graphs are plain curves t -> (t, f(t)), which
   JSXGraph samples over the visible x-range the same way. The board is built the first time the panel
   opens (a hidden box has no size). */
(function () {
  "use strict";

  var panel = document.querySelector("[data-calculator]");
  if (!panel || !window.MathExpr) { return; }

  var MAX_ROWS = 8;
  var COLOURS = ["#1d4ed8", "#b91c1c", "#15803d", "#7c3aed", "#c2410c", "#0e7490", "#be185d", "#4d7c0f"];
  var HOME = [-10, 10, 10, -10];
  var status = panel.querySelector("[data-calc-status]");
  var rowsList = panel.querySelector("[data-calc-rows]");
  var addButton = panel.querySelector("[data-calc-add]");
  var board = null;
  var rows = [];
  var nextRowId = 1;
  var regression = null;

  function announce(text) {
    // Clearing first makes a repeated message be read again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 30);
  }

  function fmt(value) { return MathExpr.format(value, 6); }

  /* ---------- Tabs (ARIA tabs, arrow keys move between them) ---------- */
  var tabs = Array.prototype.slice.call(panel.querySelectorAll("[data-calc-tab]"));

  function selectTab(tab, focus) {
    tabs.forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    });
    if (focus) { tab.focus(); }
    if (tab.id === "calc-tab-graph") { ensureBoard(); }
  }

  tabs.forEach(function (tab, index) {
    tab.addEventListener("click", function () { selectTab(tab, false); });
    tab.addEventListener("keydown", function (event) {
      var target = null;
      if (event.key === "ArrowRight") { target = tabs[(index + 1) % tabs.length]; }
      if (event.key === "ArrowLeft") { target = tabs[(index - 1 + tabs.length) % tabs.length]; }
      if (event.key === "Home") { target = tabs[0]; }
      if (event.key === "End") { target = tabs[tabs.length - 1]; }
      if (target) {
        event.preventDefault();
        selectTab(target, true);
      }
    });
  });

  /* ---------- The board ---------- */
  function ensureBoard() {
    if (board || !window.JXG || panel.hidden) { return; }
    var box = panel.querySelector("[data-calc-board]");
    if (box.offsetParent === null) { return; }
    board = JXG.JSXGraph.initBoard(box.id, {
      boundingbox: HOME.slice(),
      axis: true,
      grid: false,
      keepAspectRatio: false,
      showCopyright: false,
      showNavigation: false,
      showFullscreen: false,
      showScreenshot: false,
      showClearTraces: false,
      pan: { enabled: true, needShift: false },
      zoom: { enabled: true, wheel: true, needShift: false, factorX: 1.25, factorY: 1.25 }
    });
    rows.forEach(drawRow);
    drawRegression();
  }

  function identity(t) { return t; }

  function graph(fn, attributes) {
    return board.create("curve", [identity, fn], attributes);
  }

  function removeObjects(list) {
    if (!board) { return; }
    list.forEach(function (object) { board.removeObject(object); });
  }

  /* ---------- Expression rows ---------- */
  var POINT = /\(\s*([^(),]+(?:\([^()]*\))?[^(),]*)\s*,\s*([^(),]+(?:\([^()]*\))?[^(),]*)\s*\)/g;

  function parseRow(text) {
    var source = text.trim();
    if (!source) { return { kind: "empty" }; }
    if (/^\(.*,.*\)$/.test(source)) {
      var points = [];
      var rest = source.replace(POINT, function (whole, xs, ys) {
        points.push([MathExpr.evaluate(xs), MathExpr.evaluate(ys)]);
        return "";
      });
      if (!points.length || rest.replace(/[\s,;]/g, "")) {
        throw new MathExpr.ParseError("Write points as (x, y), for example (1, 2) (3, 4).", 0);
      }
      return { kind: "points", points: points };
    }
    var body = source.replace(/^(y|f\s*\(\s*x\s*\))\s*=/i, "");
    if (body.indexOf("=") !== -1) {
      throw new MathExpr.ParseError("Write y = … with x on the right, for example y = 2x + 1.", body.indexOf("="));
    }
    return { kind: "function", fn: MathExpr.compile(body), text: body.trim() };
  }

  function drawRow(row) {
    removeObjects(row.objects);
    row.objects = [];
    if (!board || !row.parsed) { return; }
    var colour = COLOURS[row.colour];
    if (row.parsed.kind === "function") {
      var fn = row.parsed.fn;
      row.objects.push(graph(function (x) { return fn({ x: x }); }, {
        strokeColor: colour, strokeWidth: 2.5, highlight: false, fixed: true
      }));
    } else if (row.parsed.kind === "points") {
      row.parsed.points.forEach(function (point) {
        row.objects.push(board.create("point", point, {
          name: "", withLabel: false, fixed: true, size: 4, strokeColor: colour, fillColor: colour, highlight: false
        }));
      });
    }
  }

  function updateRow(row) {
    row.error.textContent = "";
    row.input.removeAttribute("aria-invalid");
    try {
      row.parsed = parseRow(row.input.value);
    } catch (error) {
      if (!(error instanceof MathExpr.ParseError)) { throw error; }
      row.parsed = null;
      row.error.textContent = error.message;
      row.input.setAttribute("aria-invalid", "true");
    }
    drawRow(row);
    refreshTableChoices();
    return row.parsed;
  }

  function renumber() {
    rows.forEach(function (row, index) {
      var n = index + 1;
      row.label.textContent = "Expression " + n;
      row.remove.setAttribute("aria-label", "Remove expression " + n);
    });
    addButton.disabled = rows.length >= MAX_ROWS;
    refreshTableChoices();
  }

  function freeColour() {
    for (var c = 0; c < COLOURS.length; c += 1) {
      if (!rows.some(function (row) { return row.colour === c; })) { return c; }
    }
    return 0;
  }

  function addRow(text, focus) {
    if (rows.length >= MAX_ROWS) { return null; }
    var id = nextRowId++;
    var item = document.createElement("li");
    item.className = "calc-row";
    var swatch = document.createElement("span");
    var colour = freeColour();
    swatch.className = "calc-swatch calc-c" + colour;
    swatch.setAttribute("aria-hidden", "true");
    var label = document.createElement("label");
    label.setAttribute("for", "calc-expr-" + id);
    label.className = "visually-hidden";
    var input = document.createElement("input");
    input.type = "text";
    input.id = "calc-expr-" + id;
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("data-calc-expr", "");
    input.setAttribute("aria-describedby", "calc-expr-err-" + id + " calc-expr-hint");
    input.value = text || "";
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "calc-remove";
    remove.textContent = "×";
    var error = document.createElement("p");
    error.className = "calc-error";
    error.id = "calc-expr-err-" + id;
    item.append(swatch, label, input, remove, error);
    rowsList.appendChild(item);

    var row = { id: id, colour: colour, item: item, input: input, label: label, remove: remove, error: error, objects: [], parsed: null };
    rows.push(row);
    var timer = null;
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { updateRow(row); }, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") { return; }
      event.preventDefault();
      window.clearTimeout(timer);
      var parsed = updateRow(row);
      if (parsed && parsed.kind !== "empty") {
        announce("Expression " + (rows.indexOf(row) + 1) + " graphed.");
      } else if (!parsed) {
        announce("Expression " + (rows.indexOf(row) + 1) + ": " + error.textContent);
      }
    });
    remove.addEventListener("click", function () { removeRow(row); });
    renumber();
    if (text) { updateRow(row); }
    if (focus) { input.focus(); }
    return row;
  }

  function removeRow(row) {
    var index = rows.indexOf(row);
    removeObjects(row.objects);
    rows.splice(index, 1);
    row.item.remove();
    if (!rows.length) { addRow("", false); }
    renumber();
    var next = rows[Math.min(index, rows.length - 1)];
    next.input.focus();
    announce("Expression removed.");
  }

  addButton.addEventListener("click", function () { addRow("", true); });

  /* ---------- Zoom ---------- */
  panel.querySelectorAll("[data-calc-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      ensureBoard();
      if (!board) { return; }
      var how = button.getAttribute("data-calc-zoom");
      if (how === "in") { board.zoomIn(); }
      if (how === "out") { board.zoomOut(); }
      if (how === "reset") { board.setBoundingBox(HOME.slice(), false); }
      var box = board.getBoundingBox();
      announce("View: x from " + fmt(box[0]) + " to " + fmt(box[2]) + ", y from " + fmt(box[3]) + " to " + fmt(box[1]) + ".");
    });
  });

  /* ---------- Table of values ---------- */
  var tableSelect = panel.querySelector("[data-calc-table-expr]");
  var tableOut = panel.querySelector("[data-calc-table-out]");

  function refreshTableChoices() {
    var chosen = tableSelect.value;
    tableSelect.textContent = "";
    rows.forEach(function (row, index) {
      if (!row.parsed || row.parsed.kind !== "function") { return; }
      var option = document.createElement("option");
      option.value = String(row.id);
      option.textContent = (index + 1) + ": y = " + row.parsed.text;
      tableSelect.appendChild(option);
    });
    if (chosen && tableSelect.querySelector('option[value="' + chosen + '"]')) { tableSelect.value = chosen; }
  }

  function readNumber(input, name) {
    try {
      var value = MathExpr.evaluate(input.value);
      if (isFinite(value)) { return value; }
    } catch (error) {
      if (!(error instanceof MathExpr.ParseError)) { throw error; }
    }
    throw new MathExpr.ParseError(name + " must be a number.", 0);
  }

  panel.querySelector("[data-calc-table-make]").addEventListener("click", function () {
    tableOut.textContent = "";
    var row = rows.filter(function (r) { return String(r.id) === tableSelect.value; })[0];
    if (!row || !row.parsed || row.parsed.kind !== "function") {
      tableOut.textContent = "Graph an expression in x first.";
      announce(tableOut.textContent);
      return;
    }
    var from, step;
    try {
      from = readNumber(panel.querySelector("[data-calc-table-from]"), "x from");
      step = readNumber(panel.querySelector("[data-calc-table-step]"), "Step");
      if (step <= 0) { throw new MathExpr.ParseError("Step must be more than 0.", 0); }
    } catch (error) {
      tableOut.textContent = error.message;
      announce(error.message);
      return;
    }
    var table = document.createElement("table");
    table.className = "calc-table";
    var caption = table.createCaption();
    caption.textContent = "Values of y = " + row.parsed.text;
    var head = table.createTHead().insertRow();
    ["x", "y"].forEach(function (name) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      head.appendChild(th);
    });
    var body = table.createTBody();
    for (var i = 0; i < 10; i += 1) {
      var x = Number((from + i * step).toPrecision(12));
      var tr = body.insertRow();
      tr.insertCell().textContent = fmt(x);
      tr.insertCell().textContent = fmt(row.parsed.fn({ x: x }));
    }
    tableOut.appendChild(table);
    announce("Table of values for y = " + row.parsed.text + " shown, 10 rows.");
  });

  /* ---------- Regression ---------- */
  function parsePoints(text) {
    var points = [];
    text.split(/\n|;/).forEach(function (line, index) {
      var clean = line.replace(/[()]/g, "").trim();
      if (!clean) { return; }
      var parts = clean.split(/\s*,\s*|\s+/);
      if (parts.length !== 2) {
        throw new MathExpr.ParseError("Line " + (index + 1) + ": write one point as x, y.", 0);
      }
      var x = MathExpr.evaluate(parts[0]);
      var y = MathExpr.evaluate(parts[1]);
      if (!isFinite(x) || !isFinite(y)) {
        throw new MathExpr.ParseError("Line " + (index + 1) + ": x and y must be numbers.", 0);
      }
      points.push([x, y]);
    });
    return points;
  }

  function solve(matrix, vector) {
    // Gaussian elimination with partial pivoting; the systems here are at most 3 by 3.
    var n = vector.length;
    var a = matrix.map(function (r, i) { return r.concat([vector[i]]); });
    for (var col = 0; col < n; col += 1) {
      var pivot = col;
      for (var r = col + 1; r < n; r += 1) { if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) { pivot = r; } }
      if (Math.abs(a[pivot][col]) < 1e-12) { return null; }
      var tmp = a[col]; a[col] = a[pivot]; a[pivot] = tmp;
      for (var k = col + 1; k < n; k += 1) {
        var f = a[k][col] / a[col][col];
        for (var j = col; j <= n; j += 1) { a[k][j] -= f * a[col][j]; }
      }
    }
    var out = new Array(n);
    for (var i = n - 1; i >= 0; i -= 1) {
      var s = a[i][n];
      for (var c = i + 1; c < n; c += 1) { s -= a[i][c] * out[c]; }
      out[i] = s / a[i][i];
    }
    return out;
  }

  function polyfit(points, degree) {
    var size = degree + 1;
    var m = [], v = [];
    for (var i = 0; i < size; i += 1) {
      m.push([]);
      for (var j = 0; j < size; j += 1) {
        m[i].push(points.reduce(function (s, p) { return s + Math.pow(p[0], i + j); }, 0));
      }
      v.push(points.reduce(function (s, p) { return s + Math.pow(p[0], i) * p[1]; }, 0));
    }
    return solve(m, v); // coefficients c0 + c1 x + c2 x²
  }

  function rSquared(points, fn) {
    var mean = points.reduce(function (s, p) { return s + p[1]; }, 0) / points.length;
    var total = 0, residual = 0;
    points.forEach(function (p) {
      total += Math.pow(p[1] - mean, 2);
      residual += Math.pow(p[1] - fn(p[0]), 2);
    });
    return total === 0 ? (residual === 0 ? 1 : 0) : 1 - residual / total;
  }

  function signed(value) {
    return value < 0 ? " − " + fmt(-value) : " + " + fmt(value);
  }

  function fit(model, points) {
    var need = model === "quadratic" ? 3 : 2;
    if (points.length < need) { throw new MathExpr.ParseError("This model needs at least " + need + " points.", 0); }
    var c, fn, equation;
    if (model === "linear") {
      c = polyfit(points, 1);
      if (!c) { throw new MathExpr.ParseError("The points need at least two different x values.", 0); }
      fn = function (x) { return c[1] * x + c[0]; };
      equation = "y = " + fmt(c[1]) + "x" + signed(c[0]);
    } else if (model === "quadratic") {
      c = polyfit(points, 2);
      if (!c) { throw new MathExpr.ParseError("The points need at least three different x values.", 0); }
      fn = function (x) { return c[2] * x * x + c[1] * x + c[0]; };
      equation = "y = " + fmt(c[2]) + "x²" + signed(c[1]) + "x" + signed(c[0]);
    } else {
      if (points.some(function (p) { return p[1] <= 0; })) {
        throw new MathExpr.ParseError("An exponential model needs every y above 0.", 0);
      }
      c = polyfit(points.map(function (p) { return [p[0], Math.log(p[1])]; }), 1);
      if (!c) { throw new MathExpr.ParseError("The points need at least two different x values.", 0); }
      var a = Math.exp(c[0]), b = Math.exp(c[1]);
      fn = function (x) { return a * Math.pow(b, x); };
      equation = "y = " + fmt(a) + " · " + fmt(b) + "^x";
    }
    return { fn: fn, equation: equation, r2: rSquared(points, fn), points: points };
  }

  function drawRegression() {
    if (!board || !regression) { return; }
    removeObjects(regression.objects || []);
    var fn = regression.fn;
    regression.objects = regression.points.map(function (p) {
      return board.create("point", p, { name: "", withLabel: false, fixed: true, size: 3, face: "x", strokeColor: "#111827", highlight: false });
    });
    regression.objects.push(graph(function (x) { return fn(x); }, {
      strokeColor: "#111827", strokeWidth: 2, dash: 2, highlight: false, fixed: true
    }));
  }

  var regOut = panel.querySelector("[data-calc-reg-out]");
  panel.querySelector("[data-calc-reg-fit]").addEventListener("click", function () {
    if (regression) { removeObjects(regression.objects || []); regression = null; }
    try {
      var points = parsePoints(panel.querySelector("[data-calc-reg-points]").value);
      regression = fit(panel.querySelector("[data-calc-reg-model]").value, points);
    } catch (error) {
      if (!(error instanceof MathExpr.ParseError)) { throw error; }
      regOut.textContent = error.message;
      announce(error.message);
      return;
    }
    regOut.textContent = "";
    var eq = document.createElement("span");
    eq.className = "calc-reg-eq";
    eq.setAttribute("data-calc-reg-eq", "");
    eq.textContent = regression.equation;
    var r2 = document.createElement("span");
    r2.className = "calc-reg-r2";
    r2.setAttribute("data-calc-reg-r2", "");
    r2.textContent = "r² = " + MathExpr.format(regression.r2, 4);
    regOut.append(eq, r2);
    drawRegression();
    announce(regression.equation + ", r² = " + MathExpr.format(regression.r2, 4) + ". Graphed as a dashed line.");
  });

  /* ---------- Scientific mode ---------- */
  var sciInput = panel.querySelector("[data-calc-sci-input]");
  var sciOut = panel.querySelector("[data-calc-sci-out]");
  var history = panel.querySelector("[data-calc-history]");
  var ans = 0;

  function degrees() {
    var checked = panel.querySelector("[data-calc-angle]:checked");
    return checked && checked.value === "deg";
  }

  function insert(text) {
    var start = sciInput.selectionStart == null ? sciInput.value.length : sciInput.selectionStart;
    var end = sciInput.selectionEnd == null ? start : sciInput.selectionEnd;
    sciInput.value = sciInput.value.slice(0, start) + text + sciInput.value.slice(end);
    sciInput.setSelectionRange(start + text.length, start + text.length);
  }

  function evaluateScientific() {
    var source = sciInput.value;
    sciOut.classList.remove("calc-error");
    try {
      var fn = MathExpr.compile(source);
      if (fn.usesX) { throw new MathExpr.ParseError("x has no value here; use the Graphing tab for expressions in x.", 0); }
      var value = fn({ ans: ans, degrees: degrees() });
      var shown = MathExpr.format(value);
      sciOut.textContent = shown;
      announce(source + " = " + shown);
      if (isFinite(value)) { ans = value; }
      var item = document.createElement("li");
      item.textContent = source + " = " + shown + (degrees() ? " (degrees)" : "");
      history.prepend(item);
      while (history.children.length > 10) { history.lastElementChild.remove(); }
    } catch (error) {
      if (!(error instanceof MathExpr.ParseError)) { throw error; }
      sciOut.textContent = error.message;
      sciOut.classList.add("calc-error");
      announce(error.message);
    }
  }

  sciInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      evaluateScientific();
    }
  });
  panel.querySelectorAll("[data-key]").forEach(function (key) {
    key.addEventListener("click", function () {
      insert(key.getAttribute("data-key"));
    });
  });
  panel.querySelector("[data-calc-sci-eval]").addEventListener("click", evaluateScientific);
  panel.querySelector("[data-calc-sci-back]").addEventListener("click", function () {
    sciInput.value = sciInput.value.slice(0, -1);
  });
  panel.querySelector("[data-calc-sci-clear]").addEventListener("click", function () {
    sciInput.value = "";
    sciOut.textContent = "";
  });

  /* ---------- Start ---------- */
  addRow("", false);
  panel.addEventListener("toolpanel:open", function () { ensureBoard(); });
  ensureBoard();
})();
