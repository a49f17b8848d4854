/* Drafting pages: the live word diff while a clause is rewritten, confirmations before
   destructive buttons, filters that apply on change, the amendment kind chooser.
   Every page works without this file; it only saves clicks. */
(function () {
  "use strict";

  // Buttons with data-confirm ask first (deleting a clause, withdrawing, adopting).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Controls for pages without scripts (e.g. "Preview the change": the diff is live here).
  document.querySelectorAll("[data-without-script]").forEach(function (element) {
    element.hidden = true;
  });

  // Clause menus: one open at a time; a click elsewhere or Escape closes it.
  var menus = document.querySelectorAll("details.clause-menu");
  function closeMenus(except) {
    menus.forEach(function (menu) {
      if (menu !== except) {
        menu.open = false;
      }
    });
  }
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) {
        closeMenus(menu);
      }
    });
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("details.clause-menu")) {
      closeMenus(null);
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details.clause-menu[open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
      }
    }
  });

  // Filter selects apply at once.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select.form) {
        select.form.requestSubmit();
      }
    });
  });

  // The import preview: changing a paragraph's kind or level redraws the numbers.
  document.querySelectorAll("select[data-refresh]").forEach(function (select) {
    select.addEventListener("change", function () {
      var button = select.form && select.form.querySelector("[data-refresh-button]");
      if (button) {
        select.form.requestSubmit(button);
      }
    });
  });

  // The kind chooser: the clause list only matters for a change or a deletion.
  var kindRadios = document.querySelectorAll("input[data-kind-choice]");
  if (kindRadios.length) {
    var showClauseFor = function () {
      var checked = document.querySelector("input[data-kind-choice]:checked");
      var kind = checked ? checked.value : "";
      document.querySelectorAll("[data-kinds]").forEach(function (box) {
        var kinds = box.getAttribute("data-kinds").split(" ");
        box.hidden = kind !== "" && kinds.indexOf(kind) === -1;
      });
    };
    kindRadios.forEach(function (radio) {
      radio.addEventListener("change", showClauseFor);
    });
    showClauseFor();
  }

  // The live diff: the server's word diff of the current text against what is typed.
  document.querySelectorAll("textarea[data-diff-url]").forEach(function (area) {
    var target = document.getElementById(area.getAttribute("data-diff-target"));
    if (!target || !area.form) {
      return;
    }
    var tokenInput = area.form.querySelector("input[name=csrf_token]");
    var timer = null;
    var latest = 0;

    function update() {
      var mine = ++latest;
      var body = new FormData();
      if (tokenInput) {
        body.append("csrf_token", tokenInput.value);
      }
      body.append("clause", area.getAttribute("data-diff-clause"));
      body.append("text", area.value);
      target.setAttribute("aria-busy", "true");
      fetch(area.getAttribute("data-diff-url"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          // Only the answer to the latest keystroke counts; an older one may arrive late.
          if (mine === latest) {
            target.innerHTML = html; // escaped by the server's template
          }
        })
        .catch(function () {
          /* keep the last diff; the Preview button still works */
        })
        .finally(function () {
          if (mine === latest) {
            target.removeAttribute("aria-busy");
          }
        });
    }

    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 250);
    });
    update();
  });
})();
