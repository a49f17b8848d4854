// The secretariat's pages: copy a shown-once secret, confirm destructive forms.
// The pages work without this file; it only adds convenience.
(function () {
  "use strict";

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      input.select();
      var done = function () {
        var label = button.textContent;
        button.textContent = button.getAttribute("data-copied") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    });
  });

  document.querySelectorAll("[data-copy-source]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // Only delegates and the chair vote: the voting-right box follows the chosen role.
  var role = document.getElementById("role");
  var votingRight = document.getElementById("voting_right");
  if (role && votingRight) {
    var voting = ["delegate", "chair"];
    var follow = function (initial) {
      var votes = voting.indexOf(role.value) !== -1;
      if (!votes) { votingRight.checked = false; }
      else if (!initial && votingRight.disabled) { votingRight.checked = true; }
      votingRight.disabled = !votes;
    };
    role.addEventListener("change", function () { follow(false); });
    follow(true);
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    var question = form.getAttribute("data-confirm");
    if (!question) { return; }
    form.addEventListener("submit", function (event) {
      if (!window.confirm(question)) { event.preventDefault(); }
    });
  });

  // Settings: the date line as the documents will print it, asked of the server (the same
  // function the PDF uses) while the place or the dates are typed.
  var preview = document.querySelector("[data-dateline-url]");
  if (preview) {
    var text = preview.querySelector(".dateline-preview__text");
    var timer = null;
    var refresh = function () {
      var params = new URLSearchParams();
      ["place", "start_date", "end_date", "language"].forEach(function (name) {
        var input = document.getElementById(name);
        if (input) { params.set(name, input.value); }
      });
      fetch(preview.getAttribute("data-dateline-url") + "?" + params.toString(), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (answer) {
        return answer.ok ? answer.json() : null;
      }).then(function (data) {
        if (data && typeof data.dateline === "string") { text.textContent = data.dateline; }
      }).catch(function () {});
    };
    ["place", "start_date", "end_date", "language"].forEach(function (name) {
      var input = document.getElementById(name);
      if (!input) { return; }
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(refresh, 250);
      });
      input.addEventListener("change", refresh);
    });
  }
})();
