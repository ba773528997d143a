// Small progressive enhancements, no framework: every page also works without them.
(function () {
  "use strict";

  // Tell the server the browser's time zone, so it shows times in it.
  try {
    var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && document.cookie.indexOf("tz=" + encodeURIComponent(tz)) === -1) {
      document.cookie = "tz=" + encodeURIComponent(tz) + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) { /* times stay in UTC */ }

  function scrollThreads(root) {
    root.querySelectorAll(".screen, .thread").forEach(function (s) { s.scrollTop = s.scrollHeight; });
  }

  // [data-poll]: fetch the URL every data-interval ms. If the answer has
  // elements with ids, each replaces the element with the same id on the page
  // (so forms beside them keep what is being typed); otherwise the answer
  // replaces the container's contents. Nothing is replaced under the
  // keyboard focus, and nothing is fetched while the tab is hidden.
  function refresh(box) {
    return fetch(box.dataset.poll, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (response.redirected || !response.ok) { throw new Error("poll stopped: " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var parts = doc.body.querySelectorAll(":scope > [id]");
        var targets = parts.length ? Array.prototype.map.call(parts, function (part) {
          return [document.getElementById(part.id), part.innerHTML];
        }) : [[box, html]];
        targets.forEach(function (pair) {
          var el = pair[0];
          if (!el || el.contains(document.activeElement) || el.dataset.last === pair[1]) { return; }
          el.innerHTML = pair[1];
          el.dataset.last = pair[1];
          scrollThreads(el.parentNode || el);
        });
      });
  }

  function startPolling(box) {
    var interval = parseInt(box.dataset.interval || "5000", 10);
    var timer = null;
    function tick() {
      if (document.hidden) { timer = setTimeout(tick, interval); return; }
      refresh(box).then(function () { timer = setTimeout(tick, interval); }, function () { /* signed out: stop */ });
    }
    timer = setTimeout(tick, interval);
    box.refreshNow = function () { clearTimeout(timer); refresh(box).finally(function () { timer = setTimeout(tick, interval); }); };
  }

  // form[data-fetch]: submit without leaving the page, then refresh at once.
  function fetchForm(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var problem = form.querySelector(".form-problem");
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                           headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (response.status === 204) {
            var input = form.querySelector("input[name=body]");
            if (input) { input.value = ""; }
            if (problem) { problem.hidden = true; }
            var box = form.closest("[data-poll]");
            if (box && box.refreshNow) { box.refreshNow(); }
            return;
          }
          return response.text().then(function (text) {
            if (problem) { problem.textContent = text || "Could not send (" + response.status + ")."; problem.hidden = false; }
          });
        })
        .finally(function () { if (button) { button.disabled = false; } });
    });
  }

  // select[data-canned-for]: a canned reply's text (its option's data-body)
  // goes into the reply box named by the attribute, to be edited before
  // sending. Text the user typed is replaced only once they confirm. The
  // pick list is hidden in the page and shown here: without this script
  // staff type the text.
  function cannedPick(select) {
    var box = document.getElementById(select.dataset.cannedFor);
    if (!box) { return; }
    var bodies = Array.prototype.map.call(select.options, function (option) { return option.dataset.body; });
    var chosen = select.selectedIndex;
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      if (!option || option.dataset.body === undefined) { chosen = select.selectedIndex; return; }
      var typed = box.value.trim() !== "" && bodies.indexOf(box.value) === -1;
      if (typed && !window.confirm("Replace the text in the box with “" + option.text + "”?")) {
        select.selectedIndex = chosen;
        return;
      }
      box.value = option.dataset.body;
      chosen = select.selectedIndex;
    });
    var wrapper = select.closest(".canned-pick");
    if (wrapper) { wrapper.hidden = false; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-canned-for]").forEach(cannedPick);
    document.querySelectorAll("[data-poll]").forEach(startPolling);
    document.querySelectorAll("form[data-fetch]").forEach(fetchForm);
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
    scrollThreads(document);
  });
})();
