/* Practice sessions: keyboard answering, option elimination and the hideable countdown.
   Everything here is an enhancement; the pages work without JavaScript. */
(function () {
  "use strict";

  var form = document.querySelector("[data-answer-form]");
  var keys = { a: "A", b: "B", c: "C", d: "D", "1": "A", "2": "B", "3": "C", "4": "D" };

  function typing(target) {
    return target && (target.tagName === "INPUT" && target.type === "text" || target.tagName === "TEXTAREA");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key.toLowerCase();
    if (form && !typing(event.target) && keys[key]) {
      var radio = form.querySelector('input[name="given"][value="' + keys[key] + '"]');
      if (radio) {
        radio.checked = true;
        radio.focus();
        event.preventDefault();
      }
      return;
    }
    if (key === "enter" && !typing(event.target) && event.target.tagName !== "BUTTON" && event.target.tagName !== "A") {
      if (form && !form.hasAttribute("data-preview") && form.querySelector('input[name="given"]:checked')) {
        event.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.submit();
        return;
      }
      var next = document.querySelector("[data-next-link]");
      if (!form && next) {
        event.preventDefault();
        window.location.assign(next.href);
      }
    }
  });

  // Elimination: strike an option through to rule it out (only in the browser, like a pencil mark).
  if (form) {
    form.querySelectorAll(".option").forEach(function (option) {
      var label = option.getAttribute("data-option");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "eliminate-button";
      button.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-label", "Eliminate option " + label);
      button.textContent = "✕";
      button.addEventListener("click", function () {
        var on = option.classList.toggle("is-eliminated");
        button.setAttribute("aria-pressed", on ? "true" : "false");
        button.setAttribute("aria-label", (on ? "Restore option " : "Eliminate option ") + label);
        if (on) {
          var radio = option.querySelector('input[type="radio"]');
          if (radio && radio.checked) { radio.checked = false; }
        }
      });
      option.appendChild(button);
    });
  }

  // Countdown for timed sessions. The server keeps the real clock; this only shows it.
  var timer = document.querySelector("[data-timer]");
  if (timer) {
    var display = timer.querySelector("[data-timer-display]");
    var toggle = timer.querySelector("[data-timer-toggle]");
    var endsAt = Date.now() + parseInt(timer.getAttribute("data-seconds-left"), 10) * 1000;
    var expireUrl = timer.getAttribute("data-expire-url");
    var hiddenKey = "prepnexus-timer-hidden";

    function render() {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      display.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      timer.classList.toggle("timer-low", left <= 300);
      if (left <= 0) {
        window.clearInterval(interval);
        window.location.assign(expireUrl);
      }
    }

    function setHidden(hidden) {
      display.hidden = hidden;
      toggle.textContent = hidden ? "Show timer" : "Hide timer";
      toggle.setAttribute("aria-pressed", hidden ? "true" : "false");
      try { window.sessionStorage.setItem(hiddenKey, hidden ? "1" : "0"); } catch (e) { /* private mode */ }
    }

    toggle.hidden = false;
    toggle.addEventListener("click", function () { setHidden(!display.hidden); });
    try { setHidden(window.sessionStorage.getItem(hiddenKey) === "1"); } catch (e) { setHidden(false); }
    var interval = window.setInterval(render, 1000);
    render();
  }
})();
