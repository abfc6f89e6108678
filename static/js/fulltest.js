/* The full-length test's pages: background saves, keys, the timer, the navigator, the highlighter and
   notes. Everything is an enhancement: without JavaScript the same form saves through "Save and next".
   Saves carry the whole item state and a sequence number (this browser's clock in ms): the server keeps
   the newest, so a retry or a late older save never undoes a newer one. */
(function () {
  "use strict";

  var form = document.querySelector("[data-test-form]");
  var statusLine = document.querySelector("[data-save-status]");
  var lastSeq = 0;
  var pending = null; // a save in flight or waiting to retry
  var retryDelay = 1000;

  function csrfToken() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function nextSeq() {
    var now = Date.now();
    lastSeq = now > lastSeq ? now : lastSeq + 1;
    return lastSeq;
  }

  function say(text, isError) {
    if (statusLine) {
      statusLine.textContent = text;
      statusLine.classList.toggle("is-error", !!isError);
    }
  }

  // The answer field says whether the server refused its entry (as the no-script page does with 422).
  function markInvalid(invalid) {
    var spr = form && form.querySelector("[data-spr]");
    if (!spr) { return; }
    if (invalid) { spr.setAttribute("aria-invalid", "true"); } else { spr.removeAttribute("aria-invalid"); }
  }

  function typing(target) {
    return target && ((target.tagName === "INPUT" && target.type === "text") || target.tagName === "TEXTAREA");
  }

  // --- Item state and saving ------------------------------------------------------------------------
  var highlights = [];
  var dataNode = document.getElementById("highlights-data");
  if (dataNode) {
    try { highlights = JSON.parse(dataNode.textContent) || []; } catch (e) { highlights = []; }
  }

  function state() {
    var data = {};
    var chosen = form.querySelector('input[name="given"]:checked');
    var spr = form.querySelector("[data-spr]");
    data.given = spr ? spr.value.trim() : (chosen ? chosen.value : "");
    var flag = form.querySelector("[data-flag]");
    data.flagged = !!(flag && flag.checked);
    data.eliminated = Array.prototype.map.call(form.querySelectorAll("[data-strike]:checked"), function (box) {
      return box.value;
    }).join("");
    var note = form.querySelector("[data-note]");
    if (note) { data.note = note.value; }
    if (dataNode) { data.highlights = highlights; }
    return data;
  }

  function send(body) {
    return fetch(form.getAttribute("data-save-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body)
    });
  }

  function save() {
    var body = state();
    body.seq = nextSeq();
    pending = body;
    say("Saving…");
    return attempt(body);
  }

  function attempt(body) {
    return send(body).then(function (response) {
      if (response.status === 409) {
        return response.json().then(function (data) {
          say(data.error || "This module has ended.");
          window.location.assign(data.redirect || window.location.href);
        });
      }
      if (response.status === 422) {
        return response.json().then(function (data) {
          var messages = [];
          Object.keys(data.errors || {}).forEach(function (k) { messages = messages.concat(data.errors[k]); });
          say("Not saved: " + messages.join(" "), true);
          markInvalid(!!(data.errors && data.errors.given));
          if (pending === body) { pending = null; }
        });
      }
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json().then(function (data) {
        if (pending === body) { pending = null; }
        retryDelay = 1000;
        say("Saved.");
        markInvalid(false);
        markCell(data);
      });
    }).catch(function () {
      // Offline or a server hiccup: retry the same save (same seq, so it lands once) with backoff.
      say("Connection lost: your answer is kept here and will be saved when the connection returns.", true);
      return new Promise(function (resolve) {
        setTimeout(function () {
          if (pending === body) { resolve(attempt(body)); } else { resolve(); }
        }, retryDelay);
        retryDelay = Math.min(retryDelay * 2, 15000);
      });
    });
  }

  function markCell(data) {
    var cell = document.querySelector('[data-nav-cell="' + form.getAttribute("data-position") + '"]');
    if (!cell) { return; }
    cell.classList.toggle("is-answered", !!data.given);
    cell.classList.toggle("is-flagged", !!data.flagged);
    var hidden = cell.querySelector(".visually-hidden");
    if (hidden) {
      hidden.textContent = (data.given ? ", answered" : ", unanswered") + (data.flagged ? ", marked for review" : "");
    }
    var count = document.querySelector("[data-answered-count]");
    if (count) { count.textContent = document.querySelectorAll(".nav-cell.is-answered").length; }
  }

  // Before leaving the page by a link or a button, make sure the last save has landed.
  function thenGo(url) {
    var wait = pending ? attempt(pending) : Promise.resolve();
    wait.then(function () { window.location.assign(url); });
  }

  // The highlighter, the key hints and the Math tools' buttons work only with scripts; hidden until then.
  document.querySelectorAll("[data-needs-script]").forEach(function (node) { node.hidden = false; });

  if (form) {
    var debounce = null;
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.matches("[data-strike]")) {
        var option = target.closest(".option");
        option.classList.toggle("is-struck", target.checked);
        var radio = option.querySelector('input[type="radio"]');
        if (target.checked && radio && radio.checked) {
          radio.checked = false;
          var none = form.querySelector('input[name="given"][value=""]');
          if (none) { none.checked = true; }
        }
      }
      if (target.matches('input[type="radio"][name="given"]') && target.value) {
        var struck = target.closest(".option").querySelector("[data-strike]");
        if (struck && struck.checked) {
          struck.checked = false;
          target.closest(".option").classList.remove("is-struck");
        }
      }
      save();
    });
    form.addEventListener("input", function (event) {
      if (event.target.matches("[data-spr], [data-note]")) {
        clearTimeout(debounce);
        debounce = setTimeout(save, 600);
      }
    });
    // With the script, the buttons save in the background and move on without a second POST.
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.hasAttribute("data-go")) { return; }
      event.preventDefault();
      clearTimeout(debounce);
      var go = button.getAttribute("data-go");
      var position = parseInt(form.getAttribute("data-position"), 10);
      var base = form.getAttribute("data-question-url").replace(/\/1\/$/, "/");
      var url = go === "next" ? base + (position + 1) + "/" : go === "back" ? base + (position - 1) + "/"
        : document.querySelector("[data-review-link]").href;
      save().then(function () { thenGo(url); });
    });
    document.querySelectorAll("[data-nav-cell], [data-review-link]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        thenGo(link.href);
      });
    });
    window.addEventListener("beforeunload", function (event) {
      if (pending) { event.preventDefault(); }
    });
  }

  // --- Keys: A-D choose, arrows move, F flags, H highlights ----------------------------------------------
  document.addEventListener("keydown", function (event) {
    if (!form || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    // Keys inside a tool (the calculator's keypad and tabs) belong to the tool.
    if (event.target.closest && event.target.closest("[data-tool-panel]")) { return; }
    var key = event.key;
    var letter = { a: "A", b: "B", c: "C", d: "D" }[key.toLowerCase()];
    if (letter) {
      var radio = form.querySelector('input[name="given"][value="' + letter + '"]');
      if (radio) {
        // Focus stays where it was: on a focused radio the arrow keys would change the answer, not move.
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
        event.preventDefault();
      }
    } else if (key === "f" || key === "F") {
      var flag = form.querySelector("[data-flag]");
      flag.checked = !flag.checked;
      flag.dispatchEvent(new Event("change", { bubbles: true }));
      say(flag.checked ? "Marked for review." : "Review mark removed.");
      event.preventDefault();
    } else if ((key === "ArrowRight" || key === "ArrowLeft") && !(event.target.type === "radio")) {
      var button = form.querySelector('[data-go="' + (key === "ArrowRight" ? "next" : "back") + '"]')
        || (key === "ArrowRight" ? form.querySelector('[data-go="review"]') : null);
      if (button) {
        event.preventDefault();
        form.requestSubmit(button);
      }
    } else if ((key === "h" || key === "H") && highlightButton) {
      event.preventDefault();
      highlightSelection();
    }
  });

  // --- Timer: the server's deadline, counted down here; hideable except in the last 5 minutes --------------
  var timer = document.querySelector("[data-test-timer]");
  if (timer) {
    var display = timer.querySelector("[data-timer-display]");
    var toggle = timer.querySelector("[data-timer-toggle]");
    var ends = Date.now() + parseInt(timer.getAttribute("data-seconds-left"), 10) * 1000;
    var hidden = false;
    var announcedFive = false;
    if (toggle) {
      toggle.hidden = timer.classList.contains("is-forced");
      toggle.addEventListener("click", function () {
        hidden = !hidden;
        display.hidden = hidden;
        toggle.textContent = hidden ? "Show timer" : "Hide timer";
        toggle.setAttribute("aria-pressed", hidden ? "true" : "false");
      });
    }
    var tick = function () {
      var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
      display.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      if (left <= 300 && !announcedFive) {
        announcedFive = true;
        timer.classList.add("is-forced", "timer-low");
        display.hidden = false;
        if (toggle) { toggle.hidden = true; }
        if (left > 0 && statusLine) { say("Five minutes left in this module."); }
      }
      if (left <= 0) {
        clearInterval(interval);
        // The server ends the phase once its deadline and 2 s of grace (for saves in flight) have passed;
        // going back to the test then shows where it is now. This clock may reach 0 up to 1.5 s early (the
        // page's whole seconds, and rounding), so wait 4 s: any sooner, the module reloads at 0:00 first.
        say("Time is up. Your saved answers count; moving on…");
        setTimeout(function () { thenGo(timer.getAttribute("data-resume-url")); }, 4000);
      }
    };
    var interval = setInterval(tick, 1000);
    tick();
  }

  // --- Highlighter: ranges of the passage's text, kept with the response ----------------------------------
  var passage = document.querySelector("[data-passage]");
  var highlightButton = document.querySelector("[data-highlight-button]");
  var clearButton = document.querySelector("[data-highlight-clear]");

  function textNodes(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
    var nodes = [];
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    return nodes;
  }

  function offsetOf(node, offset) {
    var total = 0;
    var nodes = textNodes(passage);
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i] === node) { return total + offset; }
      total += nodes[i].nodeValue.length;
    }
    return -1;
  }

  function unwrapMarks() {
    passage.querySelectorAll("mark.test-highlight").forEach(function (mark) {
      var parent = mark.parentNode;
      while (mark.firstChild) { parent.insertBefore(mark.firstChild, mark); }
      parent.removeChild(mark);
      parent.normalize();
    });
  }

  function paint() {
    unwrapMarks();
    highlights.slice().sort(function (a, b) { return b[0] - a[0]; }).forEach(function (range) {
      var start = range[0];
      var end = range[1];
      var pos = 0;
      textNodes(passage).forEach(function (node) {
        var len = node.nodeValue.length;
        var from = Math.max(start, pos);
        var to = Math.min(end, pos + len);
        if (from < to && node.nodeValue.trim() !== "") {
          var middle = node.splitText(from - pos);
          middle.splitText(to - from);
          var mark = document.createElement("mark");
          mark.className = "test-highlight";
          middle.parentNode.insertBefore(mark, middle);
          mark.appendChild(middle);
        }
        pos += len;
      });
    });
    if (clearButton) { clearButton.hidden = highlights.length === 0; }
  }

  function highlightSelection() {
    var selection = window.getSelection();
    if (!passage || !selection || selection.isCollapsed || !selection.rangeCount) {
      say("Select some text in the passage first.");
      return;
    }
    var range = selection.getRangeAt(0);
    if (!passage.contains(range.startContainer) || !passage.contains(range.endContainer)) {
      say("Highlights go on the passage only.");
      return;
    }
    unwrapMarks();
    var start = offsetOf(range.startContainer, range.startOffset);
    var end = offsetOf(range.endContainer, range.endOffset);
    selection.removeAllRanges();
    if (start < 0 || end < 0 || start === end) {
      // The selection began or ended on an element boundary: fall back to the whole text it spans.
      paint();
      say("Select the words to highlight.");
      return;
    }
    if (start > end) { var swap = start; start = end; end = swap; }
    highlights.push([start, end]);
    highlights = merge(highlights);
    paint();
    say("Highlighted.");
    save();
  }

  function merge(ranges) {
    var sorted = ranges.slice().sort(function (a, b) { return a[0] - b[0]; });
    var out = [];
    sorted.forEach(function (r) {
      var last = out[out.length - 1];
      if (last && r[0] <= last[1]) { last[1] = Math.max(last[1], r[1]); } else { out.push([r[0], r[1]]); }
    });
    return out.slice(0, 100);
  }

  if (passage) {
    paint();
    if (highlightButton) {
      document.addEventListener("selectionchange", function () {
        var selection = window.getSelection();
        highlightButton.disabled = !(selection && !selection.isCollapsed && passage.contains(selection.anchorNode));
      });
      highlightButton.addEventListener("mousedown", function (event) { event.preventDefault(); });
      highlightButton.addEventListener("click", highlightSelection);
    }
    if (clearButton) {
      clearButton.addEventListener("click", function () {
        highlights = [];
        paint();
        say("Highlights cleared.");
        save();
      });
    }
  }

  // --- The report: a print button, and every question open on paper -----------------------------------------
  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".report-questions details").forEach(function (d) { d.open = true; });
  });
})();
