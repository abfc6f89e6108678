/* The test's tool panels (calculator, reference sheet): non-modal panels opened by a button.
   A button with data-tool-open="<panel id>" (and aria-controls, aria-expanded) toggles the panel;
   [data-tool-close] inside a panel and the Escape key close it and return focus to the opener.
   Opening fires "toolpanel:open" on the panel, so a tool can build itself once it has a size. */
(function () {
  "use strict";

  function openers(panel) {
    return document.querySelectorAll('[data-tool-open="' + panel.id + '"]');
  }

  function setExpanded(panel, expanded) {
    openers(panel).forEach(function (button) { button.setAttribute("aria-expanded", String(expanded)); });
  }

  function open(panel, opener) {
    panel.hidden = false;
    panel.toolOpener = opener || null;
    setExpanded(panel, true);
    var heading = panel.querySelector("[data-tool-heading]");
    (heading || panel).focus();
    panel.dispatchEvent(new CustomEvent("toolpanel:open", { bubbles: true }));
  }

  function close(panel) {
    if (panel.hidden) { return; }
    panel.hidden = true;
    setExpanded(panel, false);
    var opener = panel.toolOpener || openers(panel)[0];
    if (opener) { opener.focus(); }
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-tool-open]");
    if (opener) {
      var panel = document.getElementById(opener.getAttribute("data-tool-open"));
      if (panel) { panel.hidden ? open(panel, opener) : close(panel); }
      return;
    }
    var closer = event.target.closest("[data-tool-close]");
    if (closer) {
      var owner = closer.closest("[data-tool-panel]");
      if (owner) { close(owner); }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) { return; }
    var panel = event.target.closest && event.target.closest("[data-tool-panel]");
    if (panel) {
      event.preventDefault();
      close(panel);
    }
  });

  window.ToolPanels = { open: open, close: close };
})();
