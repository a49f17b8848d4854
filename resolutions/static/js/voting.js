/* The sitting's live pages (ballot, chair's console, projector, attendance, poll).
 *
 * The page says where its live channel is (data-live-url, data-events-url) and which version
 * of the state it was rendered from. Server-sent events are preferred; when the stream is not
 * available or drops, the page polls the live JSON every 700 ms with If-None-Match (an
 * unchanged state costs a 304). On a change of state:
 * - the ballot page applies the public snapshot carried by the event (no further request:
 *   a thousand phones cost the server one render) and builds the ballot from its template;
 * - the other pages fetch themselves again and swap their [data-live-region] parts, except a
 *   part the user is typing in (swapped when they leave it).
 * Turnout and present weight are written into [data-turnout] / [data-present] elements.
 * Ballots are sent with fetch (JSON receipt); without JavaScript the forms post and redirect.
 *
 * Every other conference page of a member who may vote has only the vote banner
 * ([data-vote-banner], base.html): it follows the same channel (view "banner", whose JSON says
 * whether a vote waits for this member) and shows or hides itself and the tab's mark.
 */
(function () {
  "use strict";

  // base.html loads this script on every conference page (the vote banner) and the live
  // pages load it too: run once.
  if (window.resolutionsLive) {
    return;
  }
  window.resolutionsLive = true;

  var banner = document.querySelector("[data-vote-banner]");
  var root = document.querySelector("[data-live]");
  // A page without a live region of its own follows the channel for its banner alone.
  var bannerOnly = !root;
  if (bannerOnly) {
    root = banner;
  }
  if (!root) {
    return;
  }
  var POLL_MS = 700;
  var view = bannerOnly ? "banner" : root.dataset.liveView;
  var liveUrl = root.dataset.liveUrl;
  var eventsUrl = root.dataset.eventsUrl;
  var stateVersion = root.dataset.stateVersion || "";
  var baseTitle = document.title;
  var etag = null;
  var pollTimer = null;
  var source = null;

  // --- versions --------------------------------------------------------------------------

  // Redis versions ("r<counter>") are ordered; database versions ("d<digest>") only differ.
  function isNewer(candidate, current) {
    if (!candidate || candidate === current) {
      return false;
    }
    if (candidate.charAt(0) === "r" && current && current.charAt(0) === "r") {
      return Number(candidate.slice(1)) > Number(current.slice(1));
    }
    return true;
  }

  // --- turnout and present weight ----------------------------------------------------------

  var lastVoted = null;

  function applyTurnout(turnout) {
    if (!turnout) {
      return;
    }
    root.querySelectorAll("[data-turnout]").forEach(function (element) {
      var value = turnout[element.dataset.turnout];
      if (value !== undefined) {
        element.textContent = String(value);
      }
    });
    // The console's quorum line during a poll: reached when voted × den ≥ num (exact).
    root.querySelectorAll("[data-quorum-live]").forEach(function (line) {
      var reached =
        turnout.voted_weight * Number(line.dataset.quorumDen) >= Number(line.dataset.quorumNum);
      line.classList.toggle("is-reached", reached);
      line.classList.toggle("is-missing", !reached);
      var status = line.querySelector("[data-quorum-status]");
      if (status) {
        status.textContent = reached ? status.dataset.msgReached : status.dataset.msgMissing;
      }
    });
    // Who has not voted yet (named polls): the console asks for its regions again.
    if (root.querySelector("[data-not-voted]") && turnout.voted_weight !== lastVoted) {
      lastVoted = turnout.voted_weight;
      refreshRegions();
    }
    root.querySelectorAll("[data-turnout-bar]").forEach(function (bar) {
      bar.max = turnout.entitled_weight || 1;
      bar.value = turnout.voted_weight;
      bar.textContent = turnout.voted_weight + " / " + turnout.entitled_weight;
    });
  }

  function applyPresent(present) {
    if (!present) {
      return;
    }
    root.querySelectorAll("[data-present]").forEach(function (element) {
      var value = present[element.dataset.present];
      if (value !== undefined) {
        element.textContent = String(value);
      }
    });
  }

  // --- the vote banner (every conference page) --------------------------------------------

  // ``vote`` is null or {label, url, held, pending} (voting/open_vote.py).
  function applyBanner(vote) {
    if (!banner) {
      return;
    }
    var marks = document.querySelectorAll("[data-vote-mark]");
    banner.hidden = !vote;
    marks.forEach(function (mark) {
      mark.hidden = !vote || vote.pending === 0;
    });
    if (!vote) {
      document.title = baseTitle;
      return;
    }
    var done = vote.pending === 0;
    banner.classList.toggle("is-done", done);
    banner.querySelector("[data-vote-banner-kicker]").textContent = done
      ? banner.dataset.msgDone
      : banner.dataset.msgOpen;
    banner.querySelector("[data-vote-banner-label]").textContent = vote.label;
    var link = banner.querySelector("[data-vote-banner-link]");
    link.href = vote.url;
    link.textContent = done ? banner.dataset.msgSee : banner.dataset.msgGo;
    document.title = done ? baseTitle : "● " + baseTitle;
  }

  var bannerFetching = false;
  var bannerAgain = false;

  function refreshBanner() {
    if (!banner) {
      return;
    }
    if (bannerFetching) {
      bannerAgain = true;
      return;
    }
    bannerFetching = true;
    fetch(banner.dataset.liveUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.vote !== undefined) {
          applyBanner(data.vote);
        }
      })
      .catch(function () {
        /* offline for a moment: the next change tries again */
      })
      .finally(function () {
        bannerFetching = false;
        if (bannerAgain) {
          bannerAgain = false;
          refreshBanner();
        }
      });
  }

  // --- pages that swap their live regions --------------------------------------------------

  var refreshing = false;
  var refreshAgain = false;
  var deferred = {};

  function userIsBusyIn(region) {
    var active = document.activeElement;
    if (active && region.contains(active) && active.matches("input, textarea, select")) {
      return true;
    }
    return region.querySelector("details[open]") !== null;
  }

  function swapRegions(container) {
    container.querySelectorAll("[data-live-region]").forEach(function (fresh) {
      var name = fresh.dataset.liveRegion;
      var current = root.querySelector('[data-live-region="' + name + '"]');
      if (!current) {
        return;
      }
      if (userIsBusyIn(current)) {
        deferred[name] = fresh;
        return;
      }
      delete deferred[name];
      current.replaceWith(fresh);
      enhance(fresh);
    });
    fitScreen();
  }

  // The projector: the text shrinks until the stage fits the wall (never a scroll bar).
  function fitScreen() {
    root.querySelectorAll("[data-screen-fit]").forEach(function (box) {
      var size = 100;
      box.style.fontSize = "";
      while (box.scrollHeight > box.clientHeight + 1 && size > 30) {
        size -= size > 60 ? 5 : 2;
        box.style.fontSize = size + "%";
      }
    });
  }

  // A region the user was busy in is swapped once they leave it.
  document.addEventListener("focusout", function () {
    window.setTimeout(function () {
      Object.keys(deferred).forEach(function (name) {
        var current = root.querySelector('[data-live-region="' + name + '"]');
        if (current && !userIsBusyIn(current)) {
          var fresh = deferred[name];
          delete deferred[name];
          current.replaceWith(fresh);
          enhance(fresh);
        }
      });
    }, 0);
  });

  function refreshRegions() {
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    fetch(window.location.href, {
      headers: { "X-Live-Fragment": "1" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var template = document.createElement("template");
        template.innerHTML = html;
        swapRegions(template.content);
      })
      .catch(function () {
        /* offline for a moment: the next change or poll tries again */
      })
      .finally(function () {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          refreshRegions();
        }
      });
  }

  // --- the ballot page ---------------------------------------------------------------------

  function cloneTemplate(id) {
    var template = document.getElementById(id);
    return template ? template.content.cloneNode(true) : document.createDocumentFragment();
  }

  function randomKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function applySnapshot(snapshot) {
    if (!snapshot) {
      return;
    }
    var rollCall = root.querySelector("[data-roll-call]");
    if (rollCall && rollCall.dataset.present !== "1") {
      rollCall.hidden = !snapshot.roll_call;
    }
    var personal = root.querySelector("[data-ballot-personal]");
    var publicBox = root.querySelector("[data-poll-public]");
    if (!personal || !publicBox) {
      return;
    }
    var poll = snapshot.poll;
    var key = poll ? poll.key : "";
    var previous = personal.dataset.pollKey || "";
    if (key === previous) {
      return;
    }
    var previousId = previous.split(":")[0];
    if (poll) {
      publicBox.innerHTML = poll.html;
    } else {
      publicBox.replaceChildren(cloneTemplate("ballot-waiting-template"));
    }
    if (poll && String(poll.id) !== previousId) {
      personal.replaceChildren();
    }
    if (poll && poll.state === "open") {
      if (!personal.querySelector("[data-ballot-form], .receipt")) {
        var fragment = cloneTemplate("ballot-form-template");
        var form = fragment.querySelector("form");
        if (form) {
          form.action = poll.cast_url;
          var keyField = form.querySelector("[data-idempotency-key]");
          if (keyField) {
            keyField.value = randomKey();
          }
        }
        personal.replaceChildren(fragment);
        enhance(personal);
      }
    } else {
      personal.querySelectorAll("[data-ballot-form]").forEach(function (form) {
        form.replaceWith(cloneTemplate("ballot-closed-template"));
      });
    }
    personal.dataset.pollKey = key;
  }

  function setBusy(form, busy) {
    form.querySelectorAll("button").forEach(function (button) {
      button.disabled = busy;
    });
    form.classList.toggle("is-sending", busy);
  }

  function showStatus(form, message, isError) {
    var status = form.querySelector("[data-ballot-status]");
    if (status) {
      status.textContent = message;
      status.classList.toggle("is-error", Boolean(isError));
    }
  }

  function receiptBox(container) {
    var box = container.querySelector(".receipt");
    if (!box) {
      box = document.createElement("div");
      box.className = "receipt";
      box.setAttribute("role", "status");
      var title = document.createElement("p");
      title.className = "receipt__title";
      var list = document.createElement("ul");
      list.className = "receipt__list";
      box.append(title, list);
      container.append(box);
    }
    return box;
  }

  // What was recorded: the choice in a named poll, "in the box" in a secret one; the receipt
  // whole (never broken inside the code) and what it is for.
  function onCast(form, body, choiceLabel) {
    var container = form.parentElement;
    var box = receiptBox(container);
    var article = root.querySelector("[data-poll-public] [data-ballot-kind]");
    var secret = article !== null && article.dataset.ballotKind === "secret";
    var title = box.querySelector(".receipt__title");
    if (body.already_recorded) {
      title.textContent = body.message;
    } else {
      title.textContent = secret ? form.dataset.msgBox : form.dataset.msgRecorded;
    }
    var list = box.querySelector(".receipt__list");
    body.names.forEach(function (name) {
      var item = document.createElement("li");
      item.append("✓ " + name);
      if (!secret && choiceLabel && !body.already_recorded) {
        var strong = document.createElement("strong");
        strong.textContent = choiceLabel;
        item.append(": ", strong);
      }
      var code = document.createElement("span");
      code.className = "receipt__code";
      code.textContent = form.dataset.msgReceipt.replace("{receipt}", body.receipt);
      item.append(" ", code);
      list.append(item);
    });
    if (!box.querySelector(".receipt__note")) {
      var note = document.createElement("p");
      note.className = "receipt__note";
      note.textContent = (secret ? form.dataset.msgSecret + " " : "") + form.dataset.msgWhy;
      box.append(note);
    }
    body.recorded.forEach(function (id) {
      var input = form.querySelector('input[name="for"][value="' + id + '"]');
      if (input) {
        var option = input.closest("label") || input;
        option.remove();
      }
    });
    var remaining = form.querySelectorAll('input[name="for"][type="checkbox"]');
    if (remaining.length === 0) {
      form.remove();
      document.querySelectorAll("[data-vote-mark]").forEach(function (mark) {
        mark.hidden = true;
      });
    } else {
      var keyField = form.querySelector("[data-idempotency-key]");
      if (keyField) {
        keyField.value = randomKey();
      }
      showStatus(form, "", false);
    }
  }

  function enhanceBallotForm(form) {
    if (form.dataset.enhanced === "1") {
      return;
    }
    form.dataset.enhanced = "1";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.classList.contains("is-sending")) {
        return;
      }
      var data = new FormData(form);
      var choiceLabel = "";
      if (event.submitter && event.submitter.name) {
        data.set(event.submitter.name, event.submitter.value);
        choiceLabel = event.submitter.textContent.trim();
      }
      var boxes = form.querySelectorAll('input[name="for"][type="checkbox"]');
      if (boxes.length > 0 && data.getAll("for").length === 0) {
        showStatus(form, form.dataset.msgChoose, true);
        return;
      }
      setBusy(form, true);
      showStatus(form, form.dataset.msgSending, false);
      fetch(form.action, {
        method: "POST",
        body: data,
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return null;
            })
            .then(function (body) {
              if (response.ok && body && body.ok) {
                onCast(form, body, choiceLabel);
              } else {
                showStatus(form, (body && body.message) || form.dataset.msgFailed, true);
              }
            });
        })
        .catch(function () {
          // The same idempotency key goes with the retry: a ballot that did arrive is not
          // counted twice.
          showStatus(form, form.dataset.msgNetwork, true);
        })
        .finally(function () {
          setBusy(form, false);
        });
    });
  }

  // --- wiring ------------------------------------------------------------------------------

  // The chair's rules: "may change the ballot" is off for a secret ballot.
  function enhanceRules(rules) {
    var kind = rules.querySelector('select[name="ballot_kind"]');
    var change = rules.querySelector("[data-allow-change]");
    var hint = rules.querySelector("[data-secret-hint]");
    if (!kind || !change) {
      return;
    }
    var sync = function () {
      var secret = (kind.value || rules.dataset.defaultKind) === "secret";
      change.disabled = secret;
      if (secret) {
        change.checked = false;
      }
      if (hint) {
        hint.hidden = !secret;
      }
    };
    kind.addEventListener("change", sync);
    sync();
  }

  function enhance(container) {
    container.querySelectorAll("[data-ballot-form]").forEach(enhanceBallotForm);
    container.querySelectorAll("[data-rules]").forEach(enhanceRules);
  }

  function onState(version, snapshot) {
    if (!isNewer(version, stateVersion)) {
      return;
    }
    stateVersion = version;
    if (view === "banner") {
      if (payloadVote === undefined) {
        refreshBanner();
      }
      return;
    }
    if (view === "ballot") {
      applySnapshot(snapshot);
    } else {
      refreshRegions();
    }
    refreshBanner();
  }

  // The banner's own JSON carries the vote: no second request.
  var payloadVote;

  function handleLive(data) {
    applyTurnout(data.turnout);
    applyPresent(data.present);
    if (data.vote !== undefined) {
      applyBanner(data.vote);
    }
    payloadVote = data.vote;
    onState(data.state, data.snapshot);
    payloadVote = undefined;
  }

  function pollOnce() {
    var headers = { Accept: "application/json" };
    if (etag) {
      headers["If-None-Match"] = etag;
    }
    return fetch(liveUrl, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status !== 200) {
          return null;
        }
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (data) {
        if (data) {
          handleLive(data);
        }
      })
      .catch(function () {
        /* offline for a moment: poll again */
      });
  }

  function startPolling() {
    if (pollTimer !== null) {
      return;
    }
    var tick = function () {
      pollOnce().finally(function () {
        if (pollTimer !== null) {
          pollTimer = window.setTimeout(tick, POLL_MS);
        }
      });
    };
    pollTimer = window.setTimeout(tick, 0);
  }

  function stopPolling() {
    if (pollTimer !== null) {
      window.clearTimeout(pollTimer);
      pollTimer = null;
    }
  }

  function splitVersion(data) {
    var dot = data.lastIndexOf(".");
    return dot < 0 ? data : data.slice(0, dot);
  }

  function connect() {
    if (!eventsUrl || !window.EventSource) {
      startPolling();
      return;
    }
    source = new window.EventSource(eventsUrl);
    source.addEventListener("open", stopPolling);
    source.addEventListener("error", function () {
      // Reconnecting (the stream's lifetime ended, or the network dropped): poll meanwhile.
      startPolling();
      if (source && source.readyState === window.EventSource.CLOSED) {
        source = null;
        window.setTimeout(connect, 5000);
      }
    });
    source.addEventListener("state", function (event) {
      onState(splitVersion(event.data));
    });
    source.addEventListener("snapshot", function (event) {
      var snapshot = JSON.parse(event.data);
      onState(snapshot.version, snapshot);
    });
    source.addEventListener("turnout", function (event) {
      var data = JSON.parse(event.data);
      applyTurnout(data.turnout);
      applyPresent(data.present);
    });
  }

  if (banner && !banner.hidden && !banner.classList.contains("is-done")) {
    document.title = "● " + baseTitle;
  }
  enhance(root);
  fitScreen();
  window.addEventListener("resize", fitScreen);
  if (document.fonts && document.fonts.ready) {
    document.fonts.ready.then(fitScreen);
  }
  connect();
})();
